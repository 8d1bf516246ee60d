// RFC 5011 trust anchor rollover: the root's KSK-2017 -> KSK-2024 rollover
// replayed on its real dates, the hold-downs, revocation, a Missing key, the
// active refresh timers, the state file (round trip, corruption, hostile
// bytes) and the never-zero-anchors rule. Keys are made at test time and
// every DNSKEY RRset is signed by ldns's signer; each RRset fed to observe()
// first validates against the anchors the object gives (the caller's
// guarantee), unless the case is about breaking it.
#include <catch2/catch.hpp>

#include <algorithm>
#include <limits>
#include <map>
#include <random>

#include "resolver/dnssec/anchor_rollover.h"
#include "resolver/dnssec/key_set.h"
#include "resolver/wire/dns_constants.h"
#include "support/dnssec_signer.h"
#include "unit/resolver/dnssec/dnssec_test_util.h"

// ldns last (its headers define macros that break C++ headers after them):
// only to sign with a key's REVOKE bit set, which the test signer cannot.
#include <ldns/ldns.h>

using namespace lanlord;
using namespace lanlord::test;

namespace {

constexpr std::int64_t kHour = 3600;
constexpr std::int64_t kDay = 86400;
constexpr std::uint32_t kRootTtl = 172800;  // the root DNSKEY RRset's TTL

// The root KSK-2024 rollover (IANA; the dates of trust_anchors.h).
constexpr std::int64_t k2024Published = 1736553600;  // 2025-01-11: KSK-2024 in the root DNSKEY RRset
constexpr std::int64_t k2024Signs = 1791676800;      // 2026-10-11: KSK-2024 signs instead of KSK-2017
constexpr std::int64_t k2017Revoked = 1799625600;    // 2027-01-11: KSK-2017 published revoked
// KSK-2017 leaves the zone a quarter later (KSK-2010's revocation was
// published from 2019-01-11 to 2019-03-22): 2027-04-11 here.
constexpr std::int64_t k2017Gone = 1807401600;

Blob with_revoke(Blob rdata) {
    rdata[1] |= 0x80;
    return rdata;
}

// One key of a published DNSKEY RRset: shown with or without the REVOKE
// bit, signing the RRset or not.
struct Entry {
    const SigningKey* key;
    bool revoked = false;
    bool signs = false;
};

// A DNSKEY RRset as the zone publishes it, with its RRSIGs.
struct Publication {
    std::string zone;
    std::uint32_t ttl = kRootTtl;
    std::vector<Blob> dnskeys;
    std::vector<Blob> rrsigs;
};

// The RRSIG the same key pair makes with the REVOKE bit set (flags and key
// tag change, RFC 5011 section 2.1): what the root did for KSK-2010 in 2019.
Blob sign_revoked(const SigningKey& key, const Publication& p, std::uint32_t inception,
                  std::uint32_t expiration) {
    auto* k = static_cast<ldns_key*>(key.ldns_key.get());
    ldns_key_set_flags(k, static_cast<std::uint16_t>(key.flags | 0x80));
    ldns_key_set_keytag(k, dnskey_key_tag(with_revoke(key.dnskey)));
    Blob sig = sign_rrset(key, p.zone, dns::type::DNSKEY, p.ttl, p.dnskeys, inception, expiration);
    ldns_key_set_flags(k, key.flags);
    ldns_key_set_keytag(k, key.tag);
    return sig;
}

Publication publish(const std::vector<Entry>& entries, std::int64_t inception, std::int64_t expiration,
                    std::uint32_t ttl = kRootTtl) {
    Publication p;
    p.zone = entries.at(0).key->zone;
    p.ttl = ttl;
    for (const Entry& e : entries)
        p.dnskeys.push_back(e.revoked ? with_revoke(e.key->dnskey) : e.key->dnskey);
    const auto inc = static_cast<std::uint32_t>(inception), exp = static_cast<std::uint32_t>(expiration);
    for (const Entry& e : entries)
        if (e.signs)
            p.rrsigs.push_back(e.revoked
                                   ? sign_revoked(*e.key, p, inc, exp)
                                   : sign_rrset(*e.key, p.zone, dns::type::DNSKEY, ttl, p.dnskeys, inc, exp));
    return p;
}

// What the daemon does with a fetched DNSKEY RRset: validate it against the
// trust point's anchors (unless `check` is false: cases that break the
// caller's guarantee on purpose), find its signers, observe.
RolloverReport feed(AnchorRollover& r, const Publication& p, std::int64_t now, bool check = true) {
    std::vector<ByteView> views(p.dnskeys.begin(), p.dnskeys.end());
    std::vector<RrsigData> sigs(p.rrsigs.size());
    for (std::size_t i = 0; i < sigs.size(); ++i) REQUIRE(decode_rrsig_rdata(p.rrsigs[i], sigs[i]));
    RrsetData set{p.zone, dns::type::DNSKEY, dns::kClassIN, p.ttl, views};
    const auto wall = static_cast<std::uint32_t>(now);
    if (check) {
        TrustAnchors anchors;
        REQUIRE(r.add_to(anchors).empty());
        const TrustAnchor* a = anchors.closest(p.zone);
        REQUIRE(a);
        std::vector<ByteView> ds = a->ds_views();
        ValidationBudget b;
        REQUIRE(validate_key_set(p.zone, set, sigs, ds, wall, b).verdict.is_secure());
    }
    ValidationBudget budget;
    DnskeySigners s = dnskey_signers(set, sigs, wall, budget);
    return r.observe(DnskeyObservation{views, s.keys, s.original_ttl, s.expiration}, now);
}

bool trusts(const AnchorRollover& r, const SigningKey& k) {
    std::vector<ByteView> t = r.trusted_keys();
    return std::any_of(t.begin(), t.end(), [&](ByteView v) {
        return std::equal(v.begin(), v.end(), k.dnskey.begin(), k.dnskey.end());
    });
}

KeyState state_of(const AnchorRollover& r, const SigningKey& k) {
    for (const TrackedKey& t : r.keys())
        if (t.dnskey == k.dnskey) return t.state;
    return KeyState::start;
}

AnchorRollover from_keys(std::vector<const SigningKey*> keys, std::int64_t now) {
    std::vector<ByteView> views;
    for (const SigningKey* k : keys) views.emplace_back(k->dnskey);
    std::string error;
    std::optional<AnchorRollover> r = AnchorRollover::create(keys.at(0)->zone, {}, views, now, error);
    INFO(error);
    REQUIRE(r);
    return std::move(*r);
}

constexpr std::int64_t kT0 = 1'800'000'000;  // 2027-01-15, for the cases not tied to a date

}  // namespace

