// Reads a TOML file into a validated Config (config.h). toml++ is used only in
// this file.
//
// Each section is read through a list of Fields: the keys it accepts and how
// each value is converted and checked. A key that is not listed is an error, so
// a misspelt option never silently keeps its default. Reading does not stop at
// the first problem: every error is collected with its file, line, column and
// dotted key path ("upstream[0].servers[2]"), sorted by position, and a Config
// is returned only when there was none. Keys, types, units and defaults are
// documented in man/lanlord.toml.5; keep the two in step (the page's DEFAULTS
// block is checked against this code by tests/unit/config/man_defaults_test.cpp).
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <tuple>
#include <utility>

#include "common/dns_name.h"
#include "config/loader.h"

namespace lanlord {
namespace config_detail {

std::string type_name(toml::node_type type) {
    switch (type) {
        case toml::node_type::string:
            return "a string";
        case toml::node_type::integer:
            return "an integer";
        case toml::node_type::floating_point:
            return "a floating-point number";
        case toml::node_type::boolean:
            return "a boolean";
        case toml::node_type::table:
            return "a table";
        case toml::node_type::array:
            return "an array";
        case toml::node_type::date:
            return "a date";
        case toml::node_type::time:
            return "a time";
        case toml::node_type::date_time:
            return "a date-time";
        default:
            return "nothing";
    }
}

// A key as TOML would need it written: bare when possible, else quoted.
std::string key_text(std::string_view key) {
    bool bare = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
               c == '-';
    });
    return bare ? std::string(key) : "\"" + std::string(key) + "\"";
}

std::string join_key(const std::string& prefix, std::string_view key) {
    return prefix.empty() ? key_text(key) : prefix + "." + key_text(key);
}

std::string index_key(const std::string& prefix, std::size_t index) {
    return prefix + "[" + std::to_string(index) + "]";
}

std::string quoted(std::string_view text) {
    return "\"" + std::string(text) + "\"";
}

// Linux dev_valid_name(): what the kernel accepts as an interface name.
bool valid_interface_name(std::string_view name) {
    if (name.empty() || name.size() > kMaxInterfaceName || name == "." || name == "..") return false;
    return std::none_of(name.begin(), name.end(), [](char c) {
        return c == '/' || c == ':' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
               c == '\v';
    });
}

// Domain names for routing are written as host names are: letters, digits,
// '-', '_' and dots. name_from_text() checks label and name lengths.
bool valid_domain_text(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
               c == '_' || c == '.';
    });
}

void set_default_route(UpstreamGroupConfig& group) {
    group.domains = {std::string(1, '\0')};  // the root in wire form
    group.domains_text = {"."};
}

UpstreamGroupConfig default_group() {
    UpstreamGroupConfig group;
    group.name = "default";
    group.resolv_conf = kDefaultResolvConf;
    set_default_route(group);
    return group;
}

std::vector<Endpoint> loopback_listen(std::uint16_t port) {
    return {Endpoint{*IpAddress::parse("127.0.0.1"), port}, Endpoint{*IpAddress::parse("::1"), port}};
}

void Loader::error(const toml::source_region& where, const std::string& key, std::string message) {
    errors_.push_back(ConfigError{file_, where.begin.line, where.begin.column, key, std::move(message)});
}

void Loader::type_error(const toml::node& value, const std::string& path, std::string_view expected) {
    error(value.source(), path, "expected " + std::string(expected) + ", found " + type_name(value.type()));
}

std::vector<ConfigError> Loader::take_errors() {
    // By position; errors without one (line 0) last.
    std::stable_sort(errors_.begin(), errors_.end(), [](const ConfigError& a, const ConfigError& b) {
        return std::make_tuple(a.line == 0, a.line, a.column) <
               std::make_tuple(b.line == 0, b.line, b.column);
    });
    return std::move(errors_);
}

void Loader::read_fields(const toml::table& table, const std::string& prefix,
                         std::initializer_list<Field> fields) {
    for (auto&& [key, value] : table) {
        std::string path = join_key(prefix, key.str());
        auto field = std::find_if(fields.begin(), fields.end(),
                                  [&key = key](const Field& f) { return f.key == key.str(); });
        if (field == fields.end()) {
            error(key.source().begin.line != 0 ? key.source() : value.source(), path, "unknown key");
            continue;
        }
        field->read(value, path);
    }
}

