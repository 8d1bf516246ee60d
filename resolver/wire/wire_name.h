// Domain names decoded out of a DNS message into a fixed buffer: the owner
// names and the names inside RDATA that the iterator's scrubber and the
// validator compare. Wraps common/dns_name.h's read_name (which validates:
// pointers strictly backwards, 255 bytes at most) with the two variants the
// RR parser needs: keeping the original letter case (0x20 checks of the
// question, RFC 6840 5.1's NSEC exception) and refusing compression pointers
// (types whose RFCs forbid compression, RFC 3597 section 4).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "common/dns_name.h"

namespace lanlord {

// An uncompressed wire-form name in a buffer of its own: no allocation.
struct WireName {
    std::array<std::uint8_t, kMaxNameLength> bytes{};
    std::uint8_t size = 0;

    std::string_view view() const { return {reinterpret_cast<const char*>(bytes.data()), size}; }
};

enum class NameCase : std::uint8_t { lower, keep };
enum class Compression : std::uint8_t { allowed, refused };

enum class WireNameError : std::uint8_t {
    ok,
    truncated,        // runs past the end of the message
    bad_label_type,   // 0x40/0x80 label types (RFC 6891 section 9 retired them)
    too_long,         // over 255 bytes uncompressed (RFC 1035 section 2.3.4)
    forward_pointer,  // a pointer not strictly backwards (would allow loops)
    compressed,       // a pointer where the caller refused compression
};

// Reads the name at `pos` and advances `pos` past the bytes it occupies there
// (a pointer ends it). `out` gets the uncompressed name, lower-cased or in
// the letter case the message has.
WireNameError read_wire_name(std::span<const std::uint8_t> msg, std::size_t& pos, WireName& out,
                             NameCase name_case = NameCase::lower,
                             Compression compression = Compression::allowed);

// Validates and skips a name; no copy.
WireNameError skip_wire_name(std::span<const std::uint8_t> msg, std::size_t& pos,
                             Compression compression = Compression::allowed);

WireNameError to_wire_name_error(NameError e);

}  // namespace lanlord