TEST_CASE("the root KSK-2017 -> KSK-2024 rollover on its real dates: hold-down, revocation, removal",
          "[dnssec][rfc5011]") {
    const SigningKey ksk2017 = make_key(algorithm::RSASHA256, ".", 257);
    const SigningKey ksk2024 = make_key(algorithm::RSASHA256, ".", 257);
    const SigningKey zsk = make_key(algorithm::RSASHA256, ".", 256);

    // The resolver starts on 2024-12-01 with KSK-2017's DS (root.ds form).
    const std::int64_t start = 1733011200 + 6 * kHour;
    Blob ds2017 = ds_for(ksk2017, digest::SHA256);
    std::vector<ByteView> ds{ByteView(ds2017)};
    std::string error;
    std::optional<AnchorRollover> made = AnchorRollover::create(ksk2017.zone, ds, {}, start, error);
    REQUIRE(made);
    AnchorRollover r = std::move(*made);
    CHECK(r.trusted_keys().empty());
    CHECK(r.pending_ds().size() == 1);

    // What the root publishes on a date; its DNSKEY RRSIGs are made for
    // 10-day slots and valid 21 days, as the root's are.
    auto rrset_on = [&](std::int64_t t, std::int64_t slot_start) {
        const std::int64_t inc = slot_start - kHour, exp = slot_start + 21 * kDay;
        if (t < k2024Published) return publish({{&ksk2017, false, true}, {&zsk}}, inc, exp);
        if (t < k2024Signs) return publish({{&ksk2017, false, true}, {&ksk2024}, {&zsk}}, inc, exp);
        if (t < k2017Revoked) return publish({{&ksk2017}, {&ksk2024, false, true}, {&zsk}}, inc, exp);
        if (t < k2017Gone)
            return publish({{&ksk2017, true, true}, {&ksk2024, false, true}, {&zsk}}, inc, exp);
        return publish({{&ksk2024, false, true}, {&zsk}}, inc, exp);
    };

    std::map<std::pair<std::uint16_t, KeyState>, std::int64_t> when;  // (tag, new state) -> date
    std::int64_t last_untrusted_2024 = 0;
    std::int64_t queries = 0;
    std::int64_t cached_slot = -1;
    Publication p;
    const std::int64_t end = 1811808000;  // 2027-06-01
    for (std::int64_t now = r.next_query_time(start); now < end; now = r.next_query_time(now)) {
        const std::int64_t slot = (now - start) / (10 * kDay);
        const int phase =
            (now >= k2024Published) + (now >= k2024Signs) + (now >= k2017Revoked) + (now >= k2017Gone);
        if (slot * 8 + phase != cached_slot) {
            p = rrset_on(now, start + slot * 10 * kDay);
            cached_slot = slot * 8 + phase;
        }
        RolloverReport rep = feed(r, p, now);
        REQUIRE(rep.accepted);
        CHECK(rep.held_back.empty());
        ++queries;
        for (const KeyEvent& e : rep.events) when.emplace(std::make_pair(e.key_tag, e.to), now);
        if (!trusts(r, ksk2024)) last_untrusted_2024 = now;
        CHECK(!r.trusted_keys().empty());
        CHECK(state_of(r, zsk) == KeyState::start);  // a ZSK (flags 256) is never tracked
    }

    // The DS anchor became KSK-2017 at the first query.
    CHECK(when.at({ksk2017.tag, KeyState::valid}) == start);
    CHECK(r.pending_ds().empty());
    // KSK-2024: AddPend at the first query on 2025-01-11, trusted at the
    // first query 30 days later and not one query before.
    const std::int64_t seen_2024 = when.at({ksk2024.tag, KeyState::add_pend});
    CHECK(seen_2024 >= k2024Published);
    CHECK(seen_2024 < k2024Published + kDay);
    const std::int64_t valid_2024 = when.at({ksk2024.tag, KeyState::valid});
    CHECK(valid_2024 >= seen_2024 + AnchorRollover::kAddHoldDown);
    CHECK(valid_2024 < seen_2024 + AnchorRollover::kAddHoldDown + kDay);
    CHECK(last_untrusted_2024 < valid_2024);
    CHECK(last_untrusted_2024 >= valid_2024 - kDay);  // a query a day (TTL 2 days: RFC 5011 2.3)
    // KSK-2017: revoked at the first query after 2027-01-11 (its key tag as
    // published changed; the state file keeps the unrevoked one), removed
    // 30 days later, while its revocation was still published.
    const std::int64_t revoked_2017 = when.at({ksk2017.tag, KeyState::revoked});
    CHECK(revoked_2017 >= k2017Revoked);
    CHECK(revoked_2017 < k2017Revoked + kDay);
    const std::int64_t removed_2017 = when.at({ksk2017.tag, KeyState::removed});
    CHECK(removed_2017 >= revoked_2017 + AnchorRollover::kRemoveHoldDown);
    CHECK(removed_2017 < revoked_2017 + AnchorRollover::kRemoveHoldDown + kDay);
    CHECK(when.count({ksk2017.tag, KeyState::missing}) == 0);  // never absent before its revocation

    // The end state: KSK-2024 alone is trusted; KSK-2017 is a tombstone.
    REQUIRE(r.trusted_keys().size() == 1);
    CHECK(trusts(r, ksk2024));
    CHECK(state_of(r, ksk2017) == KeyState::removed);
    CHECK(queries > 900);  // about one a day for 2.5 years
    CHECK(queries < 930);
    TrustAnchors anchors;
    REQUIRE(r.add_to(anchors).empty());
    REQUIRE(anchors.closest(ksk2024.zone)->ds.size() == 1);
    CHECK(anchors.closest(ksk2024.zone)->ds[0] == ds_for(ksk2024, digest::SHA256));
}

