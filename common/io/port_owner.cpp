#include "common/io/port_owner.h"

#include <dirent.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cctype>
#include <charconv>
#include <cstring>

#include "common/io/read_file.h"
#include "common/text.h"

namespace lanlord::io {

namespace {

std::optional<std::uint32_t> hex32(std::string_view s) {
    std::uint32_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
}

// "0100007F:0035": the address as the kernel printed its 32-bit words (in
// host order: memcpy gives back the bytes in network order on any host).
std::optional<std::pair<IpAddress, std::uint16_t>> parse_address(std::string_view s, bool v6) {
    auto colon = s.find(':');
    std::size_t words = v6 ? 4 : 1;
    if (colon != words * 8) return std::nullopt;
    std::uint8_t bytes[16];
    for (std::size_t i = 0; i < words; ++i) {
        auto w = hex32(s.substr(i * 8, 8));
        if (!w) return std::nullopt;
        std::memcpy(bytes + 4 * i, &*w, 4);
    }
    auto port = hex32(s.substr(colon + 1));
    if (!port || *port > 65535) return std::nullopt;
    IpAddress a = v6 ? IpAddress::v6_bytes(bytes) : IpAddress::v4_bytes(bytes);
    return std::pair{a, static_cast<std::uint16_t>(*port)};
}

bool unspecified(const IpAddress& a) {
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a.bytes()[i] != 0) return false;
    return true;
}

}  // namespace

std::vector<ProcSocket> parse_proc_net(std::string_view text, bool v6, bool tcp) {
    std::vector<ProcSocket> out;
    std::size_t start = text.find('\n');  // the header
    while (start != std::string_view::npos && start < text.size()) {
        auto end = text.find('\n', start + 1);
        std::string_view line =
            text.substr(start + 1, end == std::string_view::npos ? std::string_view::npos : end - start - 1);
        start = end;
        auto f = split_fields(line);
        if (f.size() < 10) continue;
        auto local = parse_address(f[1], v6);
        std::uint64_t inode = 0;
        auto [p, ec] = std::from_chars(f[9].data(), f[9].data() + f[9].size(), inode);
        if (!local || ec != std::errc() || p != f[9].data() + f[9].size()) continue;
        out.push_back({local->first, local->second, inode, !tcp || f[3] == "0A"});
    }
    return out;
}

std::string port_conflict_advice(std::string_view name) {
    if (name == "systemd-resolve" || name == "systemd-resolved")
        return "systemd-resolved's stub listener holds port 53: set DNSStubListener=no in "
               "/etc/systemd/resolved.conf (or a drop-in in /etc/systemd/resolved.conf.d/), restart "
               "systemd-resolved, and point /etc/resolv.conf at lanlord (README: \"lanlord as the system's "
               "resolver\")";
    if (name == "dnsmasq")
        return "dnsmasq holds port 53: migrate it (lanlordctl import-dnsmasq), then systemctl disable --now "
               "dnsmasq";
    if (name == "pihole-FTL")
        return "Pi-hole's FTL holds port 53: stop it (systemctl disable --now pihole-FTL) before lanlord "
               "takes over";
    if (name == "unbound" || name == "named" || name == "kresd" || name == "pdns_recursor")
        return fmt::format(
            "{} holds port 53: stop it, or move it to another port and make it lanlord's upstream", name);
    return "stop that process, or give lanlord other addresses ([dns] listen) or another port ([dns] port)";
}

std::string port_owner(const Endpoint& endpoint) {
    struct Source {
        const char* path;
        bool v6, tcp;
    };
    std::vector<std::pair<ProcSocket, bool>> holders;  // socket, tcp
    for (const Source& s : {Source{"/proc/net/udp", false, false}, Source{"/proc/net/udp6", true, false},
                            Source{"/proc/net/tcp", false, true}, Source{"/proc/net/tcp6", true, true}}) {
        auto text = read_file(s.path);
        if (!text) continue;
        for (const auto& sock : parse_proc_net(*text, s.v6, s.tcp)) {
            if (sock.port != endpoint.port || !sock.listening || sock.inode == 0) continue;
            bool same_family = sock.local.is_v4() == endpoint.address.is_v4();
            // A wildcard holds every address of its family, and a v6 one v4 too (unless IPV6_V6ONLY).
            bool match = sock.local == endpoint.address ||
                         (unspecified(sock.local) && (same_family || !sock.local.is_v4())) ||
                         (unspecified(endpoint.address) && same_family);
            if (match) holders.emplace_back(sock, s.tcp);
        }
    }
    if (holders.empty()) return "";
    DIR* proc = ::opendir("/proc");
    if (!proc) return "";
    std::string found;
    while (dirent* e = ::readdir(proc)) {
        if (!std::isdigit(static_cast<unsigned char>(e->d_name[0]))) continue;
        std::string fd_dir = std::string("/proc/") + e->d_name + "/fd";
        DIR* fds = ::opendir(fd_dir.c_str());
        if (!fds) continue;
        while (dirent* f = ::readdir(fds)) {
            char target[64];
            std::string link = fd_dir + "/" + f->d_name;
            ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
            if (n <= 0) continue;
            target[n] = '\0';
            for (const auto& [sock, tcp] : holders)
                if (std::string_view(target) == fmt::format("socket:[{}]", sock.inode)) {
                    auto comm = read_file(std::string("/proc/") + e->d_name + "/comm");
                    std::string name = comm ? std::string(comm->substr(0, comm->find('\n'))) : "?";
                    Endpoint held{sock.local, sock.port};
                    found = fmt::format("{} (pid {}) holds {}/{}", name, e->d_name, held.to_string(),
                                        tcp ? "tcp" : "udp");
                    found += ": " + port_conflict_advice(name);
                    break;
                }
            if (!found.empty()) break;
        }
        ::closedir(fds);
        if (!found.empty()) break;
    }
    ::closedir(proc);
    return found;
}

}  // namespace lanlord::io
