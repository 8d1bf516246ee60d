// Statistics of one phase: loss and the latency distribution of the answers.
//
// Percentiles are by nearest rank on the sorted samples (the smallest sample
// with at least p % of the samples at or below it): every reported value is
// a latency that was really measured, and with few samples p99 is simply the
// largest one rather than an interpolation between two measurements.
#pragma once

#include <optional>
#include <vector>

#include "daemon/bench/bench_types.h"

namespace lanlord::bench {

// `sorted` ascending and not empty; p in (0, 100].
double percentile_nearest_rank(const std::vector<double>& sorted, double p);

// Loss = sent - answered (the run is over: every query was answered or timed
// out). Standard deviation is the sample one (n - 1), 0 for a single answer.
PhaseStats summarize(const PhaseSamples& samples);

// min/percentiles/mean/stddev of `samples` (any order); nullopt when empty.
std::optional<LatencySummary> summarize_latencies(std::vector<double> samples);

// A DoT target's connection figures; `answers` is what its query
// connections carried (both phases, probes and warm-up included).
TlsResult summarize_tls(const TlsSamples& samples, unsigned answers);

}  // namespace lanlord::bench
