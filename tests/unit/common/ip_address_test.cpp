#include <catch2/catch.hpp>

#include "common/ip_address.h"

using namespace lanlord;

TEST_CASE("ip_address: parse and print endpoints in every accepted form") {
    CHECK(Endpoint::parse("192.0.2.1", 53)->to_string() == "192.0.2.1:53");
    CHECK(Endpoint::parse("192.0.2.1:5353", 53)->port == 5353);
    CHECK(Endpoint::parse("2001:db8::1", 53)->to_string() == "[2001:db8::1]:53");
    CHECK(Endpoint::parse("[2001:db8::1]:5300", 53)->port == 5300);
    CHECK_FALSE(Endpoint::parse("192.0.2.1:", 53));
    CHECK_FALSE(Endpoint::parse("192.0.2.1:0", 53));
    CHECK_FALSE(Endpoint::parse("192.0.2.1:70000", 53));
    CHECK_FALSE(Endpoint::parse("[2001:db8::1", 53));
    CHECK_FALSE(Endpoint::parse("host.example", 53));
}

TEST_CASE("ip_address: prefixes contain what they should") {
    auto p = *Prefix::parse("192.0.2.0/24");
    CHECK(p.contains(*IpAddress::parse("192.0.2.200")));
    CHECK_FALSE(p.contains(*IpAddress::parse("192.0.3.1")));
    CHECK(p.contains(*IpAddress::parse("::ffff:192.0.2.9")));  // v4-mapped
    auto odd = *Prefix::parse("10.0.0.0/9");
    CHECK(odd.contains(*IpAddress::parse("10.127.255.255")));
    CHECK_FALSE(odd.contains(*IpAddress::parse("10.128.0.0")));
    auto v6 = *Prefix::parse("2001:db8::/32");
    CHECK(v6.contains(*IpAddress::parse("2001:db8:ffff::1")));
    CHECK_FALSE(v6.contains(*IpAddress::parse("192.0.2.1")));
    CHECK(Prefix::parse("0.0.0.0/0")->contains(*IpAddress::parse("203.0.113.7")));
    CHECK_FALSE(Prefix::parse("192.0.2.0/33"));
    CHECK_FALSE(Prefix::parse("192.0.2.0/"));
    CHECK(IpAddress::parse("127.8.9.10")->is_loopback());
    CHECK(IpAddress::parse("::1")->is_loopback());
    CHECK_FALSE(IpAddress::parse("192.0.2.1")->is_loopback());
}