TEST_CASE("a revoked key that reappears without the REVOKE bit stays distrusted, even after removal",
          "[dnssec][rfc5011]") {
    const SigningKey k1 = make_key(algorithm::ECDSAP256, "example.", 257);
    const SigningKey k2 = make_key(algorithm::ECDSAP256, "example.", 257);
    AnchorRollover r = from_keys({&k1, &k2}, kT0);
    const std::int64_t inc = kT0 - kDay, exp = kT0 + 400 * kDay;

    RolloverReport rep = feed(r, publish({{&k1, true, true}, {&k2, false, true}}, inc, exp), kT0 + kDay);
    REQUIRE(rep.events.size() == 1);
    CHECK(rep.events[0].key_tag == k1.tag);  // the unrevoked tag, for display
    CHECK(rep.events[0].from == KeyState::valid);
    CHECK(rep.events[0].to == KeyState::revoked);
    CHECK(rep.trusted_changed);
    CHECK(state_of(r, k1) == KeyState::revoked);
    CHECK(r.trusted_keys().size() == 1);

    // K1 back without the bit, next to K2: no AddPend, no trust.
    const Publication both = publish({{&k1}, {&k2, false, true}}, inc, exp);
    rep = feed(r, both, kT0 + 2 * kDay);
    CHECK(rep.events.empty());
    CHECK(!rep.trusted_changed);
    CHECK(state_of(r, k1) == KeyState::revoked);
    CHECK_FALSE(trusts(r, k1));

    // Past the remove hold-down it is Removed, and the tombstone still holds
    // it off for good (RFC 5011 2.1), however long it stays published.
    rep = feed(r, both, kT0 + kDay + AnchorRollover::kRemoveHoldDown);
    REQUIRE(rep.events.size() == 1);
    CHECK(rep.events[0].to == KeyState::removed);
    for (std::int64_t day = 40; day < 200; day += 20) feed(r, both, kT0 + day * kDay);
    CHECK(state_of(r, k1) == KeyState::removed);
    CHECK_FALSE(trusts(r, k1));
    CHECK(r.trusted_keys().size() == 1);

    // An RRset that only K1 signed is refused outright: it is no anchor now
    // (the caller's validation fails too; this is the defence in depth).
    const Publication by_k1 = publish({{&k1, false, true}, {&k2}}, inc, exp);
    const std::string before = r.serialize();
    rep = feed(r, by_k1, kT0 + 201 * kDay, false);
    CHECK_FALSE(rep.accepted);
    CHECK(r.serialize() == before);
}

