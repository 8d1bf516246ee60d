// Internal to config/: the Loader that turns a toml++ table into a Config,
// shared by config_loader.cpp (top level, [dns], [cache], [[upstream]]) and
// local_loader.cpp ([local], [blocklist]). Not for use outside config/.
#pragma once

#include <algorithm>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/toml.h"

#include "config/config.h"

namespace lanlord::config_detail {

constexpr std::string_view kLogLevels[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};
constexpr const char* kDefaultResolvConf = "/etc/resolv.conf";
constexpr std::uint16_t kUpstreamPort = 53;
constexpr std::uint16_t kBuiltinPort = 5353;   // default_config(): no root needed
constexpr std::size_t kMaxInterfaceName = 15;  // IFNAMSIZ - 1
constexpr std::size_t kMaxFileSize = 16u << 20;
// RFC 2181 section 8: a TTL is at most 2^31 - 1 seconds.
constexpr ConfigDuration kMaxTtl = std::chrono::seconds(2147483647);
constexpr ConfigDuration kMaxDuration = ConfigDuration::max();

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

std::string type_name(toml::node_type type);
// A key as TOML would need it written: bare when possible, else quoted.
std::string key_text(std::string_view key);
std::string join_key(const std::string& prefix, std::string_view key);
std::string index_key(const std::string& prefix, std::size_t index);
std::string quoted(std::string_view text);
bool valid_interface_name(std::string_view name);
bool valid_domain_text(std::string_view text);

template <class T, class U>
void assign(T& target, const std::optional<U>& value) {
    if (value) target = static_cast<T>(*value);
}

class Loader {
  public:
    explicit Loader(std::string file) : file_(std::move(file)) {}

    Config read(const toml::table& root);
    std::vector<ConfigError> take_errors();

  private:
    using Reader = std::function<void(const toml::node& value, const std::string& path)>;
    using EachString =
        std::function<void(const std::string& text, const toml::node& element, const std::string& path)>;
    struct Field {
        std::string_view key;
        Reader read;
    };

    void error(const toml::source_region& where, const std::string& key, std::string message);
    void type_error(const toml::node& value, const std::string& path, std::string_view expected);
    void read_fields(const toml::table& table, const std::string& prefix,
                     std::initializer_list<Field> fields);

    // Typed values. Each reports its own error and then returns nullopt.
    const toml::table* get_table(const toml::node& v, const std::string& path);
    std::optional<std::string> get_string(const toml::node& v, const std::string& path);
    // A string that is "" or an absolute path; `empty_means` completes the error.
    std::optional<std::string> get_path(const toml::node& v, const std::string& path,
                                        std::string_view empty_means);
    std::optional<bool> get_bool(const toml::node& v, const std::string& path);
    std::optional<std::int64_t> get_integer(const toml::node& v, const std::string& path, std::int64_t min,
                                            std::int64_t max);
    std::optional<ConfigDuration> get_duration(const toml::node& v, const std::string& path,
                                               ConfigDuration min, ConfigDuration max);
    std::optional<ConfigDuration> get_ttl(const toml::node& v, const std::string& path);
    std::optional<std::size_t> get_size(const toml::node& v, const std::string& path);
    std::optional<std::string> get_interface(const toml::node& v, const std::string& path);
    // "address[:port]" of a listener ([metrics], [web]); nullopt (and an error) when it is not one.
    std::optional<Endpoint> get_endpoint(const toml::node& v, const std::string& path,
                                         std::uint16_t default_port);
    // Calls `each` for every string of an array of strings; returns how many
    // elements were written (valid or not), or nullopt when it is no array.
    std::optional<std::size_t> for_each_string(const toml::node& v, const std::string& path,
                                               const EachString& each);
    std::vector<std::string> get_interfaces(const toml::node& v, const std::string& path);
    std::vector<Prefix> get_prefixes(const toml::node& v, const std::string& path);

    void read_dns(const toml::table& table, DnsConfig& dns);
    // tls_loader.cpp: DNS over TLS. A "tls://" server of a group (false: it
    // is not one), the group's TLS keys once all its keys are read, and the
    // listener's keys of [dns].
    bool read_tls_server(const std::string& text, const toml::node& element, const std::string& path,
                         UpstreamGroupConfig& group);
    void finish_group_tls(const toml::table& table, const std::string& path, UpstreamGroupConfig& group);
    void finish_dns_tls(const toml::table& table, DnsConfig& dns);
    void read_control(const toml::table& table, ControlConfig& control);
    void read_metrics(const toml::table& table, MetricsConfig& metrics);
    void read_querylog(const toml::table& table, QueryLogConfig& querylog);
    void read_web(const toml::table& table, WebConfig& web);
    void read_cache(const toml::table& table, CacheConfig& cache);
    // resolution_loader.cpp: [recursion], [dnssec]
    void read_recursion(const toml::table& table, RecursionConfig& recursion);
    void read_dnssec(const toml::table& table, DnssecConfig& dnssec);
    void read_upstreams(const toml::node& v, const std::string& path, std::vector<UpstreamGroupConfig>& out);
    UpstreamGroupConfig read_group(const toml::table& table, const std::string& path, std::size_t index,
                                   const toml::node*& name_node);
    // Returns how many servers were written, valid or not (1 for a non-array).
    std::size_t read_servers(const toml::node& v, const std::string& path, UpstreamGroupConfig& group);
    void read_domains(const toml::node& v, const std::string& path, UpstreamGroupConfig& group);

    // local_loader.cpp: [local], [[local.record]], [[local.address]], [blocklist]
    void read_local(const toml::table& table, LocalConfig& local);
    void read_records(const toml::node& v, const std::string& path, std::vector<LocalRecordConfig>& out);
    void read_address_rules(const toml::node& v, const std::string& path,
                            std::vector<AddressRuleConfig>& out);
    void read_blocklist(const toml::table& table, BlocklistConfig& blocklist);
    std::vector<std::string> get_strings(const toml::node& v, const std::string& path);

    // dhcp_loader.cpp: [dhcp], [[dhcp.subnet]], [[dhcp.reservation]]
    void read_dhcp(const toml::table& table, DhcpConfig& dhcp);
    void read_subnet(const toml::table& table, const std::string& path, DhcpConfig& dhcp);
    void read_reservation(const toml::table& table, const std::string& path, DhcpConfig& dhcp);
    std::vector<IpAddress> get_ipv4s(const toml::node& v, const std::string& path);

    std::string file_;
    std::vector<ConfigError> errors_;
};

}  // namespace lanlord::config_detail
