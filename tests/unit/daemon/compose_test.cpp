// The composition root's pure half (daemon/compose.h): every configuration key
// that engine_settings, group_specs, cache_limits and listen_endpoints read is
// set to a value other than its default, and each field of the result is
// checked, so a key that stops reaching its engine fails here.
#include <catch2/catch.hpp>

#include <string>

#include "common/dns_name.h"
#include "daemon/compose.h"
#include "support/config_helpers.h"

using namespace lanlord;
using lanlord::test::config_ok;

namespace {

Prefix prefix(const char* text) {
    return *Prefix::parse(text);
}

Endpoint endpoint(const char* text) {
    return *Endpoint::parse(text, 0);
}

// [dns], [cache], [local] and [blocklist] with every key engine_settings reads
// away from its default (defaults in comments).
const char* kEngineKeys = R"(
[dns]
edns_buffer_size = 1400           # 1232
upstream_timeout = "1500ms"       # 3s
bogus_priv = false                # true
domain_needed = false             # true
allow = ["203.0.113.0/24"]        # []
deny = ["192.168.1.66", "2001:db8:bad::/48"]   # []
client_rate_limit = 200           # 0
client_rate_burst = 50            # 0
identity = "gw.lan"               # "": the host name
hide_identity = true              # false
hide_version = true               # false

[cache]
min_ttl = "30s"                   # 0
max_ttl = "2h"                    # 1d
negative_max_ttl = "10m"          # 1h
serve_stale = false               # true
prefetch = false                  # true

[local]
ttl = "5m"                        # 60s

[blocklist]
answer = "nodata"                 # "nxdomain"
)";

}  // namespace

TEST_CASE("compose: engine_settings carries every key it reads", "[compose]") {
    EngineSettings s = engine_settings(config_ok(kEngineKeys), "router");

    CHECK(s.edns.udp_size == 1400);
    CHECK(s.upstream_timeout == std::chrono::milliseconds(1500));
    CHECK_FALSE(s.bogus_priv);
    CHECK_FALSE(s.domain_needed);
    CHECK(s.allow == std::vector<Prefix>{prefix("203.0.113.0/24")});
    CHECK(s.deny == std::vector<Prefix>{prefix("192.168.1.66"), prefix("2001:db8:bad::/48")});

    CHECK(s.identity.identity == "gw.lan");
    CHECK(s.identity.version == std::string("lanlord ") + LANLORD_VERSION);
    CHECK(s.identity.hide_identity);
    CHECK(s.identity.hide_version);

    // TTLs go to the engine in whole seconds.
    CHECK(s.ttl.min_ttl == 30);
    CHECK(s.ttl.max_ttl == 7200);
    CHECK(s.ttl.negative_max_ttl == 600);
    CHECK_FALSE(s.serve_stale);
    CHECK_FALSE(s.prefetch);
    CHECK(s.local_ttl == 300);
    CHECK(s.block_mode == BlockMode::nodata);

    REQUIRE(s.client_rate_limiter);
    CHECK(s.client_rate_limiter->rate() == 200);
    CHECK(s.client_rate_limiter->burst() == 50);
}

TEST_CASE("compose: an empty file gives the engine the documented defaults", "[compose]") {
    EngineSettings s = engine_settings(config_ok(""), "router");
    CHECK(s.edns.udp_size == 1232);
    CHECK(s.upstream_timeout == std::chrono::seconds(3));
    CHECK(s.bogus_priv);
    CHECK(s.domain_needed);
    CHECK(s.allow.empty());
    CHECK(s.deny.empty());
    CHECK_FALSE(s.identity.hide_identity);
    CHECK_FALSE(s.identity.hide_version);
    CHECK(s.ttl.min_ttl == 0);
    CHECK(s.ttl.max_ttl == 86400);
    CHECK(s.ttl.negative_max_ttl == 3600);
    CHECK(s.serve_stale);
    CHECK(s.prefetch);
    CHECK(s.local_ttl == 60);
    CHECK(s.block_mode == BlockMode::nxdomain);
    CHECK_FALSE(s.client_rate_limiter);  // off by default on a LAN
}

TEST_CASE("compose: id.server is dns.identity, else the host's name", "[compose]") {
    // RFC 4892: id.server names the server that answered; the host name
    // unless the administrator chose another.
    CHECK(engine_settings(config_ok("[dns]\nidentity = \"gw.lan\"\n"), "router").identity.identity ==
          "gw.lan");
    CHECK(engine_settings(config_ok(""), "router").identity.identity == "router");
    CHECK(engine_settings(config_ok("[dns]\nidentity = \"\"\n"), "router").identity.identity == "router");
    CHECK(engine_settings(config_ok("")).identity.identity.empty());  // no host name known
}

