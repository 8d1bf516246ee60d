#include "daemon/compose.h"

#include <algorithm>
#include <cstdlib>

#include "common/io/interfaces.h"

namespace lanlord {

namespace {
std::uint32_t whole_seconds(ConfigDuration d) {
    return static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(d).count());
}
}  // namespace

EngineSettings engine_settings(const Config& c, std::string_view host_name) {
    EngineSettings s;
    s.identity.identity = c.dns.identity.empty() ? std::string(host_name) : c.dns.identity;
    s.identity.version = std::string("lanlord ") + LANLORD_VERSION;
    s.identity.hide_identity = c.dns.hide_identity;
    s.identity.hide_version = c.dns.hide_version;
    s.edns.udp_size = c.dns.edns_buffer_size;
    s.ttl.min_ttl = whole_seconds(c.cache.min_ttl);
    s.ttl.max_ttl = whole_seconds(c.cache.max_ttl);
    s.ttl.negative_max_ttl = whole_seconds(c.cache.negative_max_ttl);
    s.serve_stale = c.cache.serve_stale;
    s.prefetch = c.cache.prefetch;
    s.upstream_timeout = c.dns.upstream_timeout;
    s.bogus_priv = c.dns.bogus_priv;
    s.domain_needed = c.dns.domain_needed;
    s.allow = c.dns.allow;
    s.local_ttl = whole_seconds(c.local.ttl);
    s.block_mode = c.blocklist.answer == BlockAnswer::nodata         ? BlockMode::nodata
                   : c.blocklist.answer == BlockAnswer::null_address ? BlockMode::null_address
                                                                     : BlockMode::nxdomain;
    s.deny = c.dns.deny;
    if (c.dns.client_rate_limit)  // one table for every engine; a reload starts it afresh
        s.client_rate_limiter =
            std::make_shared<ClientRateLimiter>(c.dns.client_rate_limit, c.dns.client_rate_burst);
    return s;
}

std::vector<GroupSpec> group_specs(const Config& c) {
    std::vector<GroupSpec> out;
    for (const auto& g : c.upstreams)
        out.push_back({g.name, g.interface, g.servers, g.domains, g.clients, g.recursive, g.tls_servers});
    return out;
}

bool any_recursive(const Config& c) {
    return std::any_of(c.upstreams.begin(), c.upstreams.end(), [](const auto& g) { return g.recursive; });
}

std::string state_directory() {
    std::string dir = "/var/lib/lanlord";
    if (const char* state = std::getenv("STATE_DIRECTORY"); state && *state) {
        dir = state;
        if (auto colon = dir.find(':'); colon != std::string::npos) dir.resize(colon);
    }
    return dir;
}

std::string state_file(std::string_view name) {
    return state_directory() + "/" + std::string(name);
}

QueryLogPrivacy query_log_privacy(QueryLogPrivacyLevel level) {
    switch (level) {
        case QueryLogPrivacyLevel::show_all:
            return QueryLogPrivacy::show_all;
        case QueryLogPrivacyLevel::hide_names:
            return QueryLogPrivacy::hide_names;
        case QueryLogPrivacyLevel::hide_clients:
            return QueryLogPrivacy::hide_clients;
        case QueryLogPrivacyLevel::off:
            break;
    }
    return QueryLogPrivacy::off;
}

std::int64_t wall_ms_now() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

bool any_forwarding(const Config& c) {
    return std::any_of(c.upstreams.begin(), c.upstreams.end(), [](const auto& g) { return !g.recursive; });
}

RecursionSettings recursion_settings(const Config& c, RootHints hints, bool ipv6_routable,
                                     const std::vector<Endpoint>& own) {
    const RecursionConfig& r = c.recursion;
    RecursionSettings s;
    s.qname_minimisation = r.qname_minimisation;
    s.case_randomisation = r.case_randomisation;
    s.addresses.allow = r.allow_private;
    for (const Endpoint& e : own) s.addresses.own.push_back(e.address);
    s.addresses.ipv6 = r.ipv6 == Ipv6Use::on || (r.ipv6 == Ipv6Use::automatic && ipv6_routable);
    s.hints = std::move(hints);
    s.edns_size = c.dns.edns_buffer_size;
    s.limits.max_queries = r.max_queries;
    s.time_limit = r.time_limit;
    return s;
}

CacheLimits cache_limits(const Config& c) {
    CacheLimits l;
    l.max_entries = c.cache.size;
    l.max_bytes = c.cache.max_memory;
    l.stale_max = c.cache.serve_stale ? Duration(c.cache.stale_max) : Duration::zero();
    return l;
}

std::vector<Endpoint> listen_endpoints(const Config& c, const InterfaceTable& interfaces) {
    std::vector<Endpoint> out = c.dns.listen;
    for (const auto& name : c.dns.interfaces)
        for (const auto& a : io::interface_addresses(interfaces, name)) {
            Endpoint ep{a, c.dns.port};
            bool dup = false;
            for (const auto& e : out) dup |= e == ep;
            if (!dup) out.push_back(ep);
        }
    return out;
}

}  // namespace lanlord
