// The NSEC and NSEC3 records of a response's authority section that verify
// with their zone's keys, ready for the proofs (nsec_proof.h,
// nsec3_proof.h). Records that do not verify are left out (the proof then
// fails with EDE 12, or the signature's own failure is reported).
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "resolver/dnssec/nsec3_proof.h"
#include "resolver/dnssec/nsec_proof.h"
#include "resolver/dnssec/signed_rrsets.h"

namespace lanlord {

struct VerifiedDenial {
    std::vector<NsecRecord> nsecs;    // views into the SignedRrsets given
    std::vector<Nsec3Record> nsec3s;  // idem
    Verdict first_failure;            // the first NSEC/NSEC3 set that did not verify, if any
    bool any_failed = false;
    // The smallest TTL of the records that verified (RFC 4035 5.3.3:
    // capped by their RRSIGs' original TTL and expiration).
    std::uint32_t ttl = 0xFFFFFFFF;
    std::vector<std::size_t> verified;  // indexes into `authority` of the NSEC/NSEC3 sets that verified
};

VerifiedDenial verified_denial(std::span<const SignedRrset> authority, std::string_view zone,
                               std::span<const ByteView> keys, std::uint32_t wall, ValidationBudget& budget);

// Proves that (name, qtype) has no data (`nxdomain`: no name) with
// whichever of NSEC or NSEC3 the zone uses.
Verdict prove_denial(const VerifiedDenial& d, std::string_view name, std::uint16_t qtype, bool nxdomain,
                     ValidationBudget& budget);

}  // namespace lanlord

namespace lanlord {

// After a secure denial of DS at `name`: true when the NSEC or NSEC3 at the
// name has the NS bit, i.e. the name is an unsigned delegation (RFC 4035
// 5.2) rather than a name inside the parent's zone.
bool denial_shows_delegation(const VerifiedDenial& d, std::string_view name, ValidationBudget& budget);

}  // namespace lanlord
