// Counters of the resolver engine (lanlordctl stats and /metrics read these).
#pragma once

#include <array>
#include <cstdint>

namespace lanlord {

struct EngineStats {
    std::uint64_t queries = 0;
    std::uint64_t dropped = 0;  // not even a header, or a response sent to us
    std::uint64_t refused = 0;  // access control
    std::uint64_t formerr = 0, notimp = 0;
    std::uint64_t cache_hits = 0, cache_misses = 0;
    std::uint64_t local_answers = 0;     // hosts, records, DHCP names, private reverse, single-label
    std::uint64_t blocked = 0;           // answered from the blocklist
    std::uint64_t upstream_queries = 0;  // attempts sent (UDP and TCP)
    std::uint64_t upstream_timeouts = 0;
    std::uint64_t upstream_errors = 0;   // SERVFAIL/REFUSED/unusable answers, send errors
    std::uint64_t tcp_fallbacks = 0;     // truncated UDP answers repeated over TCP
    std::uint64_t spoof_mismatches = 0;  // wrong source, ID or question
    std::uint64_t coalesced = 0;         // queries that joined one already in flight
    std::uint64_t stale_answers = 0;
    std::uint64_t prefetches = 0;
    std::uint64_t servfail_sent = 0;
    std::array<std::uint64_t, 16> rcodes{};  // answers sent, by rcode
};

}  // namespace lanlord
