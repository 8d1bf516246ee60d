// The iterative resolver (RFC 1034 section 5.3.3): from the root hints down
// the delegations to an authoritative answer, sans-I/O like the forwarder.
// Questions, responses and `now` come in; queries leave through EngineIo
// (tokens with kTokenBit set, so the engine knows whose they are) and
// finished resolutions are collected for the engine (take_results()).
//
// One Resolution per client question (the engine coalesces identical ones).
// It is a stack of goals (Knot Resolver's resolution plan, simplified to one
// query in flight): the client's question at the bottom; above it, when
// needed, priming (RFC 8109) or the address of an NS name that came without
// glue. Every step first asks the record cache (answer, negative answer,
// CNAME/DNAME to follow, deepest known zone cut and its server addresses),
// and goes to the network only for what it lacks. See README.md
// ("Recursive mode") for the rules in full and resolver/recursion/README.md
// for the files.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/time.h"
#include "resolver/engine/engine_types.h"
#include "resolver/recursion/address_policy.h"
#include "resolver/recursion/infra_cache.h"
#include "resolver/recursion/record_cache.h"
#include "resolver/recursion/response_classifier.h"
#include "resolver/recursion/root_hints.h"
#include "resolver/wire/dns_message.h"

namespace lanlord {

// The work one client question may cost (README "Recursion limits"; the
// figures after the 2020 NXNS and the 2024 KeyTrap advisories: unbound,
// Knot Resolver and PowerDNS Recursor chose 32-200 queries, 5-16 NS-name
// lookups, 11-13 CNAMEs).
struct RecursionLimits {
    unsigned max_queries = 50;         // outgoing queries, all goals (pdns max-qperq 50)
    unsigned max_ns_lookups = 8;       // NS names resolved for their address, all goals
    unsigned max_ns_lookups_zone = 4;  // ... per delegation (unbound 16, Knot 5 without address)
    unsigned max_depth = 4;            // goals stacked (NS address of an NS address of ...)
    unsigned max_cname = 12;           // CNAME/DNAME links followed (unbound 11, Knot 13)
    unsigned max_referrals = 30;       // referrals followed
    unsigned max_rounds = 2;           // passes over a zone's servers before giving up on it
    friend bool operator==(const RecursionLimits&, const RecursionLimits&) = default;
};

struct RecursionSettings {
    bool qname_minimisation = true;  // RFC 9156, relaxed
    bool case_randomisation = true;  // 0x20
    AddressPolicy addresses;
    RootHints hints = builtin_root_hints();
    std::uint16_t edns_size = 1232;
    RecursionLimits limits;
    Duration time_limit = seconds(10);  // a whole resolution (Knot's KR_RESOLVE_TIME_LIMIT)
    unsigned explore_one_in = 20;       // one query in N to a random server (0: never; tests)
    // DO=1 on every query (RFC 4035 3.2.1): the validator needs the RRSIGs,
    // and the DS/NSEC records of referrals and denials come with them.
    bool dnssec_ok = false;
};

struct RecursionCaches {
    std::shared_ptr<RecordCache> records;
    std::shared_ptr<InfraCache> infra;
};

// One outgoing query, for `lanlordctl trace`.
struct TraceStep {
    std::string zone;  // text
    IpAddress server;
    std::string qname;  // text, as sent (minimised, 0x20 case)
    std::uint16_t qtype = 0;
    bool tcp = false;
    std::string outcome;  // "referral zz.", "answer", "timeout", ...
    Duration rtt{};
};

// A response of an authority that answered the client's question (or a
// link of its CNAME chain), kept whole for the validator: the question it
// answered (lower-case) and its bytes, RRSIGs and proofs included.
struct KeptResponse {
    std::string qname;
    std::uint16_t qtype = 0;
    std::vector<std::uint8_t> bytes;
};

struct RecursionResult {
    std::uint64_t id = 0;
    bool ok = false;                    // false: SERVFAIL, with the Extended DNS Error below
    std::vector<std::uint8_t> message;  // ok: the whole response (ID 0, question lower-case)
    std::uint16_t ede_code = 0;         // RFC 8914
    std::string ede_text;
    unsigned queries = 0;  // outgoing queries it cost
    std::vector<TraceStep> trace;
    // start(keep_responses): the final responses of the question, in the
    // order they came (one per CNAME hop to another zone). Empty when an
    // answer came from the record cache without a query.
    std::vector<KeptResponse> responses;
    // start(keep_responses): the referrals followed, kept whole (qname: the
    // child zone): the validator takes a zone's DS, or the proof it has
    // none, from them instead of asking (ChainWalk::offer_referral).
    std::vector<KeptResponse> referrals;
    // Traces with validation on (filled by the engine): the verdict,
    // "secure", "insecure", "bogus" or "indeterminate", and why (the
    // reason and the zone it concerns); empty when nothing was validated.
    std::string dnssec, dnssec_why;
    unsigned dnssec_fetches = 0;
};

struct IteratorStats {
    std::uint64_t resolutions = 0, answered = 0, failed = 0, budget_exceeded = 0;
    std::uint64_t queries = 0, tcp_queries = 0, timeouts = 0, referrals = 0, lame = 0;
    std::uint64_t edns_fallbacks = 0, case_mismatches = 0, qmin_fallbacks = 0, malformed = 0, spoofed = 0;
    std::uint64_t primings = 0, ns_lookups = 0;
    // Resolutions by the outgoing queries they cost: 0, 1, 2, 3, 4-5, 6-9, 10-19, 20+.
    std::array<std::uint64_t, 8> queries_per_resolution{};