TEST_CASE("compose: each blocklist.answer maps to its block mode", "[compose]") {
    auto mode = [](const char* answer) {
        return engine_settings(config_ok(std::string("[blocklist]\nanswer = \"") + answer + "\"\n"))
            .block_mode;
    };
    CHECK(mode("nxdomain") == BlockMode::nxdomain);
    CHECK(mode("nodata") == BlockMode::nodata);
    CHECK(mode("null") == BlockMode::null_address);
}

TEST_CASE("compose: a client rate limiter only when client_rate_limit > 0", "[compose]") {
    CHECK_FALSE(engine_settings(config_ok("[dns]\nclient_rate_limit = 0\n")).client_rate_limiter);

    auto limited = engine_settings(config_ok("[dns]\nclient_rate_limit = 20\n")).client_rate_limiter;
    REQUIRE(limited);
    CHECK(limited->rate() == 20);
    CHECK(limited->burst() == 20);  // client_rate_burst = 0: the rate

    // One table per configuration, shared by every thread's engine: each call
    // (each reload) starts a new one.
    Config c = config_ok("[dns]\nclient_rate_limit = 20\n");
    CHECK(engine_settings(c).client_rate_limiter != engine_settings(c).client_rate_limiter);
}

TEST_CASE("compose: group_specs carries every [[upstream]] in order", "[compose]") {
    Config c = config_ok(R"(
[[upstream]]
name = "isp"
resolv_conf = "/run/dhcpcd/resolv.conf"
interface = "wan0"

[[upstream]]
name = "corp"
servers = ["10.8.0.1", "10.8.0.2:5353"]
interface = "wg0"
domains = ["corp.example", "8.10.in-addr.arpa"]
clients = ["br-lan"]
)");
    std::vector<GroupSpec> groups = group_specs(c);
    REQUIRE(groups.size() == 2);

    CHECK(groups[0].name == "isp");
    CHECK(groups[0].interface == "wan0");
    CHECK(groups[0].servers.empty());  // they come from the resolv.conf file, read by the daemon
    CHECK(groups[0].domains == std::vector<std::string>{std::string(1, '\0')});  // "." in wire form
    CHECK(groups[0].clients.empty());

    CHECK(groups[1].name == "corp");
    CHECK(groups[1].interface == "wg0");
    CHECK(groups[1].servers == std::vector<Endpoint>{endpoint("10.8.0.1:53"), endpoint("10.8.0.2:5353")});
    CHECK(groups[1].domains ==
          std::vector<std::string>{*name_from_text("corp.example"), *name_from_text("8.10.in-addr.arpa")});
    CHECK(groups[1].clients == std::vector<std::string>{"br-lan"});
}

TEST_CASE("compose: cache_limits, with no stale window when serve_stale is off", "[compose]") {
    CacheLimits on = cache_limits(config_ok(R"(
[cache]
size = 2500
max_memory = "8MiB"
stale_max = "6h"
)"));
    CHECK(on.max_entries == 2500);
    CHECK(on.max_bytes == 8u << 20);
    CHECK(on.stale_max == std::chrono::hours(6));

    // Without serve-stale an expired entry is dead at once (RFC 8767 off).
    CacheLimits off = cache_limits(config_ok("[cache]\nserve_stale = false\nstale_max = \"6h\"\n"));
    CHECK(off.stale_max == Duration::zero());
}

TEST_CASE("compose: listen_endpoints adds each interface address once, at dns.port", "[compose]") {
    InterfaceTable interfaces = {
        {2, "br-lan", {prefix("192.168.1.1/24"), prefix("fe80::1/64"), prefix("fd00::1/64")}},
        {3, "guest0", {prefix("192.168.2.1/24")}},
        {4, "wan0", {prefix("198.51.100.7/24")}},
    };
    Config c = config_ok(R"(
[dns]
port = 5300
listen = ["127.0.0.1", "192.168.1.1", "[::1]:53"]
interfaces = ["br-lan", "guest0", "br-lan", "absent0"]
)");
    std::vector<Endpoint> endpoints = listen_endpoints(c, interfaces);
    // Explicit addresses first, as written (their port: dns.port unless
    // given); then the interfaces' addresses, without IPv6 link-local (it
    // needs a scope) and without repeating one already there (192.168.1.1,
    // and br-lan listed twice). An interface that does not exist adds nothing.
    CHECK(endpoints == std::vector<Endpoint>{endpoint("127.0.0.1:5300"), endpoint("192.168.1.1:5300"),
                                             endpoint("[::1]:53"), endpoint("[fd00::1]:5300"),
                                             endpoint("192.168.2.1:5300")});
    CHECK(listen_endpoints(config_ok("[dns]\ninterfaces = [\"absent0\"]\n"), interfaces).empty());
}
