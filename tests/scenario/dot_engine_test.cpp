// The engine and DNS over TLS servers: a DoT server is only ever asked over
// TLS (RFC 8310 strict profile), its failure moves the query to the next
// server at once and backs it off like any failed server.
#include <catch2/catch.hpp>

#include "resolver/engine/resolver_engine.h"
#include "resolver/engine/upstream_group.h"
#include "support/dns_builder.h"
#include "support/engine_harness.h"

using namespace lanlord;
using namespace lanlord::test;

namespace {
std::vector<GroupSpec> dot_and_plain() {
    TlsAuth auth;
    auth.name = "dns.example";
    GroupSpec g{"mixed", "", {ep("192.0.2.1:853"), ep("192.0.2.2")}, {wire(".")}, {}, false};
    g.tls_servers = {{ep("192.0.2.1:853"), auth}};
    return {g};
}
}  // namespace

TEST_CASE("dot engine: attempts to a DoT server carry its authentication and are stream attempts") {
    Harness h(dot_and_plain());
    h.ask("a.example", dns::type::A, {.id = 1});
    REQUIRE(h.io.sent.size() == 1);  // an unmeasured server first: the first listed
    const SentAttempt& a = h.io.sent[0];
    CHECK(a.server == ep("192.0.2.1:853"));
    REQUIRE(a.tls);
    CHECK(a.tls->name == "dns.example");
    CHECK(a.tcp);  // never a UDP datagram to a DoT server
    h.respond(0, {a_record("a.example", 300)});
    REQUIRE(h.io.answers.size() == 1);
    CHECK(h.io.answers[0].rcode() == 0);
    CHECK(h.engine.stats().tcp_fallbacks == 0);
}

TEST_CASE("dot engine: a failed DoT server hands the query to the next server at once and is backed off") {
    Harness h(dot_and_plain());
    h.ask("b.example", dns::type::A, {.id = 2});
    REQUIRE(h.io.sent.size() == 1);
    REQUIRE(h.io.sent[0].tls);
    h.engine.handle_upstream_error(h.io.sent[0].token, h.now);  // e.g. the certificate was refused
    REQUIRE(h.io.sent.size() == 2);
    CHECK(h.io.sent[1].server == ep("192.0.2.2"));
    CHECK_FALSE(h.io.sent[1].tls);
    CHECK_FALSE(h.io.sent[1].tcp);
    h.respond(1, {a_record("b.example", 300)});
    REQUIRE(h.io.answers.size() == 1);
    auto servers = h.engine.groups().at(0)->servers();
    REQUIRE(servers.size() == 2);
    CHECK(servers[0].tls);
    CHECK(servers[0].backoff_until > h.now);  // backed off like a dead server
    CHECK_FALSE(servers[1].tls);
    // The next query goes to the plain server first.
    h.ask("c.example", dns::type::A, {.id = 3});
    REQUIRE(h.io.sent.size() == 3);
    CHECK(h.io.sent[2].server == ep("192.0.2.2"));
}

TEST_CASE("dot engine: a reload keeps a DoT server's counters while its authentication stays") {
    Harness h(dot_and_plain());
    auto before = h.engine.groups().at(0)->servers().at(0).tls_stats;
    REQUIRE(before);
    before->queries = 7;
    h.engine.configure({}, dot_and_plain(), {ep("127.0.0.1:53")});
    CHECK(h.engine.groups().at(0)->servers().at(0).tls_stats == before);
    auto changed = dot_and_plain();
    changed[0].tls_servers[0].second.name = "other.example";
    h.engine.configure({}, changed, {ep("127.0.0.1:53")});
    auto after = h.engine.groups().at(0)->servers().at(0);
    CHECK(after.tls->name == "other.example");
    CHECK(after.tls_stats != before);  // a new server as far as TLS goes
    changed[0].tls_servers.clear();    // written plain now
    h.engine.configure({}, changed, {ep("127.0.0.1:53")});
    CHECK_FALSE(h.engine.groups().at(0)->servers().at(0).tls);
}

