// The answer cache: whole answers in stored wire form (see response_scan.h),
// keyed by CacheKey, aged on the way out by patching TTL fields in place.
//
// Design (README.md, "Threads and the hit path"):
// - sharded by key hash, one mutex per shard, so threads rarely meet;
// - lookup copies the entry into the caller's buffer under the shard lock and
//   patches the TTLs there: no allocation, no parsing;
// - CLOCK eviction: a hit only sets a "referenced" bit; the hand sweeps slots
//   on insert and evicts the first entry not referenced since its last pass
//   (or anything already past its stale window), so hits never touch a list;
// - entries are kept past expiry for serve-stale (RFC 8767) up to stale_max;
// - limits in entries and in bytes of stored answers.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/time.h"

namespace lanlord {

struct CacheLimits {
    std::size_t max_entries = 10000;
    std::size_t max_bytes = 64u << 20;
    Duration stale_max = std::chrono::hours(24);  // 0: expired entries are dead at once
};

enum class CacheState : std::uint8_t { miss, fresh, stale };

struct CacheLookup {
    CacheState state = CacheState::miss;
    std::size_t length = 0;     // bytes written to the caller's buffer
    bool prefetch = false;      // fresh, in the last 10 % of its life, first to notice
    bool stale_hold = false;    // stale, and a refresh failed recently: answer stale at once
    bool policy_stale = false;  // checked against an older blocklist than `policy_generation`
};

struct CacheStats {
    std::uint64_t hits = 0, misses = 0, stale_hits = 0, inserts = 0, evictions = 0;
    std::size_t entries = 0, bytes = 0;
};

class PacketCache {
  public:
    // `shards` is rounded up to a power of two.
    explicit PacketCache(CacheLimits limits, unsigned shards = 16);
    ~PacketCache();
    PacketCache(const PacketCache&) = delete;
    PacketCache& operator=(const PacketCache&) = delete;

    // Copies the entry into `out` with TTLs aged by the whole seconds it has
    // spent in the cache (never below 0); a stale entry is served with every
    // TTL set to `stale_ttl` (RFC 8767 section 4 suggests 30 s). A miss or an
    // entry that does not fit in `out` writes nothing. `allow_stale` false
    // turns stale entries into misses.
    //
    // `policy_generation` names the blocklist in force: an entry checked
    // against another one reports policy_stale, so the caller checks it again
    // (then set_policy_generation or erase). Hits on names checked under the
    // current list skip the blocklist entirely.
    CacheLookup lookup(std::string_view key, TimePoint now, std::span<std::uint8_t> out, bool allow_stale,
                       std::uint32_t stale_ttl = 30, std::uint32_t policy_generation = 0);

    // Inserts or replaces. `lifetime` in seconds (>0); `stored` is the stored
    // form with TTLs as they were at `now`.
    void insert(std::string_view key, std::span<const std::uint8_t> stored,
                std::span<const std::uint16_t> ttl_offsets, std::uint32_t lifetime, TimePoint now,
                std::uint32_t policy_generation = 0);
    void set_policy_generation(std::string_view key, std::uint32_t policy_generation);
    void erase(std::string_view key);

    // After every upstream failed for a stale entry: serve it without waiting
    // until `until` (RFC 8767 section 5, the failure recheck timer).
    void hold_stale(std::string_view key, TimePoint until);

    // Removes every entry (wire-form name given: every entry of that name).
    std::size_t flush();
    std::size_t flush_name(std::string_view wire_name);

    // Shrinking evicts at once; `now` decides which entries are past their stale window.
    void set_limits(CacheLimits limits, TimePoint now);
    CacheStats stats() const;

    // Visits every entry (for dumps): key, stored answer (TTLs as inserted),
    // seconds left (negative: stale). Holds each shard's lock while visiting it.
    void for_each(TimePoint now,
                  const std::function<void(std::string_view key, std::span<const std::uint8_t> stored,
                                           long long ttl_left)>& fn) const;

  private:
    struct Shard;
    Shard& shard_for(std::uint64_t hash);
    std::unique_ptr<Shard[]> shards_;
    unsigned shard_count_;
    std::uint64_t seed_;  // random per process: nobody can aim names at one slot (hash flooding)
};

}  // namespace lanlord
