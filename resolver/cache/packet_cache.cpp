#include "resolver/cache/packet_cache.h"

#include <algorithm>
#include <cstring>
#include <random>

#include "common/byte_cursor.h"
#include "common/hash.h"
#include "resolver/cache/cache_index.h"

namespace lanlord {

namespace {

// One heap block per entry: key, stored answer and TTL offsets together, so an
// entry costs one allocation and a hit reads one block after its index slot.
struct Entry {
    std::unique_ptr<std::uint8_t[]> block;
    std::uint32_t wire_len = 0;
    std::uint16_t key_len = 0, offset_count = 0;
    std::uint32_t lifetime = 0;
    std::uint32_t policy_generation = 0;
    TimePoint inserted{}, expires{}, stale_hold_until{};
    bool used = false, referenced = false, prefetch_done = false;

    std::string_view key() const { return {reinterpret_cast<const char*>(block.get()), key_len}; }
    const std::uint8_t* wire() const { return block.get() + key_len; }
    std::uint16_t offset(std::size_t i) const {
        std::uint16_t v;
        std::memcpy(&v, block.get() + key_len + wire_len + 2 * i, 2);
        return v;
    }
    std::size_t block_size() const { return key_len + wire_len + 2u * offset_count; }
    // What the entry really costs: the block with malloc's overhead, the
    // slot, and its index slots (8 bytes each, the index at most half full).
    std::size_t cost() const { return block_size() + 16 + sizeof(Entry) + 32; }
};

}  // namespace

struct PacketCache::Shard {
    std::mutex mu;
    CacheIndex index;  // key hash -> position in slots
    std::vector<Entry> slots;
    std::vector<std::uint32_t> free;
    std::size_t hand = 0, bytes = 0, max_entries = 0, max_bytes = 0;
    Duration stale_max{};
    std::uint64_t hits = 0, misses = 0, stale_hits = 0, inserts = 0, evictions = 0;

    std::uint64_t seed = 0;

