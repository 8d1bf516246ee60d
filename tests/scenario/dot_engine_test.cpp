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
