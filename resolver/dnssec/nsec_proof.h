// Denial of existence with NSEC (RFC 4035 sections 3.1.3 and 5.4), written
// here because ldns's ldns_dnssec_verify_denial accepts a forged NXDOMAIN
// (it looks for the wildcard below the query name's parent, not below the
// closest encloser: ../shared/design/RECURSION.md 3.5).
//
// Every NSEC given must already have been verified (rrset_signature.h) with
// the keys of `signer`, its zone. The proofs, after unbound's val_nsec.c:
// - NXDOMAIN: an NSEC covers the name; the closest encloser follows from
//   that NSEC (the longer common ancestor of the name with its owner and
//   with its next name); an NSEC covers the wildcard below the closest
//   encloser. A covering NSEC whose owner is an ancestor of the name with NS
//   and no SOA (a delegation: the name is in another zone) or a DNAME proves
//   nothing.
// - NODATA: an NSEC at the name without the type and without CNAME; or the
//   name is an empty non-terminal (an NSEC covers it and its next name is
//   below it); or a wildcard NODATA (the name is covered, the wildcard at its
//   closest encloser exists without the type). An NSEC with NS and no SOA is
//   the parent's side of a delegation: it proves that there is no DS and
//   nothing else; one with SOA at a non-root name is the child's apex and
//   cannot prove that there is no DS.
// - Wildcard answer (RFC 4035 5.3.4): the name is covered and the closest
//   encloser is exactly the wildcard's parent, so no closer name exists.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "resolver/dnssec/validation_result.h"
#include "resolver/wire/rdata_decode.h"

namespace lanlord {

struct NsecRecord {
    std::string_view owner;   // lower-cased wire form
    std::string_view signer;  // the zone whose keys verified it
    NsecRdata rdata;
};

// True when `name` lies strictly between the NSEC's owner and next name in
// its zone's canonical order (the last NSEC of a chain points back at the
// apex and covers everything after its owner).
bool nsec_covers(const NsecRecord& nsec, std::string_view name);

Verdict prove_nxdomain_nsec(std::string_view qname, std::span<const NsecRecord> nsecs);
Verdict prove_nodata_nsec(std::string_view qname, std::uint16_t qtype, std::span<const NsecRecord> nsecs);
// `wildcard_labels`: the RRSIG's labels field of the expanded answer.
Verdict prove_wildcard_answer_nsec(std::string_view qname, unsigned wildcard_labels,
                                   std::span<const NsecRecord> nsecs);

}  // namespace lanlord
