// Unit tests of the TOML configuration loader (config/config.h): every key,
// the units, the defaults, and that each error names the right line, column
// and key path, all of them at once.
#include <catch2/catch.hpp>

#include <unistd.h>
#include <cstdio>
#include <fstream>
#include <string>

#include "common/dns_name.h"
#include "config/config.h"

using namespace lanlord;
using namespace std::chrono_literals;

namespace {

ConfigResult load(std::string_view text) {
    return load_config_text(text, "test.toml");
}

Endpoint endpoint(const char* text) {
    return *Endpoint::parse(text, 0);
}

std::string wire(const char* text) {
    return *name_from_text(text);
}

std::string all_errors(const ConfigResult& r) {
    std::string text;
    for (const auto& e : r.errors) text += e.to_string() + "\n";
    return text;
}

// The loaded config; fails the test (showing every error) when there is none.
Config loaded(std::string_view text) {
    auto r = load(text);
    INFO(all_errors(r));
    REQUIRE(r.errors.empty());
    REQUIRE(r.config.has_value());
    return *r.config;
}

// The one error of a file that should have exactly one.
ConfigError only_error(std::string_view text) {
    auto r = load(text);
    INFO(all_errors(r));
    CHECK_FALSE(r.config.has_value());
    REQUIRE(r.errors.size() == 1);
    return r.errors[0];
}

}  // namespace

TEST_CASE("config: a full valid file sets every key", "[config]") {
    Config c = loaded(R"(log_level = "debug"
user = "lanlord"

[dns]
listen = ["192.0.2.1", "192.0.2.2:5300", "2001:db8::1", "[2001:db8::2]:5301"]
interfaces = ["eth0", "br-lan"]
allow = ["192.0.2.0/24", "2001:db8::/32", "198.51.100.7"]
deny = ["192.0.2.66/32"]
edns_buffer_size = 1400
tcp_idle_timeout = "20s"
tcp_max_connections = 100
upstream_timeout = "1500ms"
bogus_priv = false
domain_needed = false
client_rate_limit = 50
client_rate_burst = 200
port = 5353

[local]
hosts = []

[cache]
size = 5000
max_memory = "32MiB"
min_ttl = "30s"
max_ttl = "12h"
negative_max_ttl = "15m"
stale_max = "2d"
serve_stale = false
prefetch = false

[[upstream]]
name = "isp"
servers = ["198.51.100.1", "198.51.100.2:5353", "2001:db8::53", "[2001:db8::54]:853"]
interface = "wan0"
clients = ["eth0"]

[[upstream]]
name = "corp"
resolv_conf = "/run/vpn/resolv.conf"
domains = ["Corp.Example.", "10.in-addr.arpa"]
clients = ["eth0", "br-lan"]
)");
    CHECK(c.source == "test.toml");
    CHECK(c.log_level == "debug");
    CHECK(c.user == "lanlord");

    CHECK(c.dns.port == 5353);
    REQUIRE(c.dns.listen.size() == 4);
    CHECK(c.dns.listen[0] == endpoint("192.0.2.1:5353"));  // port written after listen still applies
    CHECK(c.dns.listen[1] == endpoint("192.0.2.2:5300"));
    CHECK(c.dns.listen[2] == endpoint("[2001:db8::1]:5353"));
    CHECK(c.dns.listen[3] == endpoint("[2001:db8::2]:5301"));
    CHECK(c.dns.interfaces == std::vector<std::string>{"eth0", "br-lan"});
    REQUIRE(c.dns.allow.size() == 3);
    CHECK(c.dns.allow[0].to_string() == "192.0.2.0/24");
    CHECK(c.dns.allow[1].to_string() == "2001:db8::/32");
    CHECK(c.dns.allow[2].to_string() == "198.51.100.7/32");
    REQUIRE(c.dns.deny.size() == 1);
    CHECK(c.dns.deny[0].to_string() == "192.0.2.66/32");
    CHECK(c.dns.edns_buffer_size == 1400);
    CHECK(c.dns.tcp_idle_timeout == 20s);
    CHECK(c.dns.tcp_max_connections == 100);
    CHECK(c.dns.upstream_timeout == 1500ms);
    CHECK_FALSE(c.dns.bogus_priv);
    CHECK_FALSE(c.dns.domain_needed);
    CHECK(c.dns.client_rate_limit == 50);
    CHECK(c.dns.client_rate_burst == 200);
    CHECK(c.local.hosts.empty());

    CHECK(c.cache.size == 5000);
    CHECK(c.cache.max_memory == 32u * 1024 * 1024);
    CHECK(c.cache.min_ttl == 30s);
    CHECK(c.cache.max_ttl == 12h);
    CHECK(c.cache.negative_max_ttl == 15min);
    CHECK(c.cache.stale_max == 48h);
    CHECK_FALSE(c.cache.serve_stale);
    CHECK_FALSE(c.cache.prefetch);

    REQUIRE(c.upstreams.size() == 2);
    const auto& isp = c.upstreams[0];
    CHECK(isp.name == "isp");
    REQUIRE(isp.servers.size() == 4);
    CHECK(isp.servers[0] == endpoint("198.51.100.1:53"));
    CHECK(isp.servers[1] == endpoint("198.51.100.2:5353"));
    CHECK(isp.servers[2] == endpoint("[2001:db8::53]:53"));
    CHECK(isp.servers[3] == endpoint("[2001:db8::54]:853"));
    CHECK(isp.resolv_conf.empty());
    CHECK(isp.interface == "wan0");
    CHECK(isp.domains == std::vector<std::string>{std::string(1, '\0')});
    CHECK(isp.domains_text == std::vector<std::string>{"."});
    CHECK(isp.clients == std::vector<std::string>{"eth0"});

    const auto& corp = c.upstreams[1];
    CHECK(corp.name == "corp");
    CHECK(corp.servers.empty());
    CHECK(corp.resolv_conf == "/run/vpn/resolv.conf");
    CHECK(corp.interface.empty());
    REQUIRE(corp.domains.size() == 2);
    CHECK(corp.domains[0] == std::string("\4corp\7example\0", 14));
    CHECK(corp.domains[1] == wire("10.in-addr.arpa"));
    CHECK(corp.domains_text == std::vector<std::string>{"Corp.Example.", "10.in-addr.arpa"});
    CHECK(corp.clients == std::vector<std::string>{"eth0", "br-lan"});
}

