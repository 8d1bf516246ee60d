#include <catch2/catch.hpp>

#include "daemon/bench/stats.h"

using namespace lanlord::bench;

TEST_CASE("bench stats: nearest-rank percentiles are measured values") {
    std::vector<double> ten = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    CHECK(percentile_nearest_rank(ten, 50) == 5);
    CHECK(percentile_nearest_rank(ten, 10) == 1);
    CHECK(percentile_nearest_rank(ten, 11) == 2);
    CHECK(percentile_nearest_rank(ten, 95) == 10);
    CHECK(percentile_nearest_rank(ten, 100) == 10);

    std::vector<double> twenty;
    for (int i = 1; i <= 20; ++i) twenty.push_back(i);
    CHECK(percentile_nearest_rank(twenty, 95) == 19);  // 0.95 * 20 = 19 exactly, not rounded up to 20
    CHECK(percentile_nearest_rank(twenty, 99) == 20);

    std::vector<double> hundred;
    for (int i = 1; i <= 100; ++i) hundred.push_back(i);
    CHECK(percentile_nearest_rank(hundred, 50) == 50);
    CHECK(percentile_nearest_rank(hundred, 95) == 95);
    CHECK(percentile_nearest_rank(hundred, 99) == 99);

    std::vector<double> one = {7.5};
    CHECK(percentile_nearest_rank(one, 1) == 7.5);
    CHECK(percentile_nearest_rank(one, 99) == 7.5);
}

TEST_CASE("bench stats: loss, mean and sample standard deviation") {
    PhaseSamples s;
    s.sent = 10;
    s.latencies_ms = {9, 2, 4, 4, 5, 5, 7, 4};  // unsorted on purpose
    s.rcodes[0] = 6;
    s.rcodes[3] = 2;
    s.ad = 1;
    auto st = summarize(s);
    CHECK(st.sent == 10);
    CHECK(st.answered == 8);
    CHECK(st.lost == 2);
    CHECK(st.lost_pct == Approx(20.0));
    REQUIRE(st.latency);
    CHECK(st.latency->min == 2);
    CHECK(st.latency->max == 9);
    CHECK(st.latency->mean == Approx(5.0));
    CHECK(st.latency->stddev == Approx(std::sqrt(32.0 / 7.0)));
    CHECK(st.latency->p50 == 4);
    CHECK(st.sorted_ms == std::vector<double>{2, 4, 4, 4, 5, 5, 7, 9});
    CHECK(st.rcodes.at(3) == 2);
    CHECK(st.ad == 1);
}

TEST_CASE("bench stats: no answers means no latency, not zero latency") {
    PhaseSamples s;
    s.sent = 5;
    auto st = summarize(s);
    CHECK(st.answered == 0);
    CHECK(st.lost == 5);
    CHECK(st.lost_pct == Approx(100.0));
    CHECK_FALSE(st.latency);

    auto none = summarize(PhaseSamples{});
    CHECK(none.lost_pct == 0);
    CHECK_FALSE(none.latency);

    PhaseSamples single;
    single.sent = 1;
    single.latencies_ms = {3.25};
    auto one = summarize(single);
    REQUIRE(one.latency);
    CHECK(one.latency->stddev == 0);
    CHECK(one.latency->p99 == 3.25);
}

TEST_CASE("bench stats: RCODE names") {
    CHECK(rcode_name(0) == "NOERROR");
    CHECK(rcode_name(3) == "NXDOMAIN");
    CHECK(rcode_name(5) == "REFUSED");
    CHECK(rcode_name(15) == "RCODE15");
}