TEST_CASE("a key added and withdrawn within the add hold-down never becomes trusted (RFC 5011 2.2)",
          "[dnssec][rfc5011]") {
    // K1 is compromised: its holder publishes its own key KA, signed by K1.
    const SigningKey k1 = make_key(algorithm::ECDSAP256, "example.", 257);
    const SigningKey ka = make_key(algorithm::ECDSAP256, "example.", 257);
    AnchorRollover r = from_keys({&k1}, kT0);
    const std::int64_t inc = kT0 - kDay, exp = kT0 + 400 * kDay;
    const Publication with_ka = publish({{&k1, false, true}, {&ka}}, inc, exp, 3600);
    const Publication without = publish({{&k1, false, true}}, inc, exp, 3600);

    // Days 0-29: KA pending, never trusted.
    for (int day = 0; day < 30; ++day) {
        feed(r, with_ka, kT0 + day * kDay);
        CHECK(state_of(r, ka) == KeyState::add_pend);
        CHECK_FALSE(trusts(r, ka));
    }
    // Withdrawn on day 29.5 (a validated RRset without it): forgotten.
    RolloverReport rep = feed(r, without, kT0 + 29 * kDay + 12 * kHour);
    REQUIRE(rep.events.size() == 1);
    CHECK(rep.events[0].from == KeyState::add_pend);
    CHECK(rep.events[0].to == KeyState::start);
    CHECK(r.keys().size() == 1);
    // Back on day 30: the hold-down starts again, so 30 days after the
    // first sighting it is still not trusted.
    const std::int64_t again = kT0 + 30 * kDay;
    feed(r, with_ka, again);
    feed(r, with_ka, kT0 + 31 * kDay);
    CHECK(state_of(r, ka) == KeyState::add_pend);
    CHECK_FALSE(trusts(r, ka));
    // One second before the new hold-down ends: still pending.
    feed(r, with_ka, again + AnchorRollover::kAddHoldDown - 1);
    CHECK_FALSE(trusts(r, ka));
    // Seen at a query after it: trusted (the attack takes the full 30 days
    // of a published key, which the owner of the zone would notice).
    rep = feed(r, with_ka, again + AnchorRollover::kAddHoldDown);
    CHECK(trusts(r, ka));
    CHECK(rep.trusted_changed);

    // A TTL over 30 days makes the hold-down that TTL (RFC 5011 2.4.1).
    const SigningKey kb = make_key(algorithm::ECDSAP256, "example.", 257);
    const std::uint32_t long_ttl = 40 * 86400;
    const std::int64_t t = kT0 + 100 * kDay;
    const Publication with_kb = publish({{&k1, false, true}, {&kb}}, inc, exp, long_ttl);
    feed(r, with_kb, t);
    REQUIRE(state_of(r, kb) == KeyState::add_pend);
    feed(r, with_kb, t + 35 * kDay);
    CHECK(state_of(r, kb) == KeyState::add_pend);
    feed(r, with_kb, t + long_ttl);
    CHECK(state_of(r, kb) == KeyState::valid);
}

TEST_CASE("a Missing key stays trusted and is Valid again when it comes back", "[dnssec][rfc5011]") {
    const SigningKey k1 = make_key(algorithm::ECDSAP256, "example.", 257);
    const SigningKey k2 = make_key(algorithm::ECDSAP256, "example.", 257);
    AnchorRollover r = from_keys({&k1, &k2}, kT0);
    const std::int64_t inc = kT0 - kDay, exp = kT0 + 400 * kDay;

    RolloverReport rep = feed(r, publish({{&k1, false, true}}, inc, exp), kT0 + kHour);
    REQUIRE(rep.events.size() == 1);
    CHECK(rep.events[0].key_tag == k2.tag);
    CHECK(rep.events[0].to == KeyState::missing);
    CHECK_FALSE(rep.trusted_changed);  // Missing is still trusted (section 4)
    CHECK(state_of(r, k2) == KeyState::missing);
    CHECK(trusts(r, k2));
    // A year away does not end it: only a revocation does.
    feed(r, publish({{&k1, false, true}}, inc, exp), kT0 + 365 * kDay);
    CHECK(trusts(r, k2));
    // Back, and now it alone signs: Valid, no hold-down.
    rep = feed(r, publish({{&k1}, {&k2, false, true}}, inc, exp), kT0 + 366 * kDay);
    REQUIRE(rep.events.size() == 1);
    CHECK(rep.events[0].from == KeyState::missing);
    CHECK(rep.events[0].to == KeyState::valid);
    CHECK(state_of(r, k2) == KeyState::valid);

    // A revoked K2 that did not sign the RRset revokes nothing (RFC 5011
    // 2.1): K2 only counts as absent, hence Missing and trusted.
    rep = feed(r, publish({{&k1, false, true}, {&k2, true, false}}, inc, exp), kT0 + 367 * kDay);
    CHECK(state_of(r, k2) == KeyState::missing);
    CHECK(trusts(r, k2));
}

TEST_CASE("the active refresh timer (RFC 5011 2.3) for several TTLs and signature lifetimes",
          "[dnssec][rfc5011]") {
    // queryInterval = max(1 h, min(15 d, TTL/2, exp/2)); retry = max(1 h, min(1 d, TTL/10, exp/10)).
    struct Case {
        std::uint32_t ttl;
        std::int64_t exp;
        std::int64_t query, retry;
    };
    const Case cases[] = {
        {172800, 13 * kDay, kDay, 17280},            // the root: 2-day TTL, RRSIGs valid ~2 weeks
        {3600, 30 * kDay, kHour, kHour},             // a 1-hour TTL: the 1-hour floor
        {10 * 86400, 40 * kDay, 5 * kDay, kDay},     // TTL/2; the retry capped at a day
        {60 * 86400, 60 * kDay, 15 * kDay, kDay},    // the 15-day cap
        {172800, 3 * kHour, 90 * 60, kHour},         // a signature about to expire
        {172800, 0, kHour, kHour},                   // already expired
        {0, 10 * kDay, kHour, kHour},                // TTL 0
        {4294967295u, 400 * kDay, 15 * kDay, kDay},  // the largest TTL
    };
    for (const Case& c : cases) {
        INFO("ttl " << c.ttl << " exp " << c.exp);
        CHECK(rfc5011_query_interval(c.ttl, c.exp) == c.query);
        CHECK(rfc5011_retry_interval(c.ttl, c.exp) == c.retry);
    }

    // The same through the object: before any query, now; after an
    // observation, its interval; after failures, the retry from each.
    const SigningKey k1 = make_key(algorithm::ECDSAP256, "example.", 257);
    AnchorRollover r = from_keys({&k1}, kT0);
    CHECK(r.next_query_time(kT0) == kT0);
    CHECK(r.fail(kT0) == kT0 + kHour);  // nothing known yet: the floor
    CHECK(r.next_query_time(kT0) == kT0 + kHour);
    const std::int64_t t = kT0 + 2 * kHour;
    // Two RRSIGs: the earliest expiration (13 days away) counts.
    Publication p = publish({{&k1, false, true}}, kT0 - kDay, t + 13 * kDay);
    const Publication later = publish({{&k1, false, true}}, kT0 - kDay, t + 30 * kDay);
    p.rrsigs.push_back(later.rrsigs[0]);
    REQUIRE(feed(r, p, t).accepted);
    CHECK(r.next_query_time(t) == t + kDay);
    CHECK(r.failures() == 0);
    CHECK(r.fail(t + kDay) == t + kDay + 17280);
    CHECK(r.fail(t + kDay + 17280) == t + kDay + 2 * 17280);
    CHECK(r.failures() == 2);
    CHECK(r.last_query() == t);
    // A clock set back 40 days does not push the next query past 15 days.
    CHECK(r.next_query_time(t - 40 * kDay) == t - 25 * kDay);
    // A short-lived signature: a query at half its remaining life.
    feed(r, publish({{&k1, false, true}}, kT0 - kDay, t + 6 * kHour), t + kHour);
    CHECK(r.next_query_time(t + kHour) == t + kHour + 150 * 60);
    CHECK(r.failures() == 0);
}