TEST_CASE("config: an empty file gives the documented defaults", "[config]") {
    Config c = loaded("");
    Config plain;  // the struct defaults
    CHECK(c.source == "test.toml");
    CHECK(c.log_level == "info");
    CHECK(c.user.empty());
    CHECK(c.dns.port == 53);
    CHECK(c.dns.listen == std::vector<Endpoint>{endpoint("127.0.0.1:53"), endpoint("[::1]:53")});
    CHECK(c.dns.interfaces.empty());
    CHECK(c.dns.allow.empty());
    CHECK(c.dns.deny.empty());
    CHECK(c.dns.edns_buffer_size == 1232);
    CHECK(c.dns.tcp_idle_timeout == 10s);
    CHECK(c.dns.tcp_max_connections == 256);
    CHECK(c.dns.upstream_timeout == 3s);
    CHECK(c.dns.bogus_priv);
    CHECK(c.dns.domain_needed);
    CHECK(c.dns.client_rate_limit == 0);  // off: a LAN trusts its clients by default
    CHECK(c.dns.client_rate_burst == 0);
    CHECK(c.local.hosts == std::vector<std::string>{"/etc/hosts"});
    CHECK(c.cache.size == 10000);
    CHECK(c.cache.max_memory == 64u << 20);
    CHECK(c.cache.min_ttl == 0s);
    CHECK(c.cache.max_ttl == 24h);
    CHECK(c.cache.negative_max_ttl == 1h);
    CHECK(c.cache.stale_max == 24h);
    CHECK(c.cache.serve_stale == plain.cache.serve_stale);
    CHECK(c.cache.prefetch == plain.cache.prefetch);
    REQUIRE(c.upstreams.size() == 1);
    CHECK(c.upstreams[0].name == "default");
    CHECK(c.upstreams[0].resolv_conf == "/etc/resolv.conf");
    CHECK(c.upstreams[0].servers.empty());
    CHECK(c.upstreams[0].domains == std::vector<std::string>{std::string(1, '\0')});
    CHECK(c.upstreams[0].domains_text == std::vector<std::string>{"."});
    CHECK(c.upstreams[0].clients.empty());
}

