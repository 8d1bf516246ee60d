#include <catch2/catch.hpp>

#include "config/config.h"
#include "support/config_helpers.h"

using namespace lanlord;
using lanlord::test::config_errors;
using lanlord::test::config_ok;

namespace {
IpAddress ip(const char* s) {
    return *IpAddress::parse(s);
}
}  // namespace

TEST_CASE("config [dhcp]: a subnet with pools, options of every type, routes and reservations") {
    Config c = config_ok(R"(
[dhcp]
journal = "/var/lib/lanlord/leases.journal"
offer_hold = "30s"
decline_probation = "5m"

[[dhcp.subnet]]
interface = "br-lan"
subnet = "192.0.2.0/24"
pools = ["192.0.2.100-192.0.2.150", "192.0.2.200"]
lease_time = "1h"
routers = ["192.0.2.1"]
dns_servers = ["192.0.2.1", "192.0.2.2"]
ntp_servers = ["192.0.2.123"]
domain_name = "lan"
classless_routes = ["198.51.100.0/24 via 192.0.2.254"]
authoritative = true

[[dhcp.subnet.option]]
code = 252
type = "text"
value = "http://wpad.lan/wpad.dat"

[[dhcp.subnet.option]]
code = 26
type = "u16"
value = 1400

[[dhcp.subnet.option]]
code = 150
type = "ips"
value = ["192.0.2.5", "192.0.2.6"]

[[dhcp.subnet.option]]
code = 224
type = "hex"
value = "de:ad:be:ef"

[[dhcp.reservation]]
mac = "02:00:00:00:00:07"
address = "192.0.2.50"
hostname = "printer"
)");
    REQUIRE(c.dhcp.enabled());
    CHECK(c.dhcp.journal == "/var/lib/lanlord/leases.journal");
    CHECK(c.dhcp.server.offer_hold == 30);
    CHECK(c.dhcp.server.decline_probation == 300);
    REQUIRE(c.dhcp.server.subnets.size() == 1);
    const auto& s = c.dhcp.server.subnets[0];
    CHECK(s.interface == "br-lan");
    CHECK(s.pools.size() == 2);
    CHECK(s.pools[1].first == ip("192.0.2.200"));
    CHECK(s.pools[1].last == ip("192.0.2.200"));
    CHECK(s.lease_time == 3600);
    CHECK(s.dns_servers.size() == 2);
    REQUIRE(s.classless_routes.size() == 1);
    CHECK(s.classless_routes[0].second == ip("192.0.2.254"));
    CHECK(s.authoritative);
    REQUIRE(s.options.size() == 4);
    CHECK(s.options[1].data == std::vector<std::uint8_t>{0x05, 0x78});
    CHECK(s.options[2].data.size() == 8);
    CHECK(s.options[3].data == std::vector<std::uint8_t>{0xde, 0xad, 0xbe, 0xef});
    CHECK_FALSE(c.dhcp.server_address_given[0]);
    REQUIRE(c.dhcp.server.reservations.size() == 1);
    CHECK(c.dhcp.server.reservations[0].hardware.size() == 6);
    CHECK(c.dhcp.server.reservations[0].hostname == "printer");
}

TEST_CASE("config [dhcp]: mistakes name file, line, column and key") {
    auto e = config_errors(R"([[dhcp.subnet]]
interface = "lan0"
subnet = "192.0.2.0/24"
pools = ["198.51.100.1-198.51.100.9", "192.0.2.9-192.0.2.1"]
t1 = "50m"
lease_time = "30m"
[[dhcp.subnet.option]]
code = 26
type = "u16"
value = 70000
[[dhcp.reservation]]
mac = "02:00:00"
address = "192.0.2.5"
)");
    REQUIRE(e.size() == 5);
    CHECK(e[0] ==
          "t.toml:1:1: dhcp.subnet[0].pools: pool 198.51.100.1-198.51.100.9 is not inside 192.0.2.0/24");
    CHECK(e[1] ==
          "t.toml:4:39: dhcp.subnet[0].pools[1]: invalid pool \"192.0.2.9-192.0.2.1\", e.g. "
          "\"192.168.1.100-192.168.1.200\"");
    CHECK(e[2] == "t.toml:5:6: dhcp.subnet[0].t1: needs t1 < t2 < lease_time");
    CHECK(e[3].starts_with("t.toml:10:9: dhcp.subnet[0].option[0].value:"));
    CHECK(e[4] == "t.toml:12:7: dhcp.reservation[0].mac: invalid MAC address \"02:00:00\"");
}

TEST_CASE("config [dhcp]: no subnet means the DHCP server stays off") {
    CHECK_FALSE(config_ok("").dhcp.enabled());
    auto e = config_errors("[[dhcp.subnet]]\nsubnet = \"192.0.2.0/24\"\n");
    REQUIRE(e.size() == 1);
    CHECK(e[0].find("dhcp.subnet[0].interface: missing") != std::string::npos);
}

TEST_CASE("config [dhcp]: a relayed-only subnet needs no interface, but a server_address") {
    Config c = config_ok(R"([[dhcp.subnet]]
subnet = "198.51.100.0/24"
server_address = "192.0.2.1"
pools = ["198.51.100.10-198.51.100.20"]
)");
    REQUIRE(c.dhcp.server.subnets.size() == 1);
    CHECK(c.dhcp.server.subnets[0].interface.empty());
    CHECK(c.dhcp.server.subnets[0].server_address == ip("192.0.2.1"));
}

TEST_CASE("config [dhcp]: ping_check off by default, [dhcp] default and per-subnet override") {
    Config off = config_ok(R"([[dhcp.subnet]]
interface = "lan0"
subnet = "192.0.2.0/24"
)");
    CHECK_FALSE(off.dhcp.server.ping_check);
    CHECK(off.dhcp.server.ping_timeout_ms == 500);
    CHECK_FALSE(off.dhcp.server.subnets[0].ping_check);
    Config c = config_ok(R"([dhcp]
ping_check = true
ping_timeout = "200ms"
[[dhcp.subnet]]
interface = "lan0"
subnet = "192.0.2.0/24"
[[dhcp.subnet]]
interface = "guest0"
subnet = "198.51.100.0/24"
ping_check = false
ping_timeout = "1s"
)");
    CHECK(c.dhcp.server.ping_check);
    CHECK(c.dhcp.server.ping_timeout_ms == 200);
    CHECK_FALSE(c.dhcp.server.subnets[0].ping_check);
    CHECK(c.dhcp.server.subnets[1].ping_check == false);
    CHECK(c.dhcp.server.subnets[1].ping_timeout_ms == 1000u);
    auto e = config_errors("[dhcp]\nping_timeout = \"10s\"\n");
    REQUIRE(e.size() == 1);
    CHECK(e[0].find("dhcp.ping_timeout") != std::string::npos);
}
