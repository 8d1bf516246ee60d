// Fuzz target: what reaches the control socket and what lanlordctl reads
// back. The input is split at its first newline: the first line is a control
// request (handled by the real protocol against a backend holding realistic
// data; the reply is rendered the way lanlordctl renders it), the rest is fed
// to the cache-dump answer reader and the HTTP request parser of /metrics.
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <cstdint>
#include <string_view>

#include "daemon/control/control_protocol.h"
#include "daemon/control/metrics_text.h"
#include "daemon/ctl/render.h"
#include "resolver/wire/answer_text.h"

namespace {

using namespace lanlord;

struct Backend : ControlBackend {
    DaemonSnapshot snapshot() override {
        DaemonSnapshot s;
        s.version = "fuzz";
        s.listeners = {"127.0.0.1:53"};
        s.dns.queries = 3;
        s.dns.answer_latency.record(std::chrono::milliseconds(2));
        GroupSnapshot g;
        g.name = "g";
        g.servers.push_back({"192.0.2.1:53", false, "up", 1.5, 40, 0, 0, 1, 1, 0, 0, {}});
        s.upstreams.push_back(g);
        s.dhcp_enabled = true;
        s.subnets.push_back({"lan0", "192.0.2.0/24", 10, 1, 1, 0});
        return s;
    }
    nlohmann::json cache_dump(const std::optional<std::string>&, std::size_t limit) override {
        nlohmann::json e = nlohmann::json::array();
        if (limit)
            e.push_back({{"name", "a."},
                         {"type", "A"},
                         {"class", "IN"},
                         {"dnssec_ok", false},
                         {"checking_disabled", false},
                         {"group", "g"},
                         {"ttl", 5},
                         {"state", "fresh"},
                         {"rcode", "NOERROR"},
                         {"answers", {"a. 5 IN A 192.0.2.1"}}});
        return {{"total", 1}, {"shown", e.size()}, {"entries", e}};
    }
    std::size_t cache_flush(const std::optional<std::string>&) override { return 0; }
    nlohmann::json querylog(const QueryLogFilter&, std::size_t) override {
        return control_ok({{"records", {}}});
    }
    nlohmann::json dashboard() override { return control_ok({}); }
    nlohmann::json lists() override { return control_ok({}); }
    nlohmann::json change_domain(const std::string&, DomainAction) override { return control_ok({}); }
    nlohmann::json reserve_lease(const IpAddress&) override { return control_error("no lease"); }
    nlohmann::json config_text() override { return control_ok({{"text", ""}}); }
    nlohmann::json set_web_password(const std::string&) override { return control_ok({}); }
    nlohmann::json bench_state() override { return control_ok({{"state", "idle"}}); }
    nlohmann::json bench_start(const std::vector<std::string>&, bool) override { return control_ok({}); }
    nlohmann::json leases() override { return {{"enabled", false}, {"leases", nlohmann::json::array()}}; }
    std::vector<std::string> reload() override { return {"x.toml:1:1: k: bad"}; }
    void set_log_level(const std::string&) override {}
    void trace(const std::string&, std::uint16_t, std::function<void(nlohmann::json)> done) override {
        done({{"ok", true}});
    }
};

void render_reply(const std::string& line) {
    auto reply = nlohmann::json::parse(line, nullptr, false);
    if (!reply.is_object() || !reply.contains("result")) return;
    const auto& r = reply["result"];
    for (auto render : {ctl::render_status, ctl::render_stats, ctl::render_cache_dump, ctl::render_leases}) {
        try {
            (void)render(r);
        } catch (const nlohmann::json::exception&) {  // a reply of another shape: reported, not a crash
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    auto nl = input.find('\n');
    std::string_view request = input.substr(0, nl);
    std::string_view rest = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);

    Backend backend;
    render_reply(handle_control_request(request, backend));
    (void)parse_trace_request(request);  // the async path parses hostile lines too

    std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(rest.data()), rest.size());
    (void)describe_answer(bytes);
    (void)decode_cache_key(rest);

    boost::beast::http::request_parser<boost::beast::http::empty_body> parser;
    parser.header_limit(8 * 1024);
    parser.body_limit(0);
    parser.eager(true);
    boost::beast::error_code ec;
    parser.put(boost::asio::buffer(rest.data(), rest.size()), ec);
    return 0;
}
