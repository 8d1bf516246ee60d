// sd_notify(3) through libsystemd (libsystemd-dev, the card's dependency):
// the protocol is small, but the library is the reference implementation
// (abstract sockets, credentials, the watchdog's WATCHDOG_PID rule) and is
// what socket activation and the journal come from as well. It costs about
// 0.8 MiB of resident memory (libgcrypt, liblzma, libzstd, liblz4, libcap
// come with it); README "Dependencies" has the figures.
#include "common/io/systemd_notify.h"

#include <systemd/sd-daemon.h>
#include <time.h>

#include <string>

namespace lanlord::io {

namespace {
void send(const std::string& msg) {
    sd_notify(0, msg.c_str());  // a no-op without NOTIFY_SOCKET
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
void notify_watchdog(std::string_view status) {
    send("WATCHDOG=1\nSTATUS=" + std::string(status));
}

std::optional<std::chrono::microseconds> watchdog_ping_interval() {
    std::uint64_t usec = 0;
    // > 0: WATCHDOG_USEC set and WATCHDOG_PID (when set) is this process.
    if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
    return std::chrono::microseconds(usec / 2);
}

}  // namespace lanlord::io
