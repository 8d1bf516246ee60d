// Aggressive use of the validated cache (RFC 8198): NSEC and NSEC3 records
// that validated as secure are kept per zone, and a later question whose
// answer they already prove absent gets its NXDOMAIN or NODATA from them,
// without a query. This is what stops a random-subdomain flood
// (nonce.example.com) from reaching the authorities once one proof is known.
//
// Rules, with their sources:
// - Only secure records (the caller validated them: rrset_signature.h)
//   go in; the proofs are the same code the validator uses (nsec_proof.h,
//   nsec3_proof.h), so a synthesised denial is exactly as strong.
// - NSEC3 with opt-out never proves NXDOMAIN here: its span may hide an
//   unsigned delegation (RFC 8198 section 4.2 and RFC 5155 9.2's reason);
//   the records are still kept for NODATA by an exact match.
// - A record lives min(its TTL, the zone's SOA MINIMUM) (RFC 8198 5.4,
//   RFC 9077), at most a day, and the cache is bounded by records
//   (10,000 by default; pdns's aggressive cache holds 100,000 for a large
//   ISP, a home router needs far fewer).
// - NSEC3 chains with more iterations than the validation limit are not
//   kept (they would make every lookup expensive: CVE-2023-50868).
#pragma once

#include <cstdint>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/time.h"
#include "resolver/dnssec/crypto.h"
#include "resolver/dnssec/signed_rrsets.h"
#include "resolver/dnssec/validation_result.h"

namespace lanlord {

enum class Synthesised : std::uint8_t { none, nxdomain, nodata };

// A denial made from the cache, ready to send: the zone's SOA first, then
// the NSEC/NSEC3 records that prove it, with their RRSIGs, each with the
// TTL it has left (the SOA's: the smallest of them, RFC 8198 5.4).
struct SynthesisedAnswer {
    Synthesised kind = Synthesised::none;
    std::string zone;
    std::vector<SignedRrset> records;
};

class AggressiveDenial {
  public:
    explicit AggressiveDenial(std::size_t max_records = 10000) : max_records_(max_records) {}

    // One validated NSEC (type 47) or NSEC3 (type 50) record of `zone`.
    void store(std::string_view zone, std::uint16_t type, std::string_view owner, ByteView rdata,
               std::uint32_t ttl, TimePoint now, const ValidationLimits& limits = {},
               std::span<const std::vector<std::uint8_t>> rrsigs = {});
    // One verified set of a proof (response_validator.h's VerifiedProof):
    // an NSEC or NSEC3 record, or the zone's SOA (kept for the answers
    // made later; its negative TTL, min(TTL, MINIMUM), caps theirs).
    // `ttl_cap`: the validation's (signatures' expiry).
    void store_set(std::string_view zone, const SignedRrset& set, std::uint32_t ttl_cap, TimePoint now,
                   const ValidationLimits& limits = {});

    // NXDOMAIN or NODATA for (name, qtype) proven by live records of the
    // deepest zone cached above `name`; `zone` gets that zone.
    Synthesised prove(std::string_view name, std::uint16_t qtype, TimePoint now, ValidationBudget& budget,
                      std::string& zone) const;

    // The same proof with the records to send; none when the zone's SOA
    // is not kept (no answer can be made without it, RFC 2308 3).
    SynthesisedAnswer synthesise(std::string_view name, std::uint16_t qtype, TimePoint now,
                                 ValidationBudget& budget) const;

    std::size_t size() const;
    void clear();

  private:
    struct Stored {
        std::string owner;
        std::vector<std::uint8_t> rdata;
        TimePoint expires{};
        std::vector<std::vector<std::uint8_t>> rrsigs;
    };
    struct CanonicalLess {
        bool operator()(const std::string& a, const std::string& b) const;
    };
    struct Zone {
        std::map<std::string, Stored, CanonicalLess> nsec;  // by owner, canonical order
        std::map<Nsec3Hash, Stored> nsec3;                  // by owner hash
        std::vector<std::uint8_t> nsec3_params;             // hash alg, iterations, salt of the chain kept
        std::optional<Stored> soa;
    };

    const Zone* zone_for(std::string_view name, std::string& zone) const;
    Synthesised prove_locked(std::string_view name, std::uint16_t qtype, TimePoint now,
                             ValidationBudget& budget, std::string& zone,
                             std::vector<const Stored*>* used) const;
    void evict_locked();

    mutable std::mutex mutex_;
    std::size_t max_records_;
    std::size_t records_ = 0;
    std::map<std::string, Zone> zones_;
    std::list<std::pair<std::string, std::string>> order_;  // (zone, key) oldest first
};

}  // namespace lanlord
