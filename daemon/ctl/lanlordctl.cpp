// lanlordctl: the admin's command for a running lanlord (lanlordctl(1)): control
// requests over the UNIX socket (control_protocol.h) shown as tables or JSON,
// and `bench`, which compares resolvers' latency.
#include <sys/random.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "daemon/bench/bench_command.h"
#include "daemon/ctl/control_client.h"
#include "daemon/ctl/import_command.h"
#include "daemon/ctl/render.h"
#include "daemon/web/web_auth.h"

namespace {

constexpr const char* kDefaultSocket = "/run/lanlord/control.sock";

constexpr const char* kUsage = R"(Usage: lanlordctl [OPTIONS] COMMAND

Commands:
  status                 version, uptime, listeners, upstream health, DHCP pools
  stats                  counters: queries by type and rcode, cache, upstreams, DHCP
  cache dump [NAME]      cached answers (of NAME only), with TTLs left
  cache flush [NAME]     remove every cached answer (of NAME only)
  leases                 the DHCP leases
  reload                 re-read the configuration file (applied whole or not at all)
  log-level LEVEL        trace, debug, info, warn, error, critical or off (until restart)
  trace NAME [TYPE]      resolve NAME from the root, step by step (recursive mode)
  querylog [TEXT]        the newest queries (names holding TEXT), newest first
  block NAME             block NAME (and below) from the web page's list
  allow NAME             never block NAME (and below): the web page's allow list
  unlist NAME            take NAME off both of those lists
  web-password           set the web page's password (read from the terminal, or one line of stdin)
  import-dnsmasq CONF    write a lanlord.toml from a dnsmasq.conf (--leases: keep the devices' addresses;
                         lanlordctl import-dnsmasq --help)
  bench [OPTIONS]        compare query latency of resolvers (lanlordctl bench --help)

Options:
  --socket PATH          control socket (default $LANLORD_SOCKET, else /run/lanlord/control.sock)
  --json                 print the daemon's JSON reply instead of tables
  --limit N              cache dump: at most N entries (default 10000); querylog: N queries (default 100)
  --timeout SECONDS      how long to wait for the daemon (default 10)
  --help                 this text
)";

// A line from the terminal without echo, or from stdin when it is not one.
bool read_secret(const char* prompt, std::string& out) {
    bool tty = ::isatty(STDIN_FILENO) != 0;
    termios old{};
    if (tty) {
        std::fputs(prompt, stderr);
        tcgetattr(STDIN_FILENO, &old);
        termios quiet = old;
        quiet.c_lflag &= static_cast<tcflag_t>(~ECHO);
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    bool ok = static_cast<bool>(std::getline(std::cin, out));
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSANOW, &old);
        std::fputs("\n", stderr);
    }
    if (!out.empty() && out.back() == '\r') out.pop_back();
    return ok;
}

// The web page's password, hashed here: the daemon never sees it in clear
// (it is checked against the hash at each login). At least 8 characters.
int make_web_password(nlohmann::json& request) {
    std::string password, again;
    if (!read_secret("New password for lanlord's web page: ", password)) return 2;
    if (::isatty(STDIN_FILENO) && (!read_secret("Again: ", again) || again != password)) {
        std::fprintf(stderr, "lanlordctl: the two passwords differ\n");
        return 2;
    }
    if (password.size() < 8) {
        std::fprintf(stderr, "lanlordctl: a password has at least 8 characters\n");
        return 2;
    }
    std::array<std::uint8_t, 32> salt{};
    if (getrandom(salt.data(), salt.size(), 0) != static_cast<ssize_t>(salt.size())) {
        std::fprintf(stderr, "lanlordctl: getrandom failed\n");
        return 1;
    }
    std::string error;
    std::string hash = lanlord::hash_password(password, salt, error);
    if (hash.empty()) {
        std::fprintf(stderr, "lanlordctl: %s\n", error.c_str());
        return 1;
    }
    request = {{"command", "web.password"}, {"hash", hash}};
    return 0;
}

