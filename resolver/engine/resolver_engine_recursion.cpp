// ResolverEngine's side of the recursive mode: the iterator's finished
// resolutions handed to their transactions, traces, priming at start.
#include "resolver/engine/resolver_engine.h"

#include "resolver/engine/resolver_engine_state.h"

#include <algorithm>

#include "common/byte_cursor.h"
#include "common/dns_name.h"
#include "resolver/wire/answer_splice.h"
#include "resolver/wire/answer_text.h"
#include "resolver/wire/dns_constants.h"

namespace lanlord {

void ResolverEngine::drain_iterator(TimePoint now) {
    // A result may start another resolution (a DS or DNSKEY fetch) that
    // finishes at once from the cache: drained in the same call.
    for (unsigned rounds = 0; iterator_ && iterator_->has_results() && rounds < 64; ++rounds)
        for (RecursionResult& res : iterator_->take_results()) {
            ++stats_.recursions;
            stats_.recursion_queries += res.queries;
            if (auto f = fetch_owner_.find(res.id); f != fetch_owner_.end()) {
                std::uint64_t txn = f->second;
                fetch_owner_.erase(f);
                on_fetch_result(txn, res, now);
                continue;
            }
            if (auto tr = traces_.find(res.id); tr != traces_.end()) {
                std::uint64_t trace_id = tr->second;
                traces_.erase(tr);
                io_.trace_finished(trace_id, res);
                continue;
            }
            auto it = transactions_.find(res.id);
            if (it == transactions_.end()) continue;  // ended meanwhile (deadline)
            Transaction& t = *it->second;
            if (res.ok && validates(t)) {
                start_validation(t, res, now);
                continue;
            }
            if (res.ok) {
                ScannedResponse r;
                if (scan_response(res.message, t.qname, t.qtype, t.qclass, settings_.ttl, r) ==
                    ScanStatus::ok) {
                    complete(t, &r, now);
                    continue;
                }
                res.ede_text = "internal error: unreadable result";
            }
            ++stats_.recursion_failures;
            t.ede_code = res.ede_code;
            t.ede_text = std::move(res.ede_text);
            complete(t, nullptr, now);
        }
}

bool ResolverEngine::validates(const Transaction& t) const {
    const DnssecPolicy& p = settings_.dnssec;
    return t.recursive && p.enabled() && !t.checking_disabled && !p.under_negative_anchor(t.qname);
}

void ResolverEngine::start_validation(Transaction& t, RecursionResult& res, TimePoint now) {
    const DnssecPolicy& p = settings_.dnssec;
    bool trusted = p.clock_is_trusted();
    auto v =
        std::make_unique<Validation>(Validation{p.context,
                                                ValidationJob(*p.context, std::move(res.responses), t.qtype,
                                                              static_cast<std::uint32_t>(p.wall()), trusted),
                                                std::move(res.message), 0, trusted});
    validations_[t.id] = std::move(v);
    continue_validation(t, now);
}

void ResolverEngine::on_fetch_result(std::uint64_t txn_id, const RecursionResult& res, TimePoint now) {
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
        std::uint64_t id = next_id_++;
        v.fetch = id;
        fetch_owner_[id] = t.id;
        ++stats_.dnssec_fetches;
        iterator_->start(id, f.name, f.kind == ChainFetch::Kind::ds ? dns::type::DS : dns::type::DNSKEY, now,
                         false, false, true);
        return;  // drain_iterator takes its result, now or later
    }
    const Verdict& verdict = v.job.verdict();
    ++stats_.dnssec_verdicts[static_cast<std::size_t>(verdict.security) & 3];
    std::vector<std::uint8_t> message = std::move(v.message);
    bool dates_checked = v.dates_checked;
    std::string zone = v.job.failed_zone();
    validations_.erase(it);
    if (verdict.is_bogus()) {
        std::string text =
            std::string(verdict.reason) + (zone.empty() ? "" : " (" + name_to_text(zone) + ")");
        LANLORD_WARN_LIMITED(dnssec_warnings_, now, "DNSSEC: {} {} is bogus: {}", name_to_text(t.qname),
                             type_to_text(t.qtype), text);
        ++stats_.recursion_failures;
        t.ede_code = verdict.ede == ede::none ? ede::dnssec_bogus : verdict.ede;
        t.ede_text = std::move(text);
        t.bogus = true;
        bogus_.store(t.key, {now + seconds(KeyCache::kBogusTtl), t.ede_code, t.ede_text}, now);
        return complete(t, nullptr, now);
    }
    if (verdict.is_secure() && dates_checked && message.size() >= dns::kHeaderSize)
        message[3] = static_cast<std::uint8_t>(message[3] | dns::flag::AD);
    ScannedResponse r;
    if (scan_response(message, t.qname, t.qtype, t.qclass, settings_.ttl, r) == ScanStatus::ok)
        return complete(t, &r, now);
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
        fetch_owner_.erase(f);
        if (iterator_) iterator_->cancel(f);
    }
    validations_.erase(it);
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

void ResolverEngine::prime(TimePoint now) {
    now_ = now;
    if (!iterator_) return;
    // A resolution of ". NS" without a transaction: its result is dropped by
    // drain_iterator, what it learns stays in the record cache.
    iterator_->start(next_id_++, std::string(1, '\0'), dns::type::NS, now);
    drain_iterator(now);
}

bool ResolverEngine::start_trace(std::uint64_t trace_id, std::string_view qname, std::uint16_t qtype,
                                 TimePoint now) {
    now_ = now;
    if (!iterator_) return false;
    std::uint64_t id = next_id_++;
    traces_[id] = trace_id;
    iterator_->start(id, qname, qtype, now, true);
    drain_iterator(now);
    return true;
}

}  // namespace lanlord
