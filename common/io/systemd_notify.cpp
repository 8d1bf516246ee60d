#include "common/io/systemd_notify.h"

#include <systemd/sd-daemon.h>
#include <time.h>

#include <string>

namespace lanlord::io {

namespace {
void send(const std::string& msg) { sd_notify(0, msg.c_str()); }
}  // namespace

void notify_ready(std::string_view status) { send("READY=1\nSTATUS=" + std::string(status)); }

void notify_reloading() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    unsigned long long usec = static_cast<unsigned long long>(ts.tv_sec) * 1000000ULL + ts.tv_nsec / 1000;
    send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec) + "\nSTATUS=reloading configuration");
}

void notify_stopping() { send("STOPPING=1\nSTATUS=stopping"); }
void notify_status(std::string_view status) { send("STATUS=" + std::string(status)); }
void notify_watchdog() { send("WATCHDOG=1"); }

std::optional<std::chrono::microseconds> watchdog_ping_interval() {
    uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
    return std::chrono::microseconds(usec / 2);
}

}  // namespace lanlord::io
