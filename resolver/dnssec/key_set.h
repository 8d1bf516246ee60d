// A zone's DNSKEY RRset validated against the DS RRset its parent published
// (or a trust anchor's DS records): RFC 4035 section 5.2. The result is the
// set of keys that may sign the zone's data, or why there is none.
//
// Rules, with their sources:
// - Only DS records of a digest and algorithm we implement count; when none
//   does, the zone is insecure, not bogus (RFC 4035 5.2, RFC 6840 5.2), with
//   EDE 1 or 2 so the operator sees why there is no AD.
// - A SHA-1 DS is ignored when the same DS set has a SHA-256 or SHA-384 one
//   (RFC 4509 section 3: a downgrade to the weaker digest is refused).
// - The DS must match a zone key (ZONE bit, protocol 3, not revoked: RFC
//   5011's revoked KSK-2017, tag 20326 + 128, matches no DS) by tag,
//   algorithm and digest, and that key must have signed the DNSKEY RRset.
// - At most limits.max_ds_records DS records are looked at, each charged
//   one digest; signature checks are charged to the budget (KeyTrap).
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "resolver/dnssec/rrset_signature.h"

namespace lanlord {

struct KeySetVerdict {
    Verdict verdict;
    std::uint32_t ttl = 0;       // secure: the DNSKEY RRset's validated TTL
    std::vector<ByteView> keys;  // secure: the usable zone keys (views into the input)
};

KeySetVerdict validate_key_set(std::string_view zone, const RrsetData& dnskeys,
                               std::span<const RrsigData> sigs, std::span<const ByteView> ds_records,
                               std::uint32_t now, ValidationBudget& budget);

// True when `dnskey` (RDATA) is the key `ds` (RDATA) names: tag, algorithm
// and digest over (owner | DNSKEY RDATA).
bool ds_matches_key(std::string_view owner, const DsRdata& ds, ByteView dnskey);

}  // namespace lanlord
