// Scenario tests: the resolver engine driven by scripted clients and
// upstreams with a fake clock, no sockets.
#include <catch2/catch.hpp>

#include "resolver/engine/resolver_engine.h"
#include "support/dns_builder.h"
#include "support/engine_harness.h"

using namespace lanlord;
using namespace lanlord::test;

TEST_CASE("engine: first answer is forwarded, the second comes from the cache with aged TTLs") {
    Harness h;
    h.ask("www.example.org", dns::type::A, {.id = 1});
    REQUIRE(h.io.sent.size() == 1);
    CHECK(h.io.sent[0].server == ep("192.0.2.1"));
    CHECK(h.io.sent[0].view().id != 1);  // our own random ID upstream
    h.respond(0, {a_record("www.example.org", 300)});
    REQUIRE(h.io.answers.size() == 1);
    CHECK(h.io.answers[0].id() == 1);
    CHECK(h.first_ttl(h.io.answers[0]) == 300);

    h.now += milliseconds(2500);
    h.ask("WWW.EXAMPLE.ORG", dns::type::A, {.id = 2});
    CHECK(h.io.sent.size() == 1);  // no second upstream query
    REQUIRE(h.io.answers.size() == 2);
    CHECK(h.io.answers[1].id() == 2);
    CHECK(h.first_ttl(h.io.answers[1]) == 298);
    CHECK(h.io.answers[1].bytes[13] == 'W');  // the client's spelling
    CHECK(h.engine.stats().cache_hits == 1);
}

TEST_CASE("engine: identical queries in flight are sent upstream once") {
    Harness h;
    h.ask("c.example", dns::type::A, {.id = 10});
    h.ask("c.example", dns::type::A, {.id = 11});
    h.ask("c.example", dns::type::A, {.id = 12});
    CHECK(h.io.sent.size() == 1);
    h.respond(0, {a_record("c.example", 60)});
    REQUIRE(h.io.answers.size() == 3);
    CHECK(h.io.answers[0].id() == 10);
    CHECK(h.io.answers[2].id() == 12);
    CHECK(h.engine.stats().coalesced == 2);
}

TEST_CASE("engine: forged responses are counted and ignored, the real one is accepted") {
    Harness h;
    h.ask("spoof.example", dns::type::A, {.id = 5});
    const SentAttempt& a = h.io.sent.at(0);
    QueryView q = a.view();
    ResponseSpec good{.qname = "spoof.example", .id = q.id};
    good.answer = {a_record("spoof.example", 60, "192.0.2.99")};
    ResponseSpec bad_id = good;
    bad_id.id = static_cast<std::uint16_t>(q.id + 1);
    bad_id.answer = {a_record("spoof.example", 60, "203.0.113.66")};
    ResponseSpec bad_q = good;
    bad_q.qname = "other.example";
    bad_q.answer = {a_record("other.example", 60, "203.0.113.66")};
    h.engine.handle_upstream_response(a.token, ep("192.0.2.1:5353"), make_response(good),
                                      h.now);  // wrong port
    h.engine.handle_upstream_response(a.token, ep("203.0.113.1"), make_response(good),
                                      h.now);  // wrong source
    h.engine.handle_upstream_response(a.token, a.server, make_response(bad_id), h.now);
    h.engine.handle_upstream_response(a.token, a.server, make_response(bad_q), h.now);
    CHECK(h.engine.stats().spoof_mismatches == 4);
    CHECK(h.io.answers.empty());
    CHECK(h.cache.stats().entries == 0);
    h.engine.handle_upstream_response(a.token, a.server, make_response(good), h.now);
    REQUIRE(h.io.answers.size() == 1);
    CHECK(h.io.answers[0].rcode() == 0);
    const Bytes real = {192, 0, 2, 99};
    CHECK(std::search(h.io.answers[0].bytes.begin(), h.io.answers[0].bytes.end(), real.begin(), real.end()) !=
          h.io.answers[0].bytes.end());
}

