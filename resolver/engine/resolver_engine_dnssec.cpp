// ResolverEngine's side of DNSSEC: the answers of recursive groups (and of
// forwarding groups with [dnssec] validate_forwarded) wait for the verdict
// of a ValidationJob (validation_job.h) before they are cached and sent;
// the job's DS/DNSKEY fetches are iterator resolutions (recursive) or
// internal transactions to the same upstream group (forwarding).
#include "resolver/engine/resolver_engine.h"

#include "resolver/engine/resolver_engine_state.h"

#include "common/dns_name.h"
#include "resolver/dnssec/signed_answer.h"
#include "resolver/wire/answer_text.h"
#include "resolver/wire/dns_constants.h"
#include "resolver/wire/dnssec_strip.h"

namespace lanlord {

// A DO client's answer in recursive mode: the authorities' records with
// their RRSIGs and proofs (signed_answer.h); empty: none could be built
// (the caller keeps the iterator's message).
std::vector<std::uint8_t> signed_message(const std::vector<KeptResponse>& responses, std::string_view qname,
                                         std::uint16_t qtype) {
    std::vector<AnswerSource> sources;
    sources.reserve(responses.size());
    for (const KeptResponse& r : responses) sources.push_back({r.qname, r.qtype, r.bytes});
    return build_signed_answer(sources, qname, qtype);
}

bool ResolverEngine::validates(const Transaction& t) const {
    const DnssecPolicy& p = settings_.dnssec;
    if (!p.enabled() || t.checking_disabled || t.internal) return false;
    if (!(t.recursive ? p.recursive : p.forwarding)) return false;
    return !p.under_negative_anchor(t.qname);
}

void ResolverEngine::start_validation(Transaction& t, RecursionResult& res, TimePoint now) {
    const DnssecPolicy& p = settings_.dnssec;
    bool trusted = p.clock_is_trusted();
    auto v = std::make_unique<Validation>(
        Validation{p.context,
                   ValidationJob(*p.context, std::move(res.responses), t.qtype,
                                 static_cast<std::uint32_t>(p.wall()), trusted, std::move(res.referrals)),
                   std::move(res.message), 0, trusted});
    validations_[t.id] = std::move(v);
    continue_validation(t, now);
}

void ResolverEngine::on_fetch_result(std::uint64_t txn_id, const RecursionResult& res, TimePoint now) {
    if (auto tv = trace_validations_.find(txn_id); tv != trace_validations_.end()) {
        std::span<const std::uint8_t> bytes;
        if (res.ok && !res.responses.empty()) bytes = res.responses.back().bytes;
        tv->second->job.supply(bytes, now);
        return continue_trace_validation(txn_id, now);
    }
    auto t = transactions_.find(txn_id);
    auto v = validations_.find(txn_id);
    if (t == transactions_.end() || v == validations_.end()) return;
    v->second->fetch = 0;
    std::span<const std::uint8_t> bytes;
    if (res.ok && !res.responses.empty()) bytes = res.responses.back().bytes;
    v->second->job.supply(bytes, now);
    continue_validation(*t->second, now);
}

// The job's next fetch goes to the iterator (never answered from the record
// cache: it holds no signatures), or the verdict decides the answer:
// secure: AD (RFC 4035 3.2.3; the hit path shows it only to clients that
// asked, RFC 6840 5.8); insecure: as it is; bogus: SERVFAIL with the EDE,
// remembered for KeyCache::kBogusTtl.
void ResolverEngine::continue_validation(Transaction& t, TimePoint now) {
    auto it = validations_.find(t.id);
    if (it == validations_.end()) return;
    Validation& v = *it->second;
    ChainFetch f = v.job.next(now);
    if (f.kind != ChainFetch::Kind::none) {
        ++stats_.dnssec_fetches;
        std::uint16_t type = f.kind == ChainFetch::Kind::ds ? dns::type::DS : dns::type::DNSKEY;
        if (!t.recursive) return start_fetch(t, f.name, type, now);  // end_fetch goes on
        std::uint64_t id = next_id_++;
        v.fetch = id;
        fetch_owner_[id] = t.id;
        iterator_->start(id, f.name, type, now, false, false, true);
        return;  // drain_iterator takes its result, now or later
    }
    const Verdict verdict = v.job.verdict();  // a copy: `v` is erased below
    ++stats_.dnssec_verdicts[static_cast<std::size_t>(verdict.security) & 3];
    stats_.dnssec_ds_from_referrals += v.job.referrals_used();
    std::vector<std::uint8_t> message = std::move(v.message);
    // RFC 4035 3.2.1: a client that set DO gets the RRSIGs (and proofs) too.
    if (t.recursive && t.dnssec_ok && !verdict.is_bogus())
        if (std::vector<std::uint8_t> s = signed_message(v.job.responses(), t.qname, t.qtype); !s.empty())
            message = std::move(s);
    std::uint32_t signature_ttl = v.job.ttl();
    // RFC 8198: a secure answer's proofs serve later questions they cover.
    if (verdict.is_secure() && v.dates_checked && t.recursive && v.context->aggressive)
        for (const VerifiedProof& p : v.job.proofs())
            v.context->aggressive->store_set(p.zone, p.set, signature_ttl, now, v.context->limits);
    bool dates_checked = v.dates_checked;
    std::string zone = v.job.failed_zone();
    validations_.erase(it);
    if (verdict.is_bogus()) {
        std::string text =
            std::string(verdict.reason) + (zone.empty() ? "" : " (" + name_to_text(zone) + ")");
        LANLORD_WARN_LIMITED(dnssec_warnings_, now, "DNSSEC: {} {} is bogus: {}", name_to_text(t.qname),
                             type_to_text(t.qtype), text);
        if (!t.recursive && verdict.ede == ede::rrsigs_missing) {
            // Said loudly: the usual cause is an upstream (a home router's
            // DNS proxy) that drops DNSSEC records; every signed name fails.
            ++stats_.dnssec_unsigned_upstream;
            LANLORD_WARN_LIMITED(
                dnssec_warnings_, now,
                "DNSSEC: upstream group '{}' answered {} without the signatures its zone has: it "
                "strips DNSSEC records or ignores DO; signed names get SERVFAIL while "
                "[dnssec] validate_forwarded is on",
                t.group->name(), name_to_text(t.qname));
        }
        ++stats_.recursion_failures;
        t.ede_code = verdict.ede == ede::none ? ede::dnssec_bogus : verdict.ede;
        t.ede_text = std::move(text);
        t.bogus = true;
        bogus_.store(t.key, {now + seconds(KeyCache::kBogusTtl), t.ede_code, t.ede_text}, now);
        return complete(t, nullptr, now);
    }
    if (message.size() >= dns::kHeaderSize) {  // the upstream's own AD never counts (we asked with CD)
        message[3] = static_cast<std::uint8_t>(message[3] & ~dns::flag::AD);
        if (verdict.is_secure() && dates_checked)
            message[3] = static_cast<std::uint8_t>(message[3] | dns::flag::AD);
    }
    ScannedResponse r;
    if (scan_response(message, t.qname, t.qtype, t.qclass, settings_.ttl, r) == ScanStatus::ok) {
        // RFC 4035 5.3.3: validated data is not kept past its signatures.
        if (verdict.is_secure()) cap_ttls(r, signature_ttl);
        return complete(t, &r, now);
    }
    ++stats_.recursion_failures;
    t.ede_text = "internal error: unreadable result";
    complete(t, nullptr, now);
}

// A transaction that ends (answered, deadline, reload) takes its validation
// and the fetch in flight with it.
void ResolverEngine::end_validation(std::uint64_t txn_id) {
    auto it = validations_.find(txn_id);
    if (it == validations_.end()) return;
    if (std::uint64_t f = it->second->fetch) {
        if (auto fetch = transactions_.find(f); fetch != transactions_.end() && fetch->second->internal) {
            fetch->second->fetch_for = 0;  // orphaned: ends by itself at its answer or deadline
        } else {
            fetch_owner_.erase(f);
            if (iterator_) iterator_->cancel(f);
        }
    }
    validations_.erase(it);
}

void ResolverEngine::start_forwarded_validation(Transaction& t, std::span<const std::uint8_t> response,
                                                TimePoint now) {
    const DnssecPolicy& p = settings_.dnssec;
    std::vector<std::uint8_t> message;
    // RFC 4035 3.2.1: a client without DO gets no RRSIG, NSEC or NSEC3.
    if (t.dnssec_ok || !strip_dnssec_records(response, t.qtype, message))
        message.assign(response.begin(), response.end());
    bool trusted = p.clock_is_trusted();
    std::vector<KeptResponse> kept;
    kept.push_back({t.qname, t.qtype, {response.begin(), response.end()}});
    validations_[t.id] = std::make_unique<Validation>(Validation{
        p.context,
        ValidationJob(*p.context, std::move(kept), t.qtype, static_cast<std::uint32_t>(p.wall()), trusted),
        std::move(message), 0, trusted});
    continue_validation(t, now);
}

// A DS or DNSKEY query to the owner's upstream group, with DO and CD, outside
// the cache (its answer is never given to a client) and within the owner's
// deadline.
void ResolverEngine::start_fetch(Transaction& owner, std::string_view name, std::uint16_t qtype,
                                 TimePoint now) {
    auto f = std::make_unique<Transaction>();
    f->id = next_id_++;
    f->key = "fetch " + std::to_string(f->id);  // never in by_key_ nor the cache
    f->qname.assign(name);
    f->qtype = qtype;
    f->qclass = dns::kClassIN;
    f->dnssec_ok = true;
    f->checking_disabled = true;
    f->group = owner.group;
    f->deadline = owner.deadline;
    f->policy_generation = owner.policy_generation;
    f->internal = true;
    f->fetch_for = owner.id;
    Transaction& ref = *f;
    timers_.insert({ref.deadline, ref.id | kTransactionDeadlineBit});
    transactions_[ref.id] = std::move(f);
    if (auto v = validations_.find(owner.id); v != validations_.end()) v->second->fetch = ref.id;
    if (ref.group->size() == 0) return complete(ref, nullptr, now);
    advance(ref, now);
}

// A fetch's answer (empty: it failed) goes to its validation, which goes on.
void ResolverEngine::end_fetch(Transaction& fetch, std::span<const std::uint8_t> response, TimePoint now) {
    std::uint64_t owner_id = fetch.fetch_for;
    fetch.fetch_for = 0;
    std::vector<std::uint8_t> copy(response.begin(),
                                   response.end());  // `fetch` ends before the owner goes on
    retire(fetch);
    auto owner = transactions_.find(owner_id);
    auto v = validations_.find(owner_id);
    if (owner == transactions_.end() || v == validations_.end()) return;
    v->second->fetch = 0;
    v->second->job.supply(copy, now);
    continue_validation(*owner->second, now);
}

// A bogus answer given again within its time (BogusCache): SERVFAIL with the EDE.
bool ResolverEngine::answer_bogus_from_cache(std::span<const std::uint8_t> query, const QueryView& q,
                                             const ClientRef& client, std::string_view key, TimePoint now) {
    if (!settings_.dnssec.enabled() || bogus_.size() == 0) return false;
    const BogusCache::Entry* e = bogus_.find(key, now);
    if (!e) return false;
    ++stats_.dnssec_bogus_cached;
    ExtendedError ede{e->ede, e->text};
    reply_error(query, q, client, dns::rcode::SERVFAIL, now, &ede);
    return true;
}

// RFC 8198: a question of a recursive group whose NXDOMAIN or NODATA the
// cached NSEC/NSEC3 records already prove is answered from them, with AD
// (they validated; the synthesis uses the validator's own proofs), and the
// answer goes to the packet cache like any other. Not for CD clients (they
// want the authorities' data to judge), under a negative trust anchor, or
// while the clock is not trusted (the records' dates could not be judged).
bool ResolverEngine::answer_aggressively(std::span<const std::uint8_t> query, const QueryView& q,
                                         const ClientRef& client, std::size_t group, std::string_view key,
                                         std::size_t limit, TimePoint now) {
    const DnssecPolicy& p = settings_.dnssec;
    if (!p.enabled() || !p.recursive || !p.context->aggressive || q.cd() || q.qclass != dns::kClassIN)
        return false;
    // Never for DS (at a zone's apex the child's NSEC says nothing about the
    // parent's DS, RFC 4035 3.1.4.1) nor ANY (no bitmap lists it: an NSEC of
    // an existing name would read as NODATA).
    if (q.qtype == dns::type::DS || q.qtype == dns::type::ANY) return false;
    if (group >= group_recursive_.size() || !group_recursive_[group] || !p.clock_is_trusted() ||
        p.under_negative_anchor(q.name()))
        return false;
    ValidationBudget budget;
    budget.limits = p.context->limits;
    SynthesisedAnswer a = p.context->aggressive->synthesise(q.name(), q.qtype, now, budget);
    if (a.kind == Synthesised::none) return false;
    std::uint8_t rcode = a.kind == Synthesised::nxdomain ? dns::rcode::NXDOMAIN : dns::rcode::NOERROR;
    std::vector<std::uint8_t> message = build_denial_answer(q.name(), q.qtype, rcode, a.records, q.edns_do);
    if (message.size() < dns::kHeaderSize) return false;
    message[3] = static_cast<std::uint8_t>(message[3] | dns::flag::AD);
    ScannedResponse r;
    if (scan_response(message, q.name(), q.qtype, q.qclass, settings_.ttl, r) != ScanStatus::ok ||
        r.stored.size() > buffer_.size())
        return false;
    ++stats_.dnssec_synthesised;
    if (r.cacheable()) cache_.insert(key, r.stored, r.ttl_offsets, r.lifetime, now, policy_generation_);
    std::copy(r.stored.begin(), r.stored.end(), buffer_.begin());
    reply(client, finish_answer(buffer_, r.stored.size(), q, query, settings_.edns, limit),
          QueryOutcome::cached);  // from the validated cache's NSEC records
    return true;
}

void ResolverEngine::start_trace_validation(std::uint64_t trace_id, RecursionResult res, TimePoint now) {
    const DnssecPolicy& p = settings_.dnssec;
    std::uint64_t id = res.id;
    std::vector<KeptResponse> responses = res.responses;
    std::vector<KeptResponse> referrals = res.referrals;
    std::uint16_t qtype = responses.back().qtype;
    trace_validations_[id] = std::make_unique<TraceValidation>(
        trace_id, p.context, std::move(res),
        ValidationJob(*p.context, std::move(responses), qtype, static_cast<std::uint32_t>(p.wall()),
                      p.clock_is_trusted(), std::move(referrals)));
    continue_trace_validation(id, now);
}

void ResolverEngine::continue_trace_validation(std::uint64_t id, TimePoint now) {
    auto it = trace_validations_.find(id);
    if (it == trace_validations_.end()) return;
    TraceValidation& tv = *it->second;
    ChainFetch f = tv.job.next(now);
    if (f.kind != ChainFetch::Kind::none) {
        std::uint64_t fetch = next_id_++;
        fetch_owner_[fetch] = id;
        iterator_->start(fetch, f.name, f.kind == ChainFetch::Kind::ds ? dns::type::DS : dns::type::DNSKEY,
                         now, false, false, true);
        return;  // drain_iterator takes its result
    }
    const Verdict& v = tv.job.verdict();
    RecursionResult res = std::move(tv.result);
    res.dnssec = security_name(v.security);
    res.dnssec_why = v.reason;
    if (!tv.job.failed_zone().empty()) res.dnssec_why += " (" + name_to_text(tv.job.failed_zone()) + ")";
    if (v.is_secure() && !settings_.dnssec.clock_is_trusted())
        res.dnssec_why += "; no AD: the clock is not trusted, signature dates were not checked";
    res.dnssec_fetches = tv.job.fetches();
    std::uint64_t trace_id = tv.trace_id;
    trace_validations_.erase(it);
    io_.trace_finished(trace_id, res);
}

}  // namespace lanlord