TEST_CASE(
    "dot engine: groups by domain and client interface reach their DoT servers through their egress "
    "interface") {
    TlsAuth isp, corp;
    isp.name = "dns.isp.example";
    corp.name = "dns.corp.test";
    GroupSpec def{"default", "eth0", {ep("192.0.2.1:853")}, {wire(".")}, {}};
    def.tls_servers = {{ep("192.0.2.1:853"), isp}};
    GroupSpec vpn{"vpn", "wg0", {ep("198.51.100.53:853")}, {wire("corp.test")}, {}};
    vpn.tls_servers = {{ep("198.51.100.53:853"), corp}};
    GroupSpec guest{"guest", "eth0", {ep("203.0.113.53")}, {wire(".")}, {"guest0"}};  // plain
    Harness h({def, vpn, guest});
    h.engine.set_interfaces({{3, "guest0", {*Prefix::parse("198.18.0.1/24")}}});
    h.ask("git.corp.test");
    h.ask("www.example.org");
    ClientRef guest_client{.peer = ep("198.18.0.20:999"), .ifindex = 3};
    h.ask("www.example.org", dns::type::A, {}, &guest_client);
    REQUIRE(h.io.sent.size() == 3);
    CHECK(h.io.sent[0].server == ep("198.51.100.53:853"));
    CHECK(h.io.sent[0].interface == "wg0");  // SO_BINDTODEVICE at the edge, for the TLS connection too
    REQUIRE(h.io.sent[0].tls);
    CHECK(h.io.sent[0].tls->name == "dns.corp.test");
    CHECK(h.io.sent[1].server == ep("192.0.2.1:853"));
    CHECK(h.io.sent[1].interface == "eth0");
    REQUIRE(h.io.sent[1].tls);
    CHECK(h.io.sent[1].tls->name == "dns.isp.example");
    CHECK(h.io.sent[2].server == ep("203.0.113.53"));
    CHECK_FALSE(h.io.sent[2].tls);
    CHECK_FALSE(h.io.sent[2].tcp);
}

TEST_CASE("dot engine: an answer over TLS must still match its query, the real one is taken") {
    Harness h(dot_and_plain());
    h.ask("spoof.example", dns::type::A, {.id = 5});
    const SentAttempt& a = h.io.sent.at(0);
    REQUIRE(a.tls);
    QueryView q = a.view();
    ResponseSpec good{.qname = "spoof.example", .id = q.id};
    good.answer = {a_record("spoof.example", 60, "192.0.2.99")};
    ResponseSpec bad_id = good;
    bad_id.id = static_cast<std::uint16_t>(q.id + 1);
    ResponseSpec bad_q = good;
    bad_q.qname = "other.example";
    bad_q.answer = {a_record("other.example", 60, "203.0.113.66")};
    h.engine.handle_upstream_response(a.token, a.server, make_response(bad_id), h.now);
    h.engine.handle_upstream_response(a.token, a.server, make_response(bad_q), h.now);
    CHECK(h.engine.stats().spoof_mismatches == 2);
    CHECK(h.io.answers.empty());
    h.engine.handle_upstream_response(a.token, a.server, make_response(good), h.now);
    REQUIRE(h.io.answers.size() == 1);
    CHECK(h.io.answers[0].rcode() == 0);
}

TEST_CASE("dot engine: when the only DoT server fails, an expired answer is served stale (RFC 8767)") {
    TlsAuth auth;
    auth.name = "dns.example";
    GroupSpec g{"dot", "", {ep("192.0.2.1:853")}, {wire(".")}, {}};
    g.tls_servers = {{ep("192.0.2.1:853"), auth}};
    EngineSettings s;
    s.upstream_timeout = seconds(2);
    Harness h({g}, s);
    h.ask("stale.example");
    REQUIRE(h.io.sent.size() == 1);
    REQUIRE(h.io.sent[0].tls);
    h.respond(0, {a_record("stale.example", 10)});
    REQUIRE(h.io.answers.size() == 1);
    h.now += seconds(20);  // expired 10 s ago
    h.ask("stale.example", dns::type::A, {.id = 77});
    REQUIRE(h.io.sent.size() == 2);  // a refresh over TLS first
    CHECK(h.io.sent[1].tls);
    // The handshake fails (a certificate refused, say): never asked in clear.
    h.engine.handle_upstream_error(h.io.sent[1].token, h.now);
    for (int i = 0; i < 40; ++i) h.advance(milliseconds(50));
    for (std::size_t i = 1; i < h.io.sent.size(); ++i) CHECK(h.io.sent[i].tls);
    REQUIRE(h.io.answers.size() == 2);
    CHECK(h.io.answers[1].id() == 77);
    CHECK(h.io.answers[1].rcode() == 0);
    CHECK(h.first_ttl(h.io.answers[1]) == 30);  // RFC 8767's stale TTL
    CHECK(h.engine.stats().stale_answers == 1);
}
