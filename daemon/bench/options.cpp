#include "daemon/bench/options.h"

#include <algorithm>
#include <charconv>

#include "config/config.h"

namespace lanlord::bench {
namespace {

template <typename T>
bool parse_number(const std::string& text, T& out) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
}

// NAME=IP[:PORT] or NAME=tls://IP[:PORT][#AUTHNAME]; the first '=' before
// the address splits (a tls:// address never holds '=', a plain one neither).
std::optional<ServerArg> parse_server(const std::string& text, std::string& error) {
    auto scheme = text.find("=tls://");
    auto eq = scheme != std::string::npos ? scheme : text.rfind('=');
    if (eq == std::string::npos || eq == 0) {
        error = "--server wants NAME=IP[:PORT] or NAME=tls://IP[:PORT][#AUTHNAME], got '" + text + "'";
        return std::nullopt;
    }
    if (scheme != std::string::npos) {
        std::string why;
        auto tls = parse_tls_server(std::string_view(text).substr(eq + 1), why);
        if (!tls) {
            error = "--server " + text.substr(0, eq) + ": " + why;
            return std::nullopt;
        }
        return ServerArg{text.substr(0, eq), tls->server, Transport::tls, tls->name};
    }
    auto endpoint = Endpoint::parse(std::string_view(text).substr(eq + 1), 53);
    if (!endpoint || endpoint->port == 0) {
        error = "--server " + text.substr(0, eq) + ": not an address: '" + text.substr(eq + 1) + "'";
        return std::nullopt;
    }
    return ServerArg{text.substr(0, eq), *endpoint, Transport::udp, ""};
}

}  // namespace

std::optional<Options> parse_options(const std::vector<std::string>& args, std::string& error) {
    Options o;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string arg = args[i], value;
        bool has_inline = false;
        if (arg.starts_with("--") && arg.find('=') != std::string::npos) {
            value = arg.substr(arg.find('=') + 1);
            arg = arg.substr(0, arg.find('='));
            has_inline = true;
        }
        auto take = [&]() -> bool {
            if (has_inline) return true;
            if (i + 1 >= args.size()) {
                error = arg + " needs a value";
                return false;
            }
            value = args[++i];
            return true;
        };
        auto flag = [&](bool& field) {
            if (has_inline) {
                error = arg + " takes no value";
                return false;
            }
            field = true;
            return true;
        };
        bool ok = true;
        if (arg == "--help" || arg == "-h") {
            ok = flag(o.help);
        } else if (arg == "--rate") {
            ok = take() && parse_number(value, o.settings.rate) && o.settings.rate > 0 &&
                 o.settings.rate <= 1000;
            if (!ok && error.empty()) error = "--rate wants queries per second per target, 0 < rate <= 1000";
        } else if (arg == "--count") {
            ok = take() && parse_number(value, o.settings.count) && o.settings.count >= 1 &&
                 o.settings.count <= 100000;
            if (!ok && error.empty()) error = "--count wants queries per phase, 1 to 100000";
        } else if (arg == "--max-queries") {
            ok = take() && parse_number(value, o.max_queries) && o.max_queries >= 1;
            if (!ok && error.empty()) error = "--max-queries wants a positive number";
        } else if (arg == "--timeout") {
            std::optional<ConfigDuration> d;
            ok = take() && (d = parse_duration(value)) && *d >= std::chrono::milliseconds(10) &&
                 *d <= std::chrono::seconds(60);
            if (ok) o.settings.timeout = *d;
            if (!ok && error.empty()) error = "--timeout wants a duration from 10ms to 60s, e.g. 2s or 500ms";
        } else if (arg == "--names") {
            ok = take();
            o.names_file = value;
        } else if (arg == "--server") {
            ok = take();
            if (ok) {
                auto s = parse_server(value, error);
                ok = s.has_value();
                if (ok) o.servers.push_back(*s);
            }
        } else if (arg == "--upstreams") {
            ok = flag(o.upstreams);
        } else if (arg == "--config") {
            ok = take();
            o.config_file = value;
        } else if (arg == "--self") {
            ok = take() && (o.self = Endpoint::parse(value, 53)) && o.self->port != 0;
            if (!ok && error.empty()) error = "--self wants IP[:PORT], got '" + value + "'";
        } else if (arg == "--no-self") {
            ok = flag(o.no_self);
        } else if (arg == "--public") {
            ok = flag(o.public_preset);
        } else if (arg == "--public-tls") {
            ok = flag(o.public_tls);
        } else if (arg == "--tls-ca") {
            ok = take() && !value.empty();
            o.tls_ca_file = value;
            if (!ok && error.empty()) error = "--tls-ca needs a file name";
        } else if (arg == "--tls-pin") {
            std::optional<SpkiPin> pin;
            ok = take() && (pin = parse_spki_pin(value));
            if (ok) o.tls_pins.push_back(*pin);
            if (!ok && error.empty())
                error = "--tls-pin wants the base64 of a SHA-256 (44 characters), got '" + value + "'";
        } else if (arg == "--handshakes") {
            ok = take() && parse_number(value, o.settings.tls_handshake_probes) &&
                 o.settings.tls_handshake_probes <= 100;
            if (!ok && error.empty()) error = "--handshakes wants 0 to 100";
        } else if (arg == "--json" || arg == "--csv") {
            if (o.format != OutputFormat::table) {
                error = "--json and --csv exclude each other";
                return std::nullopt;
            }
            bool set = false;
            ok = flag(set);
            o.format = arg == "--json" ? OutputFormat::json : OutputFormat::csv;
        } else if (arg == "--svg") {
            ok = take() && !value.empty();
            o.svg_file = value;
            if (!ok && error.empty()) error = "--svg needs a file name";
        } else if (arg == "--no-progress") {
            bool set = false;
            ok = flag(set);
            o.progress = false;
        } else {
            error = "unknown option '" + arg + "'";
            return std::nullopt;
        }
        if (!ok) return std::nullopt;
    }
    bool tls_server = std::any_of(o.servers.begin(), o.servers.end(),
                                  [](const ServerArg& s) { return s.transport == Transport::tls; });
    if ((!o.tls_ca_file.empty() || !o.tls_pins.empty()) && !tls_server) {
        error = "--tls-ca and --tls-pin apply to --server NAME=tls://...; none was given";
        return std::nullopt;
    }
    if (o.self && o.no_self) {
        error = "--self and --no-self exclude each other";
        return std::nullopt;
    }
    return o;
}