const toml::table* Loader::get_table(const toml::node& v, const std::string& path) {
    if (const toml::table* t = v.as_table()) return t;
    type_error(v, path, "a table");
    return nullptr;
}

std::optional<std::string> Loader::get_string(const toml::node& v, const std::string& path) {
    if (auto s = v.as_string()) return s->get();
    type_error(v, path, "a string");
    return std::nullopt;
}

std::optional<std::string> Loader::get_path(const toml::node& v, const std::string& path,
                                            std::string_view empty_means) {
    auto text = get_string(v, path);
    if (!text || text->empty() || text->front() == '/') return text;
    error(v.source(), path, "must be an absolute path (or \"\" for " + std::string(empty_means) + ")");
    return std::nullopt;
}

std::optional<bool> Loader::get_bool(const toml::node& v, const std::string& path) {
    if (auto b = v.as_boolean()) return b->get();
    type_error(v, path, "a boolean (true or false)");
    return std::nullopt;
}

std::optional<std::int64_t> Loader::get_integer(const toml::node& v, const std::string& path,
                                                std::int64_t min, std::int64_t max) {
    auto i = v.as_integer();
    if (!i) {
        type_error(v, path, "an integer");
        return std::nullopt;
    }
    std::int64_t n = i->get();
    if (n >= min && n <= max) return n;
    if (max == std::numeric_limits<std::int64_t>::max())
        error(v.source(), path,
              std::to_string(n) + " is out of range: must be at least " + std::to_string(min));
    else
        error(v.source(), path,
              std::to_string(n) + " is out of range: must be between " + std::to_string(min) + " and " +
                  std::to_string(max));
    return std::nullopt;
}

std::optional<ConfigDuration> Loader::get_duration(const toml::node& v, const std::string& path,
                                                   ConfigDuration min, ConfigDuration max) {
    std::optional<ConfigDuration> d;
    if (auto i = v.as_integer()) {  // seconds
        std::int64_t n = i->get();
        if (n < 0) {
            error(v.source(), path, "a duration must not be negative");
            return std::nullopt;
        }
        if (n > kMaxDuration.count() / 1000) {
            error(v.source(), path, "duration " + std::to_string(n) + "s is too large");
            return std::nullopt;
        }
        d = seconds(n);
    } else if (auto s = v.as_string()) {
        d = parse_duration(s->get());
        if (!d) {
            error(v.source(), path,
                  "invalid duration " + quoted(s->get()) +
                      ": expected a whole number with unit ms, s, m, h, d or w, e.g. \"30s\"");
            return std::nullopt;
        }
    } else {
        type_error(v, path, "a duration (a string like \"30s\" or an integer of seconds)");
        return std::nullopt;
    }
    if (*d >= min && *d <= max) return d;
    std::string range = max == kMaxDuration
                            ? "must be at least " + format_duration(min)
                            : "must be between " + format_duration(min) + " and " + format_duration(max);
    error(v.source(), path, format_duration(*d) + " is out of range: " + range);
    return std::nullopt;
}

// TTLs are whole seconds on the wire; a fraction would be silently truncated.
std::optional<ConfigDuration> Loader::get_ttl(const toml::node& v, const std::string& path) {
    auto d = get_duration(v, path, ConfigDuration::zero(), kMaxTtl);
    if (d && d->count() % 1000 != 0) {
        error(v.source(), path, "a TTL must be a whole number of seconds, not " + format_duration(*d));
        return std::nullopt;
    }
    return d;
}

std::optional<std::size_t> Loader::get_size(const toml::node& v, const std::string& path) {
    if (auto i = v.as_integer()) {  // bytes
        if (i->get() < 0) {
            error(v.source(), path, "a size must not be negative");
            return std::nullopt;
        }
        return static_cast<std::size_t>(i->get());
    }
    if (auto s = v.as_string()) {
        auto size = parse_size(s->get());
        if (!size)
            error(v.source(), path,
                  "invalid size " + quoted(s->get()) +
                      ": expected a whole number with unit B, kB, MB, GB, TB, KiB, MiB, GiB or TiB, "
                      "e.g. \"64MiB\"");
        return size;
    }
    type_error(v, path, "a size (a string like \"64MiB\" or an integer of bytes)");
    return std::nullopt;
}