TEST_CASE("config: default_config listens on loopback port 5353", "[config]") {
    Config c = default_config();
    CHECK(c.source == "<built-in>");
    CHECK(c.dns.port == 5353);
    CHECK(c.dns.listen == std::vector<Endpoint>{endpoint("127.0.0.1:5353"), endpoint("[::1]:5353")});
    CHECK(c.log_level == "info");
    CHECK(c.cache.size == 10000);
    REQUIRE(c.upstreams.size() == 1);
    CHECK(c.upstreams[0].name == "default");
    CHECK(c.upstreams[0].resolv_conf == "/etc/resolv.conf");
    CHECK(c.upstreams[0].domains_text == std::vector<std::string>{"."});
    CHECK(c.upstreams[0].domains == std::vector<std::string>{std::string(1, '\0')});
}

TEST_CASE("config: listen defaults follow dns.port and yield to interfaces", "[config]") {
    SECTION("port alone moves the default listen addresses") {
        Config c = loaded("[dns]\nport = 5300\n");
        CHECK(c.dns.listen == std::vector<Endpoint>{endpoint("127.0.0.1:5300"), endpoint("[::1]:5300")});
    }
    SECTION("interfaces alone: no listen addresses") {
        Config c = loaded("[dns]\ninterfaces = [\"lan0\"]\n");
        CHECK(c.dns.listen.empty());
        CHECK(c.dns.interfaces == std::vector<std::string>{"lan0"});
    }
    SECTION("listen and interfaces both empty is an error") {
        auto e = only_error("[dns]\nlisten = []\n");
        CHECK(e.key == "dns.listen");
        CHECK(e.line == 2);
        CHECK(e.column == 10);
        CHECK_THAT(e.message, Catch::Contains("nothing to listen on"));
    }
    SECTION("the same address twice") {
        auto e = only_error("[dns]\nlisten = [\"127.0.0.1\", \"127.0.0.1:53\"]\n");
        CHECK(e.key == "dns.listen[1]");
        CHECK_THAT(e.message, Catch::Contains("duplicate"));
    }
}

TEST_CASE("config: parse_duration accepts every unit", "[config][units]") {
    CHECK(parse_duration("500ms") == 500ms);
    CHECK(parse_duration("30s") == 30s);
    CHECK(parse_duration("5m") == 5min);
    CHECK(parse_duration("12h") == 12h);
    CHECK(parse_duration("1d") == 24h);
    CHECK(parse_duration("1w") == 168h);
    CHECK(parse_duration("90") == 90s);
    CHECK(parse_duration("0") == 0s);
    CHECK(parse_duration("0ms") == 0ms);
    CHECK(parse_duration("007s") == 7s);
    CHECK(parse_duration("9223372036854775807ms") == ConfigDuration::max());
}

TEST_CASE("config: parse_duration rejects garbage, signs and overflow", "[config][units]") {
    for (const char* bad : {"",
                            " ",
                            "s",
                            "ms",
                            "-5s",
                            "+5s",
                            "1.5h",
                            "5 s",
                            " 5s",
                            "5s ",
                            "5S",
                            "5M",
                            "5y",
                            "5sec",
                            "1h30m",
                            "abc",
                            "0x10",
                            "9223372036854775808ms",
                            "9223372036854775807s",
                            "99999999999999999999999"}) {
        INFO("input: \"" << bad << "\"");
        CHECK_FALSE(parse_duration(bad).has_value());
    }
}

