// The sd_notify protocol (sd_notify(3), "NOTIFY_SOCKET"), spoken directly:
// one datagram of "KEY=VALUE" lines to the unix socket named in the
// environment ('@' = abstract namespace). libsystemd would bring libgcrypt,
// liblzma, libzstd, liblz4 and libcap with it: about 0.8 MiB resident for a
// few bytes on a socket, which matters on a Raspberry Pi (target: idle RSS <= 4 MiB).
#include "common/io/systemd_notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <cstring>
#include <string>

namespace lanlord::io {

namespace {

void send(const std::string& msg) {
    const char* path = std::getenv("NOTIFY_SOCKET");
    if (!path || !*path) return;
    std::size_t len = std::strlen(path);
    sockaddr_un addr{};
    if (len >= sizeof addr.sun_path || (path[0] != '/' && path[0] != '@')) return;
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path, len);
    if (path[0] == '@') addr.sun_path[0] = '\0';  // abstract namespace
    int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return;
    auto addr_len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + len);
    ::sendto(fd, msg.data(), msg.size(), MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&addr), addr_len);
    ::close(fd);
}

std::optional<unsigned long long> env_number(const char* name) {
    const char* text = std::getenv(name);
    if (!text) return std::nullopt;
    unsigned long long v = 0;
    auto [p, ec] = std::from_chars(text, text + std::strlen(text), v);
    if (ec != std::errc() || *p != '\0') return std::nullopt;
    return v;
}

}  // namespace

void notify_ready(std::string_view status) {
    send("READY=1\nSTATUS=" + std::string(status));
}

void notify_reloading() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    unsigned long long usec = static_cast<unsigned long long>(ts.tv_sec) * 1000000ULL + ts.tv_nsec / 1000;
    send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec) + "\nSTATUS=reloading configuration");
}

void notify_stopping() {
    send("STOPPING=1\nSTATUS=stopping");
}
void notify_status(std::string_view status) {
    send("STATUS=" + std::string(status));
}
void notify_watchdog() {
    send("WATCHDOG=1");
}

// sd_watchdog_enabled(3): WATCHDOG_USEC set, and WATCHDOG_PID (if set) is us.
std::optional<std::chrono::microseconds> watchdog_ping_interval() {
    auto usec = env_number("WATCHDOG_USEC");
    if (!usec || *usec == 0) return std::nullopt;
    if (std::getenv("WATCHDOG_PID")) {
        auto pid = env_number("WATCHDOG_PID");
        if (!pid || *pid != static_cast<unsigned long long>(getpid())) return std::nullopt;
    }
    return std::chrono::microseconds(*usec / 2);
}

}  // namespace lanlord::io
