#include "daemon/ctl/render.h"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>

namespace lanlord::ctl {

using nlohmann::json;

std::string render_table(const std::vector<std::string>& headers,
                         const std::vector<std::vector<std::string>>& rows, const std::vector<bool>& right) {
    std::vector<std::size_t> width(headers.size());
    for (std::size_t c = 0; c < headers.size(); ++c) width[c] = headers[c].size();
    for (const auto& row : rows)
        for (std::size_t c = 0; c < row.size() && c < width.size(); ++c)
            width[c] = std::max(width[c], row[c].size());
    auto line = [&](const std::vector<std::string>& cells) {
        std::string out;
        for (std::size_t c = 0; c < width.size(); ++c) {
            const std::string& cell = c < cells.size() ? cells[c] : std::string();
            bool r = c < right.size() && right[c];
            std::string pad(width[c] - std::min(width[c], cell.size()), ' ');
            if (c) out += "  ";
            out += r ? pad + cell : (c + 1 == width.size() ? cell : cell + pad);
        }
        return out + "\n";
    };
    std::string out = line(headers);
    for (const auto& row : rows) out += line(row);
    return out;
}

std::string human_count(std::uint64_t n) {
    if (n < 10000) return std::to_string(n);
    if (n < 1000000) return fmt::format("{:.1f}k", n / 1e3);
    if (n < 1000000000) return fmt::format("{:.1f}M", n / 1e6);
    return fmt::format("{:.1f}G", n / 1e9);
}

std::string human_duration(double seconds) {
    auto s = static_cast<long long>(seconds);
    if (s < 60) return fmt::format("{}s", s);
    if (s < 3600) return fmt::format("{}m{}s", s / 60, s % 60);
    if (s < 86400) return fmt::format("{}h{}m", s / 3600, (s % 3600) / 60);
    return fmt::format("{}d{}h", s / 86400, (s % 86400) / 3600);
}

namespace {

std::string percent(double part, double whole) {
    return whole > 0 ? fmt::format("{:.1f}%", 100.0 * part / whole) : std::string("-");
}

std::string ms(double v) {
    return v > 0 ? fmt::format("{:.1f}", v) : std::string("-");
}

// DNS over TLS servers: what their connections did (none: "").
std::string tls_table(const json& groups) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& g : groups)
        for (const auto& s : g.at("servers")) {
            if (!s.contains("tls")) continue;
            const json& t = s.at("tls");
            std::string verified = t.at("verified").get<bool>() ? "yes" : "no";
            std::string error = t.at("last_error").get<std::string>();
            if (!error.empty() && !t.at("verified").get<bool>()) verified += " (" + error + ")";
            rows.push_back({s.at("address").get<std::string>(), t.at("version").get<std::string>(), verified,
                            std::to_string(t.at("connections").get<std::int64_t>()),
                            human_count(t.at("handshakes").get<std::uint64_t>()),
                            human_count(t.at("resumed").get<std::uint64_t>()),
                            human_count(t.at("handshake_failures").get<std::uint64_t>()),
                            fmt::format("{:.1f}", t.at("queries_per_connection").get<double>())});
        }
    if (rows.empty()) return "";
    return "\n" + render_table({"DNS OVER TLS", "TLS", "VERIFIED", "OPEN", "HANDSHAKES", "RESUMED", "FAILED",
                                "QUERIES/CONN"},
                               rows, {false, false, false, true, true, true, true, true});
}

std::string upstream_table(const json& groups) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& g : groups) {
        for (const auto& s : g.at("servers")) {
            std::string state = s.at("state").get<std::string>();
            if (state == "backed-off")
                state += fmt::format(" ({:.0f}s)", s.at("backoff_left_s").get<double>());
            rows.push_back({g.at("name").get<std::string>(), s.at("address").get<std::string>(), state,
                            ms(s.at("srtt_ms").get<double>()), ms(s.at("rto_ms").get<double>()),
                            human_count(s.at("queries").get<std::uint64_t>()),
                            human_count(s.at("answers").get<std::uint64_t>()),
                            human_count(s.at("failures").get<std::uint64_t>()),
                            std::to_string(s.at("consecutive_failures").get<unsigned>())});
        }
        if (g.at("servers").empty())
            rows.push_back({g.at("name").get<std::string>(), "(no server)", "", "", "", "", "", "", ""});
    }
    std::string out = render_table(
        {"GROUP", "SERVER", "STATE", "SRTT ms", "RTO ms", "QUERIES", "ANSWERS", "FAILURES", "IN A ROW"}, rows,
        {false, false, false, true, true, true, true, true, true});
    out += tls_table(groups);
    return out;
}