TEST_CASE("config: parse_size accepts binary and decimal units", "[config][units]") {
    CHECK(parse_size("64MiB") == 64u * 1024 * 1024);
    CHECK(parse_size("512KiB") == 512u * 1024);
    CHECK(parse_size("1GiB") == 1024u * 1024 * 1024);
    CHECK(parse_size("2TiB") == std::size_t{2} << 40);
    CHECK(parse_size("10kB") == 10000u);
    CHECK(parse_size("1MB") == 1000000u);
    CHECK(parse_size("3GB") == 3000000000u);
    CHECK(parse_size("1TB") == 1000000000000u);
    CHECK(parse_size("4096") == 4096u);
    CHECK(parse_size("4096B") == 4096u);
    CHECK(parse_size("0") == 0u);
    CHECK(parse_size("18446744073709551615") == std::size_t(-1));
}

TEST_CASE("config: parse_size rejects garbage, signs and overflow", "[config][units]") {
    for (const char* bad : {"", "B", "MiB", "-1", "+1", "1.5MiB", "64mib", "64 MiB", "1KB", "1K", "1M",
                            "1kiB", "12x", "18446744073709551616", "16777216TiB", "17179869184GiB"}) {
        INFO("input: \"" << bad << "\"");
        CHECK_FALSE(parse_size(bad).has_value());
    }
}

TEST_CASE("config: format_duration picks the largest exact unit", "[config][units]") {
    CHECK(format_duration(0ms) == "0s");
    CHECK(format_duration(1500ms) == "1500ms");
    CHECK(format_duration(90s) == "90s");
    CHECK(format_duration(2h) == "2h");
    CHECK(format_duration(48h) == "2d");
    CHECK(format_duration(336h) == "2w");
}

TEST_CASE("config: durations and sizes in the file: strings and integers", "[config][units]") {
    Config c = loaded(R"([dns]
tcp_idle_timeout = 30
upstream_timeout = "2s"
[cache]
max_memory = 1048576
min_ttl = 5
max_ttl = "1w"
negative_max_ttl = "0s"
stale_max = "36h"
)");
    CHECK(c.dns.tcp_idle_timeout == 30s);
    CHECK(c.dns.upstream_timeout == 2s);
    CHECK(c.cache.max_memory == 1048576u);
    CHECK(c.cache.min_ttl == 5s);
    CHECK(c.cache.max_ttl == 168h);
    CHECK(c.cache.negative_max_ttl == 0s);
    CHECK(c.cache.stale_max == 36h);
    CHECK(loaded("[cache]\nmax_memory = \"10kB\"\n").cache.max_memory == 10000u);
}

TEST_CASE("config: the per-client rate limit", "[config]") {
    Config c = loaded("[dns]\nclient_rate_limit = 20\n");
    CHECK(c.dns.client_rate_limit == 20);
    CHECK(c.dns.client_rate_burst == 0);  // the engine takes one second's worth
    ConfigError e = only_error("[dns]\nclient_rate_limit = -1\n");
    CHECK(e.key == "dns.client_rate_limit");
    CHECK(e.message == "-1 is out of range: must be between 0 and 1000000");
    e = only_error("[dns]\nclient_rate_limit = \"20/s\"\n");
    CHECK_THAT(e.message, Catch::StartsWith("expected an integer"));
    e = only_error("[dns]\nclient_rate_burst = 100\n");
    CHECK(e.key == "dns.client_rate_burst");
    CHECK(e.line == 2);
    CHECK_THAT(e.message, Catch::Contains("no effect without dns.client_rate_limit"));
    e = only_error("[dns]\nclient_rate_limit = 10\nclient_rate_burst = 1000001\n");
    CHECK(e.key == "dns.client_rate_burst");
}

