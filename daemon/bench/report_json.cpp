// --json and --csv (report.h). Milliseconds are rounded to the microsecond:
// the clock's resolution, not the double's.
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "daemon/bench/report.h"

namespace lanlord::bench {
namespace {

using Json = nlohmann::ordered_json;

double round_us(double ms) {
    return std::round(ms * 1000.0) / 1000.0;
}

Json tri_json(Tri t) {
    return t == Tri::unknown ? Json(nullptr) : Json(t == Tri::yes);
}

Json phase_json(const PhaseStats& s) {
    Json j;
    j["sent"] = s.sent;
    j["answered"] = s.answered;
    j["lost"] = s.lost;
    j["lost_pct"] = std::round(s.lost_pct * 100.0) / 100.0;
    const char* keys[] = {"min_ms", "p50_ms", "p95_ms", "p99_ms", "max_ms", "mean_ms", "stddev_ms"};
    if (s.latency) {
        const auto& l = *s.latency;
        double values[] = {l.min, l.p50, l.p95, l.p99, l.max, l.mean, l.stddev};
        for (int i = 0; i < 7; ++i) j[keys[i]] = round_us(values[i]);
    } else {
        for (const char* k : keys) j[k] = nullptr;  // no answers: no latency, not zero
    }
    Json rc = Json::object();
    for (const auto& [rcode, n] : s.rcodes) rc[rcode_name(rcode)] = n;
    j["rcodes"] = rc;
    j["ad"] = s.ad;
    j["truncated"] = s.truncated;
    Json samples = Json::array();
    for (double v : s.sorted_ms) samples.push_back(round_us(v));
    j["samples_ms"] = samples;
    return j;
}

Json latency_json(const std::optional<LatencySummary>& l) {
    if (!l) return nullptr;
    return Json{{"min_ms", round_us(l->min)},
                {"p50_ms", round_us(l->p50)},
                {"max_ms", round_us(l->max)},
                {"mean_ms", round_us(l->mean)}};
}

Json tls_json(const TlsResult& t) {
    Json j;
    j["version"] = t.version.empty() ? Json(nullptr) : Json(t.version);
    j["handshakes"] = t.handshakes;
    j["full_handshake"] = latency_json(t.full);
    j["resumed_handshake"] = latency_json(t.resumed_latency);
    j["tcp_connect"] = latency_json(t.tcp);
    j["resumption_offered"] = t.resumption_offered;
    j["resumed"] = t.resumed;
    j["query_connections"] = t.query_connections;
    j["queries_per_connection"] = std::round(t.queries_per_connection * 10.0) / 10.0;
    j["closed_by_server"] = t.closed_by_server;
    j["failures"] = t.failures;
    j["gave_up"] = t.gave_up;
    j["unsent"] = t.unsent;
    j["error"] = t.error.empty() ? Json(nullptr) : Json(printable(t.error));
    return j;
}

}  // namespace

std::string format_json(const std::vector<TargetResult>& results, const ReportMeta& meta) {
    Json root;
    root["settings"] = {{"rate_qps", meta.settings.rate},
                        {"count", meta.settings.count},
                        {"timeout_ms", meta.settings.timeout.count()},
                        {"names", meta.names},
                        {"tls_handshake_probes", meta.settings.tls_handshake_probes}};
    Json targets = Json::array();
    for (const auto& r : results) {
        Json t;
        t["name"] = printable(r.target.name);
        t["address"] = r.target.endpoint.address.to_string();
        t["port"] = r.target.endpoint.port;
        t["kind"] = to_string(r.target.kind);
        t["transport"] = to_string(r.target.transport);
        if (r.target.transport == Transport::tls)
            t["tls_name"] = r.target.tls.name.empty() ? Json(nullptr) : Json(r.target.tls.name);
        t["nxdomain_hijack"] = tri_json(r.nxdomain_hijack);
        t["hijack_address"] = r.hijack_address.empty() ? Json(nullptr) : Json(r.hijack_address);
        t["sets_ad"] = tri_json(r.sets_ad);
        t["uncached"] = phase_json(r.uncached);
        t["cached"] = phase_json(r.cached);
        if (r.tls) t["tls"] = tls_json(*r.tls);
        targets.push_back(std::move(t));
    }
    root["targets"] = std::move(targets);
    return root.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string format_csv(const std::vector<TargetResult>& results) {
    std::string out =
        "target,address,port,kind,phase,sent,answered,lost,lost_pct,min_ms,p50_ms,p95_ms,p99_ms,max_ms,"
        "mean_ms,stddev_ms,noerror,nxdomain,servfail,refused,other_rcodes,ad,nxdomain_hijack,sets_ad,"
        "transport,"
        "tls_full_handshake_p50_ms,tls_resumed_handshake_p50_ms\n";
    auto tri = [](Tri t) { return t == Tri::unknown ? std::string() : tri_text(t); };  // empty: not found out
    auto num = [](double v) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.3f", v);
        return std::string(buf);
    };
    for (const auto& r : results) {
        for (const auto& [phase, s] : {std::pair<const char*, const PhaseStats*>{"uncached", &r.uncached},
                                       std::pair<const char*, const PhaseStats*>{"cached", &r.cached}}) {
            std::string line = csv_field(r.target.name) + "," + r.target.endpoint.address.to_string() + "," +
                               std::to_string(r.target.endpoint.port) + "," + to_string(r.target.kind) + "," +
                               phase + "," + std::to_string(s->sent) + "," + std::to_string(s->answered) +
                               "," + std::to_string(s->lost) + "," + num(s->lost_pct);
            if (s->latency) {
                const auto& l = *s->latency;
                for (double v : {l.min, l.p50, l.p95, l.p99, l.max, l.mean, l.stddev}) line += "," + num(v);
            } else {
                line += ",,,,,,,";  // empty, not 0: there is no latency without answers
            }
            unsigned other = 0;
            for (const auto& [rcode, n] : s->rcodes)
                if (rcode != 0 && rcode != 3 && rcode != 2 && rcode != 5) other += n;
            // A named pointer: clang (tidy) rejects a lambda capturing a structured binding.
            const PhaseStats* stats = s;
            auto count = [stats](std::uint8_t rc) {
                auto it = stats->rcodes.find(rc);
                return std::to_string(it == stats->rcodes.end() ? 0 : it->second);
            };
            line += "," + count(0) + "," + count(3) + "," + count(2) + "," + count(5) + "," +
                    std::to_string(other) + "," + std::to_string(s->ad) + "," + tri(r.nxdomain_hijack) + "," +
                    tri(r.sets_ad) + "," + to_string(r.target.transport) + ",";
            if (r.tls && r.tls->full) line += num(r.tls->full->p50);
            line += ",";
            if (r.tls && r.tls->resumed_latency) line += num(r.tls->resumed_latency->p50);
            out += line + "\n";
        }
    }
    return out;
}

}  // namespace lanlord::bench
