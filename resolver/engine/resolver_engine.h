// The sans-I/O forwarding resolver: bytes, context and `now` in; answers and
// upstream attempts out through EngineIo.
//
// Order of work for a query (README.md, "How DNS is answered"):
//   parse (FORMERR/NOTIMP/BADVERS) -> access control (REFUSED) -> local data
//   (hosts) -> choose the upstream group (domain, client interface) -> names
//   never forwarded (private reverse, single label) -> cache (fresh answer, or
//   stale under RFC 8767) -> join a transaction in flight for the same key, or
//   start one: best server first, the next after an adaptive timeout, TCP when
//   truncated, SERVFAIL or a stale answer when everything failed.
// Upstream answers are accepted only from the server asked, with the ID and
// question asked; anything else is counted as a spoof attempt and ignored.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/log.h"
#include "common/time.h"
#include "resolver/cache/packet_cache.h"
#include "resolver/engine/access_control.h"
#include "resolver/engine/client_rate_limiter.h"
#include "resolver/engine/dnssec_policy.h"
#include "resolver/engine/engine_stats.h"
#include "resolver/engine/engine_types.h"
#include "resolver/engine/server_identity.h"
#include "resolver/engine/upstream_group.h"
#include "resolver/engine/upstream_router.h"
#include "resolver/local/blocklist.h"
#include "resolver/local/dhcp_names.h"
#include "resolver/local/local_zone.h"
#include "resolver/recursion/iterator.h"
#include "resolver/wire/message_builder.h"
#include "resolver/wire/query_view.h"
#include "resolver/wire/response_scan.h"

namespace lanlord {

// What a blocked name is answered with.
enum class BlockMode : std::uint8_t { nxdomain, nodata, null_address };

struct EngineSettings {
    EdnsPolicy edns;
    TtlPolicy ttl;
    bool serve_stale = true;
    bool prefetch = true;
    Duration upstream_timeout = seconds(3);  // a whole transaction, all attempts
    Duration stale_hold = seconds(30);       // RFC 8767 failure recheck timer
    std::uint32_t stale_ttl = 30;            // RFC 8767 section 4
    std::uint32_t local_ttl = 60;            // blocked and private-zone answers
    BlockMode block_mode = BlockMode::nxdomain;
    bool bogus_priv = true;
    bool domain_needed = true;
    std::vector<Prefix> allow, deny;
    ServerIdentity identity;  // CHAOS id.server / version.bind (RFC 4892)
    SelectionTuning selection;
    // The per-client rate limit, shared by the engines of every thread (one
    // per configuration); null: no limit (the default).
    std::shared_ptr<ClientRateLimiter> client_rate_limiter;
    // Recursive groups ([recursion]): the iterator's settings, and its
    // caches, shared by the engines of every thread.
    RecursionSettings recursion;
    RecursionCaches recursion_caches;
    // DNSSEC validation of the recursive groups' answers ([dnssec]).
    DnssecPolicy dnssec;
};

struct GroupSpec {
    std::string name;
    std::string interface;
    std::vector<Endpoint> servers;
    std::vector<std::string> domains;  // wire form
    std::vector<std::string> clients;
    bool recursive = false;  // resolved from the root by the iterator; `servers` unused
    std::vector<std::pair<Endpoint, TlsAuth>> tls_servers = {};  // those of `servers` spoken to over TLS
};

class ResolverEngine {
  public:
    using Random = std::function<std::uint64_t()>;
    // `shared_groups`: the upstream groups (and their servers' health) shared
    // with the engines of other threads; null: this engine's own.
    ResolverEngine(EngineIo& io, PacketCache& cache, Random random,
                   std::shared_ptr<UpstreamGroups> shared_groups = nullptr);
    ~ResolverEngine();

    // (Re)configures; groups keep their servers' health across a reload when
    // the name stays. Transactions in flight finish on their old group.
    void configure(EngineSettings settings, const std::vector<GroupSpec>& groups, std::vector<Endpoint> self);
    // New DNSSEC settings alone (RFC 5011 changed the trust anchors):
    // validations in flight finish with the context they started with.
    void set_dnssec(DnssecPolicy policy) { settings_.dnssec = std::move(policy); }
    void set_resolv_conf_servers(const std::string& group, const std::vector<Endpoint>& servers);
    void set_interfaces(InterfaceTable interfaces) { interfaces_ = std::move(interfaces); }
    // Local data: swapped whole (reloads build a new one aside).
    void set_local_zone(std::shared_ptr<const LocalZone> zone) {
        zone_ = std::move(zone);
        if (dhcp_names_) dhcp_names_->set_zone(zone_);
    }
    void set_dhcp_names(std::shared_ptr<DhcpNames> names) {
        dhcp_names_ = std::move(names);
        if (dhcp_names_) dhcp_names_->set_zone(zone_);
    }
    // Every new list gets a new generation: cached answers are checked
    // against it once, then hits skip the blocklist (see PacketCache::lookup).
    void set_blocklist(std::shared_ptr<const Blocklist> blocklist) {
        blocklist_ = std::move(blocklist);
        ++policy_generation_;
    }