std::optional<std::string> Loader::get_interface(const toml::node& v, const std::string& path) {
    auto name = get_string(v, path);
    if (name && !valid_interface_name(*name)) {
        error(v.source(), path, "invalid interface name " + quoted(*name));
        return std::nullopt;
    }
    return name;
}

std::optional<std::size_t> Loader::for_each_string(const toml::node& v, const std::string& path,
                                                   const EachString& each) {
    const toml::array* array = v.as_array();
    if (!array) {
        type_error(v, path, "an array of strings");
        return std::nullopt;
    }
    for (std::size_t i = 0; i < array->size(); ++i) {
        const toml::node& element = (*array)[i];
        std::string element_path = index_key(path, i);
        if (auto s = element.as_string())
            each(s->get(), element, element_path);
        else
            type_error(element, element_path, "a string");
    }
    return array->size();
}

std::vector<std::string> Loader::get_interfaces(const toml::node& v, const std::string& path) {
    std::vector<std::string> names;
    for_each_string(v, path, [&](const std::string& name, const toml::node& element, const std::string& p) {
        if (!valid_interface_name(name))
            error(element.source(), p, "invalid interface name " + quoted(name));
        else
            names.push_back(name);
    });
    return names;
}

std::vector<Prefix> Loader::get_prefixes(const toml::node& v, const std::string& path) {
    std::vector<Prefix> prefixes;
    for_each_string(v, path, [&](const std::string& text, const toml::node& element, const std::string& p) {
        if (auto prefix = Prefix::parse(text))
            prefixes.push_back(*prefix);
        else
            error(element.source(), p,
                  "invalid prefix " + quoted(text) + ": expected an address with an optional /length, " +
                      "e.g. 192.168.1.0/24 or 2001:db8::/32");
    });
    return prefixes;
}

Config Loader::read(const toml::table& root) {
    Config config;
    const toml::table* dns = nullptr;
    read_fields(
        root, "",
        {
            {"log_level",
             [&](auto& v, auto& p) {
                 auto level = get_string(v, p);
                 if (!level) return;
                 if (std::find(std::begin(kLogLevels), std::end(kLogLevels), *level) == std::end(kLogLevels))
                     error(v.source(), p,
                           "unknown log level " + quoted(*level) +
                               ": expected trace, debug, info, warn, error, critical or off");
                 else
                     config.log_level = *level;
             }},
            {"user", [&](auto& v, auto& p) { assign(config.user, get_string(v, p)); }},
            {"threads", [&](auto& v, auto& p) { assign(config.threads, get_integer(v, p, 0, 64)); }},
            {"dns", [&](auto& v, auto& p) { dns = get_table(v, p); }},
            {"cache",
             [&](auto& v, auto& p) {
                 if (auto t = get_table(v, p)) read_cache(*t, config.cache);
             }},
            {"upstream", [&](auto& v, auto& p) { read_upstreams(v, p, config.upstreams); }},
            {"local",
             [&](auto& v, auto& p) {
                 if (auto t = get_table(v, p)) read_local(*t, config.local);
             }},
            {"blocklist",
             [&](auto& v, auto& p) {
                 if (auto t = get_table(v, p)) read_blocklist(*t, config.blocklist);
             }},
            {"dhcp",
             [&](auto& v, auto& p) {
                 if (auto t = get_table(v, p)) read_dhcp(*t, config.dhcp);
             }},
            {"control",
             [&](auto& v, auto& p) {
                 if (auto t = get_table(v, p)) read_control(*t, config.control);
             }},
            {"metrics",
             [&](auto& v, auto& p) {
                 if (auto t = get_table(v, p)) read_metrics(*t, config.metrics);
             }},
            {"querylog",
             [&](auto& v, auto& p) {
                 if (auto t = get_table(v, p)) read_querylog(*t, config.querylog);
             }},
            {"web",
             [&](auto& v, auto& p) {
                 if (auto t = get_table(v, p)) read_web(*t, config.web);
             }},
            {"recursion",
             [&](auto& v, auto& p) {
                 if (auto t = get_table(v, p)) read_recursion(*t, config.recursion);
             }},
            {"dnssec",
             [&](auto& v, auto& p) {
                 if (auto t = get_table(v, p)) read_dnssec(*t, config.dnssec);
             }},
        });
    static const toml::table kEmpty;
    read_dns(dns ? *dns : kEmpty, config.dns);  // an absent [dns] still gets its default listen
    if (config.upstreams.empty()) config.upstreams.push_back(default_group());  // also for "upstream = []"
    return config;
}

