// The recursive mode over time: the answer cache in front (serve-stale,
// prefetch), the root's NS set primed again when it expires, IPv6
// authorities only when IPv6 is on, the time limit, and traces.
#include <catch2/catch.hpp>

#include "support/recursion_harness.h"

using namespace lanlord;
using namespace lanlord::test;

namespace {
namespace t = dns::type;

using Lines = std::vector<std::string>;

void build(FakeInternet& net) {
    net.add_server("198.51.100.1").serve(FakeZone(".", R"(
        @ 86400 SOA a.root-servers.test. hostmaster.root. 1 1800 900 604800 86400
        @ 86400 NS a.root-servers.test.
        a.root-servers.test. 86400 A 198.51.100.1
        zz 86400 NS ns1.nic.zz.
        ns1.nic.zz 86400 A 198.51.100.11
    )"));
    net.add_server("198.51.100.11").serve(FakeZone("zz.", R"(
        @ 900 SOA ns1.nic hostmaster 1 1800 900 604800 900
        @ NS ns1.nic
        ns1.nic A 198.51.100.11
        example 86400 NS ns1.example
        ns1.example 86400 A 203.0.113.1
        six 86400 NS ns1.six
        ns1.six 86400 AAAA 2001:db8::6
        two 86400 NS ns1.two
        two 86400 NS ns2.two
        ns1.two 86400 A 203.0.113.21
        ns2.two 86400 A 203.0.113.22
    )"));
    FakeZone two("two.zz.", "@ 3600 SOA ns1 hostmaster 7 3600 600 86400 300\n@ NS ns1\n@ NS ns2\n");
    net.add_server("203.0.113.21").serve(two).set_rtt(milliseconds(40));  // listed first, slow
    net.add_server("203.0.113.22").serve(two).set_rtt(milliseconds(4));
    net.add_server("203.0.113.1").serve(FakeZone("example.zz.", R"(
        @ 3600 SOA ns1 hostmaster 7 3600 600 86400 300
        @ 3600 NS ns1
        ns1 A 203.0.113.1
        www 300 A 192.0.2.1
    )"));
    net.add_server("2001:db8::6").serve(FakeZone("six.zz.", R"(
        @ 3600 SOA ns1 hostmaster 7 3600 600 86400 300
        @ 3600 NS ns1
        ns1 AAAA 2001:db8::6
        www 300 A 192.0.2.6
    )"));
}

struct Fixture : RecursionHarness {
    Fixture() { build(net); }
};

// Records the traces the engine finishes.
struct TraceIo : FakeEngineIo {
    std::vector<std::pair<std::uint64_t, RecursionResult>> traces;
    void trace_finished(std::uint64_t id, const RecursionResult& r) override { traces.emplace_back(id, r); }
};
}  // namespace

TEST_CASE_METHOD(Fixture,
                 "recursion: serve-stale answers from the answer cache when every authority is silent",
                 "[recursion]") {
    CHECK(ask("www.example.zz.")->answer() == Lines{"www.example.zz. 300 A 192.0.2.1"});
    now += seconds(400);
    net.server("203.0.113.1").set_behaviour(Behaviour::silent);
    auto a = ask("www.example.zz.");
    CHECK(a->rcode() == 0);
    CHECK(a->answer() == Lines{"www.example.zz. 30 A 192.0.2.1"});  // RFC 8767 section 4
}

TEST_CASE_METHOD(Fixture, "recursion: an answer asked for late in its life is refreshed in the background",
                 "[recursion]") {
    ask("www.example.zz.");
    now += seconds(280);  // in the last 10 % of 300 s
    std::size_t before = net.log.size();
    auto a = ask("www.example.zz.");
    CHECK(a->answer() == Lines{"www.example.zz. 20 A 192.0.2.1"});
    CHECK(queries(before) == Lines{"203.0.113.1 www.example.zz. A udp"});  // the prefetch
    CHECK(ask("www.example.zz.")->answer() == Lines{"www.example.zz. 300 A 192.0.2.1"});
}

TEST_CASE_METHOD(Fixture, "recursion: the root is primed again when its NS set expires (RFC 8109)",
                 "[recursion]") {
    ask("www.example.zz.");
    now += seconds(86401);
    std::size_t before = net.log.size();
    ask("www.example.zz.");
    auto q = queries(before);
    REQUIRE_FALSE(q.empty());
    CHECK(q.front() == "198.51.100.1 . NS udp");
}

TEST_CASE_METHOD(Fixture, "recursion: IPv6 authorities are asked only when IPv6 is on", "[recursion]") {
    SECTION("off: the zone has no reachable server") {
        auto a = ask("www.six.zz.");
        CHECK(a->rcode() == dns::rcode::SERVFAIL);
        CHECK(a->ede() == 22);
        for (const Received& r : net.log) CHECK(r.server.is_v4());
    }
    SECTION("on: its IPv6 glue is used") {
        settings.addresses.ipv6 = true;
        configure();
        CHECK(ask("www.six.zz.")->answer() == Lines{"www.six.zz. 300 A 192.0.2.6"});
        CHECK(net.log.back().server.to_string() == "2001:db8::6");
    }
}

TEST_CASE_METHOD(Fixture, "recursion: a resolution ends at its time limit whatever its servers do",
                 "[recursion]") {
    settings.time_limit = seconds(2);
    settings.limits.max_rounds = 1000;  // only the clock can end it
    configure();
    ask("www.example.zz.");
    net.server("203.0.113.1").set_behaviour(Behaviour::silent);
    TimePoint start = now;
    auto a = ask("nothere.example.zz.");
    CHECK(a->rcode() == dns::rcode::SERVFAIL);
    CHECK(a->ede() == 0);
    CHECK(now - start >= seconds(2));
    CHECK(now - start <= seconds(3));
}

TEST_CASE("recursion: a trace walks from the root even when the cache knows the name", "[recursion]") {
    TraceIo io;
    PacketCache cache{{.max_entries = 100}, 1};
    std::uint64_t counter = 1;
    ResolverEngine engine{io, cache, [&] { return (counter++) * 0x9E3779B97F4A7C15ull; }};
    EngineSettings es;
    es.recursion.hints = fake_root_hints();
    es.recursion.explore_one_in = 0;
    es.recursion_caches = {std::make_shared<RecordCache>(), std::make_shared<InfraCache>()};
    engine.configure(es, {GroupSpec{"internet", "", {}, {wire(".")}, {}, true}}, {ep("127.0.0.1:53")});
    FakeInternet net;
    build(net);
    TimePoint now = TimePoint(seconds(5000));
    for (int round = 0; round < 2; ++round) {  // the second time, the record cache has it all
        REQUIRE(engine.start_trace(7 + round, *name_from_text("www.example.zz."), t::A, now));
        net.run_until_quiet(engine, io, now);
        REQUIRE(io.traces.size() == static_cast<std::size_t>(round + 1));
        const RecursionResult& r = io.traces.back().second;
        CHECK(io.traces.back().first == static_cast<std::uint64_t>(7 + round));
        CHECK(r.ok);
        std::vector<std::string> steps;
        for (const TraceStep& s : r.trace)
            steps.push_back(s.zone + " " + s.server.to_string() + " " + s.outcome);
        Lines expected{". 198.51.100.1 referral zz.", "zz. 198.51.100.11 referral example.zz.",
                       "example.zz. 203.0.113.1 answer"};
        if (round == 0) expected.insert(expected.begin(), ". 198.51.100.1 answer");  // priming: ". NS"
        CHECK(steps == expected);
    }
}

TEST_CASE_METHOD(Fixture, "recursion: a forwarding group keeps its domain beside the recursive group",
                 "[recursion]") {
    net.add_server("192.0.2.99").serve(FakeZone("corp.example.", R"(
        @ 3600 SOA ns hostmaster 1 3600 600 86400 300
        @ 3600 NS ns
        intranet 300 A 10.1.2.3
    )"));
    EngineSettings es;
    es.recursion = settings;
    es.recursion_caches = caches;
    engine.configure(es,
                     {GroupSpec{"internet", "", {}, {wire(".")}, {}, true},
                      GroupSpec{"corp", "", {ep("192.0.2.99")}, {wire("corp.example.")}, {}, false}},
                     {ep("127.0.0.1:53")});
    CHECK(ask("intranet.corp.example.")->answer() == Lines{"intranet.corp.example. 300 A 10.1.2.3"});
    CHECK(queries() == Lines{"192.0.2.99 intranet.corp.example. A udp"});  // forwarded, nothing else
    CHECK(ask("www.example.zz.")->answer() == Lines{"www.example.zz. 300 A 192.0.2.1"});
    CHECK(queries().front() == "192.0.2.99 intranet.corp.example. A udp");
    CHECK(queries()[1] == "198.51.100.1 . NS udp");  // the rest from the root
}

TEST_CASE_METHOD(Fixture,
                 "recursion: the fastest server gets most queries, exploration keeps the other measured",
                 "[recursion]") {
    settings.explore_one_in = 20;  // the default
    configure();
    for (int i = 0; i < 200; ++i) ask("n" + std::to_string(i) + ".two.zz.");
    std::vector<std::string> asked;  // the two servers' share, in order
    for (const Received& r : net.log)
        if (r.server.to_string() == "203.0.113.21" || r.server.to_string() == "203.0.113.22")
            asked.push_back(r.server.to_string());
    REQUIRE(asked.size() == 200);
    // Unknown servers count as 376 ms (unbound's choice): the slow one, listed
    // first and measured first, keeps the queries until exploration (one in
    // 20) measures the fast one; from then on the fast one has nearly all.
    auto slow_in = [&](std::size_t from, std::size_t to) {
        return std::count(asked.begin() + static_cast<long>(from), asked.begin() + static_cast<long>(to),
                          std::string("203.0.113.21"));
    };
    CHECK(slow_in(100, 200) <= 12);  // exploration only, about 1 in 40 (1 in 20, half of them to itself)
    CHECK(slow_in(0, 200) >= 2);     // but some: a server that got faster would be noticed
    InfraCache& infra = *caches.infra;
    CHECK(infra.get(*IpAddress::parse("203.0.113.22"), now).srtt <
          infra.get(*IpAddress::parse("203.0.113.21"), now).srtt);
}

TEST_CASE_METHOD(Fixture, "recursion: priming at start asks the root's NS set before any client (RFC 8109)",
                 "[recursion]") {
    engine.prime(now);
    net.run_until_quiet(engine, io, now);
    CHECK(queries() == Lines{"198.51.100.1 . NS udp"});
    CHECK(io.answers.empty());
    CHECK(ask("www.example.zz.")->answer() == Lines{"www.example.zz. 300 A 192.0.2.1"});
    CHECK(queries().size() == 4);  // no second priming
}
