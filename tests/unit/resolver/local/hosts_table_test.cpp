#include <catch2/catch.hpp>

#include "resolver/local/hosts_table.h"
#include "resolver/local/private_zones.h"
#include "resolver/local/reverse_name.h"
#include "support/dns_builder.h"

using namespace lanlord;
using lanlord::test::wire;

TEST_CASE("hosts_table: names, aliases, both families, canonical PTR") {
    HostsTable t;
    auto warnings =
        t.parse("# comment\n192.0.2.10 nas NAS.lan  files # trailing\r\n2001:db8::10\tnas\n\n", "h");
    CHECK(warnings.empty());
    REQUIRE(t.addresses(wire("nas")));
    CHECK(t.addresses(wire("nas"))->size() == 2);
    CHECK(t.addresses(wire("nas.lan"))->size() == 1);
    CHECK(t.addresses(wire("files")));
    REQUIRE(t.reverse(reverse_name(*IpAddress::parse("192.0.2.10"))));
    CHECK(*t.reverse(reverse_name(*IpAddress::parse("192.0.2.10"))) == wire("nas"));
    CHECK(*t.reverse(reverse_name(*IpAddress::parse("2001:db8::10"))) == wire("nas"));
}

TEST_CASE("hosts_table: bad lines are skipped with file and line, never fatal") {
    HostsTable t;
    std::string text = "300.1.1.1 bad\n192.0.2.1\n192.0.2.2 ok\n192.0.2.3 sp@ce\n192.0.2.4 " +
                       std::string(70, 'a') + "\n192.0.2.5 nul" + std::string(1, '\0') + "x\n";
    auto w = t.parse(text, "/etc/hosts");
    REQUIRE(w.size() == 5);
    CHECK(w[0] == "/etc/hosts:1: bad address");
    CHECK(w[1] == "/etc/hosts:2: address without a name");
    CHECK(w[2] == "/etc/hosts:4: bad name");
    CHECK(t.size() == 1);
    CHECK(t.addresses(wire("ok")));
}

TEST_CASE("reverse names and private zones") {
    CHECK(reverse_name(*IpAddress::parse("192.0.2.10")) == wire("10.2.0.192.in-addr.arpa"));
    CHECK(reverse_name(*IpAddress::parse("2001:db8::1")) ==
          wire("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa"));
    CHECK(private_reverse_zone(wire("1.1.168.192.in-addr.arpa")));
    CHECK(private_reverse_zone(wire("1.0.20.172.in-addr.arpa")));
    CHECK_FALSE(private_reverse_zone(wire("1.0.32.172.in-addr.arpa")));
    CHECK(private_reverse_zone(wire("5.10.in-addr.arpa")));
    CHECK_FALSE(private_reverse_zone(wire("8.8.8.8.in-addr.arpa")));
}
