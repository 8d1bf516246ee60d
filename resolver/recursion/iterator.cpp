#include "resolver/recursion/iterator.h"

#include "resolver/recursion/iterator_state.h"

#include <algorithm>

#include "common/byte_cursor.h"
#include "common/dns_name.h"
#include "resolver/wire/dns_constants.h"

namespace lanlord {

namespace {

std::string first_blob_name(std::span<const std::uint8_t> blob) {
    std::string out;
    for_each_blob_record(blob, [&](std::span<const std::uint8_t> r) {
        if (out.empty()) out.assign(reinterpret_cast<const char*>(r.data()), r.size());
    });
    return out;
}
}  // namespace

Iterator::Iterator(EngineIo& io, RecursionCaches caches, Random random)
    : io_(io), caches_(std::move(caches)), random_(std::move(random)) {
    if (!caches_.records) caches_.records = std::make_shared<RecordCache>();
    if (!caches_.infra) caches_.infra = std::make_shared<InfraCache>();
}

Iterator::~Iterator() = default;

void IteratorStats::add(const IteratorStats& o) {
    resolutions += o.resolutions;
    answered += o.answered;
    failed += o.failed;
    budget_exceeded += o.budget_exceeded;
    queries += o.queries;
    tcp_queries += o.tcp_queries;
    timeouts += o.timeouts;
    referrals += o.referrals;
    lame += o.lame;
    edns_fallbacks += o.edns_fallbacks;
    case_mismatches += o.case_mismatches;
    qmin_fallbacks += o.qmin_fallbacks;
    malformed += o.malformed;
    spoofed += o.spoofed;
    primings += o.primings;
    ns_lookups += o.ns_lookups;
    for (std::size_t i = 0; i < queries_per_resolution.size(); ++i)
        queries_per_resolution[i] += o.queries_per_resolution[i];
}

void Iterator::start(std::uint64_t id, std::string_view qname, std::uint16_t qtype, TimePoint now, bool trace,
                     bool refresh, bool keep_responses) {
    auto r = std::make_unique<Resolution>();
    r->id = id;
    r->qname.assign(qname);
    r->qtype = qtype;
    r->trace = trace;
    r->refresh = refresh || keep_responses;
    r->keep = keep_responses;
    Goal g;
    g.name.assign(qname);
    g.qtype = qtype;
    g.qmin = settings_.qname_minimisation;
    r->goals.push_back(std::move(g));
    r->deadline = now + settings_.time_limit;
    timers_.insert({r->deadline, kDeadlineMark | id});
    Resolution& ref = *r;
    resolutions_[id] = std::move(r);
    ++stats_.resolutions;
    advance(ref, now);
    for (std::uint64_t f : finished_) resolutions_.erase(f);
    finished_.clear();
}

void Iterator::cancel(std::uint64_t id) {
    auto it = resolutions_.find(id);
    if (it == resolutions_.end()) return;
    close_attempt(*it->second);
    timers_.erase({it->second->deadline, kDeadlineMark | id});
    resolutions_.erase(it);
}

std::vector<RecursionResult> Iterator::take_results() {
    std::vector<RecursionResult> out;
    out.swap(results_);
    return out;
}

Iterator::Resolution* Iterator::by_token(std::uint64_t token) {
    auto owner = token_owner_.find(token);
    if (owner == token_owner_.end()) return nullptr;
    auto it = resolutions_.find(owner->second);
    if (it == resolutions_.end() || it->second->attempt.token != token || !it->second->attempt.active)
        return nullptr;
    return it->second.get();
}

void Iterator::close_attempt(Resolution& r) {
    Attempt& a = r.attempt;
    if (!a.active) return;
    a.active = false;
    timers_.erase({a.rto_at, a.token});
    token_owner_.erase(a.token);
    io_.close_upstream(a.token);
}

// The main loop of a resolution: cache first, then the zone cut, then a
// server to ask (or an NS name to resolve first). Returns when a query is
// in flight or the resolution is over.
void Iterator::advance(Resolution& r, TimePoint now) {
    const RecursionLimits& lim = settings_.limits;
    for (unsigned guard = 0; guard < 1024 && !r.done; ++guard) {
        if (r.goals.empty()) return finish(r);
        Goal& g = r.goals.back();
        CacheStep step = from_cache(r, g, now);
        if (step == CacheStep::failed) return;
        if (step == CacheStep::done) {
            goal_done(r, now);
            continue;
        }
        if (step == CacheStep::followed) continue;
        if (r.queries >= lim.max_queries) {
            ++stats_.budget_exceeded;
            return fail(r, 0, "work limit reached: " + std::to_string(lim.max_queries) + " queries");
        }
        std::string zone;
        CachedEntry ns;
        bool have_ns = g.kind != Goal::Kind::prime && find_cut(r, g, now, zone, ns);
        if (!have_ns && g.kind == Goal::Kind::main && !r.primed) {
            // The root's NS set is not known (or has expired): prime (RFC 8109).
            r.primed = true;
            ++stats_.primings;
            Goal p;
            p.kind = Goal::Kind::prime;
            p.name = kRootName;
            p.qtype = dns::type::NS;
            p.qmin = false;
            r.goals.push_back(std::move(p));
            continue;
        }
        if (!have_ns) zone = kRootName;
        if (!g.has_zone || g.zone != zone) g.enter_zone(zone);
        auto candidates = server_addresses(g, have_ns ? &ns : nullptr, now);
        if (auto pick = choose(g, candidates, now)) return send(r, g, *pick, false, now);
        if (have_ns)
            if (auto name = ns_name_to_look_up(r, g, ns, now)) {
                g.looked_up.push_back(*name);
                ++r.ns_lookups;
                ++stats_.ns_lookups;
                Goal sub;
                sub.kind = Goal::Kind::ns_address;
                sub.name = std::move(*name);
                sub.qtype = dns::type::A;
                sub.qmin = settings_.qname_minimisation;
                r.goals.push_back(std::move(sub));
                continue;
            }
        if (!g.tried.empty() && ++g.rounds < lim.max_rounds) {
            g.tried.clear();  // every server failed once: one more pass
            continue;
        }
        if (g.kind == Goal::Kind::main)
            return fail(r, 22, "no reachable authority for " + name_to_text(zone));  // RFC 8914 4.23
        r.goals.pop_back();  // priming failed (the hints stay in use), or an NS name has no address
    }
    if (!r.done) fail(r, 0, "iteration limit");
}

Iterator::CacheStep Iterator::from_cache(Resolution& r, Goal& g, TimePoint now) {
    RecordCache& cache = *caches_.records;
    CachedEntry e;
    bool main = g.kind == Goal::Kind::main;
    if (g.kind == Goal::Kind::prime)
        return cache.lookup(kRootName, dns::type::NS, now, e) && usable_as_answer(e.trust) ? CacheStep::done
                                                                                           : CacheStep::none;
    if (g.direct_negative && g.direct_name == g.name) {
        if (main) r.rcode = g.direct_rcode;
        return CacheStep::done;
    }
    if (g.skip_cache_once) {
        g.skip_cache_once = false;
        return CacheStep::none;
    }
    if (r.trace && !g.answered_here) return CacheStep::none;
    if (r.refresh && main && !g.answered_here &&
        std::find(g.fresh.begin(), g.fresh.end(), g.name) == g.fresh.end())
        return CacheStep::none;
    if (g.qtype == dns::type::ANY) {
        if (g.any_types.empty()) return CacheStep::none;
        for (std::uint16_t t : g.any_types)
            if (cache.lookup(g.name, t, now, e) && e.kind == EntryKind::rrset)
                r.answer.push_back({g.name, t, e.ttl, e.count, std::move(e.rdata)});
        r.rcode = dns::rcode::NOERROR;
        return CacheStep::done;
    }
    if (cache.lookup(g.name, g.qtype, now, e) && e.kind == EntryKind::rrset && usable_as_answer(e.trust)) {
        if (main) {
            r.rcode = dns::rcode::NOERROR;
            r.answer.push_back({g.name, g.qtype, e.ttl, e.count, std::move(e.rdata)});
        }
        return CacheStep::done;
    }
    if (cache.lookup_negative(g.name, g.qtype, now, e)) {
        if (main) {
            r.rcode = e.kind == EntryKind::nxdomain ? dns::rcode::NXDOMAIN : dns::rcode::NOERROR;
            r.has_soa = true;
            r.soa = ResultRRset{e.soa_owner, dns::type::SOA, e.ttl, 1, {}};
            append_blob_record(r.soa.blob, e.rdata);
        }
        return CacheStep::done;
    }
    if (g.qtype == dns::type::CNAME) return CacheStep::none;
    // A CNAME at the name, or a DNAME above it (RFC 6672 3.2: synthesised).
    std::string target;
    ResultRRset link, dname;
    if (cache.lookup(g.name, dns::type::CNAME, now, e) && e.kind == EntryKind::rrset &&
        usable_as_answer(e.trust)) {
        target = first_blob_name(e.rdata);
        link = {g.name, dns::type::CNAME, e.ttl, e.count, std::move(e.rdata)};
    } else if (cache.has_dnames()) {
        for (std::string_view up = parent_name(g.name); !up.empty(); up = parent_name(up)) {
            if (!cache.lookup(up, dns::type::DNAME, now, e) || e.kind != EntryKind::rrset ||
                !usable_as_answer(e.trust))
                continue;
            std::string to = first_blob_name(e.rdata);
            std::size_t prefix = g.name.size() - up.size();
            if (to.empty() || prefix + to.size() > kMaxNameLength) break;
            target = g.name.substr(0, prefix) + to;
            dname = {std::string(up), dns::type::DNAME, e.ttl, e.count, std::move(e.rdata)};
            link = {g.name, dns::type::CNAME, e.ttl, 1, {}};
            append_blob_record(link.blob,
                               {reinterpret_cast<const std::uint8_t*>(target.data()), target.size()});
            break;
        }
    }
    if (target.empty()) return CacheStep::none;
    if (++r.links > settings_.limits.max_cname) {
        fail(r, 0, "CNAME chain longer than " + std::to_string(settings_.limits.max_cname));
        return CacheStep::failed;
    }
    if (main) {
        bool loop =
            target == r.qname || std::any_of(r.answer.begin(), r.answer.end(), [&](const ResultRRset& x) {
                return x.type == dns::type::CNAME && x.owner == target;
            });
        if (loop) {
            fail(r, 0, "CNAME loop at " + name_to_text(target));
            return CacheStep::failed;
        }
        if (!dname.owner.empty()) r.answer.push_back(std::move(dname));
        r.answer.push_back(std::move(link));
    }
    g.retarget(std::move(target), settings_.qname_minimisation);
    return CacheStep::followed;
}

// The deepest zone cut at or above the goal's name with a live NS set
// (above it for DS, which the parent serves: RFC 4035 section 3.1.4.1).
// A trace only uses the cuts its own referrals taught it, so that it shows
// every step from the root, as dig +trace does.
bool Iterator::find_cut(const Resolution& r, const Goal& g, TimePoint now, std::string& zone,
                        CachedEntry& ns) const {
    std::string_view n = g.name;
    if (g.qtype == dns::type::DS && n.size() > 1) n = parent_name(n);
    for (; !n.empty(); n = parent_name(n)) {
        if (r.trace && n != kRootName &&
            std::find(r.trace_cuts.begin(), r.trace_cuts.end(), n) == r.trace_cuts.end())
            continue;
        if (caches_.records->lookup(n, dns::type::NS, now, ns) && ns.kind == EntryKind::rrset &&
            ns.count > 0) {
            zone.assign(n);
            return true;
        }
    }
    return false;
}

std::vector<IpAddress> Iterator::server_addresses(const Goal& g, const CachedEntry* ns, TimePoint now) const {
    std::vector<IpAddress> out;
    const AddressPolicy& policy = settings_.addresses;
    auto add = [&](const IpAddress& a) {
        if (!policy.usable(a)) return;
        if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
    };
    if (!ns) {  // the root without a primed NS set: the hints
        for (const RootServer& s : settings_.hints.servers)
            for (const IpAddress& a : s.addresses) add(a);
        return out;
    }
    CachedEntry e;
    bool root = g.zone == kRootName;
    for_each_blob_record(ns->rdata, [&](std::span<const std::uint8_t> rd) {
        std::string_view target(reinterpret_cast<const char*>(rd.data()), rd.size());
        bool found = false;
        if (caches_.records->lookup(target, dns::type::A, now, e) && e.kind == EntryKind::rrset) {
            for_each_blob_record(e.rdata, [&](std::span<const std::uint8_t> a) {
                if (a.size() == 4) add(IpAddress::v4_bytes(a.data()));
            });
            found = true;
        }
        if (policy.ipv6 && caches_.records->lookup(target, dns::type::AAAA, now, e) &&
            e.kind == EntryKind::rrset) {
            for_each_blob_record(e.rdata, [&](std::span<const std::uint8_t> a) {
                if (a.size() == 16) add(IpAddress::v6_bytes(a.data()));
            });
            found = true;
        }
        if (!found && root)  // a root server's address from the hints
            for (const RootServer& s : settings_.hints.servers)
                if (s.name == target)
                    for (const IpAddress& a : s.addresses) add(a);
    });
    if (out.empty() && root)  // the primed set names servers we have no address for
        for (const RootServer& s : settings_.hints.servers)
            for (const IpAddress& a : s.addresses) add(a);
    return out;
}

// An NS name of the cut to resolve for its address: not yet tried here,
// without an address in the cache, not below the cut itself (its address
// can only come as glue: asking the cut's servers for it is a cycle), not
// already being resolved further down the stack; within the NXNS limits.
std::optional<std::string> Iterator::ns_name_to_look_up(const Resolution& r, const Goal& g,
                                                        const CachedEntry& ns, TimePoint now) const {
    const RecursionLimits& lim = settings_.limits;
    if (r.goals.size() >= lim.max_depth || r.ns_lookups >= lim.max_ns_lookups ||
        g.looked_up.size() >= lim.max_ns_lookups_zone)
        return std::nullopt;
    std::optional<std::string> pick;
    CachedEntry e;
    for_each_blob_record(ns.rdata, [&](std::span<const std::uint8_t> rd) {
        if (pick) return;
        std::string target(reinterpret_cast<const char*>(rd.data()), rd.size());
        if (std::find(g.looked_up.begin(), g.looked_up.end(), target) != g.looked_up.end()) return;
        if (name_is_under(target, g.zone)) return;
        for (const Goal& other : r.goals)
            if (other.name == target) return;
        if (caches_.records->lookup(target, dns::type::A, now, e)) return;  // addresses (tried) or NODATA
        if (caches_.records->lookup_negative(target, dns::type::A, now, e)) return;
        pick = std::move(target);
    });
    return pick;
}

// Fastest expected server first (the infrastructure cache's RTO), servers
// held back after repeated timeouts only when nothing else is left, and one
// query in 20 to a random other server so that a server that got faster, or
// one never measured, is found (Knot's epsilon-greedy, p = 1/20).
std::optional<IpAddress> Iterator::choose(const Goal& g, const std::vector<IpAddress>& candidates,
                                          TimePoint now) {
    InfraCache& infra = *caches_.infra;
    std::vector<IpAddress> usable, held;
    for (const IpAddress& a : candidates) {
        if (std::find(g.tried.begin(), g.tried.end(), a) != g.tried.end()) continue;
        if (infra.lame(a, g.zone, now)) continue;
        (infra.held(a, now) ? held : usable).push_back(a);
    }
    std::vector<IpAddress>& pool = usable.empty() ? held : usable;
    if (pool.empty()) return std::nullopt;
    unsigned n = settings_.explore_one_in;
    if (pool.size() > 1 && n && random_() % n == 0) return pool[random_() % pool.size()];
    const IpAddress* best = &pool[0];
    Duration best_rto = infra.expected(*best, now);
    for (std::size_t i = 1; i < pool.size(); ++i) {
        Duration d = infra.expected(pool[i], now);
        if (d < best_rto) {
            best = &pool[i];
            best_rto = d;
        }
    }
    return *best;
}

void Iterator::goal_done(Resolution& r, TimePoint now) {
    (void)now;
    Goal::Kind kind = r.goals.back().kind;
    r.goals.pop_back();
    if (kind == Goal::Kind::main) finish(r);
}

void Iterator::finish(Resolution& r) {
    if (r.done) return;
    close_attempt(r);
    timers_.erase({r.deadline, kDeadlineMark | r.id});
    RecursionResult res;
    res.id = r.id;
    res.ok = true;
    res.message = build_result_message(r.qname, r.qtype, r.rcode, r.answer, r.has_soa ? &r.soa : nullptr);
    res.queries = r.queries;
    res.trace = std::move(r.steps);
    res.responses = std::move(r.kept);
    res.referrals = std::move(r.kept_referrals);
    results_.push_back(std::move(res));
    r.done = true;
    ++stats_.answered;
    ++stats_.queries_per_resolution[IteratorStats::bucket(r.queries)];
    finished_.push_back(r.id);
}

void Iterator::fail(Resolution& r, std::uint16_t ede, std::string text) {
    if (r.done) return;
    close_attempt(r);
    timers_.erase({r.deadline, kDeadlineMark | r.id});
    RecursionResult res;
    res.id = r.id;
    res.ede_code = ede;
    res.ede_text = std::move(text);
    res.queries = r.queries;
    res.trace = std::move(r.steps);
    results_.push_back(std::move(res));
    r.done = true;
    ++stats_.failed;
    ++stats_.queries_per_resolution[IteratorStats::bucket(r.queries)];
    finished_.push_back(r.id);
}

}  // namespace lanlord
