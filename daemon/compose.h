// Turns a validated Config into what the engines take: the composition root's
// pure half (no I/O), kept apart so that tests/unit/daemon/compose_test.cpp
// can check the mapping key by key.
#pragma once

#include <string_view>
#include <vector>

#include "config/config.h"
#include "resolver/cache/packet_cache.h"
#include "resolver/engine/resolver_engine.h"

namespace lanlord {

// `host_name`: what CHAOS id.server answers unless dns.identity says otherwise.
EngineSettings engine_settings(const Config& config, std::string_view host_name = {});
std::vector<GroupSpec> group_specs(const Config& config);
CacheLimits cache_limits(const Config& config);
// Explicit listen addresses plus every address of the listed interfaces.
std::vector<Endpoint> listen_endpoints(const Config& config, const InterfaceTable& interfaces);

}  // namespace lanlord
