// The bench's DNS messages: the queries it sends and what it reads back.
//
// Every query is what a validating stub would send: a random 16-bit ID, RD,
// and EDNS0 (1232-byte buffer) with the DO bit, so that a validating resolver
// has reason to set AD (RFC 6840 section 5.8: AD only when DO or AD was
// asked). Responses are hostile input: every length is checked, and an
// answer counts only when ID, question and source match a query still
// waiting (RFC 5452); anything else is ignored, as a stray or spoofed packet.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/ip_address.h"

namespace lanlord::bench {

inline constexpr std::uint16_t kTypeA = 1;
inline constexpr std::uint16_t kTypeSOA = 6;
inline constexpr std::uint16_t kClassIN = 1;
inline constexpr std::uint16_t kUdpSize = 1232;

// `qname` in lower-case wire form. Empty on a name that does not fit.
std::vector<std::uint8_t> build_query(std::string_view qname, std::uint16_t qtype, std::uint16_t id);

enum class ParseStatus : std::uint8_t { ok, malformed, not_a_response };

// What the bench needs of a response.
struct ParsedResponse {
    std::uint16_t id = 0;
    std::string qname;  // lower-case wire form
    std::uint16_t qtype = 0, qclass = 0;
    std::uint8_t rcode = 0;  // the header's 4 bits (an extended RCODE needs OPT; not used here)
    bool ad = false, tc = false;
    unsigned a_records = 0;            // IN A records in the answer section (a CNAME chain's end included)
    std::optional<IpAddress> first_a;  // the first of them
};

// Header and the one question must parse; the answer section is walked for A
// records as far as it is well-formed (a truncated tail just ends the count:
// the latency of the packet is still real).
ParseStatus parse_response(std::span<const std::uint8_t> msg, ParsedResponse& out);

// Whether `r` answers the query we sent with `id` for `qname`/`qtype` (IN).
bool answers_query(const ParsedResponse& r, std::uint16_t id, std::string_view qname, std::uint16_t qtype);

}  // namespace lanlord::bench
