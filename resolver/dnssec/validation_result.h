// What validation concludes about a piece of DNS data (RFC 4033 section 5,
// RFC 4035 section 4.3), why, and the work it may spend on it.
//
// Security states (RFC 4035 4.3): secure (a chain of signatures from a trust
// anchor), insecure (proven to have no chain: an unsigned delegation, an
// unsupported algorithm, a negative trust anchor), bogus (should have had a
// chain and it failed), indeterminate (no trust anchor covers the name).
// Each non-secure result carries the Extended DNS Error (RFC 8914 section 4)
// that a SERVFAIL (bogus) or an insecure answer (unsupported algorithm) names,
// and a short fixed reason for the log and `lanlordctl trace`.
#pragma once

#include <cstdint>

namespace lanlord {

enum class Security : std::uint8_t { indeterminate, insecure, secure, bogus };

const char* security_name(Security s);

// RFC 8914 section 4 INFO-CODEs the validator gives.
namespace ede {
inline constexpr std::uint16_t other = 0;
inline constexpr std::uint16_t unsupported_dnskey_algorithm = 1;
inline constexpr std::uint16_t unsupported_ds_digest = 2;
inline constexpr std::uint16_t dnssec_indeterminate = 5;
inline constexpr std::uint16_t dnssec_bogus = 6;
inline constexpr std::uint16_t signature_expired = 7;
inline constexpr std::uint16_t signature_not_yet_valid = 8;
inline constexpr std::uint16_t dnskey_missing = 9;
inline constexpr std::uint16_t rrsigs_missing = 10;
inline constexpr std::uint16_t no_zone_key_bit = 11;
inline constexpr std::uint16_t nsec_missing = 12;
inline constexpr std::uint16_t unsupported_nsec3_iterations = 27;
inline constexpr std::uint16_t none = 0xFFFF;  // no EDE to send
}  // namespace ede

struct Verdict {
    Security security = Security::indeterminate;
    std::uint16_t ede = ede::none;
    const char* reason = "";  // static text: "signature expired", "no DS matches a DNSKEY", ...

    static Verdict secure() { return {Security::secure, ede::none, "secure"}; }
    static Verdict insecure(const char* why, std::uint16_t code = ede::none) {
        return {Security::insecure, code, why};
    }
    static Verdict bogus(const char* why, std::uint16_t code = ede::dnssec_bogus) {
        return {Security::bogus, code, why};
    }
    bool is_secure() const { return security == Security::secure; }
    bool is_bogus() const { return security == Security::bogus; }
};

// The work one validation may spend: the defences against KeyTrap
// (CVE-2023-50387: many keys with one tag times many signatures) and the
// NSEC3 closest-encloser hashing (CVE-2023-50868). A budget lives for one
// client query (all responses of its resolution); when it runs out the
// data is bogus ("validation work limit"), never validated by halves.
//
// Defaults, beside the peers' (../shared/design/RECURSION.md 1.7):
// - signature checks (crypto operations): 32 per query (Knot: 32 per
//   packet; pdns: 30 validations per query; unbound: 8 per RRset, suspends);
// - RRSIGs tried per RRset: 4 (unbound 8, pdns 2): real zones have 1-2 (a
//   rollover), 4 leaves room for an algorithm rollover;
// - keys tried per (key tag, algorithm): 2 (pdns 2): a real collision is
//   rare, KeyTrap's is hundreds;
// - NSEC3 hash computations: 150 per query (pdns 600; unbound suspends after
//   8); the iteration cap below makes each one cheap;
// - NSEC3 iterations: over 100 the zone counts as insecure, EDE 27 (RFC 9276
//   section 3.2 lets validators pick their limit; unbound and Knot stop at
//   150 for every key size, pdns at 50; 100 is what BIND 9.19+ and the RFC's
//   own example use).
struct ValidationLimits {
    unsigned max_signature_checks = 32;
    unsigned max_signatures_per_rrset = 4;
    unsigned max_keys_per_tag = 2;
    unsigned max_nsec3_hashes = 150;
    unsigned max_nsec3_iterations = 100;
    unsigned max_ds_records = 8;  // DS records looked at per zone (pdns: 8)
    // False only while the wall clock is not trusted (clock_trust.h):
    // signatures are then checked without their dates, and the caller gives
    // no AD to what such a validation calls secure.
    bool check_signature_dates = true;
};

struct ValidationBudget {
    ValidationLimits limits;
    unsigned signature_checks = 0;
    unsigned nsec3_hashes = 0;

    bool take_signature_check() {
        if (signature_checks >= limits.max_signature_checks) return false;
        ++signature_checks;
        return true;
    }
    bool take_nsec3_hash() {
        if (nsec3_hashes >= limits.max_nsec3_hashes) return false;
        ++nsec3_hashes;
        return true;
    }
};

}  // namespace lanlord
