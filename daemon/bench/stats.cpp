#include "daemon/bench/stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace lanlord::bench {

double percentile_nearest_rank(const std::vector<double>& sorted, double p) {
    // rank = ceil(p/100 * n), 1-based; computed on p*n first so that e.g.
    // 95 % of 20 samples is rank 19 exactly, not 19.000000000000004 -> 20.
    const double n = static_cast<double>(sorted.size());
    double rank = std::ceil(p * n / 100.0 - 1e-9);
    std::size_t index = rank < 1 ? 0 : static_cast<std::size_t>(rank) - 1;
    return sorted[std::min(index, sorted.size() - 1)];
}

PhaseStats summarize(const PhaseSamples& samples) {
    PhaseStats s;
    s.sent = samples.sent;
    s.answered = static_cast<unsigned>(samples.latencies_ms.size());
    s.lost = s.sent > s.answered ? s.sent - s.answered : 0;
    s.lost_pct = s.sent == 0 ? 0.0 : 100.0 * s.lost / s.sent;
    s.rcodes = samples.rcodes;
    s.ad = samples.ad;
    s.truncated = samples.truncated;
    s.sorted_ms = samples.latencies_ms;
    std::sort(s.sorted_ms.begin(), s.sorted_ms.end());
    s.latency = summarize_latencies(s.sorted_ms);
    return s;
}

std::optional<LatencySummary> summarize_latencies(std::vector<double> v) {
    if (v.empty()) return std::nullopt;
    std::sort(v.begin(), v.end());
    const double n = static_cast<double>(v.size());
    LatencySummary l;
    l.min = v.front();
    l.max = v.back();
    l.p50 = percentile_nearest_rank(v, 50);
    l.p95 = percentile_nearest_rank(v, 95);
    l.p99 = percentile_nearest_rank(v, 99);
    l.mean = std::accumulate(v.begin(), v.end(), 0.0) / n;
    if (v.size() > 1) {
        double sq = 0;
        for (double x : v) sq += (x - l.mean) * (x - l.mean);
        l.stddev = std::sqrt(sq / (n - 1));
    }
    return l;
}

TlsResult summarize_tls(const TlsSamples& samples, unsigned answers) {
    TlsResult t;
    t.handshakes = static_cast<unsigned>(samples.full_ms.size() + samples.resumed_ms.size());
    t.failures = samples.failures;
    t.query_connections = samples.query_connections;
    t.closed_by_server = samples.closed_by_server;
    t.resumption_offered = samples.resumption_offered;
    t.resumed = static_cast<unsigned>(samples.resumed_ms.size());
    t.full = summarize_latencies(samples.full_ms);
    t.resumed_latency = summarize_latencies(samples.resumed_ms);
    t.tcp = summarize_latencies(samples.tcp_ms);
    t.queries_per_connection =
        samples.query_connections == 0 ? 0.0 : static_cast<double>(answers) / samples.query_connections;
    t.version = samples.version;
    t.error = samples.error;
    t.gave_up = samples.gave_up;
    t.unsent = samples.unsent;
    return t;
}

}  // namespace lanlord::bench
