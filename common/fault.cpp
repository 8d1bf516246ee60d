#include "common/fault.h"

#include <cstdlib>
#include <stdexcept>
#include <string>

#include "common/log.h"

namespace lanlord {

namespace {
constexpr std::array<std::string_view, kFaultSiteCount> kSiteNames = {
    "udp_query",   "tcp_query",  "tcp_session", "upstream_response", "upstream_error", "dns_timer",
    "dhcp_packet", "dhcp_event", "control",     "metrics",           "daemon_event",   "event_loop"};

// The daemon default is to log and go on; Debug builds (the sanitizer run of
// the test suite) and tests abort so that a broken invariant cannot pass.
#ifdef NDEBUG
std::atomic<bool> g_abort_on_check{false};
#else
std::atomic<bool> g_abort_on_check{true};
#endif

// A flood of one bad input must not flood the journal either.
LogRateLimiter g_fault_log{10, seconds(10)};

// The injector: one site, one countdown (tests arm one fault at a time).
std::atomic<int> g_inject_site{-1};
std::atomic<long> g_inject_countdown{0};
}  // namespace

namespace detail {
std::atomic<bool> injection_armed{false};

void maybe_inject(FaultSite site) {
    if (g_inject_site.load(std::memory_order_relaxed) != static_cast<int>(site)) return;
    if (g_inject_countdown.fetch_sub(1, std::memory_order_relaxed) != 1) return;
    injection_armed.store(false, std::memory_order_relaxed);
    throw std::runtime_error("injected fault (LANLORD_FAULT_INJECT)");
}

bool check_failed(const char* expression, const char* file, int line) noexcept {
    fault_counters().checks_failed.fetch_add(1, std::memory_order_relaxed);
    try {  // rate limited like caught exceptions: a check failing per packet must not flood the journal
        unsigned long suppressed = 0;
        if (g_fault_log.allow(Clock::now(), suppressed)) {
            if (suppressed) spdlog::error("({} similar errors suppressed)", suppressed);
            spdlog::error("internal check failed: {} ({}:{}); dropping the work in hand", expression, file,
                          line);
        }
    } catch (...) {
    }
    if (g_abort_on_check.load(std::memory_order_relaxed)) std::abort();
    return false;
}
}  // namespace detail

std::string_view to_string(FaultSite site) {
    auto i = static_cast<std::size_t>(site);
    return i < kFaultSiteCount ? kSiteNames[i] : "unknown";
}

std::optional<FaultSite> fault_site_from_string(std::string_view name) {
    for (std::size_t i = 0; i < kFaultSiteCount; ++i)
        if (kSiteNames[i] == name) return static_cast<FaultSite>(i);
    return std::nullopt;
}

FaultCounters& fault_counters() {
    static FaultCounters counters;
    return counters;
}

void note_caught(FaultSite site, const char* what) noexcept {
    auto i = static_cast<std::size_t>(site);
    if (i >= kFaultSiteCount) i = static_cast<std::size_t>(FaultSite::event_loop);
    fault_counters().caught[i].fetch_add(1, std::memory_order_relaxed);
    try {
        unsigned long suppressed = 0;
        if (g_fault_log.allow(Clock::now(), suppressed)) {
            if (suppressed) spdlog::error("({} similar errors suppressed)", suppressed);
            spdlog::error("{}: {}; dropped that one and carried on", kSiteNames[i], what);
        }
    } catch (...) {  // logging itself failed (out of memory): the count is kept
    }
}

void set_abort_on_check(bool abort) {
    g_abort_on_check.store(abort, std::memory_order_relaxed);
}

bool abort_on_check() {
    return g_abort_on_check.load(std::memory_order_relaxed);
}

bool arm_fault_injection(std::string_view spec) {
    auto colon = spec.rfind(':');
    if (colon == std::string_view::npos) return false;
    auto site = fault_site_from_string(spec.substr(0, colon));
    std::string count(spec.substr(colon + 1));
    char* end = nullptr;
    long nth = std::strtol(count.c_str(), &end, 10);
    if (!site || count.empty() || *end != '\0' || nth < 1) return false;
    g_inject_site.store(static_cast<int>(*site), std::memory_order_relaxed);
    g_inject_countdown.store(nth, std::memory_order_relaxed);
    detail::injection_armed.store(true, std::memory_order_relaxed);
    return true;
}

void init_fault_policy_from_env() {
    if (const char* v = std::getenv("LANLORD_ABORT_ON_CHECK"); v && *v)
        set_abort_on_check(std::string_view(v) != "0");
    if (const char* v = std::getenv("LANLORD_FAULT_INJECT"); v && *v) {
        if (arm_fault_injection(v))
            spdlog::warn("test fault injection armed: {}", v);
        else
            spdlog::error("LANLORD_FAULT_INJECT='{}' is not SITE:N; ignored", v);
    }
}

}  // namespace lanlord
