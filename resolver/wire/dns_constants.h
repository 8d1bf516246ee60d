// DNS numbers used across the resolver (RFC 1035, RFC 6891, IANA registries).
#pragma once

#include <cstdint>

namespace lanlord::dns {

inline constexpr std::size_t kHeaderSize = 12;
inline constexpr std::uint16_t kClassIN = 1;
inline constexpr std::uint16_t kClassCH = 3;  // CHAOS: the server's own names (RFC 4892)

namespace type {
inline constexpr std::uint16_t A = 1;
inline constexpr std::uint16_t NS = 2;
inline constexpr std::uint16_t MD = 3;  // obsolete mail types (RFC 1035 3.3): still parsed, names inside
inline constexpr std::uint16_t MF = 4;
inline constexpr std::uint16_t CNAME = 5;
inline constexpr std::uint16_t SOA = 6;
inline constexpr std::uint16_t MB = 7;
inline constexpr std::uint16_t MG = 8;
inline constexpr std::uint16_t MR = 9;
inline constexpr std::uint16_t PTR = 12;
inline constexpr std::uint16_t HINFO = 13;
inline constexpr std::uint16_t MINFO = 14;
inline constexpr std::uint16_t MX = 15;
inline constexpr std::uint16_t TXT = 16;
inline constexpr std::uint16_t RP = 17;     // RFC 1183
inline constexpr std::uint16_t AFSDB = 18;  // RFC 1183
inline constexpr std::uint16_t RT = 21;     // RFC 1183
inline constexpr std::uint16_t SIG = 24;    // RFC 2535
inline constexpr std::uint16_t PX = 26;     // RFC 2163
inline constexpr std::uint16_t AAAA = 28;
inline constexpr std::uint16_t NXT = 30;  // RFC 2535
inline constexpr std::uint16_t SRV = 33;
inline constexpr std::uint16_t NAPTR = 35;  // RFC 3403
inline constexpr std::uint16_t KX = 36;     // RFC 2230
inline constexpr std::uint16_t A6 = 38;     // RFC 2874
inline constexpr std::uint16_t DNAME = 39;  // RFC 6672
inline constexpr std::uint16_t OPT = 41;
inline constexpr std::uint16_t DS = 43;  // RFC 4034
inline constexpr std::uint16_t RRSIG = 46;
inline constexpr std::uint16_t NSEC = 47;
inline constexpr std::uint16_t DNSKEY = 48;
inline constexpr std::uint16_t NSEC3 = 50;  // RFC 5155
inline constexpr std::uint16_t NSEC3PARAM = 51;
inline constexpr std::uint16_t IXFR = 251;  // zone transfers: never served or forwarded
inline constexpr std::uint16_t AXFR = 252;
inline constexpr std::uint16_t ANY = 255;
}  // namespace type

namespace rcode {
inline constexpr std::uint8_t NOERROR = 0;
inline constexpr std::uint8_t FORMERR = 1;
inline constexpr std::uint8_t SERVFAIL = 2;
inline constexpr std::uint8_t NXDOMAIN = 3;
inline constexpr std::uint8_t NOTIMP = 4;
inline constexpr std::uint8_t REFUSED = 5;
inline constexpr std::uint16_t BADVERS = 16;  // extended, RFC 6891 section 9
}  // namespace rcode

// Header flag bits within the 16-bit flags word.
namespace flag {
inline constexpr std::uint16_t QR = 0x8000;
inline constexpr std::uint16_t AA = 0x0400;
inline constexpr std::uint16_t TC = 0x0200;
inline constexpr std::uint16_t RD = 0x0100;
inline constexpr std::uint16_t RA = 0x0080;
inline constexpr std::uint16_t AD = 0x0020;
inline constexpr std::uint16_t CD = 0x0010;
inline constexpr std::uint16_t OPCODE_MASK = 0x7800;
inline constexpr std::uint16_t RCODE_MASK = 0x000F;
}  // namespace flag

inline constexpr std::uint16_t kEdnsDoBit = 0x8000;  // in the OPT TTL's low 16 bits, RFC 3225
inline constexpr std::uint16_t kMinUdpSize = 512;    // RFC 1035 section 4.2.1
inline constexpr std::uint16_t kEdnsOptionEde = 15;  // Extended DNS Error, RFC 8914
inline constexpr std::size_t kOptRecordSize = 11;    // root name + type/class/ttl/rdlength
inline constexpr std::size_t kMaxMessageSize = 65535;

}  // namespace lanlord::dns
