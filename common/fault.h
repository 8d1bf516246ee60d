// One bad packet costs one packet: the catch boundaries at every event-loop
// entry, the recoverable assertion, and a test-only fault injector.
//
// Error policy (README.md, Architecture): per-packet paths return results and
// never throw on bad input. What can still throw (std::bad_alloc, a library
// call that throws, a broken invariant) is caught at the boundary of the event
// handler that called it: the exception is logged (rate limited), counted per
// entry point, that one packet or event is dropped and the loop goes on with
// every cache, lease and connection it had. Kea catches at the top of its
// packet loop for the same reason; Knot Resolver's kr_assert logs and goes on.
//
// LANLORD_CHECK(cond) is the recoverable assertion: in the daemon it logs and
// counts a failed invariant and returns false, so the caller drops what it was
// doing (`if (!LANLORD_CHECK(it != end)) return;`); in tests (unit tests, and
// any process with LANLORD_ABORT_ON_CHECK=1 in its environment, which the
// system tests set) it aborts, so a broken invariant fails the test loudly.
//
// Fault injection (tests only): LANLORD_FAULT_INJECT="udp_query:5" makes the
// 5th call through that boundary throw, proving that the boundary holds. It is
// read once at start; unset (always, outside tests) it costs one relaxed load.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <exception>
#include <optional>
#include <string_view>

namespace lanlord {

// Every place where the event loop calls into lanlord's code.
enum class FaultSite : std::uint8_t {
    udp_query,          // a datagram from a client (DNS)
    tcp_query,          // a DNS query read from a TCP connection
    tcp_session,        // accepting, reading, writing, idle timers of TCP clients
    upstream_response,  // an answer from an upstream server (UDP or TCP)
    upstream_error,     // an upstream attempt that failed to send or connect
    dns_timer,          // the resolver engine's timers (retries, deadlines)
    dhcp_packet,        // a DHCP packet on port 67
    dhcp_event,         // DHCP timers, probes, journal commits
    control,            // the control socket (lanlordctl)
    metrics,            // the HTTP servers: /metrics and the web page
    daemon_event,       // signals, watched files, interface changes, blocklist swaps
    event_loop,         // anything that escaped every other boundary (io_context::run)
    count_
};
inline constexpr std::size_t kFaultSiteCount = static_cast<std::size_t>(FaultSite::count_);

std::string_view to_string(FaultSite site);
std::optional<FaultSite> fault_site_from_string(std::string_view name);

// Process-wide counters (all threads), read by lanlordctl stats and /metrics.
struct FaultCounters {
    std::array<std::atomic<std::uint64_t>, kFaultSiteCount> caught{};
    std::atomic<std::uint64_t> checks_failed{0};
};
FaultCounters& fault_counters();

// Records an exception caught at `site`: counted, logged (rate limited).
void note_caught(FaultSite site, const char* what) noexcept;

// Whether a failed LANLORD_CHECK aborts (tests) or logs and goes on (daemon).
void set_abort_on_check(bool abort);
bool abort_on_check();
// Reads LANLORD_ABORT_ON_CHECK and LANLORD_FAULT_INJECT from the environment.
void init_fault_policy_from_env();
// Arms the injector: the `nth` call through `site` (1-based) throws.
// Returns false for a malformed spec ("site:N").
bool arm_fault_injection(std::string_view spec);

namespace detail {
extern std::atomic<bool> injection_armed;
void maybe_inject(FaultSite site);
bool check_failed(const char* expression, const char* file, int line) noexcept;
}  // namespace detail

// Runs `f` inside the boundary for `site`; true when it returned normally.
template <class F>
bool guarded(FaultSite site, F&& f) noexcept {
    try {
        if (detail::injection_armed.load(std::memory_order_relaxed)) detail::maybe_inject(site);
        f();
        return true;
    } catch (const std::exception& e) {
        note_caught(site, e.what());
    } catch (...) {
        note_caught(site, "an exception of unknown type");
    }
    return false;
}

}  // namespace lanlord

// True when `cond` holds; otherwise logs and counts (daemon) or aborts (tests)
// and yields false so the caller can drop the work in hand.
#define LANLORD_CHECK(cond) \
    (static_cast<bool>(cond) || ::lanlord::detail::check_failed(#cond, __FILE__, __LINE__))
