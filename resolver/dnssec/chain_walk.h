// Building the chain of trust (RFC 4035 section 5) from the closest trust
// anchor down to a zone, sans-I/O: it says which DS or DNSKEY RRset it needs
// next, the caller fetches it (recursive mode: an iterator goal; forwarding
// mode: a query to the upstream with DO and CD) and hands the response back.
// What it learns goes to the shared KeyCache, so the next walk through the
// same zones fetches nothing.
//
// The walk goes down one label at a time from the anchor to the target
// (the signer of the data, or for unsigned data its owner name), as
// dnsmasq and unbound's "prime trust anchor, then DS per cut" do:
//   1. the anchor's DNSKEY set, validated by the anchor's DS records;
//   2. for each name below: DS from the zone above. A secure DS set means
//      a signed child: fetch its DNSKEY set and validate it with the DS. A
//      secure NODATA for DS whose NSEC/NSEC3 has the NS bit, or an opt-out
//      span, is an insecure delegation: the walk ends insecure. A secure
//      denial without NS means the name is no zone cut: go one label down.
//   3. at the target, the zone's validated keys are the result.
// Anything unsigned, unverifiable or unanswered below a secure zone is
// bogus (RFC 4035 4.3), with the EDE of the step that failed.
// Work: every signature check and NSEC3 hash is charged to the caller's
// budget; a walk is at most one DS and one DNSKEY fetch per label.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/time.h"
#include "resolver/dnssec/key_cache.h"
#include "resolver/dnssec/trust_anchors.h"
#include "resolver/wire/dns_message.h"

namespace lanlord {

struct ChainFetch {
    enum class Kind : std::uint8_t { none, ds, dnskey };
    Kind kind = Kind::none;
    std::string name;  // lower-cased wire
};

class ChainWalk {
  public:
    // `target`: lower-cased wire. The anchors and the cache must outlive the walk.
    ChainWalk(const TrustAnchors& anchors, KeyCache& cache, std::string_view target);

    // The next RRset to fetch, or Kind::none when done().
    ChainFetch next(TimePoint now);
    // The response to the last fetch (`wall`: seconds since 1970, for
    // signature dates). A response that did not parse, or none at all
    // (timeouts, SERVFAIL): supply_failure().
    void supply(const ParsedMessage& response, TimePoint now, std::uint32_t wall, ValidationBudget& budget);
    void supply_failure(TimePoint now);
    // A referral to the name whose DS the walk asks for (next() gave a DS
    // fetch): its authority section holds the signed DS set, or the
    // NSEC/NSEC3 proof that there is none (RFC 4035 3.1.4), which is what
    // the DS fetch would bring. Taken only when it proves either securely
    // (or proves an opt-out span): true, and the walk goes on as after
    // supply(); anything else changes nothing (false) and the caller
    // fetches. unbound and PowerDNS Recursor save the DS query the same way.
    bool offer_referral(const ParsedMessage& referral, TimePoint now, std::uint32_t wall,
                        ValidationBudget& budget);

    bool done() const { return done_; }
    // When done: secure (keys of the target's zone: zone()), insecure,
    // bogus, or indeterminate (no anchor covers the target).
    const Verdict& verdict() const { return verdict_; }
    std::string_view zone() const { return zone_; }
    const std::shared_ptr<const ZoneKeyEntry>& keys() const { return keys_; }

  private:
    void finish(Verdict v);
    std::string child_toward_target() const;
    void on_ds(const ParsedMessage& m, TimePoint now, std::uint32_t wall, ValidationBudget& budget);
    void on_dnskey(const ParsedMessage& m, TimePoint now, std::uint32_t wall, ValidationBudget& budget);

    const TrustAnchors& anchors_;
    KeyCache& cache_;
    std::string target_;
    std::string zone_;    // deepest zone with validated keys
    std::string cursor_;  // deepest name examined (zone_ or a non-cut below it)
    std::shared_ptr<const ZoneKeyEntry> keys_;
    ChainFetch pending_;
    std::vector<std::vector<std::uint8_t>> child_ds_;  // validated DS of the child being fetched
    std::uint32_t child_ds_ttl_ = 0;
    bool have_child_ds_ = false;
    bool done_ = false;
    Verdict verdict_;
};

}  // namespace lanlord
