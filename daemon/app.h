// The lanlord daemon at run time: the composition root. Owns the io_context,
// the configuration in force, the shared DNS cache and the DNS service; reacts
// to signals (SIGHUP reload, SIGTERM/SIGINT stop, SIGUSR2 cache flush), to
// watched files (hosts, resolv.conf), to interface and address changes
// (netlink) and keeps systemd informed. Idle, it sleeps: every timer it arms
// is a real deadline (the watchdog, a debounce after an event).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <string>
#include <thread>

#include "common/io/file_watcher.h"
#include "common/io/interface_monitor.h"
#include "config/config.h"
#include "daemon/anchor_updater.h"
#include "daemon/control/control_server.h"
#include "daemon/control/metrics_http.h"
#include "daemon/dhcp_service.h"
#include "daemon/dns_workers.h"
#include "daemon/dnssec_setup.h"
#include "daemon/local_data.h"
#include "daemon/page_state.h"
#include "daemon/secure_random.h"
#include "daemon/web/web_api.h"
#include "daemon/web/web_server.h"
#include "resolver/cache/packet_cache.h"
#include "resolver/net/dns_service.h"

namespace lanlord {

class App : private ControlBackend {
  public:
    // `config_path` empty: the built-in default configuration.
    // `log_level_override` (from --log-level) wins over the file, also after a reload.
    App(Config config, std::string config_path, std::string log_level_override = {});
    // Binds, drops privileges, notifies READY=1 and runs until stopped.
    // Returns the process exit code.
    int run();
    ~App();

  private:
    void apply(const Config& config, bool initial);
    // [recursion] root_hints read and parsed into `hints`; "" or the error,
    // with the file and line.
    static std::string load_root_hints(const Config& config, RootHints& hints);
    // Re-reads the configuration file; the errors found (empty: applied).
    std::vector<std::string> reload_config(const char* why);
    std::string open_control();
    // app_tls.cpp: the DNS over TLS listeners ([dns] tls_listen) and their
    // certificate, read again on SIGHUP (a bad one keeps the one in force).
    std::string open_tls_listeners();
    void reload_tls_certificate();

    // ControlBackend (daemon/app_control.cpp)
    DaemonSnapshot snapshot() override;
    nlohmann::json cache_dump(const std::optional<std::string>& wire_name, std::size_t limit) override;
    std::string cached_security(std::string_view name, std::span<const std::uint8_t> stored, bool cd,
                                bool validating_group, TimePoint now) const;
    std::size_t cache_flush(const std::optional<std::string>& wire_name) override;
    nlohmann::json leases() override;
    std::vector<std::string> reload() override;
    void set_log_level(const std::string& level) override;
    void trace(const std::string& wire_name, std::uint16_t qtype,
               std::function<void(nlohmann::json reply)> done) override;
    // The web page's commands (daemon/app_web.cpp).
    nlohmann::json querylog(const QueryLogFilter& filter, std::size_t limit) override;
    nlohmann::json dashboard() override;
    nlohmann::json lists() override;
    nlohmann::json change_domain(const std::string& wire_name, DomainAction action) override;
    nlohmann::json reserve_lease(const IpAddress& address) override;
    nlohmann::json config_text() override;
    nlohmann::json set_web_password(const std::string& hash) override;
    nlohmann::json bench_state() override;
    nlohmann::json bench_start(const std::vector<std::string>& servers, bool upstreams) override;
    // The DHCP or hosts name of a client address ("" when none).
    std::string client_name(const IpAddress& address) const;
    void apply_page_lists();
    // [dhcp] with the page's reservations added.
    DhcpConfig dhcp_config() const;
    std::string open_web();
    void load_local_zone();
    void load_blocklists();
    void swap_in_blocklist(std::uint64_t generation, const BlocklistLoad& load);
    void on_file_changed(const std::string& path);
    void load_resolv_conf(const std::string& path);
    void watch_files();
    void on_signal();
    void arm_watchdog();
    void set_interfaces(const InterfaceTable& interfaces);
    void interfaces_unfollowed(const std::string& why);
    std::string status_line() const;

    Config config_;
    std::string config_path_;
    std::string log_level_override_;
    boost::asio::io_context io_;
    std::unique_ptr<PacketCache> cache_;
    std::unique_ptr<DnsWorkers> dns_;
    std::unique_ptr<DhcpService> dhcp_;  // only with a [[dhcp.subnet]]
    std::unique_ptr<io::FileWatcher> watcher_;
    std::unique_ptr<io::InterfaceMonitor> interface_monitor_;
    std::unique_ptr<ControlServer> control_;
    std::unique_ptr<MetricsHttp> metrics_;
    std::unique_ptr<QueryLog> query_log_;  // null: [querylog] size = 0 (size changes at restart)
    std::unique_ptr<PageState> page_state_;
    std::unique_ptr<WebApi> web_api_;
    std::unique_ptr<WebServer> web_;
    std::shared_ptr<const LocalZone> local_zone_;  // for client names
    BlocklistLoad blocklist_load_;                 // the last one swapped in (its counts)
    std::int64_t blocklist_loaded_ms_ = 0;
    struct BenchRun;
    std::shared_ptr<BenchRun> bench_;  // the last comparison run from the page
    std::shared_ptr<DhcpNames> dhcp_names_ = std::make_shared<DhcpNames>();  // survive reloads
    RootHints root_hints_ = builtin_root_hints();
    // [dnssec]: the anchors in force (loaded with the configuration), the key
    // cache and the clock judgement.
    std::shared_ptr<const TrustAnchors> trust_anchors_;
    std::unique_ptr<DnssecSetup> dnssec_;
    std::unique_ptr<AnchorUpdater> anchor_updater_;  // RFC 5011 (recursive mode, [dnssec] rfc5011)
    void refresh_anchors();
    RecursionCaches recursion_caches_;  // shared by every thread's iterator; kept across reloads
    std::thread blocklist_loader_;      // builds the next blocklist aside
    std::uint64_t blocklist_generation_ = 0;
    bool blocklist_loading_ = false, blocklist_reload_pending_ = false;
    bool tls_listening_ = false;  // the DNS over TLS listeners are open
    boost::asio::signal_set signals_;
    boost::asio::steady_timer watchdog_;
    std::chrono::microseconds watchdog_interval_{0};
    TimePoint started_;
    int exit_code_ = 0;
};

}  // namespace lanlord
