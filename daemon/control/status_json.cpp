#include "daemon/control/status_json.h"

#include "resolver/dnssec/validation_result.h"

#include "resolver/wire/answer_text.h"

namespace lanlord {

namespace {

nlohmann::json histogram_json(const LatencyHistogram& h) {
    nlohmann::json buckets = nlohmann::json::array();
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < LatencyHistogram::kBuckets; ++i) {
        cumulative += h.bucket(i);
        nlohmann::json b;
        if (i < LatencyHistogram::kBoundsUs.size())
            b["le_us"] = LatencyHistogram::kBoundsUs[i];
        else
            b["le_us"] = "+Inf";
        b["count"] = cumulative;
        buckets.push_back(std::move(b));
    }
    return {{"count", h.count()}, {"sum_us", h.sum_us()}, {"buckets", std::move(buckets)}};
}

nlohmann::json server_json(const ServerSnapshot& s, bool with_histogram) {
    nlohmann::json j = {{"address", s.address},
                        {"from_resolv_conf", s.from_resolv_conf},
                        {"state", s.state},
                        {"srtt_ms", s.srtt_ms},
                        {"rto_ms", s.rto_ms},
                        {"backoff_left_s", s.backoff_left_s},
                        {"consecutive_failures", s.consecutive_failures},
                        {"queries", s.queries},
                        {"answers", s.answers},
                        {"failures", s.failures},
                        {"timeouts", s.timeouts}};
    if (with_histogram) j["rtt"] = histogram_json(s.rtt);
    if (s.tls) {
        const TlsSnapshot& t = *s.tls;
        j["tls"] = {{"auth_name", t.auth_name},
                    {"version", t.version},
                    {"verified", t.verified},
                    {"last_error", t.last_error},
                    {"connections", t.connections},
                    {"connections_opened", t.connections_opened},
                    {"handshakes", t.handshakes},
                    {"resumed", t.resumed},
                    {"handshake_failures", t.handshake_failures},
                    {"queries", t.queries},
                    {"answers", t.answers},
                    {"retried", t.retried},
                    {"failed", t.failed},
                    {"queries_per_connection", t.queries_per_connection()}};
    }
    return j;
}

nlohmann::json groups_json(const DaemonSnapshot& s, bool with_histogram) {
    nlohmann::json groups = nlohmann::json::array();
    for (const auto& g : s.upstreams) {
        nlohmann::json servers = nlohmann::json::array();
        for (const auto& srv : g.servers) servers.push_back(server_json(srv, with_histogram));
        groups.push_back(
            {{"name", g.name}, {"interface", g.interface}, {"domains", g.domains}, {"servers", servers}});
    }
    return groups;
}

nlohmann::json subnets_json(const DaemonSnapshot& s) {
    nlohmann::json subnets = nlohmann::json::array();
    for (const auto& n : s.subnets)
        subnets.push_back({{"interface", n.interface},
                           {"subnet", n.subnet},
                           {"pool_size", n.pool_size},
                           {"active_leases", n.active_leases},
                           {"leases", n.leases},
                           {"reservations", n.reservations}});
    return subnets;
}

}  // namespace

// RFC 5011's state for the root, when it runs (status and stats both show it).
static void add_rfc5011(const DaemonSnapshot& s, nlohmann::json& dnssec) {
    if (s.dnssec.anchor_state_file.empty()) return;
    dnssec["rfc5011"] = {
        {"state_file", s.dnssec.anchor_state_file}, {"save_error", s.dnssec.anchor_save_error},
        {"root_keys", s.dnssec.anchor_keys},        {"last_query", s.dnssec.anchor_last_query},
        {"next_query", s.dnssec.anchor_next_query}, {"failures", s.dnssec.anchor_failures}};
}

