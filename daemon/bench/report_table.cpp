// The terminal table (report.h): two rows per target, uncached first.
#include <algorithm>
#include <cstdio>

#include "daemon/bench/report.h"

namespace lanlord::bench {

void sort_results(std::vector<TargetResult>& results) {
    auto key = [](const PhaseStats& s) { return s.latency ? s.latency->p50 : 1e300; };
    std::stable_sort(results.begin(), results.end(), [&](const TargetResult& a, const TargetResult& b) {
        if (key(a.uncached) != key(b.uncached)) return key(a.uncached) < key(b.uncached);
        if (key(a.cached) != key(b.cached)) return key(a.cached) < key(b.cached);
        return a.target.name < b.target.name;
    });
}

namespace {

std::string ms(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, v < 10 ? "%.2f" : "%.1f", v);
    return buf;
}

std::string pct(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f%%", v);
    return buf;
}

std::string rcodes_text(const PhaseStats& s) {
    std::string out;
    for (const auto& [rcode, n] : s.rcodes) {
        if (!out.empty()) out += ' ';
        out += rcode_name(rcode) + ":" + std::to_string(n);
    }
    return out.empty() ? "-" : out;
}

// Terminal columns of printable UTF-8: one per code point (no wide glyphs in
// resolver names worth a width table).
std::size_t width(const std::string& s) {
    return static_cast<std::size_t>(std::count_if(
        s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

using Row = std::vector<std::string>;

// Columns padded to their widest cell; `left` says which are text.
std::string render(const std::vector<Row>& rows, const std::vector<bool>& left) {
    std::vector<std::size_t> widths(left.size(), 0);
    for (const auto& row : rows)
        for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], width(row[c]));
    std::string out;
    for (const auto& row : rows) {
        std::string line;
        for (std::size_t c = 0; c < row.size(); ++c) {
            std::string pad(widths[c] - width(row[c]), ' ');
            if (c > 0) line += "  ";
            line += left[c] ? row[c] + pad : pad + row[c];
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line + "\n";
    }
    return out;
}

// The DoT targets' connection figures, apart from the query latencies.
std::string tls_table(const std::vector<TargetResult>& results) {
    const Row header = {"TARGET",  "TLS",   "HANDSHAKES", "FULL P50", "RESUMED P50", "TCP P50",
                        "RESUMED", "CONNS", "Q/CONN",     "CLOSED",   "FAILED"};
    const std::vector<bool> left = {true,  true,  false, false, false, false,
                                    false, false, false, false, false};
    std::vector<Row> rows = {header};
    auto p50 = [](const std::optional<LatencySummary>& l) { return l ? ms(l->p50) : std::string("-"); };
    for (const auto& r : results) {
        if (!r.tls) continue;
        const TlsResult& t = *r.tls;
        char qpc[32];
        std::snprintf(qpc, sizeof qpc, "%.0f", t.queries_per_connection);
        rows.push_back({printable(r.target.name), t.version.empty() ? "-" : printable(t.version),
                        std::to_string(t.handshakes), p50(t.full), p50(t.resumed_latency), p50(t.tcp),
                        std::to_string(t.resumed) + "/" + std::to_string(t.resumption_offered),
                        std::to_string(t.query_connections), qpc, std::to_string(t.closed_by_server),
                        std::to_string(t.failures)});
    }
    if (rows.size() == 1) return "";
    std::string out =
        "\nDNS over TLS: new connections, apart from the latencies above (ms from connect() to the "
        "end of the handshake)\n" +
        render(rows, left) +
        "FULL: no session offered; RESUMED: a session resumed (accepted/offered); TCP: the TCP "
        "part. Queries go on one\nconnection, pipelined; CONNS: connections that carried them, "
        "CLOSED: ended by the server, FAILED: never usable.\n";
    for (const auto& r : results) {
        if (!r.tls || r.tls->error.empty()) continue;
        std::string what = r.tls->handshakes == 0 ? "no DoT connection (nothing was sent): "
                           : r.tls->gave_up       ? "given up after " + std::to_string(r.tls->failures) +
                                                  " failed connections, " + std::to_string(r.tls->unsent) +
                                                  " measured queries never sent: "
                                            : "a connection failed: ";
        out += "warning: " + printable(r.target.name) + ": " + what + printable(r.tls->error) + "\n";
    }
    return out;
}

}  // namespace

std::string format_table(const std::vector<TargetResult>& results, const ReportMeta& meta) {
    const Row header = {"TARGET", "ADDRESS", "PHASE", "SENT",   "ANS",    "LOST", "MIN",   "P50",
                        "P95",    "P99",     "MEAN",  "STDDEV", "HIJACK", "AD",   "RCODES"};
    // Left-aligned text columns; the numbers are right-aligned.
    const std::vector<bool> left = {true,  true,  true,  false, false, false, false, false,
                                    false, false, false, false, true,  true,  true};
    std::vector<Row> rows = {header};
    for (const auto& r : results) {
        bool first = true;
        for (const PhaseStats* s : {&r.uncached, &r.cached}) {
            Row row;
            row.push_back(first ? printable(r.target.name) : "");
            row.push_back(first ? address_text(r.target) : "");
            row.push_back(first ? "uncached" : "cached");
            row.push_back(std::to_string(s->sent));
            row.push_back(std::to_string(s->answered));
            row.push_back(pct(s->lost_pct));
            if (s->latency) {
                const auto& l = *s->latency;
                for (double v : {l.min, l.p50, l.p95, l.p99, l.mean, l.stddev}) row.push_back(ms(v));
            } else {
                for (int i = 0; i < 6; ++i) row.push_back("-");
            }
            row.push_back(first ? tri_text(r.nxdomain_hijack) : "");
            row.push_back(first ? tri_text(r.sets_ad) : "");
            row.push_back(rcodes_text(*s));
            rows.push_back(std::move(row));
            first = false;
        }
    }
    std::string out = render(rows, left);
    out += "\nLatency in ms of answered queries (" + std::to_string(meta.settings.count) + " per phase, " +
           std::to_string(meta.names) + " names); LOST: no answer within " +
           std::to_string(meta.settings.timeout.count()) +
           " ms, never counted in latency.\n"
           "HIJACK: an address returned for a name that cannot exist. AD: AD set when DO is asked.\n"
           "Sorted by uncached p50.\n";
    for (const auto& r : results)
        if (r.nxdomain_hijack == Tri::yes)
            out += "warning: " + printable(r.target.name) + " answers nonexistent names with an address (" +
                   printable(r.hijack_address) + ")\n";
    out += tls_table(results);
    return out;
}

}  // namespace lanlord::bench