TEST_CASE("engine: records outside the question's CNAME chain never answer a question for their names") {
    Harness h;
    h.ask("www.chain.example");
    h.respond(0, {{"www.chain.example", dns::type::CNAME, 300, rdata_name("alias.chain.example")},
                  a_record("alias.chain.example", 300, "192.0.2.9"),
                  a_record("victim.example", 300, "203.0.113.66")});
    REQUIRE(h.io.answers.size() == 1);
    CHECK(h.io.answers[0].count(0) == 3);  // passed on as it came
    for (const char* other : {"victim.example", "alias.chain.example"}) {
        std::size_t sent = h.io.sent.size();
        h.ask(other);
        CHECK(h.io.sent.size() == sent + 1);  // asked upstream, not answered from the cache
        CHECK(h.io.sent.back().view().name() == wire(other));
        h.respond(sent, {a_record(other, 300, "192.0.2.10")});
    }
    CHECK(h.engine.stats().cache_hits == 0);
}

TEST_CASE("engine: a dead server costs one adaptive timeout, then queries go straight to the live one") {
    Harness h;
    h.ask("a.example");
    REQUIRE(h.io.sent.size() == 1);
    CHECK(h.io.sent[0].server == ep("192.0.2.1"));
    h.advance(milliseconds(249));
    CHECK(h.io.sent.size() == 1);
    h.advance(milliseconds(1));  // initial RTO 250 ms, not a fixed second
    REQUIRE(h.io.sent.size() == 2);
    CHECK(h.io.sent[1].server == ep("192.0.2.2"));
    h.respond(1, {a_record("a.example", 60)});
    CHECK(h.io.answers.size() == 1);
    h.ask("b.example");
    REQUIRE(h.io.sent.size() == 3);
    CHECK(h.io.sent[2].server == ep("192.0.2.2"));
    CHECK(h.engine.stats().upstream_timeouts == 1);
}

TEST_CASE("engine: a probe outlives the query it rode on, so a dead server is not probed by every query") {
    Harness h;
    h.ask("a.example");
    h.advance(milliseconds(250));  // 192.0.2.1 silent: failure 1, backed off 1 s
    h.advance(milliseconds(200));
    h.respond(1, {a_record("a.example", 60)});  // .2 in 200 ms: its RTO (600 ms) outlasts the probe's
    h.advance(milliseconds(800));
    h.ask("b.example");  // backoff over: a probe of .1 goes along
    REQUIRE(h.io.sent.size() == 4);
    CHECK(h.io.sent[2].server == ep("192.0.2.2"));
    CHECK(h.io.sent[3].server == ep("192.0.2.1"));
    h.respond(2, {a_record("b.example", 0)});  // TTL 0: not cached
    REQUIRE(h.io.answers.size() == 2);
    CHECK(h.io.open.contains(h.io.sent[3].token));  // still waiting for the probe's verdict
    h.ask("b.example");                             // a new transaction, not the retired one
    REQUIRE(h.io.sent.size() == 5);                 // no second probe
    CHECK(h.io.sent[4].server == ep("192.0.2.2"));
    h.advance(milliseconds(500));  // the probe's timeout (doubled RTO): failure 2, backed off 2 s
    CHECK_FALSE(h.io.open.contains(h.io.sent[3].token));
    CHECK(h.engine.groups()[0]->servers()[0].consecutive_failures == 2);
    h.ask("b.example");  // joins the new transaction: the retired one did not take its key along
    CHECK(h.engine.stats().coalesced == 1);
    h.respond(4, {a_record("b.example", 60)});
    REQUIRE(h.io.answers.size() == 4);
    CHECK(h.io.open.empty());
    CHECK(h.engine.in_flight() == 0);
    h.advance(milliseconds(1500));
    h.ask("d.example");
    CHECK(h.io.sent.size() == 6);  // still backed off: no probe
    h.respond(5, {a_record("d.example", 60)});
    h.advance(milliseconds(600));
    h.ask("e.example");  // a probe again; this time .1 answers after the query is over
    REQUIRE(h.io.sent.size() == 8);
    CHECK(h.io.sent[7].server == ep("192.0.2.1"));
    h.respond(6, {a_record("e.example", 60)});
    h.respond(7, {a_record("e.example", 60)});
    CHECK(h.io.answers.size() == 6);  // nobody gets a second answer
    CHECK(h.io.open.empty());
    CHECK(h.engine.in_flight() == 0);
    CHECK(h.engine.groups()[0]->servers()[0].consecutive_failures == 0);
}

