// lanlordctl's tables from the daemon's JSON replies.
#include <catch2/catch.hpp>

#include "daemon/control/status_json.h"
#include "daemon/ctl/render.h"

namespace lanlord {

TEST_CASE("render: tables align columns, numbers right", "[control]") {
    std::string t = ctl::render_table({"NAME", "N"}, {{"a", "1"}, {"longer", "100"}}, {false, true});
    CHECK(t == "NAME      N\na         1\nlonger  100\n");
}

TEST_CASE("render: human units", "[control]") {
    CHECK(ctl::human_count(999) == "999");
    CHECK(ctl::human_count(12345) == "12.3k");
    CHECK(ctl::human_count(2500000) == "2.5M");
    CHECK(ctl::human_duration(59) == "59s");
    CHECK(ctl::human_duration(3725) == "1h2m");
    CHECK(ctl::human_duration(90000) == "1d1h");
}

TEST_CASE("render: status and stats from the daemon's JSON", "[control]") {
    DaemonSnapshot s;
    s.version = "0.1.0";
    s.config_file = "/etc/lanlord/lanlord.toml";
    s.listeners = {"127.0.0.1:53"};
    s.dns.queries = 100;
    s.dns.cache_hits = 75;
    s.dns.cache_misses = 25;
    GroupSnapshot g;
    g.name = "isp";
    ServerSnapshot srv;
    srv.address = "192.0.2.53:53";
    srv.state = "backed-off";
    srv.backoff_left_s = 4;
    srv.srtt_ms = 12.5;
    g.servers.push_back(srv);
    s.upstreams.push_back(g);
    s.dhcp_enabled = true;
    s.subnets.push_back({"lan0", "192.0.2.0/24", 100, 25, 26, 1});
    std::string status = ctl::render_status(status_json(s));
    CHECK_THAT(status, Catch::Contains("lanlord 0.1.0"));
    CHECK_THAT(status, Catch::Contains("127.0.0.1:53"));
    CHECK_THAT(status, Catch::Contains("backed-off (4s)"));
    CHECK_THAT(status, Catch::Contains("12.5"));
    CHECK_THAT(status, Catch::Contains("25.0%"));
    std::string stats = ctl::render_stats(stats_json(s));
    CHECK_THAT(stats, Catch::Contains("75.0%"));  // hit rate
}

TEST_CASE("render: a DNS over TLS server gets its connection table in status", "[control]") {
    DaemonSnapshot s;
    GroupSnapshot g;
    g.name = "quad9";
    ServerSnapshot plain;
    plain.address = "192.0.2.53:53";
    plain.state = "up";
    ServerSnapshot dot;
    dot.address = "tls://9.9.9.9:853#dns.quad9.net";
    dot.state = "up";
    dot.tls = TlsSnapshot{"dns.quad9.net", "TLSv1.3", "", true, 2, 3, 3, 1, 0, 3000, 2999, 0, 0};
    ServerSnapshot refused;
    refused.address = "tls://192.0.2.9:853#bad.example";
    refused.state = "backed-off";
    refused.tls = TlsSnapshot{"bad.example",
                              "",
                              "certificate verify failed: certificate has expired",
                              false,
                              0,
                              4,
                              0,
                              0,
                              4,
                              4,
                              0,
                              0,
                              4};
    g.servers = {plain, dot, refused};
    s.upstreams.push_back(g);
    nlohmann::json j = status_json(s);
    const auto& servers = j.at("upstream_groups").at(0).at("servers");
    CHECK_FALSE(servers.at(0).contains("tls"));
    CHECK(servers.at(1).at("tls").at("queries_per_connection").get<double>() == 1000.0);
    CHECK(servers.at(1).at("tls").at("version") == "TLSv1.3");
    CHECK(servers.at(2).at("tls").at("verified") == false);
    std::string status = ctl::render_status(j);
    CHECK_THAT(status, Catch::Contains("DNS OVER TLS"));
    CHECK_THAT(status, Catch::Contains("TLSv1.3"));
    CHECK_THAT(status, Catch::Contains("1000.0"));
    CHECK_THAT(status, Catch::Contains("no (certificate verify failed: certificate has expired)"));
    // No DoT server: no table.
    GroupSnapshot only_plain;
    only_plain.servers = {plain};
    s.upstreams = {only_plain};
    CHECK_THAT(ctl::render_status(status_json(s)), !Catch::Contains("DNS OVER TLS"));
}

TEST_CASE("render: a reply of the wrong shape throws, never crashes", "[control]") {
    CHECK_THROWS_AS(ctl::render_status(nlohmann::json::object()), nlohmann::json::exception);
    CHECK_THROWS_AS(ctl::render_leases(nlohmann::json{{"enabled", true}, {"leases", 5}}),
                    nlohmann::json::exception);
}

}  // namespace lanlord
