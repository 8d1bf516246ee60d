// Logging facade over spdlog (stderr; journald picks it up under systemd) and
// a rate limiter for per-packet warnings, so that a flood of bad packets cannot
// flood the journal (the daemon logs "N similar messages suppressed" instead).
#pragma once

#include <spdlog/spdlog.h>

#include <atomic>
#include <optional>
#include <string_view>

#include "common/time.h"

namespace lanlord {

// Sets up the default logger on stderr. Under systemd (JOURNAL_STREAM set) the
// timestamp is left out: journald adds its own.
void init_logging();
// "trace", "debug", "info", "warn", "error", "critical", "off".
std::optional<spdlog::level::level_enum> parse_log_level(std::string_view name);

// Allows `burst` messages per `interval`; counts what it suppresses. Thread-safe
// enough for logging: racing threads may let one extra message through.
class LogRateLimiter {
  public:
    LogRateLimiter(unsigned burst, Duration interval) : burst_(burst), interval_(interval) {}
    // True when a message may be logged now; `suppressed` receives the number
    // of messages dropped since the last one allowed.
    bool allow(TimePoint now, unsigned long& suppressed);

  private:
    unsigned burst_;
    Duration interval_;
    std::atomic<long long> window_start_{0};
    std::atomic<unsigned> used_{0};
    std::atomic<unsigned long> dropped_{0};
};

}  // namespace lanlord

// Logs a warning through `limiter` (a LogRateLimiter), appending the count of
// suppressed messages when there were any.
#define LANLORD_WARN_LIMITED(limiter, now, ...)                                                             \
    do {                                                                                                    \
        unsigned long lanlord_suppressed_ = 0;                                                              \
        if ((limiter).allow((now), lanlord_suppressed_)) {                                                  \
            if (lanlord_suppressed_) spdlog::warn("({} similar messages suppressed)", lanlord_suppressed_); \
            spdlog::warn(__VA_ARGS__);                                                                      \
        }                                                                                                   \
    } while (0)
