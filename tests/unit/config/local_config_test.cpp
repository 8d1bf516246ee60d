#include <catch2/catch.hpp>

#include "config/config.h"
#include "support/config_helpers.h"
#include "support/dns_builder.h"

using namespace lanlord;
using lanlord::test::config_errors;
using lanlord::test::config_ok;
using lanlord::test::wire;

TEST_CASE("config [local]: hosts, domain, records, address rules") {
    Config c = config_ok(R"(
[local]
hosts = ["/etc/hosts", "/etc/lanlord/hosts.d"]
domain = "Lan"
expand_hosts = true
ttl = "5m"

[[local.record]]
name = "mail.lan"
type = "MX"
data = "10 mx.lan"

[[local.record]]
name = "_sip._tcp.lan"
type = "srv"
data = "10 60 5060 sip.lan"
ttl = "30s"

[[local.record]]
name = "info.lan"
type = "TXT"
data = "v=spf1 -all"

[[local.address]]
domain = "*.dev.lan"
addresses = ["192.0.2.10", "2001:db8::10"]
)");
    CHECK(c.local.hosts.size() == 2);
    CHECK(c.local.domain == wire("lan"));
    CHECK(c.local.expand_hosts);
    CHECK(c.local.ttl == std::chrono::minutes(5));
    REQUIRE(c.local.records.size() == 3);
    CHECK(c.local.records[0].type == 15);
    CHECK(c.local.records[0].rdata == std::vector<std::uint8_t>{0, 10, 2, 'm', 'x', 3, 'l', 'a', 'n', 0});
    CHECK(c.local.records[1].type == 33);
    CHECK(c.local.records[1].ttl == 30u);
    CHECK(c.local.records[2].rdata[0] == 11);
    REQUIRE(c.local.addresses.size() == 1);
    CHECK(c.local.addresses[0].domain == wire("dev.lan"));
    CHECK(c.local.addresses[0].addresses.size() == 2);
}

TEST_CASE("config [local]: bad records name file, line, column and key") {
    auto e = config_errors(
        "[[local.record]]\nname = \"a.lan\"\ntype = \"A\"\ndata = \"2001:db8::1\"\n"
        "[[local.record]]\nname = \"b.lan\"\ntype = \"HINFO\"\ndata = \"x\"\n"
        "[[local.record]]\nname = \"c.lan\"\ntype = \"MX\"\n"
        "[[local.address]]\ndomain = \"x.lan\"\naddresses = [\"nope\"]\n"
        "[local]\nexpand_hosts = true\nbogus = 1\n");
    REQUIRE(e.size() == 6);
    CHECK(e[0] == "t.toml:4:8: local.record[0].data: expected an IPv4 address");
    CHECK(e[1].starts_with("t.toml:7:8: local.record[1].type: unsupported record type \"HINFO\""));
    CHECK(e[2].find("local.record[2].data: missing") != std::string::npos);
    CHECK(e[3] == "t.toml:14:14: local.address[0].addresses[0]: invalid address \"nope\"");
}

TEST_CASE("config [blocklist]") {
    Config c = config_ok(
        "[blocklist]\nfiles = [\"/etc/lanlord/block\"]\nallow = [\"ok.example\"]\nanswer = \"null\"\n");
    CHECK(c.blocklist.files.size() == 1);
    CHECK(c.blocklist.allow == std::vector<std::string>{wire("ok.example")});
    CHECK(c.blocklist.answer == BlockAnswer::null_address);
    auto e = config_errors("[blocklist]\nanswer = \"refuse\"\n");
    REQUIRE(e.size() == 1);
    CHECK(e[0] ==
          "t.toml:2:10: blocklist.answer: unknown answer \"refuse\": expected nxdomain, nodata or null");
}
