#include "common/fault.h"

#include <catch2/catch.hpp>
#include <new>
#include <stdexcept>

using namespace lanlord;

namespace {
std::uint64_t caught(FaultSite site) {
    return fault_counters().caught[static_cast<std::size_t>(site)].load();
}

// Switches LANLORD_CHECK to the daemon's "log, count, go on" for one scope.
struct DaemonCheckMode {
    DaemonCheckMode() { set_abort_on_check(false); }
    ~DaemonCheckMode() { set_abort_on_check(true); }
};
}  // namespace

TEST_CASE("guarded runs the handler and reports success") {
    int ran = 0;
    CHECK(guarded(FaultSite::udp_query, [&] { ++ran; }));
    CHECK(ran == 1);
}

TEST_CASE("guarded catches what a handler throws and counts it at its site") {
    auto before_udp = caught(FaultSite::udp_query);
    auto before_tcp = caught(FaultSite::tcp_query);
    CHECK_FALSE(guarded(FaultSite::udp_query, [] { throw std::runtime_error("boom"); }));
    CHECK_FALSE(guarded(FaultSite::udp_query, [] { throw std::bad_alloc(); }));
    CHECK_FALSE(guarded(FaultSite::tcp_query, [] { throw 42; }));  // not even a std::exception
    CHECK(caught(FaultSite::udp_query) == before_udp + 2);
    CHECK(caught(FaultSite::tcp_query) == before_tcp + 1);
}

TEST_CASE("a failed LANLORD_CHECK is counted and yields false in daemon mode") {
    DaemonCheckMode mode;
    auto before = fault_counters().checks_failed.load();
    int x = 1;
    CHECK(LANLORD_CHECK(x == 1));
    CHECK_FALSE(LANLORD_CHECK(x == 2));
    CHECK(fault_counters().checks_failed.load() == before + 1);
}

TEST_CASE("the injector throws at exactly the Nth pass through its site, once") {
    REQUIRE(arm_fault_injection("dhcp_packet:3"));
    int ran = 0;
    auto before = caught(FaultSite::dhcp_packet);
    CHECK(guarded(FaultSite::udp_query, [&] { ++ran; }));  // another site: not counted
    CHECK(guarded(FaultSite::dhcp_packet, [&] { ++ran; }));
    CHECK(guarded(FaultSite::dhcp_packet, [&] { ++ran; }));
    CHECK_FALSE(guarded(FaultSite::dhcp_packet, [&] { ++ran; }));  // the 3rd: thrown before the handler
    CHECK(guarded(FaultSite::dhcp_packet, [&] { ++ran; }));        // disarmed after firing
    CHECK(ran == 4);
    CHECK(caught(FaultSite::dhcp_packet) == before + 1);
}

TEST_CASE("malformed injection specs are refused") {
    CHECK_FALSE(arm_fault_injection(""));
    CHECK_FALSE(arm_fault_injection("udp_query"));
    CHECK_FALSE(arm_fault_injection("udp_query:"));
    CHECK_FALSE(arm_fault_injection("udp_query:0"));
    CHECK_FALSE(arm_fault_injection("udp_query:-1"));
    CHECK_FALSE(arm_fault_injection("udp_query:3x"));
    CHECK_FALSE(arm_fault_injection("no_such_site:3"));
}

TEST_CASE("every fault site has a name that maps back to it") {
    for (std::size_t i = 0; i < kFaultSiteCount; ++i) {
        auto site = static_cast<FaultSite>(i);
        auto back = fault_site_from_string(to_string(site));
        REQUIRE(back);
        CHECK(*back == site);
    }
}
