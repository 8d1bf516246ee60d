// DHCPv4 numbers (RFC 2131, RFC 2132, RFC 3442, RFC 4702).
#pragma once

#include <cstddef>
#include <cstdint>

namespace lanlord::dhcp {

inline constexpr std::size_t kFixedSize = 236;  // op .. file (RFC 2131 section 2)
inline constexpr std::size_t kSnameOffset = 44, kSnameSize = 64;
inline constexpr std::size_t kFileOffset = 108, kFileSize = 128;
inline constexpr std::uint32_t kMagicCookie = 0x63825363;  // RFC 2131 section 3
// A 576-byte datagram less the IP and UDP headers: what every client accepts
// (RFC 2131 section 2, 312 bytes of options).
inline constexpr std::size_t kMinMessageSize = 548;
inline constexpr std::uint16_t kBroadcastFlag = 0x8000;
inline constexpr std::uint8_t kBootRequest = 1, kBootReply = 2;

enum class MessageType : std::uint8_t {
    none = 0,
    discover = 1,
    offer = 2,
    request = 3,
    decline = 4,
    ack = 5,
    nak = 6,
    release = 7,
    inform = 8,
};

namespace option {
inline constexpr std::uint8_t pad = 0;
inline constexpr std::uint8_t subnet_mask = 1;
inline constexpr std::uint8_t router = 3;
inline constexpr std::uint8_t dns_servers = 6;
inline constexpr std::uint8_t hostname = 12;
inline constexpr std::uint8_t domain_name = 15;
inline constexpr std::uint8_t broadcast_address = 28;
inline constexpr std::uint8_t ntp_servers = 42;
inline constexpr std::uint8_t requested_address = 50;
inline constexpr std::uint8_t lease_time = 51;
inline constexpr std::uint8_t overload = 52;
inline constexpr std::uint8_t message_type = 53;
inline constexpr std::uint8_t server_id = 54;
inline constexpr std::uint8_t parameter_list = 55;
inline constexpr std::uint8_t message = 56;
inline constexpr std::uint8_t max_message_size = 57;
inline constexpr std::uint8_t renewal_time = 58;    // T1
inline constexpr std::uint8_t rebinding_time = 59;  // T2
inline constexpr std::uint8_t client_id = 61;
inline constexpr std::uint8_t client_fqdn = 81;        // RFC 4702
inline constexpr std::uint8_t relay_agent = 82;        // RFC 3046
inline constexpr std::uint8_t classless_routes = 121;  // RFC 3442
inline constexpr std::uint8_t end = 255;
}  // namespace option

}  // namespace lanlord::dhcp