    std::uint64_t hash(std::string_view key) const { return seeded_hash(key, seed); }
    std::uint32_t find(std::string_view key, std::uint64_t h) const {
        return index.find(h, [&](std::uint32_t slot) { return slots[slot].key() == key; });
    }
    void remove(std::uint32_t slot) {
        Entry& e = slots[slot];
        bytes -= e.cost();
        index.erase(hash(e.key()), slot);
        e = Entry{};
        free.push_back(slot);
    }
    // One CLOCK step set: evicts one entry, preferring the dead (past their
    // stale window) and the unreferenced. Returns false if the shard is empty.
    bool evict_one(TimePoint now) {
        if (index.empty()) return false;
        for (std::size_t steps = 0; steps < 2 * slots.size() + 1; ++steps) {
            if (hand >= slots.size()) hand = 0;
            Entry& e = slots[hand];
            std::uint32_t slot = static_cast<std::uint32_t>(hand++);
            if (!e.used) continue;
            if (e.referenced && now < e.expires + stale_max) {
                e.referenced = false;
                continue;
            }
            remove(slot);
            ++evictions;
            return true;
        }
        return false;
    }
};

PacketCache::PacketCache(CacheLimits limits, unsigned shards) {
    shard_count_ = 1;
    while (shard_count_ < shards) shard_count_ <<= 1;
    shards_ = std::make_unique<Shard[]>(shard_count_);
    std::random_device rd;
    seed_ = (std::uint64_t{rd()} << 32) | rd();
    for (unsigned i = 0; i < shard_count_; ++i) shards_[i].seed = seed_;
    set_limits(limits, TimePoint{});  // empty: nothing to evict
}

PacketCache::~PacketCache() = default;

void PacketCache::set_limits(CacheLimits limits, TimePoint now) {
    for (unsigned i = 0; i < shard_count_; ++i) {
        Shard& s = shards_[i];
        std::lock_guard lock(s.mu);
        s.max_entries = (limits.max_entries + shard_count_ - 1) / shard_count_;
        s.max_bytes = (limits.max_bytes + shard_count_ - 1) / shard_count_;
        s.stale_max = limits.stale_max;
        while (s.index.size() > s.max_entries || s.bytes > s.max_bytes)
            if (!s.evict_one(now)) break;
    }
}

// One hash per operation: its low bits choose the shard, its high 32 bits the
// slot in the shard's index.
PacketCache::Shard& PacketCache::shard_for(std::uint64_t hash) {
    return shards_[hash & (shard_count_ - 1)];
}

CacheLookup PacketCache::lookup(std::string_view key, TimePoint now, std::span<std::uint8_t> out,
                                bool allow_stale, std::uint32_t stale_ttl, std::uint32_t policy_generation) {
    CacheLookup result;
    std::uint64_t h = seeded_hash(key, seed_);
    Shard& s = shard_for(h);
    std::lock_guard lock(s.mu);
    std::uint32_t slot = s.find(key, h);
    if (slot == CacheIndex::npos) {
        ++s.misses;
        return result;
    }
    Entry& e = s.slots[slot];
    bool stale = now >= e.expires;
    if (stale && (!allow_stale || now - e.expires > s.stale_max)) {
        ++s.misses;
        return result;
    }
    if (e.wire_len > out.size()) {
        ++s.misses;
        return result;
    }
    std::memcpy(out.data(), e.wire(), e.wire_len);
    if (stale) {
        for (std::size_t i = 0; i < e.offset_count; ++i) store_u32(out.data() + e.offset(i), stale_ttl);
        result.state = CacheState::stale;
        result.stale_hold = now < e.stale_hold_until;
        ++s.stale_hits;
    } else {
        // Whole seconds spent in the cache; now < expires guarantees age < lifetime <= every TTL.
        auto age = static_cast<std::uint32_t>(std::chrono::duration_cast<seconds>(now - e.inserted).count());
        for (std::size_t i = 0; i < e.offset_count; ++i) {
            std::uint16_t off = e.offset(i);
            std::uint32_t ttl = load_u32(out.data() + off);
            store_u32(out.data() + off, ttl > age ? ttl - age : 0);
        }
        result.state = CacheState::fresh;
        // Prefetch in the last 10 % of the entry's life, once per entry.
        if (!e.prefetch_done && (e.expires - now) * 10 < seconds(e.lifetime)) {
            e.prefetch_done = true;
            result.prefetch = true;
        }
        ++s.hits;
    }
    e.referenced = true;
    result.length = e.wire_len;
    result.policy_stale = e.policy_generation != policy_generation;
    return result;
}

void PacketCache::insert(std::string_view key, std::span<const std::uint8_t> stored,
                         std::span<const std::uint16_t> ttl_offsets, std::uint32_t lifetime, TimePoint now,
                         std::uint32_t policy_generation) {
    if (lifetime == 0) return;
    std::uint64_t h = seeded_hash(key, seed_);
    Shard& s = shard_for(h);
    std::lock_guard lock(s.mu);
    if (s.max_entries == 0) return;  // caching off (size = 0)
    if (auto old = s.find(key, h); old != CacheIndex::npos) s.remove(old);
    if (key.size() > 0xffff || ttl_offsets.size() > 0xffff || stored.size() > 0xffffffffu) return;
    Entry fresh;
    fresh.key_len = static_cast<std::uint16_t>(key.size());
    fresh.wire_len = static_cast<std::uint32_t>(stored.size());
    fresh.offset_count = static_cast<std::uint16_t>(ttl_offsets.size());
    fresh.block.reset(new std::uint8_t[fresh.block_size()]);
    std::memcpy(fresh.block.get(), key.data(), key.size());
    std::memcpy(fresh.block.get() + key.size(), stored.data(), stored.size());
    if (!ttl_offsets.empty())
        std::memcpy(fresh.block.get() + key.size() + stored.size(), ttl_offsets.data(),
                    2 * ttl_offsets.size());
    fresh.inserted = now;
    fresh.expires = now + seconds(lifetime);
    fresh.lifetime = lifetime;
    fresh.policy_generation = policy_generation;
    fresh.used = true;
    if (fresh.cost() > s.max_bytes) return;
    while (s.index.size() >= s.max_entries || s.bytes + fresh.cost() > s.max_bytes)
        if (!s.evict_one(now)) break;
    std::uint32_t slot;
    if (!s.free.empty()) {
        slot = s.free.back();
        s.free.pop_back();
    } else {
        slot = static_cast<std::uint32_t>(s.slots.size());
        s.slots.emplace_back();
    }
    s.bytes += fresh.cost();
    s.slots[slot] = std::move(fresh);
    s.index.insert(h, slot);
    ++s.inserts;
}

void PacketCache::set_policy_generation(std::string_view key, std::uint32_t policy_generation) {
    std::uint64_t h = seeded_hash(key, seed_);
    Shard& s = shard_for(h);
    std::lock_guard lock(s.mu);
    if (auto slot = s.find(key, h); slot != CacheIndex::npos)
        s.slots[slot].policy_generation = policy_generation;
}

void PacketCache::erase(std::string_view key) {
    std::uint64_t h = seeded_hash(key, seed_);
    Shard& s = shard_for(h);
    std::lock_guard lock(s.mu);
    if (auto slot = s.find(key, h); slot != CacheIndex::npos) s.remove(slot);
}

void PacketCache::hold_stale(std::string_view key, TimePoint until) {
    std::uint64_t h = seeded_hash(key, seed_);
    Shard& s = shard_for(h);
    std::lock_guard lock(s.mu);
    if (auto slot = s.find(key, h); slot != CacheIndex::npos) s.slots[slot].stale_hold_until = until;
}

std::size_t PacketCache::flush() {
    std::size_t n = 0;
    for (unsigned i = 0; i < shard_count_; ++i) {
        Shard& s = shards_[i];
        std::lock_guard lock(s.mu);
        n += s.index.size();
        s.index.clear();
        s.slots.clear();
        s.free.clear();
        s.bytes = 0;
        s.hand = 0;
    }
    return n;
}

std::size_t PacketCache::flush_name(std::string_view wire_name) {
    std::size_t n = 0;
    for (unsigned i = 0; i < shard_count_; ++i) {
        Shard& s = shards_[i];
        std::lock_guard lock(s.mu);
        for (std::uint32_t slot = 0; slot < s.slots.size(); ++slot) {
            const Entry& e = s.slots[slot];
            if (e.used && e.key_len == wire_name.size() + 7 && e.key().starts_with(wire_name)) {
                s.remove(slot);
                ++n;
            }
        }
    }
    return n;
}

CacheStats PacketCache::stats() const {
    CacheStats st;
    for (unsigned i = 0; i < shard_count_; ++i) {
        Shard& s = shards_[i];
        std::lock_guard lock(s.mu);
        st.hits += s.hits;
        st.misses += s.misses;
        st.stale_hits += s.stale_hits;
        st.inserts += s.inserts;
        st.evictions += s.evictions;
        st.entries += s.index.size();
        st.bytes += s.bytes;
    }
    return st;
}

void PacketCache::for_each(
    TimePoint now,
    const std::function<void(std::string_view key, std::span<const std::uint8_t> stored, long long ttl_left)>&
        fn) const {
    for (unsigned i = 0; i < shard_count_; ++i) {
        Shard& s = shards_[i];
        std::lock_guard lock(s.mu);
        for (const Entry& e : s.slots)
            if (e.used)
                fn(e.key(), {e.wire(), e.wire_len},
                   std::chrono::duration_cast<seconds>(e.expires - now).count());
    }
}

}  // namespace lanlord
