#include "daemon/control/metrics_text.h"

#include <fmt/format.h>

#include <utility>
#include <vector>

#include "resolver/wire/answer_text.h"

namespace lanlord {

namespace {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Writer {
  public:
    // HELP and TYPE once per family, before its first sample.
    void family(const char* name, const char* type, const char* help) {
        out_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
    }
    void sample(const std::string& name, const Labels& labels, double value) {
        out_ += name;
        if (!labels.empty()) {
            out_ += '{';
            for (std::size_t i = 0; i < labels.size(); ++i)
                out_ += fmt::format("{}{}=\"{}\"", i ? "," : "", labels[i].first,
                                    escape_label_value(labels[i].second));
            out_ += '}';
        }
        out_ += fmt::format(" {}\n", value);
    }
    void counter(const char* name, const char* help, double value) {
        family(name, "counter", help);
        sample(name, {}, value);
    }
    void gauge(const char* name, const char* help, double value) {
        family(name, "gauge", help);
        sample(name, {}, value);
    }
    void histogram(const std::string& name, const Labels& labels, const LatencyHistogram& h) {
        std::uint64_t cumulative = 0;
        for (std::size_t i = 0; i < LatencyHistogram::kBuckets; ++i) {
            cumulative += h.bucket(i);
            Labels with_le = labels;
            with_le.emplace_back("le", i < LatencyHistogram::kBoundsUs.size()
                                           ? fmt::format("{}", LatencyHistogram::kBoundsUs[i] / 1e6)
                                           : std::string("+Inf"));
            sample(name + "_bucket", with_le, static_cast<double>(cumulative));
        }
        sample(name + "_sum", labels, static_cast<double>(h.sum_us()) / 1e6);
        sample(name + "_count", labels, static_cast<double>(h.count()));
    }
    std::string take() { return std::move(out_); }

