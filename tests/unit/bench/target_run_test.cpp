#include <catch2/catch.hpp>

#include <functional>
#include <map>

#include "bench_test_support.h"
#include "daemon/bench/target_run.h"

using namespace lanlord;
using namespace lanlord::bench;
using namespace lanlord::bench::test;
using std::chrono::milliseconds;

namespace {

const Endpoint kServer = *Endpoint::parse("192.0.2.53", 53);
const TimePoint kT0 = TimePoint(std::chrono::seconds(1000));

BenchSettings settings(double rate = 10, unsigned count = 4) {
    BenchSettings s;
    s.rate = rate;
    s.count = count;
    s.timeout = milliseconds(500);
    return s;
}

TargetRun make_run(const BenchSettings& s, std::vector<std::string> names = {wire("a.test"), wire("b.test")},
                   std::uint64_t seed = 1) {
    auto random = seeded_random(seed);
    return TargetRun({"t", kServer, TargetKind::server}, make_plan(names, s.count, random), s, random, kT0);
}

// What a fake server does with one query: nothing (lost), or an answer after
// a delay.
struct Reply {
    milliseconds delay;
    std::vector<std::uint8_t> bytes;
};
using Server = std::function<std::optional<Reply>(const std::vector<std::uint8_t>& query)>;

// Discrete-event driver: sends when due, delivers replies at their time,
// expires deadlines; returns when the run is finished.
void drive(TargetRun& run, const Server& server) {
    std::multimap<TimePoint, std::vector<std::uint8_t>> in_flight;
    TimePoint now = kT0;
    for (int guard = 0; guard < 100000 && !run.finished(); ++guard) {
        run.expire(now);
        while (run.send_due(now)) {
            auto q = run.next_query(now);
            if (auto reply = server(q)) in_flight.emplace(now + reply->delay, std::move(reply->bytes));
        }
        auto wake = run.wake_time();
        TimePoint next = wake ? *wake : TimePoint::max();
        if (!in_flight.empty() && in_flight.begin()->first < next) next = in_flight.begin()->first;
        if (next == TimePoint::max()) break;
        now = std::max(now, next);
        while (!in_flight.empty() && in_flight.begin()->first <= now) {
            run.on_datagram(in_flight.begin()->second, kServer, now);
            in_flight.erase(in_flight.begin());
        }
    }
    REQUIRE(run.finished());
}

std::string qname_of(const std::vector<std::uint8_t>& q) {
    ParsedResponse p;
    auto r = respond(q);
    parse_response(r, p);
    return name_to_text(p.qname);
}

bool is_known(const std::string& name) {
    return name == "a.test." || name == "b.test.";
}

// An honest server: known names get an address, the rest NXDOMAIN; cached
// names answer in 1 ms, the rest in 30 ms.
std::optional<Reply> honest(const std::vector<std::uint8_t>& q) {
    auto name = qname_of(q);
    if (is_known(name)) return Reply{milliseconds(1), respond(q, {.a_records = {0xC0000201}})};
    return Reply{milliseconds(30), respond(q, {.rcode = 3})};
}

}  // namespace

TEST_CASE("bench run: the plan asks probes and warm-up first, then both phases interleaved") {
    auto random = seeded_random(3);
    auto plan = make_plan({wire("a.test"), wire("b.test")}, 3, random);
    REQUIRE(plan.before.size() == 3 + 2);  // 2 hijack probes, the DNSSEC probe, 2 warm-ups
    CHECK(plan.before[0].kind == JobKind::hijack_probe);
    CHECK(name_to_text(plan.before[0].qname).ends_with(".com."));
    CHECK(name_to_text(plan.before[1].qname).ends_with(".invalid."));
    CHECK(plan.before[2].kind == JobKind::dnssec_probe);
    CHECK(plan.before[2].qname == std::string(1, '\0'));
    REQUIRE(plan.measured.size() == 6);
    CHECK(plan.measured[0].kind == JobKind::cached);
    CHECK(plan.measured[1].kind == JobKind::uncached);
    CHECK(plan.measured[2].qname == wire("b.test"));
    CHECK(plan.measured[4].qname == wire("a.test"));  // names cycled
    CHECK(name_to_text(plan.measured[1].qname).ends_with(".a.test."));
    CHECK(plan.measured[1].qname != plan.measured[5].qname);  // every uncached name is new
}

