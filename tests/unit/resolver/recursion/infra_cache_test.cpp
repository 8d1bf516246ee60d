#include <catch2/catch.hpp>

#include <algorithm>

#include "resolver/recursion/infra_cache.h"
#include "support/dns_builder.h"

using namespace lanlord;
using namespace lanlord::test;

namespace {
const TimePoint kT0 = TimePoint{} + seconds(10000);

IpAddress ip(const char* text) {
    return *IpAddress::parse(text);
}

constexpr Duration us(long long n) {
    return std::chrono::microseconds(n);
}
}  // namespace

TEST_CASE("infra_cache: a server never measured is expected at kUnknownRtt", "[recursion]") {
    InfraCache infra;
    IpAddress a = ip("192.0.2.1");
    CHECK(InfraCache::kUnknownRtt == milliseconds(376));
    CHECK(infra.expected(a, kT0) == InfraCache::kUnknownRtt);
    CHECK(infra.rto(a, kT0) == InfraCache::kUnknownRtt);
    CHECK_FALSE(infra.held(a, kT0));
    ServerState s = infra.get(a, kT0);
    CHECK_FALSE(s.measured);
    CHECK(s.timeouts_in_row == 0);
    CHECK_FALSE(s.no_edns);
    CHECK_FALSE(s.no_0x20);
    CHECK(infra.size() == 0);  // asking creates nothing

    // Still unknown after failures; timeouts double even an unknown RTO.
    infra.on_failure(a, kT0);
    CHECK(infra.get(a, kT0).failures == 1);
    CHECK(infra.expected(a, kT0) == InfraCache::kUnknownRtt);
    infra.on_timeout(a, kT0);
    CHECK(infra.rto(a, kT0) == 2 * InfraCache::kUnknownRtt);
}

TEST_CASE("infra_cache: RFC 6298 srtt, rttvar and RTO", "[recursion]") {
    InfraCache infra;
    IpAddress a = ip("192.0.2.1");
    // First sample (2.2): SRTT = R, RTTVAR = R/2, RTO = SRTT + 4 RTTVAR.
    infra.on_answer(a, milliseconds(100), kT0);
    ServerState s = infra.get(a, kT0);
    CHECK(s.measured);
    CHECK(s.srtt == milliseconds(100));
    CHECK(s.rttvar == milliseconds(50));
    CHECK(infra.rto(a, kT0) == milliseconds(300));
    CHECK(infra.expected(a, kT0) == milliseconds(100));  // selection ranks by srtt

    // Later samples (2.3): RTTVAR from the old SRTT first, then SRTT.
    // RTTVAR = 3/4 * 50 + 1/4 * |100 - 200| = 62.5; SRTT = 7/8 * 100 + 1/8 * 200 = 112.5.
    infra.on_answer(a, milliseconds(200), kT0);
    s = infra.get(a, kT0);
    CHECK(s.rttvar == us(62500));
    CHECK(s.srtt == us(112500));
    CHECK(infra.rto(a, kT0) == us(112500 + 4 * 62500));

    // RTTVAR = 3/4 * 62.5 + 1/4 * |112.5 - 50| = 62.5; SRTT = 7/8 * 112.5 + 1/8 * 50 = 104.6875.
    infra.on_answer(a, milliseconds(50), kT0);
    s = infra.get(a, kT0);
    CHECK(s.rttvar == us(62500));
    CHECK(s.srtt == std::chrono::nanoseconds(104687500));
    CHECK(infra.rto(a, kT0) == std::chrono::nanoseconds(104687500 + 250000000));
    CHECK(s.answers == 3);

    // A measured fast server ranks before an unknown one, an unknown one before a slow one.
    IpAddress slow = ip("192.0.2.2");
    infra.on_answer(slow, milliseconds(900), kT0);
    IpAddress unknown = ip("192.0.2.3");
    CHECK(infra.expected(a, kT0) < infra.expected(unknown, kT0));
    CHECK(infra.expected(unknown, kT0) < infra.expected(slow, kT0));
}

TEST_CASE("infra_cache: servers below kMinRto still rank by their RTT", "[recursion]") {
    InfraCache infra;
    IpAddress fast = ip("192.0.2.1"), slower = ip("192.0.2.2");
    infra.on_answer(fast, milliseconds(4), kT0);
    infra.on_answer(slower, milliseconds(9), kT0);
    CHECK(infra.rto(fast, kT0) == infra.rto(slower, kT0));  // both at the floor
    CHECK(infra.expected(fast, kT0) < infra.expected(slower, kT0));
}