void Loader::read_dns(const toml::table& table, DnsConfig& dns) {
    struct Pending {
        std::string text;
        const toml::node* node;
        std::string path;
    };
    std::vector<Pending> listen;  // parsed once "port" is known, wherever it is written
    const toml::node* listen_node = nullptr;
    const toml::node* interfaces_node = nullptr;
    const toml::node* burst_node = nullptr;
    std::size_t written = 0;  // listen and interfaces elements, valid or not
    read_fields(table, "dns",
                {
                    {"listen",
                     [&](auto& v, auto& p) {
                         listen_node = &v;
                         written += for_each_string(v, p, [&](auto& text, auto& element, auto& element_path) {
                                        listen.push_back({text, &element, element_path});
                                    }).value_or(1);
                     }},
                    {"interfaces",
                     [&](auto& v, auto& p) {
                         interfaces_node = &v;
                         written += v.is_array() ? v.as_array()->size() : 1;
                         dns.interfaces = get_interfaces(v, p);
                     }},
                    {"port", [&](auto& v, auto& p) { assign(dns.port, get_integer(v, p, 1, 65535)); }},
                    {"allow", [&](auto& v, auto& p) { dns.allow = get_prefixes(v, p); }},
                    {"deny", [&](auto& v, auto& p) { dns.deny = get_prefixes(v, p); }},
                    {"edns_buffer_size",
                     [&](auto& v, auto& p) { assign(dns.edns_buffer_size, get_integer(v, p, 512, 4096)); }},
                    {"tcp_idle_timeout",
                     [&](auto& v, auto& p) {
                         assign(dns.tcp_idle_timeout, get_duration(v, p, milliseconds(100), hours(1)));
                     }},
                    {"tcp_max_connections",
                     [&](auto& v, auto& p) { assign(dns.tcp_max_connections, get_integer(v, p, 1, 65535)); }},
                    {"upstream_timeout",
                     [&](auto& v, auto& p) {
                         assign(dns.upstream_timeout, get_duration(v, p, milliseconds(100), seconds(60)));
                     }},
                    {"bogus_priv", [&](auto& v, auto& p) { assign(dns.bogus_priv, get_bool(v, p)); }},
                    {"domain_needed", [&](auto& v, auto& p) { assign(dns.domain_needed, get_bool(v, p)); }},
                    {"identity", [&](auto& v, auto& p) { assign(dns.identity, get_string(v, p)); }},
                    {"hide_identity", [&](auto& v, auto& p) { assign(dns.hide_identity, get_bool(v, p)); }},
                    {"hide_version", [&](auto& v, auto& p) { assign(dns.hide_version, get_bool(v, p)); }},
                    {"client_rate_limit",
                     [&](auto& v, auto& p) { assign(dns.client_rate_limit, get_integer(v, p, 0, 1000000)); }},
                    {"client_rate_burst",
                     [&](auto& v, auto& p) {
                         burst_node = &v;
                         assign(dns.client_rate_burst, get_integer(v, p, 0, 1000000));
                     }},
                    // finish_dns_tls
                    {"tls_listen", [](auto&, auto&) {}},
                    {"tls_certificate", [](auto&, auto&) {}},
                    {"tls_key", [](auto&, auto&) {}},
                });
    finish_dns_tls(table, dns);
    if (burst_node && dns.client_rate_burst && !dns.client_rate_limit)
        error(burst_node->source(), "dns.client_rate_burst",
              "has no effect without dns.client_rate_limit (queries per second per client)");

    for (const Pending& entry : listen) {
        auto endpoint = Endpoint::parse(entry.text, dns.port);
        if (!endpoint) {
            error(entry.node->source(), entry.path,
                  "invalid address " + quoted(entry.text) +
                      ": expected an IP address with an optional port, e.g. 127.0.0.1, 127.0.0.1:5353 or "
                      "[::1]:5353");
        } else if (std::find(dns.listen.begin(), dns.listen.end(), *endpoint) != dns.listen.end()) {
            error(entry.node->source(), entry.path, "duplicate listen address " + endpoint->to_string());
        } else {
            dns.listen.push_back(*endpoint);
        }
    }
    if (!listen_node && !interfaces_node) {
        dns.listen = loopback_listen(dns.port);
    } else if (written == 0) {
        const toml::node* where = listen_node ? listen_node : interfaces_node;
        error(where->source(), listen_node ? "dns.listen" : "dns.interfaces",
              "nothing to listen on: dns.listen and dns.interfaces are both empty");
    }
}