std::string subnet_table(const json& subnets) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& n : subnets) {
        auto size = n.at("pool_size").get<std::uint64_t>(), used = n.at("active_leases").get<std::uint64_t>();
        rows.push_back({n.at("subnet").get<std::string>(), n.at("interface").get<std::string>(),
                        std::to_string(size), std::to_string(used),
                        percent(static_cast<double>(used), static_cast<double>(size)),
                        std::to_string(n.at("leases").get<std::uint64_t>()),
                        std::to_string(n.at("reservations").get<std::uint64_t>())});
    }
    return render_table({"SUBNET", "INTERFACE", "POOL", "USED", "USE", "LEASES", "RESERVED"}, rows,
                        {false, false, true, true, true, true, true});
}

}  // namespace

std::string render_status(const json& r) {
    std::string out =
        fmt::format("lanlord {}, up {}, {} thread{}, config {}, log level {}\n",
                    r.at("version").get<std::string>(), human_duration(r.at("uptime_s").get<double>()),
                    r.at("threads").get<unsigned>(), r.at("threads").get<unsigned>() == 1 ? "" : "s",
                    r.at("config_file").get<std::string>(), r.at("log_level").get<std::string>());
    std::string listeners;
    for (const auto& l : r.at("listeners"))
        listeners += (listeners.empty() ? "" : ", ") + l.get<std::string>();
    out += fmt::format("listening on {} (UDP and TCP)\n", listeners.empty() ? "nothing" : listeners);
    const json& c = r.at("cache");
    out += fmt::format("cache: {} of {} entries, {} KiB of {} KiB\n", c.at("entries").get<std::uint64_t>(),
                       c.at("max_entries").get<std::uint64_t>(), c.at("bytes").get<std::uint64_t>() / 1024,
                       c.at("max_bytes").get<std::uint64_t>() / 1024);
    out += "\nupstreams:\n" + upstream_table(r.at("upstream_groups"));
    const json& d = r.at("dhcp");
    if (d.at("enabled").get<bool>()) {
        out += fmt::format("\nDHCP: {} active leases\n", d.at("leases").get<std::uint64_t>());
        out += subnet_table(d.at("subnets"));
    } else {
        out += "\nDHCP: off\n";
    }
    if (auto sec = r.find("dnssec"); sec != r.end() && sec->value("enabled", false)) {
        out += fmt::format("\nDNSSEC: validating, {} bogus answers; clock: {} ({})\n", sec->value("bogus", 0),
                           sec->value("clock_trusted", false) ? "trusted" : "NOT TRUSTED, no AD",
                           sec->value("clock_reason", std::string()));
        if (std::uint64_t n = sec->value("unsigned_upstream_answers", std::uint64_t{0}))
            out += fmt::format(
                "DNSSEC WARNING: {} answers came from an upstream without the signatures their zone "
                "has: it strips DNSSEC records (signed names get SERVFAIL)\n",
                n);
        if (auto a = sec->find("rfc5011"); a != sec->end()) {
            std::string keys;
            for (const auto& k : a->value("root_keys", json::array()))
                keys += (keys.empty() ? "" : ", ") + k.get<std::string>();
            auto last = a->value("last_query", std::int64_t{0});
            auto now = static_cast<std::int64_t>(std::time(nullptr));
            out += fmt::format(
                "RFC 5011: root keys {}; last update {}, next in {}{}\n", keys.empty() ? "-" : keys,
                last ? human_duration(static_cast<double>(now - last)) + " ago" : "never",
                human_duration(static_cast<double>(
                    std::max<std::int64_t>(0, a->value("next_query", std::int64_t{0}) - now))),
                a->value("failures", 0u) ? fmt::format(" ({} failed)", a->value("failures", 0u)) : "");
        }
    }
    return out;
}

