// [recursion] and `recursive = true`: every key read with its checks, and
// what compose makes of them for the iterator.
#include <catch2/catch.hpp>

#include "common/dns_name.h"
#include "daemon/compose.h"
#include "support/config_helpers.h"

using namespace lanlord;
using lanlord::test::config_errors;
using lanlord::test::config_ok;

namespace {
bool has_error(const std::vector<std::string>& errors, const std::string& part) {
    for (const auto& e : errors)
        if (e.find(part) != std::string::npos) return true;
    return false;
}
}  // namespace

TEST_CASE("config: a recursive group needs no servers and takes none", "[config][recursion]") {
    Config c = config_ok("[[upstream]]\nname = \"internet\"\nrecursive = true\n");
    REQUIRE(c.upstreams.size() == 1);
    CHECK(c.upstreams[0].recursive);
    CHECK(c.upstreams[0].servers.empty());
    CHECK(any_recursive(c));
    CHECK_FALSE(any_recursive(config_ok("")));  // the default forwards (README: why)

    auto errors = config_errors("[[upstream]]\nrecursive = true\nservers = [\"192.0.2.1\"]\n");
    CHECK(has_error(errors, "t.toml:2:13: upstream[0].recursive: a recursive group resolves from the root"));
    errors = config_errors("[[upstream]]\nrecursive = true\nresolv_conf = \"/etc/resolv.conf\"\n");
    CHECK(has_error(errors, "upstream[0].recursive"));
    errors = config_errors("[[upstream]]\nrecursive = \"yes\"\n");
    CHECK(has_error(errors, "upstream[0].recursive"));
}

TEST_CASE("config: [recursion] keys and their checks", "[config][recursion]") {
    Config c = config_ok(R"(
[recursion]
root_hints = "/usr/share/dns/root.hints"
ipv6 = "off"
qname_minimisation = false
case_randomisation = false
allow_private = ["10.0.0.0/8", "fd00::/8"]
cache_memory = "2MiB"
infra_cache_size = 500
max_queries = 20
time_limit = "5s"
[[upstream]]
recursive = true
)");
    const RecursionConfig& r = c.recursion;
    CHECK(r.root_hints == "/usr/share/dns/root.hints");
    CHECK(r.ipv6 == Ipv6Use::off);
    CHECK_FALSE(r.qname_minimisation);
    CHECK_FALSE(r.case_randomisation);
    CHECK(r.allow_private == std::vector<Prefix>{*Prefix::parse("10.0.0.0/8"), *Prefix::parse("fd00::/8")});
    CHECK(r.cache_memory == 2u << 20);
    CHECK(r.infra_cache_size == 500);
    CHECK(r.max_queries == 20);
    CHECK(r.time_limit == std::chrono::seconds(5));

    CHECK(has_error(config_errors("[recursion]\nroot_hints = \"root.hints\"\n"),
                    "recursion.root_hints: must be an absolute path"));
    CHECK(has_error(config_errors("[recursion]\nipv6 = \"maybe\"\n"),
                    "recursion.ipv6: expected \"auto\", \"on\" or \"off\""));
    CHECK(has_error(config_errors("[recursion]\ncache_memory = \"1KiB\"\n"),
                    "recursion.cache_memory: at least 64KiB"));
    CHECK(has_error(config_errors("[recursion]\nmax_queries = 2\n"), "recursion.max_queries"));
    CHECK(has_error(config_errors("[recursion]\ntime_limit = \"2m\"\n"), "recursion.time_limit"));
    CHECK(has_error(config_errors("[recursion]\nallow_private = [\"10.0.0.0/33\"]\n"),
                    "recursion.allow_private[0]"));
    CHECK(
        has_error(config_errors("[recursion]\nqname_minimization = true\n"), "recursion.qname_minimization"));
}

TEST_CASE("compose: recursion_settings maps [recursion] and the group flag", "[compose][recursion]") {
    Config c = config_ok(R"(
[dns]
edns_buffer_size = 1400
[recursion]
ipv6 = "auto"
qname_minimisation = false
case_randomisation = false
allow_private = ["10.0.0.0/8"]
max_queries = 20
time_limit = "5s"
[[upstream]]
name = "internet"
recursive = true
[[upstream]]
name = "corp"
servers = ["192.0.2.1"]
domains = ["corp.example"]
)");
    RootHints hints{{{*name_from_text("a.root.test."), {*IpAddress::parse("198.51.100.1")}}}};
    std::vector<Endpoint> own{*Endpoint::parse("192.168.1.1:53", 53)};
    RecursionSettings s = recursion_settings(c, hints, true, own);
    CHECK_FALSE(s.qname_minimisation);
    CHECK_FALSE(s.case_randomisation);
    CHECK(s.addresses.allow == std::vector<Prefix>{*Prefix::parse("10.0.0.0/8")});
    CHECK(s.addresses.own == std::vector<IpAddress>{*IpAddress::parse("192.168.1.1")});
    CHECK(s.addresses.ipv6);  // auto, and the host routes IPv6
    CHECK_FALSE(recursion_settings(c, hints, false, own).addresses.ipv6);
    CHECK(s.hints == hints);
    CHECK(s.edns_size == 1400);
    CHECK(s.limits.max_queries == 20);
    CHECK(s.time_limit == std::chrono::seconds(5));
    auto groups = group_specs(c);
    REQUIRE(groups.size() == 2);
    CHECK(groups[0].recursive);
    CHECK_FALSE(groups[1].recursive);

    c.recursion.ipv6 = Ipv6Use::on;
    CHECK(recursion_settings(c, hints, false, own).addresses.ipv6);
    c.recursion.ipv6 = Ipv6Use::off;
    CHECK_FALSE(recursion_settings(c, hints, true, own).addresses.ipv6);
}
