// Everything lanlordctl status/stats and /metrics report, copied out of the
// running daemon at one instant. Plain values: the JSON and Prometheus
// renderers are pure functions of it (tested without a daemon).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/fault.h"
#include "common/histogram.h"
#include "dhcp/engine/dhcp_server.h"
#include "resolver/cache/packet_cache.h"
#include "resolver/engine/engine_stats.h"
#include "resolver/recursion/infra_cache.h"
#include "resolver/recursion/record_cache.h"

namespace lanlord {

// A DNS over TLS server's connections (TlsServerStats), all threads'.
struct TlsSnapshot {
    std::string auth_name, version, last_error;
    bool verified = false;
    std::int64_t connections = 0;  // open now
    std::uint64_t connections_opened = 0, handshakes = 0, resumed = 0, handshake_failures = 0;
    std::uint64_t queries = 0, answers = 0, retried = 0, failed = 0;
    double queries_per_connection() const {
        return connections_opened ? static_cast<double>(queries) / static_cast<double>(connections_opened)
                                  : 0.0;
    }
};

struct ServerSnapshot {
    std::string address;  // "192.0.2.1:53"
    bool from_resolv_conf = false;
    std::string state;  // "up", "untested", "backed-off"
    double srtt_ms = 0, rto_ms = 0, backoff_left_s = 0;
    unsigned consecutive_failures = 0;
    std::uint64_t queries = 0, answers = 0, failures = 0, timeouts = 0;
    LatencyHistogram rtt;
    std::optional<TlsSnapshot> tls;  // a DNS over TLS server
};

struct GroupSnapshot {
    std::string name, interface;
    std::vector<std::string> domains;
    std::vector<ServerSnapshot> servers;
};

// One authoritative server address as the iterator knows it.
struct AuthoritySnapshot {
    std::string address;
    double srtt_ms = 0, rto_ms = 0;
    bool measured = false, held = false, no_edns = false, no_0x20 = false;
    std::uint64_t answers = 0, timeouts = 0, failures = 0;
};

struct RecursionSnapshot {
    bool enabled = false;
    RecordCacheStats records;
    std::size_t records_max_bytes = 0;
    std::size_t infra_entries = 0, infra_max_entries = 0;
    std::vector<AuthoritySnapshot> servers;  // the most used, at most kMaxAuthorities
    static constexpr std::size_t kMaxAuthorities = 50;
};

// [dnssec] as `lanlordctl status` shows it.
struct DnssecSnapshot {
    bool enabled = false;  // validating (a recursive group and validate = true)
    bool clock_trusted = false;
    std::string clock_reason, timestamp_file;
    std::size_t anchors = 0, key_cache_entries = 0;
    std::size_t negative_trust_anchors = 0;
    std::size_t aggressive_records = 0;  // NSEC/NSEC3 records kept for RFC 8198
    // RFC 5011 for the root (daemon/anchor_updater.h): off when empty.
    std::string anchor_state_file, anchor_save_error;
    std::vector<std::string> anchor_keys;  // "38696 valid", "12345 addpend until 1790000000"
    std::int64_t anchor_last_query = 0, anchor_next_query = 0;  // wall seconds; 0: never
    std::uint32_t anchor_failures = 0;
};

struct SubnetSnapshot {
    std::string interface, subnet;
    std::uint64_t pool_size = 0;      // addresses in its pools
    std::uint64_t active_leases = 0;  // unexpired leases inside its pools
    std::uint64_t leases = 0;         // unexpired leases in the subnet (reservations outside pools too)
    std::uint64_t reservations = 0;
};

struct DaemonSnapshot {
    std::string version, config_file, log_level;
    double uptime_seconds = 0;
    unsigned threads = 1;
    std::vector<std::string> listeners;
    EngineStats dns;
    CacheStats cache;
    std::size_t cache_max_entries = 0, cache_max_bytes = 0;
    std::vector<GroupSnapshot> upstreams;
    RecursionSnapshot recursion;
    DnssecSnapshot dnssec;
    bool dhcp_enabled = false;
    dhcp::ServerStats dhcp;
    std::vector<SubnetSnapshot> subnets;
    std::uint64_t leases_total = 0;
    // Exceptions caught at each event-loop boundary, and failed LANLORD_CHECKs
    // (common/fault.h): anything but zero is a bug worth reporting.
    std::array<std::uint64_t, kFaultSiteCount> faults_caught{};
    std::uint64_t checks_failed = 0;
};

}  // namespace lanlord