TEST_CASE("infra_cache: RTO kept within [kMinRto, kMaxRto]", "[recursion]") {
    InfraCache infra;
    IpAddress fast = ip("192.0.2.1"), slow = ip("192.0.2.2");
    infra.on_answer(fast, milliseconds(1), kT0);  // 1 + 4 * 0.5 = 3 ms
    CHECK(infra.rto(fast, kT0) == InfraCache::kMinRto);
    CHECK(InfraCache::kMinRto == milliseconds(50));
    infra.on_answer(slow, milliseconds(2000), kT0);  // 2000 + 4 * 1000 ms
    CHECK(infra.rto(slow, kT0) == InfraCache::kMaxRto);
    CHECK(InfraCache::kMaxRto == seconds(3));
}

TEST_CASE("infra_cache: timeouts double the RTO, kDeadAfter in a row hold the address", "[recursion]") {
    InfraCache infra;
    IpAddress a = ip("2001:db8::1");
    infra.on_answer(a, milliseconds(100), kT0);  // RTO 300 ms
    TimePoint now = kT0;
    infra.on_timeout(a, now);
    CHECK(infra.rto(a, now) == milliseconds(600));
    infra.on_timeout(a, now);
    CHECK(infra.rto(a, now) == milliseconds(1200));
    infra.on_timeout(a, now);
    CHECK(infra.rto(a, now) == milliseconds(2400));
    CHECK(infra.expected(a, now) == milliseconds(800));  // srtt 100 ms, doubled per timeout
    CHECK_FALSE(infra.held(a, now));
    REQUIRE(InfraCache::kDeadAfter == 4);
    infra.on_timeout(a, now);
    CHECK(infra.rto(a, now) == InfraCache::kMaxRto);
    CHECK(infra.get(a, now).timeouts_in_row == 4);

    // Held 1 s after the fourth, then 2 s, 4 s, ...
    CHECK(infra.held(a, now));
    CHECK(infra.held(a, now + milliseconds(999)));
    CHECK_FALSE(infra.held(a, now + seconds(1)));
    now += seconds(1);
    infra.on_timeout(a, now);
    CHECK(infra.held(a, now + milliseconds(1999)));
    CHECK_FALSE(infra.held(a, now + seconds(2)));
    now += seconds(2);
    infra.on_timeout(a, now);
    CHECK(infra.held(a, now + milliseconds(3999)));
    CHECK_FALSE(infra.held(a, now + seconds(4)));
    // ... at most kMaxHold.
    for (int i = 0; i < 20; ++i) infra.on_timeout(a, now);
    CHECK(infra.held(a, now + InfraCache::kMaxHold - milliseconds(1)));
    CHECK_FALSE(infra.held(a, now + InfraCache::kMaxHold));
    CHECK(infra.get(a, now).timeouts == 26);

    // An answer clears it all, and the RTO is the estimator's again.
    infra.on_answer(a, milliseconds(100), now);
    CHECK_FALSE(infra.held(a, now));
    ServerState s = infra.get(a, now);
    CHECK(s.timeouts_in_row == 0);
    CHECK(s.timeouts == 26);
    CHECK(infra.rto(a, now) == s.srtt + 4 * s.rttvar);

    // Timeouts not in a row never hold.
    IpAddress b = ip("192.0.2.9");
    for (int i = 0; i < 10; ++i) {
        infra.on_timeout(b, now);
        infra.on_timeout(b, now);
        infra.on_timeout(b, now);
        infra.on_answer(b, milliseconds(20), now);
        CHECK_FALSE(infra.held(b, now));
    }
}

TEST_CASE("infra_cache: no_edns and no_0x20 are forgotten after kFlagHold", "[recursion]") {
    InfraCache infra;
    IpAddress a = ip("192.0.2.1");
    infra.set_no_edns(a, kT0);
    CHECK(infra.get(a, kT0).no_edns);
    CHECK_FALSE(infra.get(a, kT0).no_0x20);
    CHECK(infra.get(a, kT0 + InfraCache::kFlagHold - seconds(1)).no_edns);
    CHECK_FALSE(infra.get(a, kT0 + InfraCache::kFlagHold).no_edns);

    IpAddress b = ip("192.0.2.2");
    infra.set_no_0x20(b, kT0);
    CHECK(infra.get(b, kT0).no_0x20);
    CHECK_FALSE(infra.get(b, kT0).no_edns);
    // Other news about the server does not refresh the flag.
    infra.on_answer(b, milliseconds(10), kT0 + seconds(600));
    CHECK(infra.get(b, kT0 + seconds(600)).no_0x20);
    infra.on_answer(b, milliseconds(10), kT0 + InfraCache::kFlagHold);
    CHECK_FALSE(infra.get(b, kT0 + InfraCache::kFlagHold).no_0x20);

    // Each flag has its own hold: setting one does not extend the other.
    IpAddress c = ip("192.0.2.3");
    infra.set_no_edns(c, kT0);
    infra.set_no_0x20(c, kT0 + seconds(800));
    ServerState s = infra.get(c, kT0 + InfraCache::kFlagHold);
    CHECK_FALSE(s.no_edns);
    CHECK(s.no_0x20);
    s = infra.get(c, kT0 + seconds(800) + InfraCache::kFlagHold);
    CHECK_FALSE(s.no_edns);
    CHECK_FALSE(s.no_0x20);
    // And stays forgotten once touched after its hold.
    infra.on_answer(c, milliseconds(10), kT0 + InfraCache::kFlagHold);
    CHECK_FALSE(infra.get(c, kT0 + InfraCache::kFlagHold).no_edns);
}

