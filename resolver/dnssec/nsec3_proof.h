// Denial of existence with NSEC3 (RFC 5155 section 8), written here because
// ldns's ldns_dnssec_verify_denial_nsec3 ignores signatures, takes its
// parameters from the first NSEC3 only and hashes every suffix at any
// iteration count (CVE-2023-50868's shape).
//
// Every NSEC3 given must already have been verified with the keys of its
// zone (`signer`). Rules, and the limits that bound the work:
// - All NSEC3s of a proof must share the zone, hash algorithm, iterations
//   and salt (RFC 5155 8.2); others are ignored. At most 8 are used (Knot
//   refuses more than 8, pdns 10).
// - Hash algorithm other than SHA-1, or iterations over
//   limits.max_nsec3_iterations: the answer is insecure (RFC 5155 8.1,
//   RFC 9276 section 3.2), with EDE 27 for the iterations; checked before
//   any hash is computed.
// - Each hash computation is charged to the budget; a name is hashed once
//   per proof.
// - Closest-encloser proof (8.3): an NSEC3 matches the closest encloser and
//   one covers the next closer name. NXDOMAIN (8.4): plus one covering the
//   wildcard at the closest encloser. NODATA (8.5): a matching NSEC3 without
//   the type and CNAME; for DS (8.6) a closest-encloser proof whose next
//   closer NSEC3 has opt-out proves an insecure delegation. Wildcard NODATA
//   (8.7) and wildcard answers (8.8): the next closer is covered.
// - Opt-out (RFC 5155 6): a covering NSEC3 with opt-out says nothing about
//   unsigned delegations in its span, so an NXDOMAIN or DS denial that rests
//   on one is insecure, never secure (RFC 5155 9.2).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "resolver/dnssec/crypto.h"
#include "resolver/dnssec/validation_result.h"
#include "resolver/wire/rdata_decode.h"

namespace lanlord {

struct Nsec3Record {
    std::string_view owner;   // lower-cased wire: base32hex(hash) label + zone
    std::string_view signer;  // the zone whose keys verified it
    Nsec3Rdata rdata;
};

// Decodes the first label of an NSEC3 owner (base32hex, RFC 4648 section 7,
// without padding) into a SHA-1 hash; false when it is not one.
bool nsec3_owner_hash(std::string_view owner, Nsec3Hash& out);

Verdict prove_nxdomain_nsec3(std::string_view qname, std::span<const Nsec3Record> nsec3s,
                             ValidationBudget& budget);
Verdict prove_nodata_nsec3(std::string_view qname, std::uint16_t qtype, std::span<const Nsec3Record> nsec3s,
                           ValidationBudget& budget);
Verdict prove_wildcard_answer_nsec3(std::string_view qname, unsigned wildcard_labels,
                                    std::span<const Nsec3Record> nsec3s, ValidationBudget& budget);

}  // namespace lanlord