    static std::size_t bucket(unsigned queries) {
        if (queries < 4) return queries;
        return queries < 6 ? 4 : queries < 10 ? 5 : queries < 20 ? 6 : 7;
    }
    void add(const IteratorStats& o);
};

class Iterator {
  public:
    static constexpr std::uint64_t kTokenBit = std::uint64_t{1} << 62;
    static constexpr std::uint64_t kDeadlineMark = std::uint64_t{1} << 61;  // a timer that is a deadline
    using Random = std::function<std::uint64_t()>;

    Iterator(EngineIo& io, RecursionCaches caches, Random random);
    ~Iterator();
    Iterator(const Iterator&) = delete;
    Iterator& operator=(const Iterator&) = delete;

    void configure(RecursionSettings settings) { settings_ = std::move(settings); }
    // New caches (a reload that changed their size); resolutions in flight
    // go on with them.
    void set_caches(RecursionCaches caches) { caches_ = std::move(caches); }
    const RecursionSettings& settings() const { return settings_; }
    const RecursionCaches& caches() const { return caches_; }

    // Resolves (qname, qtype) in class IN; `qname` lower-case wire form.
    // `trace`: record every step, and read nothing from the record cache
    // (a fresh walk from the root, as dig +trace does; what it learns is
    // still cached).
    // `refresh` (prefetch): the answer itself comes from its servers, not
    // from the record cache (which would hand back the expiring data).
    // `keep_responses` (validation): the same, and the responses that
    // answered are returned whole in the result (RecursionResult::responses):
    // the record cache holds no signatures to validate.
    void start(std::uint64_t id, std::string_view qname, std::uint16_t qtype, TimePoint now,
               bool trace = false, bool refresh = false, bool keep_responses = false);
    void cancel(std::uint64_t id);

    static bool owns(std::uint64_t token) { return (token & kTokenBit) != 0; }
    void on_response(std::uint64_t token, const Endpoint& from, std::span<const std::uint8_t> bytes,
                     TimePoint now);
    void on_error(std::uint64_t token, TimePoint now);
    void on_timers(TimePoint now);
    std::optional<TimePoint> next_timer() const;

    // Finished resolutions since the last call.
    bool has_results() const { return !results_.empty(); }
    std::vector<RecursionResult> take_results();
    std::size_t in_flight() const { return resolutions_.size(); }
    const IteratorStats& stats() const { return stats_; }

  private:
    struct Goal;
    struct Resolution;
    struct Attempt;
    enum class CacheStep : std::uint8_t { none, done, followed, failed };

    void advance(Resolution& r, TimePoint now);
    CacheStep from_cache(Resolution& r, Goal& g, TimePoint now);
    bool find_cut(const Resolution& r, const Goal& g, TimePoint now, std::string& zone,
                  CachedEntry& ns) const;
    std::vector<IpAddress> server_addresses(const Goal& g, const CachedEntry* ns, TimePoint now) const;
    std::optional<std::string> ns_name_to_look_up(const Resolution& r, const Goal& g, const CachedEntry& ns,
                                                  TimePoint now) const;
    std::optional<IpAddress> choose(const Goal& g, const std::vector<IpAddress>& candidates, TimePoint now);
    void send(Resolution& r, Goal& g, const IpAddress& server, bool tcp, TimePoint now);
    void handle(Resolution& r, Goal& g, const Attempt& a, const ParsedMessage& m, TimePoint now);
    void keep(Resolution& r, Goal& g, const Attempt& a, const ParsedMessage& m, std::string_view target);
    void reap();
    void retry(Resolution& r, Goal& g, const IpAddress& server, bool tcp, TimePoint now);
    void next_server(Resolution& r, Goal& g, const IpAddress& failed, TimePoint now);
    void note(Resolution& r, const Goal& g, const Attempt& a, std::string_view what, TimePoint now,
              std::string_view name = {});
    void goal_done(Resolution& r, TimePoint now);
    void fail(Resolution& r, std::uint16_t ede, std::string text);
    void finish(Resolution& r);
    void close_attempt(Resolution& r);
    Resolution* by_token(std::uint64_t token);

    EngineIo& io_;
    RecursionCaches caches_;
    Random random_;
    RecursionSettings settings_;
    ResponseClassifier classifier_;
    ParsedMessage parsed_;
    IteratorStats stats_;
    std::unordered_map<std::uint64_t, std::unique_ptr<Resolution>> resolutions_;
    std::unordered_map<std::uint64_t, std::uint64_t> token_owner_;  // token -> resolution id
    std::set<std::pair<TimePoint, std::uint64_t>> timers_;          // (when, token)
    std::vector<RecursionResult> results_;
    std::vector<std::uint64_t> finished_;  // resolutions to erase after the call
    std::uint64_t next_token_ = 1;
};

// The response a finished resolution gives (exposed for tests): question,
// answer RRsets in order, and for negative answers the SOA.
struct ResultRRset {
    std::string owner;
    std::uint16_t type = 0;
    std::uint32_t ttl = 0;
    std::uint16_t count = 0;
    std::vector<std::uint8_t> blob;  // record_cache.h's layout
};
std::vector<std::uint8_t> build_result_message(std::string_view qname, std::uint16_t qtype,
                                               std::uint8_t rcode, const std::vector<ResultRRset>& answer,
                                               const ResultRRset* soa);

}  // namespace lanlord