TEST_CASE("infra_cache: lameness is per (address, zone) for kLameHold", "[recursion]") {
    InfraCache infra;
    IpAddress a = ip("192.0.2.1"), b = ip("192.0.2.2");
    CHECK_FALSE(infra.lame(a, wire("example.org"), kT0));
    infra.mark_lame(a, wire("example.org"), kT0);
    CHECK(infra.lame(a, wire("example.org"), kT0));
    CHECK(infra.lame(a, wire("example.org"), kT0 + InfraCache::kLameHold - seconds(1)));
    CHECK_FALSE(infra.lame(a, wire("example.org"), kT0 + InfraCache::kLameHold));
    CHECK(InfraCache::kLameHold == seconds(900));
    // Another zone on the same address, the same zone on another address.
    CHECK_FALSE(infra.lame(a, wire("example.net"), kT0));
    CHECK_FALSE(infra.lame(a, wire("sub.example.org"), kT0));
    CHECK_FALSE(infra.lame(a, wire("org"), kT0));
    CHECK_FALSE(infra.lame(b, wire("example.org"), kT0));
    // Lameness does not hold the address back for other zones.
    CHECK_FALSE(infra.held(a, kT0));
    // Marking again renews it.
    infra.mark_lame(a, wire("example.org"), kT0 + seconds(800));
    CHECK(infra.lame(a, wire("example.org"), kT0 + seconds(1000)));
}

TEST_CASE("infra_cache: bounded, the least recently used address dropped", "[recursion]") {
    InfraCache infra(3);
    CHECK(infra.max_entries() == 3);
    IpAddress a1 = ip("192.0.2.1"), a2 = ip("192.0.2.2"), a3 = ip("192.0.2.3"), a4 = ip("192.0.2.4");
    infra.on_answer(a1, milliseconds(10), kT0);
    infra.on_answer(a2, milliseconds(20), kT0);
    infra.on_answer(a3, milliseconds(30), kT0);
    infra.on_answer(a1, milliseconds(10), kT0);  // a1 used again: a2 is now the oldest
    infra.on_timeout(a4, kT0);
    CHECK(infra.size() == 3);
    CHECK(infra.get(a1, kT0).measured);
    CHECK_FALSE(infra.get(a2, kT0).measured);
    CHECK(infra.get(a3, kT0).measured);
    CHECK(infra.get(a4, kT0).timeouts == 1);

    for (int i = 0; i < 100; ++i)
        infra.on_answer(IpAddress::v4(0xC6120000u + static_cast<unsigned>(i)), us(5), kT0);
    CHECK(infra.size() == 3);

    // Lame marks are bounded too, and the newest is kept.
    for (int i = 0; i < 10; ++i) infra.mark_lame(a1, wire("z" + std::to_string(i) + ".example"), kT0);
    CHECK(infra.lame(a1, wire("z9.example"), kT0));
}

TEST_CASE("infra_cache: report lists every address with its state, clear forgets", "[recursion]") {
    InfraCache infra;
    IpAddress v4 = ip("192.0.2.1"), v6 = ip("2001:db8::53");
    infra.on_answer(v4, milliseconds(40), kT0);
    infra.on_answer(v4, milliseconds(40), kT0);
    infra.on_timeout(v6, kT0);
    infra.on_failure(v6, kT0);
    infra.mark_lame(v6, wire("example.org"), kT0);
    auto report = infra.report();
    REQUIRE(report.size() == 2);
    std::sort(report.begin(), report.end(),
              [](const ServerReport& x, const ServerReport& y) { return x.address < y.address; });
    CHECK(report[0].address == v4);
    CHECK(report[0].state.answers == 2);
    CHECK(report[0].state.srtt == milliseconds(40));
    CHECK(report[1].address == v6);
    CHECK(report[1].state.timeouts == 1);
    CHECK(report[1].state.failures == 1);
    CHECK_FALSE(report[1].state.measured);
    // A failure is not a timeout: the RTO stays.
    CHECK(infra.rto(v6, kT0) == 2 * InfraCache::kUnknownRtt);

    infra.clear();
    CHECK(infra.size() == 0);
    CHECK(infra.report().empty());
    CHECK_FALSE(infra.lame(v6, wire("example.org"), kT0));
    CHECK(infra.expected(v4, kT0) == InfraCache::kUnknownRtt);
}
