// The DNSSEC records of a response, removed for a client that did not set DO
// (RFC 4035 3.2.1: RRSIG, NSEC and NSEC3 go only to clients that asked for
// them, unless they are the type asked). Used where lanlord asked its
// upstream with DO=1 to validate an answer for a client without DO.
//
// The result is the same message re-encoded without name compression (a
// pointer might have pointed into a removed record): header (counts fixed),
// the question as it was, and each kept record with its owner as the
// message spelled it and its RDATA in canonical, uncompressed form
// (rdata_canonical.h). The OPT record is kept as it is.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace lanlord {

// False (and `out` unspecified) when `msg` does not parse.
bool strip_dnssec_records(std::span<const std::uint8_t> msg, std::uint16_t qtype,
                          std::vector<std::uint8_t>& out);

}  // namespace lanlord
