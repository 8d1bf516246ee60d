#include <catch2/catch.hpp>

#include "resolver/engine/upstream_group.h"

using namespace lanlord;

namespace {
Endpoint ep(const char* s) {
    return *Endpoint::parse(s, 53);
}
TimePoint at(int ms) {
    return TimePoint(milliseconds(100000 + ms));
}
}  // namespace

TEST_CASE("upstream_group: the fastest measured server is preferred, unmeasured ones are tried first") {
    UpstreamGroup g("g", "");
    g.set_servers({ep("192.0.2.1"), ep("192.0.2.2"), ep("192.0.2.3")}, {}, {});
    g.on_answer(0, milliseconds(30), false);
    g.on_answer(1, milliseconds(5), false);
    CHECK(*g.pick(at(0), 0) == 2);  // never measured yet
    g.on_answer(2, milliseconds(80), false);
    CHECK(*g.pick(at(0), 0) == 1);
    CHECK(*g.pick(at(0), 0b010) == 0);  // 1 already tried in this round
    CHECK_FALSE(g.pick(at(0), 0b111));
}

TEST_CASE("upstream_group: RTO follows RFC 6298 and stays within bounds") {
    UpstreamGroup g(
        "g", "",
        {.initial_rto = milliseconds(250), .min_rto = milliseconds(40), .max_rto = milliseconds(1500)});
    g.set_servers({ep("192.0.2.1")}, {}, {});
    CHECK(g.rto(0) == milliseconds(250));
    g.on_answer(0, milliseconds(20), false);  // srtt 20, rttvar 10 -> 60
    CHECK(g.rto(0) == milliseconds(60));
    g.on_answer(0, milliseconds(20), false);  // rttvar (3*10+0)/4 = 7.5 -> 20 + 30
    CHECK(g.rto(0) == milliseconds(50));
    for (int i = 0; i < 20; ++i) g.on_answer(0, std::chrono::microseconds(100), false);
    CHECK(g.rto(0) == milliseconds(40));  // floor
    g.on_failure(0, at(0), true, false);
    CHECK(g.rto(0) == milliseconds(40));        // retries keep the spacing (ResolverEngine::advance)
    CHECK(g.probe_rto(0) == milliseconds(80));  // a probe waits longer per failure
    for (int i = 0; i < 10; ++i) g.on_failure(0, at(0), true, false);
    CHECK(g.probe_rto(0) == milliseconds(640));  // 2^4 at most
    g.on_answer(0, std::chrono::microseconds(100), false);
    CHECK(g.probe_rto(0) == milliseconds(40));
}

TEST_CASE("upstream_group: a timeout is held against a server only if it stayed silent since the query") {
    UpstreamGroup g("g", "");
    g.set_servers({ep("192.0.2.1")}, {}, {});
    g.on_answer(0, milliseconds(5), false);
    // Lossy path: the server answered another query after this one was sent.
    SendStamp lost = g.on_sent(0, false);
    SendStamp other = g.on_sent(0, false);
    (void)other;
    g.on_answer(0, milliseconds(5), false);
    g.on_timeout(0, at(0), false, lost);
    CHECK(g.servers()[0].consecutive_failures == 0);
    CHECK(g.servers()[0].backoff_until == TimePoint{});
    CHECK(g.servers()[0].timeouts == 1);
    // Silent server: fifty queries sent together time out together; that is
    // one failure (1 s backoff), not fifty (a 60 s backoff).
    std::vector<SendStamp> burst;
    for (int i = 0; i < 50; ++i) burst.push_back(g.on_sent(0, false));
    for (const SendStamp& s : burst) g.on_timeout(0, at(100), false, s);
    CHECK(g.servers()[0].consecutive_failures == 1);
    CHECK(g.servers()[0].backoff_until == at(1100));
    CHECK(g.servers()[0].timeouts == 51);
    // A query sent after that failure and still unanswered: a second one.
    SendStamp later = g.on_sent(0, false);
    g.on_timeout(0, at(200), false, later);
    CHECK(g.servers()[0].consecutive_failures == 2);
    CHECK(g.servers()[0].backoff_until == at(2200));
    // A probe's timeout that is not held against the server still frees the probe slot.
    SendStamp probe = g.on_sent(0, true);
    g.on_failure(0, at(300), false, false);  // SERVFAIL meanwhile: always held
    g.on_timeout(0, at(400), true, probe);
    CHECK(g.servers()[0].consecutive_failures == 3);
    CHECK_FALSE(g.servers()[0].probe_in_flight);
}

TEST_CASE("upstream_group: a failing server is backed off, then probed in parallel, then trusted again") {
    UpstreamGroup g("g", "");
    g.set_servers({ep("192.0.2.1"), ep("192.0.2.2")}, {}, {});
    g.on_answer(0, milliseconds(5), false);
    g.on_answer(1, milliseconds(10), false);
    g.on_failure(0, at(0), true, false);
    CHECK(*g.pick(at(10), 0) == 1);  // backed off for 1 s
    CHECK_FALSE(g.probe_candidate(at(10), 0));
    CHECK(*g.pick(at(1500), 0) == 1);  // out of backoff but unproven: not waited on
    REQUIRE(g.probe_candidate(at(1500), 0));
    CHECK(*g.probe_candidate(at(1500), 0) == 0);
    g.on_sent(0, true);
    CHECK_FALSE(g.probe_candidate(at(1500), 0));  // one probe at a time
    g.on_answer(0, milliseconds(5), true);
    CHECK(*g.pick(at(1600), 0) == 0);  // healthy and faster again
    // Consecutive failures double the backoff: 1 s, 2 s, 4 s...
    g.on_failure(1, at(0), true, false);
    g.on_failure(1, at(0), true, false);
    g.on_failure(1, at(0), true, false);
    CHECK(g.servers()[1].backoff_until == at(4000));
}

TEST_CASE("upstream_group: when all are backed off, the one free soonest is used") {
    UpstreamGroup g("g", "");
    g.set_servers({ep("192.0.2.1"), ep("192.0.2.2")}, {}, {});
    g.on_failure(0, at(0), true, false);
    g.on_failure(0, at(0), true, false);  // until at(2000)
    g.on_failure(1, at(0), true, false);  // until at(1000)
    CHECK(*g.pick(at(10), 0) == 1);
}

TEST_CASE("upstream_group: our own listening addresses are never upstreams, health survives a new list") {
    UpstreamGroup g("g", "");
    g.set_servers({ep("127.0.0.1:5353"), ep("192.0.2.1")}, {ep("192.0.2.2"), ep("192.0.2.1")},
                  {ep("127.0.0.1:5353")});
    REQUIRE(g.servers().size() == 2);
    CHECK(g.servers()[0].endpoint == ep("192.0.2.1"));
    CHECK(g.servers()[1].from_resolv_conf);
    g.on_answer(0, milliseconds(7), false);
    g.set_servers({ep("192.0.2.1")}, {ep("192.0.2.9")}, {});
    CHECK(g.servers()[0].srtt == milliseconds(7));
    CHECK(g.servers()[1].endpoint == ep("192.0.2.9"));
}