TEST_CASE("engine: a late answer from the first server is still taken") {
    Harness h;
    h.ask("late.example");
    h.advance(milliseconds(250));
    REQUIRE(h.io.sent.size() == 2);
    h.respond(0, {a_record("late.example", 60)});
    CHECK(h.io.answers.size() == 1);
    CHECK(h.io.open.empty());  // both attempts closed
}

TEST_CASE("engine: SERVFAIL or REFUSED from one server moves on to the next at once") {
    Harness h;
    h.ask("sf.example");
    h.respond(0, {}, dns::rcode::SERVFAIL);
    REQUIRE(h.io.sent.size() == 2);
    CHECK(h.io.sent[1].server == ep("192.0.2.2"));
    h.respond(1, {a_record("sf.example", 60)});
    REQUIRE(h.io.answers.size() == 1);
    CHECK(h.io.answers[0].rcode() == 0);
    // Both refuse: the client gets SERVFAIL, and it is not cached.
    h.ask("both.example");
    h.respond(2, {}, dns::rcode::REFUSED);
    h.respond(3, {}, dns::rcode::SERVFAIL);
    REQUIRE(h.io.answers.size() == 2);
    CHECK(h.io.answers[1].rcode() == dns::rcode::SERVFAIL);
    h.ask("both.example");
    CHECK(h.io.sent.size() == 5);
}

TEST_CASE("engine: a truncated UDP answer is repeated over TCP to the same server") {
    Harness h;
    h.ask("big.example", dns::type::TXT);
    h.respond(0, {}, 0, {}, dns::flag::RD | dns::flag::RA | dns::flag::TC);
    REQUIRE(h.io.sent.size() == 2);
    CHECK(h.io.sent[1].tcp);
    CHECK(h.io.sent[1].server == h.io.sent[0].server);
    h.respond(1, {{"big.example", dns::type::TXT, 300, rdata_txt(3000)}});
    REQUIRE(h.io.answers.size() == 1);
    // The client asked over UDP without EDNS: it gets TC and retries over TCP.
    CHECK(h.io.answers[0].flags() & dns::flag::TC);
    CHECK(h.engine.stats().tcp_fallbacks == 1);
    ClientRef tcp = h.client;
    tcp.tcp = true;
    h.ask("big.example", dns::type::TXT, {}, &tcp);
    REQUIRE(h.io.answers.size() == 2);
    CHECK_FALSE(h.io.answers[1].flags() & dns::flag::TC);
    CHECK(h.io.answers[1].bytes.size() > 3000);
}

