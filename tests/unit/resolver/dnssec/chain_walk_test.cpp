// The chain of trust walked from a trust anchor down to a zone, one DS and
// DNSKEY fetch at a time, over a signed hierarchy made at test time: root
// -> zz. -> example.zz., with an unsigned delegation, a broken DS, a name
// that is no zone cut, and stripped signatures.
#include <catch2/catch.hpp>

#include "unit/resolver/dnssec/signed_hierarchy.h"

using namespace lanlord;
using namespace lanlord::test;

using namespace lanlord::test::signed_hierarchy;
namespace t = dns::type;

TEST_CASE(
    "chain walk: anchor -> root DNSKEY -> DS zz. -> DNSKEY zz. -> DS -> DNSKEY example.zz. is secure, "
    "and the next walk fetches nothing",
    "[dnssec]") {
    Hierarchy h;
    ChainWalk w = h.walk("example.zz.");
    CHECK(w.verdict().is_secure());
    CHECK(w.zone() == wire("example.zz."));
    REQUIRE(w.keys());
    CHECK(w.keys()->keys.size() == 2);
    CHECK(h.fetched == std::vector<std::string>{"DNSKEY .", "DS zz.", "DNSKEY zz.", "DS example.zz.",
                                                "DNSKEY example.zz."});
    h.fetched.clear();
    ChainWalk again = h.walk("example.zz.");
    CHECK(again.verdict().is_secure());
    CHECK(h.fetched.empty());
}

TEST_CASE("chain walk: a name that is no zone cut is skipped and the zone above gives the keys", "[dnssec]") {
    Hierarchy h;
    ChainWalk w = h.walk("a.b.example.zz.");
    CHECK(w.verdict().is_secure());
    CHECK(w.zone() == wire("example.zz."));
    CHECK(h.fetched.back() == "DS a.b.example.zz.");
}

TEST_CASE("chain walk: a proven unsigned delegation is insecure, and so is everything below it", "[dnssec]") {
    Hierarchy h;
    ChainWalk w = h.walk("www.insecure.zz.");
    CHECK(w.verdict().security == Security::insecure);
    CHECK(w.zone() == wire("insecure.zz."));
    h.fetched.clear();
    ChainWalk again = h.walk("deep.www.insecure.zz.");
    CHECK(again.verdict().security == Security::insecure);
    CHECK(h.fetched.empty());
}

TEST_CASE("chain walk: a DS naming a key the zone does not publish is bogus (EDE 9) and cached as bogus",
          "[dnssec]") {
    Hierarchy h;
    ChainWalk w = h.walk("bad.zz.");
    CHECK(w.verdict().is_bogus());
    CHECK(w.verdict().ede == ede::dnskey_missing);
    h.fetched.clear();
    CHECK(h.walk("www.bad.zz.").verdict().is_bogus());
    CHECK(h.fetched.empty());  // not asked again while the bogus entry lives
}

TEST_CASE("chain walk: stripped signatures, a NODATA without proof and an unanswered fetch are bogus",
          "[dnssec]") {
    Hierarchy h;
    ChainWalk stripped = h.walk("stripped.zz.");
    CHECK(stripped.verdict().is_bogus());
    CHECK(stripped.verdict().ede == ede::rrsigs_missing);
    ChainWalk forged = h.walk("forged.zz.");
    CHECK(forged.verdict().is_bogus());
    CHECK(forged.verdict().ede == ede::nsec_missing);
    ChainWalk silent = h.walk("nowhere.zz.");  // no answer scripted: the fetch fails
    CHECK(silent.verdict().is_bogus());
}

TEST_CASE("chain walk: no trust anchor above the name is indeterminate and fetches nothing", "[dnssec]") {
    Hierarchy h;
    TrustAnchors lab;
    lab.add_ds(wire("lab.test."), h.example.ds());
    KeyCache cache;
    ChainWalk w(lab, cache, wire("example.zz."));
    CHECK(w.done());
    CHECK(w.verdict().security == Security::indeterminate);
    CHECK(w.next(kNow).kind == ChainFetch::Kind::none);
}