nlohmann::json status_json(const DaemonSnapshot& s) {
    nlohmann::json j = {
        {"version", s.version},
        {"uptime_s", s.uptime_seconds},
        {"config_file", s.config_file},
        {"log_level", s.log_level},
        {"threads", s.threads},
        {"listeners", s.listeners},
        {"cache",
         {{"entries", s.cache.entries},
          {"max_entries", s.cache_max_entries},
          {"bytes", s.cache.bytes},
          {"max_bytes", s.cache_max_bytes}}},
        {"upstream_groups", groups_json(s, false)},
        {"dhcp", {{"enabled", s.dhcp_enabled}, {"leases", s.leases_total}, {"subnets", subnets_json(s)}}},
        {"dnssec",
         {{"enabled", s.dnssec.enabled},
          {"clock_trusted", s.dnssec.clock_trusted},
          {"clock_reason", s.dnssec.clock_reason},
          {"bogus", s.dns.dnssec_verdicts[static_cast<std::size_t>(Security::bogus)]},
          {"unsigned_upstream_answers", s.dns.dnssec_unsigned_upstream}}}};
    add_rfc5011(s, j["dnssec"]);
    return j;
}

nlohmann::json stats_json(const DaemonSnapshot& s) {
    const EngineStats& d = s.dns;
    nlohmann::json by_type = nlohmann::json::object();
    for (std::size_t i = 0; i < d.qtypes.size(); ++i) {
        if (!d.qtypes[i]) continue;
        by_type[i < kCountedQtypes.size() ? type_to_text(kCountedQtypes[i]) : std::string("other")] =
            d.qtypes[i];
    }
    nlohmann::json by_rcode = nlohmann::json::object();
    for (std::size_t i = 0; i < d.rcodes.size(); ++i)
        if (d.rcodes[i]) by_rcode[rcode_to_text(static_cast<std::uint8_t>(i))] = d.rcodes[i];
    nlohmann::json dns = {{"queries", d.queries},
                          {"queries_by_type", by_type},
                          {"answers_by_rcode", by_rcode},
                          {"dropped", d.dropped},
                          {"refused", d.refused},
                          {"rate_limited", d.rate_limited},
                          {"formerr", d.formerr},
                          {"notimp", d.notimp},
                          {"local_answers", d.local_answers},
                          {"blocked", d.blocked},
                          {"upstream_queries", d.upstream_queries},
                          {"upstream_timeouts", d.upstream_timeouts},
                          {"upstream_errors", d.upstream_errors},
                          {"tcp_fallbacks", d.tcp_fallbacks},
                          {"spoof_mismatches", d.spoof_mismatches},
                          {"coalesced", d.coalesced},
                          {"stale_answers", d.stale_answers},
                          {"prefetches", d.prefetches},
                          {"servfail_sent", d.servfail_sent},
                          {"answer_latency", histogram_json(d.answer_latency)}};
    nlohmann::json cache = {{"hits", d.cache_hits},
                            {"misses", d.cache_misses},
                            {"inserts", s.cache.inserts},
                            {"evictions", s.cache.evictions},
                            {"entries", s.cache.entries},
                            {"bytes", s.cache.bytes},
                            {"max_entries", s.cache_max_entries},
                            {"max_bytes", s.cache_max_bytes}};
    const IteratorStats& it = d.iterator;
    nlohmann::json per_resolution = nlohmann::json::object();
    static const char* kBuckets[] = {"0", "1", "2", "3", "4-5", "6-9", "10-19", "20+"};
    for (std::size_t i = 0; i < it.queries_per_resolution.size(); ++i)
        per_resolution[kBuckets[i]] = it.queries_per_resolution[i];
    nlohmann::json servers = nlohmann::json::array();
    for (const AuthoritySnapshot& a : s.recursion.servers)
        servers.push_back({{"address", a.address},
                           {"srtt_ms", a.srtt_ms},
                           {"rto_ms", a.rto_ms},
                           {"measured", a.measured},
                           {"held", a.held},
                           {"no_edns", a.no_edns},
                           {"no_0x20", a.no_0x20},
                           {"answers", a.answers},
                           {"timeouts", a.timeouts},
                           {"failures", a.failures}});
    nlohmann::json recursion = {
        {"enabled", s.recursion.enabled},
        {"resolutions", it.resolutions},
        {"answered", it.answered},
        {"failed", it.failed},
        {"limits_hit", it.budget_exceeded},
        {"queries", it.queries},
        {"queries_per_resolution", per_resolution},
        {"tcp_queries", it.tcp_queries},
        {"timeouts", it.timeouts},
        {"referrals", it.referrals},
        {"lame", it.lame},
        {"edns_fallbacks", it.edns_fallbacks},
        {"case_mismatches", it.case_mismatches},
        {"qmin_fallbacks", it.qmin_fallbacks},
        {"malformed", it.malformed},
        {"spoofed", it.spoofed},
        {"primings", it.primings},
        {"ns_lookups", it.ns_lookups},
        {"record_cache",
         {{"entries", s.recursion.records.entries},
          {"bytes", s.recursion.records.bytes},
          {"max_bytes", s.recursion.records_max_bytes},
          {"inserts", s.recursion.records.inserts},
          {"evictions", s.recursion.records.evictions},
          {"rank_refusals", s.recursion.records.rejected_rank}}},
        {"infra_cache",
         {{"entries", s.recursion.infra_entries}, {"max_entries", s.recursion.infra_max_entries}}},
        {"servers", servers}};
    const auto& verdicts = s.dns.dnssec_verdicts;
    nlohmann::json dnssec = {{"enabled", s.dnssec.enabled},
                             {"clock_trusted", s.dnssec.clock_trusted},
                             {"clock_reason", s.dnssec.clock_reason},
                             {"timestamp_file", s.dnssec.timestamp_file},
                             {"trust_anchors", s.dnssec.anchors},
                             {"negative_trust_anchors", s.dnssec.negative_trust_anchors},
                             {"key_cache_entries", s.dnssec.key_cache_entries},
                             {"secure", verdicts[static_cast<std::size_t>(Security::secure)]},
                             {"insecure", verdicts[static_cast<std::size_t>(Security::insecure)]},
                             {"bogus", verdicts[static_cast<std::size_t>(Security::bogus)]},
                             {"indeterminate", verdicts[static_cast<std::size_t>(Security::indeterminate)]},
                             {"bogus_from_cache", s.dns.dnssec_bogus_cached},
                             {"key_fetches", s.dns.dnssec_fetches},
                             {"unsigned_upstream_answers", s.dns.dnssec_unsigned_upstream},
                             {"aggressive_records", s.dnssec.aggressive_records},
                             {"synthesised_denials", s.dns.dnssec_synthesised},
                             {"ds_from_referrals", s.dns.dnssec_ds_from_referrals}};
    add_rfc5011(s, dnssec);
    nlohmann::json caught = nlohmann::json::object();
    for (std::size_t i = 0; i < kFaultSiteCount; ++i)
        caught[std::string(to_string(static_cast<FaultSite>(i)))] = s.faults_caught[i];
    nlohmann::json faults = {{"exceptions_caught", caught}, {"checks_failed", s.checks_failed}};
    const dhcp::ServerStats& h = s.dhcp;
    nlohmann::json dhcp = {{"enabled", s.dhcp_enabled},
                           {"received", h.received},
                           {"malformed", h.malformed},
                           {"dropped", h.dropped},
                           {"discover", h.discovers},
                           {"request", h.requests},
                           {"decline", h.declines},
                           {"release", h.releases},
                           {"inform", h.informs},
                           {"offer", h.offers},
                           {"ack", h.acks},
                           {"nak", h.naks},
                           {"pool_exhausted", h.pool_exhausted},
                           {"conflict_probes", h.probes},
                           {"conflicts", h.conflicts},
                           {"probes_skipped", h.probes_skipped},
                           {"leases", s.leases_total},
                           {"subnets", subnets_json(s)}};
    return {{"uptime_s", s.uptime_seconds},
            {"dns", dns},
            {"cache", cache},
            {"upstream_groups", groups_json(s, true)},
            {"recursion", recursion},
            {"dnssec", dnssec},
            {"dhcp", dhcp},
            {"faults", faults}};
}

}  // namespace lanlord
