#include "common/io/pktinfo.h"

#include <netinet/in.h>

#include <cstring>

namespace lanlord::io {

PacketInfo read_pktinfo(msghdr& msg) {
    PacketInfo out;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
            in_pktinfo info;
            std::memcpy(&info, CMSG_DATA(c), sizeof info);
            out.ifindex = static_cast<unsigned>(info.ipi_ifindex);
            out.destination = IpAddress::v4_bytes(reinterpret_cast<const std::uint8_t*>(&info.ipi_addr));
        } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
            in6_pktinfo info;
            std::memcpy(&info, CMSG_DATA(c), sizeof info);
            out.ifindex = info.ipi6_ifindex;
            out.destination = IpAddress::v6_bytes(info.ipi6_addr.s6_addr);
        }
    }
    return out;
}

void set_receive_buffer(int fd, int bytes) {
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) != 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
}

}  // namespace lanlord::io