TEST_CASE("the state file survives serialize and parse byte for byte", "[dnssec][rfc5011]") {
    const SigningKey valid = make_key(algorithm::ECDSAP256, "example.", 257);
    const SigningKey missing = make_key(algorithm::ED25519, "example.", 257);
    const SigningKey revoked = make_key(algorithm::ECDSAP384, "example.", 257);
    const SigningKey removed = make_key(algorithm::ECDSAP256, "example.", 257);
    const SigningKey pending = make_key(algorithm::RSASHA256, "example.", 257);
    const SigningKey unseen = make_key(algorithm::ECDSAP256, "example.", 257);
    Blob unseen_ds = ds_for(unseen, digest::SHA384);
    std::vector<ByteView> ds{ByteView(unseen_ds)};
    std::vector<ByteView> keys{ByteView(valid.dnskey), ByteView(missing.dnskey), ByteView(revoked.dnskey),
                               ByteView(removed.dnskey)};
    std::string error;
    std::optional<AnchorRollover> made = AnchorRollover::create(valid.zone, ds, keys, kT0, error);
    REQUIRE(made);
    AnchorRollover r = std::move(*made);
    const std::int64_t inc = kT0 - kDay, exp = kT0 + 400 * kDay;
    feed(r, publish({{&valid, false, true}, {&missing}, {&revoked}, {&removed, true, true}}, inc, exp),
         kT0 + kDay);
    feed(r, publish({{&valid, false, true}, {&revoked, true, true}, {&pending}}, inc, exp),
         kT0 + kDay + AnchorRollover::kRemoveHoldDown);
    r.fail(kT0 + 40 * kDay);
    CHECK(state_of(r, valid) == KeyState::valid);
    CHECK(state_of(r, missing) == KeyState::missing);
    CHECK(state_of(r, revoked) == KeyState::revoked);
    CHECK(state_of(r, removed) == KeyState::removed);
    CHECK(state_of(r, pending) == KeyState::add_pend);
    CHECK(r.pending_ds().size() == 1);

    const std::string text = r.serialize();
    CHECK(text.rfind("lanlord-rfc5011 1 zone=example. ", 0) == 0);
    CHECK(text.find("\nkey revoked " + std::to_string(revoked.tag) + " ") != std::string::npos);
    CHECK(text.find("\nds " + std::to_string(unseen.tag) + " ") != std::string::npos);
    CHECK(text.find("\nend 5 1\n") != std::string::npos);
    std::optional<AnchorRollover> back = AnchorRollover::parse(text, error);
    INFO(error);
    REQUIRE(back);
    CHECK(back->serialize() == text);
    CHECK(back->zone() == valid.zone);
    CHECK(back->failures() == 1);
    CHECK(back->next_query_time(kT0 + 40 * kDay) == r.next_query_time(kT0 + 40 * kDay));
    REQUIRE(back->keys().size() == r.keys().size());
    for (std::size_t i = 0; i < r.keys().size(); ++i) {
        CHECK(back->keys()[i].dnskey == r.keys()[i].dnskey);
        CHECK(back->keys()[i].state == r.keys()[i].state);
        CHECK(back->keys()[i].hold_down_end == r.keys()[i].hold_down_end);
    }
    // And it goes on the same way: the pending key's hold-down ends for both.
    const Publication next = publish({{&valid, false, true}, {&pending}}, inc, exp);
    const std::int64_t t = kT0 + kDay + AnchorRollover::kRemoveHoldDown + AnchorRollover::kAddHoldDown;
    feed(r, next, t);
    feed(*back, next, t);
    CHECK(state_of(*back, pending) == KeyState::valid);
    CHECK(back->serialize() == r.serialize());
    // The root's name is written as ".".
    const SigningKey root_key = make_key(algorithm::ECDSAP256, ".", 257);
    AnchorRollover root = from_keys({&root_key}, kT0);
    CHECK(root.serialize().rfind("lanlord-rfc5011 1 zone=. last-query=0 next-query=0 ", 0) == 0);
    std::optional<AnchorRollover> root_back = AnchorRollover::parse(root.serialize(), error);
    REQUIRE(root_back);
    CHECK(root_back->zone() == std::string(1, '\0'));
    CHECK(root_back->serialize() == root.serialize());

    // Whatever the clock says (before 1970, past the year 4147), the file
    // written is one parse() reads.
    AnchorRollover odd_clock = from_keys({&valid}, -5);
    CHECK(AnchorRollover::parse(odd_clock.serialize(), error));
    odd_clock.fail(std::numeric_limits<std::int64_t>::max());
    // (Dates that far out defeat any RRSIG: the observation is made by hand.)
    std::vector<ByteView> odd_set{ByteView(valid.dnskey), ByteView(pending.dnskey)};
    std::vector<ByteView> odd_signers{ByteView(valid.dnskey)};
    REQUIRE(odd_clock
                .observe(DnskeyObservation{odd_set, odd_signers, 0xFFFFFFFF, 0},
                         std::numeric_limits<std::int64_t>::max())
                .accepted);
    CHECK(state_of(odd_clock, pending) == KeyState::add_pend);
    std::optional<AnchorRollover> odd_back = AnchorRollover::parse(odd_clock.serialize(), error);
    INFO(error);
    REQUIRE(odd_back);
    CHECK(odd_back->serialize() == odd_clock.serialize());
}

