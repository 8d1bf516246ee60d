#include "daemon/app.h"

#include <signal.h>
#include <unistd.h>

#include "common/io/host_name.h"
#include "common/io/interfaces.h"
#include "common/io/ipv6_route.h"
#include "common/io/port_owner.h"
#include "common/io/privileges.h"
#include "common/io/read_file.h"
#include "common/io/run_loop.h"
#include "common/io/socket_activation.h"
#include "common/io/systemd_notify.h"
#include "common/log.h"
#include "common/text.h"
#include "daemon/compose.h"

#include <ctime>
#include "daemon/local_data.h"
#include "resolver/engine/resolv_conf.h"
#include "resolver/local/hosts_table.h"
#include "resolver/wire/dns_constants.h"

#include <boost/asio/post.hpp>
#include <filesystem>

namespace lanlord {

App::App(Config config, std::string config_path, std::string log_level_override)
    : config_(std::move(config)),
      config_path_(std::move(config_path)),
      log_level_override_(std::move(log_level_override)),
      signals_(io_, SIGHUP, SIGTERM, SIGINT),
      watchdog_(io_),
      started_(Clock::now()) {
    signals_.add(SIGUSR2);
    cache_ = std::make_unique<PacketCache>(cache_limits(config_));
    unsigned threads = config_.threads ? config_.threads : std::max(1u, std::thread::hardware_concurrency());
    dns_ = std::make_unique<DnsWorkers>(io_, *cache_, threads);
    watcher_ = std::make_unique<io::FileWatcher>(io_, [this](const std::string& path) {
        guarded(FaultSite::daemon_event, [&] { on_file_changed(path); });
    });
    dns_->each([names = dhcp_names_](DnsService& d) { d.engine().set_dhcp_names(names); });
    // One ring per DNS worker, set before their threads start (never changed
    // after: a new [querylog] size takes a restart).
    if (config_.querylog.size > 0) {
        query_log_ = std::make_unique<QueryLog>(config_.querylog.size, dns_->size(),
                                                query_log_privacy(config_.querylog.privacy));
        for (std::size_t i = 0; i < dns_->size(); ++i) dns_->worker(i).set_query_log(&query_log_->ring(i));
    }
    page_state_ = std::make_unique<PageState>(state_directory());
    page_state_->load();  // before apply() and the DHCP server use it
}

void App::on_file_changed(const std::string& path) {
    auto in = [&](const std::vector<std::string>& list) {
        return std::find(list.begin(), list.end(), path) != list.end();
    };
    if (in(config_.local.hosts) || in(expand_paths(config_.local.hosts))) {
        spdlog::info("{} changed: reloading local names", path);
        load_local_zone();
    }
    if (in(config_.blocklist.files) || in(config_.blocklist.allow_files)) {
        spdlog::info("{} changed: reloading blocklists", path);
        load_blocklists();
    }
    load_resolv_conf(path);  // no-op unless a group reads it
}

App::~App() {
    if (blocklist_loader_.joinable()) blocklist_loader_.join();
    dns_->stop();
}

// What `systemctl status lanlord` shows (sd_notify STATUS=), refreshed at
// every watchdog ping: "answering on 3 addresses, 12,345 names cached, 41
// leases, 1 upstream group with 2 servers, 2 threads".
std::string App::status_line() const {
    std::size_t servers = 0;
    const ResolverEngine& engine = dns_->main().engine();
    for (const auto& g : engine.groups()) servers += g->servers().size();
    std::size_t addresses = dns_->main().listening().size(), groups = engine.groups().size();
    std::string leases;
    if (dhcp_) {
        std::int64_t wall = std::time(nullptr);
        std::size_t n = 0;
        for (const auto& [address, lease] : dhcp_->store().all())
            if (lease.expires > wall) ++n;
        leases = fmt::format(", {} lease{}", group_digits(n), n == 1 ? "" : "s");
    }
    return fmt::format(
        "answering on {} address{}, {} names cached{}, {} upstream group{} with {} server{}, {} thread{}",
        addresses, addresses == 1 ? "" : "es", group_digits(cache_->stats().entries), leases, groups,
        groups == 1 ? "" : "s", servers, servers == 1 ? "" : "s", dns_->size(), dns_->size() == 1 ? "" : "s");
}

int App::run() {
    interface_monitor_ = std::make_unique<io::InterfaceMonitor>(
        io_, [this](const InterfaceTable& changed) { set_interfaces(changed); },
        [this](const std::string& why) {
            interfaces_unfollowed(why);
            // Whatever changed while events were lost; a failed read keeps the old table.
            if (auto table = io::try_read_interfaces()) set_interfaces(*table);
        });
    // Subscribed before the table is first read: no change in between is missed.
    std::string unfollowed = interface_monitor_->start();
    InterfaceTable interfaces = interface_monitor_->current();
    if (!unfollowed.empty()) interfaces_unfollowed(unfollowed);
    auto endpoints = listen_endpoints(config_, interfaces);
    if (endpoints.empty()) {
        spdlog::critical("no address to listen on (dns.listen and dns.interfaces gave none)");
        return 1;
    }
    // Socket activation (contrib/lanlord.socket): systemd's sockets serve the
    // addresses they are bound to; the configuration still says which.
    std::vector<std::string> ignored;
    std::vector<InheritedListener> inherited;
    for (const auto& s : io::inherited_sockets(ignored)) inherited.push_back({s.fd, s.local, s.tcp});
    for (const auto& why : ignored) spdlog::warn("socket from systemd ignored: {}", why);
    std::size_t handed = inherited.size();
    if (auto err = dns_->listen(endpoints, &inherited); !err.empty()) {
        spdlog::critical("cannot listen: {}", err);
        // Say who holds the port and what to change (systemd-resolved's stub listener, most often).
        if (err.find("in use") != std::string::npos)
            for (const auto& ep : endpoints)
                if (auto owner = io::port_owner(ep); !owner.empty()) {
                    spdlog::critical("{}", owner);
                    break;
                }
        return 1;
    }
    for (const auto& ep : endpoints) spdlog::info("listening on {} (UDP and TCP)", ep.to_string());
    if (auto err = open_tls_listeners(); !err.empty()) {
        spdlog::critical("cannot listen: {}", err);
        return 1;
    }
    if (handed) spdlog::info("{} of the {} sockets from systemd in use", handed - inherited.size(), handed);
    for (const auto& s : inherited) {
        spdlog::warn("socket from systemd for {}/{} is not in [dns] listen or interfaces: closed",
                     s.local.to_string(), s.tcp ? "tcp" : "udp");
        ::close(s.fd);
    }
    dns_->each([interfaces](DnsService& d) { d.engine().set_interfaces(interfaces); });
    if (auto err = load_root_hints(config_, root_hints_); !err.empty()) {
        spdlog::critical("{}", err);
        return 1;
    }
    if (auto err = DnssecSetup::load_anchors(config_.dnssec, trust_anchors_); !err.empty()) {
        spdlog::critical("dnssec.trust_anchor_file: {}", err);
        return 1;
    }
    apply(config_, true);
    if (config_.dhcp.enabled()) {
        // The journal is replayed here: READY=1 comes only after every lease is back.
        dhcp_ = std::make_unique<DhcpService>(io_, dhcp_names_);
        if (auto err = dhcp_->start(dhcp_config(), interfaces); !err.empty()) {
            spdlog::critical("cannot start the DHCP server: {}", err);
            return 1;
        }
    }
    if (auto err = open_control(); !err.empty()) {
        spdlog::critical("{}", err);
        return 1;
    }
    // Every socket is bound (DNS, DHCP, control) and the journal is open: drop root.
    if (auto err = io::drop_privileges(config_.user); !err.empty()) {
        spdlog::critical("cannot drop privileges to '{}': {}", config_.user, err);
        return 1;
    }
    if (!config_.user.empty()) spdlog::info("running as user {}", config_.user);
    dns_->start();
    on_signal();
    auto startup_ms = std::chrono::duration_cast<milliseconds>(Clock::now() - started_).count();
    spdlog::info("lanlord {} ready in {} ms ({})", LANLORD_VERSION, startup_ms, config_.source);
    io::notify_ready(status_line());
    if (auto interval = io::watchdog_ping_interval()) {  // pings only once READY=1 was sent
        watchdog_interval_ = *interval;
        arm_watchdog();
    }
    io::run_guarded(io_);
    return exit_code_;
}

void App::apply(const Config& config, bool initial) {
    const std::string& level_name = log_level_override_.empty() ? config.log_level : log_level_override_;
    if (auto level = parse_log_level(level_name)) spdlog::set_level(*level);
    cache_->set_limits(cache_limits(config), Clock::now());
    EngineSettings settings = engine_settings(config, io::host_name());
    if (any_recursive(config)) {
        // Made once, shared by every thread; a new size makes new ones.
        const RecursionConfig& r = config.recursion;
        if (!recursion_caches_.records || recursion_caches_.records->max_bytes() != r.cache_memory)
            recursion_caches_.records = std::make_shared<RecordCache>(r.cache_memory);
        if (!recursion_caches_.infra || recursion_caches_.infra->max_entries() != r.infra_cache_size)
            recursion_caches_.infra = std::make_shared<InfraCache>(r.infra_cache_size);
        bool ipv6 = io::ipv6_routable();
        settings.recursion = recursion_settings(config, root_hints_, ipv6, dns_->main().listening());
        settings.recursion_caches = recursion_caches_;
        spdlog::info("recursive mode: {} root servers ({}), IPv6 {}, QNAME minimisation {}, 0x20 {}",
                     root_hints_.servers.size(), r.root_hints.empty() ? "built in" : r.root_hints,
                     settings.recursion.addresses.ipv6 ? "on" : "off", r.qname_minimisation ? "on" : "off",
                     r.case_randomisation ? "on" : "off");
    }
    if (bool recursive = any_recursive(config) && config.dnssec.validate,
        forwarding = any_forwarding(config) && config.dnssec.validate_forwarded;
        recursive || forwarding) {
        if (!dnssec_)
            dnssec_ = std::make_unique<DnssecSetup>(io_, [this] {
                spdlog::info("DNSSEC: answer cache flushed ({} entries): they were validated without dates",
                             cache_->flush());
            });
        std::shared_ptr<const TrustAnchors> anchors = trust_anchors_;
        if (recursive && config.dnssec.rfc5011) {
            if (!anchor_updater_)
                anchor_updater_ = std::make_unique<AnchorUpdater>(
                    io_,
                    [this](AnchorUpdater::Done done) {
                        return dns_->main().start_trace(std::string(1, '\0'), dns::type::DNSKEY,
                                                        std::move(done));
                    },
                    [this] { return dnssec_ && dnssec_->clock_trusted(); },
                    [] {
                        return std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                            .count();
                    },
                    [this] { refresh_anchors(); });
            anchors = anchor_updater_->anchors(*trust_anchors_, state_file("root-anchors.state"));
        } else {
            anchor_updater_.reset();
        }
        settings.dnssec = dnssec_->policy(config.dnssec, anchors);
        settings.dnssec.recursive = recursive;
        settings.dnssec.forwarding = forwarding;
        settings.recursion.dnssec_ok = recursive;
        spdlog::info(
            "DNSSEC validation on for {} groups: {} trust anchors ({}), {} negative trust anchors",
            recursive && forwarding ? "recursive and forwarding"
            : recursive             ? "recursive"
                                    : "forwarding",
            dnssec_->anchors(),
            config.dnssec.trust_anchor_file.empty() ? "built-in root KSKs" : config.dnssec.trust_anchor_file,
            config.dnssec.negative_trust_anchors.size());
    } else if (any_recursive(config)) {
        spdlog::warn("DNSSEC validation is off ([dnssec] validate = false)");
    }
    dns_->each(
        [self = dns_->main().listening(), settings = std::move(settings),
         groups = group_specs(config)](DnsService& d) { d.engine().configure(settings, groups, self); });
    if (initial && any_recursive(config)) {  // RFC 8109: prime at start, not at the first client's question
        dns_->main().engine().prime(Clock::now());
        dns_->main().reschedule();
    }
    if (!initial) {
        const Config& old = config_;
        if (old.dns.listen != config.dns.listen || old.dns.interfaces != config.dns.interfaces ||
            old.dns.port != config.dns.port || old.user != config.user ||
            old.control.socket != config.control.socket || old.metrics.listen != config.metrics.listen ||
            old.web.listen != config.web.listen || old.querylog.size != config.querylog.size)
            spdlog::warn(
                "listen addresses, interfaces, port, user, control socket, metrics and web listeners and the "
                "query log's size change only at restart; kept the old ones");
        if (old.dns.tls_listen != config.dns.tls_listen)
            spdlog::warn(
                "dns.tls_listen changes only at restart; the certificate and key are read again now");
        config_ = config;
        reload_tls_certificate();
    }
    // tcp_max_connections is the total: each thread's acceptors take a share.
    unsigned share =
        (config_.dns.tcp_max_connections + dns_->size() - 1) / static_cast<unsigned>(dns_->size());
    dns_->each(
        [share, idle = config_.dns.tcp_idle_timeout](DnsService& d) { d.set_tcp_limits(share, idle); });
    if (query_log_) query_log_->set_privacy(query_log_privacy(config_.querylog.privacy));
    if (web_api_) web_api_->set_session_idle(config_.web.session_timeout);
    watch_files();
    load_local_zone();
    load_blocklists();
    apply_page_lists();
    for (const auto& g : config_.upstreams)
        if (!g.resolv_conf.empty()) load_resolv_conf(g.resolv_conf);
    for (std::size_t i = 0; i < config_.upstreams.size() && i < dns_->main().engine().groups().size(); ++i)
        if (const auto& g = dns_->main().engine().groups()[i];
            g->servers().empty() && !config_.upstreams[i].recursive)
            spdlog::warn("upstream group '{}' has no usable server yet (names it serves get SERVFAIL)",
                         g->name());
}

void App::watch_files() {
    watcher_->clear();
    auto watch_all = [&](const std::vector<std::string>& paths) {
        for (const auto& p : paths) {
            std::error_code ec;
            if (std::filesystem::is_directory(p, ec))
                watcher_->watch_directory(p);
            else
                watcher_->watch(p);
        }
    };
    watch_all(config_.local.hosts);
    watch_all(config_.blocklist.files);
    watch_all(config_.blocklist.allow_files);
    for (const auto& g : config_.upstreams)
        if (!g.resolv_conf.empty()) watcher_->watch(g.resolv_conf);
}

void App::load_local_zone() {
    std::shared_ptr<const LocalZone> zone = build_local_zone(config_);
    local_zone_ = zone;
    dns_->each([zone](DnsService& d) { d.engine().set_local_zone(zone); });
}

// A big list takes a while to read: it is built on a thread of its own while
// the old one keeps answering, then swapped in on the I/O thread.
void App::load_blocklists() {
    if (config_.blocklist.files.empty() && config_.blocklist.allow_files.empty() &&
        config_.blocklist.allow.empty()) {
        ++blocklist_generation_;
        dns_->each([](DnsService& d) { d.engine().set_blocklist(nullptr); });
        return;
    }
    if (blocklist_loading_) {  // one load at a time; the newest config is read when it ends
        blocklist_reload_pending_ = true;
        return;
    }
    std::uint64_t generation = ++blocklist_generation_;
    blocklist_loading_ = true;
    if (blocklist_loader_.joinable()) blocklist_loader_.join();  // long finished
    blocklist_loader_ = std::thread([this, generation, cfg = config_.blocklist] {
        // An exception here would end the process (std::terminate): the
        // boundary keeps the old list in force instead.
        BlocklistLoad load;
        guarded(FaultSite::daemon_event, [&] { load = build_blocklist(cfg); });
        boost::asio::post(io_, [this, generation, load] {
            guarded(FaultSite::daemon_event, [&] { swap_in_blocklist(generation, load); });
        });
    });
}

// On the I/O thread, when the loader thread is done.
void App::swap_in_blocklist(std::uint64_t generation, const BlocklistLoad& load) {
    blocklist_loading_ = false;
    if (!load.blocklist) {
        spdlog::error("blocklists could not be loaded; the previous lists stay in force");
    } else if (generation == blocklist_generation_) {
        std::shared_ptr<const Blocklist> list = load.blocklist;
        dns_->each([list](DnsService& d) { d.engine().set_blocklist(list); });
        blocklist_load_ = load;
        blocklist_load_.blocklist = nullptr;  // the counts only: the list itself may go with the next
        blocklist_loaded_ms_ = wall_ms_now();
        spdlog::info("blocklists: {} domains from {} files in {:.2f} s ({} lines skipped, {} KiB)",
                     load.blocklist->size(), load.files, load.seconds, load.skipped,
                     load.blocklist->memory_bytes() / 1024);
    }
    if (blocklist_reload_pending_) {
        blocklist_reload_pending_ = false;
        load_blocklists();
    }
}

std::string App::load_root_hints(const Config& config, RootHints& hints) {
    const std::string& path = config.recursion.root_hints;
    if (path.empty() || !any_recursive(config)) {
        hints = builtin_root_hints();
        return "";
    }
    auto text = io::read_file(path);
    if (!text) return "cannot read the root hints file " + path;
    RootHintsError error;
    auto parsed = parse_root_hints(*text, error);
    if (!parsed)
        return path + (error.line ? ":" + std::to_string(error.line) : std::string()) + ": " + error.message;
    hints = std::move(*parsed);
    return "";
}

void App::load_resolv_conf(const std::string& path) {
    auto text = io::read_file(path);
    auto servers = text ? parse_resolv_conf(*text) : std::vector<Endpoint>{};
    if (!text) spdlog::warn("cannot read {}", path);
    for (const auto& g : config_.upstreams) {
        if (g.resolv_conf != path) continue;
        std::string list;
        for (const auto& s : servers) list += (list.empty() ? "" : ", ") + s.to_string();
        spdlog::info("upstream group '{}': servers from {}: {}", g.name, path, list.empty() ? "none" : list);
        dns_->each(
            [name = g.name, servers](DnsService& d) { d.engine().set_resolv_conf_servers(name, servers); });
    }
}

std::vector<std::string> App::reload_config(const char* why) {
    std::vector<std::string> errors;
    io::notify_reloading();
    if (config_path_.empty()) {
        spdlog::info("{}: built-in configuration, re-reading hosts and resolv.conf files", why);
        apply(config_, false);
    } else {
        ConfigResult result = load_config(config_path_);
        RootHints hints = builtin_root_hints();
        if (result.config)
            if (auto err = load_root_hints(*result.config, hints); !err.empty())
                result = ConfigResult{std::nullopt,
                                      {ConfigError{config_path_, 0, 0, "recursion.root_hints", err}}};
        std::shared_ptr<const TrustAnchors> anchors;
        if (result.config)
            if (auto err = DnssecSetup::load_anchors(result.config->dnssec, anchors); !err.empty())
                result = ConfigResult{std::nullopt,
                                      {ConfigError{config_path_, 0, 0, "dnssec.trust_anchor_file", err}}};
        if (result.config) {
            root_hints_ = std::move(hints);
            trust_anchors_ = std::move(anchors);
        }
        if (!result.config) {
            spdlog::error("reload of {} failed; keeping the configuration in force:", config_path_);
            for (const auto& e : result.errors) {
                spdlog::error("  {}", e.to_string());
                errors.push_back(e.to_string());
            }
        } else {
            apply(*result.config, false);
            if (dhcp_) dhcp_->reconfigure(dhcp_config(), io::read_interfaces());
            if (!dhcp_ && config_.dhcp.enabled()) spdlog::warn("the DHCP server starts only at restart");
            spdlog::info("configuration reloaded from {} ({})", config_path_, why);
        }
    }
    io::notify_ready(status_line());
    return errors;
}

// The control socket and the metrics listener, before privileges are dropped.
// A control socket at its default path is a convenience: when it cannot be
// made (not root, no /run/lanlord) lanlord warns and runs on; one written in
// the configuration is required, like a listen address.
std::string App::open_control() {
    if (!config_.control.socket.empty()) {
        std::string group = config_.control.group;
        if (group.empty() && !config_.user.empty()) group = io::primary_group_name(config_.user);
        control_ = std::make_unique<ControlServer>(io_, static_cast<ControlBackend&>(*this));
        if (auto err = control_->open(config_.control.socket, group); !err.empty()) {
            control_.reset();
            if (config_.control.socket_written) return "control socket: " + err;
            spdlog::warn("no control socket (lanlordctl will not reach this lanlord): {}", err);
        } else {
            spdlog::info("control socket {}", config_.control.socket);
        }
    }
    if (auto err = open_web(); !err.empty()) return err;
    if (config_.metrics.listen) {
        metrics_ = std::make_unique<MetricsHttp>(io_, static_cast<ControlBackend&>(*this));
        if (auto err = metrics_->open(*config_.metrics.listen); !err.empty()) return "metrics: " + err;
        spdlog::info("metrics on http://{}/metrics", config_.metrics.listen->to_string());
    }
    return "";
}

void App::on_signal() {
    signals_.async_wait([this](boost::system::error_code ec, int sig) {
        if (ec) return;
        switch (sig) {
            case SIGHUP:
                guarded(FaultSite::daemon_event, [this] { reload_config("SIGHUP"); });
                break;
            case SIGUSR2:
                guarded(FaultSite::daemon_event,
                        [this] { spdlog::info("SIGUSR2: cache flushed ({} entries)", cache_->flush()); });
                break;
            default:
                spdlog::info("signal {}: stopping", sig);
                io::notify_stopping();
                if (control_) control_->close();
                if (metrics_) metrics_->close();
                if (web_) web_->close();
                dns_->stop();
                io_.stop();
                return;
        }
        on_signal();
    });
}

void App::arm_watchdog() {
    io::notify_watchdog(status_line());
    watchdog_.expires_after(watchdog_interval_);
    watchdog_.async_wait([this](boost::system::error_code ec) {
        if (!ec) arm_watchdog();
    });
}

// Addresses come and go (DHCP on the uplink, VPNs, a bridge made after
// start): access control by "subnet of the receiving interface" and the DHCP
// subnets served need the current list, from the moment it changes.
void App::set_interfaces(const InterfaceTable& interfaces) {
    if (dhcp_) dhcp_->set_interfaces(interfaces);
    dns_->each([interfaces](DnsService& d) { d.engine().set_interfaces(interfaces); });
}

// No netlink (a sandbox without AF_NETLINK, a socket error): rather than
// polling, the table is read when it matters: a DNS client about to be
// refused as not local (each thread for itself, at most once a second) or a
// DHCP packet for a subnet without our address (DhcpService::on_packet).
void App::interfaces_unfollowed(const std::string& why) {
    spdlog::warn(
        "interface changes are not followed ({}): interfaces are read again when a client would "
        "be refused or a DHCP packet comes for a subnet not served",
        why);
    dns_->each([](DnsService& d) { d.set_interface_reader(&io::try_read_interfaces); });
}

// RFC 5011 changed the root's anchors: every engine validates with the new
// ones from now on, and the root's validated keys go from the key cache.
// (Clearing the whole cache made every zone's keys be fetched again: the
// first update, 5 s after start, turns the configured DS into its key.)
void App::refresh_anchors() {
    if (!dnssec_ || !anchor_updater_) return;
    bool recursive = any_recursive(config_) && config_.dnssec.validate;
    bool forwarding = any_forwarding(config_) && config_.dnssec.validate_forwarded;
    DnssecPolicy p = dnssec_->policy(config_.dnssec, anchor_updater_->current());
    p.recursive = recursive;
    p.forwarding = forwarding;
    dnssec_->forget_keys(std::string(1, '\0'));
    dns_->each([p](DnsService& d) { d.engine().set_dnssec(p); });
}

}  // namespace lanlord
