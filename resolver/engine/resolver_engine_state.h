// ResolverEngine's transactions, their attempts and waiters (internal to
// resolver_engine*.cpp).
#pragma once

#include <string>
#include <vector>

#include "resolver/engine/resolver_engine.h"
#include "resolver/engine/validation_job.h"

namespace lanlord {

// Marks a transaction's deadline among the engine's timers (the rest are attempt tokens).
inline constexpr std::uint64_t kTransactionDeadlineBit = std::uint64_t{1} << 63;

struct ResolverEngine::Waiter {
    ClientRef client;
    TimePoint arrived{};  // for the answer-latency histogram
    QueryView q;
    std::vector<std::uint8_t> head;    // the client's header and question (its spelling of QNAME)
    std::vector<std::uint8_t> prefix;  // local CNAME records answered before the resolved target
    std::uint16_t prefix_count = 0;
};

struct ResolverEngine::Attempt {
    std::uint64_t token = 0;
    std::size_t server = 0;  // index when sent; the list may change (resolv.conf), so
    Endpoint endpoint;       // the endpoint is what identifies the server
    std::uint16_t id = 0;
    bool tcp = false, probe = false, open = true, timed_out = false;
    TimePoint sent{}, rto_at{};
    SendStamp stamp;  // the server's record when sent (UpstreamGroup::on_timeout)
};

struct ResolverEngine::Transaction {
    std::uint64_t id = 0;
    std::string key, qname;
    std::uint16_t qtype = 0, qclass = 0;
    bool dnssec_ok = false, checking_disabled = false;
    std::shared_ptr<UpstreamGroup> group;  // kept alive across a reload
    std::vector<Waiter> waiters;
    std::vector<Attempt> attempts;
    std::uint64_t tried = 0;  // servers asked in this round
    TimePoint deadline{};
    std::uint32_t policy_generation = 0;  // the blocklist in force when it started
    bool answered = false;                // only a probe's verdict is awaited (retire)
    bool recursive = false;               // the iterator resolves it (no attempts of ours)
    std::uint16_t ede_code = 0;           // why it failed (RFC 8914), when it did
    std::string ede_text;
    bool bogus = false;  // failed validation: no stale answer stands in for it
    // A DS/DNSKEY fetch of a validation in forwarding mode: never cached, no
    // waiters; its response goes to the validation of `fetch_for` (0: that
    // one ended meanwhile).
    bool internal = false;
    std::uint64_t fetch_for = 0;
};

// An answer of the iterator waiting for its DNSSEC verdict.
struct ResolverEngine::Validation {
    std::shared_ptr<const DnssecContext> context;  // outlives the job (a reload may replace the policy's)
    ValidationJob job;
    std::vector<std::uint8_t> message;  // the answer, sent once the verdict is known
    std::uint64_t fetch = 0;            // the iterator resolution, or (forwarding) the transaction, in flight
    bool dates_checked = true;          // false: the clock was not trusted, so no AD
};

// A trace's result waiting for its verdict (the same job as a client
// question's; its fetches use the caches, only the traced question itself
// went from the root).
struct ResolverEngine::TraceValidation {
    TraceValidation(std::uint64_t id, std::shared_ptr<const DnssecContext> ctx, RecursionResult res,
                    ValidationJob j)
        : trace_id(id), context(std::move(ctx)), result(std::move(res)), job(std::move(j)) {}
    std::uint64_t trace_id;
    std::shared_ptr<const DnssecContext> context;  // outlives the job
    RecursionResult result;
    ValidationJob job;
};

// A DO client's answer in recursive mode, built from the responses the
// iterator kept (dnssec/signed_answer.h); empty when none can be built.
std::vector<std::uint8_t> signed_message(const std::vector<KeptResponse>& responses, std::string_view qname,
                                         std::uint16_t qtype);

}  // namespace lanlord