TEST_CASE("engine: all upstreams dead gives SERVFAIL by the deadline, or a stale answer (RFC 8767)") {
    EngineSettings s;
    s.upstream_timeout = seconds(2);
    Harness h({{"default", "", {ep("192.0.2.1")}, {wire(".")}, {}}}, s);
    h.ask("gone.example");
    for (int i = 0; i < 40; ++i) h.advance(milliseconds(50));
    REQUIRE(h.io.answers.size() == 1);
    CHECK(h.io.answers[0].rcode() == dns::rcode::SERVFAIL);
    CHECK(h.io.sent.size() >= 2);  // retried within the deadline
    CHECK(h.io.open.empty());

    h.ask("stale.example");
    h.respond(h.io.sent.size() - 1, {a_record("stale.example", 10)});
    h.now += seconds(20);  // expired 10 s ago
    h.ask("stale.example", dns::type::A, {.id = 77});
    REQUIRE(h.io.answers.size() == 2);  // nothing yet: a refresh is tried first
    for (int i = 0; i < 40; ++i) h.advance(milliseconds(50));
    REQUIRE(h.io.answers.size() == 3);
    CHECK(h.io.answers[2].id() == 77);
    CHECK(h.io.answers[2].rcode() == 0);
    CHECK(h.first_ttl(h.io.answers[2]) == 30);
    // Within the failure recheck window the stale answer comes at once.
    std::size_t sent = h.io.sent.size();
    h.ask("stale.example", dns::type::A, {.id = 78});
    REQUIRE(h.io.answers.size() == 4);
    CHECK(h.first_ttl(h.io.answers[3]) == 30);
    CHECK(h.io.sent.size() == sent);
    CHECK(h.engine.stats().stale_answers == 2);
}

TEST_CASE("engine: serve-stale can be switched off") {
    EngineSettings s;
    s.serve_stale = false;
    s.upstream_timeout = seconds(1);
    Harness h({{"default", "", {ep("192.0.2.1")}, {wire(".")}, {}}}, s);
    h.ask("x.example");
    h.respond(0, {a_record("x.example", 5)});
    h.now += seconds(10);
    h.ask("x.example");
    for (int i = 0; i < 30; ++i) h.advance(milliseconds(50));
    REQUIRE(h.io.answers.size() == 2);
    CHECK(h.io.answers[1].rcode() == dns::rcode::SERVFAIL);
}

TEST_CASE("engine: an entry asked for in the last 10 % of its TTL is refreshed in the background") {
    Harness h;
    h.ask("pf.example");
    h.respond(0, {a_record("pf.example", 100)});
    h.now += seconds(95);
    h.ask("pf.example");
    REQUIRE(h.io.answers.size() == 2);  // answered from the cache at once
    REQUIRE(h.io.sent.size() == 2);     // and refreshed
    h.respond(1, {a_record("pf.example", 100)});
    CHECK(h.io.answers.size() == 2);  // nobody waited for the prefetch
    h.now += seconds(10);             // past the old expiry
    h.ask("pf.example");
    CHECK(h.io.sent.size() == 2);
    CHECK(h.first_ttl(h.io.answers.back()) == 90);
    CHECK(h.engine.stats().prefetches == 1);
}

TEST_CASE("engine: negative answers are cached for the SOA minimum") {
    Harness h;
    h.ask("nx.example");
    h.respond(0, {}, dns::rcode::NXDOMAIN, {{"example", dns::type::SOA, 3600, rdata_soa(5)}});
    REQUIRE(h.io.answers[0].rcode() == dns::rcode::NXDOMAIN);
    h.now += seconds(4);
    h.ask("nx.example");
    CHECK(h.io.sent.size() == 1);
    CHECK(h.io.answers[1].rcode() == dns::rcode::NXDOMAIN);
    h.now += seconds(2);
    h.ask("nx.example");
    CHECK(h.io.sent.size() == 2);
}

