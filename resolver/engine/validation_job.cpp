#include "resolver/engine/validation_job.h"

#include <algorithm>

#include "resolver/wire/dns_message.h"

namespace lanlord {

namespace {
constexpr unsigned kMaxRounds = 4;  // walks, validate again: twice in practice (a chain into new zones: 3)
}  // namespace

ValidationJob::ValidationJob(const DnssecContext& ctx, std::vector<KeptResponse> responses,
                             std::uint16_t qtype, std::uint32_t wall, bool check_dates,
                             std::vector<KeptResponse> referrals)
    : ctx_(ctx),
      responses_(std::move(responses)),
      referrals_(std::move(referrals)),
      qtype_(qtype),
      wall_(wall) {
    budget_.limits = ctx_.limits;
    budget_.limits.check_signature_dates = check_dates && ctx_.limits.check_signature_dates;
}

void ValidationJob::finish(Verdict v, std::string zone) {
    done_ = true;
    verdict_ = v;
    failed_zone_ = std::move(zone);
    walk_.reset();
    pending_.clear();
}

ChainFetch ValidationJob::next(TimePoint now) {
    for (unsigned guard = 0; guard < 256 && !done_; ++guard) {
        if (walk_) {
            ChainFetch f = walk_->next(now);
            if (f.kind == ChainFetch::Kind::ds && offer_referral(f.name, now)) continue;
            if (f.kind != ChainFetch::Kind::none) {
                if (fetches_ >= ctx_.max_fetches) {
                    finish(Verdict::bogus("validation work limit", ede::other), walk_target_);
                    break;
                }
                ++fetches_;
                return f;
            }
            chains_[walk_target_] = ChainResult{walk_->verdict(), std::string(walk_->zone()), walk_->keys()};
            walk_.reset();
            continue;
        }
        if (!pending_.empty()) {
            walk_target_ = std::move(pending_.back());
            pending_.pop_back();
            walk_.emplace(*ctx_.anchors, *ctx_.keys, walk_target_);
            continue;
        }
        evaluate();
    }
    if (!done_) finish(Verdict::bogus("validation work limit", ede::other));
    return {};
}

// The referral to `child` the resolution followed, if any, instead of a DS fetch.
bool ValidationJob::offer_referral(const std::string& child, TimePoint now) {
    for (KeptResponse& r : referrals_) {
        if (r.qname != child || r.bytes.empty()) continue;
        ParsedMessage m = parse_message(r.bytes);
        bool taken = walk_->offer_referral(m, now, wall_, budget_);
        r.bytes.clear();  // offered once: a referral that proved nothing is not tried again
        if (taken) ++referrals_used_;
        return taken;
    }
    return false;
}

void ValidationJob::supply(std::span<const std::uint8_t> bytes, TimePoint now) {
    if (!walk_) return;
    if (bytes.empty()) return walk_->supply_failure(now);
    ParsedMessage m = parse_message(bytes);
    if (!m.ok()) return walk_->supply_failure(now);
    walk_->supply(m, now, wall_, budget_);
}

// Every response validated with what the walks found; the names still
// missing become the next round's walks.
void ValidationJob::evaluate() {
    if (responses_.empty()) return finish({Security::indeterminate, ede::none, "no response to validate"});
    ChainLookup lookup = [this](std::string_view name) -> const ChainResult* {
        auto it = chains_.find(std::string(name));
        return it == chains_.end() ? nullptr : &it->second;
    };
    Verdict all = Verdict::secure();
    std::uint32_t ttl = 0xFFFFFFFF;
    std::string zone;
    std::vector<std::string> needed;
    proofs_.clear();
    for (std::size_t i = 0; i < responses_.size(); ++i) {
        const KeptResponse& r = responses_[i];
        ParsedMessage m = parse_message(r.bytes);
        bool continued = i + 1 < responses_.size();
        ResponseVerdict v = validate_response(m, r.qname, continued ? r.qtype : qtype_, lookup, wall_,
                                              budget_, continued, ctx_.aggressive != nullptr);
        for (VerifiedProof& p : v.proofs) proofs_.push_back(std::move(p));
        for (std::string& n : v.needed)
            if (!chains_.contains(n) && std::find(needed.begin(), needed.end(), n) == needed.end())
                needed.push_back(std::move(n));
        if (!v.needed.empty()) continue;
        ttl = std::min(ttl, v.ttl);
        if (v.verdict.is_bogus()) {
            if (!all.is_bogus()) all = v.verdict, zone = v.zone;
        } else if (!v.verdict.is_secure() && all.is_secure()) {
            all = Verdict::insecure(v.verdict.reason, v.verdict.ede);
        }
    }
    if (all.is_bogus()) return finish(all, zone);  // nothing a further walk could change
    if (needed.empty()) {
        ttl_ = ttl;
        return finish(all, zone);
    }
    if (++rounds_ > kMaxRounds) return finish(Verdict::bogus("validation work limit", ede::other));
    pending_ = std::move(needed);
}

}  // namespace lanlord