    // The web page's own lists, above the blocklist: a name it allows is
    // never blocked, a name it blocks always is (daemon/page_state.h).
    void set_page_lists(std::shared_ptr<const Blocklist> lists) {
        page_lists_ = std::move(lists);
        ++policy_generation_;
    }

    void handle_query(std::span<const std::uint8_t> query, const ClientRef& client, TimePoint now);
    void handle_upstream_response(std::uint64_t token, const Endpoint& from,
                                  std::span<const std::uint8_t> bytes, TimePoint now);
    // The attempt could not be sent or its TCP connection failed.
    void handle_upstream_error(std::uint64_t token, TimePoint now);
    void handle_timers(TimePoint now);
    std::optional<TimePoint> next_timer() const;

    // `lanlordctl trace`: resolves (qname, qtype) from the root with every
    // step recorded, through the first recursive group; the result goes to
    // EngineIo::trace_finished with `trace_id`. False: no recursive group.
    bool start_trace(std::uint64_t trace_id, std::string_view qname, std::uint16_t qtype, TimePoint now);
    // Priming at start (RFC 8109 section 3): asks a root hint for the root's
    // NS set now, so the first client does not wait for it. No-op without a
    // recursive group. The caches are shared: one engine primes for all.
    void prime(TimePoint now);

    const EngineStats& stats() const { return stats_; }
    const Iterator* iterator() const { return iterator_.get(); }
    const std::vector<std::shared_ptr<UpstreamGroup>>& groups() const { return groups_; }
    std::size_t in_flight() const { return transactions_.size(); }

  private:
    struct Waiter;
    struct Attempt;
    struct Transaction;
    struct Validation;

    // Sends buffer_[0, len) to `client` and tells EngineIo::answered how it
    // was answered (the query log). `arrived`: when the query came in
    // (answers given at once: now).
    void reply(const ClientRef& client, std::size_t len, QueryOutcome outcome, TimePoint arrived);
    void reply(const ClientRef& client, std::size_t len, QueryOutcome outcome) {
        reply(client, len, outcome, now_);
    }
    void reply_error(std::span<const std::uint8_t> query, const QueryView& q, const ClientRef& client,
                     std::uint16_t rcode, TimePoint arrived, const ExtendedError* ede = nullptr);
    void reply_error(std::span<const std::uint8_t> query, const QueryView& q, const ClientRef& client,
                     std::uint16_t rcode) {
        reply_error(query, q, client, rcode, now_);
    }
    bool answer_local(std::span<const std::uint8_t> query, const QueryView& q, const ClientRef& client,
                      TimePoint now);
    void answer_records(std::span<const std::uint8_t> query, const QueryView& q, const ClientRef& client,
                        const LocalLookup& found, TimePoint now);
    void answer_blocked(std::span<const std::uint8_t> query, const QueryView& q, const ClientRef& client);
    // Class CH and the other classes that are never forwarded.
    void answer_other_class(std::span<const std::uint8_t> query, const QueryView& q, const ClientRef& client);
    bool blocked(std::string_view name) const {
        if (page_lists_ && page_lists_->allowed().matches(name)) return false;
        if (page_lists_ && page_lists_->blocked().matches(name)) return true;
        return blocklist_ && blocklist_->is_blocked(name);
    }
    // Resolves `target` through cache and upstreams and answers `q` with `prefix` (a local
    // CNAME chain) followed by the target's answer.
    void resolve_behind_cname(std::span<const std::uint8_t> query, const QueryView& q,
                              const ClientRef& client, std::string_view target,
                              std::vector<std::uint8_t> prefix, std::uint16_t prefix_count, TimePoint now);
    void reply_to_waiter(const Waiter& w, std::span<const std::uint8_t> stored, std::size_t len,
                         QueryOutcome outcome);
    void answer_negative(std::span<const std::uint8_t> query, const QueryView& q, const ClientRef& client,
                         std::string_view zone);
    // `refresh`: a prefetch (the iterator asks the authorities again).
    Transaction& start_transaction(std::string_view key, std::string_view qname, const QueryView& q,
                                   std::size_t group, TimePoint now, bool refresh = false);
    Waiter& add_waiter(Transaction& t, std::span<const std::uint8_t> query, const QueryView& q,
                       const ClientRef& c);
    void send_attempt(Transaction& t, std::size_t server, bool tcp, bool probe, TimePoint now);
    void advance(Transaction& t, TimePoint now);
    void close_oldest_timed_out(Transaction& t);
    void on_attempt_timeout(std::uint64_t token, TimePoint now);
    void complete(Transaction& t, const ScannedResponse* answer, TimePoint now,
                  std::span<const std::uint8_t> raw = {});
    void retire(Transaction& t);
    void finish(std::uint64_t txn_id);
    void close_attempt(Transaction& t, Attempt& a);
    std::pair<Transaction*, Attempt*> find_attempt(std::uint64_t token);
    void note_answer(Transaction& t, const Attempt& a, TimePoint now);
    void note_failure(Transaction& t, const Attempt& a, TimePoint now);
    bool has_live_attempt(const Transaction& t) const;
    // Hands the iterator's finished resolutions to their transactions.
    void drain_iterator(TimePoint now);
    // Recursive mode, validating: the answer of `t` waits for its verdict.
    bool validates(const Transaction& t) const;
    void start_validation(Transaction& t, RecursionResult& res, TimePoint now);
    void on_fetch_result(std::uint64_t txn_id, const RecursionResult& res, TimePoint now);
    void continue_validation(Transaction& t, TimePoint now);
    void end_validation(std::uint64_t txn_id);
    // `lanlordctl trace` validates its result too (recursive mode) and says why.
    void start_trace_validation(std::uint64_t trace_id, RecursionResult res, TimePoint now);
    void continue_trace_validation(std::uint64_t id, TimePoint now);
    // Forwarding mode: the upstream's answer to `t` waits for its verdict;
    // fetches are internal transactions to the same group.
    void start_forwarded_validation(Transaction& t, std::span<const std::uint8_t> response, TimePoint now);
    void start_fetch(Transaction& owner, std::string_view name, std::uint16_t qtype, TimePoint now);
    void end_fetch(Transaction& fetch, std::span<const std::uint8_t> response, TimePoint now);
    bool answer_bogus_from_cache(std::span<const std::uint8_t> query, const QueryView& q,
                                 const ClientRef& client, std::string_view key, TimePoint now);
    bool answer_aggressively(std::span<const std::uint8_t> query, const QueryView& q, const ClientRef& client,
                             std::size_t group, std::string_view key, std::size_t limit, TimePoint now);

