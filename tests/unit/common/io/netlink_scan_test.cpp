// scan_netlink: which datagrams make the interface monitor re-read the
// table, and that no header length, however wrong, makes it read past the
// datagram (run under ASan in the sanitizer pass).
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <vector>

#include "common/io/netlink_scan.h"

using lanlord::io::NetlinkScan;
using lanlord::io::scan_netlink;

namespace {
// Appends one message: a header of `length` (as claimed) and `body` bytes of
// payload, padded to NLMSG_ALIGN unless `pad` is false.
void add(std::vector<std::uint8_t>& out, std::uint16_t type, std::uint32_t length, std::size_t body,
         bool pad = true) {
    nlmsghdr h{};
    h.nlmsg_len = length;
    h.nlmsg_type = type;
    std::size_t at = out.size();
    out.resize(at + sizeof h + body);
    std::memcpy(out.data() + at, &h, sizeof h);
    if (pad) out.resize(at + NLMSG_ALIGN(sizeof h + body));
}
void add(std::vector<std::uint8_t>& out, std::uint16_t type, std::size_t body = 8) {
    add(out, type, static_cast<std::uint32_t>(sizeof(nlmsghdr) + body), body);
}
// A scan of the datagram copied to an odd address: headers need not be aligned.
NetlinkScan scan_unaligned(const std::vector<std::uint8_t>& d) {
    std::vector<std::uint8_t> shifted(d.size() + 1);
    std::memcpy(shifted.data() + 1, d.data(), d.size());
    return scan_netlink({shifted.data() + 1, d.size()});
}
}  // namespace

TEST_CASE("netlink scan: link and address events are changes, others are not") {
    for (std::uint16_t type : {RTM_NEWLINK, RTM_DELLINK, RTM_NEWADDR, RTM_DELADDR}) {
        std::vector<std::uint8_t> d;
        add(d, type);
        NetlinkScan s = scan_netlink(d);
        CHECK(s.interfaces_changed);
        CHECK_FALSE(s.malformed);
        CHECK(s.reread());
    }
    std::vector<std::uint8_t> d;
    add(d, NLMSG_NOOP, 0);
    add(d, RTM_NEWROUTE, 12);
    add(d, NLMSG_DONE, 4);
    add(d, NLMSG_ERROR, 20);
    NetlinkScan s = scan_netlink(d);
    CHECK_FALSE(s.reread());
    CHECK_FALSE(scan_netlink({}).reread());
}

TEST_CASE("netlink scan: a change after other messages, unpadded last message, unaligned buffer") {
    std::vector<std::uint8_t> d;
    add(d, RTM_NEWROUTE, 13);  // 29 bytes, padded to 32
    add(d, RTM_NEWADDR, static_cast<std::uint32_t>(sizeof(nlmsghdr) + 5), 5, false);
    NetlinkScan s = scan_netlink(d);
    CHECK(s.interfaces_changed);
    CHECK_FALSE(s.malformed);
    CHECK(scan_unaligned(d).interfaces_changed);
}

TEST_CASE("netlink scan: overrun means re-read") {
    std::vector<std::uint8_t> d;
    add(d, NLMSG_OVERRUN, 0);
    NetlinkScan s = scan_netlink(d);
    CHECK(s.overrun);
    CHECK(s.reread());
}

TEST_CASE("netlink scan: malformed lengths stop the walk and mean re-read") {
    SECTION("length shorter than a header (0 would loop for ever)") {
        for (std::uint32_t length : {0u, 1u, 15u}) {
            std::vector<std::uint8_t> d;
            add(d, RTM_NEWROUTE, length, 16);
            NetlinkScan s = scan_netlink(d);
            CHECK(s.malformed);
            CHECK_FALSE(s.interfaces_changed);
            CHECK(s.reread());
        }
    }
    SECTION("length past the end of the datagram") {
        for (std::uint32_t length : {33u, 4096u, 0xffffffffu}) {
            std::vector<std::uint8_t> d;
            add(d, RTM_NEWROUTE, length, 16);  // 32 bytes there
            CHECK(scan_netlink(d).malformed);
            CHECK(scan_unaligned(d).malformed);
        }
    }
    SECTION("a good message, then one that lies") {
        std::vector<std::uint8_t> d;
        add(d, RTM_NEWLINK);
        add(d, RTM_NEWROUTE, 1000, 4);
        NetlinkScan s = scan_netlink(d);
        CHECK(s.interfaces_changed);
        CHECK(s.malformed);
    }
    SECTION("trailing bytes too short for a header") {
        std::vector<std::uint8_t> d;
        add(d, RTM_NEWROUTE);
        d.resize(d.size() + 7);
        CHECK(scan_netlink(d).malformed);
        std::vector<std::uint8_t> tiny(3, 0xff);
        CHECK(scan_netlink(tiny).malformed);
    }
    SECTION("every truncation of a valid datagram is safe") {
        std::vector<std::uint8_t> d;
        add(d, RTM_NEWADDR, 24);  // first: any cut either breaks it or keeps it
        add(d, RTM_NEWROUTE, 13);
        add(d, RTM_DELLINK, 3);
        for (std::size_t n = 0; n <= d.size(); ++n) {
            std::vector<std::uint8_t> cut(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(n));
            NetlinkScan s = scan_netlink(cut);
            if (n == d.size()) CHECK_FALSE(s.malformed);
            if (n > 0 && n < d.size()) CHECK(s.reread());
        }
    }
}