TEST_CASE("a truncated or corrupted state file is refused with its line number, the old state kept",
          "[dnssec][rfc5011]") {
    const SigningKey k1 = make_key(algorithm::ECDSAP256, "example.", 257);
    const SigningKey k2 = make_key(algorithm::ECDSAP256, "example.", 257);
    AnchorRollover current = from_keys({&k1, &k2}, kT0);
    const std::string good = current.serialize();
    // Line 1 header, 2 comment, 3 and 4 the keys, 5 end.
    std::vector<std::string> lines;
    for (std::size_t p = 0, e; (e = good.find('\n', p)) != std::string::npos; p = e + 1)
        lines.push_back(good.substr(p, e - p));
    REQUIRE(lines.size() == 5);
    REQUIRE(lines[2].rfind("key valid ", 0) == 0);
    auto join = [](const std::vector<std::string>& ls) {
        std::string s;
        for (const std::string& l : ls) s += l + "\n";
        return s;
    };
    auto replaced = [&](std::size_t i, std::string line) {
        std::vector<std::string> ls = lines;
        ls[i] = std::move(line);
        return join(ls);
    };
    std::string flipped = lines[3];
    flipped.back() = flipped.back() == '0' ? '1' : '0';  // one hex digit of K2's public key
    std::string nothing_trusted = lines[2];
    nothing_trusted.replace(4, 5, "removed");

    struct Bad {
        std::string text;
        std::string error_start;  // "line N: "
        std::string says;
    };
    const Bad bads[] = {
        {good.substr(0, good.size() - 30), "line 4: ", "DNSKEY"},         // cut inside the second key
        {join({lines[0], lines[1], lines[2]}), "line 4: ", "truncated"},  // cut at a line boundary
        {"", "line 1: ", "empty"},
        {"garbage\n" + good, "line 1: ", "header"},
        {replaced(0, "lanlord-rfc5011 2 zone=example."), "line 1: ", "version"},
        {replaced(0, lines[0].substr(0, lines[0].find(" next-query"))), "line 1: ", "9 fields"},
        {replaced(3, flipped), "line 4: ", "corrupted"},
        {replaced(2, "key valid 1 2 3 0 zz"), "line 3: ", "DNSKEY"},
        {replaced(2, "key bogus" + lines[2].substr(9)), "line 3: ", "unknown key state"},
        {replaced(2, "key addpend" + lines[2].substr(9)), "line 3: ", "hold-down"},
        {replaced(3, lines[2]), "line 4: ", "twice"},
        {replaced(4, "end 3 0"), "line 5: ", "counts"},
        {good + "key valid\n", "line 6: ", "after the end"},
        {replaced(1, "what is this"), "line 2: ", "unknown line"},
        {join({lines[0], lines[1], nothing_trusted, "end 1 0"}), "line 4: ", "no trusted key"},
        {replaced(2, "key valid 99999999 1 2 0 00"), "line 3: ", "key tag"},
        {replaced(2, "key valid 1 -5 2 0 00"), "line 3: ", "first-seen"},
        {std::string(9000, 'x') + "\n", "line 1: ", "longer"},
    };
    for (const Bad& b : bads) {
        INFO(b.text);
        std::string error;
        std::optional<AnchorRollover> loaded = AnchorRollover::parse(b.text, error);
        CHECK_FALSE(loaded);
        INFO(error);
        CHECK(error.rfind(b.error_start, 0) == 0);
        CHECK(error.find(b.says) != std::string::npos);
    }
    // The caller keeps what it had: same anchors, same file.
    CHECK(current.serialize() == good);
    CHECK(current.trusted_keys().size() == 2);
    // Blank lines and CRLF line ends are tolerated.
    std::string crlf;
    for (const std::string& l : lines) crlf += l + "\r\n\n";
    std::string error;
    std::optional<AnchorRollover> tolerant = AnchorRollover::parse(crlf, error);
    INFO(error);
    REQUIRE(tolerant);
    CHECK(tolerant->serialize() == good);
}

