// Turns a validated Config into what the engines take: the composition root's
// pure half (no I/O), kept apart so a test can check the mapping.
#pragma once

#include <vector>

#include "config/config.h"
#include "resolver/cache/packet_cache.h"
#include "resolver/engine/resolver_engine.h"

namespace lanlord {

EngineSettings engine_settings(const Config& config);
std::vector<GroupSpec> group_specs(const Config& config);
CacheLimits cache_limits(const Config& config);
// Explicit listen addresses plus every address of the listed interfaces.
std::vector<Endpoint> listen_endpoints(const Config& config, const InterfaceTable& interfaces);

}  // namespace lanlord
