// Unit tests of the per-client rate limit (GCRA token buckets in a fixed
// table) with a fake clock, and of the engine dropping and counting.
#include <catch2/catch.hpp>

#include "resolver/engine/client_rate_limiter.h"
#include "support/engine_harness.h"

using namespace lanlord;
using namespace lanlord::test;

namespace {
IpAddress ip(const char* text) {
    return *IpAddress::parse(text);
}
TimePoint at(int ms) {
    return TimePoint(milliseconds(100000 + ms));
}
int allowed(ClientRateLimiter& l, const char* client, int queries, TimePoint now) {
    int n = 0;
    for (int i = 0; i < queries; ++i) n += l.allow(ip(client), now);
    return n;
}
}  // namespace

TEST_CASE("client_rate_limiter: a burst at once, then the rate") {
    ClientRateLimiter l(10, 5);  // 10/s: one every 100 ms, 5 at once
    CHECK(allowed(l, "192.0.2.1", 8, at(0)) == 5);
    CHECK(allowed(l, "192.0.2.1", 3, at(99)) == 0);
    CHECK(allowed(l, "192.0.2.1", 3, at(100)) == 1);
    CHECK(allowed(l, "192.0.2.1", 10, at(5000)) == 5);  // idle time refills up to the burst, no more
    // A steady flood of 1,000/s for 10.1 s: the burst at once, then one every 100 ms.
    int through = 0;
    for (int ms = 10000; ms < 20100; ++ms) through += l.allow(ip("192.0.2.1"), at(ms));
    CHECK(through == 100 + 5);
}

TEST_CASE("client_rate_limiter: clients are apart, IPv6 by /64, burst defaults to the rate") {
    ClientRateLimiter l(3, 0);
    CHECK(l.burst() == 3);
    CHECK(allowed(l, "192.0.2.1", 5, at(0)) == 3);
    CHECK(allowed(l, "192.0.2.2", 5, at(0)) == 3);
    CHECK(allowed(l, "2001:db8:1:1::1", 5, at(0)) == 3);
    CHECK(allowed(l, "2001:db8:1:1:ffff::2", 5, at(0)) == 0);  // same /64
    CHECK(allowed(l, "2001:db8:1:2::1", 5, at(0)) == 3);
    CHECK(allowed(l, "::ffff:192.0.2.3", 5, at(0)) == 3);  // v4-mapped: one IPv4 host, not a /64
    CHECK(allowed(l, "::ffff:192.0.2.4", 5, at(0)) == 3);
}

TEST_CASE("client_rate_limiter: a full table never limits a client more than its own rate") {
    ClientRateLimiter l(1, 2, 64);  // 16 shards x 1 set x 4 ways
    CHECK(l.slots() == 64);
    CHECK(allowed(l, "192.0.2.1", 10, at(0)) == 2);
    // 2,000 other clients, one query each, at the same instant: every one is
    // allowed, however their hashes fall (an evicted client starts afresh).
    int ok = 0;
    for (int i = 0; i < 2000; ++i) {
        std::uint8_t b[4] = {10, static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i), 1};
        ok += l.allow(IpAddress::v4_bytes(b), at(1));
    }
    CHECK(ok == 2000);
    // Nor does it let a limited client out early in favour of lighter ones:
    // the earliest tat goes first, and a drained burst puts a client's far out.
    ClientRateLimiter busy(1, 5, 64);
    CHECK(allowed(busy, "192.0.2.9", 5, at(0)) == 5);
    for (int t = 1; t < 900; t += 100) {
        for (int i = 0; i < 200; ++i) {  // every set full, and turned over
            std::uint8_t b[4] = {10, static_cast<std::uint8_t>(t / 100), static_cast<std::uint8_t>(i), 0};
            CHECK(busy.allow(IpAddress::v4_bytes(b), at(t)));
        }
        CHECK(allowed(busy, "192.0.2.9", 1, at(t)) == 0);
    }
}

TEST_CASE("engine: queries over a client's rate are dropped and counted, others still answered") {
    EngineSettings s;
    s.client_rate_limiter = std::make_shared<ClientRateLimiter>(2, 2);
    Harness h({{"default", "", {ep("192.0.2.1")}, {wire(".")}, {}}}, s);
    // Single-label names are answered locally (domain_needed): no upstream in the way.
    for (int i = 0; i < 5; ++i) h.ask("printer");
    CHECK(h.io.answers.size() == 2);
    CHECK(h.engine.stats().rate_limited == 3);
    CHECK(h.engine.stats().queries == 5);
    ClientRef other = h.client;
    other.peer = ep("127.0.0.2:40000");
    h.ask("printer", dns::type::A, {}, &other);
    CHECK(h.io.answers.size() == 3);
    h.now += milliseconds(500);  // one more for the first client
    h.ask("printer");
    h.ask("printer");
    CHECK(h.io.answers.size() == 4);
    CHECK(h.engine.stats().rate_limited == 4);
}

TEST_CASE("engine: no rate limit unless configured") {
    Harness h;
    for (int i = 0; i < 1000; ++i) h.ask("printer");
    CHECK(h.io.answers.size() == 1000);
    CHECK(h.engine.stats().rate_limited == 0);
}
