// The values `lanlordctl bench` passes between its parts: what is measured
// (targets), how (settings) and what came out (per-target results). Plain
// data, no I/O: the sans-I/O core fills results, the formatters read them.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/ip_address.h"
#include "common/tls_auth.h"

namespace lanlord::bench {

// Randomness is injected (tests pass a fixed sequence); the command uses the
// kernel CSPRNG so that query IDs and unique labels cannot be predicted.
using Random = std::function<std::uint64_t()>;

enum class TargetKind : std::uint8_t { self, upstream, server, public_preset };
const char* to_string(TargetKind kind);

// How the queries travel: a datagram each, or DNS over TLS (RFC 7858): one
// connection kept open and every query pipelined on it, as Android's Private
// DNS and stubby do, so that the query latency is that of a warm connection
// and what a new connection costs is measured apart (TlsResult).
enum class Transport : std::uint8_t { udp, tls };
const char* to_string(Transport transport);

struct Target {
    std::string name;  // shown in every output; unique within a run
    Endpoint endpoint;
    TargetKind kind = TargetKind::server;
    Transport transport = Transport::udp;
    TlsAuth tls;  // how a DoT server is authenticated (RFC 8310 strict: no clear-text fallback)
};

struct BenchSettings {
    double rate = 5.0;     // queries per second per target ("polite": a stub's pace, not a load test)
    unsigned count = 100;  // measured queries per phase per target
    std::chrono::milliseconds timeout{2000};  // no answer by then = lost
    unsigned probe_attempts = 3;              // hijack and DNSSEC probes are asked again when lost
    unsigned warmup_attempts = 2;             // a lost warm-up would show up as a cache miss
    // DoT: new connections opened after the queries, one at a time, only to
    // time them: this many without a session to resume (a full handshake)
    // and this many resuming the query connection's session (RFC 8446
    // section 2.2, RFC 5077).
    unsigned tls_handshake_probes = 3;
    unsigned tls_connect_attempts = 3;  // failed connections in a row before a DoT target is given up
};

// A yes/no answer that a run may fail to find out (every probe lost).
enum class Tri : std::uint8_t { unknown, no, yes };

enum class Phase : std::uint8_t { cached, uncached };

// What a phase collected. Latencies are of answered queries only: a timeout
// is counted in `lost` and never averaged in (it would measure our timeout,
// not the resolver).
struct PhaseSamples {
    unsigned sent = 0;
    std::vector<double> latencies_ms;         // one per answer, in arrival order
    std::map<std::uint8_t, unsigned> rcodes;  // per RCODE of the answers
    unsigned ad = 0;                          // answers with AD set
    unsigned truncated = 0;                   // answers with TC set (still answers: the latency is real)
};

struct LatencySummary {
    double min = 0, p50 = 0, p95 = 0, p99 = 0, max = 0, mean = 0, stddev = 0;  // milliseconds
};

struct PhaseStats {
    unsigned sent = 0, answered = 0, lost = 0;
    double lost_pct = 0;
    std::optional<LatencySummary> latency;  // none when nothing was answered
    std::map<std::uint8_t, unsigned> rcodes;
    unsigned ad = 0, truncated = 0;
    std::vector<double> sorted_ms;  // the samples, ascending (for charts and JSON)
};

// What a DoT target's connections cost, apart from the queries' latency.
// Times run from connect() to the end of the TLS handshake (what a stub
// waits before its first query can leave); tcp_ms is the TCP part of it.
struct TlsSamples {
    std::vector<double> full_ms, resumed_ms, tcp_ms;  // per connection that completed its handshake
    unsigned resumption_offered = 0;                  // connections that offered a session
    unsigned failures = 0;                            // connections that did not become usable
    unsigned query_connections = 0;                   // connections that carried queries
    unsigned closed_by_server = 0;                    // query connections the server ended
    std::string version;                              // "TLSv1.3" and the like, of the last handshake
    std::string error;                                // why the last failed connection failed
    bool gave_up = false;                             // tls_connect_attempts failures in a row
    unsigned unsent = 0;                              // measured queries never sent because of that
};

struct TlsResult {
    unsigned handshakes = 0;  // completed, probes included
    unsigned failures = 0, query_connections = 0, closed_by_server = 0;
    unsigned resumption_offered = 0, resumed = 0;  // resumed: offered and accepted
    std::optional<LatencySummary> full, resumed_latency, tcp;
    double queries_per_connection = 0;  // answers received over the query connections
    std::string version, error;
    bool gave_up = false;
    unsigned unsent = 0;
};

struct TargetResult {
    Target target;
    PhaseStats cached, uncached;
    Tri nxdomain_hijack = Tri::unknown;  // an address for a name that cannot exist
    std::string hijack_address;          // the first such address, for the report
    Tri sets_ad = Tri::unknown;          // AD in answers to queries with DO (a validating resolver)
    std::optional<TlsResult> tls;        // DoT targets only
};

// "192.0.2.1:53", or "tls://192.0.2.1:853" for a DoT target.
std::string address_text(const Target& target);

// "NOERROR", "NXDOMAIN", ... or "RCODE<n>".
std::string rcode_name(std::uint8_t rcode);

}  // namespace lanlord::bench
