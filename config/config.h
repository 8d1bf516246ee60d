// The typed, validated, immutable configuration of lanlord.
//
// Produced by load_config() from a TOML file (toml++ is confined to config/),
// or by default_config() when no file is given. Every key, its default and its
// unit is documented in man/lanlord.toml.5; the key names below are the TOML
// names. Nothing here touches sockets or the clock: the daemon composes engines
// from a Config and swaps a new one in on SIGHUP after it validated whole.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ip_address.h"
#include "common/tls_auth.h"
#include "dhcp/engine/server_config.h"

namespace lanlord {

using ConfigDuration = std::chrono::milliseconds;

// One [[upstream]] table: a group of servers and the names it serves.
struct UpstreamGroupConfig {
    std::string name;               // "name"; default "upstream<N>" (1-based)
    std::vector<Endpoint> servers;  // "servers": "ip" or "ip:port" / "[v6]:port", port 53
    // The servers written "tls://ADDR[:PORT][#NAME]" (DNS over TLS, port 853),
    // each also in `servers`, with how it is authenticated: NAME, and the
    // group's "tls_ca_file" and "tls_pin_sha256".
    std::vector<std::pair<Endpoint, TlsAuth>> tls_servers;
    std::string resolv_conf;                // "resolv_conf": file whose nameserver lines add servers; watched
    std::string interface;                  // "interface": egress device (SO_BINDTODEVICE); "" = any
    std::vector<std::string> domains;       // "domains": lower-case wire-form names; "." = default route
    std::vector<std::string> domains_text;  // the same as written, for logs and status
    std::vector<std::string> clients;       // "clients": listening interfaces allowed to use it; empty = all
    bool recursive = false;                 // "recursive": resolve from the root servers (no servers then)
    friend bool operator==(const UpstreamGroupConfig&, const UpstreamGroupConfig&) = default;
};

// [recursion]: how the recursive groups resolve (README "Recursive mode").
enum class Ipv6Use : std::uint8_t { automatic, on, off };
struct RecursionConfig {
    std::string root_hints;                // "root_hints": named.root file; "" = built-in hints
    Ipv6Use ipv6 = Ipv6Use::automatic;     // "ipv6": "auto" (if the host routes IPv6), "on", "off"
    bool qname_minimisation = true;        // "qname_minimisation": RFC 9156, relaxed
    bool case_randomisation = true;        // "case_randomisation": 0x20 in outgoing names
    std::vector<Prefix> allow_private;     // "allow_private": private server addresses that may be asked
    std::size_t cache_memory = 8u << 20;   // "cache_memory": RRset and negative cache, bytes
    std::size_t infra_cache_size = 10000;  // "infra_cache_size": server addresses remembered
    unsigned max_queries = 50;             // "max_queries": outgoing queries per client query
    ConfigDuration time_limit{std::chrono::seconds(10)};  // "time_limit": one resolution in all
    friend bool operator==(const RecursionConfig&, const RecursionConfig&) = default;
};

// [dnssec]: validation of the recursive groups' answers (README "DNSSEC").
struct DnssecConfig {
    bool validate = true;             // "validate": recursive groups (unbound's and Knot Resolver's default)
    bool validate_forwarded = false;  // "validate_forwarded": forwarding groups (dnsmasq's default: off)
    std::string trust_anchor_file;    // "trust_anchor_file": root.key format; "" = built-in root KSKs
    std::vector<std::string> negative_trust_anchors;  // "negative_trust_anchors": RFC 7646, wire form
    std::string timestamp_file;          // "timestamp_file": clock evidence; "" = state directory's
    std::size_t key_cache_size = 10000;  // "key_cache_size": zones whose keys or security are remembered
    bool aggressive_nsec = true;         // "aggressive_nsec": RFC 8198 in recursive mode
    bool rfc5011 = true;                 // "rfc5011": keep the root's anchors up to date, recursive mode
    friend bool operator==(const DnssecConfig&, const DnssecConfig&) = default;
};

// [cache]
struct CacheConfig {
    std::size_t size = 10000;                                // "size": entries
    std::size_t max_memory = 64u << 20;                      // "max_memory": bytes of stored answers
    ConfigDuration min_ttl{0};                               // "min_ttl"
    ConfigDuration max_ttl{std::chrono::hours(24)};          // "max_ttl"
    ConfigDuration negative_max_ttl{std::chrono::hours(1)};  // "negative_max_ttl" (RFC 2308 section 5)
    bool serve_stale = true;                                 // "serve_stale" (RFC 8767)
    ConfigDuration stale_max{std::chrono::hours(24)};        // "stale_max"
    bool prefetch = true;                                    // "prefetch"
    friend bool operator==(const CacheConfig&, const CacheConfig&) = default;
};

// [dns]
struct DnsConfig {
    std::vector<Endpoint> listen;           // "listen": addresses (port from "port" unless given)
    std::vector<std::string> interfaces;    // "interfaces": listen on every address of these
    std::uint16_t port = 53;                // "port"
    std::vector<Prefix> allow;              // "allow": clients always answered (unless denied)
    std::vector<Prefix> deny;               // "deny": clients always refused
    std::uint16_t edns_buffer_size = 1232;  // "edns_buffer_size": advertised and used as UDP answer cap
    ConfigDuration tcp_idle_timeout{std::chrono::seconds(10)};  // "tcp_idle_timeout"
    unsigned tcp_max_connections = 256;                         // "tcp_max_connections"
    ConfigDuration upstream_timeout{std::chrono::seconds(3)};   // "upstream_timeout": whole query
    bool bogus_priv = true;               // "bogus_priv": private reverse zones answered locally
    bool domain_needed = true;            // "domain_needed": single-label names answered locally
    std::uint32_t client_rate_limit = 0;  // "client_rate_limit": queries/s per client; 0: no limit
    std::uint32_t client_rate_burst = 0;  // "client_rate_burst": queries at once; 0: client_rate_limit
    std::string identity;                 // "identity": CHAOS id.server; empty: the host's name
    bool hide_identity = false;           // "hide_identity": REFUSE id.server / hostname.bind
    bool hide_version = false;            // "hide_version": REFUSE version.bind / version.server
    std::vector<Endpoint> tls_listen;     // "tls_listen": DNS over TLS listeners, port 853 unless given
    std::string tls_certificate;          // "tls_certificate": PEM chain for tls_listen; read again on SIGHUP
    std::string tls_key;                  // "tls_key": its private key, PEM
    friend bool operator==(const DnsConfig&, const DnsConfig&) = default;
};

// One [[local.record]]: a configured record, answered authoritatively.
struct LocalRecordConfig {
    std::string name;                  // lower-case wire form
    std::string name_text;             // as written
    std::uint16_t type = 0;            // A, AAAA, CNAME, MX, SRV, TXT, PTR
    std::optional<std::uint32_t> ttl;  // "ttl"; default local.ttl
    std::vector<std::uint8_t> rdata;   // "data" encoded (names uncompressed)
    friend bool operator==(const LocalRecordConfig&, const LocalRecordConfig&) = default;
};

// One [[local.address]]: dnsmasq's address=/domain/ip: the domain and every
// name below it answer these addresses.
struct AddressRuleConfig {
    std::string domain;  // wire form
    std::string domain_text;
    std::vector<IpAddress> addresses;
    friend bool operator==(const AddressRuleConfig&, const AddressRuleConfig&) = default;
};

// [local]: names answered here and never forwarded.
struct LocalConfig {
    std::vector<std::string> hosts = {"/etc/hosts"};  // "hosts": hosts(5) files or directories of them
    std::string domain;                               // "domain": the local domain, wire form; "" = none
    std::string domain_text;
    bool expand_hosts = false;                     // "expand_hosts": "nas" also answers as "nas.<domain>"
    ConfigDuration ttl{std::chrono::seconds(60)};  // "ttl": TTL of local answers
    std::vector<LocalRecordConfig> records;        // [[local.record]]
    std::vector<AddressRuleConfig> addresses;      // [[local.address]]
    friend bool operator==(const LocalConfig&, const LocalConfig&) = default;
};

enum class BlockAnswer : std::uint8_t { nxdomain, nodata, null_address };

// [blocklist]
struct BlocklistConfig {
    std::vector<std::string> files;              // "files": lists or directories of lists
    std::vector<std::string> allow;              // "allow": domains never blocked (wire form)
    std::vector<std::string> allow_files;        // "allow_files": lists of such domains
    BlockAnswer answer = BlockAnswer::nxdomain;  // "answer": "nxdomain", "nodata" or "null"
    friend bool operator==(const BlocklistConfig&, const BlocklistConfig&) = default;
};

// [dhcp]: the DHCPv4 server; off while it has no [[dhcp.subnet]].
struct DhcpConfig {
    std::string journal;          // "journal": lease journal path; "" = $STATE_DIRECTORY or /var/lib/lanlord
    dhcp::ServerSettings server;  // subnets, reservations, offer_hold, decline_probation
    std::vector<bool> server_address_given;  // per subnet: false = take the interface's address at start
    bool enabled() const { return !server.subnets.empty(); }
    friend bool operator==(const DhcpConfig&, const DhcpConfig&) = default;
};

// [control]: the UNIX socket lanlordctl talks to (JSON, one request per line).
struct ControlConfig {
    std::string socket = "/run/lanlord/control.sock";  // "socket"; "" = no control socket
    bool socket_written = false;  // set in the file: failing to create it is then fatal, else a warning
    std::string group;            // "group": the socket's group (mode 0660); "" = the user's group
    friend bool operator==(const ControlConfig&, const ControlConfig&) = default;
};

// [metrics]: Prometheus text exposition over HTTP (GET /metrics).
struct MetricsConfig {
    std::optional<Endpoint> listen;  // "listen": "127.0.0.1:9153"; absent = off
    friend bool operator==(const MetricsConfig&, const MetricsConfig&) = default;
};

// [querylog]: the in-memory log of recent queries (the web page, lanlordctl
// querylog). Never written to disk.
enum class QueryLogPrivacyLevel : std::uint8_t { show_all, hide_names, hide_clients, off };
struct QueryLogConfig {
    std::uint64_t size = 100000;  // "size": records kept (18.3 MiB at 100,000); 0 = no log
    QueryLogPrivacyLevel privacy = QueryLogPrivacyLevel::show_all;  // "privacy": Pi-hole's levels 0-3
    friend bool operator==(const QueryLogConfig&, const QueryLogConfig&) = default;
};

// [web]: the dashboard and its JSON API over HTTP.
struct WebConfig {
    std::optional<Endpoint> listen;                          // "listen": "0.0.0.0:8080"; absent = off
    ConfigDuration session_timeout{std::chrono::hours(12)};  // "session_timeout": idle sessions end
    friend bool operator==(const WebConfig&, const WebConfig&) = default;
};

// Every config struct compares field by field (defaulted operator==), so a
// test comparing two Configs covers a field added later without being told.
struct Config {
    std::string source = "<built-in>";  // the file it came from
    std::string log_level = "info";     // "log_level"
    std::string user;                   // "user": drop privileges to it after binding; "" = stay
    unsigned threads = 0;               // "threads": DNS threads; 0 = one per core
    DnsConfig dns;
    CacheConfig cache;
    LocalConfig local;
    BlocklistConfig blocklist;
    DhcpConfig dhcp;
    ControlConfig control;
    MetricsConfig metrics;
    QueryLogConfig querylog;
    WebConfig web;
    RecursionConfig recursion;
    DnssecConfig dnssec;
    std::vector<UpstreamGroupConfig> upstreams;  // [[upstream]]; none -> one group from /etc/resolv.conf
    friend bool operator==(const Config&, const Config&) = default;
};

// One problem found in a config file, with where it was found.
struct ConfigError {
    std::string file;
    unsigned line = 0;    // 1-based; 0 when unknown
    unsigned column = 0;  // 1-based; 0 when unknown
    std::string key;      // dotted path, e.g. "upstream[1].servers[0]"
    std::string message;
    std::string to_string() const;  // "file:line:column: key: message"
};

struct ConfigResult {
    std::optional<Config> config;     // set only when errors is empty
    std::vector<ConfigError> errors;  // every problem found, not just the first
};

// The configuration used when lanlord starts without --config: listen on
// 127.0.0.1 and ::1 port 5353, forward to the servers of /etc/resolv.conf.
Config default_config();

// Reads and validates a whole file. Never throws.
ConfigResult load_config(const std::string& path);
// Same, from text (tests, fuzzing); `name` is used in error messages.
ConfigResult load_config_text(std::string_view text, const std::string& name);

// "30s", "500ms", "12h", "1d", "1w", "90" (seconds) -> duration.
std::optional<ConfigDuration> parse_duration(std::string_view text);
// The wire RDATA of a configured record from its presentation text: "A"
// "192.0.2.1", "MX" "10 mail.lan", "SRV" "10 60 5060 sip.lan", "TXT" any text
// (split into 255-byte strings), "CNAME"/"PTR" a name. nullopt and `why`
// when it does not parse. `type` is the numeric type or 0 if unknown.
std::optional<std::vector<std::uint8_t>> encode_record_data(std::string_view type_text, std::string_view data,
                                                            std::uint16_t& type, std::string& why);

// "64MiB", "512KiB", "1GiB", "4096", "10kB", "1MB" -> bytes.
std::optional<std::size_t> parse_size(std::string_view text);
// The inverse of parse_duration in the largest exact unit: 90000ms -> "90s",
// 3600000ms -> "1h", 0 -> "0s". For messages and status output.
std::string format_duration(ConfigDuration d);

}  // namespace lanlord