int usage_error(const char* why) {
    std::fprintf(stderr, "lanlordctl: %s\n\n%s", why, kUsage);
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (!args.empty() && args[0] == "bench")
        return lanlord::bench::run_command({args.begin() + 1, args.end()});
    if (!args.empty() && args[0] == "import-dnsmasq")
        return lanlord::ctl::run_import_dnsmasq({args.begin() + 1, args.end()});

    const char* env_socket = std::getenv("LANLORD_SOCKET");
    std::string socket = env_socket && *env_socket ? env_socket : kDefaultSocket;
    bool as_json = false;
    long long limit = -1;
    double timeout_s = 10;
    std::vector<std::string> words;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&](const char* what) -> const std::string* {
            if (i + 1 >= args.size()) return nullptr;
            (void)what;
            return &args[++i];
        };
        if (a == "--help" || a == "-h") {
            std::fputs(kUsage, stdout);
            return 0;
        } else if (a == "--json") {
            as_json = true;
        } else if (a == "--socket") {
            auto v = value("--socket");
            if (!v) return usage_error("--socket needs a path");
            socket = *v;
        } else if (a == "--limit") {
            auto v = value("--limit");
            char* end = nullptr;
            if (!v || (limit = std::strtoll(v->c_str(), &end, 10), *end != '\0') || limit < 0)
                return usage_error("--limit needs a non-negative number");
        } else if (a == "--timeout") {
            auto v = value("--timeout");
            char* end = nullptr;
            if (!v || (timeout_s = std::strtod(v->c_str(), &end), *end != '\0') || timeout_s <= 0)
                return usage_error("--timeout needs a positive number of seconds");
        } else if (a.size() > 1 && a[0] == '-') {
            return usage_error(("unknown option " + a).c_str());
        } else {
            words.push_back(a);
        }
    }
    if (words.empty()) return usage_error("no command");

    nlohmann::json request;
    std::string (*render)(const nlohmann::json&) = nullptr;
    const std::string& cmd = words[0];
    auto expect_words = [&](std::size_t min, std::size_t max) {
        return words.size() >= min && words.size() <= max;
    };
    if (cmd == "status" && expect_words(1, 1)) {
        request = {{"command", "status"}};
        render = lanlord::ctl::render_status;
    } else if (cmd == "stats" && expect_words(1, 1)) {
        request = {{"command", "stats"}};
        render = lanlord::ctl::render_stats;
    } else if (cmd == "cache" && expect_words(2, 3) && (words[1] == "dump" || words[1] == "flush")) {
        request = {{"command", "cache." + words[1]}};
        if (words.size() == 3) request["name"] = words[2];
        if (words[1] == "dump") {
            if (limit >= 0) request["limit"] = limit;
            render = lanlord::ctl::render_cache_dump;
        }
    } else if (cmd == "leases" && expect_words(1, 1)) {
        request = {{"command", "leases"}};
        render = lanlord::ctl::render_leases;
    } else if (cmd == "reload" && expect_words(1, 1)) {
        request = {{"command", "reload"}};
    } else if (cmd == "trace" && expect_words(2, 3)) {
        request = {{"command", "trace"}, {"name", words[1]}};
        if (words.size() == 3) request["type"] = words[2];
        render = lanlord::ctl::render_trace;
    } else if (cmd == "querylog" && expect_words(1, 2)) {
        request = {{"command", "querylog"}, {"limit", limit >= 0 ? limit : 100}};
        if (words.size() == 2) request["name"] = words[1];
        render = lanlord::ctl::render_querylog;
    } else if ((cmd == "block" || cmd == "allow" || cmd == "unlist") && expect_words(2, 2)) {
        request = {{"command", "domains"}, {"name", words[1]}, {"action", cmd == "unlist" ? "remove" : cmd}};
    } else if (cmd == "web-password" && expect_words(1, 1)) {
        if (int rc = make_web_password(request); rc != 0) return rc;
    } else if (cmd == "log-level" && expect_words(2, 2)) {
        request = {{"command", "log-level"}, {"level", words[1]}};
    } else {
        return usage_error(("unknown command or wrong arguments: " + cmd).c_str());
    }

    auto result = lanlord::ctl::call_control(
        socket, request, std::chrono::milliseconds(static_cast<long long>(timeout_s * 1000)));
    if (!result.ok) {
        std::fprintf(stderr, "lanlordctl: %s\n", result.error.c_str());
        return 3;
    }
    const nlohmann::json& reply = result.reply;
    bool ok = reply.value("ok", false);
    if (as_json) {
        std::printf("%s\n", reply.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
        return ok ? 0 : 1;
    }
    if (!ok) {
        std::string why = reply.contains("error") && reply["error"].is_string()
                              ? reply["error"].get<std::string>()
                              : "unknown error";
        std::fprintf(stderr, "lanlordctl: %s\n", why.c_str());
        if (auto e = reply.find("errors"); e != reply.end() && e->is_array())
            for (const auto& line : *e)
                if (line.is_string()) std::fprintf(stderr, "  %s\n", line.get<std::string>().c_str());
        return 1;
    }
    const nlohmann::json& r = reply.contains("result") ? reply["result"] : nlohmann::json::object();
    try {
        if (render) {
            std::fputs(render(r).c_str(), stdout);
        } else if (cmd == "cache") {
            std::printf("flushed %llu entries\n", r.value("flushed", 0ULL));
        } else if (cmd == "reload") {
            std::printf("configuration reloaded\n");
        } else if (cmd == "web-password") {
            std::printf("password saved in %s; every web session was ended\n",
                        r.value("saved", std::string("?")).c_str());
        } else if (cmd == "block" || cmd == "allow" || cmd == "unlist") {
            std::printf("blocked by the page's list: %zu, allowed: %zu\n",
                        r.value("blocked_by_web", nlohmann::json::array()).size(),
                        r.value("allowed_by_web", nlohmann::json::array()).size());
        } else {
            std::printf("log level is now %s\n", r.value("level", std::string("?")).c_str());
        }
    } catch (const nlohmann::json::exception& e) {
        std::fprintf(stderr, "lanlordctl: unexpected reply (%s); try --json\n", e.what());
        return 1;
    }
    return 0;
}
