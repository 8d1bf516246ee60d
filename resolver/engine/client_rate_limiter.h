// The optional per-client query rate limit ([dns] client_rate_limit, off by
// default): one client flooding lanlord (a looping app, a broken IoT device)
// must not starve the others. Queries over the limit are dropped and counted.
//
// Each client address (IPv6: its /64, which one host can fill with addresses
// of its own) gets a token bucket of `rate` queries per second and `burst`
// queries at once, kept as GCRA (the generic cell rate algorithm, ITU-T
// I.371): one "theoretical arrival time" per client, no floating point, no
// refill timer. A query at `now` is allowed when tat - now <= (burst - 1) *
// interval, and then tat = max(tat, now) + interval.
//
// The table has a fixed size, allocated once, and nothing is allocated per
// query. It is set-associative (a client's hash picks a set of 4 slots); a new
// client takes a slot whose tat has passed (such a slot holds no state: a
// fresh client would look the same), else the one with the earliest tat. So
// evicting a client can only make it less limited, never more: an attacker
// who fills the table or aims at a set (the hash is not secret) can escape the
// limit, as one spoofing sources can anyway, but cannot get anyone else's
// queries dropped.
//
// Shared by every engine (one per DNS thread): with SO_REUSEPORT a client's
// queries spread over the threads by source port, so per-thread buckets would
// allow threads x rate. The table is split in shards with a lock each; a query
// takes one uncontended lock, and none at all when the limit is off.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <vector>

#include "common/ip_address.h"
#include "common/time.h"

namespace lanlord {

class ClientRateLimiter {
  public:
    static constexpr std::size_t kShards = 16;
    static constexpr std::size_t kWays = 4;

    // `rate` queries per second (> 0), `burst` queries at once (0: `rate`);
    // `slots`: clients tracked at once (rounded up to whole sets per shard).
    ClientRateLimiter(std::uint32_t rate, std::uint32_t burst, std::size_t slots = 4096);

    // Whether a query from `client` arriving at `now` may be answered.
    bool allow(const IpAddress& client, TimePoint now);

    std::uint32_t rate() const { return rate_; }
    std::uint32_t burst() const { return burst_; }
    std::size_t slots() const { return kShards * sets_per_shard_ * kWays; }

  private:
    using Key = std::array<std::uint8_t, 16>;
    struct Slot {
        Key key{};
        TimePoint tat{};  // the theoretical arrival time; empty when it has passed
        bool used = false;
    };
    struct alignas(64) Shard {  // a cache line of its own: no false sharing of locks
        std::mutex mu;
        std::vector<Slot> slots;  // sets_per_shard_ * kWays
    };

    std::uint32_t rate_, burst_;
    Duration interval_, tolerance_;
    std::size_t sets_per_shard_;
    std::array<Shard, kShards> shards_;
};

}  // namespace lanlord