    EngineIo& io_;
    PacketCache& cache_;
    Random random_;
    EngineSettings settings_;
    AccessControl acl_{{}, {}};
    UpstreamRouter router_;
    std::shared_ptr<UpstreamGroups> registry_;
    std::vector<std::shared_ptr<UpstreamGroup>> groups_;  // transactions hold their own reference
    std::vector<Endpoint> self_;
    std::map<std::string, std::vector<Endpoint>> configured_servers_, resolv_conf_servers_;
    std::map<std::string, std::vector<std::pair<Endpoint, TlsAuth>>> configured_tls_;
    InterfaceTable interfaces_;
    std::shared_ptr<const LocalZone> zone_;
    std::shared_ptr<DhcpNames> dhcp_names_;
    std::vector<bool> group_recursive_;                        // by group index
    std::unique_ptr<Iterator> iterator_;                       // while a group is recursive
    std::unordered_map<std::uint64_t, std::uint64_t> traces_;  // resolution id -> trace id
    std::unordered_map<std::uint64_t, std::unique_ptr<Validation>> validations_;  // by transaction id
    std::unordered_map<std::uint64_t, std::uint64_t> fetch_owner_;  // DS/DNSKEY resolution -> transaction
    struct TraceValidation;
    std::unordered_map<std::uint64_t, std::unique_ptr<TraceValidation>>
        trace_validations_;  // by resolution id
    BogusCache bogus_;
    std::shared_ptr<const Blocklist> blocklist_;
    std::shared_ptr<const Blocklist> page_lists_;
    std::uint32_t policy_generation_ = 1;
    EngineStats stats_;
    TimePoint now_{};  // the `now` of the call being handled

    std::unordered_map<std::uint64_t, std::unique_ptr<Transaction>> transactions_;
    std::unordered_map<std::string, std::uint64_t> by_key_;
    std::unordered_map<std::uint64_t, std::uint64_t> token_owner_;  // attempt token -> transaction
    std::set<std::pair<TimePoint, std::uint64_t>> timers_;          // attempt RTOs and deadlines
    std::uint64_t next_id_ = 1;

    // Per-packet warnings (forgeries, broken upstreams) are rate limited so
    // that a flood cannot flood the journal.
    LogRateLimiter packet_warnings_{20, seconds(10)};
    LogRateLimiter dnssec_warnings_{10, seconds(60)};  // bogus answers: zone and reason
    std::vector<std::uint8_t> buffer_;                 // answers are built here (64 KiB, allocated once)
    std::vector<std::uint8_t> splice_buffer_;
};

}  // namespace lanlord
