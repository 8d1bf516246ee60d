// Scenario tests: the local names layer inside the engine (local data wins
// over blocklists, the cache and upstreams; nothing local is ever forwarded).
#include <catch2/catch.hpp>

#include "support/engine_harness.h"

using namespace lanlord;
using namespace lanlord::test;

namespace {
std::shared_ptr<LocalZone> zone() {
    auto z = std::make_shared<LocalZone>(wire("lan"), true, 60);
    HostsTable hosts;
    hosts.parse("192.0.2.10 nas\n", "h");
    z->add_hosts(hosts);
    z->add_record(wire("www.lan"), {dns::type::CNAME, 60, rdata_name("web.example.org")});
    z->add_record(wire("files.lan"), {dns::type::CNAME, 60, rdata_name("nas.lan")});
    return z;
}
std::shared_ptr<Blocklist> blocklist() {
    auto b = std::make_shared<Blocklist>();
    b->blocked().insert(wire("ads.example"));
    b->allowed().insert(wire("ok.ads.example"));
    return b;
}
}  // namespace

TEST_CASE("local: unknown names of the local domain are NXDOMAIN and never forwarded") {
    Harness h;
    h.engine.set_local_zone(zone());
    h.ask("ghost.lan");
    REQUIRE(h.io.answers.size() == 1);
    CHECK(h.io.answers[0].rcode() == dns::rcode::NXDOMAIN);
    CHECK(h.io.answers[0].count(1) == 1);
    CHECK(h.io.sent.empty());
}

TEST_CASE("local: a CNAME chain inside local data is answered whole and authoritatively") {
    Harness h;
    h.engine.set_local_zone(zone());
    h.ask("files.lan");
    REQUIRE(h.io.answers.size() == 1);
    CHECK(h.io.answers[0].flags() & dns::flag::AA);
    CHECK(h.io.answers[0].count(0) == 2);  // CNAME + A
    CHECK(h.io.sent.empty());
}

TEST_CASE("local: a CNAME leaving local data is resolved upstream and appended") {
    Harness h;
    h.engine.set_local_zone(zone());
    h.ask("www.lan", dns::type::A, {.id = 9});
    REQUIRE(h.io.sent.size() == 1);
    CHECK(h.io.sent[0].view().name() == wire("web.example.org"));
    h.respond(0, {a_record("web.example.org", 300, "198.51.100.80")});
    REQUIRE(h.io.answers.size() == 1);
    const Answer& a = h.io.answers[0];
    CHECK(a.id() == 9);
    CHECK(a.count(0) == 2);
    CHECK_FALSE(a.flags() & dns::flag::AA);  // part of it is forwarded data
    const Bytes addr = {198, 51, 100, 80};
    CHECK(std::search(a.bytes.begin(), a.bytes.end(), addr.begin(), addr.end()) != a.bytes.end());
    // Second time the target comes from the cache, still behind our CNAME.
    h.ask("www.lan", dns::type::A, {.id = 10});
    CHECK(h.io.sent.size() == 1);
    REQUIRE(h.io.answers.size() == 2);
    CHECK(h.io.answers[1].count(0) == 2);
}

TEST_CASE("local: blocked names and their subdomains, allowlist, each answer mode") {
    for (BlockMode mode : {BlockMode::nxdomain, BlockMode::nodata, BlockMode::null_address}) {
        EngineSettings s;
        s.block_mode = mode;
        Harness h({{"default", "", {ep("192.0.2.1")}, {wire(".")}, {}}}, s);
        h.engine.set_blocklist(blocklist());
        h.ask("ads.example", dns::type::A);
        h.ask("x.y.ads.example", dns::type::AAAA);
        h.ask("ok.ads.example", dns::type::A);
        REQUIRE(h.io.answers.size() == 2);
        REQUIRE(h.io.sent.size() == 1);  // the allowlisted one went upstream
        CHECK(h.io.sent[0].view().name() == wire("ok.ads.example"));
        CHECK(h.engine.stats().blocked == 2);
        const Answer &a = h.io.answers[0], &aaaa = h.io.answers[1];
        if (mode == BlockMode::nxdomain) {
            CHECK(a.rcode() == dns::rcode::NXDOMAIN);
            CHECK(aaaa.rcode() == dns::rcode::NXDOMAIN);
        } else if (mode == BlockMode::nodata) {
            CHECK(a.rcode() == 0);
            CHECK(a.count(0) == 0);
            CHECK(a.count(1) == 1);
        } else {
            CHECK(a.rcode() == 0);
            CHECK(a.count(0) == 1);
            CHECK(aaaa.count(0) == 1);
            CHECK(std::all_of(a.bytes.end() - 4, a.bytes.end(),
                              [](auto b) { return b == 0; }));  // 0.0.0.0, no OPT
        }
    }
}

TEST_CASE("local: local data wins over the blocklist") {
    Harness h;
    auto z = std::make_shared<LocalZone>("", false, 60);
    z->add_address(wire("ads.example"), *IpAddress::parse("192.0.2.7"), true);
    h.engine.set_local_zone(z);
    h.engine.set_blocklist(blocklist());
    h.ask("ads.example");
    REQUIRE(h.io.answers.size() == 1);
    CHECK(h.io.answers[0].count(0) == 1);
    CHECK(h.engine.stats().blocked == 0);
}

TEST_CASE("local: DHCP client names answer A and PTR and go with the lease") {
    Harness h;
    h.engine.set_local_zone(zone());
    auto names = std::make_shared<DhcpNames>();
    h.engine.set_dhcp_names(names);
    REQUIRE(names->add("laptop", *IpAddress::parse("192.0.2.60"), h.now + seconds(600), "aa:bb"));
    h.ask("laptop.lan");
    h.ask("60.2.0.192.in-addr.arpa", dns::type::PTR);
    h.ask("laptop.lan", dns::type::AAAA);
    REQUIRE(h.io.answers.size() == 3);
    CHECK(h.io.answers[0].count(0) == 1);
    CHECK(h.io.answers[1].count(0) == 1);
    CHECK(h.io.answers[2].count(0) == 0);  // NODATA: the name exists, IPv4 only
    CHECK(h.io.answers[2].rcode() == 0);
    names->remove("aa:bb");
    h.ask("laptop.lan");
    REQUIRE(h.io.answers.size() == 4);
    CHECK(h.io.answers[3].rcode() == dns::rcode::NXDOMAIN);
    CHECK(h.io.sent.empty());
}

TEST_CASE("local: a cached name that a new blocklist lists is blocked, others skip the check on later hits") {
    Harness h;
    h.ask("ads.example");
    h.ask("fine.example");
    h.respond(0, {a_record("ads.example", 300)});
    h.respond(1, {a_record("fine.example", 300)});
    REQUIRE(h.cache.stats().entries == 2);
    h.engine.set_blocklist(blocklist());
    h.ask("ads.example");
    h.ask("fine.example");
    REQUIRE(h.io.answers.size() == 4);
    CHECK(h.io.answers[2].rcode() == dns::rcode::NXDOMAIN);
    CHECK(h.io.answers[3].rcode() == 0);
    CHECK(h.io.answers[3].count(0) == 1);
    CHECK(h.cache.stats().entries == 1);  // the blocked answer left the cache
    CHECK(h.engine.stats().blocked == 1);
    h.ask("fine.example");
    CHECK(h.io.answers.back().count(0) == 1);
    CHECK(h.io.sent.size() == 2);
}