TEST_CASE("bench run: queries are paced at the rate, never in bursts") {
    auto s = settings(10);
    auto run = make_run(s);
    CHECK(run.send_due(kT0));
    run.next_query(kT0);
    CHECK_FALSE(run.send_due(kT0 + milliseconds(99)));
    CHECK(run.send_due(kT0 + milliseconds(100)));
    // After a stall of a second, one query is due, not ten.
    run.next_query(kT0 + milliseconds(1100));
    CHECK_FALSE(run.send_due(kT0 + milliseconds(1150)));
}

TEST_CASE("bench run: nothing is measured while a warm-up query is out") {
    auto s = settings(100, 2);
    auto run = make_run(s, {wire("a.test")});
    std::vector<std::vector<std::uint8_t>> sent;
    TimePoint now = kT0;
    for (int i = 0; i < 4; ++i) {  // 2 hijack probes, DNSSEC probe, 1 warm-up
        REQUIRE(run.send_due(now));
        sent.push_back(run.next_query(now));
        now += milliseconds(10);
    }
    for (int i = 0; i < 3; ++i)
        CHECK(run.on_datagram(respond(sent[i]), kServer, now) == DatagramVerdict::answered);
    CHECK_FALSE(run.send_due(now + milliseconds(100)));  // the barrier: warm-up still out
    // Lost warm-up: asked again (warmup_attempts = 2), still before measuring.
    run.expire(kT0 + milliseconds(30 + 500));
    now = kT0 + milliseconds(600);
    REQUIRE(run.send_due(now));
    auto retry = run.next_query(now);
    CHECK(qname_of(retry) == "a.test.");
    CHECK_FALSE(run.send_due(now + milliseconds(100)));
    CHECK(run.on_datagram(respond(retry), kServer, now + milliseconds(1)) == DatagramVerdict::answered);
    CHECK(run.send_due(now + milliseconds(100)));
}

TEST_CASE("bench run: latencies per phase, RCODEs, AD and no hijack from an honest server") {
    auto s = settings(10, 4);
    auto run = make_run(s);
    drive(run, [](const std::vector<std::uint8_t>& q) -> std::optional<Reply> {
        auto reply = honest(q);
        if (qname_of(q) == ".") reply->bytes = respond(q, {.ad = true});
        return reply;
    });
    auto r = run.result();
    CHECK(r.cached.sent == 4);
    CHECK(r.cached.answered == 4);
    CHECK(r.cached.lost == 0);
    REQUIRE(r.cached.latency);
    CHECK(r.cached.latency->p50 == Approx(1.0));
    CHECK(r.cached.rcodes.at(0) == 4);
    REQUIRE(r.uncached.latency);
    CHECK(r.uncached.latency->p50 == Approx(30.0));
    CHECK(r.uncached.latency->max == Approx(30.0));
    CHECK(r.uncached.rcodes.at(3) == 4);
    CHECK(r.nxdomain_hijack == Tri::no);
    CHECK(r.sets_ad == Tri::yes);
    CHECK(run.settled() == run.planned());
    CHECK(run.sent_total() == run.planned());
}

TEST_CASE("bench run: an address for a name that cannot exist is flagged") {
    auto s = settings(10, 2);
    auto run = make_run(s);
    drive(run, [](const std::vector<std::uint8_t>& q) -> std::optional<Reply> {
        return Reply{milliseconds(5), respond(q, {.a_records = {0xC6336407}})};  // everything resolves
    });
    auto r = run.result();
    CHECK(r.nxdomain_hijack == Tri::yes);
    CHECK(r.hijack_address == "198.51.100.7");
    CHECK(r.sets_ad == Tri::no);
}

