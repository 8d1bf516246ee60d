// The canonical form of a record's RDATA for DNSSEC (RFC 4034 section 6.2):
// every domain name inside it written out uncompressed, and lower-cased for
// the types RFC 4034 6.2 item 3 lists, less NSEC, whose next domain name
// keeps its case (RFC 6840 section 5.1: "DNS names in the RDATA section of
// NSEC resource records are not converted to lowercase. DNS names in the
// RDATA section of RRSIG resource records are converted to lowercase.").
// RDATA of unknown types is copied as it is (RFC 3597 section 7): nothing in
// it is known to be a name.
//
// The validator hashes this form; it also is how RDATA is stored apart from
// the message it came in (a compression pointer means nothing elsewhere).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "resolver/wire/dns_message.h"
#include "resolver/wire/rdata_layout.h"

namespace lanlord {

// Appends the canonical RDATA of `rr` (a record of `msg`) to `out`. On error
// `out` is left as it was.
RdataError canonical_rdata(std::span<const std::uint8_t> msg, const RecordView& rr,
                           std::vector<std::uint8_t>& out);

}  // namespace lanlord
