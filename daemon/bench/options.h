// The command line of `lanlordctl bench`, parsed into plain values (no I/O:
// files named here are read by the command).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/ip_address.h"
#include "daemon/bench/bench_types.h"

namespace lanlord::bench {

struct ServerArg {
    std::string name;
    Endpoint endpoint;
    Transport transport = Transport::udp;
    std::string tls_name;  // the authentication name of a tls:// server ("" = its address)
};

enum class OutputFormat : std::uint8_t { table, json, csv };

struct Options {
    BenchSettings settings;
    unsigned max_queries = 10000;  // all targets together; the run is refused above it
    std::string names_file;        // "" = the built-in names
    std::vector<ServerArg> servers;
    bool upstreams = false;
    std::string config_file;       // "" = lanlord's built-in configuration
    std::optional<Endpoint> self;  // "" = where the configuration listens
    bool no_self = false;
    bool public_preset = false;
    bool public_tls = false;        // the public resolvers' DoT services
    std::string tls_ca_file;        // for --server tls://...: "" = the system's CA store
    std::vector<SpkiPin> tls_pins;  // for --server tls://...: pinned keys instead of CA and name
    OutputFormat format = OutputFormat::table;
    std::string svg_file;
    bool progress = true;
    bool help = false;
};

// Both "--rate 10" and "--rate=10". nullopt and `error` on anything wrong.
std::optional<Options> parse_options(const std::vector<std::string>& args, std::string& error);

std::string usage();

}  // namespace lanlord::bench
