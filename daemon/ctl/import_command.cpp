#include "daemon/ctl/import_command.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>

#include "common/io/read_file.h"
#include "daemon/ctl/dnsmasq_import.h"

namespace lanlord::ctl {

namespace {

constexpr const char* kUsage = R"(Usage: lanlordctl import-dnsmasq [OPTIONS] DNSMASQ.CONF

Writes a lanlord.toml equivalent to a dnsmasq configuration (its conf-file and
conf-dir includes too), with a comment on every option it could not translate
and why; with --leases, turns dnsmasq's lease file into lanlord's lease journal
so every device keeps its address. Never overwrites a file without --force.

Options:
  --output FILE    where to write lanlord.toml (default /etc/lanlord/lanlord.toml; - for stdout)
  --leases FILE    dnsmasq's lease file (e.g. /var/lib/misc/dnsmasq.leases)
  --journal FILE   where to write the journal (default $STATE_DIRECTORY/leases.journal,
                   else /var/lib/lanlord/leases.journal)
  --force          replace existing files
)";

// Creates `path` only if it does not exist (unless `force`), writes `text`,
// fsyncs. "" or why not.
std::string write_new(const std::string& path, const std::string& text, bool force, mode_t mode) {
    if (path == "-") {
        std::fwrite(text.data(), 1, text.size(), stdout);
        return std::fflush(stdout) == 0 ? "" : "cannot write to stdout";
    }
    std::error_code ec;
    auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL);
    int fd = ::open(path.c_str(), flags, mode);
    if (fd < 0)
        return errno == EEXIST ? path + " exists: not replaced (use --force)"
                               : path + ": " + std::strerror(errno);
    std::size_t done = 0;
    while (done < text.size()) {
        ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            std::string why = path + ": " + std::strerror(errno);
            ::close(fd);
            return why;
        }
        done += static_cast<std::size_t>(n);
    }
    bool ok = ::fsync(fd) == 0;
    ok = ::close(fd) == 0 && ok;
    return ok ? "" : path + ": " + std::strerror(errno);
}

}  // namespace

int run_import_dnsmasq(const std::vector<std::string>& args) {
    std::string conf, output = "/etc/lanlord/lanlord.toml", leases, journal;
    if (const char* state = std::getenv("STATE_DIRECTORY"); state && *state) {
        std::string dir = state;
        journal = dir.substr(0, dir.find(':')) + "/leases.journal";
    } else {
        journal = "/var/lib/lanlord/leases.journal";
    }
    bool force = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&](std::string& into) {
            if (i + 1 >= args.size()) return false;
            into = args[++i];
            return true;
        };
        if (a == "--help" || a == "-h") {
            std::fputs(kUsage, stdout);
            return 0;
        }
        if (a == "--force") {
            force = true;
        } else if (a == "--output" || a == "--leases" || a == "--journal") {
            if (!value(a == "--output" ? output : a == "--leases" ? leases : journal)) {
                std::fprintf(stderr, "lanlordctl import-dnsmasq: %s needs a file\n", a.c_str());
                return 2;
            }
        } else if (!a.empty() && a[0] == '-') {
            std::fprintf(stderr, "lanlordctl import-dnsmasq: unknown option %s\n\n%s", a.c_str(), kUsage);
            return 2;
        } else if (conf.empty()) {
            conf = a;
        } else {
            std::fprintf(stderr, "lanlordctl import-dnsmasq: one configuration file only\n");
            return 2;
        }
    }
    if (conf.empty()) {
        std::fprintf(stderr, "lanlordctl import-dnsmasq: which dnsmasq.conf?\n\n%s", kUsage);
        return 2;
    }
    DnsmasqSources sources;
    sources.read = [](const std::string& path) { return io::read_file(path); };
    sources.list = [](const std::string& dir) -> std::optional<std::vector<std::string>> {
        std::error_code ec;
        std::vector<std::string> files;
        for (const auto& e : std::filesystem::directory_iterator(dir, ec))
            if (e.is_regular_file(ec)) files.push_back(e.path().string());
        if (ec) return std::nullopt;
        std::sort(files.begin(), files.end());
        return files;
    };
    DnsmasqImport result = import_dnsmasq(conf, sources);
    for (const auto& e : result.errors) std::fprintf(stderr, "lanlordctl import-dnsmasq: %s\n", e.c_str());
    std::string lease_journal;
    std::size_t lease_count = 0;
    if (!leases.empty()) {
        auto text = io::read_file(leases);
        if (!text) {
            std::fprintf(stderr, "lanlordctl import-dnsmasq: cannot read %s\n", leases.c_str());
            return 1;
        }
        LeaseImport l = import_dnsmasq_leases(*text, static_cast<std::int64_t>(std::time(nullptr)));
        for (const auto& s : l.skipped)
            std::fprintf(stderr, "lanlordctl import-dnsmasq: %s: %s\n", leases.c_str(), s.c_str());
        lease_journal = l.journal;
        lease_count = l.leases;
    }
    if (auto err = write_new(output, result.toml, force, 0644); !err.empty()) {
        std::fprintf(stderr, "lanlordctl import-dnsmasq: %s\n", err.c_str());
        return 1;
    }
    if (!leases.empty()) {
        if (auto err = write_new(journal, lease_journal, force, 0640); !err.empty()) {
            std::fprintf(stderr, "lanlordctl import-dnsmasq: %s\n", err.c_str());
            return 1;
        }
    }
    std::fprintf(
        stderr, "lanlordctl import-dnsmasq: %s%s; %zu option%s not translated (see its end)%s\n",
        output == "-" ? "configuration written to stdout" : ("wrote " + output).c_str(), "",
        result.skipped.size(), result.skipped.size() == 1 ? "" : "s",
        leases.empty() ? "" : (", " + std::to_string(lease_count) + " leases to " + journal).c_str());
    std::fprintf(stderr, "check it with: lanlord --check-config %s\n",
                 output == "-" ? "FILE" : output.c_str());
    return result.errors.empty() ? 0 : 1;
}

}  // namespace lanlord::ctl
