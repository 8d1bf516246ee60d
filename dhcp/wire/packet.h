// A parsed DHCPv4 message (RFC 2131 section 2, options RFC 2132): the fixed
// BOOTP fields plus the options, gathered from the options field and, when
// option 52 says so, from `file` and `sname` (RFC 2132 section 9.3).
// Repeated instances of one option are concatenated (RFC 3396).
//
// Network input is hostile: parse_packet checks every length, refuses
// overload loops and bad hardware lengths, and reports why with an error
// code the server counts; it never throws and never reads past the end.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/ip_address.h"
#include "dhcp/wire/dhcp_constants.h"

namespace lanlord::dhcp {

enum class ParseError : std::uint8_t {
    ok,
    too_short,        // shorter than the fixed part plus the magic cookie
    bad_op,           // neither BOOTREQUEST nor BOOTREPLY
    bad_hlen,         // hardware address length 0 or over 16
    bad_cookie,       // not a DHCP message (BOOTP without the magic cookie)
    option_overflow,  // an option's length runs past its field
    bad_overload,     // option 52 malformed, or present in file/sname
    missing_end,      // no END option in a field that should have one
};
const char* to_string(ParseError e);

struct Packet {
    std::uint8_t op = kBootRequest, htype = 1, hlen = 6, hops = 0;
    std::uint32_t xid = 0;
    std::uint16_t secs = 0, flags = 0;
    IpAddress ciaddr, yiaddr, siaddr, giaddr;  // zero = 0.0.0.0
    std::array<std::uint8_t, 16> chaddr{};
    // Every option present, by code; the bytes of all its instances joined.
    std::array<std::optional<std::vector<std::uint8_t>>, 256> options;

    MessageType message_type() const;
    bool broadcast() const { return flags & kBroadcastFlag; }
    std::span<const std::uint8_t> hardware_address() const { return {chaddr.data(), hlen}; }
    const std::vector<std::uint8_t>* option(std::uint8_t code) const {
        return options[code] ? &*options[code] : nullptr;
    }
    std::optional<IpAddress> option_address(std::uint8_t code) const;  // exactly 4 bytes
    std::optional<std::uint32_t> option_u32(std::uint8_t code) const;
    std::optional<std::uint16_t> option_u16(std::uint8_t code) const;
    // "01:02:03:04:05:06" (hlen bytes); the client id text for logs.
    std::string hardware_text() const;
};

ParseError parse_packet(std::span<const std::uint8_t> bytes, Packet& out);

}  // namespace lanlord::dhcp