void Loader::read_control(const toml::table& table, ControlConfig& control) {
    read_fields(table, "control",
                {
                    {"socket",
                     [&](auto& v, auto& p) {
                         auto path = get_path(v, p, "no control socket");
                         if (!path) return;
                         if (path->size() >= 108)  // sun_path
                             error(v.source(), p, "longer than a UNIX socket path may be (107 bytes)");
                         else {
                             control.socket = *path;
                             control.socket_written = true;
                         }
                     }},
                    {"group", [&](auto& v, auto& p) { assign(control.group, get_string(v, p)); }},
                });
}

std::optional<Endpoint> Loader::get_endpoint(const toml::node& v, const std::string& path,
                                             std::uint16_t default_port) {
    auto text = get_string(v, path);
    if (!text) return std::nullopt;
    auto ep = Endpoint::parse(*text, default_port);
    if (!ep) error(v.source(), path, "not an address with an optional port: " + quoted(*text));
    return ep;
}

void Loader::read_metrics(const toml::table& table, MetricsConfig& metrics) {
    read_fields(table, "metrics",
                {
                    {"listen",
                     [&](auto& v, auto& p) {
                         if (auto ep = get_endpoint(v, p, 9153)) metrics.listen = *ep;
                     }},
                });
}

void Loader::read_querylog(const toml::table& table, QueryLogConfig& querylog) {
    read_fields(
        table, "querylog",
        {
            // 10,000,000 records are 1.8 GiB: beyond that is a typo.
            {"size", [&](auto& v, auto& p) { assign(querylog.size, get_integer(v, p, 0, 10000000)); }},
            {"privacy",
             [&](auto& v, auto& p) {
                 auto text = get_string(v, p);
                 if (!text) return;
                 if (*text == "show_all")
                     querylog.privacy = QueryLogPrivacyLevel::show_all;
                 else if (*text == "hide_names")
                     querylog.privacy = QueryLogPrivacyLevel::hide_names;
                 else if (*text == "hide_clients")
                     querylog.privacy = QueryLogPrivacyLevel::hide_clients;
                 else if (*text == "off")
                     querylog.privacy = QueryLogPrivacyLevel::off;
                 else
                     error(v.source(), p,
                           "unknown privacy level " + quoted(*text) +
                               ": expected show_all, hide_names, hide_clients or off");
             }},
        });
}

void Loader::read_web(const toml::table& table, WebConfig& web) {
    read_fields(table, "web",
                {
                    {"listen",
                     [&](auto& v, auto& p) {
                         if (auto ep = get_endpoint(v, p, 8080)) web.listen = *ep;
                     }},
                    {"session_timeout",
                     [&](auto& v, auto& p) {
                         assign(web.session_timeout,
                                get_duration(v, p, std::chrono::minutes(1), std::chrono::hours(24 * 30)));
                     }},
                });
}