std::string render_stats(const json& r) {
    const json& d = r.at("dns");
    const json& c = r.at("cache");
    auto n = [](const json& j, const char* key) { return j.at(key).get<std::uint64_t>(); };
    std::uint64_t queries = n(d, "queries"), hits = n(c, "hits"), misses = n(c, "misses");
    std::string out = fmt::format("DNS (up {})\n", human_duration(r.at("uptime_s").get<double>()));
    std::vector<std::vector<std::string>> rows = {
        {"queries", std::to_string(queries), ""},
        {"cache hits", std::to_string(hits),
         percent(static_cast<double>(hits), static_cast<double>(hits + misses))},
        {"cache misses", std::to_string(misses), ""},
        {"local answers", std::to_string(n(d, "local_answers")), ""},
        {"blocked", std::to_string(n(d, "blocked")), ""},
        {"refused", std::to_string(n(d, "refused")), ""},
        {"rate limited", std::to_string(d.value("rate_limited", std::uint64_t{0})), ""},
        {"dropped", std::to_string(n(d, "dropped")), ""},
        {"upstream queries", std::to_string(n(d, "upstream_queries")), ""},
        {"upstream timeouts", std::to_string(n(d, "upstream_timeouts")), ""},
        {"upstream errors", std::to_string(n(d, "upstream_errors")), ""},
        {"TCP fallbacks", std::to_string(n(d, "tcp_fallbacks")), ""},
        {"spoof mismatches", std::to_string(n(d, "spoof_mismatches")), ""},
        {"coalesced", std::to_string(n(d, "coalesced")), ""},
        {"stale answers", std::to_string(n(d, "stale_answers")), ""},
        {"prefetches", std::to_string(n(d, "prefetches")), ""},
        {"SERVFAIL sent", std::to_string(n(d, "servfail_sent")), ""},
    };
    out += render_table({"COUNTER", "VALUE", ""}, rows, {false, true, true});
    std::vector<std::vector<std::string>> types, rcodes;
    for (const auto& [k, v] : d.at("queries_by_type").items())
        types.push_back({k, std::to_string(v.get<std::uint64_t>())});
    for (const auto& [k, v] : d.at("answers_by_rcode").items())
        rcodes.push_back({k, std::to_string(v.get<std::uint64_t>())});
    out += "\n" + render_table({"QTYPE", "QUERIES"}, types, {false, true});
    out += "\n" + render_table({"RCODE", "ANSWERS"}, rcodes, {false, true});
    out += fmt::format("\ncache: {} entries, {} KiB; {} inserts, {} evictions\n", n(c, "entries"),
                       n(c, "bytes") / 1024, n(c, "inserts"), n(c, "evictions"));
    out += "\nupstreams:\n" + upstream_table(r.at("upstream_groups"));
    if (auto sec = r.find("dnssec"); sec != r.end() && sec->value("enabled", false)) {
        const json& x = *sec;
        out += fmt::format(
            "\ndnssec: validating; {} secure, {} insecure, {} bogus ({} more from the bogus cache), "
            "{} DS/DNSKEY fetches; {} keys cached, {} trust anchors, {} negative\n"
            "aggressive NSEC: {} records kept, {} denials answered from them\n",
            n(x, "secure"), n(x, "insecure"), n(x, "bogus"), n(x, "bogus_from_cache"), n(x, "key_fetches"),
            n(x, "key_cache_entries"), n(x, "trust_anchors"), n(x, "negative_trust_anchors"),
            n(x, "aggressive_records"), n(x, "synthesised_denials"));
        out += fmt::format("clock: {} ({})\n",
                           x.value("clock_trusted", false) ? "trusted" : "NOT TRUSTED, no AD",
                           x.value("clock_reason", std::string()));
    }
    if (auto rec = r.find("recursion"); rec != r.end() && rec->value("enabled", false)) {
        const json& x = *rec;
        std::uint64_t done = n(x, "answered") + n(x, "failed");
        out += fmt::format(
            "\nrecursion: {} resolutions ({} failed, {} hit a limit), {} queries sent ({:.2f} per "
            "resolution), "
            "{} timeouts, {} lame, {} TCP\n",
            done, n(x, "failed"), n(x, "limits_hit"), n(x, "queries"),
            done ? static_cast<double>(n(x, "queries")) / static_cast<double>(done) : 0.0, n(x, "timeouts"),
            n(x, "lame"), n(x, "tcp_queries"));
        const json& rc = x.at("record_cache");
        out += fmt::format("record cache: {} entries, {} KiB of {} KiB; infrastructure: {} servers\n",
                           n(rc, "entries"), n(rc, "bytes") / 1024, n(rc, "max_bytes") / 1024,
                           n(x.at("infra_cache"), "entries"));
        std::vector<std::vector<std::string>> servers;
        for (const auto& a : x.at("servers")) {
            if (servers.size() >= 10) break;
            servers.push_back(
                {a.at("address").get<std::string>(),
                 a.at("measured").get<bool>() ? fmt::format("{:.1f}", a.at("srtt_ms").get<double>())
                                              : std::string("-"),
                 std::to_string(n(a, "answers")), std::to_string(n(a, "timeouts")),
                 std::to_string(n(a, "failures")), std::string(a.at("held").get<bool>() ? "held" : "")});
        }
        if (!servers.empty())
            out += render_table({"AUTHORITY", "SRTT MS", "ANSWERS", "TIMEOUTS", "FAILURES", ""}, servers,
                                {false, true, true, true, true, false});
    }
    const json& h = r.at("dhcp");
    if (h.at("enabled").get<bool>()) {
        out += "\nDHCP\n";
        std::vector<std::vector<std::string>> m;
        for (const char* k :
             {"received", "discover", "request", "decline", "release", "inform", "offer", "ack", "nak",
              "pool_exhausted", "conflict_probes", "conflicts", "malformed", "dropped"})
            m.push_back({k, std::to_string(n(h, k))});
        out += render_table({"MESSAGES", "COUNT"}, m, {false, true});
        out += "\n" + subnet_table(h.at("subnets"));
    }
    // Only when something went wrong: caught exceptions and failed checks are bugs.
    if (r.contains("faults")) {
        const json& f = r.at("faults");
        std::vector<std::vector<std::string>> m;
        for (const auto& [site, count] : f.at("exceptions_caught").items())
            if (count.get<std::uint64_t>()) m.push_back({site, std::to_string(count.get<std::uint64_t>())});
        if (n(f, "checks_failed"))
            m.push_back({"internal checks failed", std::to_string(n(f, "checks_failed"))});
        if (!m.empty())
            out += "\nFAULTS (dropped, daemon carried on; please report)\n" +
                   render_table({"WHERE", "COUNT"}, m, {false, true});
    }
    return out;
}