std::string usage() {
    return R"(usage: lanlordctl bench [options]

Compares the query latency of DNS resolvers: lanlord itself, its upstreams,
servers you name, and well-known public resolvers. Per target and phase
(cached: popular names asked again after a warm-up; uncached: a random label
under a real domain) it reports loss, min/p50/p95/p99, mean, stddev and
RCODEs, and flags NXDOMAIN hijacking and whether AD is set when DO is asked.

targets (lanlord itself is always included unless --no-self):
  --self IP[:PORT]        lanlord's address (default: the first dns.listen of
                          the configuration, wildcards as loopback)
  --no-self               leave lanlord out
  --config FILE           lanlord's configuration (default: built-in, 127.0.0.1:5353
                          forwarding to /etc/resolv.conf)
  --upstreams             every server of every [[upstream]] group (and its resolv_conf)
  --server NAME=IP[:PORT] a resolver of your choice (repeatable)
  --server NAME=tls://IP[:PORT][#AUTHNAME]
                          a DNS-over-TLS resolver (port 853; its certificate must
                          name AUTHNAME, or IP when none is given)
  --public                well-known public resolvers (see lanlordctl(1))
  --public-tls            the same resolvers' DNS-over-TLS services

DNS over TLS (for --server NAME=tls://...; upstreams use their group's keys):
  --tls-ca FILE           trusted CAs (PEM; default: the system's store)
  --tls-pin BASE64        a pinned SPKI SHA-256 instead of CA and name (repeatable)
  --handshakes N          once every target's queries are done, N full and N
                          resumed handshakes timed on new connections (default 3;
                          0: the query connection's only)

queries:
  --names FILE            one domain per line instead of the built-in list
  --count N               measured queries per phase per target (default 100)
  --rate QPS              queries per second per target (default 5)
  --timeout DURATION      no answer by then counts as lost (default 2s)
  --max-queries N         refuse runs above N queries in all (default 10000)

output:
  --json | --csv          instead of the table on stdout
  --svg FILE              also write a chart of the latency distributions
  --no-progress           no progress bar (it is drawn only on a terminal anyway)
)";
}

}  // namespace lanlord::bench