TEST_CASE("chain walk: a root DNSKEY set signed only by a revoked KSK is bogus", "[dnssec]") {
    Hierarchy h;
    SigningKey revoked = make_key(algorithm::RSASHA256, ".", 385);
    TrustAnchors anchors;
    anchors.add_ds(h.root.origin, ds_for(revoked, digest::SHA256));
    std::vector<Blob> keys = {revoked.dnskey, h.root.zsk.dnskey};
    std::vector<Record> answer;
    for (const Blob& k : keys) answer.push_back({".", t::DNSKEY, 3600, k});
    answer.push_back(
        {".", t::RRSIG, 3600,
         sign_rrset(revoked, h.root.origin, t::DNSKEY, 3600, keys, kWall - 86400, kWall + 86400)});
    Bytes msg = answer_msg(h.root.origin, t::DNSKEY, answer);
    KeyCache cache;
    ChainWalk w(anchors, cache, wire("zz."));
    REQUIRE(w.next(kNow).kind == ChainFetch::Kind::dnskey);
    ValidationBudget budget;
    w.supply(parse_message(msg), kNow, kWall, budget);
    CHECK(w.done());
    CHECK(w.verdict().is_bogus());
}

namespace {

// Steps `w` with the hierarchy's answers until it asks for DS at `name`.
bool until_ds(Hierarchy& h, ChainWalk& w, const char* name) {
    ValidationBudget budget;
    for (int steps = 0; steps < 20; ++steps) {
        ChainFetch f = w.next(kNow);
        if (f.kind == ChainFetch::Kind::none) return false;
        if (f.kind == ChainFetch::Kind::ds && f.name == wire(name)) return true;
        std::uint16_t type = f.kind == ChainFetch::Kind::ds ? t::DS : t::DNSKEY;
        auto it = h.answers.find({type, f.name});
        REQUIRE(it != h.answers.end());
        w.supply(parse_message(it->second), kNow, kWall, budget);
    }
    return false;
}

// A referral from zz. to `child`: its NS set and `proof` (a DS set or NSEC records) in the authority section.
Bytes referral(const char* child, std::vector<Record> proof) {
    std::vector<Record> authority = {{child, t::NS, 3600, rdata_name("ns.example.zz.")}};
    append(authority, std::move(proof));
    ResponseSpec s;
    s.qname = std::string("www.") + child;
    s.qtype = t::A;
    s.authority = std::move(authority);
    return make_response(s);
}

}  // namespace

TEST_CASE("chain walk: the DS set of a referral replaces the DS fetch, a forged one changes nothing",
          "[dnssec]") {
    Hierarchy h;
    ValidationBudget budget;
    ChainWalk w(h.anchors, h.cache, wire("example.zz."));
    REQUIRE(until_ds(h, w, "example.zz."));

    // The signature does not cover what the referral says: not taken, the walk still asks for DS.
    std::vector<Record> forged = h.zz.sign(wire("example.zz."), t::DS, {h.example.ds()});
    forged[0].rdata = h.other.ds();
    CHECK_FALSE(w.offer_referral(parse_message(referral("example.zz.", forged)), kNow, kWall, budget));
    CHECK_FALSE(w.done());
    // No DS and no proof at all (an unsigned referral): not taken either.
    CHECK_FALSE(w.offer_referral(parse_message(referral("example.zz.", {})), kNow, kWall, budget));
    ChainFetch f = w.next(kNow);
    CHECK((f.kind == ChainFetch::Kind::ds && f.name == wire("example.zz.")));

    // The real, signed DS: taken; the next fetch is the zone's DNSKEY set, and the walk ends secure.
    Bytes good = referral("example.zz.", h.zz.sign(wire("example.zz."), t::DS, {h.example.ds()}));
    CHECK(w.offer_referral(parse_message(good), kNow, kWall, budget));
    f = w.next(kNow);
    CHECK((f.kind == ChainFetch::Kind::dnskey && f.name == wire("example.zz.")));
    w.supply(parse_message(h.answers.at({t::DNSKEY, wire("example.zz.")})), kNow, kWall, budget);
    CHECK(w.next(kNow).kind == ChainFetch::Kind::none);
    CHECK(w.verdict().is_secure());
}

TEST_CASE("chain walk: a referral's signed proof of no DS makes the delegation insecure without a fetch",
          "[dnssec]") {
    Hierarchy h;
    ValidationBudget budget;
    ChainWalk w(h.anchors, h.cache, wire("insecure.zz."));
    REQUIRE(until_ds(h, w, "insecure.zz."));
    std::vector<Record> proof = h.zz.nsec("insecure.zz.", "zzz.zz.", {t::NS, t::RRSIG, t::NSEC});
    CHECK(w.offer_referral(parse_message(referral("insecure.zz.", proof)), kNow, kWall, budget));
    CHECK(w.done());
    CHECK(w.verdict().security == Security::insecure);
}
