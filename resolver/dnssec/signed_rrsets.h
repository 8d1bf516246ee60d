// The RRsets of one section of a response with their RRSIGs, copied out in
// canonical form (rdata_canonical.h) so that they outlive the message and
// can be verified (rrset_signature.h). The validator's cold path: it
// allocates, the cache-hit path never comes here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "resolver/dnssec/rrset_signature.h"
#include "resolver/wire/dns_message.h"

namespace lanlord {

struct SignedRrset {
    std::string owner;  // lower-cased wire
    std::uint16_t type = 0;
    std::uint16_t klass = 1;
    std::uint32_t ttl = 0;
    std::vector<std::vector<std::uint8_t>> rdatas;  // canonical
    std::vector<std::vector<std::uint8_t>> rrsigs;  // canonical RRSIG RDATA covering this set

    // Views for rrset_signature.h (valid while this object is unchanged).
    RrsetData data(std::vector<ByteView>& views) const;
    std::vector<RrsigData> signatures() const;  // the RRSIGs that decode
    // The signer of the first RRSIG that decodes; empty when unsigned.
    std::string signer() const;
};

// RRsets of `section` of `msg` (which parsed). Records whose RDATA cannot
// be put in canonical form are left out; so are RRSIGs covering nothing.
std::vector<SignedRrset> signed_rrsets(const ParsedMessage& msg, Section section);

}  // namespace lanlord
