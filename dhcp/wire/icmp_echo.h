// ICMP echo request and reply (RFC 792) for the DHCP server's conflict probe
// (RFC 2131 2.2): built and recognised here, sent and received by
// dhcp/net/icmp_prober. A raw IPPROTO_ICMP socket hands over whole IPv4
// datagrams, header included, and sees every echo reply the host gets: the
// parser is hostile-input code and checks every length and the checksum.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "common/ip_address.h"

namespace lanlord::dhcp {

// RFC 1071 one's-complement sum of `bytes`, complemented.
std::uint16_t internet_checksum(std::span<const std::uint8_t> bytes);

// Type 8 with identifier, sequence and a short payload; checksum filled in.
std::vector<std::uint8_t> build_echo_request(std::uint16_t identifier, std::uint16_t sequence);

struct EchoReply {
    IpAddress source;
    std::uint16_t identifier = 0, sequence = 0;
};

// The echo reply (type 0) in an IPv4 datagram, or nothing when it is not one
// or does not hold together (short, bad header length, bad checksum, fragment).
std::optional<EchoReply> parse_echo_reply(std::span<const std::uint8_t> datagram);

}  // namespace lanlord::dhcp