TEST_CASE("engine: access control") {
    EngineSettings s;
    s.deny = {*Prefix::parse("127.0.0.3/32")};
    s.allow = {*Prefix::parse("203.0.113.0/24")};
    Harness h({{"default", "", {ep("192.0.2.1")}, {wire(".")}, {}}}, s);
    h.engine.set_interfaces({{7, "lan0", {*Prefix::parse("198.51.100.1/24")}}});
    ClientRef denied = h.client;
    denied.peer = ep("127.0.0.3:999");
    ClientRef outsider{.peer = ep("192.0.2.200:999"), .ifindex = 7};
    ClientRef lan{.peer = ep("198.51.100.20:999"), .ifindex = 7};
    ClientRef allowed{.peer = ep("203.0.113.5:999"), .ifindex = 7};
    h.ask("a.example", dns::type::A, {}, &denied);
    h.ask("a.example", dns::type::A, {}, &outsider);
    REQUIRE(h.io.answers.size() == 2);
    CHECK(h.io.answers[0].rcode() == dns::rcode::REFUSED);
    CHECK(h.io.answers[1].rcode() == dns::rcode::REFUSED);
    CHECK(h.io.sent.empty());
    h.ask("a.example", dns::type::A, {}, &lan);
    h.ask("a.example", dns::type::A, {}, &allowed);
    CHECK(h.io.sent.size() == 1);
    CHECK(h.engine.stats().refused == 2);
}

TEST_CASE("engine: malformed queries get FORMERR / NOTIMP, responses are dropped") {
    Harness h;
    auto q = make_query("x.example", dns::type::A);
    q[5] = 2;
    h.engine.handle_query(q, h.client, h.now);
    auto notimp = make_query("x.example", dns::type::A, {.flags = 4 << 11});
    h.engine.handle_query(notimp, h.client, h.now);
    auto resp = make_query("x.example", dns::type::A, {.flags = dns::flag::QR});
    h.engine.handle_query(resp, h.client, h.now);
    REQUIRE(h.io.answers.size() == 2);
    CHECK(h.io.answers[0].rcode() == dns::rcode::FORMERR);
    CHECK(h.io.answers[1].rcode() == dns::rcode::NOTIMP);
    CHECK(h.engine.stats().dropped == 1);
}

TEST_CASE("engine: private reverse and single-label names stay local unless a group routes them") {
    Harness h;
    h.ask("4.3.168.192.in-addr.arpa", dns::type::PTR);
    h.ask("printer", dns::type::A);
    h.ask("printer", dns::type::MX);  // domain_needed covers address queries only
    REQUIRE(h.io.answers.size() == 2);
    CHECK(h.io.answers[0].rcode() == dns::rcode::NXDOMAIN);
    CHECK(h.io.answers[0].flags() & dns::flag::AA);
    CHECK(h.io.answers[0].count(1) == 1);  // SOA for negative caching
    CHECK(h.io.answers[1].rcode() == dns::rcode::NXDOMAIN);
    CHECK(h.io.sent.size() == 1);

    Harness routed({{"default", "", {ep("192.0.2.1")}, {wire(".")}, {}},
                    {"home", "", {ep("192.0.2.9")}, {wire("168.192.in-addr.arpa")}, {}}});
    routed.ask("4.3.168.192.in-addr.arpa", dns::type::PTR);
    REQUIRE(routed.io.sent.size() == 1);
    CHECK(routed.io.sent[0].server == ep("192.0.2.9"));
}

TEST_CASE("engine: groups split by domain and by client interface, egress interface is passed on") {
    Harness h({{"default", "eth0", {ep("192.0.2.1")}, {wire(".")}, {}},
               {"vpn", "wg0", {ep("198.51.100.53")}, {wire("corp.test")}, {}},
               {"guest", "eth0", {ep("203.0.113.53")}, {wire(".")}, {"guest0"}}});
    h.engine.set_interfaces({{3, "guest0", {*Prefix::parse("198.18.0.1/24")}}});
    h.ask("git.corp.test");
    h.ask("www.example.org");
    ClientRef guest{.peer = ep("198.18.0.20:999"), .ifindex = 3};
    h.ask("www.example.org", dns::type::A, {}, &guest);
    REQUIRE(h.io.sent.size() == 3);
    CHECK(h.io.sent[0].server == ep("198.51.100.53"));
    CHECK(h.io.sent[0].interface == "wg0");
    CHECK(h.io.sent[1].server == ep("192.0.2.1"));
    CHECK(h.io.sent[2].server == ep("203.0.113.53"));  // same name, guest upstream, not coalesced
}