TEST_CASE("config: bad durations and sizes in the file", "[config][units]") {
    auto r = load(R"([dns]
tcp_idle_timeout = -1
upstream_timeout = "50ms"
[cache]
max_memory = -5
min_ttl = "1.5s"
max_ttl = "1500ms"
negative_max_ttl = 2.5
stale_max = "forever"
size = -1
)");
    INFO(all_errors(r));
    CHECK_FALSE(r.config.has_value());
    REQUIRE(r.errors.size() == 8);
    CHECK(r.errors[0].key == "dns.tcp_idle_timeout");
    CHECK_THAT(r.errors[0].message, Catch::Contains("negative"));
    CHECK(r.errors[1].key == "dns.upstream_timeout");
    CHECK(r.errors[1].message == "50ms is out of range: must be between 100ms and 1m");
    CHECK(r.errors[2].key == "cache.max_memory");
    CHECK_THAT(r.errors[2].message, Catch::Contains("negative"));
    CHECK(r.errors[3].key == "cache.min_ttl");
    CHECK_THAT(r.errors[3].message, Catch::Contains("invalid duration \"1.5s\""));
    CHECK(r.errors[4].key == "cache.max_ttl");
    CHECK_THAT(r.errors[4].message, Catch::Contains("whole number of seconds"));
    CHECK(r.errors[5].key == "cache.negative_max_ttl");
    CHECK_THAT(r.errors[5].message, Catch::StartsWith("expected a duration"));
    CHECK_THAT(r.errors[5].message, Catch::EndsWith("found a floating-point number"));
    CHECK(r.errors[6].key == "cache.stale_max");
    CHECK_THAT(r.errors[6].message, Catch::Contains("invalid duration \"forever\""));
    CHECK(r.errors[7].key == "cache.size");
    CHECK(r.errors[7].message == "-1 is out of range: must be at least 0");
    CHECK(load("[cache]\nmax_memory = \"64 MiB\"\n").errors.at(0).message ==
          "invalid size \"64 MiB\": expected a whole number with unit B, kB, MB, GB, TB, KiB, MiB, GiB or "
          "TiB, e.g. \"64MiB\"");
}

TEST_CASE("config: an unknown top-level key is reported where it is", "[config]") {
    auto e = only_error("log_level = \"warn\"\n\n  lgo_level = \"info\"\n");
    CHECK(e.file == "test.toml");
    CHECK(e.line == 3);
    CHECK(e.column == 3);
    CHECK(e.key == "lgo_level");
    CHECK(e.message == "unknown key");
    CHECK(e.to_string() == "test.toml:3:3: lgo_level: unknown key");

    auto table = only_error("[dnss]\nport = 53\n");
    CHECK(table.line == 1);
    CHECK(table.key == "dnss");
    CHECK(table.message == "unknown key");
}

TEST_CASE("config: an unknown key in a table is reported with its path", "[config]") {
    auto e = only_error("[cache]\nsize = 10\nmax_size = 20\n");
    CHECK(e.line == 3);
    CHECK(e.column == 1);
    CHECK(e.key == "cache.max_size");
    CHECK(e.message == "unknown key");

    auto dotted = only_error("dns.port = 53\ndns.prot = 54\n");
    CHECK(dotted.line == 2);
    CHECK(dotted.column == 5);
    CHECK(dotted.key == "dns.prot");
}

TEST_CASE("config: an unknown key in an [[upstream]] names the group index", "[config]") {
    auto e = only_error(R"([[upstream]]
servers = ["192.0.2.1"]

[[upstream]]
servers = ["192.0.2.2"]
    domain = ["lan"]
)");
    CHECK(e.line == 6);
    CHECK(e.column == 5);
    CHECK(e.key == "upstream[1].domain");
    CHECK(e.message == "unknown key");
}

TEST_CASE("config: wrong types are errors naming the expected type", "[config]") {
    SECTION("string") {
        auto e = only_error("log_level = 3\n");
        CHECK(e.key == "log_level");
        CHECK(e.line == 1);
        CHECK(e.column == 13);
        CHECK(e.message == "expected a string, found an integer");
    }
    SECTION("integer") {
        auto e = only_error("[dns]\nport = \"53\"\n");
        CHECK(e.key == "dns.port");
        CHECK(e.message == "expected an integer, found a string");
    }
    SECTION("boolean") {
        auto e = only_error("[cache]\nprefetch = \"yes\"\n");
        CHECK(e.key == "cache.prefetch");
        CHECK_THAT(e.message, Catch::StartsWith("expected a boolean"));
    }
    SECTION("array of strings") {
        auto e = only_error("[dns]\nallow = \"10.0.0.0/8\"\n");
        CHECK(e.key == "dns.allow");
        CHECK(e.message == "expected an array of strings, found a string");
    }
    SECTION("array element") {
        auto e = only_error("[dns]\ninterfaces = [\"eth0\", 5]\n");
        CHECK(e.key == "dns.interfaces[1]");
        CHECK(e.line == 2);
        CHECK(e.column == 23);
        CHECK(e.message == "expected a string, found an integer");
    }
    SECTION("table") {
        auto e = only_error("cache = 5\n");
        CHECK(e.key == "cache");
        CHECK(e.message == "expected a table, found an integer");
    }
    SECTION("[upstream] instead of [[upstream]]") {
        auto e = only_error("[upstream]\nservers = [\"192.0.2.1\"]\n");
        CHECK(e.key == "upstream");
        CHECK_THAT(e.message, Catch::StartsWith("expected an array of tables"));
    }
    SECTION("log level out of the list") {
        auto e = only_error("log_level = \"verbose\"\n");
        CHECK(e.key == "log_level");
        CHECK_THAT(e.message, Catch::Contains("unknown log level \"verbose\""));
    }
}