void Loader::read_cache(const toml::table& table, CacheConfig& cache) {
    const toml::node* min_ttl_node = nullptr;
    bool ttls_valid = true;
    read_fields(
        table, "cache",
        {
            {"size",
             [&](auto& v, auto& p) {
                 assign(cache.size, get_integer(v, p, 0, std::numeric_limits<std::int64_t>::max()));
             }},
            {"max_memory", [&](auto& v, auto& p) { assign(cache.max_memory, get_size(v, p)); }},
            {"min_ttl",
             [&](auto& v, auto& p) {
                 min_ttl_node = &v;
                 auto d = get_ttl(v, p);
                 ttls_valid = ttls_valid && d;
                 assign(cache.min_ttl, d);
             }},
            {"max_ttl",
             [&](auto& v, auto& p) {
                 auto d = get_ttl(v, p);
                 ttls_valid = ttls_valid && d;
                 assign(cache.max_ttl, d);
             }},
            {"negative_max_ttl", [&](auto& v, auto& p) { assign(cache.negative_max_ttl, get_ttl(v, p)); }},
            {"stale_max",
             [&](auto& v, auto& p) {
                 assign(cache.stale_max, get_duration(v, p, ConfigDuration::zero(), kMaxTtl));
             }},
            {"serve_stale", [&](auto& v, auto& p) { assign(cache.serve_stale, get_bool(v, p)); }},
            {"prefetch", [&](auto& v, auto& p) { assign(cache.prefetch, get_bool(v, p)); }},
        });
    // min_ttl defaults to 0, so it can only exceed max_ttl when it is written.
    if (ttls_valid && min_ttl_node && cache.min_ttl > cache.max_ttl)
        error(min_ttl_node->source(), "cache.min_ttl",
              "min_ttl (" + format_duration(cache.min_ttl) + ") is greater than max_ttl (" +
                  format_duration(cache.max_ttl) + ")");
}

void Loader::read_upstreams(const toml::node& v, const std::string& path,
                            std::vector<UpstreamGroupConfig>& out) {
    const toml::array* array = v.as_array();
    if (!array) {
        type_error(v, path, "an array of tables ([[upstream]])");
        return;
    }
    for (std::size_t i = 0; i < array->size(); ++i) {
        const toml::node& element = (*array)[i];
        std::string group_path = index_key(path, i);
        const toml::table* table = element.as_table();
        if (!table) {
            type_error(element, group_path, "a table");
            continue;
        }
        const toml::node* name_node = nullptr;
        UpstreamGroupConfig group = read_group(*table, group_path, i, name_node);
        auto same = std::find_if(out.begin(), out.end(), [&](auto& g) { return g.name == group.name; });
        if (same != out.end()) {
            error(name_node ? name_node->source() : table->source(),
                  name_node ? group_path + ".name" : group_path,
                  "duplicate upstream group name " + quoted(group.name));
            continue;
        }
        out.push_back(std::move(group));
    }
}

UpstreamGroupConfig Loader::read_group(const toml::table& table, const std::string& path, std::size_t index,
                                       const toml::node*& name_node) {
    UpstreamGroupConfig group;
    group.name = "upstream" + std::to_string(index + 1);
    std::size_t servers_written = 0;
    bool resolv_conf_given = false, domains_given = false;
    const toml::node* recursive_node = nullptr;
    read_fields(table, path,
                {
                    {"name",
                     [&](auto& v, auto& p) {
                         name_node = &v;
                         auto name = get_string(v, p);
                         if (name && name->empty())
                             error(v.source(), p, "the group name must not be empty");
                         else
                             assign(group.name, name);
                     }},
                    {"servers", [&](auto& v, auto& p) { servers_written = read_servers(v, p, group); }},
                    {"tls_ca_file", [](auto&, auto&) {}},  // finish_group_tls
                    {"tls_pin_sha256", [](auto&, auto&) {}},
                    {"resolv_conf",
                     [&](auto& v, auto& p) {
                         resolv_conf_given = true;
                         auto file = get_string(v, p);
                         if (file && file->empty())
                             error(v.source(), p, "the resolv_conf path must not be empty");
                         else
                             assign(group.resolv_conf, file);
                     }},
                    {"interface",
                     [&](auto& v, auto& p) {
                         // "" is the documented "any interface", so it is not checked as a name.
                         auto s = v.as_string();
                         if (s && s->get().empty())
                             group.interface.clear();
                         else
                             assign(group.interface, get_interface(v, p));
                     }},
                    {"domains",
                     [&](auto& v, auto& p) {
                         domains_given = true;
                         read_domains(v, p, group);
                     }},
                    {"clients", [&](auto& v, auto& p) { group.clients = get_interfaces(v, p); }},
                    {"recursive",
                     [&](auto& v, auto& p) {
                         recursive_node = &v;
                         assign(group.recursive, get_bool(v, p));
                     }},
                });
    if (!domains_given) set_default_route(group);
    finish_group_tls(table, path, group);
    if (group.recursive && (servers_written != 0 || resolv_conf_given))
        error(recursive_node->source(), path + ".recursive",
              "a recursive group resolves from the root servers itself: remove \"servers\" and "
              "\"resolv_conf\" (or make it a forwarding group)");
    if (servers_written == 0 && !resolv_conf_given && !group.recursive)
        error(table.source(), path,
              "an upstream group needs \"servers\" or \"resolv_conf\" (or \"recursive = true\")");
    return group;
}

