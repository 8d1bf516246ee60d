// Which resolvers a run compares: lanlord itself, its upstreams, servers
// named on the command line and the public preset, in that order.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "daemon/bench/bench_types.h"
#include "daemon/bench/options.h"

namespace lanlord::bench {

// Well-known public resolvers (IPv4 only: IPv6 reachability varies too much
// on home networks to make a fair default). Listed in lanlordctl(1); only
// ever asked when --public is given.
const std::vector<Target>& public_targets();
// Their DNS-over-TLS services (--public-tls), authenticated by name against
// the system's CA store.
const std::vector<Target>& public_tls_targets();

// Where lanlord answers according to `config`: its first listen address,
// with a wildcard address replaced by the loopback of its family; nullopt
// when it listens on interfaces only (their addresses are not in the file).
std::optional<Endpoint> self_endpoint(const Config& config);

using ReadFile = std::function<std::optional<std::string>(const std::string& path)>;

// Each endpoint appears once (the first source wins: a resolver benched twice
// at once would see twice the rate); names are made unique with " (2)" etc.
// Things worth telling the user (skipped duplicates, an unreadable
// resolv_conf) go to `notes`.
std::vector<Target> collect_targets(const Options& options, const Config& config, const ReadFile& read_file,
                                    std::vector<std::string>& notes);

}  // namespace lanlord::bench
