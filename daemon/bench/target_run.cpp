#include "daemon/bench/target_run.h"

#include <algorithm>
#include <cmath>

#include "daemon/bench/probe_wire.h"
#include "daemon/bench/stats.h"

namespace lanlord::bench {

TargetRun::TargetRun(Target target, JobPlan plan, const BenchSettings& settings, Random random,
                     TimePoint start)
    : target_(std::move(target)),
      settings_(settings),
      random_(std::move(random)),
      interval_(std::chrono::duration_cast<Duration>(std::chrono::duration<double>(1.0 / settings.rate))),
      next_send_(start),
      before_(plan.before.begin(), plan.before.end()),
      measured_(plan.measured.begin(), plan.measured.end()),
      planned_(planned_queries(plan)) {}

bool TargetRun::can_send() const {
    if (stopped_) return false;
    if (!before_.empty()) return true;
    return before_outstanding_ == 0 && !measured_.empty();
}

std::uint16_t TargetRun::fresh_id() {
    // Random (RFC 5452), and unique among the queries still out so that an
    // answer can only belong to one of them.
    for (;;) {
        auto id = static_cast<std::uint16_t>(random_());
        bool used = std::any_of(outstanding_.begin(), outstanding_.end(),
                                [id](const Outstanding& o) { return o.id == id; });
        if (!used) return id;
    }
}

std::vector<std::uint8_t> TargetRun::next_query(TimePoint now) {
    if (!can_send()) return {};
    bool before = !before_.empty();
    std::deque<Job>& queue = before ? before_ : measured_;
    Job job = std::move(queue.front());
    queue.pop_front();
    std::uint16_t id = fresh_id();
    auto wire = build_query(job.qname, job.qtype, id);
    if (job.kind == JobKind::cached || job.kind == JobKind::uncached) ++samples_for(job.kind).sent;
    if (before) ++before_outstanding_;
    ++sent_total_;
    outstanding_.push_back({id, std::move(job), now, now + settings_.timeout});
    next_send_ = now + interval_;
    return wire;
}

void TargetRun::record_answer(const Outstanding& q, const ParsedResponse& r, TimePoint now) {
    if (r.ad) any_ad_ = true;
    switch (q.job.kind) {
        case JobKind::hijack_probe:
            // NOERROR with an address for a name that cannot exist. Any
            // other answer (NXDOMAIN, REFUSED, SERVFAIL) is no lie.
            if (r.rcode == 0 && r.a_records > 0) {
                if (hijack_ != Tri::yes && r.first_a) hijack_address_ = r.first_a->to_string();
                hijack_ = Tri::yes;
            } else if (hijack_ == Tri::unknown) {
                hijack_ = Tri::no;
            }
            break;
        case JobKind::dnssec_probe:
            dnssec_probe_answered_ = true;
            break;
        case JobKind::warmup:
            break;
        case JobKind::cached:
        case JobKind::uncached: {
            PhaseSamples& s = samples_for(q.job.kind);
            s.latencies_ms.push_back(std::chrono::duration<double, std::milli>(now - q.sent_at).count());
            ++s.rcodes[r.rcode];
            if (r.ad) ++s.ad;
            if (r.tc) ++s.truncated;
            break;
        }
    }
}

DatagramVerdict TargetRun::on_datagram(std::span<const std::uint8_t> msg, const Endpoint& from,
                                       TimePoint now) {
    if (from != target_.endpoint) return DatagramVerdict::wrong_source;
    ParsedResponse r;
    if (parse_response(msg, r) != ParseStatus::ok) return DatagramVerdict::malformed;
    auto it = std::find_if(outstanding_.begin(), outstanding_.end(), [&](const Outstanding& o) {
        return answers_query(r, o.id, o.job.qname, o.job.qtype);
    });
    if (it == outstanding_.end()) return DatagramVerdict::unmatched;  // late, duplicate or spoofed
    Outstanding q = std::move(*it);
    outstanding_.erase(it);
    if (q.job.kind != JobKind::cached && q.job.kind != JobKind::uncached) --before_outstanding_;
    record_answer(q, r, now);
    ++settled_;
    ++answered_total_;
    return DatagramVerdict::answered;
}

void TargetRun::expire(TimePoint now) {
    for (std::size_t i = 0; i < outstanding_.size();) {
        if (outstanding_[i].deadline > now) {
            ++i;
            continue;
        }
        Outstanding q = std::move(outstanding_[i]);
        outstanding_.erase(outstanding_.begin() + static_cast<std::ptrdiff_t>(i));
        bool measured = q.job.kind == JobKind::cached || q.job.kind == JobKind::uncached;
        if (!measured) --before_outstanding_;
        unsigned attempts =
            q.job.kind == JobKind::warmup ? settings_.warmup_attempts : settings_.probe_attempts;
        if (!measured && !stopped_ && q.job.attempt + 1 < attempts) {
            ++q.job.attempt;
            before_.push_back(std::move(q.job));  // asked again before the barrier opens
        } else {
            ++settled_;  // measured: counted as lost by sent - answered
        }
    }
}

std::size_t TargetRun::stop_sending() {
    std::size_t unsent = measured_.size();
    stopped_ = true;
    before_.clear();
    measured_.clear();
    return unsent;
}

std::optional<TimePoint> TargetRun::wake_time() const {
    std::optional<TimePoint> t;
    if (can_send()) t = next_send_;
    for (const auto& o : outstanding_)
        if (!t || o.deadline < *t) t = o.deadline;
    return t;
}

std::optional<TimePoint> TargetRun::deadline_time() const {
    std::optional<TimePoint> t;
    for (const auto& o : outstanding_)
        if (!t || o.deadline < *t) t = o.deadline;
    return t;
}

TargetResult TargetRun::result() const {
    TargetResult out;
    out.target = target_;
    out.cached = summarize(cached_);
    out.uncached = summarize(uncached_);
    out.nxdomain_hijack = hijack_;
    out.hijack_address = hijack_address_;
    bool answered = dnssec_probe_answered_ || out.cached.answered > 0 || out.uncached.answered > 0;
    out.sets_ad = any_ad_ ? Tri::yes : answered ? Tri::no : Tri::unknown;
    return out;
}

}  // namespace lanlord::bench