std::size_t Loader::read_servers(const toml::node& v, const std::string& path, UpstreamGroupConfig& group) {
    auto written = for_each_string(v, path, [&](auto& text, auto& element, auto& element_path) {
        if (read_tls_server(text, element, element_path, group)) return;
        auto server = Endpoint::parse(text, kUpstreamPort);
        if (!server)
            error(element.source(), element_path,
                  "invalid server address " + quoted(text) +
                      ": expected an IP address with an optional port, e.g. 192.0.2.1, 192.0.2.1:53 or "
                      "[2001:db8::1]:53, or tls://192.0.2.1#dns.example for DNS over TLS");
        else
            group.servers.push_back(*server);
    });
    return written.value_or(1);
}

void Loader::read_domains(const toml::node& v, const std::string& path, UpstreamGroupConfig& group) {
    auto written = for_each_string(v, path, [&](auto& text, auto& element, auto& element_path) {
        auto wire = valid_domain_text(text) ? name_from_text(text) : std::nullopt;
        if (!wire) {
            error(element.source(), element_path, "invalid domain name " + quoted(text));
        } else if (std::find(group.domains.begin(), group.domains.end(), *wire) != group.domains.end()) {
            error(element.source(), element_path, "duplicate domain " + quoted(text));
        } else {
            group.domains.push_back(*wire);
            group.domains_text.push_back(text);
        }
    });
    if (written == 0u) error(v.source(), path, "domains must not be empty; write [\".\"] for every name");
}

}  // namespace config_detail

namespace {
using namespace config_detail;

ConfigResult error_result(const std::string& file, std::string message) {
    ConfigResult result;
    result.errors.push_back(ConfigError{file, 0, 0, "", std::move(message)});
    return result;
}

}  // namespace

std::string ConfigError::to_string() const {
    std::string text = file;
    if (line != 0) text += ":" + std::to_string(line) + ":" + std::to_string(column);
    if (!key.empty()) text += ": " + key;
    return text + ": " + message;
}

Config default_config() {
    Config config;
    config.source = "<built-in>";
    config.dns.port = kBuiltinPort;
    config.dns.listen = loopback_listen(kBuiltinPort);
    config.upstreams = {default_group()};
    return config;
}

ConfigResult load_config_text(std::string_view text, const std::string& name) {
    try {
        ConfigResult result;
        toml::table root;
        try {
            root = toml::parse(text, std::string_view(name));
        } catch (const toml::parse_error& e) {
            result.errors.push_back(ConfigError{name, e.source().begin.line, e.source().begin.column, "",
                                                std::string(e.description())});
            return result;
        }
        Loader loader(name);
        Config config = loader.read(root);
        config.source = name;
        result.errors = loader.take_errors();
        if (result.errors.empty()) result.config = std::move(config);
        return result;
    } catch (const std::exception& e) {
        return error_result(name, std::string("internal error: ") + e.what());
    } catch (...) {
        return error_result(name, "internal error");
    }
}

ConfigResult load_config(const std::string& path) {
    try {
        std::FILE* file = std::fopen(path.c_str(), "rb");
        if (!file) return error_result(path, std::string("cannot open: ") + std::strerror(errno));
        std::string text;
        char buffer[16384];
        std::size_t n;
        while (text.size() <= kMaxFileSize && (n = std::fread(buffer, 1, sizeof buffer, file)) > 0)
            text.append(buffer, n);
        int read_errno = std::ferror(file) ? errno : 0;
        std::fclose(file);
        if (read_errno != 0)
            return error_result(path, std::string("cannot read: ") + std::strerror(read_errno));
        if (text.size() > kMaxFileSize) return error_result(path, "file is larger than 16MiB");
        return load_config_text(text, path);
    } catch (const std::exception& e) {
        return error_result(path, std::string("internal error: ") + e.what());
    }
}

}  // namespace lanlord
