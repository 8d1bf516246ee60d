// App as the control socket's and /metrics' backend: what `lanlordctl` asks,
// answered from the running daemon on the main thread.
#include <fmt/format.h>

#include <algorithm>
#include <ctime>

#include "common/log.h"
#include "common/text.h"
#include "daemon/app.h"
#include "daemon/compose.h"
#include "resolver/dnssec/canonical_name.h"
#include "resolver/wire/answer_text.h"
#include "resolver/wire/dns_constants.h"

namespace lanlord {

namespace {

std::string mac_text(const std::vector<std::uint8_t>& hw) {
    return to_hex(hw, ':');
}

ServerSnapshot server_snapshot(const UpstreamGroup& g, std::size_t i, const ServerHealth& h, TimePoint now) {
    using Ms = std::chrono::duration<double, std::milli>;
    ServerSnapshot s;
    s.address = h.endpoint.to_string();
    s.from_resolv_conf = h.from_resolv_conf;
    s.srtt_ms = Ms(h.srtt).count();
    s.rto_ms = Ms(g.rto(i)).count();
    s.consecutive_failures = h.consecutive_failures;
    s.queries = h.queries;
    s.answers = h.answers;
    s.failures = h.failures;
    s.timeouts = h.timeouts;
    s.rtt = h.rtt_histogram;
    if (h.tls && h.tls_stats) {
        const TlsServerStats& t = *h.tls_stats;
        auto texts = t.texts();
        auto get = [](const std::atomic<std::uint64_t>& v) { return v.load(std::memory_order_relaxed); };
        s.tls = TlsSnapshot{h.tls->name,
                            texts.version,
                            texts.last_error,
                            t.verified.load(std::memory_order_relaxed),
                            t.open_connections.load(std::memory_order_relaxed),
                            get(t.connections_opened),
                            get(t.handshakes),
                            get(t.resumed),
                            get(t.handshake_failures),
                            get(t.queries),
                            get(t.answers),
                            get(t.retried),
                            get(t.failed)};
        s.address = "tls://" + s.address + (h.tls->name.empty() ? "" : "#" + h.tls->name);
    }
    if (h.backoff_until > now) {
        s.state = "backed-off";
        s.backoff_left_s = std::chrono::duration<double>(h.backoff_until - now).count();
    } else {
        s.state = h.srtt == Duration::zero() ? "untested" : "up";
    }
    return s;
}

}  // namespace

DaemonSnapshot App::snapshot() {
    TimePoint now = Clock::now();
    DaemonSnapshot s;
    s.version = LANLORD_VERSION;
    s.config_file = config_path_.empty() ? std::string("<built-in>") : config_path_;
    auto level = spdlog::level::to_string_view(spdlog::get_level());
    s.log_level.assign(level.data(), level.size());
    s.uptime_seconds = std::chrono::duration<double>(now - started_).count();
    s.threads = static_cast<unsigned>(dns_->size());
    for (const auto& ep : dns_->main().listening()) s.listeners.push_back(ep.to_string());
    s.dns = dns_->stats();
    for (std::size_t i = 0; i < kFaultSiteCount; ++i)
        s.faults_caught[i] = fault_counters().caught[i].load(std::memory_order_relaxed);
    s.checks_failed = fault_counters().checks_failed.load(std::memory_order_relaxed);
    s.cache = cache_->stats();
    s.cache_max_entries = config_.cache.size;
    s.cache_max_bytes = config_.cache.max_memory;
    if (dnssec_ && ((any_recursive(config_) && config_.dnssec.validate) ||
                    (any_forwarding(config_) && config_.dnssec.validate_forwarded))) {
        DnssecSnapshot& d = s.dnssec;
        d.enabled = true;
        d.clock_trusted = dnssec_->clock_trusted();
        d.clock_reason = dnssec_->clock_reason();
        d.timestamp_file = dnssec_->timestamp_path();
        d.anchors = dnssec_->anchors();
        d.key_cache_entries = dnssec_->key_cache_entries();
        d.aggressive_records = dnssec_->aggressive_records();
        if (anchor_updater_ && anchor_updater_->rollover()) {
            const AnchorRollover& r = *anchor_updater_->rollover();
            d.anchor_state_file = anchor_updater_->state_path();
            d.anchor_save_error = anchor_updater_->last_error();
            for (const TrackedKey& k : r.keys())
                d.anchor_keys.push_back(
                    fmt::format("{} {}{}", k.key_tag, key_state_name(k.state),
                                k.hold_down_end ? fmt::format(" until {}", k.hold_down_end) : std::string()));
            for (std::size_t i = 0; i < r.pending_ds().size(); ++i)
                d.anchor_keys.push_back("DS waiting for its key");
            d.anchor_last_query = r.last_query();
            d.anchor_next_query = r.next_query_time(std::time(nullptr));
            d.anchor_failures = r.failures();
        }
        d.negative_trust_anchors = config_.dnssec.negative_trust_anchors.size();
    }
    if (any_recursive(config_) && recursion_caches_.records && recursion_caches_.infra) {
        RecursionSnapshot& r = s.recursion;
        r.enabled = true;
        r.records = recursion_caches_.records->stats();
        r.records_max_bytes = recursion_caches_.records->max_bytes();
        const InfraCache& infra = *recursion_caches_.infra;
        r.infra_entries = infra.size();
        r.infra_max_entries = infra.max_entries();
        auto servers = infra.report();
        auto used = [](const ServerReport& x) {
            return x.state.answers + x.state.timeouts + x.state.failures;
        };
        std::size_t keep = std::min(servers.size(), RecursionSnapshot::kMaxAuthorities);
        std::partial_sort(servers.begin(), servers.begin() + static_cast<std::ptrdiff_t>(keep), servers.end(),
                          [&](const ServerReport& a, const ServerReport& b) { return used(a) > used(b); });
        using Ms = std::chrono::duration<double, std::milli>;
        for (std::size_t i = 0; i < keep; ++i) {
            const ServerReport& x = servers[i];
            r.servers.push_back({x.address.to_string(), Ms(x.state.srtt).count(),
                                 Ms(infra.rto(x.address, now)).count(), x.state.measured,
                                 x.state.held_until > now, x.state.no_edns, x.state.no_0x20, x.state.answers,
                                 x.state.timeouts, x.state.failures});
        }
    }
    for (const auto& g : dns_->main().engine().groups()) {
        GroupSnapshot gs;
        gs.name = g->name();
        gs.interface = g->egress_interface();
        for (const auto& cfg : config_.upstreams)
            if (cfg.name == g->name()) gs.domains = cfg.domains_text;
        auto servers = g->servers();
        for (std::size_t i = 0; i < servers.size(); ++i)
            gs.servers.push_back(server_snapshot(*g, i, servers[i], now));
        s.upstreams.push_back(std::move(gs));
    }
    if (dhcp_) {
        s.dhcp_enabled = true;
        s.dhcp = dhcp_->stats();
        std::int64_t wall = std::time(nullptr);
        const auto& store = dhcp_->store();
        const auto& settings = dhcp_->settings();
        for (const auto& [address, lease] : store.all())
            if (lease.expires > wall) ++s.leases_total;
        for (const auto& subnet : settings.subnets) {
            SubnetSnapshot n;
            n.interface = subnet.interface;
            n.subnet = subnet.subnet.to_string();
            for (const auto& pool : subnet.pools) {
                n.pool_size += pool.size();
                n.active_leases += store.active(pool, wall);
            }
            for (const auto& [address, lease] : store.all())
                if (lease.expires > wall && subnet.subnet.contains(address)) ++n.leases;
            for (const auto& r : settings.reservations)
                if (subnet.subnet.contains(r.address)) ++n.reservations;
            s.subnets.push_back(std::move(n));
        }
    }
    return s;
}

// The security status of a cached answer and why, for the cache dump: the
// AD bit stored with it says secure (validated, dates checked); otherwise
// the group's setting, the client's CD, a negative trust anchor, the clock,
// or the key cache's proof of an insecure zone above the name say why not.
std::string App::cached_security(std::string_view name, std::span<const std::uint8_t> stored, bool cd,
                                 bool validating_group, TimePoint now) const {
    if (stored.size() > 3 && (stored[3] & dns::flag::AD)) return "secure";
    if (cd) return "not validated: the client set CD";
    if (!validating_group || !dnssec_) return "not validated: validation is off for this group";
    for (const std::string& nta : config_.dnssec.negative_trust_anchors)
        if (name_is_under(name, nta)) return "insecure: negative trust anchor " + name_to_text(nta);
    if (!dnssec_->clock_trusted()) return "no AD: the clock is not trusted";
    if (auto keys = dnssec_->key_cache())
        for (std::string_view n = name;; n = name_parent(n)) {
            if (auto e = keys->lookup(n, now); e && e->kind == ZoneKeyEntry::Kind::insecure)
                return fmt::format("insecure: {} ({})", e->verdict.reason, name_to_text(n));
            if (n.size() <= 1) break;
        }
    return "insecure";
}

nlohmann::json App::cache_dump(const std::optional<std::string>& wire_name, std::size_t limit) {
    TimePoint now = Clock::now();
    std::map<std::uint16_t, std::string> group_names;
    std::map<std::uint16_t, bool> group_validates;
    for (const auto& g : dns_->main().engine().groups()) {
        group_names[g->cache_tag()] = g->name();
        for (const auto& u : config_.upstreams)
            if (u.name == g->name())
                group_validates[g->cache_tag()] =
                    config_.dnssec.validate && (u.recursive || config_.dnssec.validate_forwarded);
    }
    nlohmann::json entries = nlohmann::json::array();
    std::size_t total = 0;
    cache_->for_each(now, [&](std::string_view key, std::span<const std::uint8_t> stored,
                              long long ttl_left) {
        if (wire_name && (key.size() < wire_name->size() || key.substr(0, wire_name->size()) != *wire_name))
            return;
        auto fields = decode_cache_key(key);
        if (!fields) return;
        // The name is self-delimiting: a prefix match on a whole name is that name.
        ++total;
        if (entries.size() >= limit) return;
        AnswerText answer = describe_answer(stored);
        auto group = group_names.find(fields->group_tag);
        entries.push_back(
            {{"name", fields->name},
             {"type", type_to_text(fields->qtype)},
             {"class", fields->qclass == 1 ? std::string("IN") : fmt::format("CLASS{}", fields->qclass)},
             {"dnssec_ok", fields->dnssec_ok},
             {"checking_disabled", fields->checking_disabled},
             {"group", group != group_names.end() ? group->second : std::string("?")},
             {"ttl", ttl_left},
             {"state", ttl_left > 0 ? "fresh" : "stale"},
             {"rcode", rcode_to_text(answer.rcode)},
             {"answers", answer.answers},
             {"dnssec", cached_security(key.substr(0, key.size() - 7), stored, fields->checking_disabled,
                                        group_validates[fields->group_tag], now)}});
    });
    return {{"total", total}, {"shown", entries.size()}, {"entries", std::move(entries)}};
}

std::size_t App::cache_flush(const std::optional<std::string>& wire_name) {
    std::size_t n = wire_name ? cache_->flush_name(*wire_name) : cache_->flush();
    spdlog::info("control: cache flushed{} ({} entries)", wire_name ? " for " + name_to_text(*wire_name) : "",
                 n);
    return n;
}

nlohmann::json App::leases() {
    nlohmann::json out = nlohmann::json::array();
    if (!dhcp_) return {{"enabled", false}, {"leases", out}};
    std::int64_t wall = std::time(nullptr);
    const auto& settings = dhcp_->settings();
    for (const auto& [address, lease] : dhcp_->store().all()) {
        std::string subnet;
        for (const auto& s : settings.subnets)
            if (s.subnet.contains(address)) subnet = s.subnet.to_string();
        bool reserved = false;  // (a structured binding cannot be captured by a lambda in C++20's clang)
        for (const auto& r : settings.reservations) reserved = reserved || r.address == address;
        out.push_back({{"address", address.to_string()},
                       {"hardware", mac_text(lease.hardware)},
                       {"client_id", to_hex(lease.client_id)},
                       {"hostname", lease.hostname},
                       {"subnet", subnet},
                       {"expires", lease.expires},
                       {"expires_in_s", lease.expires - wall},
                       {"state", lease.expires > wall ? "active" : "expired"},
                       {"reserved", reserved}});
    }
    // Reservations: the configuration's and the page's (web-reservations.json).
    nlohmann::json reservations = nlohmann::json::array();
    for (const auto& r : settings.reservations) {
        bool from_page = std::any_of(page_state_->reservations().begin(), page_state_->reservations().end(),
                                     [&](const PageReservation& p) { return p.address == r.address; });
        reservations.push_back({{"address", r.address.to_string()},
                                {"hardware", mac_text(r.hardware)},
                                {"client_id", to_hex(r.client_id)},
                                {"hostname", r.hostname},
                                {"source", from_page ? "web" : "config"}});
    }
    return {{"enabled", true}, {"leases", out}, {"reservations", std::move(reservations)}};
}

std::vector<std::string> App::reload() {
    return reload_config("control");
}

// The steps as lanlordctl prints them (render_trace), the answer as text.
void App::trace(const std::string& wire_name, std::uint16_t qtype,
                std::function<void(nlohmann::json reply)> done) {
    auto on_result = [done](const RecursionResult& r) {
        using Ms = std::chrono::duration<double, std::milli>;
        nlohmann::json steps = nlohmann::json::array();
        for (const TraceStep& s : r.trace)
            steps.push_back({{"zone", s.zone},
                             {"server", s.server.to_string()},
                             {"qname", s.qname},
                             {"type", type_to_text(s.qtype)},
                             {"tcp", s.tcp},
                             {"outcome", s.outcome},
                             {"rtt_ms", Ms(s.rtt).count()}});
        nlohmann::json result{{"steps", std::move(steps)}, {"queries", r.queries}, {"resolved", r.ok}};
        if (r.ok && r.message.size() >= 12) {
            AnswerText text = describe_answer(r.message);
            result["rcode"] = rcode_to_text(text.rcode);
            result["answers"] = text.answers;
        } else {
            result["rcode"] = "SERVFAIL";
            result["answers"] = nlohmann::json::array();
            result["ede"] = {{"code", r.ede_code}, {"text", r.ede_text}};
        }
        if (!r.dnssec.empty())
            result["dnssec"] = {{"status", r.dnssec}, {"why", r.dnssec_why}, {"fetches", r.dnssec_fetches}};
        done({{"ok", true}, {"result", std::move(result)}});
    };
    if (!dns_->main().start_trace(wire_name, qtype, on_result))
        done({{"ok", false}, {"error", "no upstream group is recursive: nothing to trace"}});
}

void App::set_log_level(const std::string& level) {
    // Kept across SIGHUP like --log-level, until the next restart.
    log_level_override_ = level;
    if (auto l = parse_log_level(level)) spdlog::set_level(*l);
    spdlog::info("control: log level set to {}", level);
}

}  // namespace lanlord
