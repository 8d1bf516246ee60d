// The Prometheus exposition: families declared once, histograms cumulative,
// label values escaped. (promtool checks the real endpoint in a system test.)
#include <catch2/catch.hpp>
#include <map>
#include <sstream>

#include "daemon/control/metrics_text.h"
#include "daemon/control/status_json.h"

namespace lanlord {
namespace {

std::map<std::string, double> samples(const std::string& text) {
    std::map<std::string, double> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        auto space = line.rfind(' ');
        out[line.substr(0, space)] = std::stod(line.substr(space + 1));
    }
    return out;
}

DaemonSnapshot example() {
    DaemonSnapshot s;
    s.version = "1.2.3";
    s.dns.queries = 10;
    s.dns.cache_hits = 6;
    s.dns.rcodes[3] = 2;
    s.dns.qtypes[qtype_slot(28)] = 4;
    s.dns.answer_latency.record(std::chrono::microseconds(50));
    s.dns.answer_latency.record(std::chrono::milliseconds(30));
    s.dns.answer_latency.record(std::chrono::seconds(9));
    GroupSnapshot g;
    g.name = "we\"ird\\";
    ServerSnapshot srv;
    srv.address = "192.0.2.1:53";
    srv.state = "up";
    srv.queries = 3;
    srv.rtt.record(std::chrono::milliseconds(3));
    g.servers.push_back(srv);
    s.upstreams.push_back(g);
    s.dhcp_enabled = true;
    s.subnets.push_back({"lan0", "192.0.2.0/24", 100, 25, 26, 1});
    return s;
}

}  // namespace

TEST_CASE("metrics: counters, gauges and labels", "[control]") {
    auto m = samples(render_metrics(example()));
    CHECK(m.at("lanlord_dns_queries_total") == 10);
    CHECK(m.at("lanlord_cache_hits_total") == 6);
    CHECK(m.at("lanlord_dns_answers_total{rcode=\"NXDOMAIN\"}") == 2);
    CHECK(m.at("lanlord_dns_answers_total{rcode=\"NOERROR\"}") == 0);  // present from the start
    CHECK(m.at("lanlord_dns_queries_by_type_total{type=\"AAAA\"}") == 4);
    CHECK(m.at("lanlord_build_info{version=\"1.2.3\"}") == 1);
    CHECK(m.at("lanlord_dhcp_pool_size{subnet=\"192.0.2.0/24\",interface=\"lan0\"}") == 100);
    CHECK(m.at("lanlord_dhcp_pool_used{subnet=\"192.0.2.0/24\",interface=\"lan0\"}") == 25);
    CHECK(m.at("lanlord_upstream_queries_total{group=\"we\\\"ird\\\\\",server=\"192.0.2.1:53\"}") == 3);
}

TEST_CASE("metrics: a DNS over TLS server has its TLS families, a plain one none", "[control]") {
    DaemonSnapshot s = example();
    ServerSnapshot dot;
    dot.address = "tls://9.9.9.9:853#dns.quad9.net";
    dot.state = "up";
    dot.tls = TlsSnapshot{"dns.quad9.net", "TLSv1.3", "", true, 2, 3, 3, 1, 1, 3000, 2999, 5, 0};
    s.upstreams[0].servers.push_back(dot);
    auto m = samples(render_metrics(s));
    std::string labels = "{group=\"we\\\"ird\\\\\",server=\"tls://9.9.9.9:853#dns.quad9.net\"}";
    CHECK(m.at("lanlord_upstream_tls_connections" + labels) == 2);
    CHECK(m.at("lanlord_upstream_tls_handshakes_total" + labels) == 3);
    CHECK(m.at("lanlord_upstream_tls_resumed_total" + labels) == 1);
    CHECK(m.at("lanlord_upstream_tls_handshake_failures_total" + labels) == 1);
    CHECK(m.at("lanlord_upstream_tls_queries_total" + labels) == 3000);
    CHECK(m.at("lanlord_upstream_tls_retried_total" + labels) == 5);
    CHECK(m.at("lanlord_upstream_tls_verified" + labels) == 1);
    CHECK_FALSE(
        m.contains("lanlord_upstream_tls_queries_total{group=\"we\\\"ird\\\\\",server=\"192.0.2.1:53\"}"));
}

TEST_CASE("metrics: histograms are cumulative with +Inf, sum and count", "[control]") {
    auto m = samples(render_metrics(example()));
    CHECK(m.at("lanlord_dns_answer_duration_seconds_bucket{le=\"0.0001\"}") == 1);
    CHECK(m.at("lanlord_dns_answer_duration_seconds_bucket{le=\"0.025\"}") == 1);
    CHECK(m.at("lanlord_dns_answer_duration_seconds_bucket{le=\"0.05\"}") == 2);
    CHECK(m.at("lanlord_dns_answer_duration_seconds_bucket{le=\"5\"}") == 2);
    CHECK(m.at("lanlord_dns_answer_duration_seconds_bucket{le=\"+Inf\"}") == 3);
    CHECK(m.at("lanlord_dns_answer_duration_seconds_count") == 3);
    CHECK(m.at("lanlord_dns_answer_duration_seconds_sum") == Approx(9.03005));
    CHECK(m.at("lanlord_upstream_rtt_seconds_bucket{group=\"we\\\"ird\\\\\",server=\"192.0.2.1:53\",le=\"0."
               "0025\"}") == 0);
    CHECK(m.at("lanlord_upstream_rtt_seconds_bucket{group=\"we\\\"ird\\\\\",server=\"192.0.2.1:53\",le=\"0."
               "005\"}") == 1);
}

TEST_CASE("metrics: every family has HELP and TYPE exactly once", "[control]") {
    std::string text = render_metrics(example());
    std::map<std::string, int> types;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("# TYPE ", 0) == 0) ++types[line.substr(7, line.find(' ', 7) - 7)];
    CHECK(types.size() > 30);
    for (const auto& [name, n] : types) {
        INFO(name);
        CHECK(n == 1);
    }
}

TEST_CASE("metrics: label values escape backslash, quote and newline", "[control]") {
    CHECK(escape_label_value("a\\b\"c\nd") == "a\\\\b\\\"c\\nd");
}

TEST_CASE("stats JSON: counters by type and rcode by name", "[control]") {
    auto j = stats_json(example());
    CHECK(j["dns"]["queries_by_type"]["AAAA"] == 4);
    CHECK(j["dns"]["answers_by_rcode"]["NXDOMAIN"] == 2);
    CHECK(j["dns"]["answer_latency"]["count"] == 3);
    CHECK(j["upstream_groups"][0]["servers"][0]["rtt"]["count"] == 1);
    CHECK(j["dhcp"]["subnets"][0]["pool_size"] == 100);
}

TEST_CASE("latency histogram: bucket edges are inclusive upper bounds", "[control]") {
    LatencyHistogram h;
    h.record(std::chrono::microseconds(100));  // le 100 µs
    h.record(std::chrono::microseconds(101));  // le 250 µs
    h.record(std::chrono::nanoseconds(-5));    // a clock step backwards counts as 0
    CHECK(h.bucket(0) == 2);
    CHECK(h.bucket(1) == 1);
    CHECK(h.count() == 3);
    CHECK(h.sum_us() == 201);
}

}  // namespace lanlord
