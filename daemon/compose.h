// Turns a validated Config into what the engines take: the composition root's
// pure half (no I/O), kept apart so that tests/unit/daemon/compose_test.cpp
// can check the mapping key by key.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "resolver/cache/packet_cache.h"
#include "resolver/engine/resolver_engine.h"

namespace lanlord {

// `host_name`: what CHAOS id.server answers unless dns.identity says otherwise.
EngineSettings engine_settings(const Config& config, std::string_view host_name = {});
std::vector<GroupSpec> group_specs(const Config& config);
// The iterator's settings for [recursion]: `hints` from root_hints (or the
// built-in ones), `ipv6_routable` for ipv6 = "auto", `own` the listening
// addresses (never asked: a delegation to ourselves is a loop).
RecursionSettings recursion_settings(const Config& config, RootHints hints, bool ipv6_routable,
                                     const std::vector<Endpoint>& own);
bool any_recursive(const Config& config);
// `name` in lanlord's state directory: $STATE_DIRECTORY (systemd's
// StateDirectory=; its first entry), else /var/lib/lanlord.
std::string state_file(std::string_view name);
std::string state_directory();
QueryLogPrivacy query_log_privacy(QueryLogPrivacyLevel level);
// Milliseconds since 1970 (the query log's and the page's times).
std::int64_t wall_ms_now();
// True when a group forwards to upstream servers.
bool any_forwarding(const Config& config);
CacheLimits cache_limits(const Config& config);
// Explicit listen addresses plus every address of the listed interfaces.
std::vector<Endpoint> listen_endpoints(const Config& config, const InterfaceTable& interfaces);

}  // namespace lanlord
