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
                const DnssecPolicy& p = settings_.dnssec;
                if (res.ok && p.enabled() && p.recursive && !res.responses.empty()) {
                    start_trace_validation(trace_id, std::move(res), now);
                    continue;
                }
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
            if (res.ok && t.dnssec_ok && !res.responses.empty()) {
                // Not validated (CD, a negative trust anchor): the RRSIGs
                // still go to the client that asked for them.
                if (std::vector<std::uint8_t> s = signed_message(res.responses, t.qname, t.qtype); !s.empty())
                    res.message = std::move(s);
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
    const DnssecPolicy& p = settings_.dnssec;
    iterator_->start(id, qname, qtype, now, true, false, p.enabled() && p.recursive);
    drain_iterator(now);
    return true;
}

}  // namespace lanlord
