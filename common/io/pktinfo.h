// Reads IP_PKTINFO / IPV6_PKTINFO from a received message: the interface a
// datagram came in on and the address it was sent to. Both the DNS listener
// and the DHCP socket need them.
#pragma once

#include <sys/socket.h>

#include <optional>

#include "common/ip_address.h"

namespace lanlord::io {

struct PacketInfo {
    unsigned ifindex = 0;
    std::optional<IpAddress> destination;
};

PacketInfo read_pktinfo(msghdr& msg);

}  // namespace lanlord::io