TEST_CASE("config: every error is collected, sorted by position", "[config]") {
    auto r = load(R"(log_level = "loud"
[dns]
port = 0
listen = ["127.0.0.1", "not-an-ip"]
edns_buffer_size = 9000
[cache]
serve_stale = 1
[[upstream]]
name = "x"
servers = ["192.0.2.1"]
extra = 1
)");
    INFO(all_errors(r));
    CHECK_FALSE(r.config.has_value());
    REQUIRE(r.errors.size() == 6);
    CHECK(r.errors[0].to_string() ==
          "test.toml:1:13: log_level: unknown log level \"loud\": expected trace, debug, info, warn, error, "
          "critical or off");
    CHECK(r.errors[1].to_string() ==
          "test.toml:3:8: dns.port: 0 is out of range: must be between 1 and 65535");
    CHECK(r.errors[2].key == "dns.listen[1]");
    CHECK(r.errors[2].line == 4);
    CHECK(r.errors[2].column == 24);
    CHECK(r.errors[3].key == "dns.edns_buffer_size");
    CHECK(r.errors[3].message == "9000 is out of range: must be between 512 and 4096");
    CHECK(r.errors[4].key == "cache.serve_stale");
    CHECK(r.errors[4].line == 7);
    CHECK(r.errors[5].key == "upstream[0].extra");
    CHECK(r.errors[5].line == 11);
}

TEST_CASE("config: a TOML syntax error gives its line and column", "[config]") {
    auto e = only_error("log_level = \"info\"\n[dns]\nport = = 53\n");
    CHECK(e.file == "test.toml");
    CHECK(e.line == 3);
    CHECK(e.column == 8);
    CHECK(e.key.empty());
    CHECK_FALSE(e.message.empty());
    CHECK_THAT(e.to_string(), Catch::StartsWith("test.toml:3:8: "));

    auto unterminated = only_error("[local]\ndomain = \"lan\n");
    CHECK(unterminated.line == 2);

    auto redefined = only_error("[dns]\nport = 53\nport = 54\n");
    CHECK(redefined.line == 3);
}

TEST_CASE("config: load_config reads a file and reports a missing one", "[config]") {
    SECTION("missing file") {
        auto r = load_config("/nonexistent/lanlord.toml");
        CHECK_FALSE(r.config.has_value());
        REQUIRE(r.errors.size() == 1);
        CHECK(r.errors[0].file == "/nonexistent/lanlord.toml");
        CHECK(r.errors[0].line == 0);
        CHECK(r.errors[0].to_string() == "/nonexistent/lanlord.toml: cannot open: No such file or directory");
    }
    SECTION("a directory") {
        auto r = load_config("/");
        REQUIRE(r.errors.size() == 1);
        CHECK_THAT(r.errors[0].message, Catch::StartsWith("cannot read"));
    }
    SECTION("a real file") {
        char path[] = "/tmp/lanlord-config-test-XXXXXX";
        int fd = mkstemp(path);
        REQUIRE(fd >= 0);
        close(fd);
        std::ofstream(path) << "[dns]\nport = 5300\nbogus = 1\n";
        auto bad = load_config(path);
        REQUIRE(bad.errors.size() == 1);
        CHECK(bad.errors[0].to_string() == std::string(path) + ":3:1: dns.bogus: unknown key");

        std::ofstream(path) << "[dns]\nport = 5300\n";
        auto good = load_config(path);
        std::remove(path);
        REQUIRE(good.config.has_value());
        CHECK(good.config->source == path);
        CHECK(good.config->dns.port == 5300);
    }
}

