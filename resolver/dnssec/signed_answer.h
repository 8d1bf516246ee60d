// The answer a client that set DO gets in recursive mode (RFC 4035 3.2.1):
// the data with its RRSIGs and, for a negative or wildcard-expanded answer,
// the NSEC/NSEC3 proof with its RRSIGs, so that the client (delv, a
// validating stub, another resolver behind us) can check it itself. The
// iterator's own result message is built from the record cache, which
// keeps no signatures; this one is built from the authorities' responses
// that the validator read (Iterator::start with keep_responses).
//
// Only what the validator looks at goes in: the RRsets of the answer's
// CNAME/DNAME chain, link by link through the responses (a DNAME's
// synthesised CNAME with it, RFC 6672 3.4), and from the last response the
// SOA, NSEC and NSEC3 sets of its authority section when the answer is
// negative or came from a wildcard. Anything else an authority put in its
// answer section stays out, as the iterator's message leaves it out.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "resolver/dnssec/signed_rrsets.h"

namespace lanlord {

struct AnswerSource {
    std::string_view qname;  // the question this response answered (lower-case wire)
    std::uint16_t qtype = 0;
    std::span<const std::uint8_t> bytes;
};

// (qname, qtype, class IN) answered from `sources` (in the order of the
// chain; the last answers the final link): a response with ID 0, QR RD RA,
// the RCODE of the last source, records uncompressed in canonical form.
// Empty when a source does not parse or the chain is broken (the caller
// then sends its unsigned answer).
std::vector<std::uint8_t> build_signed_answer(std::span<const AnswerSource> sources, std::string_view qname,
                                              std::uint16_t qtype);

// A negative answer made of `authority` (the SOA and proof of an
// aggressively synthesised denial, aggressive_denial.h), with their RRSIGs
// when `with_signatures` (a DO client): ID 0, QR RD RA, `rcode`.
std::vector<std::uint8_t> build_denial_answer(std::string_view qname, std::uint16_t qtype, std::uint8_t rcode,
                                              std::span<const SignedRrset> authority, bool with_signatures);

}  // namespace lanlord