TEST_CASE("engine: resolv.conf servers join a group, our own address is never used") {
    Harness h({{"default", "", {}, {wire(".")}, {}}});
    h.ask("a.example");
    for (int i = 0; i < 70; ++i) h.advance(milliseconds(50));
    REQUIRE(h.io.answers.size() == 1);
    CHECK(h.io.answers[0].rcode() == dns::rcode::SERVFAIL);  // no servers at all
    h.engine.set_resolv_conf_servers("default", {ep("127.0.0.1:53"), ep("192.0.2.77")});
    h.ask("b.example");
    REQUIRE(h.io.sent.size() == 1);
    CHECK(h.io.sent[0].server == ep("192.0.2.77"));
}

TEST_CASE("engine: hosts file answers A, AAAA, PTR and NODATA before anything is forwarded") {
    Harness h;
    HostsTable hosts;
    hosts.parse("192.0.2.10 nas nas.lan\n2001:db8::10 nas\n", "hosts");
    auto zone = std::make_shared<LocalZone>("", false, 60);
    zone->add_hosts(hosts);
    h.engine.set_local_zone(zone);
    h.ask("NAS", dns::type::A);
    h.ask("nas.lan", dns::type::AAAA);
    h.ask("10.2.0.192.in-addr.arpa", dns::type::PTR);
    h.ask("nas", dns::type::MX);
    CHECK(h.io.sent.empty());
    REQUIRE(h.io.answers.size() == 4);
    CHECK(h.io.answers[0].count(0) == 1);
    CHECK(h.io.answers[0].flags() & dns::flag::AA);
    CHECK(h.io.answers[1].count(0) == 0);  // nas.lan has only an IPv4 address
    CHECK(h.io.answers[1].count(1) == 1);
    CHECK(h.io.answers[2].count(0) == 1);
    CHECK(h.io.answers[3].rcode() == 0);
    CHECK(h.io.answers[3].count(0) == 0);
}

TEST_CASE("engine: EDNS from the client is honoured, DO reaches upstream and is part of the cache key") {
    Harness h;
    h.ask("d.example", dns::type::A, {.edns_udp = 4096, .dnssec_ok = true});
    REQUIRE(h.io.sent.size() == 1);
    CHECK(h.io.sent[0].view().edns_do);
    h.respond(0, {a_record("d.example", 60), {"d.example", dns::type::RRSIG, 60, Bytes(30, 1)}});
    REQUIRE(h.io.answers.size() == 1);
    CHECK(h.io.answers[0].count(0) == 2);
    CHECK(h.io.answers[0].count(2) == 1);  // our OPT
    h.ask("d.example", dns::type::A);      // no DO: different key, goes upstream
    CHECK(h.io.sent.size() == 2);
    CHECK_FALSE(h.io.sent[1].view().edns_do);
}

TEST_CASE("engine: the server list changing under a query in flight is safe") {
    Harness h({{"default", "", {}, {wire(".")}, {}}});
    h.engine.set_resolv_conf_servers("default", {ep("192.0.2.1"), ep("192.0.2.2")});
    h.ask("a.example");
    REQUIRE(h.io.sent.size() == 1);
    h.engine.set_resolv_conf_servers("default", {ep("192.0.2.3")});  // the DHCP client rewrote resolv.conf
    h.advance(milliseconds(300));  // the old server's timeout: the next one is from the new list
    REQUIRE(h.io.sent.size() == 2);
    CHECK(h.io.sent[1].server == ep("192.0.2.3"));
    h.respond(0, {a_record("a.example", 60)});  // the old server still answers in time
    REQUIRE(h.io.answers.size() == 1);
    CHECK(h.io.answers[0].rcode() == 0);
    CHECK(h.engine.groups()[0]->servers().size() == 1);
}
