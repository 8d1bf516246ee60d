#include "dhcp/engine/drop_reason.h"

namespace lanlord::dhcp {

std::string_view to_string(DropReason reason) {
    switch (reason) {
        case DropReason::not_a_request:
            return "not a request";
        case DropReason::no_subnet:
            return "no subnet for this interface or relay";
        case DropReason::no_server_address:
            return "no address of ours in the subnet yet";
        case DropReason::not_a_dhcp_request:
            return "not a DHCP request message";
        case DropReason::release_not_held:
            return "release of an address the client does not hold";
        case DropReason::decline_not_held:
            return "decline of an address the client does not hold";
        case DropReason::probe_in_progress:
            return "conflict probe in progress";
        case DropReason::pool_exhausted:
            return "pool exhausted";
        case DropReason::unknown_probe:
            return "result of an unknown probe";
        case DropReason::every_candidate_answered:
            return "every probed candidate answered ping";
        case DropReason::chose_another_server:
            return "client chose another server";
        case DropReason::init_reboot_without_address:
            return "INIT-REBOOT without a requested address";
        case DropReason::init_reboot_unknown:
            return "INIT-REBOOT for an address we know nothing about (not authoritative)";
        case DropReason::renewal_unknown:
            return "renewal of an address we know nothing about (not authoritative)";
    }
    return "unknown drop reason";  // not reached: every enumerator is named above (-Wswitch)
}

}  // namespace lanlord::dhcp
