// Validates a whole response to (qname, qtype) (RFC 4035 section 5): every
// RRset of the answer's CNAME/DNAME chain with the keys of the zone that
// signed it, wildcard expansions with their next-closer proof, and negative
// answers with their NSEC/NSEC3 proof from the zone of the SOA. The result
// is the weakest of its parts: bogus, else insecure, else secure.
//
// It needs the security of the zones involved, which the chain walks
// (chain_walk.h) establish. `lookup(name)` gives the finished walk for a
// name (a signer, or the owner of unsigned data) or nullptr when none has
// run yet; every name it lacked is listed in `needed`, and the verdict is
// then indeterminate: the caller walks those chains and calls again.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "resolver/dnssec/key_cache.h"
#include "resolver/dnssec/signed_rrsets.h"
#include "resolver/dnssec/validation_result.h"
#include "resolver/wire/dns_message.h"

namespace lanlord {

struct ChainResult {
    Verdict verdict;                           // of the chain walk
    std::string zone;                          // deepest zone reached (the signer's zone when secure)
    std::shared_ptr<const ZoneKeyEntry> keys;  // secure: the zone's keys
};
using ChainLookup = std::function<const ChainResult*(std::string_view name)>;

// A proof that verified (NSEC/NSEC3 sets, and the SOA of a negative
// answer), for the aggressive use of the cache (aggressive_denial.h).
struct VerifiedProof {
    std::string zone;
    SignedRrset set;
};

struct ResponseVerdict {
    Verdict verdict;
    std::vector<std::string> needed;  // names to walk before calling again
    std::string zone;                 // the zone whose data failed (bogus), for the log
    // Secure: how long the answer may be kept, the smallest of every
    // verified RRset's min(TTL, RRSIG original TTL, seconds to the RRSIG's
    // expiration) (RFC 4035 5.3.3): validated data never outlives its
    // signatures in the cache.
    std::uint32_t ttl = 0xFFFFFFFF;
    // With `keep_proofs`: the sets of every denial proof that held (a
    // negative answer's, with its SOA verified too; a wildcard's).
    std::vector<VerifiedProof> proofs;
};

// `continued`: the message is one link of a longer answer (a CNAME or DNAME
// chain that leaves the zone, whose target another response answers): the
// chain's links are validated, and a chain that ends in this message
// without data for its last name is no negative answer to prove.
// `keep_proofs`: fill ResponseVerdict::proofs (it costs one signature
// check more per negative answer: the SOA's).
ResponseVerdict validate_response(const ParsedMessage& m, std::string_view qname, std::uint16_t qtype,
                                  const ChainLookup& lookup, std::uint32_t wall, ValidationBudget& budget,
                                  bool continued = false, bool keep_proofs = false);

}  // namespace lanlord