std::string render_cache_dump(const json& r) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& e : r.at("entries")) {
        std::string data;
        for (const auto& a : e.at("answers")) {
            // "owner ttl class type data": show type and data only
            std::string line = a.get<std::string>();
            std::size_t pos = 0;
            for (int i = 0; i < 3 && pos != std::string::npos; ++i) pos = line.find(' ', pos + 1);
            data += (data.empty() ? "" : "; ") + (pos == std::string::npos ? line : line.substr(pos + 1));
        }
        std::string flags = e.at("dnssec_ok").get<bool>() ? "DO" : "";
        if (e.at("checking_disabled").get<bool>()) flags += flags.empty() ? "CD" : ",CD";
        rows.push_back({e.at("name").get<std::string>(), e.at("type").get<std::string>(),
                        std::to_string(e.at("ttl").get<long long>()), e.at("state").get<std::string>(),
                        e.at("rcode").get<std::string>(), e.at("group").get<std::string>(), flags,
                        e.value("dnssec", std::string("-")), data.empty() ? "-" : data});
    }
    std::sort(rows.begin(), rows.end());
    std::string out =
        render_table({"NAME", "TYPE", "TTL", "STATE", "RCODE", "GROUP", "FLAGS", "DNSSEC", "ANSWER"}, rows,
                     {false, false, true});
    auto total = r.at("total").get<std::uint64_t>(), shown = r.at("shown").get<std::uint64_t>();
    out += fmt::format("{} entr{}", total, total == 1 ? "y" : "ies");
    if (shown < total) out += fmt::format(", {} shown (--limit)", shown);
    return out + "\n";
}

