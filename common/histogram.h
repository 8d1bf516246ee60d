// A latency histogram with fixed bucket bounds, for lanlordctl stats and the
// Prometheus /metrics endpoint (cumulative "le" buckets are derived when it is
// rendered). Recording is a short scan and two adds: no allocation, no lock
// (each engine thread owns its own; readers sum snapshots).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>

namespace lanlord {

class LatencyHistogram {
  public:
    // Upper bounds in microseconds: from a cache hit (tens of µs) to a
    // transaction's whole timeout (seconds). The last bucket is +Inf.
    static constexpr std::array<std::uint32_t, 15> kBoundsUs = {100,    250,    500,     1000,    2500,
                                                                5000,   10000,  25000,   50000,   100000,
                                                                250000, 500000, 1000000, 2500000, 5000000};
    static constexpr std::size_t kBuckets = kBoundsUs.size() + 1;

    void record(std::chrono::nanoseconds d) {
        auto us = d.count() <= 0 ? 0 : static_cast<std::uint64_t>(d.count()) / 1000;
        std::size_t i = 0;
        while (i < kBoundsUs.size() && us > kBoundsUs[i]) ++i;
        ++counts_[i];
        ++count_;
        sum_us_ += us;
    }
    void add(const LatencyHistogram& other) {
        for (std::size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
        count_ += other.count_;
        sum_us_ += other.sum_us_;
    }

    // Per bucket (not cumulative); index kBoundsUs.size() is the +Inf bucket.
    std::uint64_t bucket(std::size_t i) const { return counts_[i]; }
    std::uint64_t count() const { return count_; }
    std::uint64_t sum_us() const { return sum_us_; }

  private:
    std::array<std::uint64_t, kBuckets> counts_{};
    std::uint64_t count_ = 0, sum_us_ = 0;
};

}  // namespace lanlord
