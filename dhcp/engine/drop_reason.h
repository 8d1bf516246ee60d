// Why the server engine sent nothing for a packet (Outcome::dropped): an enum,
// so the edge can act on a reason (read the interfaces again, warn about an
// exhausted pool) by comparing values, and to_string gives the text for the
// debug log. Which reasons count in ServerStats::dropped is the engine's
// business: a packet that is not for us counts, a client that chose another
// server does not.
#pragma once

#include <cstdint>
#include <string_view>

namespace lanlord::dhcp {

enum class DropReason : std::uint8_t {
    not_a_request,                // BOOTREPLY on port 67
    no_subnet,                    // no subnet for the receiving interface or giaddr
    no_server_address,            // the subnet's interface has no address of ours yet
    not_a_dhcp_request,           // no message type, or one a server never receives
    release_not_held,             // RELEASE of an address the client does not hold
    decline_not_held,             // DECLINE of an address the client does not hold
    probe_in_progress,            // a retransmitted DISCOVER while its candidate is probed
    pool_exhausted,               // no address left for the client
    unknown_probe,                // a probe result for no probe of ours (already finished)
    every_candidate_answered,     // kProbesPerDiscover candidates all answered ping
    chose_another_server,         // REQUEST in SELECTING for another server's OFFER
    init_reboot_without_address,  // INIT-REBOOT without option 50
    init_reboot_unknown,          // INIT-REBOOT for an unknown address, not authoritative
    renewal_unknown,              // RENEWING/REBINDING an unknown address, not authoritative
};

// The text for logs ("DHCP <mac> from <interface>: <text>").
std::string_view to_string(DropReason reason);

}  // namespace lanlord::dhcp