std::string render_leases(const json& r) {
    if (!r.at("enabled").get<bool>()) return "DHCP is off (no [[dhcp.subnet]] in the configuration)\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& l : r.at("leases")) {
        auto left = l.at("expires_in_s").get<long long>();
        rows.push_back(
            {l.at("address").get<std::string>(), l.at("hardware").get<std::string>(),
             l.at("hostname").get<std::string>().empty() ? "-" : l.at("hostname").get<std::string>(),
             l.at("state").get<std::string>(), left > 0 ? human_duration(static_cast<double>(left)) : "-",
             l.at("subnet").get<std::string>()});
    }
    return render_table({"ADDRESS", "HARDWARE", "HOSTNAME", "STATE", "EXPIRES IN", "SUBNET"}, rows) +
           fmt::format("{} lease{}\n", rows.size(), rows.size() == 1 ? "" : "s");
}

std::string render_querylog(const json& r) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& q : r.at("records")) {
        auto ms = q.at("time_ms").get<std::int64_t>();
        std::time_t t = static_cast<std::time_t>(ms / 1000);
        std::tm tm{};
        localtime_r(&t, &tm);
        char when[32];
        std::strftime(when, sizeof when, "%H:%M:%S", &tm);
        std::string client = q.at("client").get<std::string>();
        if (auto name = q.at("client_name").get<std::string>(); !name.empty())
            client = fmt::format("{} ({})", name, client);
        rows.push_back({fmt::format("{}.{:03}", when, ms % 1000), client, q.at("name").get<std::string>(),
                        q.at("type").get<std::string>(), q.at("outcome").get<std::string>(),
                        q.at("rcode").get<std::string>(),
                        fmt::format("{:.2f}", q.at("answer_ms").get<double>()),
                        q.at("answer").get<std::string>()});
    }
    return render_table({"TIME", "CLIENT", "NAME", "TYPE", "OUTCOME", "RCODE", "MS", "ANSWER"}, rows,
                        {false, false, false, false, false, false, true}) +
           fmt::format("{} quer{}\n", rows.size(), rows.size() == 1 ? "y" : "ies");
}

std::string render_trace(const nlohmann::json& result) {
    std::string out;
    for (const auto& step : result.at("steps")) {
        out += fmt::format("{} {} {} {} -> {} {:.1f}ms\n", step.at("zone").get<std::string>(),
                           step.at("server").get<std::string>(), step.at("qname").get<std::string>(),
                           step.at("type").get<std::string>(), step.at("outcome").get<std::string>(),
                           step.at("rtt_ms").get<double>());
    }
    const auto& answers = result.at("answers");
    out += fmt::format("answer: {} {} record{}\n", result.at("rcode").get<std::string>(), answers.size(),
                       answers.size() == 1 ? "" : "s");
    for (const auto& a : answers) out += "  " + a.get<std::string>() + "\n";
    if (auto ede = result.find("ede"); ede != result.end())
        out += fmt::format("  extended error {}: {}\n", ede->at("code").get<int>(),
                           ede->at("text").get<std::string>());
    out += fmt::format("  {} queries sent\n", result.at("queries").get<unsigned>());
    if (auto sec = result.find("dnssec"); sec != result.end())
        out += fmt::format("dnssec: {} ({}; {} DS/DNSKEY fetches)\n", sec->value("status", std::string()),
                           sec->value("why", std::string()), sec->value("fetches", 0u));
    return out;
}

}  // namespace lanlord::ctl
