#include <catch2/catch.hpp>

#include "resolver/recursion/address_policy.h"

using namespace lanlord;

namespace {
IpAddress ip(const char* text) {
    return *IpAddress::parse(text);
}

Prefix prefix(const char* text) {
    return *Prefix::parse(text);
}

const char* const kNever[] = {
    "0.0.0.0",         "0.1.2.3",          "224.0.0.1",
    "239.255.255.250", "255.255.255.255",  "240.0.0.1",
    "169.254.169.254", "169.254.0.1",      "::",
    "ff02::1",         "ff05::1:3",        "fe80::1",
    "febf::1",         "::ffff:8.8.8.8",   "::ffff:192.0.2.1",
    "::ffff:10.0.0.1", "::ffff:127.0.0.1", "::ffff:0.0.0.0",
    "::192.0.2.1",
};
}  // namespace

TEST_CASE("address_policy: public addresses, documentation and benchmark ranges are usable", "[recursion]") {
    AddressPolicy p;
    for (const char* a : {"192.0.2.1", "198.51.100.7", "203.0.113.254", "198.18.0.1", "198.19.255.254",
                          "8.8.8.8", "1.1.1.1", "172.15.255.255", "172.32.0.1", "100.63.255.255",
                          "100.128.0.1", "11.0.0.1", "192.169.0.1", "223.255.255.255", "169.253.0.1"}) {
        INFO(a);
        CHECK(p.usable(ip(a)));
    }
}

TEST_CASE("address_policy: IPv6 addresses only when ipv6 is on", "[recursion]") {
    AddressPolicy p;
    CHECK_FALSE(p.usable(ip("2001:db8::53")));
    CHECK_FALSE(p.usable(ip("2001:500:2f::f")));
    p.ipv6 = true;
    CHECK(p.usable(ip("2001:db8::53")));
    CHECK(p.usable(ip("2001:500:2f::f")));
    CHECK(p.usable(ip("2001:503:ba3e::2:30")));
    CHECK(p.usable(ip("fec0::1")));  // just above link-local
    CHECK(p.usable(ip("fe00::1")));  // just below it
    CHECK(p.usable(ip("192.0.2.1")));
}

TEST_CASE("address_policy: never unspecified, multicast, broadcast, link-local or IPv4-mapped",
          "[recursion]") {
    AddressPolicy p;
    p.ipv6 = true;
    for (const char* a : kNever) {
        INFO(a);
        CHECK_FALSE(p.usable(ip(a)));
    }
    // Not even when an allow list names them.
    p.allow = {prefix("0.0.0.0/0"),     prefix("::/0"),           prefix("224.0.0.0/4"),
               prefix("ff00::/8"),      prefix("169.254.0.0/16"), prefix("fe80::/10"),
               prefix("::ffff:0:0/96"), prefix("127.0.0.0/8"),    prefix("10.0.0.0/8")};
    for (const char* a : kNever) {
        INFO(a);
        CHECK_FALSE(p.usable(ip(a)));
    }
}

TEST_CASE("address_policy: loopback and private ranges only when allowed", "[recursion]") {
    AddressPolicy p;
    p.ipv6 = true;
    const char* restricted[] = {"127.0.0.1",      "127.53.0.1",      "::1",        "10.0.0.1",
                                "10.255.255.255", "172.16.0.1",      "172.31.1.1", "192.168.1.1",
                                "100.64.0.1",     "100.127.255.254", "fc00::1",    "fd12:3456::1"};
    for (const char* a : restricted) {
        INFO(a);
        CHECK_FALSE(p.usable(ip(a)));
    }

    p.allow = {prefix("192.168.1.0/24")};
    CHECK(p.usable(ip("192.168.1.53")));
    CHECK_FALSE(p.usable(ip("192.168.2.53")));
    CHECK_FALSE(p.usable(ip("10.0.0.1")));
    CHECK_FALSE(p.usable(ip("127.0.0.1")));
    CHECK(p.usable(ip("192.0.2.1")));  // public stays usable with an allow list

    // An explicit prefix admits loopback (a local authoritative server).
    p.allow = {prefix("127.0.0.0/8"), prefix("fd00::/8"), prefix("::1")};
    CHECK(p.usable(ip("127.0.0.1")));
    CHECK(p.usable(ip("127.0.0.53")));
    CHECK(p.usable(ip("::1")));
    CHECK(p.usable(ip("fd12:3456::1")));
    CHECK_FALSE(p.usable(ip("fc00::1")));
    CHECK_FALSE(p.usable(ip("::ffff:127.0.0.1")));  // the IPv4-mapped form stays out
    p.allow = {prefix("0.0.0.0/0"), prefix("::/0")};
    for (const char* a : restricted) {
        INFO(a);
        CHECK(p.usable(ip(a)));
    }
}

TEST_CASE("address_policy: never lanlord's own addresses", "[recursion]") {
    AddressPolicy p;
    p.ipv6 = true;
    p.allow = {prefix("192.168.0.0/16")};
    p.own = {ip("192.168.1.1"), ip("198.51.100.10"), ip("2001:db8::1")};
    CHECK_FALSE(p.usable(ip("192.168.1.1")));
    CHECK_FALSE(p.usable(ip("198.51.100.10")));
    CHECK_FALSE(p.usable(ip("2001:db8::1")));
    CHECK(p.usable(ip("192.168.1.2")));
    CHECK(p.usable(ip("198.51.100.11")));
    CHECK(p.usable(ip("2001:db8::2")));

    AddressPolicy q = p;
    CHECK(q == p);
    q.ipv6 = false;
    CHECK_FALSE(q == p);
}
