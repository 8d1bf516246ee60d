// The recursive mode against a scripted hierarchy: the walk from the root
// (priming, referrals, QNAME minimisation in its exact sequence), glueless
// delegations, CNAME and DNAME across zones, negative answers and their
// caching, and the fallbacks for servers that are lame, silent, without
// EDNS, TCP-only or deaf to 0x20.
#include <catch2/catch.hpp>

#include "support/recursion_harness.h"

using namespace lanlord;
using namespace lanlord::test;

namespace {
namespace t = dns::type;

using Lines = std::vector<std::string>;

// root (198.51.100.1) -> zz. (198.51.100.11), yy. (198.51.100.12)
//   example.zz. on 203.0.113.1 (glue), glueless.zz. on ns.host.yy. (no glue)
//   host.yy. on 203.0.113.2 (glue), and the zone of glueless.zz on 203.0.113.3
void build(FakeInternet& net) {
    net.add_server("198.51.100.1").serve(FakeZone(".", R"(
        @ 86400 SOA a.root-servers.test. hostmaster.root. 1 1800 900 604800 86400
        @ 518400 NS a.root-servers.test.
        a.root-servers.test. 518400 A 198.51.100.1
        zz 172800 NS ns1.nic.zz.
        ns1.nic.zz 172800 A 198.51.100.11
        yy 172800 NS ns1.nic.yy.
        ns1.nic.yy 172800 A 198.51.100.12
    )"));
    net.add_server("198.51.100.11").serve(FakeZone("zz.", R"(
        @ 900 SOA ns1.nic hostmaster 1 1800 900 604800 900
        @ NS ns1.nic
        ns1.nic A 198.51.100.11
        example 86400 NS ns1.example
        ns1.example 86400 A 203.0.113.1
        glueless 86400 NS ns.host.yy.
        lame 86400 NS ns1.lame
        lame 86400 NS ns2.lame
        ns1.lame A 203.0.113.5
        ns2.lame A 203.0.113.6
    )"));
    net.add_server("198.51.100.12").serve(FakeZone("yy.", R"(
        @ 900 SOA ns1.nic hostmaster 1 1800 900 604800 900
        @ NS ns1.nic
        ns1.nic A 198.51.100.12
        host 86400 NS ns1.host
        ns1.host 86400 A 203.0.113.2
    )"));
    net.add_server("203.0.113.1").serve(FakeZone("example.zz.", R"(
        @ 3600 SOA ns1 hostmaster 7 3600 600 86400 300
        @ 3600 NS ns1
        ns1 A 203.0.113.1
        www 300 A 192.0.2.1
        www 300 AAAA 2001:db8::1
        alias 60 CNAME www.host.yy.
        inzone 60 CNAME www
        a.b.c TXT "deep"
        old 120 DNAME host.yy.
        loop1 60 CNAME loop2
        loop2 60 CNAME loop1
    )"));
    net.add_server("203.0.113.2").serve(FakeZone("host.yy.", R"(
        @ 3600 SOA ns1 hostmaster 7 3600 600 86400 600
        @ 3600 NS ns1
        ns1 A 203.0.113.2
        ns A 203.0.113.3
        www 300 A 192.0.2.2
    )"));
    net.add_server("203.0.113.3").serve(FakeZone("glueless.zz.", R"(
        @ 3600 SOA ns.host.yy. hostmaster 1 3600 600 86400 300
        @ 3600 NS ns.host.yy.
        www 300 A 192.0.2.3
    )"));
    FakeZone lame("lame.zz.", R"(
        @ 3600 SOA ns1 hostmaster 1 3600 600 86400 300
        @ 3600 NS ns1
        @ 3600 NS ns2
        www 300 A 192.0.2.6
        other 300 A 192.0.2.7
    )");
    net.add_server("203.0.113.5");  // serves nothing: REFUSED for lame.zz.
    net.add_server("203.0.113.6").serve(lame);
}

struct Fixture : RecursionHarness {
    Fixture() { build(net); }
};
}  // namespace

TEST_CASE_METHOD(Fixture, "recursion: a cold name walks root, TLD and zone, minimised, and is cached",
                 "[recursion]") {
    auto a = ask("www.example.zz.");
    CHECK(a->rcode() == 0);
    CHECK(a->answer() == Lines{"www.example.zz. 300 A 192.0.2.1"});
    CHECK_FALSE(a->m.header.has(dns::flag::AA));  // a resolver's answer is not authoritative
    CHECK(a->m.header.has(dns::flag::RA));
    // Minimal responses: no NS in authority, no glue in additional (only our OPT).
    CHECK(a->authority().empty());
    CHECK(a->m.header.arcount == 1);
    CHECK(a->m.edns.present);
    // Priming (RFC 8109), then one label more at each cut (RFC 9156 with
    // QTYPE A), the full question only to the zone's own server.
    CHECK(queries() == Lines{"198.51.100.1 . NS udp", "198.51.100.1 zz. A udp",
                             "198.51.100.11 example.zz. A udp", "203.0.113.1 www.example.zz. A udp"});
    // The same question: the answer cache. Another name in the zone: the
    // zone's server only (the delegation is cached).
    std::size_t before = net.log.size();
    CHECK(ask("www.example.zz.")->answer() == Lines{"www.example.zz. 300 A 192.0.2.1"});
    CHECK(net.log.size() == before);
    CHECK(ask("www.example.zz.", t::AAAA)->answer() == Lines{"www.example.zz. 300 AAAA 2001:db8::1"});
    CHECK(queries(before) == Lines{"203.0.113.1 www.example.zz. AAAA udp"});
}

TEST_CASE_METHOD(Fixture, "recursion: QNAME minimisation walks empty non-terminals one label at a time",
                 "[recursion]") {
    ask("www.example.zz.");
    std::size_t before = net.log.size();
    auto a = ask("a.b.c.example.zz.", t::TXT);
    CHECK(a->answer() == Lines{"a.b.c.example.zz. 3600 TXT \"deep\""});
    CHECK(queries(before) == Lines{"203.0.113.1 c.example.zz. A udp", "203.0.113.1 b.c.example.zz. A udp",
                                   "203.0.113.1 a.b.c.example.zz. TXT udp"});
}

TEST_CASE_METHOD(Fixture, "recursion: without minimisation the whole name goes to every server",
                 "[recursion]") {
    settings.qname_minimisation = false;
    configure();
    CHECK(ask("www.example.zz.")->answer() == Lines{"www.example.zz. 300 A 192.0.2.1"});
    CHECK(queries() == Lines{"198.51.100.1 . NS udp", "198.51.100.1 www.example.zz. A udp",
                             "198.51.100.11 www.example.zz. A udp", "203.0.113.1 www.example.zz. A udp"});
}

TEST_CASE_METHOD(Fixture, "recursion: a glueless delegation resolves its NS name on the side",
                 "[recursion]") {
    auto a = ask("www.glueless.zz.");
    CHECK(a->answer() == Lines{"www.glueless.zz. 300 A 192.0.2.3"});
    auto q = queries();
    // ns.host.yy. was resolved from yy. before glueless.zz.'s server was asked.
    CHECK(std::find(q.begin(), q.end(), "203.0.113.2 ns.host.yy. A udp") != q.end());
    CHECK(q.back() == "203.0.113.3 www.glueless.zz. A udp");
}

TEST_CASE_METHOD(Fixture, "recursion: CNAME across zones, CNAME inside a zone, DNAME", "[recursion]") {
    CHECK(ask("alias.example.zz.")->answer() ==
          Lines{"alias.example.zz. 60 CNAME www.host.yy.", "www.host.yy. 300 A 192.0.2.2"});
    CHECK(ask("inzone.example.zz.")->answer() ==
          Lines{"inzone.example.zz. 60 CNAME www.example.zz.", "www.example.zz. 300 A 192.0.2.1"});
    // RFC 6672: the DNAME and the CNAME synthesised from it.
    CHECK(ask("www.old.example.zz.")->answer() == Lines{"old.example.zz. 120 DNAME host.yy.",
                                                        "www.old.example.zz. 120 CNAME www.host.yy.",
                                                        "www.host.yy. 300 A 192.0.2.2"});
}

TEST_CASE_METHOD(Fixture, "recursion: NXDOMAIN and NODATA carry the SOA and are cached (RFC 2308, 8020)",
                 "[recursion]") {
    auto nx = ask("nothere.example.zz.");
    CHECK(nx->rcode() == dns::rcode::NXDOMAIN);
    REQUIRE(nx->authority().size() == 1);
    CHECK(nx->authority()[0].rfind("example.zz. 300 SOA ", 0) == 0);  // min(SOA TTL, MINIMUM)
    auto nodata = ask("www.example.zz.", t::MX);
    CHECK(nodata->rcode() == 0);
    CHECK(nodata->answer().empty());
    REQUIRE(nodata->authority().size() == 1);
    // Below a name that does not exist nothing exists: no query (RFC 8020).
    std::size_t before = net.log.size();
    CHECK(ask("deeper.nothere.example.zz.", t::AAAA)->rcode() == dns::rcode::NXDOMAIN);
    CHECK(net.log.size() == before);
}

TEST_CASE_METHOD(Fixture, "recursion: a REFUSED server is skipped for the zone and remembered",
                 "[recursion]") {
    CHECK(ask("www.lame.zz.")->answer() == Lines{"www.lame.zz. 300 A 192.0.2.6"});
    auto q = queries();
    CHECK(std::count(q.begin(), q.end(), "203.0.113.5 www.lame.zz. A udp") == 1);
    std::size_t before = net.log.size();
    CHECK(ask("other.lame.zz.")->answer() == Lines{"other.lame.zz. 300 A 192.0.2.7"});
    CHECK(queries(before) == Lines{"203.0.113.6 other.lame.zz. A udp"});  // lame for 900 s
}

TEST_CASE_METHOD(Fixture, "recursion: an upward referral is lame, the next server answers", "[recursion]") {
    net.server("203.0.113.5")
        .serve(FakeZone("lame.zz.", "@ 3600 SOA ns1 h 1 1 1 1 1\n@ NS ns1"))
        .set_behaviour(Behaviour::lame);
    CHECK(ask("www.lame.zz.")->answer() == Lines{"www.lame.zz. 300 A 192.0.2.6"});
    CHECK(caches.infra->lame(*IpAddress::parse("203.0.113.5"), *name_from_text("lame.zz."), now));
}

TEST_CASE_METHOD(Fixture, "recursion: a silent server times out, the next answers, the RTO steers away",
                 "[recursion]") {
    net.server("203.0.113.5")
        .serve(FakeZone("lame.zz.", "@ 3600 SOA ns1 h 1 1 1 1 1\n@ NS ns1"))
        .set_behaviour(Behaviour::silent);
    TimePoint start = now;
    CHECK(ask("www.lame.zz.")->answer() == Lines{"www.lame.zz. 300 A 192.0.2.6"});
    CHECK(now - start >= InfraCache::kUnknownRtt);  // waited once for the silent one
    CHECK(now - start < seconds(2));
    std::size_t before = net.log.size();
    CHECK(ask("other.lame.zz.")->answer() == Lines{"other.lame.zz. 300 A 192.0.2.7"});
    CHECK(queries(before) == Lines{"203.0.113.6 other.lame.zz. A udp"});
}

TEST_CASE_METHOD(Fixture, "recursion: FORMERR to EDNS is retried without it and remembered", "[recursion]") {
    net.server("203.0.113.1").set_behaviour(Behaviour::formerr_on_edns);
    CHECK(ask("www.example.zz.")->answer() == Lines{"www.example.zz. 300 A 192.0.2.1"});
    auto& log = net.log;
    REQUIRE(log.size() >= 2);
    CHECK(log[log.size() - 2].edns);
    CHECK_FALSE(log.back().edns);
    CHECK(caches.infra->get(*IpAddress::parse("203.0.113.1"), now).no_edns);
}

TEST_CASE_METHOD(Fixture, "recursion: a truncated answer is asked again over TCP", "[recursion]") {
    net.server("203.0.113.1").set_behaviour(Behaviour::tcp_only);
    CHECK(ask("www.example.zz.")->answer() == Lines{"www.example.zz. 300 A 192.0.2.1"});
    auto q = queries();
    REQUIRE(q.size() >= 2);
    CHECK(q[q.size() - 2] == "203.0.113.1 www.example.zz. A udp");
    CHECK(q.back() == "203.0.113.1 www.example.zz. A tcp");
}

TEST_CASE_METHOD(Fixture,
                 "recursion: 0x20 case is randomised, a server that does not echo it is asked over TCP",
                 "[recursion]") {
    ask("www.example.zz.");
    bool mixed = false;
    for (const Received& r : net.log)
        for (char c : r.qname_as_sent_text) mixed |= c >= 'A' && c <= 'Z';
    CHECK(mixed);
    net.server("203.0.113.1").set_behaviour(Behaviour::no_0x20);
    std::size_t before = net.log.size();
    CHECK(ask("www.example.zz.", t::AAAA)->answer() == Lines{"www.example.zz. 300 AAAA 2001:db8::1"});
    CHECK(queries(before) ==
          Lines{"203.0.113.1 www.example.zz. AAAA udp", "203.0.113.1 www.example.zz. AAAA tcp"});
    CHECK(caches.infra->get(*IpAddress::parse("203.0.113.1"), now).no_0x20);
}

TEST_CASE_METHOD(Fixture,
                 "recursion: a server answering NXDOMAIN for an empty non-terminal gets the full name",
                 "[recursion]") {
    ask("www.example.zz.");
    net.server("203.0.113.1").set_behaviour(Behaviour::nxdomain_for_ent);
    std::size_t before = net.log.size();
    auto a = ask("a.b.c.example.zz.", t::TXT);
    CHECK(a->answer() == Lines{"a.b.c.example.zz. 3600 TXT \"deep\""});
    // RFC 9156 section 2.3, relaxed: the NXDOMAIN for the minimised name is
    // not believed; the full question is asked of the same zone.
    CHECK(queries(before) ==
          Lines{"203.0.113.1 c.example.zz. A udp", "203.0.113.1 a.b.c.example.zz. TXT udp"});
    CachedEntry e;
    CHECK_FALSE(caches.records->lookup_negative(*name_from_text("c.example.zz."), t::A, now, e));
    CHECK(engine.iterator()->stats().qmin_fallbacks == 1);
}
