#include <catch2/catch.hpp>

#include "resolver/local/dhcp_names.h"
#include "resolver/local/local_zone.h"
#include "resolver/local/reverse_name.h"
#include "support/dns_builder.h"

using namespace lanlord;
using lanlord::test::wire;

namespace {
std::shared_ptr<LocalZone> lan_zone() {
    auto z = std::make_shared<LocalZone>(wire("lan"), true, 60);
    HostsTable hosts;
    hosts.parse("192.0.2.10 nas\n192.0.2.11 printer.lan\n", "h");
    z->add_hosts(hosts);
    z->add_record(wire("www.lan"), {dns::type::CNAME, 60, test::rdata_name("nas.lan")});
    z->add_rule(wire("dev.lan"), {*IpAddress::parse("192.0.2.99")});
    return z;
}
TimePoint t(int s) {
    return TimePoint(seconds(1000 + s));
}
}  // namespace

TEST_CASE("local_zone: exact names, expand_hosts, rules, the local domain's NXDOMAIN and apex") {
    auto z = lan_zone();
    CHECK(z->find(wire("nas")).kind == LocalLookup::Kind::found);
    CHECK(z->find(wire("nas.lan")).kind == LocalLookup::Kind::found);  // expand_hosts
    CHECK(z->find(wire("printer.lan")).kind == LocalLookup::Kind::found);
    auto rule = z->find(wire("a.b.dev.lan"));
    REQUIRE(rule.kind == LocalLookup::Kind::found);
    REQUIRE(rule.records()->size() == 1);
    CHECK(rule.records()->at(0).rdata == test::rdata_a("192.0.2.99"));
    CHECK(z->find(wire("dev.lan")).kind == LocalLookup::Kind::found);  // the domain itself too
    CHECK(z->find(wire("unknown.lan")).kind == LocalLookup::Kind::nxdomain);
    CHECK(z->find(wire("lan")).kind == LocalLookup::Kind::found);  // apex: NODATA, not NXDOMAIN
    CHECK(z->find(wire("www.example.org")).kind == LocalLookup::Kind::none);
    auto ptr = z->find(reverse_name(*IpAddress::parse("192.0.2.10")));
    REQUIRE(ptr.kind == LocalLookup::Kind::found);
    CHECK(ptr.records()->at(0).rdata == test::rdata_name("nas.lan"));  // canonical FQDN
}

TEST_CASE("dhcp_names: names live in the local domain, with PTR, until the lease ends") {
    DhcpNames names;
    names.set_zone(lan_zone());
    auto a = *IpAddress::parse("192.0.2.50");
    REQUIRE(names.add("Johns iPhone", a, t(100), "aa:bb") == "johns-iphone");
    CHECK(names.address(wire("johns-iphone.lan"), t(0)) == a);
    CHECK(names.address(wire("johns-iphone"), t(0)) == a);
    CHECK(names.reverse(reverse_name(a), t(0)) == wire("johns-iphone.lan"));
    CHECK_FALSE(names.address(wire("johns-iphone.lan"), t(100)));  // expired
    names.remove("aa:bb");
    CHECK_FALSE(names.address(wire("johns-iphone.lan"), t(0)));
    CHECK_FALSE(names.reverse(reverse_name(a), t(0)));
}

TEST_CASE("dhcp_names: collision policy") {
    DhcpNames names;
    names.set_zone(lan_zone());
    auto a1 = *IpAddress::parse("192.0.2.51"), a2 = *IpAddress::parse("192.0.2.52");
    SECTION("the newest lease wins, the older client loses the name") {
        REQUIRE(names.add("laptop", a1, t(100), "client-1"));
        REQUIRE(names.add("laptop", a2, t(100), "client-2"));
        CHECK(names.address(wire("laptop.lan"), t(0)) == a2);
        CHECK_FALSE(names.reverse(reverse_name(a1), t(0)));
        names.remove("client-1");  // the loser's lease ending does not remove the winner's name
        CHECK(names.address(wire("laptop.lan"), t(0)) == a2);
    }
    SECTION("names held by hosts files or configuration are never taken") {
        CHECK_FALSE(names.add("nas", a1, t(100), "client-1"));
        CHECK_FALSE(names.add("printer", a1, t(100), "client-1"));
        CHECK_FALSE(names.add("www", a1, t(100), "client-1"));
        CHECK(names.size() == 0);
    }
    SECTION("a client that renames itself loses its old name") {
        REQUIRE(names.add("old-name", a1, t(100), "client-1"));
        REQUIRE(names.add("new-name", a1, t(100), "client-1"));
        CHECK_FALSE(names.address(wire("old-name.lan"), t(0)));
        CHECK(names.address(wire("new-name.lan"), t(0)) == a1);
    }
    SECTION("a static reservation is answerable before the client appears") {
        REQUIRE(names.add("tv", a1, TimePoint::max(), "reservation:02:00:00:00:00:01"));
        CHECK(names.address(wire("tv.lan"), t(1000000)) == a1);
    }
    SECTION("unusable names are refused") {
        CHECK_FALSE(names.add("---", a1, t(100), "client-1"));
        CHECK_FALSE(names.add("", a1, t(100), "client-1"));
    }
}
