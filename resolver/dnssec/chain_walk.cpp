#include "resolver/dnssec/chain_walk.h"

#include <algorithm>

#include "common/dns_name.h"
#include "resolver/dnssec/canonical_name.h"
#include "resolver/dnssec/key_set.h"
#include "resolver/dnssec/verified_denial.h"
#include "resolver/wire/dns_constants.h"

namespace lanlord {

namespace {

using Kind = ZoneKeyEntry::Kind;

std::vector<ByteView> views_of(const std::vector<std::vector<std::uint8_t>>& blobs) {
    return {blobs.begin(), blobs.end()};
}

std::uint32_t min_denial_ttl(std::span<const SignedRrset> authority) {
    std::uint32_t ttl = KeyCache::kMaxTtl;
    for (const SignedRrset& s : authority)
        if (s.type == dns::type::NSEC || s.type == dns::type::NSEC3 || s.type == dns::type::SOA)
            ttl = std::min(ttl, s.ttl);
    return ttl;
}

}  // namespace

ChainWalk::ChainWalk(const TrustAnchors& anchors, KeyCache& cache, std::string_view target)
    : anchors_(anchors), cache_(cache), target_(target) {
    if (!anchors_.closest(target_))
        finish({Security::indeterminate, ede::none, "no trust anchor covers the name"});
}

void ChainWalk::finish(Verdict v) {
    done_ = true;
    verdict_ = v;
    pending_ = {};
}

std::string ChainWalk::child_toward_target() const {
    return std::string(name_suffix_labels(target_, name_label_count(cursor_) + 1));
}

ChainFetch ChainWalk::next(TimePoint now) {
    if (done_) return {};
    if (!keys_) {  // the trust anchor's own DNSKEY set first
        const TrustAnchor* anchor = anchors_.closest(target_);
        auto e = cache_.lookup(anchor->zone, now);
        if (!e || e->kind == Kind::not_a_cut) {
            child_ds_ = anchor->ds;
            child_ds_ttl_ = KeyCache::kMaxTtl;
            have_child_ds_ = true;
            pending_ = {ChainFetch::Kind::dnskey, anchor->zone};
            return pending_;
        }
        if (e->kind != Kind::secure) {
            finish(e->verdict);
            return {};
        }
        zone_ = cursor_ = anchor->zone;
        keys_ = std::move(e);
    }
    for (;;) {
        if (cursor_ == target_) {
            finish(Verdict::secure());
            return {};
        }
        std::string child = child_toward_target();
        if (have_child_ds_ && pending_.name == child) {
            pending_.kind = ChainFetch::Kind::dnskey;
            return pending_;
        }
        auto e = cache_.lookup(child, now);
        if (!e) {
            pending_ = {ChainFetch::Kind::ds, std::move(child)};
            return pending_;
        }
        switch (e->kind) {
            case Kind::secure:
                zone_ = cursor_ = child;
                keys_ = std::move(e);
                continue;
            case Kind::not_a_cut:
                cursor_ = child;
                continue;
            default:
                zone_ = child;
                finish(e->verdict);
                return {};
        }
    }
}

void ChainWalk::supply(const ParsedMessage& m, TimePoint now, std::uint32_t wall, ValidationBudget& budget) {
    if (done_ || pending_.kind == ChainFetch::Kind::none) return;
    if (!m.ok()) return supply_failure(now);
    if (pending_.kind == ChainFetch::Kind::ds)
        on_ds(m, now, wall, budget);
    else
        on_dnskey(m, now, wall, budget);
}

bool ChainWalk::offer_referral(const ParsedMessage& m, TimePoint now, std::uint32_t wall,
                               ValidationBudget& budget) {
    if (done_ || pending_.kind != ChainFetch::Kind::ds || !m.ok() || m.rcode() != dns::rcode::NOERROR)
        return false;
    const std::string child = pending_.name;
    std::vector<ByteView> keys = views_of(keys_->keys);
    std::vector<SignedRrset> authority = signed_rrsets(m, Section::authority);
    for (const SignedRrset& s : authority) {
        if (s.owner != child || s.type != dns::type::DS) continue;
        std::vector<ByteView> views;
        RrsetData data = s.data(views);
        std::vector<RrsigData> sigs = s.signatures();
        RrsetVerdict v = verify_rrset(data, sigs, ZoneKeys{zone_, keys}, wall, budget);
        if (!v.verdict.is_secure()) return false;  // the DS fetch decides
        child_ds_ = s.rdatas;
        child_ds_ttl_ = v.ttl;
        have_child_ds_ = true;
        pending_.kind = ChainFetch::Kind::dnskey;
        return true;
    }
    VerifiedDenial d = verified_denial(authority, zone_, keys, wall, budget);
    if (d.nsecs.empty() && d.nsec3s.empty()) return false;
    Verdict v = prove_denial(d, child, dns::type::DS, false, budget);
    if (!(v.is_secure() && denial_shows_delegation(d, child, budget)) && v.security != Security::insecure)
        return false;
    zone_ = child;
    Verdict insecure = v.is_secure() ? Verdict::insecure("unsigned delegation (no DS)") : v;
    cache_.store(child, ZoneKeyEntry{Kind::insecure, {}, insecure, {}}, min_denial_ttl(authority), now);
    finish(insecure);
    return true;
}

void ChainWalk::supply_failure(TimePoint) {
    if (done_) return;
    // Not cached: a network failure may pass; the answer it leaves is
    // SERVFAIL, which the packet cache keeps briefly.
    finish(pending_.kind == ChainFetch::Kind::dnskey
               ? Verdict::bogus("no DNSKEY could be fetched", ede::dnskey_missing)
               : Verdict::bogus("no DS could be fetched"));
}

void ChainWalk::on_ds(const ParsedMessage& m, TimePoint now, std::uint32_t wall, ValidationBudget& budget) {
    const std::string child = pending_.name;
    std::vector<ByteView> keys = views_of(keys_->keys);
    std::vector<SignedRrset> answer = signed_rrsets(m, Section::answer);
    for (const SignedRrset& s : answer) {
        if (s.owner != child || s.type != dns::type::DS) continue;
        std::vector<ByteView> views;
        RrsetData data = s.data(views);
        std::vector<RrsigData> sigs = s.signatures();
        RrsetVerdict v = verify_rrset(data, sigs, ZoneKeys{zone_, keys}, wall, budget);
        if (!v.verdict.is_secure()) {
            cache_.store(child, ZoneKeyEntry{Kind::bogus, {}, v.verdict, {}}, 0, now);
            zone_ = child;
            return finish(v.verdict);
        }
        child_ds_ = s.rdatas;
        child_ds_ttl_ = v.ttl;
        have_child_ds_ = true;
        pending_.kind = ChainFetch::Kind::dnskey;
        return;
    }
    std::uint16_t rcode = m.rcode();
    if (rcode != dns::rcode::NOERROR && rcode != dns::rcode::NXDOMAIN) return supply_failure(now);
    std::vector<SignedRrset> authority = signed_rrsets(m, Section::authority);
    VerifiedDenial d = verified_denial(authority, zone_, keys, wall, budget);
    bool nxdomain = rcode == dns::rcode::NXDOMAIN;
    Verdict v = prove_denial(d, child, dns::type::DS, nxdomain, budget);
    std::uint32_t ttl = min_denial_ttl(authority);
    if (v.is_secure() && (nxdomain || !denial_shows_delegation(d, child, budget))) {
        cache_.store(child, ZoneKeyEntry{Kind::not_a_cut, {}, v, {}}, ttl, now);
        cursor_ = child;
        pending_ = {};
        return;
    }
    zone_ = child;
    if (v.is_secure() || v.security == Security::insecure) {
        Verdict insecure = v.is_secure() ? Verdict::insecure("unsigned delegation (no DS)") : v;
        cache_.store(child, ZoneKeyEntry{Kind::insecure, {}, insecure, {}}, ttl, now);
        return finish(insecure);
    }
    cache_.store(child, ZoneKeyEntry{Kind::bogus, {}, v, {}}, 0, now);
    finish(v);
}

void ChainWalk::on_dnskey(const ParsedMessage& m, TimePoint now, std::uint32_t wall,
                          ValidationBudget& budget) {
    const std::string zone = pending_.name;
    have_child_ds_ = false;
    std::vector<SignedRrset> answer = signed_rrsets(m, Section::answer);
    auto it = std::find_if(answer.begin(), answer.end(), [&](const SignedRrset& s) {
        return s.owner == zone && s.type == dns::type::DNSKEY;
    });
    zone_ = zone;
    if (it == answer.end()) {
        Verdict v = Verdict::bogus("the zone's DNSKEY set is missing", ede::dnskey_missing);
        cache_.store(zone, ZoneKeyEntry{Kind::bogus, {}, v, {}}, 0, now);
        return finish(v);
    }
    std::vector<ByteView> views;
    RrsetData data = it->data(views);
    std::vector<RrsigData> sigs = it->signatures();
    std::vector<ByteView> ds = views_of(child_ds_);
    KeySetVerdict v = validate_key_set(zone, data, sigs, ds, wall, budget);
    if (v.verdict.is_secure()) {
        ZoneKeyEntry e{Kind::secure, {}, v.verdict, {}};
        for (ByteView k : v.keys) e.keys.emplace_back(k.begin(), k.end());
        keys_ = cache_.store(zone, std::move(e), std::min(v.ttl, child_ds_ttl_), now);
        cursor_ = zone;
        pending_ = {};
        return;
    }
    cache_.store(
        zone,
        ZoneKeyEntry{
            v.verdict.security == Security::insecure ? Kind::insecure : Kind::bogus, {}, v.verdict, {}},
        std::min(data.ttl, child_ds_ttl_), now);
    finish(v.verdict);
}

}  // namespace lanlord
