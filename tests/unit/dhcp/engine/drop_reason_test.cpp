// Unit tests of the engine's drop reasons: the log texts stay what they were
// when the reasons were strings, and every reason has its own.
#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "dhcp/engine/drop_reason.h"

using namespace lanlord::dhcp;

TEST_CASE("drop reason: each reason has its own log text, the ones logs are searched for unchanged") {
    CHECK(to_string(DropReason::pool_exhausted) == "pool exhausted");
    CHECK(to_string(DropReason::no_server_address) == "no address of ours in the subnet yet");
    CHECK(to_string(DropReason::chose_another_server) == "client chose another server");
    const DropReason every[] = {DropReason::not_a_request,        DropReason::no_subnet,
                                DropReason::no_server_address,    DropReason::not_a_dhcp_request,
                                DropReason::release_not_held,     DropReason::decline_not_held,
                                DropReason::probe_in_progress,    DropReason::pool_exhausted,
                                DropReason::unknown_probe,        DropReason::every_candidate_answered,
                                DropReason::chose_another_server, DropReason::init_reboot_without_address,
                                DropReason::init_reboot_unknown,  DropReason::renewal_unknown};
    std::set<std::string> texts;
    for (DropReason r : every) {
        std::string text(to_string(r));
        CHECK_FALSE(text.empty());
        CHECK(text != "unknown drop reason");
        texts.insert(text);
    }
    CHECK(texts.size() == std::size(every));
}
