// The recursive mode under attack: poisoning attempts (records outside the
// zone that answered, in every section), answers for a name not asked,
// delegations to addresses that must never be asked, and the fan-outs the
// work limits exist for (NXNS: CVE-2020-12662; CNAME loops; cyclic and
// endless delegations).
#include <catch2/catch.hpp>

#include "support/recursion_harness.h"

using namespace lanlord;
using namespace lanlord::test;

namespace {
namespace t = dns::type;

using Lines = std::vector<std::string>;

std::string names_of_ns(unsigned count, const char* suffix) {
    std::string zone;
    for (unsigned i = 0; i < count; ++i) zone += "nxns 86400 NS ns" + std::to_string(i) + suffix + "\n";
    return zone;
}

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
    FakeZone zz("zz.", R"(
        @ 900 SOA ns1.nic hostmaster 1 1800 900 604800 900
        @ NS ns1.nic
        ns1.nic A 198.51.100.11
        example 86400 NS ns1.example
        ns1.example 86400 A 203.0.113.1
        cyc 86400 NS ns.cyc.yy.
        bad 86400 NS ns1.bad
        bad 86400 NS ns2.bad
        bad 86400 NS ns3.bad
        ns1.bad A 127.0.0.1
        ns2.bad A 10.0.0.53
        ns3.bad A 224.0.0.251
    )");
    zz.add_lines(names_of_ns(100, ".nowhere.yy."));
    net.add_server("198.51.100.11").serve(zz);
    net.add_server("198.51.100.12").serve(FakeZone("yy.", R"(
        @ 900 SOA ns1.nic hostmaster 1 1800 900 604800 900
        @ NS ns1.nic
        ns1.nic A 198.51.100.12
        cyc 86400 NS ns.cyc.zz.
    )"));
    net.add_server("203.0.113.1").serve(FakeZone("example.zz.", R"(
        @ 3600 SOA ns1 hostmaster 7 3600 600 86400 300
        @ 3600 NS ns1
        ns1 A 203.0.113.1
        www 300 A 192.0.2.1
        loop1 60 CNAME loop2
        loop2 60 CNAME loop1
    )"));
}

struct Fixture : RecursionHarness {
    Fixture() { build(net); }
    std::size_t queries_for(const std::string& name, std::uint16_t type, int& rcode, int& ede) {
        std::size_t before = net.log.size();
        auto a = ask(name, type);
        rcode = a->rcode();
        ede = a->ede();
        return net.log.size() - before;
    }
};
}  // namespace

TEST_CASE_METHOD(Fixture, "recursion: records outside the answering zone are never cached", "[recursion]") {
    net.server("203.0.113.1").set_behaviour(Behaviour::poison);
    CHECK(ask("www.example.zz.")->answer() == Lines{"www.example.zz. 300 A 192.0.2.1"});
    CachedEntry e;
    // The victim's A (answer and additional), the attacker's NS for zz. and
    // its glue: none of it is in the cache.
    CHECK_FALSE(caches.records->lookup(*name_from_text(kPoisonName), t::A, now, e));
    CHECK_FALSE(caches.records->lookup(*name_from_text(kAttackerNs), t::A, now, e));
    REQUIRE(caches.records->lookup(*name_from_text("zz."), t::NS, now, e));
    std::string blob(e.rdata.begin(), e.rdata.end());
    CHECK(blob.find("attacker") == std::string::npos);
    // Asking for the victim goes to its own servers (here: none, so the root
    // says NXDOMAIN), not to the poisoned answer.
    std::size_t before = net.log.size();
    CHECK(ask(kPoisonName)->rcode() == dns::rcode::NXDOMAIN);
    CHECK(net.log.size() > before);
}

TEST_CASE_METHOD(Fixture, "recursion: an answer for another name is ignored, the next server asked",
                 "[recursion]") {
    net.server("203.0.113.1").set_behaviour(Behaviour::wrong_name);
    auto a = ask("www.example.zz.");
    CHECK(a->rcode() == dns::rcode::SERVFAIL);  // the only server never answered the question
    CHECK(engine.iterator()->stats().spoofed >= 1);
    CachedEntry e;
    CHECK_FALSE(caches.records->lookup(*name_from_text("wrong.example.zz."), t::A, now, e));
}

TEST_CASE_METHOD(Fixture, "recursion: loopback, private and multicast servers are never asked",
                 "[recursion]") {
    int rcode = 0, ede = 0;
    queries_for("www.bad.zz.", t::A, rcode, ede);
    CHECK(rcode == dns::rcode::SERVFAIL);
    CHECK(ede == 22);  // No Reachable Authority
    for (const Received& r : net.log) {
        CHECK_FALSE(r.server.is_loopback());
        CHECK(r.server.to_string() != "10.0.0.53");
        CHECK(r.server.to_string() != "224.0.0.251");
    }
    for (const SentAttempt& s : io.sent) CHECK(s.server.address.to_string().rfind("127.", 0) != 0);
}

TEST_CASE_METHOD(Fixture, "recursion: a referral to 100 glueless NS names stays within the budget (NXNS)",
                 "[recursion]") {
    int rcode = 0, ede = 0;
    std::size_t sent = queries_for("www.nxns.zz.", t::A, rcode, ede);
    CHECK(rcode == dns::rcode::SERVFAIL);
    CHECK(ede >= 0);
    // Each NS name lookup ends at yy. with NXDOMAIN for nowhere.yy (cached,
    // RFC 8020): the first costs a query, the rest none, and at most
    // max_ns_lookups_zone names are tried.
    CHECK(sent <= RecursionLimits{}.max_queries);
    CHECK(sent <= 12);
    CHECK(engine.iterator()->stats().ns_lookups <= RecursionLimits{}.max_ns_lookups_zone);
}

TEST_CASE_METHOD(Fixture, "recursion: 100 glueless NS names that time out stay within the budget too",
                 "[recursion]") {
    // nowhere.yy. delegated to a server that never answers: every NS name
    // lookup costs timeouts, and the limits must still end it.
    net.server("198.51.100.12")
        .zone("yy.")
        .add_line("nowhere 86400 NS ns1.nowhere")
        .add_line("ns1.nowhere 86400 A 203.0.113.99");
    net.add_server("203.0.113.99", Behaviour::silent);
    int rcode = 0, ede = 0;
    TimePoint start = now;
    std::size_t sent = queries_for("www.nxns.zz.", t::A, rcode, ede);
    CHECK(rcode == dns::rcode::SERVFAIL);
    CHECK(sent <= RecursionLimits{}.max_queries);
    CHECK(now - start <= seconds(11));  // the time limit, whatever the fan-out
}

TEST_CASE_METHOD(Fixture, "recursion: a CNAME loop ends in SERVFAIL with an Extended DNS Error",
                 "[recursion]") {
    int rcode = 0, ede = 0;
    std::size_t sent = queries_for("loop1.example.zz.", t::A, rcode, ede);
    CHECK(rcode == dns::rcode::SERVFAIL);
    CHECK(ede == 0);  // Other, with the text "CNAME loop ..."
    CHECK(sent <= 6);
}

TEST_CASE_METHOD(Fixture, "recursion: a cyclic glueless delegation ends fast", "[recursion]") {
    int rcode = 0, ede = 0;
    std::size_t sent = queries_for("www.cyc.zz.", t::A, rcode, ede);
    CHECK(rcode == dns::rcode::SERVFAIL);
    CHECK(sent <= 10);
}

TEST_CASE_METHOD(Fixture, "recursion: the outgoing query budget is enforced", "[recursion]") {
    settings.limits.max_queries = 3;
    configure();
    int rcode = 0, ede = 0;
    std::size_t sent = queries_for("www.example.zz.", t::A, rcode, ede);
    CHECK(rcode == dns::rcode::SERVFAIL);  // priming + 3 levels need 4
    CHECK(sent == 3);
    CHECK(engine.iterator()->stats().budget_exceeded == 1);
}
