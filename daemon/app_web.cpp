// App as the web page's backend (the commands control_protocol.h adds for
// it): the query log, the dashboard, the page's lists and reservations, the
// configuration text, the password and the resolver comparison. Main thread.
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <ctime>
#include <mutex>

#include "common/io/interfaces.h"
#include "common/io/read_file.h"
#include "common/log.h"
#include "common/text.h"
#include "daemon/app.h"
#include "daemon/bench/bench_command.h"
#include "daemon/compose.h"
#include "daemon/control/query_log_json.h"
#include "daemon/control/status_json.h"
#include "daemon/secure_random.h"
#include "resolver/local/reverse_name.h"
#include "resolver/wire/dns_constants.h"

namespace lanlord {

// A comparison run from the page, on a thread of its own (it takes seconds).
struct App::BenchRun {
    std::mutex mu;
    std::string state = "running";  // running, done, failed
    std::string error;
    std::int64_t started_ms = 0;
    nlohmann::json results;
    std::string svg;
    std::vector<std::string> notes;
    std::atomic<bool> stop{false};
    std::thread thread;
    ~BenchRun() {
        stop = true;
        if (thread.joinable()) thread.join();
    }
};

namespace {

constexpr std::array<const char*, kQueryOutcomeCount> kOutcomeKeys = {
    "cached", "forwarded", "recursive", "local",   "blocked",
    "stale",  "failed",    "refused",   "invalid", "dropped"};

// A percentile from the answer-time histogram, interpolated inside its
// bucket (ms); null without answers.
nlohmann::json histogram_percentile(const LatencyHistogram& h, double q) {
    if (h.count() == 0) return nullptr;
    double want = q * static_cast<double>(h.count());
    double seen = 0, lower = 0;
    for (std::size_t i = 0; i < LatencyHistogram::kBuckets; ++i) {
        double n = static_cast<double>(h.bucket(i));
        double upper = i < LatencyHistogram::kBoundsUs.size() ? LatencyHistogram::kBoundsUs[i] : lower * 2;
        if (seen + n >= want && n > 0) return (lower + (upper - lower) * (want - seen) / n) / 1000.0;
        seen += n;
        lower = upper;
    }
    return lower / 1000.0;
}

}  // namespace

std::string App::client_name(const IpAddress& address) const {
    std::string reverse = reverse_name(address);
    if (auto target = dhcp_names_->reverse(reverse, Clock::now())) return name_to_display(*target);
    if (local_zone_) {
        LocalLookup found = local_zone_->find(reverse);
        if (const auto* records = found.records())
            for (const LocalRecord& r : *records)
                if (r.type == dns::type::PTR)
                    return name_to_display({reinterpret_cast<const char*>(r.rdata.data()), r.rdata.size()});
    }
    return "";
}

nlohmann::json App::querylog(const QueryLogFilter& filter, std::size_t limit) {
    if (!query_log_) return control_error("the query log is off ([querylog] size = 0)");
    QueryLogPage page = query_log_->newest(filter, limit);
    std::map<std::string, std::string> names;  // client address -> name, once per read
    nlohmann::json records = nlohmann::json::array();
    for (const QueryLogRecord& r : page.records) {
        std::string name;
        if (auto client = r.client_address()) {
            std::string key = client->to_string();
            auto it = names.find(key);
            if (it == names.end()) it = names.emplace(key, client_name(*client)).first;
            name = it->second;
        }
        records.push_back(query_log_record_json(r, name));
    }
    return control_ok(
        {{"records", std::move(records)},
         {"scanned", page.scanned},
         {"capacity", query_log_->capacity()},
         {"complete_since_ms", page.complete_since_ms == std::numeric_limits<std::int64_t>::min()
                                   ? nlohmann::json(nullptr)
                                   : nlohmann::json(page.complete_since_ms)}});
}

nlohmann::json App::dashboard() {
    DaemonSnapshot s = snapshot();
    std::int64_t now_ms = wall_ms_now();
    nlohmann::json out{{"now_ms", now_ms}, {"uptime_s", s.uptime_seconds}, {"version", s.version}};
    // 144 buckets of 10 minutes: the last 24 hours, oldest first.
    constexpr std::size_t kStep = 10;
    nlohmann::json series = nlohmann::json::array();
    std::array<std::uint64_t, kQueryOutcomeCount> totals{};
    if (query_log_) {
        auto minutes = query_log_->per_minute(now_ms, QueryLogRing::kMinutesKept);
        for (std::size_t i = 0; i < minutes.size(); i += kStep) {
            nlohmann::json bucket{{"start_ms", minutes[i].minute * 60000}};
            std::array<std::uint64_t, kQueryOutcomeCount> sum{};
            for (std::size_t j = i; j < i + kStep && j < minutes.size(); ++j)
                for (std::size_t o = 0; o < kQueryOutcomeCount; ++o) sum[o] += minutes[j].by_outcome[o];
            for (std::size_t o = 0; o < kQueryOutcomeCount; ++o) {
                bucket[kOutcomeKeys[o]] = sum[o];
                totals[o] += sum[o];
            }
            series.push_back(std::move(bucket));
        }
    }
    out["step_minutes"] = kStep;
    out["series"] = std::move(series);
    nlohmann::json total_json{{"queries", 0}};
    std::uint64_t all = 0;
    for (std::size_t o = 0; o < kQueryOutcomeCount; ++o) {
        total_json[kOutcomeKeys[o]] = totals[o];
        all += totals[o];
    }
    total_json["queries"] = all;
    out["totals"] = std::move(total_json);
    std::uint64_t lookups = s.dns.cache_hits + s.dns.cache_misses;
    out["hit_ratio"] =
        lookups ? nlohmann::json(static_cast<double>(s.dns.cache_hits) / static_cast<double>(lookups))
                : nlohmann::json(nullptr);
    out["latency_ms"] = {{"p50", histogram_percentile(s.dns.answer_latency, 0.5)},
                         {"p90", histogram_percentile(s.dns.answer_latency, 0.9)},
                         {"p99", histogram_percentile(s.dns.answer_latency, 0.99)}};
    nlohmann::json top_names = nlohmann::json::array(), top_blocked = nlohmann::json::array(),
                   top_clients = nlohmann::json::array();
    if (query_log_) {
        QueryLogTops tops = query_log_->tops(10);
        for (const auto& n : tops.names)
            top_names.push_back(
                {{"name", (n.truncated ? "..." : "") + name_to_display(n.name)}, {"count", n.count}});
        for (const auto& n : tops.blocked_names)
            top_blocked.push_back(
                {{"name", (n.truncated ? "..." : "") + name_to_display(n.name)}, {"count", n.count}});
        for (const auto& c : tops.clients)
            top_clients.push_back(
                {{"client", c.client.to_string()}, {"name", client_name(c.client)}, {"count", c.count}});
    }
    out["top_names"] = std::move(top_names);
    out["top_blocked"] = std::move(top_blocked);
    out["top_clients"] = std::move(top_clients);
    nlohmann::json upstreams = nlohmann::json::array();
    for (std::size_t i = 0; i < s.upstreams.size(); ++i) {
        const GroupSnapshot& g = s.upstreams[i];
        bool recursive = i < config_.upstreams.size() && config_.upstreams[i].recursive;
        nlohmann::json servers = nlohmann::json::array();
        for (const ServerSnapshot& x : g.servers)
            servers.push_back({{"address", x.address},
                               {"state", x.state},
                               {"srtt_ms", x.srtt_ms},
                               {"queries", x.queries},
                               {"failures", x.failures + x.timeouts}});
        upstreams.push_back({{"group", g.name}, {"recursive", recursive}, {"servers", std::move(servers)}});
    }
    out["upstreams"] = std::move(upstreams);
    nlohmann::json subnets = nlohmann::json::array();
    for (const SubnetSnapshot& n : s.subnets)
        subnets.push_back({{"subnet", n.subnet},
                           {"interface", n.interface},
                           {"pool_size", n.pool_size},
                           {"active_leases", n.active_leases},
                           {"reservations", n.reservations}});
    out["dhcp"] = {{"enabled", s.dhcp_enabled}, {"subnets", std::move(subnets)}};
    out["cache"] = {{"entries", s.cache.entries}, {"max_entries", s.cache_max_entries}};
    out["privacy"] =
        query_log_ ? std::string(privacy_name(query_log_->ring(0).privacy())) : std::string("off");
    return control_ok(std::move(out));
}

void App::apply_page_lists() {
    auto lists = std::make_shared<Blocklist>();
    for (const auto& w : page_state_->blocked()) lists->blocked().insert(w);
    for (const auto& w : page_state_->allowed()) lists->allowed().insert(w);
    std::shared_ptr<const Blocklist> shared =
        page_state_->blocked().empty() && page_state_->allowed().empty() ? nullptr : std::move(lists);
    dns_->each([shared](DnsService& d) { d.engine().set_page_lists(shared); });
}

nlohmann::json App::lists() {
    nlohmann::json files = nlohmann::json::array();
    for (const auto& [path, count] : blocklist_load_.per_file)
        files.push_back({{"path", path}, {"domains", count}});
    auto texts = [](const std::vector<std::string>& wires) {
        nlohmann::json a = nlohmann::json::array();
        for (const auto& w : wires) a.push_back(name_to_display(w));
        return a;
    };
    return control_ok(
        {{"files", std::move(files)},
         {"domains", blocklist_load_.domains},
         {"skipped", blocklist_load_.skipped},
         {"load_seconds", blocklist_load_.seconds},
         {"loaded_at_ms", blocklist_loaded_ms_ ? nlohmann::json(blocklist_loaded_ms_) : nullptr},
         {"blocked_by_web", texts(page_state_->blocked())},
         {"allowed_by_web", texts(page_state_->allowed())},
         {"allowed_by_config", texts(config_.blocklist.allow)},
         {"state_directory", state_directory()}});
}

nlohmann::json App::change_domain(const std::string& wire_name, DomainAction action) {
    if (auto err = page_state_->change_domain(wire_name, action); !err.empty())
        return control_error("cannot save the page's lists: " + err);
    apply_page_lists();
    spdlog::info("web: {} {}",
                 action == DomainAction::block   ? "blocked"
                 : action == DomainAction::allow ? "allowed"
                                                 : "removed from the page's lists:",
                 name_to_display(wire_name));
    return lists();
}

DhcpConfig App::dhcp_config() const {
    DhcpConfig d = config_.dhcp;
    for (const PageReservation& r : page_state_->reservations()) {
        // A reservation in the configuration file wins over one made from the page.
        bool taken = std::any_of(config_.dhcp.server.reservations.begin(),
                                 config_.dhcp.server.reservations.end(), [&](const dhcp::Reservation& c) {
                                     return c.address == r.address ||
                                            (!c.hardware.empty() && c.hardware == r.hardware);
                                 });
        if (!taken) d.server.reservations.push_back(to_dhcp_reservation(r));
    }
    return d;
}

nlohmann::json App::reserve_lease(const IpAddress& address) {
    if (!dhcp_) return control_error("the DHCP server is off");
    const auto& all = dhcp_->store().all();
    auto it = all.find(address);
    if (it == all.end()) return control_error("no lease for " + address.to_string());
    const auto& lease = it->second;
    if (lease.hardware.empty()) return control_error("the lease has no hardware address to reserve it for");
    for (const auto& c : config_.dhcp.server.reservations)
        if (c.address == address || (!c.hardware.empty() && c.hardware == lease.hardware))
            return control_error("the configuration file already reserves this address or device");
    PageReservation r{lease.hardware, address, lease.hostname};
    if (auto err = page_state_->add_reservation(r); !err.empty())
        return control_error("cannot save the reservation: " + err);
    dhcp_->reconfigure(dhcp_config(), io::read_interfaces());
    spdlog::info("web: {} reserved for {} ({})", address.to_string(), to_hex(lease.hardware, ':'),
                 lease.hostname);
    return control_ok({{"reservation",
                        {{"address", address.to_string()},
                         {"hardware", to_hex(lease.hardware, ':')},
                         {"hostname", lease.hostname},
                         {"source", "web"}}}});
}

nlohmann::json App::config_text() {
    if (config_path_.empty())
        return control_ok(
            {{"file", "<built-in>"},
             {"text", "# lanlord runs on its built-in default configuration (no --config).\n"}});
    auto text = io::read_file(config_path_);
    if (!text) return control_error("cannot read " + config_path_);
    return control_ok({{"file", config_path_}, {"text", *text}});
}

nlohmann::json App::set_web_password(const std::string& hash) {
    if (auto err = page_state_->set_password_hash(hash); !err.empty())
        return control_error("cannot save the password: " + err);
    if (web_api_) web_api_->end_sessions();
    spdlog::info("web: password set ({}); every session ended", page_state_->path("web-password"));
    return control_ok({{"saved", page_state_->path("web-password")}, {"listening", web_ != nullptr}});
}

nlohmann::json App::bench_state() {
    if (!bench_) return control_ok({{"state", "idle"}});
    std::lock_guard lock(bench_->mu);
    nlohmann::json r{{"state", bench_->state},
                     {"error", bench_->error},
                     {"started_ms", bench_->started_ms},
                     {"notes", bench_->notes},
                     {"results", bench_->results.is_null() ? nlohmann::json::array() : bench_->results}};
    if (bench_->state == "done") {
        r["chart"] = "/api/bench/chart.svg";
        r["svg"] = bench_->svg;
    }
    return control_ok(std::move(r));
}

nlohmann::json App::bench_start(const std::vector<std::string>& servers, bool upstreams) {
    if (bench_) {
        std::lock_guard lock(bench_->mu);
        if (bench_->state == "running") {
            auto reply = control_error("a comparison is already running");
            reply["conflict"] = true;
            return reply;
        }
    }
    bench::Options o;
    // A quicker run than lanlordctl's default (5 q/s, 100 per phase): the
    // page waits for it.
    o.settings.rate = 20;
    o.settings.count = 40;
    o.progress = false;
    o.upstreams = upstreams;
    for (const auto& text : servers)
        if (auto ep = Endpoint::parse(text, 53)) o.servers.push_back({text, *ep});
    if (!dns_->main().listening().empty()) o.self = dns_->main().listening().front();
    if (o.servers.empty() && !o.upstreams && !o.self)
        return control_error("nothing to compare: give servers");
    bench_.reset();  // joins the last run's thread (long finished)
    auto run = std::make_shared<BenchRun>();
    run->started_ms = wall_ms_now();
    bench_ = run;
    Config config = config_;
    run->thread = std::thread([run, o, config] {
        std::string error;
        std::vector<std::string> notes;
        std::optional<bench::BenchOutcome> outcome;
        try {
            outcome = bench::run_bench(
                o, config, {}, [&run] { return run->stop.load(); },
                [&notes](const std::string& n) { notes.push_back(n); }, error);
        } catch (const std::exception& e) {
            error = std::string("internal error: ") + e.what();
        }
        std::lock_guard lock(run->mu);
        run->notes = notes;
        if (!outcome) {
            run->state = "failed";
            run->error = error;
            return;
        }
        nlohmann::json report =
            nlohmann::json::parse(bench::format_json(outcome->results, outcome->meta), nullptr, false);
        nlohmann::json results = nlohmann::json::array();
        if (report.is_object() && report.contains("targets"))
            for (const auto& t : report["targets"])
                results.push_back(
                    {{"name", t.value("name", "")},
                     {"address", t.value("address", "") + ":" + std::to_string(t.value("port", 53))},
                     {"cached_p50_ms", t["cached"].value("p50_ms", nlohmann::json(nullptr))},
                     {"uncached_p50_ms", t["uncached"].value("p50_ms", nlohmann::json(nullptr))},
                     {"answered", t["cached"].value("answered", 0) + t["uncached"].value("answered", 0)},
                     {"sent", t["cached"].value("sent", 0) + t["uncached"].value("sent", 0)}});
        run->results = std::move(results);
        run->svg = bench::format_svg(outcome->results, outcome->meta);
        run->state = "done";
    });
    spdlog::info("web: resolver comparison started ({} servers{})", o.servers.size(),
                 upstreams ? ", upstreams" : "");
    return control_ok({{"state", "running"}});
}

// The web listener and its API, before privileges are dropped.
std::string App::open_web() {
    if (!config_.web.listen) return "";
    web_api_ = std::make_unique<WebApi>(
        static_cast<ControlBackend&>(*this), [this] { return page_state_->password_hash(); },
        [random = std::make_shared<SecureRandom>()](std::span<std::uint8_t> out) {
            for (std::size_t i = 0; i < out.size(); i += 8) {  // the kernel's CSPRNG, 4 KiB at a time
                std::uint64_t v = (*random)();
                std::memcpy(out.data() + i, &v, std::min<std::size_t>(8, out.size() - i));
            }
        },
        config_.web.session_timeout);
    web_api_->set_privacy_source([this] {
        return query_log_ ? std::string(privacy_name(query_log_->ring(0).privacy())) : std::string("off");
    });
    web_ = std::make_unique<WebServer>(io_, *web_api_);
    if (auto err = web_->open(*config_.web.listen); !err.empty()) return "web: " + err;
    spdlog::info(
        "web page on http://{}/{}", config_.web.listen->to_string(),
        page_state_->password_hash().empty() ? " (no password yet: run lanlordctl web-password)" : "");
    return "";
}

}  // namespace lanlord
