// sd_notify(3) messages to the service manager (Type=notify), through
// libsystemd. Every call is a no-op when NOTIFY_SOCKET is unset, so the
// daemon runs the same by hand.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace lanlord::io {

void notify_ready(std::string_view status);
// RELOADING=1 with MONOTONIC_USEC (systemd 253+ Type=notify-reload protocol).
void notify_reloading();
void notify_stopping();
void notify_status(std::string_view status);
void notify_watchdog();
// WATCHDOG=1 with a fresh STATUS= (what `systemctl status` shows stays current).
void notify_watchdog(std::string_view status);
// Half the watchdog interval when WATCHDOG_USEC is set for this process.
std::optional<std::chrono::microseconds> watchdog_ping_interval();

}  // namespace lanlord::io