TEST_CASE("hostile state file bytes never crash the parser", "[dnssec][rfc5011]") {
    const SigningKey k1 = make_key(algorithm::ECDSAP256, "example.", 257);
    const SigningKey k2 = make_key(algorithm::RSASHA256, "example.", 257);
    Blob ds = ds_for(make_key(algorithm::ECDSAP256, "example.", 257), digest::SHA256);
    std::vector<ByteView> dsv{ByteView(ds)};
    std::vector<ByteView> keys{ByteView(k1.dnskey), ByteView(k2.dnskey)};
    std::string error;
    std::optional<AnchorRollover> made = AnchorRollover::create(k1.zone, dsv, keys, kT0, error);
    REQUIRE(made);
    const std::string good = made->serialize();
    std::mt19937 rng(5011);
    int accepted = 0, refused = 0;
    for (int i = 0; i < 3000; ++i) {
        std::string t = good;
        const int edits = 1 + static_cast<int>(rng() % 4);
        for (int e = 0; e < edits && !t.empty(); ++e) {
            const std::size_t at = rng() % t.size();
            switch (rng() % 4) {
                case 0:
                    t[at] = static_cast<char>(rng());
                    break;
                case 1:
                    t.erase(at, 1 + rng() % 40);
                    break;
                case 2:
                    t.insert(at, 1, " \n0-9f\r#="[rng() % 10]);
                    break;
                default:
                    t.resize(at);
                    break;
            }
        }
        std::optional<AnchorRollover> r = AnchorRollover::parse(t, error);
        if (r) {
            ++accepted;
            // Whatever it accepts is a state it can write and read back.
            std::optional<AnchorRollover> again = AnchorRollover::parse(r->serialize(), error);
            REQUIRE(again);
            CHECK(again->serialize() == r->serialize());
            CHECK((!r->trusted_keys().empty() || !r->pending_ds().empty()));
        } else {
            ++refused;
            CHECK(error.rfind("line ", 0) == 0);
        }
    }
    CHECK(refused > 2500);  // nearly every edit breaks a checked field
    CHECK(accepted + refused == 3000);
}

TEST_CASE("the trust point never drops to zero anchors by itself", "[dnssec][rfc5011]") {
    const SigningKey k1 = make_key(algorithm::ECDSAP256, "example.", 257);
    const SigningKey k2 = make_key(algorithm::ECDSAP256, "example.", 257);
    AnchorRollover r = from_keys({&k1}, kT0);
    const std::int64_t inc = kT0 - kDay, exp = kT0 + 400 * kDay;

    // The only trusted key, published both plain (it validates the RRset)
    // and revoked and self-signed: the revocation would leave nothing.
    const Publication odd = publish({{&k1, false, true}, {&k1, true, true}}, inc, exp);
    RolloverReport rep = feed(r, odd, kT0 + kDay);
    CHECK(rep.accepted);
    REQUIRE(rep.held_back.size() == 1);
    CHECK(rep.held_back[0] == k1.tag);
    CHECK(rep.events.empty());
    CHECK_FALSE(rep.trusted_changed);
    CHECK(state_of(r, k1) == KeyState::valid);
    REQUIRE(r.trusted_keys().size() == 1);
    CHECK(trusts(r, k1));

    // Once another key has earned its trust, the revocation goes through.
    const Publication with_k2 = publish({{&k1, false, true}, {&k1, true, true}, {&k2}}, inc, exp);
    feed(r, with_k2, kT0 + 2 * kDay);
    CHECK(state_of(r, k2) == KeyState::add_pend);
    CHECK(state_of(r, k1) == KeyState::valid);  // still held back
    rep = feed(r, with_k2, kT0 + 2 * kDay + AnchorRollover::kAddHoldDown);
    CHECK(rep.held_back.empty());
    CHECK(state_of(r, k1) == KeyState::revoked);
    CHECK(state_of(r, k2) == KeyState::valid);
    REQUIRE(r.trusted_keys().size() == 1);
    CHECK(trusts(r, k2));

    // The same from a DS anchor: the DS becomes K1, whose revocation is held.
    Blob ds = ds_for(k1, digest::SHA256);
    std::vector<ByteView> dsv{ByteView(ds)};
    std::string error;
    std::optional<AnchorRollover> from_ds = AnchorRollover::create(k1.zone, dsv, {}, kT0, error);
    REQUIRE(from_ds);
    rep = feed(*from_ds, odd, kT0 + kDay);
    CHECK(rep.held_back.size() == 1);
    CHECK(state_of(*from_ds, k1) == KeyState::valid);
    CHECK(from_ds->pending_ds().empty());
    CHECK(from_ds->trusted_keys().size() == 1);
}