TEST_CASE("config: bad addresses, prefixes and domains", "[config]") {
    auto r = load(R"([dns]
listen = ["127.0.0.1:0", "[::1", "256.0.0.1", "::1:53"]
allow = ["10.0.0.0/8", "10.0.0.0/33", "10.0.0.0/", "host.lan"]
deny = ["2001:db8::/129"]
[[upstream]]
servers = ["192.0.2.1:99999", "dns.example"]
domains = ["a..b", "lan", "has space.lan", "x.", "LAN"]
)");
    INFO(all_errors(r));
    CHECK_FALSE(r.config.has_value());
    std::vector<std::string> keys;
    for (const auto& e : r.errors) keys.push_back(e.key);
    CHECK(keys == std::vector<std::string>{
                      "dns.listen[0]", "dns.listen[1]", "dns.listen[2]", "dns.allow[1]", "dns.allow[2]",
                      "dns.allow[3]", "dns.deny[0]", "upstream[0].servers[0]", "upstream[0].servers[1]",
                      "upstream[0].domains[0]", "upstream[0].domains[2]", "upstream[0].domains[4]"});
    CHECK(r.errors[0].line == 2);
    CHECK(r.errors[0].column == 11);
    CHECK_THAT(r.errors[0].message, Catch::StartsWith("invalid address \"127.0.0.1:0\""));
    CHECK_THAT(r.errors[3].message, Catch::StartsWith("invalid prefix \"10.0.0.0/33\""));
    CHECK_THAT(r.errors[7].message, Catch::StartsWith("invalid server address \"192.0.2.1:99999\""));
    CHECK(r.errors[9].message == "invalid domain name \"a..b\"");
    CHECK(r.errors[11].message == "duplicate domain \"LAN\"");  // names compare case-insensitively
    // "::1:53" is an IPv6 address, not ::1 port 53: ports on IPv6 need brackets.
    CHECK(load("[dns]\nlisten = [\"::1:53\"]\n").config->dns.listen[0] == endpoint("[::1:53]:53"));
}

TEST_CASE("config: interface names are checked", "[config]") {
    auto r = load(R"([dns]
interfaces = ["eth0", "", "averyveryverylongname", "eth0:1"]
[[upstream]]
servers = ["192.0.2.1"]
interface = "a/b"
clients = ["br lan"]
)");
    INFO(all_errors(r));
    std::vector<std::string> keys;
    for (const auto& e : r.errors) keys.push_back(e.key);
    CHECK(keys == std::vector<std::string>{"dns.interfaces[1]", "dns.interfaces[2]", "dns.interfaces[3]",
                                           "upstream[0].interface", "upstream[0].clients[0]"});
    CHECK(r.errors[0].message == "invalid interface name \"\"");
    CHECK(
        loaded("[[upstream]]\nservers = [\"192.0.2.1\"]\ninterface = \"\"\n").upstreams[0].interface.empty());
}