  private:
    std::string out_;
};

}  // namespace

std::string escape_label_value(const std::string& v) {
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

std::string render_metrics(const DaemonSnapshot& s) {
    Writer w;
    const EngineStats& d = s.dns;
    w.family("lanlord_build_info", "gauge", "Version of the running lanlord.");
    w.sample("lanlord_build_info", {{"version", s.version}}, 1);
    w.gauge("lanlord_uptime_seconds", "Seconds since lanlord started.", s.uptime_seconds);

    w.counter("lanlord_dns_queries_total", "DNS queries received (UDP and TCP).",
              static_cast<double>(d.queries));
    w.family("lanlord_dns_queries_by_type_total", "counter", "DNS queries parsed, by query type.");
    for (std::size_t i = 0; i < d.qtypes.size(); ++i)
        w.sample(
            "lanlord_dns_queries_by_type_total",
            {{"type", i < kCountedQtypes.size() ? type_to_text(kCountedQtypes[i]) : std::string("other")}},
            static_cast<double>(d.qtypes[i]));
    w.family("lanlord_dns_answers_total", "counter", "DNS answers sent, by response code.");
    for (std::size_t i = 0; i < 6; ++i)  // the common rcodes always, so rates start at zero
        w.sample("lanlord_dns_answers_total", {{"rcode", rcode_to_text(static_cast<std::uint8_t>(i))}},
                 static_cast<double>(d.rcodes[i]));
    for (std::size_t i = 6; i < d.rcodes.size(); ++i)
        if (d.rcodes[i])
            w.sample("lanlord_dns_answers_total", {{"rcode", rcode_to_text(static_cast<std::uint8_t>(i))}},
                     static_cast<double>(d.rcodes[i]));
    w.counter("lanlord_dns_dropped_total", "Queries dropped without an answer (unparseable, or responses).",
              static_cast<double>(d.dropped));
    w.counter("lanlord_dns_refused_total", "Queries refused by access control.",
              static_cast<double>(d.refused));
    w.counter("lanlord_dns_rate_limited_total", "Queries dropped: over the client's rate limit.",
              static_cast<double>(d.rate_limited));
    w.counter("lanlord_dns_local_answers_total", "Answers from local data (hosts, records, DHCP names).",
              static_cast<double>(d.local_answers));
    w.counter("lanlord_dns_blocked_total", "Queries answered from the blocklist.",
              static_cast<double>(d.blocked));
    w.counter("lanlord_dns_upstream_queries_total", "Queries sent upstream (attempts, UDP and TCP).",
              static_cast<double>(d.upstream_queries));
    w.counter("lanlord_dns_upstream_timeouts_total", "Upstream attempts that timed out.",
              static_cast<double>(d.upstream_timeouts));
    w.counter("lanlord_dns_upstream_errors_total",
              "Upstream attempts that failed (SERVFAIL, REFUSED, malformed).",
              static_cast<double>(d.upstream_errors));
    w.counter("lanlord_dns_tcp_fallbacks_total", "Truncated upstream answers repeated over TCP.",
              static_cast<double>(d.tcp_fallbacks));
    w.counter("lanlord_dns_spoof_mismatches_total", "Upstream answers ignored: wrong source, ID or question.",
              static_cast<double>(d.spoof_mismatches));
    w.counter("lanlord_dns_coalesced_total", "Queries that joined an identical one in flight.",
              static_cast<double>(d.coalesced));
    w.counter("lanlord_dns_stale_answers_total", "Stale answers served (RFC 8767).",
              static_cast<double>(d.stale_answers));
    w.counter("lanlord_dns_prefetches_total", "Cache entries refreshed before they expired.",
              static_cast<double>(d.prefetches));
    w.counter("lanlord_dns_servfail_sent_total", "SERVFAIL answers sent after every upstream failed.",
              static_cast<double>(d.servfail_sent));
    w.family("lanlord_dns_answer_duration_seconds", "histogram",
             "Time from a query's arrival to its answer (cache hits near zero).");
    w.histogram("lanlord_dns_answer_duration_seconds", {}, d.answer_latency);

    w.counter("lanlord_cache_hits_total", "Queries answered from the cache.",
              static_cast<double>(d.cache_hits));
    w.counter("lanlord_cache_misses_total", "Queries not in the cache.", static_cast<double>(d.cache_misses));
    w.counter("lanlord_cache_inserts_total", "Answers stored in the cache.",
              static_cast<double>(s.cache.inserts));
    w.counter("lanlord_cache_evictions_total", "Entries evicted to make room.",
              static_cast<double>(s.cache.evictions));
    w.gauge("lanlord_cache_entries", "Entries in the cache.", static_cast<double>(s.cache.entries));
    w.gauge("lanlord_cache_bytes", "Bytes of answers in the cache.", static_cast<double>(s.cache.bytes));
    w.gauge("lanlord_cache_max_entries", "The cache's entry limit.",
            static_cast<double>(s.cache_max_entries));

    struct ServerMetric {
        const char* name;
        const char* type;
        const char* help;
        double (*value)(const ServerSnapshot&);
    };
    static const ServerMetric kServerMetrics[] = {
        {"lanlord_upstream_up", "gauge", "1 when the server is not backed off after failures.",
         [](const ServerSnapshot& v) { return v.state == "backed-off" ? 0.0 : 1.0; }},
        {"lanlord_upstream_srtt_seconds", "gauge", "Smoothed round-trip time (RFC 6298).",
         [](const ServerSnapshot& v) { return v.srtt_ms / 1000; }},
        {"lanlord_upstream_queries_total", "counter", "Attempts sent to the server.",
         [](const ServerSnapshot& v) { return static_cast<double>(v.queries); }},
        {"lanlord_upstream_answers_total", "counter", "Answers received from the server.",
         [](const ServerSnapshot& v) { return static_cast<double>(v.answers); }},
        {"lanlord_upstream_failures_total", "counter", "Failures (timeouts included).",
         [](const ServerSnapshot& v) { return static_cast<double>(v.failures); }},
        {"lanlord_upstream_timeouts_total", "counter", "Attempts that timed out.",
         [](const ServerSnapshot& v) { return static_cast<double>(v.timeouts); }},
    };
    for (const auto& m : kServerMetrics) {
        w.family(m.name, m.type, m.help);
        for (const auto& g : s.upstreams)
            for (const auto& srv : g.servers)
                w.sample(m.name, {{"group", g.name}, {"server", srv.address}}, m.value(srv));
    }
    // DNS over TLS servers only (RFC 7858): their connections.
    struct TlsMetric {
        const char* name;
        const char* type;
        const char* help;
        double (*value)(const TlsSnapshot&);
    };
    static const TlsMetric kTlsMetrics[] = {
        {"lanlord_upstream_tls_connections", "gauge", "DNS over TLS connections open to the server.",
         [](const TlsSnapshot& t) { return static_cast<double>(t.connections); }},
        {"lanlord_upstream_tls_handshakes_total", "counter",
         "TLS handshakes completed (resumed ones included).",
         [](const TlsSnapshot& t) { return static_cast<double>(t.handshakes); }},
        {"lanlord_upstream_tls_resumed_total", "counter", "TLS handshakes that resumed a session.",
         [](const TlsSnapshot& t) { return static_cast<double>(t.resumed); }},
        {"lanlord_upstream_tls_handshake_failures_total", "counter",
         "Connections that failed before the server was authenticated (connect, TLS, certificate, pin).",
         [](const TlsSnapshot& t) { return static_cast<double>(t.handshake_failures); }},
        {"lanlord_upstream_tls_queries_total", "counter", "Queries written to the server's TLS connections.",
         [](const TlsSnapshot& t) { return static_cast<double>(t.queries); }},
        {"lanlord_upstream_tls_retried_total", "counter",
         "Queries asked again on another connection after theirs closed.",
         [](const TlsSnapshot& t) { return static_cast<double>(t.retried); }},
        {"lanlord_upstream_tls_verified", "gauge", "1 when the last handshake authenticated the server.",
         [](const TlsSnapshot& t) { return t.verified ? 1.0 : 0.0; }},
    };
    for (const auto& m : kTlsMetrics) {
        w.family(m.name, m.type, m.help);
        for (const auto& g : s.upstreams)
            for (const auto& srv : g.servers)
                if (srv.tls)
                    w.sample(m.name, {{"group", g.name}, {"server", srv.address}}, m.value(*srv.tls));
    }
    w.family("lanlord_upstream_rtt_seconds", "histogram", "Round-trip time of every upstream answer.");
    for (const auto& g : s.upstreams)
        for (const auto& srv : g.servers)
            w.histogram("lanlord_upstream_rtt_seconds", {{"group", g.name}, {"server", srv.address}},
                        srv.rtt);

    const dhcp::ServerStats& h = s.dhcp;
    w.family("lanlord_dhcp_received_total", "counter", "DHCP messages received, by type.");
    const std::pair<const char*, std::uint64_t> received[] = {{"discover", h.discovers},
                                                              {"request", h.requests},
                                                              {"decline", h.declines},
                                                              {"release", h.releases},
                                                              {"inform", h.informs}};
    for (const auto& [type, n] : received)
        w.sample("lanlord_dhcp_received_total", {{"type", type}}, static_cast<double>(n));
    w.family("lanlord_dhcp_sent_total", "counter", "DHCP replies sent, by type.");
    const std::pair<const char*, std::uint64_t> sent[] = {
        {"offer", h.offers}, {"ack", h.acks}, {"nak", h.naks}};
    for (const auto& [type, n] : sent)
        w.sample("lanlord_dhcp_sent_total", {{"type", type}}, static_cast<double>(n));
    w.counter("lanlord_dhcp_malformed_total", "DHCP packets that did not parse.",
              static_cast<double>(h.malformed));
    w.counter("lanlord_dhcp_dropped_total", "DHCP packets ignored (not for us, no subnet, ...).",
              static_cast<double>(h.dropped));
    w.counter("lanlord_dhcp_pool_exhausted_total", "DISCOVERs left without an OFFER: no free address.",
              static_cast<double>(h.pool_exhausted));
    w.counter("lanlord_dhcp_conflict_probes_total", "ICMP echo probes before offering (ping_check).",
              static_cast<double>(h.probes));
    w.counter("lanlord_dhcp_conflicts_total", "Addresses that answered a probe: set aside, another offered.",
              static_cast<double>(h.conflicts));
    w.gauge("lanlord_dhcp_leases", "Unexpired leases.", static_cast<double>(s.leases_total));
    w.family("lanlord_dhcp_pool_size", "gauge", "Addresses in a subnet's pools.");
    for (const auto& n : s.subnets)
        w.sample("lanlord_dhcp_pool_size", {{"subnet", n.subnet}, {"interface", n.interface}},
                 static_cast<double>(n.pool_size));
    w.family("lanlord_dhcp_pool_used", "gauge", "Unexpired leases inside a subnet's pools.");
    for (const auto& n : s.subnets)
        w.sample("lanlord_dhcp_pool_used", {{"subnet", n.subnet}, {"interface", n.interface}},
                 static_cast<double>(n.active_leases));

    if (s.recursion.enabled) {
        const IteratorStats& it = d.iterator;
        w.counter("lanlord_recursion_resolutions_total",
                  "Resolutions the iterator finished (recursive groups).",
                  static_cast<double>(it.answered + it.failed));
        w.counter("lanlord_recursion_failures_total", "Resolutions that ended in SERVFAIL.",
                  static_cast<double>(it.failed));
        w.counter("lanlord_recursion_limits_hit_total", "Resolutions stopped by a work or time limit.",
                  static_cast<double>(it.budget_exceeded));
        w.counter("lanlord_recursion_queries_total", "Queries sent to authoritative servers.",
                  static_cast<double>(it.queries));
        w.counter("lanlord_recursion_timeouts_total", "Queries to authoritative servers that timed out.",
                  static_cast<double>(it.timeouts));
        w.counter("lanlord_recursion_lame_total", "Answers from servers lame for the zone asked.",
                  static_cast<double>(it.lame));
        w.counter("lanlord_recursion_spoofed_total", "Answers ignored: wrong source, ID or question.",
                  static_cast<double>(it.spoofed));
        w.family("lanlord_recursion_queries_per_resolution", "counter",
                 "Resolutions by the outgoing queries they cost (bucket le: at most that many).");
        static const char* kLe[] = {"0", "1", "2", "3", "5", "9", "19", "+Inf"};
        for (std::size_t i = 0; i < it.queries_per_resolution.size(); ++i)
            w.sample("lanlord_recursion_queries_per_resolution", {{"le", kLe[i]}},
                     static_cast<double>(it.queries_per_resolution[i]));
        w.gauge("lanlord_recursion_record_cache_bytes", "Bytes in the record cache (RRsets and negatives).",
                static_cast<double>(s.recursion.records.bytes));
        w.gauge("lanlord_recursion_record_cache_entries", "Entries in the record cache.",
                static_cast<double>(s.recursion.records.entries));
        w.gauge("lanlord_recursion_infra_cache_entries", "Authoritative server addresses remembered.",
                static_cast<double>(s.recursion.infra_entries));
        w.family("lanlord_authority_srtt_seconds", "gauge",
                 "Smoothed RTT of the most used authoritative server addresses (at most 50).");
        for (const AuthoritySnapshot& a : s.recursion.servers)
            if (a.measured)
                w.sample("lanlord_authority_srtt_seconds", {{"address", a.address}}, a.srtt_ms / 1000);
        w.family("lanlord_authority_timeouts_total", "counter",
                 "Timeouts of the most used authoritative server addresses (at most 50).");
        for (const AuthoritySnapshot& a : s.recursion.servers)
            w.sample("lanlord_authority_timeouts_total", {{"address", a.address}},
                     static_cast<double>(a.timeouts));
    }

    if (s.dnssec.enabled) {
        w.family("lanlord_dnssec_verdicts_total", "counter", "Validated answers by verdict.");
        static const char* kVerdict[] = {"indeterminate", "insecure", "secure", "bogus"};
        for (std::size_t i = 0; i < d.dnssec_verdicts.size(); ++i)
            w.sample("lanlord_dnssec_verdicts_total", {{"verdict", kVerdict[i]}},
                     static_cast<double>(d.dnssec_verdicts[i]));
        w.counter("lanlord_dnssec_bogus_from_cache_total", "Bogus answers given again from the bogus cache.",
                  static_cast<double>(d.dnssec_bogus_cached));
        w.counter("lanlord_dnssec_key_fetches_total", "DS and DNSKEY fetches of validations.",
                  static_cast<double>(d.dnssec_fetches));
        w.counter("lanlord_dnssec_unsigned_upstream_total",
                  "Forwarded answers without the signatures their zone has (the upstream strips them).",
                  static_cast<double>(d.dnssec_unsigned_upstream));
        w.counter("lanlord_dnssec_synthesised_total",
                  "NXDOMAIN/NODATA answered from cached NSEC/NSEC3 records (RFC 8198).",
                  static_cast<double>(d.dnssec_synthesised));
        w.counter("lanlord_dnssec_ds_from_referrals_total",
                  "DS sets (or proofs of none) taken from a referral instead of a DS query.",
                  static_cast<double>(d.dnssec_ds_from_referrals));
        w.gauge("lanlord_dnssec_clock_trusted", "1 when the wall clock is trusted for signature dates.",
                s.dnssec.clock_trusted ? 1 : 0);
        w.gauge("lanlord_dnssec_key_cache_entries", "Zones whose keys or security are cached.",
                static_cast<double>(s.dnssec.key_cache_entries));
    }

    w.family("lanlord_handler_exceptions_total", "counter",
             "Exceptions caught at an event-loop boundary (that packet or event was dropped); a bug.");
    for (std::size_t i = 0; i < kFaultSiteCount; ++i)
        w.sample("lanlord_handler_exceptions_total",
                 {{"entry", std::string(to_string(static_cast<FaultSite>(i)))}},
                 static_cast<double>(s.faults_caught[i]));
    w.counter("lanlord_internal_check_failures_total",
              "Internal consistency checks that failed (the work in hand was dropped); a bug.",
              static_cast<double>(s.checks_failed));
    return w.take();
}

}  // namespace lanlord
