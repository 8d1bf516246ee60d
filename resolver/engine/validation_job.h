// Validating one resolved answer (RFC 4035 section 5), sans-I/O: the
// responses that answered the question go in (the iterator keeps them whole,
// RRSIGs and proofs included); the job says which DS or DNSKEY RRset it needs
// next, the engine fetches it (recursive mode: an iterator resolution that
// keeps its response) and hands the response back, until the verdict.
//
// How: validate_response() names the zones whose security it needs; one
// ChainWalk per name, one after the other, from the closest trust anchor down
// (what they learn goes to the shared KeyCache, so the next job through the
// same zones fetches nothing); then validate_response() again. A CNAME chain
// answered by several zones is several responses: each is validated up to
// where the next one continues it, the last one whole; the verdict is the
// weakest of them (bogus, else insecure, else secure).
//
// Work per client question, beside ValidationLimits' crypto and hash
// budget (one ValidationBudget for the whole job): at most
// DnssecContext::max_fetches DS/DNSKEY fetches and 4 rounds of walks. Past
// either the answer is bogus with EDE 0 ("validation work limit"), never
// called secure or insecure by halves.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/time.h"
#include "resolver/dnssec/chain_walk.h"
#include "resolver/dnssec/key_cache.h"
#include "resolver/dnssec/response_validator.h"
#include "resolver/dnssec/trust_anchors.h"
#include "resolver/engine/dnssec_policy.h"
#include "resolver/recursion/iterator.h"

namespace lanlord {

class ValidationJob {
  public:
    // `responses`: the iterator's, in order (RecursionResult::responses);
    // `wall`: seconds since 1970 (signature dates); `check_dates` false
    // while the clock is not trusted (clock_trust.h). `ctx` must outlive the job.
    // `referrals`: the iterator's (RecursionResult::referrals): a DS the
    // walk needs is taken from them when they prove it (no fetch).
    ValidationJob(const DnssecContext& ctx, std::vector<KeptResponse> responses, std::uint16_t qtype,
                  std::uint32_t wall, bool check_dates = true, std::vector<KeptResponse> referrals = {});

    // The next RRset to fetch; Kind::none once done().
    ChainFetch next(TimePoint now);
    // The response to the last fetch; empty bytes: it failed (timeout,
    // SERVFAIL, no authority).
    void supply(std::span<const std::uint8_t> bytes, TimePoint now);

    bool done() const { return done_; }
    // When done: secure, insecure, bogus (with the EDE and the zone that
    // failed), or indeterminate (no anchor covers the name).
    const Verdict& verdict() const { return verdict_; }
    const std::string& failed_zone() const { return failed_zone_; }
    unsigned fetches() const { return fetches_; }
    unsigned referrals_used() const { return referrals_used_; }
    // Secure: the longest the answer may be cached (ResponseVerdict::ttl,
    // the smallest over the responses).
    std::uint32_t ttl() const { return ttl_; }
    const std::vector<KeptResponse>& responses() const { return responses_; }
    // When done, with DnssecContext::aggressive set: the proofs that held
    // (for the aggressive cache).
    const std::vector<VerifiedProof>& proofs() const { return proofs_; }

  private:
    void evaluate();
    bool offer_referral(const std::string& child, TimePoint now);
    void finish(Verdict v, std::string zone = {});

    const DnssecContext& ctx_;
    std::vector<KeptResponse> responses_, referrals_;
    std::uint16_t qtype_;
    std::uint32_t wall_;
    ValidationBudget budget_;
    std::map<std::string, ChainResult> chains_;
    std::vector<std::string> pending_;
    std::optional<ChainWalk> walk_;
    std::string walk_target_;
    unsigned fetches_ = 0, rounds_ = 0, referrals_used_ = 0;
    std::uint32_t ttl_ = 0xFFFFFFFF;
    std::vector<VerifiedProof> proofs_;
    bool done_ = false;
    Verdict verdict_;
    std::string failed_zone_;
};

}  // namespace lanlord
