// lanlord: entry point. Parses the command line, loads and checks the
// configuration, then hands over to App.
#include <cstdio>
#include <cstring>
#include <string>

#include "common/fault.h"
#include "common/io/journal_log.h"
#include "common/log.h"
#include "config/config.h"
#include "daemon/app.h"

namespace {

constexpr const char* kUsage = R"(Usage: lanlord [OPTIONS]

A caching DNS resolver (forwarding, or recursive from the root, validating DNSSEC) with
local names and blocklists, a DHCPv4 server and a web page, for small networks.

Options:
  --config FILE        read the configuration from FILE (TOML, see lanlord.toml(5));
                       without it lanlord uses its built-in default: listen on
                       127.0.0.1 and ::1 port 5353, forward to /etc/resolv.conf's servers
  --check-config FILE  validate FILE, print every error (file:line:column: key: message),
                       exit 0 if valid, 1 if not
  --log-level LEVEL    trace, debug, info, warn, error, critical or off (overrides log_level)
  --foreground         accepted for compatibility; lanlord always stays in the foreground
  --version            print the version and exit
  --help               print this help and exit
)";

int check_config(const std::string& path) {
    auto result = lanlord::load_config(path);
    if (result.config) {
        std::printf("%s: OK\n", path.c_str());
        return 0;
    }
    for (const auto& e : result.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    std::string config_path, log_level;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto value = [&](const char* name) -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "lanlord: %s needs a value\n", name);
                std::exit(2);
            }
            return argv[++i];
        };
        if (arg == "--help" || arg == "-h") {
            std::fputs(kUsage, stdout);
            return 0;
        } else if (arg == "--version" || arg == "-V") {
            std::printf("lanlord %s\n", LANLORD_VERSION);
            return 0;
        } else if (arg == "--check-config") {
            return check_config(value("--check-config"));
        } else if (arg == "--config" || arg == "-c") {
            config_path = value("--config");
        } else if (arg == "--log-level") {
            log_level = value("--log-level");
        } else if (arg == "--foreground" || arg == "-f") {
        } else {
            std::fprintf(stderr, "lanlord: unknown option '%s' (see --help)\n", arg.c_str());
            return 2;
        }
    }
    lanlord::init_logging();
    lanlord::io::log_to_journal_if_started_by_systemd();  // entries with priorities, not text lines
    lanlord::init_fault_policy_from_env();
    if (!log_level.empty() && !lanlord::parse_log_level(log_level)) {
        std::fprintf(stderr, "lanlord: unknown log level '%s'\n", log_level.c_str());
        return 2;
    }
    lanlord::Config config;
    if (config_path.empty()) {
        config = lanlord::default_config();
    } else {
        auto result = lanlord::load_config(config_path);
        if (!result.config) {
            for (const auto& e : result.errors) spdlog::critical("{}", e.to_string());
            return 1;
        }
        config = std::move(*result.config);
    }
    try {
        lanlord::App app(std::move(config), config_path, log_level);
        return app.run();
    } catch (const std::exception& e) {
        spdlog::critical("fatal: {}", e.what());
        return 1;
    }
}
