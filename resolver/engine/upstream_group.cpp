#include "resolver/engine/upstream_group.h"

#include <algorithm>

#include "common/hash.h"

namespace lanlord {

UpstreamGroup::UpstreamGroup(std::string name, std::string egress_interface, SelectionTuning tuning)
    : name_(std::move(name)),
      interface_(std::move(egress_interface)),
      tag_(static_cast<std::uint16_t>(seeded_hash(name_, 0x6c616e6c6f7264ULL))),
      tuning_(tuning) {}

std::vector<ServerHealth> UpstreamGroup::servers() const {
    std::lock_guard lock(mu_);
    return servers_;
}

std::size_t UpstreamGroup::size() const {
    std::lock_guard lock(mu_);
    return servers_.size();
}

Endpoint UpstreamGroup::endpoint(std::size_t i) const {
    std::lock_guard lock(mu_);
    return i < servers_.size() ? servers_[i].endpoint : Endpoint{};
}

std::optional<std::size_t> UpstreamGroup::find(const Endpoint& ep, std::size_t hint) const {
    std::lock_guard lock(mu_);
    if (hint < servers_.size() && servers_[hint].endpoint == ep) return hint;
    for (std::size_t i = 0; i < servers_.size(); ++i)
        if (servers_[i].endpoint == ep) return i;
    return std::nullopt;
}

void UpstreamGroup::on_abandoned(std::size_t i) {
    std::lock_guard lock(mu_);
    if (i < servers_.size()) servers_[i].probe_in_flight = false;
}

std::shared_ptr<UpstreamGroup> UpstreamGroups::obtain(const std::string& name, const std::string& interface,
                                                      const SelectionTuning& tuning) {
    std::lock_guard lock(mu_);
    auto& slot = groups_[{name, interface}];
    if (!slot) slot = std::make_shared<UpstreamGroup>(name, interface, tuning);
    return slot;
}

void UpstreamGroup::set_servers(const std::vector<Endpoint>& configured,
                                const std::vector<Endpoint>& from_resolv_conf,
                                const std::vector<Endpoint>& self,
                                const std::vector<std::pair<Endpoint, TlsAuth>>& tls) {
    std::lock_guard lock(mu_);
    std::vector<ServerHealth> next;
    auto add = [&](const Endpoint& ep, bool dynamic) {
        if (std::find(self.begin(), self.end(), ep) != self.end()) return;
        for (const auto& s : next)
            if (s.endpoint == ep) return;
        if (next.size() >= 64) return;  // `tried` is a 64-bit mask; more is not a home network
        auto old =
            std::find_if(servers_.begin(), servers_.end(), [&](const auto& s) { return s.endpoint == ep; });
        ServerHealth h = old != servers_.end() ? *old : ServerHealth{};
        h.endpoint = ep;
        h.from_resolv_conf = dynamic;
        auto t = dynamic ? tls.end() : std::find_if(tls.begin(), tls.end(), [&](const auto& entry) {
            return entry.first == ep;
        });
        if (t == tls.end()) {
            h.tls = nullptr;
            h.tls_stats = nullptr;
        } else if (!h.tls || *h.tls != t->second) {
            h.tls = std::make_shared<const TlsAuth>(t->second);
            h.tls_stats = std::make_shared<TlsServerStats>();
        }
        next.push_back(h);
    };
    for (const auto& ep : configured) add(ep, false);
    for (const auto& ep : from_resolv_conf) add(ep, true);
    servers_ = std::move(next);
}

std::shared_ptr<const TlsAuth> UpstreamGroup::tls(std::size_t i,
                                                  std::shared_ptr<TlsServerStats>& stats) const {
    std::lock_guard lock(mu_);
    if (i >= servers_.size()) return nullptr;
    stats = servers_[i].tls_stats;
    return servers_[i].tls;
}

Duration UpstreamGroup::rto(std::size_t i) const {
    std::lock_guard lock(mu_);
    if (i >= servers_.size()) return tuning_.max_rto;
    const ServerHealth& s = servers_[i];
    Duration base = s.srtt == Duration::zero() ? tuning_.initial_rto : s.srtt + 4 * s.rttvar;
    return std::clamp(base, tuning_.min_rto, tuning_.max_rto);
}

Duration UpstreamGroup::probe_rto(std::size_t i) const {
    Duration base = rto(i);
    std::lock_guard lock(mu_);
    unsigned failures = i < servers_.size() ? servers_[i].consecutive_failures : 0;
    for (unsigned k = 0; k < std::min(failures, 4u); ++k) base *= 2;
    return std::min(base, tuning_.max_rto);
}

std::optional<std::size_t> UpstreamGroup::pick(TimePoint now, std::uint64_t tried) const {
    std::lock_guard lock(mu_);
    std::optional<std::size_t> best;
    auto better = [&](std::size_t a, std::size_t b) {
        const ServerHealth &x = servers_[a], &y = servers_[b];
        bool xb = now < x.backoff_until, yb = now < y.backoff_until;
        if (xb != yb) return !xb;
        if (xb) return x.backoff_until < y.backoff_until;  // all backed off: the one free soonest
        // A server out of backoff but not yet proven alive is probed in
        // parallel (probe_candidate), not made the one a client waits on.
        bool xf = x.consecutive_failures > 0, yf = y.consecutive_failures > 0;
        if (xf != yf) return !xf;
        // Unmeasured servers first (so every server gets measured), then by RTT.
        return x.srtt < y.srtt;
    };
    for (std::size_t i = 0; i < servers_.size(); ++i) {
        if (tried & (std::uint64_t{1} << i)) continue;
        if (!best || better(i, *best)) best = i;
    }
    return best;
}

std::optional<std::size_t> UpstreamGroup::probe_candidate(TimePoint now, std::uint64_t tried) const {
    std::lock_guard lock(mu_);
    for (std::size_t i = 0; i < servers_.size(); ++i) {
        const ServerHealth& s = servers_[i];
        if (tried & (std::uint64_t{1} << i)) continue;
        if (s.consecutive_failures > 0 && now >= s.backoff_until && !s.probe_in_flight) return i;
    }
    return std::nullopt;
}

SendStamp UpstreamGroup::on_sent(std::size_t i, bool probe) {
    std::lock_guard lock(mu_);
    if (i >= servers_.size()) return {};
    ServerHealth& s = servers_[i];
    ++s.queries;
    if (probe) s.probe_in_flight = true;
    return {s.answers, s.held_failures};
}

void UpstreamGroup::on_answer(std::size_t i, Duration rtt, bool probe) {
    std::lock_guard lock(mu_);
    if (i >= servers_.size()) return;
    ServerHealth& s = servers_[i];
    ++s.answers;
    s.rtt_histogram.record(rtt);
    if (probe) s.probe_in_flight = false;
    s.consecutive_failures = 0;
    s.backoff_until = {};
    if (s.srtt == Duration::zero()) {  // RFC 6298 2.2
        s.srtt = std::max(rtt, Duration(1));
        s.rttvar = rtt / 2;
    } else {  // RFC 6298 2.3, alpha 1/8, beta 1/4
        Duration diff = s.srtt > rtt ? s.srtt - rtt : rtt - s.srtt;
        s.rttvar = (3 * s.rttvar + diff) / 4;
        s.srtt = std::max((7 * s.srtt + rtt) / 8, Duration(1));
    }
}

void UpstreamGroup::on_failure(std::size_t i, TimePoint now, bool timeout, bool probe) {
    std::lock_guard lock(mu_);
    if (i >= servers_.size()) return;
    ServerHealth& s = servers_[i];
    ++s.failures;
    if (timeout) ++s.timeouts;
    if (probe) s.probe_in_flight = false;
    ++s.consecutive_failures;
    ++s.held_failures;
    Duration backoff = tuning_.first_backoff;
    for (unsigned k = 1; k < s.consecutive_failures && backoff < tuning_.max_backoff; ++k) backoff *= 2;
    s.backoff_until = now + std::min(backoff, tuning_.max_backoff);
}

void UpstreamGroup::on_timeout(std::size_t i, TimePoint now, bool probe, SendStamp stamp) {
    {
        std::lock_guard lock(mu_);
        if (i >= servers_.size()) return;
        ServerHealth& s = servers_[i];
        if (s.answers != stamp.answers || s.held_failures != stamp.held_failures) {
            // It answered since (the datagram was lost on the way), or this
            // silence is already held against it: no further backoff.
            ++s.failures;
            ++s.timeouts;
            if (probe) s.probe_in_flight = false;
            return;
        }
    }
    on_failure(i, now, true, probe);
}

}  // namespace lanlord
