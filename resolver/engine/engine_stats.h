// Counters of the resolver engine (lanlordctl stats and /metrics read these).
#pragma once

#include <array>
#include <cstdint>

#include "common/histogram.h"
#include "resolver/recursion/iterator.h"

namespace lanlord {

struct EngineStats {
    std::uint64_t queries = 0;
    std::uint64_t dropped = 0;       // not even a header, or a response sent to us
    std::uint64_t refused = 0;       // access control
    std::uint64_t rate_limited = 0;  // dropped: over the client's rate limit
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
    std::uint64_t recursions = 0;          // resolutions the iterator finished (recursive groups)
    std::uint64_t recursion_failures = 0;  // ... that ended in SERVFAIL (limits, no reachable server)
    std::uint64_t recursion_queries = 0;   // outgoing queries they cost, in all
    // DNSSEC verdicts of validated answers (Security order: indeterminate,
    // insecure, secure, bogus), the DS/DNSKEY fetches they cost, and bogus
    // answers given again from the bogus cache.
    std::array<std::uint64_t, 4> dnssec_verdicts{};
    std::uint64_t dnssec_fetches = 0, dnssec_bogus_cached = 0;
    std::uint64_t dnssec_unsigned_upstream = 0;  // forwarding: answers without the signatures of their zone
    std::uint64_t dnssec_synthesised = 0;        // NXDOMAIN/NODATA from cached NSEC/NSEC3 (RFC 8198)
    std::uint64_t dnssec_ds_from_referrals = 0;  // DS (or no-DS proofs) taken from a referral, not fetched
    std::array<std::uint64_t, 16> rcodes{};      // answers sent, by rcode
    std::array<std::uint64_t, 16> qtypes{};      // queries parsed, by qtype_slot()
    LatencyHistogram answer_latency;             // query received -> answer sent
    IteratorStats iterator;                      // recursive groups (filled by the I/O layer's stats())

    void add(const EngineStats& o);
};

// The query types counted one by one; every other type shares the last slot.
inline constexpr std::array<std::uint16_t, 15> kCountedQtypes = {1,  2,  5,  6,  12, 15,  16, 28,
                                                                 33, 43, 48, 64, 65, 255, 257};
inline std::size_t qtype_slot(std::uint16_t qtype) {
    for (std::size_t i = 0; i < kCountedQtypes.size(); ++i)
        if (kCountedQtypes[i] == qtype) return i;
    return kCountedQtypes.size();
}

inline void EngineStats::add(const EngineStats& o) {
    queries += o.queries;
    dropped += o.dropped;
    refused += o.refused;
    rate_limited += o.rate_limited;
    formerr += o.formerr;
    notimp += o.notimp;
    cache_hits += o.cache_hits;
    cache_misses += o.cache_misses;
    local_answers += o.local_answers;
    blocked += o.blocked;
    upstream_queries += o.upstream_queries;
    upstream_timeouts += o.upstream_timeouts;
    upstream_errors += o.upstream_errors;
    tcp_fallbacks += o.tcp_fallbacks;
    spoof_mismatches += o.spoof_mismatches;
    coalesced += o.coalesced;
    stale_answers += o.stale_answers;
    prefetches += o.prefetches;
    servfail_sent += o.servfail_sent;
    recursions += o.recursions;
    recursion_failures += o.recursion_failures;
    recursion_queries += o.recursion_queries;
    for (std::size_t i = 0; i < dnssec_verdicts.size(); ++i) dnssec_verdicts[i] += o.dnssec_verdicts[i];
    dnssec_fetches += o.dnssec_fetches;
    dnssec_bogus_cached += o.dnssec_bogus_cached;
    dnssec_unsigned_upstream += o.dnssec_unsigned_upstream;
    dnssec_synthesised += o.dnssec_synthesised;
    dnssec_ds_from_referrals += o.dnssec_ds_from_referrals;
    for (std::size_t i = 0; i < rcodes.size(); ++i) rcodes[i] += o.rcodes[i];
    for (std::size_t i = 0; i < qtypes.size(); ++i) qtypes[i] += o.qtypes[i];
    answer_latency.add(o.answer_latency);
    iterator.add(o.iterator);
}

}  // namespace lanlord
