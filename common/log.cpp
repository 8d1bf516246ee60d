#include "common/log.h"

#include <spdlog/sinks/stdout_sinks.h>

#include <cstdlib>

namespace lanlord {

void init_logging() {
    auto logger = spdlog::stderr_logger_mt("lanlord");
    if (std::getenv("JOURNAL_STREAM"))
        logger->set_pattern("<%l> %v");
    else
        logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %l %v");
    spdlog::set_default_logger(logger);
    spdlog::flush_on(spdlog::level::info);
}

std::optional<spdlog::level::level_enum> parse_log_level(std::string_view name) {
    if (name == "trace") return spdlog::level::trace;
    if (name == "debug") return spdlog::level::debug;
    if (name == "info") return spdlog::level::info;
    if (name == "warn" || name == "warning") return spdlog::level::warn;
    if (name == "error") return spdlog::level::err;
    if (name == "critical") return spdlog::level::critical;
    if (name == "off") return spdlog::level::off;
    return std::nullopt;
}

bool LogRateLimiter::allow(TimePoint now, unsigned long& suppressed) {
    long long t = now.time_since_epoch().count();
    long long start = window_start_.load(std::memory_order_relaxed);
    if (t - start >= interval_.count() || t < start) {
        window_start_.store(t, std::memory_order_relaxed);
        used_.store(0, std::memory_order_relaxed);
    }
    if (used_.fetch_add(1, std::memory_order_relaxed) < burst_) {
        suppressed = dropped_.exchange(0, std::memory_order_relaxed);
        return true;
    }
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return false;
}

}  // namespace lanlord
