#include "common/io/netlink_scan.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <cstring>

namespace lanlord::io {

NetlinkScan scan_netlink(std::span<const std::uint8_t> datagram) {
    NetlinkScan out;
    std::size_t offset = 0;
    while (offset < datagram.size()) {
        std::size_t remaining = datagram.size() - offset;
        nlmsghdr header;
        if (remaining < sizeof header) {
            out.malformed = true;  // trailing bytes too short for a header
            break;
        }
        // Copied out: a datagram from a socket is aligned, a test's buffer need not be.
        std::memcpy(&header, datagram.data() + offset, sizeof header);
        if (header.nlmsg_len < sizeof header || header.nlmsg_len > remaining) {
            out.malformed = true;
            break;
        }
        switch (header.nlmsg_type) {
            case RTM_NEWLINK:
            case RTM_DELLINK:
            case RTM_NEWADDR:
            case RTM_DELADDR:
                out.interfaces_changed = true;
                break;
            case NLMSG_OVERRUN:
                out.overrun = true;
                break;
            default:  // NLMSG_NOOP, NLMSG_DONE, NLMSG_ERROR, anything newer: nothing to do
                break;
        }
        // nlmsg_len <= remaining, so the aligned step cannot overflow; the
        // last message of a datagram may lack its padding.
        offset += NLMSG_ALIGN(header.nlmsg_len);
    }
    return out;
}

}  // namespace lanlord::io
