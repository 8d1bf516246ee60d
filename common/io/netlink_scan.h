// What one datagram from the kernel's rtnetlink multicast groups means to
// lanlord: only whether the interface table may have changed. The interface
// monitor re-reads the whole table (getifaddrs) rather than applying the
// messages, so nothing beyond each message's header is looked at, and the
// headers are not trusted: a length that is too short or runs past the end
// stops the walk and counts as "re-read to be sure".
#pragma once

#include <cstdint>
#include <span>

namespace lanlord::io {

struct NetlinkScan {
    bool interfaces_changed = false;  // an RTM_NEWLINK, DELLINK, NEWADDR or DELADDR
    bool overrun = false;             // NLMSG_OVERRUN: the kernel lost messages
    bool malformed = false;           // a header that does not fit: the rest was not read
    // Whatever is uncertain is treated as a change: a re-read costs little.
    bool reread() const { return interfaces_changed || overrun || malformed; }
};

NetlinkScan scan_netlink(std::span<const std::uint8_t> datagram);

}  // namespace lanlord::io
