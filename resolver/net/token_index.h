// A map from attempt token to a small value (the socket an attempt went out
// on) that allocates only when it grows: open addressing with linear probing
// and backward-shift deletion (no tombstones), so the upstream path costs no
// heap allocation per attempt once the table has reached the peak number of
// attempts in flight. std::unordered_map allocated a node per insert.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace lanlord {

template <typename Value>
class TokenIndex {
  public:
    std::size_t size() const { return size_; }
    bool contains(std::uint64_t key) const { return find_slot(key) != kMissing; }
    std::optional<Value> find(std::uint64_t key) const {
        std::size_t i = find_slot(key);
        if (i == kMissing) return std::nullopt;
        return slots_[i].value;
    }
    // Inserts or replaces.
    void insert(std::uint64_t key, Value value) {
        if (2 * (size_ + 1) > slots_.size()) grow();
        std::size_t i = home(key);
        while (slots_[i].used && slots_[i].key != key) i = (i + 1) & mask_;
        if (!slots_[i].used) ++size_;
        slots_[i] = {key, value, true};
    }
    bool erase(std::uint64_t key) {
        std::size_t i = find_slot(key);
        if (i == kMissing) return false;
        // Pull later members of the probe run back over the hole, so that
        // every key stays reachable from its home slot without tombstones.
        for (std::size_t j = (i + 1) & mask_;; j = (j + 1) & mask_) {
            if (!slots_[j].used) break;
            std::size_t h = home(slots_[j].key);
            // j may move to i only if its home is not in (i, j] (cyclically).
            bool in_range = i <= j ? (i < h && h <= j) : (i < h || h <= j);
            if (in_range) continue;
            slots_[i] = slots_[j];
            i = j;
        }
        slots_[i].used = false;
        --size_;
        return true;
    }

  private:
    static constexpr std::size_t kMissing = ~std::size_t{0};
    struct Slot {
        std::uint64_t key = 0;
        Value value{};
        bool used = false;
    };
    std::size_t home(std::uint64_t key) const {
        // Fibonacci hashing: tokens are often consecutive numbers.
        return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> shift_) & mask_;
    }
    std::size_t find_slot(std::uint64_t key) const {
        if (slots_.empty()) return kMissing;
        for (std::size_t i = home(key);; i = (i + 1) & mask_) {
            if (!slots_[i].used) return kMissing;
            if (slots_[i].key == key) return i;
        }
    }
    void grow() {
        std::vector<Slot> old = std::move(slots_);
        std::size_t capacity = old.empty() ? 64 : 2 * old.size();
        slots_.assign(capacity, Slot{});
        mask_ = capacity - 1;
        shift_ = 64;
        for (std::size_t c = capacity; c > 1; c >>= 1) --shift_;
        size_ = 0;
        for (const Slot& s : old)
            if (s.used) insert(s.key, s.value);
    }
    std::vector<Slot> slots_;
    std::size_t size_ = 0, mask_ = 0;
    unsigned shift_ = 64;
};

}  // namespace lanlord
