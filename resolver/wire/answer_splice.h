// Builds an answer from a local CNAME chain plus the answer records of a
// resolved target (RFC 1034 4.3.2 step 3a: the CNAME goes first, then the
// target's data). The target's records come from another message, so their
// names (owners and names inside RDATA of the well-known types) are copied
// uncompressed; other types are copied as they are (RFC 3597 section 4 forbids
// compression in them).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "resolver/wire/message_builder.h"
#include "resolver/wire/query_view.h"

namespace lanlord {

// `prefix` holds `prefix_count` complete records (uncompressed). `target` is a
// message (stored form) whose answer section is appended; its rcode is kept
// (NXDOMAIN at the end of a chain is the client's NXDOMAIN, RFC 6604).
// Returns the length written to `out`, 0 if something does not fit or parse.
std::size_t splice_answer(std::span<std::uint8_t> out, std::span<const std::uint8_t> prefix,
                          std::uint16_t prefix_count, std::span<const std::uint8_t> target,
                          const QueryView& q, std::span<const std::uint8_t> query, const EdnsPolicy& edns,
                          std::size_t limit);

// Appends one record with an uncompressed owner to `out` (for building prefixes).
void append_record(std::vector<std::uint8_t>& out, std::string_view owner_wire, std::uint16_t type,
                   std::uint32_t ttl, std::span<const std::uint8_t> rdata);

}  // namespace lanlord
