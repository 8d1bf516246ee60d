// Writes a DHCPv4 message: the fixed fields of a Packet and its options in
// the priority order the engine gives, within the size the client accepts
// (option 57, at least 576 bytes, RFC 2131 section 2). When the options field
// is full, options go on into `file` and then `sname` with option 52 saying
// so (RFC 2132 section 9.3); an option longer than 255 bytes is written as
// several instances (RFC 3396). Options that fit nowhere are dropped and
// counted, never truncated.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "dhcp/wire/packet.h"

namespace lanlord::dhcp {

struct BuildResult {
    std::size_t length = 0;   // 0: `out` too small for even the fixed part
    unsigned dropped = 0;     // options that did not fit
    bool overloaded = false;  // file and/or sname carry options
};

BuildResult build_packet(const Packet& p, std::span<const std::uint8_t> order, std::size_t max_size,
                         std::span<std::uint8_t> out);

}  // namespace lanlord::dhcp
