// What the DNS listener and the DHCP socket both need from a UDP socket:
// IP_PKTINFO / IPV6_PKTINFO of a received message (the interface a datagram
// came in on and the address it was sent to), and a large receive buffer.
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

// Room for bursts to wait in the socket instead of being dropped: `bytes`,
// forced past rmem_max when we hold CAP_NET_ADMIN, else up to rmem_max. Only
// queued datagrams use it.
void set_receive_buffer(int fd, int bytes);

}  // namespace lanlord::io