TEST_CASE("bench run: timeouts are loss, never latency, and lost probes are retried, then unknown") {
    auto s = settings(20, 10);
    auto run = make_run(s);
    int measured_seen = 0;
    drive(run, [&](const std::vector<std::uint8_t>& q) -> std::optional<Reply> {
        auto name = qname_of(q);
        if (name.ends_with(".com.") || name.ends_with(".invalid.")) return std::nullopt;  // probes lost
        // Every third measured uncached query is lost.
        if (!is_known(name) && name != "." && ++measured_seen % 3 == 0) return std::nullopt;
        return honest(q);
    });
    auto r = run.result();
    CHECK(r.nxdomain_hijack == Tri::unknown);
    CHECK(r.uncached.sent == 10);
    CHECK(r.uncached.lost == 3);
    CHECK(r.uncached.answered == 7);
    CHECK(r.uncached.lost_pct == Approx(30.0));
    REQUIRE(r.uncached.latency);
    CHECK(r.uncached.latency->max == Approx(30.0));  // not the 500 ms timeout
    CHECK(r.cached.lost == 0);
    // 2 probe names x 3 attempts instead of 2 queries.
    CHECK(run.sent_total() == run.planned() + 4);
}

TEST_CASE("bench run: answers with a wrong ID, question or source, or twice, are ignored") {
    auto s = settings(10, 1);
    auto run = make_run(s, {wire("a.test")});
    auto q = run.next_query(kT0);
    ParsedResponse p;
    REQUIRE(parse_response(respond(q), p) == ParseStatus::ok);
    auto t = kT0 + milliseconds(3);
    CHECK(run.on_datagram(respond(q, {.id = static_cast<std::uint16_t>(p.id + 1)}), kServer, t) ==
          DatagramVerdict::unmatched);
    auto other = build_query(wire("b.test"), kTypeA, p.id);  // same ID, another question
    CHECK(run.on_datagram(respond(other), kServer, t) == DatagramVerdict::unmatched);
    CHECK(run.on_datagram(respond(q), *Endpoint::parse("192.0.2.54", 53), t) ==
          DatagramVerdict::wrong_source);
    CHECK(run.on_datagram(respond(q), *Endpoint::parse("192.0.2.53", 5353), t) ==
          DatagramVerdict::wrong_source);
    std::vector<std::uint8_t> junk = {1, 2, 3};
    CHECK(run.on_datagram(junk, kServer, t) == DatagramVerdict::malformed);
    CHECK(run.on_datagram(respond(q), kServer, t) == DatagramVerdict::answered);
    CHECK(run.on_datagram(respond(q), kServer, t) == DatagramVerdict::unmatched);  // duplicate

    // A late answer after the deadline does not count either.
    auto late = run.next_query(kT0 + milliseconds(100));
    run.expire(kT0 + milliseconds(700));
    CHECK(run.on_datagram(respond(late), kServer, kT0 + milliseconds(701)) == DatagramVerdict::unmatched);
}

TEST_CASE("bench run: after stop_sending only the queries already out are awaited") {
    auto s = settings(100, 5);
    auto run = make_run(s, {wire("a.test")});
    TimePoint now = kT0;
    std::vector<std::vector<std::uint8_t>> sent;
    for (int i = 0; i < 4; ++i, now += milliseconds(10))
        sent.push_back(run.next_query(now));  // probes, warm-up
    for (auto& q : sent) run.on_datagram(respond(q), kServer, now);
    auto cached = run.next_query(now);
    auto uncached = run.next_query(now + milliseconds(10));
    run.on_datagram(respond(cached), kServer, now + milliseconds(12));
    CHECK(run.stop_sending() == 5 + 5 - 2);  // both phases' measured queries but the two sent
    CHECK(run.stop_sending() == 0);
    CHECK_FALSE(run.send_due(now + milliseconds(1000)));
    CHECK_FALSE(run.finished());  // the uncached query is still out
    run.expire(now + milliseconds(600));
    CHECK(run.finished());
    auto r = run.result();
    CHECK(r.cached.sent == 1);
    CHECK(r.cached.answered == 1);
    CHECK(r.uncached.sent == 1);
    CHECK(r.uncached.lost == 1);
}
