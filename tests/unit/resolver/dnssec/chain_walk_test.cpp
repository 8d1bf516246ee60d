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
