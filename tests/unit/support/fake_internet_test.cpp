// The fake internet plays the network for an engine: answers arrive after
// their server's RTT, in time order with the engine's timers, never for an
// attempt the engine closed, and a runaway engine stops at the bound.
#include <catch2/catch.hpp>

#include <functional>

#include "support/engine_harness.h"
#include "support/fake_internet.h"
#include "unit/support/fake_hierarchy.h"

using namespace lanlord;
using namespace lanlord::test;

namespace {
namespace t = dns::type;

// The three calls run_until_quiet makes, recorded; sends through the io.
struct ScriptedEngine {
    FakeEngineIo& io;
    std::vector<std::pair<std::uint64_t, TimePoint>> responses;  // token, when
    std::vector<TimePoint> timer_calls;
    std::optional<TimePoint> timer;
    std::function<void(TimePoint)> on_timer;  // what a timer does (set: runs, then the timer is off)

    void send(std::uint64_t token, const char* server, const std::string& name, bool tcp = false) {
        Bytes q = make_query(name, t::A, {.id = static_cast<std::uint16_t>(token), .flags = 0});
        io.send_upstream({.token = token, .server = ep(server), .tcp = tcp, .query = q});
    }
    void handle_upstream_response(std::uint64_t token, const Endpoint& from,
                                  std::span<const std::uint8_t> bytes, TimePoint now) {
        CHECK(from.port == 53);
        CHECK(parse_message(bytes).ok());
        responses.emplace_back(token, now);
        io.close_upstream(token);
    }
    void handle_timers(TimePoint now) {
        timer_calls.push_back(now);
        timer.reset();
        if (on_timer) on_timer(now);
    }
    std::optional<TimePoint> next_timer() const { return timer; }
};

const TimePoint kStart = TimePoint(seconds(1000));
}  // namespace

TEST_CASE("fake internet: queries are logged as received, case and transport kept") {
    FakeInternet net;
    net.add_server("192.0.2.80").serve(example_zone());
    net.add_server("192.0.2.81", Behaviour::silent);
    CHECK_THROWS_AS(net.add_server("192.0.2.80"), std::invalid_argument);
    CHECK_THROWS_AS(net.server("192.0.2.99"), std::invalid_argument);

    CHECK(net.deliver(ep("192.0.2.80"), make_query("wWw.example.ZZ", t::AAAA, {.edns_udp = 1232}), false));
    CHECK_FALSE(net.deliver(ep("192.0.2.81"), make_query("www.example.zz", t::A), true));
    CHECK_FALSE(net.deliver(ep("192.0.2.99"), make_query("www.example.zz", t::A), false));  // nobody there
    CHECK_FALSE(net.deliver(ep("192.0.2.80:5353"), make_query("www.example.zz", t::A), false));  // wrong port
    CHECK(net.log_lines() ==
          Lines{"192.0.2.80 wWw.example.ZZ. AAAA udp edns", "192.0.2.81 www.example.zz. A tcp"});
    CHECK(net.log[0] == Received{*IpAddress::parse("192.0.2.80"), "wWw.example.ZZ.", t::AAAA, false, true});
}

TEST_CASE("fake internet: answers arrive in RTT order, interleaved with the engine's timers") {
    FakeInternet net;
    net.add_server("192.0.2.1").serve(example_zone()).set_rtt(milliseconds(300));
    net.add_server("192.0.2.2").serve(example_zone()).set_rtt(milliseconds(20));
    net.add_server("192.0.2.3", Behaviour::silent);
    FakeEngineIo io;
    ScriptedEngine engine{io};
    TimePoint now = kStart;

    engine.send(1, "192.0.2.1", "www.example.zz");
    engine.send(2, "192.0.2.2", "www.example.zz");
    engine.send(3, "192.0.2.3", "www.example.zz");
    engine.timer = kStart + milliseconds(100);
    // The timeout gives up on the slow server (closing its attempt) and retries over TCP.
    engine.on_timer = [&](TimePoint) {
        io.close_upstream(1);
        io.close_upstream(3);
        engine.send(4, "192.0.2.2", "www.example.zz", /*tcp=*/true);
    };
    RunResult r = net.run_until_quiet(engine, io, now);
    CHECK(r.quiet);
    using P = std::pair<std::uint64_t, TimePoint>;
    CHECK(engine.responses ==
          std::vector<P>{{2, kStart + milliseconds(20)}, {4, kStart + milliseconds(120)}});
    CHECK(engine.timer_calls == std::vector<TimePoint>{kStart + milliseconds(100)});
    // Token 1's answer still travelled (and was dropped at the closed socket at 300 ms).
    CHECK(now == kStart + milliseconds(300));
    CHECK(r.finished_at == now);
    CHECK(net.log_lines() == Lines{"192.0.2.1 www.example.zz. A udp", "192.0.2.2 www.example.zz. A udp",
                                   "192.0.2.3 www.example.zz. A udp", "192.0.2.2 www.example.zz. A tcp"});

    // A later round only handles what was sent since.
    engine.send(5, "192.0.2.2", "alias.example.zz");
    r = net.run_until_quiet(engine, io, now);
    CHECK(r.quiet);
    CHECK(engine.responses.back() == P{5, kStart + milliseconds(320)});
    CHECK(net.log.size() == 5);
}

TEST_CASE("fake internet: an engine that never settles stops at the bound instead of hanging") {
    FakeInternet net;
    FakeEngineIo io;
    ScriptedEngine engine{io};
    TimePoint now = kStart;
    engine.timer = now;
    engine.on_timer = [&](TimePoint at) { engine.timer = at + seconds(1); };
    RunResult r = net.run_until_quiet(engine, io, now, {.max_steps = 10000, .max_time = seconds(30)});
    CHECK_FALSE(r.quiet);
    CHECK(now == kStart + seconds(31));
    CHECK(engine.timer_calls.size() == 32);

    engine.timer = now;
    engine.on_timer = [&](TimePoint at) { engine.timer = at; };  // due forever, time stands still
    r = net.run_until_quiet(engine, io, now, {.max_steps = 50});
    CHECK_FALSE(r.quiet);
    CHECK(r.steps == 50);
}

TEST_CASE("fake internet: drives the real engine, a silent server costs a timeout, the next one answers") {
    FakeInternet net;
    net.add_server("192.0.2.1", Behaviour::silent);
    net.add_server("192.0.2.2").serve(example_zone()).set_rtt(milliseconds(40));
    Harness h;
    const TimePoint asked = h.now;
    h.ask("www.example.zz", t::A, {.id = 42});
    RunResult r = net.run_until_quiet(h.engine, h.io, h.now);
    CHECK(r.quiet);
    INFO(Catch::Detail::stringify(net.log_lines()));
    REQUIRE(h.io.answers.size() == 1);
    CHECK(h.io.answers[0].id() == 42);
    auto m = parse_message(h.io.answers[0].bytes);
    REQUIRE(m.ok());
    CHECK(section_text(m, Section::answer) == Lines{"www.example.zz. 300 A 192.0.2.1"});
    REQUIRE(net.log.size() >= 2);
    CHECK(net.log.front().server == *IpAddress::parse("192.0.2.1"));
    CHECK(net.log.back().server == *IpAddress::parse("192.0.2.2"));
    CHECK(h.now > asked + milliseconds(40));  // waited for the silent one first
    CHECK(h.engine.in_flight() == 0);
}