TEST_CASE("a DS anchor stays the anchor until its key is seen, other anchors are created with care",
          "[dnssec][rfc5011]") {
    const SigningKey k1 = make_key(algorithm::ECDSAP256, "example.", 257);
    const SigningKey k2 = make_key(algorithm::ECDSAP256, "example.", 257);
    const SigningKey later = make_key(algorithm::ECDSAP256, "example.", 257);
    Blob ds1 = ds_for(k1, digest::SHA256), ds_later = ds_for(later, digest::SHA384);
    std::vector<ByteView> ds{ByteView(ds1), ByteView(ds_later)};
    std::string error;
    std::optional<AnchorRollover> made = AnchorRollover::create(k1.zone, ds, {}, kT0, error);
    REQUIRE(made);
    AnchorRollover r = std::move(*made);
    TrustAnchors anchors;
    REQUIRE(r.add_to(anchors).empty());
    REQUIRE(anchors.closest(k1.zone)->ds.size() == 2);
    CHECK(anchors.closest(k1.zone)->ds[0] == ds1);

    // K1 seen: it replaces its DS; K2, in the same RRset, must wait its
    // hold-down (the DS vouches for K1 only); the other DS stays.
    const std::int64_t inc = kT0 - kDay, exp = kT0 + 400 * kDay;
    RolloverReport rep = feed(r, publish({{&k1, false, true}, {&k2}}, inc, exp), kT0);
    CHECK(rep.trusted_changed);
    CHECK(state_of(r, k1) == KeyState::valid);
    CHECK(state_of(r, k2) == KeyState::add_pend);
    REQUIRE(r.pending_ds().size() == 1);
    CHECK(std::equal(r.pending_ds()[0].begin(), r.pending_ds()[0].end(), ds_later.begin(), ds_later.end()));
    TrustAnchors rebuilt;
    REQUIRE(r.add_to(rebuilt).empty());
    REQUIRE(rebuilt.closest(k1.zone)->ds.size() == 2);
    CHECK(rebuilt.closest(k1.zone)->ds[0] == ds_for(k1, digest::SHA256));
    CHECK(rebuilt.closest(k1.zone)->ds[1] == ds_later);
    // The DS's key, once it shows up while pending, is trusted at once.
    feed(r, publish({{&k1, false, true}, {&k2}, {&later}}, inc, exp), kT0 + kDay);
    CHECK(state_of(r, later) == KeyState::valid);
    CHECK(r.pending_ds().empty());

    // create() refuses what could never anchor anything.
    const SigningKey zsk = make_key(algorithm::ECDSAP256, "example.", 256);
    const SigningKey rev = make_key(algorithm::ECDSAP256, "example.", 385);
    Blob bad_ds{1, 2};
    for (const std::vector<ByteView>& keys :
         {std::vector<ByteView>{ByteView(zsk.dnskey)}, std::vector<ByteView>{ByteView(rev.dnskey)}}) {
        error.clear();
        CHECK_FALSE(AnchorRollover::create(k1.zone, {}, keys, kT0, error));
        CHECK(error.find("SEP") != std::string::npos);
    }
    std::vector<ByteView> bad{ByteView(bad_ds)};
    CHECK_FALSE(AnchorRollover::create(k1.zone, bad, {}, kT0, error));
    CHECK(error == "malformed DS anchor");
    CHECK_FALSE(AnchorRollover::create(k1.zone, {}, {}, kT0, error));
    CHECK(error == "no trust anchor for the zone");
    std::vector<ByteView> one{ByteView(k1.dnskey)};
    std::string spaced = wire("ab.");
    spaced[2] = ' ';  // "a\032.": no name the state file could hold
    CHECK_FALSE(AnchorRollover::create(spaced, {}, one, kT0, error));
    CHECK(error == "the zone's name cannot be written to the state file");
}

TEST_CASE("dnskey_signers finds revoked self-signers that verify_rrset refuses", "[dnssec][rfc5011]") {
    const SigningKey k1 = make_key(algorithm::ECDSAP256, "example.", 257);
    const SigningKey k2 = make_key(algorithm::ECDSAP256, "example.", 257);
    const std::int64_t inc = kT0 - kDay, exp = kT0 + 10 * kDay;
    const Publication p = publish({{&k1, true, true}, {&k2, false, true}}, inc, exp);
    std::vector<ByteView> views(p.dnskeys.begin(), p.dnskeys.end());
    std::vector<RrsigData> sigs(p.rrsigs.size());
    for (std::size_t i = 0; i < sigs.size(); ++i) REQUIRE(decode_rrsig_rdata(p.rrsigs[i], sigs[i]));
    RrsetData set{p.zone, dns::type::DNSKEY, dns::kClassIN, p.ttl, views};
    const auto now = static_cast<std::uint32_t>(kT0);

    ValidationBudget budget;
    DnskeySigners s = dnskey_signers(set, sigs, now, budget);
    REQUIRE(s.keys.size() == 2);
    CHECK(std::equal(s.keys[0].begin(), s.keys[0].end(), p.dnskeys[0].begin(), p.dnskeys[0].end()));
    CHECK(s.original_ttl == kRootTtl);
    CHECK(s.expiration == static_cast<std::uint32_t>(exp));
    CHECK(budget.signature_checks == 2);
    // verify_rrset uses only the unrevoked key.
    std::vector<ByteView> only_revoked{views[0]};
    ValidationBudget b2;
    CHECK_FALSE(verify_rrset(set, sigs, ZoneKeys{p.zone, only_revoked}, now, b2).verdict.is_secure());

    // Dates count: after the expiration nothing verifies.
    ValidationBudget b3;
    CHECK(dnskey_signers(set, sigs, static_cast<std::uint32_t>(exp + 1), b3).keys.empty());
    // A tampered signature does not verify; the budget is respected.
    std::vector<Blob> tampered = p.rrsigs;
    tampered[0].back() ^= 1;
    std::vector<RrsigData> tsigs(2);
    for (std::size_t i = 0; i < 2; ++i) REQUIRE(decode_rrsig_rdata(tampered[i], tsigs[i]));
    ValidationBudget b4;
    DnskeySigners t = dnskey_signers(set, tsigs, now, b4);
    REQUIRE(t.keys.size() == 1);
    CHECK(std::equal(t.keys[0].begin(), t.keys[0].end(), k2.dnskey.begin(), k2.dnskey.end()));
    ValidationBudget tight;
    tight.limits.max_signature_checks = 1;
    CHECK(dnskey_signers(set, sigs, now, tight).keys.size() == 1);
}
