// The packet cache's index within one shard: hash -> entry number, open
// addressing with linear probing, at most half full, deletion by backward
// shift (no tombstones, so probes stay short however much the cache churns).
//
// Why not std::unordered_map: its find was 40 % of lanlord's own CPU on a
// cache hit (a bucket array, a node and a prime modulo, three dependent cache
// misses). Here a probe is one 8-byte slot, usually the first, then the entry.
//
// Each slot keeps the top 32 bits of the key's 64-bit hash: they choose the
// home slot and filter almost every non-match before the key is compared.
// The caller compares keys (`matches`) since the keys live in the entries.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

namespace lanlord {

class CacheIndex {
  public:
    static constexpr std::uint32_t npos = std::numeric_limits<std::uint32_t>::max();

    std::size_t size() const { return count_; }
    bool empty() const { return count_ == 0; }
    void clear() {
        table_.clear();
        count_ = 0;
    }

    // Entry number whose key `matches`, or npos.
    template <class Matches>
    std::uint32_t find(std::uint64_t hash, Matches&& matches) const {
        if (table_.empty()) return npos;
        std::uint32_t tag = tag_of(hash);
        std::size_t mask = table_.size() - 1;
        for (std::size_t i = tag & mask;; i = (i + 1) & mask) {
            const Slot& s = table_[i];
            if (s.entry == npos) return npos;
            if (s.tag == tag && matches(s.entry)) return s.entry;
        }
    }

    // The key must not be present (find first).
    void insert(std::uint64_t hash, std::uint32_t entry) {
        if (2 * (count_ + 1) > table_.size()) grow();
        place(Slot{tag_of(hash), entry});
        ++count_;
    }

    // Removes the slot holding `entry` (hash: that entry's key's).
    void erase(std::uint64_t hash, std::uint32_t entry) {
        if (table_.empty()) return;
        std::size_t mask = table_.size() - 1;
        std::size_t i = tag_of(hash) & mask;
        for (;; i = (i + 1) & mask) {
            if (table_[i].entry == npos) return;  // not there
            if (table_[i].entry == entry) break;
        }
        // Backward shift: pull later slots of the run into the hole unless
        // their home lies (cyclically) after the hole.
        for (std::size_t j = i;;) {
            j = (j + 1) & mask;
            if (table_[j].entry == npos) break;
            std::size_t home = table_[j].tag & mask;
            bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
            if (stays) continue;
            table_[i] = table_[j];
            i = j;
        }
        table_[i] = Slot{};
        --count_;
    }

  private:
    struct Slot {
        std::uint32_t tag = 0;
        std::uint32_t entry = npos;  // npos: empty
    };
    static std::uint32_t tag_of(std::uint64_t hash) { return static_cast<std::uint32_t>(hash >> 32); }

    void place(Slot slot) {
        std::size_t mask = table_.size() - 1;
        std::size_t i = slot.tag & mask;
        while (table_[i].entry != npos) i = (i + 1) & mask;
        table_[i] = slot;
    }
    void grow() {
        std::vector<Slot> old = std::move(table_);
        table_.assign(old.empty() ? 16 : 2 * old.size(), Slot{});
        for (const Slot& s : old)
            if (s.entry != npos) place(s);
    }

    std::vector<Slot> table_;
    std::size_t count_ = 0;
};

}  // namespace lanlord