TEST_CASE("config: upstream group names default, and must be unique", "[config]") {
    SECTION("defaults are upstream<N>, 1-based") {
        Config c = loaded(R"([[upstream]]
servers = ["192.0.2.1"]
[[upstream]]
name = "vpn"
servers = ["192.0.2.2"]
domains = ["corp"]
[[upstream]]
resolv_conf = "/run/resolv.conf"
)");
        REQUIRE(c.upstreams.size() == 3);
        CHECK(c.upstreams[0].name == "upstream1");
        CHECK(c.upstreams[1].name == "vpn");
        CHECK(c.upstreams[2].name == "upstream3");
        CHECK(c.upstreams[2].domains_text == std::vector<std::string>{"."});
    }
    SECTION("duplicate names") {
        auto e = only_error(R"([[upstream]]
name = "isp"
servers = ["192.0.2.1"]
[[upstream]]
servers = ["192.0.2.2"]
  name = "isp"
)");
        CHECK(e.key == "upstream[1].name");
        CHECK(e.line == 6);
        CHECK(e.column == 10);
        CHECK(e.message == "duplicate upstream group name \"isp\"");
    }
    SECTION("an explicit name equal to a default one") {
        auto e = only_error(R"([[upstream]]
servers = ["192.0.2.1"]
[[upstream]]
name = "upstream1"
servers = ["192.0.2.2"]
)");
        CHECK(e.key == "upstream[1].name");
    }
    SECTION("empty name") {
        auto e = only_error("[[upstream]]\nname = \"\"\nservers = [\"192.0.2.1\"]\n");
        CHECK(e.key == "upstream[0].name");
        CHECK_THAT(e.message, Catch::Contains("must not be empty"));
    }
}

TEST_CASE("config: min_ttl greater than max_ttl is an error", "[config]") {
    auto e = only_error("[cache]\nmax_ttl = \"1h\"\nmin_ttl = \"2h\"\n");
    CHECK(e.key == "cache.min_ttl");
    CHECK(e.line == 3);
    CHECK(e.column == 11);
    CHECK(e.message == "min_ttl (2h) is greater than max_ttl (1h)");

    auto against_default = only_error("[cache]\nmin_ttl = \"2d\"\n");
    CHECK(against_default.message == "min_ttl (2d) is greater than max_ttl (1d)");

    Config equal = loaded("[cache]\nmin_ttl = 600\nmax_ttl = \"10m\"\n");
    CHECK(equal.cache.min_ttl == equal.cache.max_ttl);
}

TEST_CASE("config: an upstream group needs servers or resolv_conf", "[config]") {
    SECTION("neither") {
        auto e = only_error(R"([[upstream]]
servers = ["192.0.2.1"]

[[upstream]]
name = "empty"
domains = ["lan"]
)");
        CHECK(e.key == "upstream[1]");
        CHECK(e.line == 4);
        CHECK(e.column == 1);
        CHECK(e.message ==
              "an upstream group needs \"servers\" or \"resolv_conf\" (or \"recursive = true\")");
    }
    SECTION("an empty servers array counts as none") {
        auto e = only_error("[[upstream]]\nservers = []\n");
        CHECK(e.key == "upstream[0]");
    }
    SECTION("resolv_conf alone is enough") {
        Config c = loaded("[[upstream]]\nresolv_conf = \"/etc/resolv.conf\"\n");
        CHECK(c.upstreams[0].resolv_conf == "/etc/resolv.conf");
        CHECK(c.upstreams[0].servers.empty());
    }
    SECTION("empty domains") {
        auto e = only_error("[[upstream]]\nservers = [\"192.0.2.1\"]\ndomains = []\n");
        CHECK(e.key == "upstream[0].domains");
    }
}

TEST_CASE("config: inline upstream tables and an empty upstream array", "[config]") {
    Config c = loaded(R"(upstream = [ { servers = ["192.0.2.9"], domains = ["."] } ])");
    REQUIRE(c.upstreams.size() == 1);
    CHECK(c.upstreams[0].name == "upstream1");
    CHECK(c.upstreams[0].servers == std::vector<Endpoint>{endpoint("192.0.2.9:53")});

    Config none = loaded("upstream = []\n");
    REQUIRE(none.upstreams.size() == 1);
    CHECK(none.upstreams[0].name == "default");

    auto e = only_error("upstream = [5]\n");
    CHECK(e.key == "upstream[0]");
    CHECK(e.message == "expected a table, found an integer");
}

TEST_CASE("config: ConfigError::to_string leaves out what is unknown", "[config]") {
    CHECK(ConfigError{"f.toml", 3, 7, "dns.port", "bad"}.to_string() == "f.toml:3:7: dns.port: bad");
    CHECK(ConfigError{"f.toml", 0, 0, "", "cannot open"}.to_string() == "f.toml: cannot open");
    CHECK(ConfigError{"f.toml", 2, 1, "", "syntax"}.to_string() == "f.toml:2:1: syntax");
}
