#include "resolver/engine/resolver_engine.h"

#include "resolver/engine/resolver_engine_state.h"

#include <algorithm>
#include <cstring>

#include "common/byte_cursor.h"
#include "common/fault.h"
#include "resolver/cache/cache_key.h"
#include "resolver/local/private_zones.h"
#include "resolver/wire/answer_splice.h"
#include "resolver/wire/dns_constants.h"

namespace lanlord {

namespace {
constexpr std::uint64_t kDeadlineBit = kTransactionDeadlineBit;
// Per transaction, all servers, rounds, probes and TCP together: the most
// datagrams one client query (and every identical one joining it) can cost.
constexpr unsigned kMaxAttempts = 24;
// Timed-out attempts stay open for a late answer; beyond this many the
// oldest is closed, so what a transaction holds in the transport (an ID to
// match on a socket) stays small whatever kMaxAttempts is.
constexpr unsigned kMaxOpenAttempts = 4;
// The first attempts follow each other at the server's RTO (a lost datagram
// on a LAN costs tens of milliseconds); later ones are spread (send_attempt).
constexpr unsigned kQuickAttempts = 4;
}  // namespace

ResolverEngine::ResolverEngine(EngineIo& io, PacketCache& cache, Random random,
                               std::shared_ptr<UpstreamGroups> shared_groups)
    : io_(io),
      cache_(cache),
      random_(std::move(random)),
      registry_(shared_groups ? std::move(shared_groups) : std::make_shared<UpstreamGroups>()),
      buffer_(dns::kMaxMessageSize),
      splice_buffer_(dns::kMaxMessageSize) {}

ResolverEngine::~ResolverEngine() = default;

void ResolverEngine::configure(EngineSettings settings, const std::vector<GroupSpec>& groups,
                               std::vector<Endpoint> self) {
    settings_ = std::move(settings);
    acl_ = AccessControl(settings_.allow, settings_.deny);
    self_ = std::move(self);
    router_ = UpstreamRouter{};
    std::vector<std::shared_ptr<UpstreamGroup>> next;
    configured_servers_.clear();
    for (std::size_t i = 0; i < groups.size(); ++i) {
        const GroupSpec& spec = groups[i];
        auto g = registry_->obtain(spec.name, spec.interface, settings_.selection);
        configured_servers_[spec.name] = spec.servers;
        configured_tls_[spec.name] = spec.tls_servers;
        // The same for every engine.
        g->set_servers(spec.servers, resolv_conf_servers_[spec.name], self_, spec.tls_servers);
        for (const auto& d : spec.domains) router_.add({i, d, spec.clients});
        next.push_back(std::move(g));
    }
    groups_ = std::move(next);
    group_recursive_.clear();
    for (const GroupSpec& spec : groups) group_recursive_.push_back(spec.recursive);
    bool any_recursive =
        std::find(group_recursive_.begin(), group_recursive_.end(), true) != group_recursive_.end();
    if (any_recursive && !iterator_)
        iterator_ = std::make_unique<Iterator>(io_, settings_.recursion_caches, random_);
    else if (any_recursive && iterator_->caches().records != settings_.recursion_caches.records)
        iterator_->set_caches(settings_.recursion_caches);  // resolutions in flight keep going
    if (iterator_) iterator_->configure(settings_.recursion);
}

void ResolverEngine::set_resolv_conf_servers(const std::string& group, const std::vector<Endpoint>& servers) {
    resolv_conf_servers_[group] = servers;
    for (auto& g : groups_)
        if (g->name() == group)
            g->set_servers(configured_servers_[group], servers, self_, configured_tls_[group]);
}

void ResolverEngine::reply(const ClientRef& client, std::size_t len, QueryOutcome outcome,
                           TimePoint arrived) {
    if (len < dns::kHeaderSize) return;
    ++stats_.rcodes[buffer_[3] & 0x0F];
    stats_.answer_latency.record(now_ - arrived);
    io_.reply(client, {buffer_.data(), len});
    io_.answered(client, {buffer_.data(), len}, outcome, now_ - arrived);
}

namespace {
// What an error answer counts as in the query log.
QueryOutcome error_outcome(std::uint16_t rcode) {
    switch (rcode) {
        case dns::rcode::REFUSED:
            return QueryOutcome::refused;
        case dns::rcode::FORMERR:
        case dns::rcode::NOTIMP:
        case dns::rcode::BADVERS:
            return QueryOutcome::invalid;
        default:
            return QueryOutcome::failed;
    }
}
}  // namespace

void ResolverEngine::reply_error(std::span<const std::uint8_t> query, const QueryView& q,
                                 const ClientRef& client, std::uint16_t rcode, TimePoint arrived,
                                 const ExtendedError* ede) {
    if (rcode == dns::rcode::SERVFAIL) ++stats_.servfail_sent;
    reply(client, build_error_answer(query, q, rcode, settings_.edns, buffer_, ede), error_outcome(rcode),
          arrived);
}

void ResolverEngine::handle_query(std::span<const std::uint8_t> query, const ClientRef& client,
                                  TimePoint now) {
    now_ = now;
    ++stats_.queries;
    QueryView q;
    QueryStatus status = parse_query(query, q);
    if (status == QueryStatus::drop) {
        ++stats_.dropped;
        return;
    }
    // Over its rate: dropped, not answered. An answer (REFUSED, or TC=1 as
    // BIND's RRL "slips") would only feed the flood, or a victim whose
    // address it forges; REFUSED would also make a merely bursty stub give up
    // or fail over at once, where a drop lets it retry after its own timeout.
    // unbound's ip-ratelimit drops too.
    if (settings_.client_rate_limiter && !settings_.client_rate_limiter->allow(client.peer.address, now)) {
        ++stats_.rate_limited;
        io_.answered(client, query, QueryOutcome::dropped, Duration::zero());  // the query: nothing was sent
        return;
    }
    if (status == QueryStatus::ok) ++stats_.qtypes[qtype_slot(q.qtype)];
    if (!acl_.allowed(client.peer.address, client.ifindex, interfaces_) &&
        !(io_.refresh_interfaces() && acl_.allowed(client.peer.address, client.ifindex, interfaces_))) {
        ++stats_.refused;
        reply_error(query, q, client, dns::rcode::REFUSED);
        return;
    }
    switch (status) {
        case QueryStatus::formerr:
            ++stats_.formerr;
            return reply_error(query, q, client, dns::rcode::FORMERR);
        case QueryStatus::notimp:
            ++stats_.notimp;
            return reply_error(query, q, client, dns::rcode::NOTIMP);
        case QueryStatus::badvers:
            return reply_error(query, q, client, dns::rcode::BADVERS);
        default:
            break;
    }
    if (q.qclass != dns::kClassIN) return answer_other_class(query, q, client);
    // Zone transfers: lanlord has no zone to give, and a forwarded AXFR would
    // hand an upstream's zone (or its refusal) to any LAN client. REFUSED at
    // once, over UDP and TCP alike (RFC 5936 section 4.2 allows refusing).
    if (q.qtype == dns::type::AXFR || q.qtype == dns::type::IXFR) {
        ++stats_.refused;
        return reply_error(query, q, client, dns::rcode::REFUSED);
    }
    if (answer_local(query, q, client, now)) return;

    std::string_view ifname;
    if (const InterfaceInfo* i = find_interface(interfaces_, client.ifindex)) ifname = i->name;
    auto route = router_.route(q.name(), ifname);
    // Names that never leave the LAN unless a group routes them explicitly.
    if (!route || !route->explicit_domain) {
        if (settings_.bogus_priv && q.qclass == dns::kClassIN)
            if (auto zone = private_reverse_zone(q.name())) return answer_negative(query, q, client, *zone);
        bool address_query =
            q.qtype == dns::type::A || q.qtype == dns::type::AAAA || q.qtype == dns::type::ANY;
        if (settings_.domain_needed && address_query && name_label_count(q.name()) == 1)
            return answer_negative(query, q, client, q.name());
    }
    if (!route) {
        if (blocked(q.name())) return answer_blocked(query, q, client);
        ++stats_.refused;
        return reply_error(query, q, client, dns::rcode::REFUSED);
    }
    UpstreamGroup& group = *groups_[route->group];
    CacheKey key(q.name(), q.qtype, q.qclass, q.edns_do, q.cd(), group.cache_tag());
    std::size_t limit = client.tcp ? dns::kMaxMessageSize : udp_answer_limit(q, settings_.edns);

    CacheLookup hit = cache_.lookup(key.view(), now, buffer_, settings_.serve_stale, settings_.stale_ttl,
                                    policy_generation_);
    if (hit.state != CacheState::miss && hit.policy_stale) {
        // Cached under an older blocklist: check once against the current one.
        if (blocked(q.name())) {
            cache_.erase(key.view());
            return answer_blocked(query, q, client);
        }
        cache_.set_policy_generation(key.view(), policy_generation_);
    }
    if (hit.state == CacheState::fresh || (hit.state == CacheState::stale && hit.stale_hold)) {
        ++stats_.cache_hits;
        if (hit.state == CacheState::stale) {
            // A stale answer is past what its validation vouched for
            // (its TTL, capped by the signatures' expiry): no AD.
            ++stats_.stale_answers;
            buffer_[3] = static_cast<std::uint8_t>(buffer_[3] & ~dns::flag::AD);
        }
        reply(client, finish_answer(buffer_, hit.length, q, query, settings_.edns, limit),
              hit.state == CacheState::stale ? QueryOutcome::stale : QueryOutcome::cached);
        if (hit.prefetch && settings_.prefetch && !by_key_.contains(std::string(key.view()))) {
            ++stats_.prefetches;
            start_transaction(key.view(), q.name(), q, route->group, now, true);
            drain_iterator(now);
        }
        return;
    }
    if (hit.state == CacheState::miss && blocked(q.name())) return answer_blocked(query, q, client);
    ++stats_.cache_misses;
    if (answer_bogus_from_cache(query, q, client, key.view(), now)) return;
    if (answer_aggressively(query, q, client, route->group, key.view(), limit, now)) return;
    if (auto it = by_key_.find(std::string(key.view())); it != by_key_.end()) {
        auto t = transactions_.find(it->second);
        if (!LANLORD_CHECK(t != transactions_.end())) {  // a key must name a live transaction
            by_key_.erase(it);
            return reply_error(query, q, client, dns::rcode::SERVFAIL);
        }
        ++stats_.coalesced;
        add_waiter(*t->second, query, q, client);
        return;
    }
    Transaction& t = start_transaction(key.view(), q.name(), q, route->group, now);
    add_waiter(t, query, q, client);
    drain_iterator(now);  // the iterator may have answered from its record cache at once
}

void ResolverEngine::resolve_behind_cname(std::span<const std::uint8_t> query, const QueryView& q,
                                          const ClientRef& client, std::string_view target,
                                          std::vector<std::uint8_t> prefix, std::uint16_t prefix_count,
                                          TimePoint now) {
    std::string_view ifname;
    if (const InterfaceInfo* i = find_interface(interfaces_, client.ifindex)) ifname = i->name;
    auto route = router_.route(target, ifname);
    if (!route) return reply_error(query, q, client, dns::rcode::SERVFAIL);
    UpstreamGroup& group = *groups_[route->group];
    CacheKey key(target, q.qtype, q.qclass, q.edns_do, q.cd(), group.cache_tag());
    CacheLookup hit = cache_.lookup(key.view(), now, splice_buffer_, false, settings_.stale_ttl);
    std::size_t limit = client.tcp ? dns::kMaxMessageSize : udp_answer_limit(q, settings_.edns);
    if (hit.state == CacheState::fresh) {
        ++stats_.cache_hits;
        reply(client,
              splice_answer(buffer_, prefix, prefix_count, {splice_buffer_.data(), hit.length}, q, query,
                            settings_.edns, limit),
              QueryOutcome::cached);
        return;
    }
    Transaction* t = nullptr;
    if (auto it = by_key_.find(std::string(key.view())); it != by_key_.end()) {
        auto found = transactions_.find(it->second);
        if (!LANLORD_CHECK(found != transactions_.end())) {
            by_key_.erase(it);
            return reply_error(query, q, client, dns::rcode::SERVFAIL);
        }
        t = found->second.get();
    } else {
        t = &start_transaction(key.view(), target, q, route->group, now);
    }
    Waiter& w = add_waiter(*t, query, q, client);
    w.prefix = std::move(prefix);
    w.prefix_count = prefix_count;
    drain_iterator(now);
}

void ResolverEngine::reply_to_waiter(const Waiter& w, std::span<const std::uint8_t> stored, std::size_t len,
                                     QueryOutcome outcome) {
    std::size_t limit = w.client.tcp ? dns::kMaxMessageSize : udp_answer_limit(w.q, settings_.edns);
    if (w.prefix_count) {
        reply(w.client,
              splice_answer(buffer_, w.prefix, w.prefix_count, stored.first(len), w.q, w.head, settings_.edns,
                            limit),
              outcome, w.arrived);
        return;
    }
    std::memcpy(buffer_.data(), stored.data(), len);
    reply(w.client, finish_answer(buffer_, len, w.q, w.head, settings_.edns, limit), outcome, w.arrived);
}

ResolverEngine::Transaction& ResolverEngine::start_transaction(std::string_view key, std::string_view qname,
                                                               const QueryView& q, std::size_t group,
                                                               TimePoint now, bool refresh) {
    auto t = std::make_unique<Transaction>();
    t->id = next_id_++;
    t->key.assign(key);
    t->qname.assign(qname);
    t->qtype = q.qtype;
    t->qclass = q.qclass;
    t->dnssec_ok = q.edns_do;
    t->checking_disabled = q.cd();
    t->group = groups_[group];
    t->deadline = now + settings_.upstream_timeout;
    t->policy_generation = policy_generation_;
    timers_.insert({t->deadline, t->id | kDeadlineBit});
    Transaction& ref = *t;
    by_key_[t->key] = t->id;
    transactions_[t->id] = std::move(t);
    if (group < group_recursive_.size() && group_recursive_[group] && iterator_) {
        // Its result is taken by drain_iterator, after the caller has added
        // the waiter: the iterator may finish inside start() from its cache.
        ref.recursive = true;
        timers_.erase({ref.deadline, ref.id | kDeadlineBit});
        // The iterator's own limit ends it first, with its Extended DNS Error.
        ref.deadline = now + settings_.recursion.time_limit + milliseconds(200);
        timers_.insert({ref.deadline, ref.id | kDeadlineBit});
        // The authorities' responses are kept for the validator, and for a
        // DO client (with CD too: it validates itself) to get the RRSIGs.
        bool keep = validates(ref) || (ref.dnssec_ok && iterator_->settings().dnssec_ok);
        iterator_->start(ref.id, ref.qname, ref.qtype, now, false, refresh, keep);
        return ref;
    }
    if (ref.group->size() == 0) {
        // Nothing to ask (e.g. resolv.conf empty or only listing ourselves).
        timers_.erase({ref.deadline, ref.id | kDeadlineBit});
        ref.deadline = now;
        timers_.insert({now, ref.id | kDeadlineBit});
        return ref;
    }
    advance(ref, now);
    if (auto probe = ref.group->probe_candidate(now, ref.tried)) send_attempt(ref, *probe, false, true, now);
    return ref;
}

ResolverEngine::Waiter& ResolverEngine::add_waiter(Transaction& t, std::span<const std::uint8_t> query,
                                                   const QueryView& q, const ClientRef& c) {
    Waiter w{c, now_, q, {query.begin(), query.begin() + static_cast<std::ptrdiff_t>(q.question_end)}, {}, 0};
    t.waiters.push_back(std::move(w));
    return t.waiters.back();
}

void ResolverEngine::send_attempt(Transaction& t, std::size_t server, bool tcp, bool probe, TimePoint now) {
    Attempt a;
    a.token = next_id_++;
    a.server = server;
    a.endpoint = t.group->endpoint(server);
    a.id = static_cast<std::uint16_t>(random_());
    // A DoT server is only ever asked over TLS (RFC 8310 strict profile):
    // a stream attempt, with its TCP-like timeout.
    std::shared_ptr<TlsServerStats> tls_stats;
    auto tls = t.group->tls(server, tls_stats);
    if (tls) tcp = true;
    a.tcp = tcp;
    a.probe = probe;
    a.sent = now;
    Duration rto = probe ? t.group->probe_rto(server) : t.group->rto(server);
    // After the quick retries, what is left of the attempt budget is spread
    // over what is left of the deadline: a fast server that died is asked
    // until the end (it may come back), not 24 times in its first second.
    if (!tcp && !probe && t.attempts.size() >= kQuickAttempts && t.attempts.size() < kMaxAttempts &&
        now < t.deadline)
        rto = std::max(rto, (t.deadline - now) / static_cast<int>(kMaxAttempts - t.attempts.size()));
    // TCP needs a handshake first; give it a few RTTs but not past the deadline.
    a.rto_at = tcp ? std::min(now + std::max(3 * rto, Duration(milliseconds(500))), t.deadline) : now + rto;
    t.tried |= std::uint64_t{1} << server;
    std::uint8_t query[dns::kHeaderSize + kMaxNameLength + 4 + dns::kOptRecordSize];
    // Validating (forwarding mode): DO for the signatures, CD so that the
    // upstream hands over bogus data for us to judge (RFC 6840 5.9).
    bool validating = validates(t);
    std::size_t len = build_upstream_query(t.qname, t.qtype, t.qclass, a.id, t.dnssec_ok || validating,
                                           t.checking_disabled || validating, settings_.edns.udp_size, query);
    a.stamp = t.group->on_sent(server, probe);
    if (!probe) close_oldest_timed_out(t);
    token_owner_[a.token] = t.id;
    timers_.insert({a.rto_at, a.token});
    t.attempts.push_back(a);
    ++stats_.upstream_queries;
    io_.send_upstream({a.token,
                       a.endpoint,
                       &t.group->egress_interface(),
                       tcp,
                       {query, len},
                       std::move(tls),
                       std::move(tls_stats)});
}

// The server's current index, or nullopt when it left the group meanwhile.
static std::optional<std::size_t> current_index(const UpstreamGroup& g, const Endpoint& ep,
                                                std::size_t hint) {
    return g.find(ep, hint);
}

void ResolverEngine::note_answer(Transaction& t, const Attempt& a, TimePoint now) {
    if (auto i = current_index(*t.group, a.endpoint, a.server)) t.group->on_answer(*i, now - a.sent, a.probe);
}

void ResolverEngine::note_failure(Transaction& t, const Attempt& a, TimePoint now) {
    if (auto i = current_index(*t.group, a.endpoint, a.server)) t.group->on_failure(*i, now, false, a.probe);
}

bool ResolverEngine::has_live_attempt(const Transaction& t) const {
    return std::any_of(t.attempts.begin(), t.attempts.end(),
                       [](const Attempt& a) { return a.open && !a.timed_out && !a.probe; });
}

// Asks the next server unless an attempt is still within its timeout. When
// every server has been asked, a new round starts (a new attempt: new ID), so
// loss on the path is survived; the deadline bounds it all.
//
// Retries keep the server's RTO as their spacing until the deadline; they
// are not doubled per retry as one TCP connection's are (RFC 6298 5.5):
// - a timed-out attempt stays open, so an early retry never throws a late
//   answer away;
// - each attempt has a (source port, ID) pair of its own (the transport never
//   reuses an ID on a port, see upstream_socket_pool.h), so every answer is an
//   unambiguous RTT sample (no Karn ambiguity): a server that is slow rather
//   than lossy raises its own srtt and rttvar, and with them its RTO;
// - what it costs is bounded: kMaxAttempts datagrams per transaction, which
//   every identical client query joins, and kMaxOpenAttempts open at once.
// Doubling (and a backoff multiplier shared by all queries) left about five
// attempts in the 3 s deadline, and fewer under load: at 30 % loss each way
// 2.8 % of queries got SERVFAIL, 13 % of a burst; now none of 10,000 and
// 2,000 (tests/scenario/upstream_loss_test.cpp).
void ResolverEngine::advance(Transaction& t, TimePoint now) {
    if (t.answered || has_live_attempt(t) || t.attempts.size() >= kMaxAttempts) return;
    if (!validations_.empty() && validations_.contains(t.id)) return;  // answered; its verdict is awaited
    auto next = t.group->pick(now, t.tried);
    if (!next) {
        t.tried = 0;
        next = t.group->pick(now, t.tried);
    }
    if (next) send_attempt(t, *next, false, false, now);
}

void ResolverEngine::close_oldest_timed_out(Transaction& t) {
    Attempt* oldest = nullptr;
    unsigned open = 0;
    for (Attempt& a : t.attempts) {
        if (!a.open || a.probe || a.tcp) continue;
        ++open;
        if (a.timed_out && !oldest) oldest = &a;
    }
    if (open >= kMaxOpenAttempts && oldest) close_attempt(t, *oldest);
}

// The transaction and attempt a token belongs to; nulls once it is over.
std::pair<ResolverEngine::Transaction*, ResolverEngine::Attempt*> ResolverEngine::find_attempt(
    std::uint64_t token) {
    auto owner = token_owner_.find(token);
    if (owner == token_owner_.end()) return {nullptr, nullptr};
    auto found = transactions_.find(owner->second);
    if (!LANLORD_CHECK(found != transactions_.end())) {  // a token must belong to a live transaction
        token_owner_.erase(owner);
        return {nullptr, nullptr};
    }
    Transaction& t = *found->second;
    for (Attempt& a : t.attempts)
        if (a.token == token) return {&t, &a};
    LANLORD_CHECK(!"an owned token names one of its transaction's attempts");
    return {nullptr, nullptr};
}

void ResolverEngine::close_attempt(Transaction& t, Attempt& a) {
    (void)t;
    if (!a.open) return;
    a.open = false;
    timers_.erase({a.rto_at, a.token});
    token_owner_.erase(a.token);
    io_.close_upstream(a.token);
}

void ResolverEngine::handle_upstream_response(std::uint64_t token, const Endpoint& from,
                                              std::span<const std::uint8_t> bytes, TimePoint now) {
    now_ = now;
    if (Iterator::owns(token)) {
        if (iterator_) iterator_->on_response(token, from, bytes, now);
        return drain_iterator(now);
    }
    auto [tp, ap] = find_attempt(token);
    if (!tp) return;
    Transaction& t = *tp;
    Attempt& a = *ap;
    if (from != a.endpoint) {
        ++stats_.spoof_mismatches;
        LANLORD_WARN_LIMITED(packet_warnings_, now, "ignored an answer for {} from {}: we asked {}",
                             name_to_text(t.qname), from.to_string(), a.endpoint.to_string());
        return;
    }
    ScannedResponse r;
    ScanStatus status = scan_response(bytes, t.qname, t.qtype, t.qclass, settings_.ttl, r);
    if (status == ScanStatus::not_a_response || (status != ScanStatus::malformed && r.id != a.id) ||
        status == ScanStatus::question_mismatch) {
        ++stats_.spoof_mismatches;  // keep waiting for the real answer
        LANLORD_WARN_LIMITED(packet_warnings_, now, "ignored an answer from {} for {}: wrong ID or question",
                             from.to_string(), name_to_text(t.qname));
        return;
    }
    if (status == ScanStatus::malformed && !a.tcp && bytes.size() >= 2 && load_u16(bytes.data()) != a.id) {
        ++stats_.spoof_mismatches;
        return;
    }
    if (t.answered) {  // a probe outliving its transaction: only the verdict matters
        if (status == ScanStatus::ok && r.kind != ResponseKind::server_error)
            note_answer(t, a, now);
        else
            note_failure(t, a, now);
        close_attempt(t, a);
        return finish(t.id);
    }
    if (status == ScanStatus::ok && r.truncated && !a.tcp) {
        // RFC 7766 section 5: repeat over TCP to the same server.
        ++stats_.tcp_fallbacks;
        note_answer(t, a, now);
        close_attempt(t, a);
        if (auto s = current_index(*t.group, a.endpoint, a.server))
            send_attempt(t, *s, true, false, now);
        else
            advance(t, now);
        return;
    }
    if (status == ScanStatus::malformed || r.kind == ResponseKind::server_error || r.truncated) {
        ++stats_.upstream_errors;
        if (status == ScanStatus::malformed)
            LANLORD_WARN_LIMITED(packet_warnings_, now, "malformed answer from {} for {}", from.to_string(),
                                 name_to_text(t.qname));
        note_failure(t, a, now);
        close_attempt(t, a);
        // SERVFAIL or REFUSED from one server: move on to the next (untried) one.
        auto next = t.group->pick(now, t.tried);
        if (next && t.attempts.size() < kMaxAttempts)
            send_attempt(t, *next, false, false, now);
        else if (!std::any_of(t.attempts.begin(), t.attempts.end(), [](const Attempt& x) { return x.open; }))
            complete(t, nullptr, now);
        return;
    }
    note_answer(t, a, now);
    if (!validations_.empty() && validations_.contains(t.id)) return close_attempt(t, a);  // a second answer
    if (!t.internal && validates(t)) {
        close_attempt(t, a);
        return start_forwarded_validation(t, bytes, now);
    }
    complete(t, &r, now, bytes);
}

void ResolverEngine::handle_upstream_error(std::uint64_t token, TimePoint now) {
    now_ = now;
    if (Iterator::owns(token)) {
        if (iterator_) iterator_->on_error(token, now);
        return drain_iterator(now);
    }
    auto [tp, ap] = find_attempt(token);
    if (!tp) return;
    Transaction& t = *tp;
    Attempt* it = ap;
    ++stats_.upstream_errors;
    note_failure(t, *it, now);
    close_attempt(t, *it);
    advance(t, now);
    if (!std::any_of(t.attempts.begin(), t.attempts.end(), [](const Attempt& x) { return x.open; }))
        complete(t, nullptr, now);
}

void ResolverEngine::on_attempt_timeout(std::uint64_t token, TimePoint now) {
    auto [tp, ap] = find_attempt(token);
    if (!tp) return;
    Transaction& t = *tp;
    Attempt& a = *ap;
    a.timed_out = true;  // stays open: a late answer is still welcome
    ++stats_.upstream_timeouts;
    if (auto i = current_index(*t.group, a.endpoint, a.server))
        t.group->on_timeout(*i, now, a.probe, a.stamp);
    if (t.answered) {
        close_attempt(t, a);
        return finish(t.id);
    }
    if (a.tcp) close_attempt(t, a);
    advance(t, now);
}

void ResolverEngine::handle_timers(TimePoint now) {
    now_ = now;
    if (iterator_) {
        iterator_->on_timers(now);
        drain_iterator(now);
    }
    while (!timers_.empty() && timers_.begin()->first <= now) {
        auto [when, id] = *timers_.begin();
        timers_.erase(timers_.begin());
        if (id & kDeadlineBit) {
            auto it = transactions_.find(id & ~kDeadlineBit);
            if (it != transactions_.end()) complete(*it->second, nullptr, now);
        } else {
            on_attempt_timeout(id, now);
        }
    }
}

std::optional<TimePoint> ResolverEngine::next_timer() const {
    std::optional<TimePoint> next;
    if (!timers_.empty()) next = timers_.begin()->first;
    if (iterator_)
        if (auto it = iterator_->next_timer(); it && (!next || *it < *next)) next = it;
    return next;
}

// Ends a transaction: with an answer (cache it, send it to every waiter), or
// with nothing (every server failed or the deadline passed): a stale answer
// when RFC 8767 allows, else SERVFAIL.
void ResolverEngine::complete(Transaction& t, const ScannedResponse* answer, TimePoint now,
                              std::span<const std::uint8_t> raw) {
    if (t.answered) return finish(t.id);  // the deadline of a retired transaction
    if (t.internal) return end_fetch(t, answer ? raw : std::span<const std::uint8_t>(), now);
    if (answer) {
        if (answer->cacheable())  // checked against the blocklist in force when it was asked
            cache_.insert(t.key, answer->stored, answer->ttl_offsets, answer->lifetime, now,
                          t.policy_generation);
        QueryOutcome outcome = t.recursive ? QueryOutcome::recursive : QueryOutcome::forwarded;
        for (const Waiter& w : t.waiters) reply_to_waiter(w, answer->stored, answer->stored.size(), outcome);
    } else {
        CacheLookup stale;
        if (settings_.serve_stale && !t.waiters.empty() && !t.bogus)
            stale = cache_.lookup(t.key, now, buffer_, true, settings_.stale_ttl);
        if (stale.state != CacheState::miss) {
            cache_.hold_stale(t.key, now + settings_.stale_hold);
            std::vector<std::uint8_t> copy(buffer_.begin(),
                                           buffer_.begin() + static_cast<std::ptrdiff_t>(stale.length));
            if (copy.size() > 3) copy[3] = static_cast<std::uint8_t>(copy[3] & ~dns::flag::AD);  // as above
            for (const Waiter& w : t.waiters) {
                ++stats_.stale_answers;
                reply_to_waiter(w, copy, copy.size(), QueryOutcome::stale);
            }
        } else {
            if (t.recursive && t.ede_text.empty() && now >= t.deadline) t.ede_text = "time limit reached";
            ExtendedError ede{t.ede_code, t.ede_text};
            for (const Waiter& w : t.waiters)
                reply_error(w.head, w.q, w.client, dns::rcode::SERVFAIL, w.arrived,
                            t.recursive || t.bogus ? &ede : nullptr);
        }
    }
    retire(t);
}

// A probe still unanswered when its transaction ends keeps the transaction,
// without waiters and out of by_key_, until the probe's answer or timeout (or
// the deadline). Closing it there gave no verdict, so a dead server out of
// backoff was probed again by the next query, and the next, for ever.
void ResolverEngine::retire(Transaction& t) {
    bool probing = false;
    for (Attempt& a : t.attempts) {
        if (a.open && a.probe && !a.timed_out)
            probing = true;
        else
            close_attempt(t, a);
    }
    if (!probing) return finish(t.id);
    t.answered = true;
    t.waiters.clear();
    if (auto it = by_key_.find(t.key); it != by_key_.end() && it->second == t.id) by_key_.erase(it);
}

void ResolverEngine::finish(std::uint64_t txn_id) {
    auto it = transactions_.find(txn_id);
    if (it == transactions_.end()) return;
    Transaction& t = *it->second;
    for (Attempt& a : t.attempts) {
        // A probe still unanswered when another server answered: no verdict yet.
        if (a.open && a.probe && !a.timed_out)
            if (auto i = current_index(*t.group, a.endpoint, a.server)) t.group->on_abandoned(*i);
        close_attempt(t, a);
    }
    timers_.erase({t.deadline, t.id | kDeadlineBit});
    if (t.recursive && iterator_) iterator_->cancel(t.id);
    end_validation(t.id);
    if (auto k = by_key_.find(t.key); k != by_key_.end() && k->second == t.id) by_key_.erase(k);
    transactions_.erase(it);
}

}  // namespace lanlord
