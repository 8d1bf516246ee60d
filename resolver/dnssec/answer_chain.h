// Walking an answer's CNAME/DNAME chain through the RRsets of a response
// (signed_rrsets.h): shared by the validator (response_validator.h), which
// checks each link, and the signed answer for DO clients (signed_answer.h),
// which copies the same links, so both follow exactly the same chain.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "resolver/dnssec/signed_rrsets.h"

namespace lanlord {

// CNAME/DNAME links followed, as the iterator's limit (RecursionLimits::max_cname).
inline constexpr unsigned kMaxAnswerChain = 12;

// The set of `type` at `owner` (ANY: any set but a CNAME), or nullptr.
const SignedRrset* find_rrset(std::span<const SignedRrset> sets, std::string_view owner, std::uint16_t type);
// A DNAME strictly above `name`, or nullptr.
const SignedRrset* find_dname_above(std::span<const SignedRrset> sets, std::string_view name);
// The target of a one-record CNAME or DNAME set; empty when it has more or does not read.
std::string alias_target(const SignedRrset& s);
// RFC 6672 2.2: `name` under `dname`'s owner rewritten under its target;
// empty when the result would be too long or the DNAME does not read.
std::string dname_substitute(std::string_view name, const SignedRrset& dname);

}  // namespace lanlord
