// Whole responses validated: secure answers, tampered and stripped ones,
// CNAME chains into an unsigned zone, NXDOMAIN and NODATA with and without
// their proofs, wildcard expansions; and the two-pass protocol (the names
// whose chains must be walked first).
#include <catch2/catch.hpp>

#include "unit/resolver/dnssec/signed_hierarchy.h"

using namespace lanlord;
using namespace lanlord::test;
using namespace lanlord::test::signed_hierarchy;
namespace t = dns::type;

namespace {

// Validates `msg`, walking the chains it asks for, as the resolver will.
struct Validator {
    Hierarchy& h;
    std::map<std::string, ChainResult> chains;
    unsigned passes = 0;

    ResponseVerdict operator()(const Bytes& msg, const char* qname, std::uint16_t qtype) {
        ParsedMessage m = parse_message(msg);
        REQUIRE(m.ok());
        ChainLookup lookup = [&](std::string_view name) -> const ChainResult* {
            auto it = chains.find(std::string(name));
            return it == chains.end() ? nullptr : &it->second;
        };
        ValidationBudget budget;
        for (passes = 1; passes <= 4; ++passes) {
            ResponseVerdict v = validate_response(m, wire(qname), qtype, lookup, kWall, budget);
            if (v.needed.empty()) return v;
            for (const std::string& name : v.needed) {
                ChainWalk w = h.walk(text_of(name).c_str());
                chains[name] = ChainResult{w.verdict(), std::string(w.zone()), w.keys()};
            }
        }
        FAIL("the validator kept asking for chains");
        return {};
    }
};

std::vector<Record> soa(const SignedZone& z) {
    return z.sign(z.origin, t::SOA, {rdata_soa(300, "ns.example.zz.", "host.example.zz.")});
}

}  // namespace

TEST_CASE(
    "response: a signed answer is secure once its zone's chain is walked, tampered or stripped is bogus",
    "[dnssec]") {
    Hierarchy h;
    Validator validate{h};
    Bytes good = answer_msg(wire("www.example.zz."), t::A,
                            h.example.sign(wire("www.example.zz."), t::A, {a_rdata(1), a_rdata(2)}));
    ResponseVerdict v = validate(good, "www.example.zz.", t::A);
    CHECK(v.verdict.is_secure());
    CHECK(validate.passes == 2);  // first pass: "walk example.zz. first"

    std::vector<Record> tampered = h.example.sign(wire("www.example.zz."), t::A, {a_rdata(1)});
    tampered[0].rdata = a_rdata(66);  // the attacker's address under the real signature
    v = validate(answer_msg(wire("www.example.zz."), t::A, tampered), "www.example.zz.", t::A);
    CHECK(v.verdict.is_bogus());
    CHECK(v.zone == wire("example.zz."));

    Bytes stripped = answer_msg(wire("www.example.zz."), t::A,
                                h.example.sign(wire("www.example.zz."), t::A, {a_rdata(1)}, false));
    v = validate(stripped, "www.example.zz.", t::A);
    CHECK(v.verdict.is_bogus());
    CHECK(v.verdict.ede == ede::rrsigs_missing);
}

TEST_CASE("response: a CNAME from a signed zone into an unsigned delegation is insecure, not bogus",
          "[dnssec]") {
    Hierarchy h;
    Validator validate{h};
    std::vector<Record> answer =
        h.example.sign(wire("alias.example.zz."), t::CNAME, {rdata_name("www.insecure.zz.")});
    append(answer, {{"www.insecure.zz.", t::A, 300, a_rdata(9)}});
    ResponseVerdict v =
        validate(answer_msg(wire("alias.example.zz."), t::A, answer), "alias.example.zz.", t::A);
    CHECK(v.verdict.security == Security::insecure);
}

TEST_CASE("response: NXDOMAIN with both NSECs is secure, with one, or none, it is bogus with EDE 12",
          "[dnssec]") {
    Hierarchy h;
    Validator validate{h};
    std::vector<Record> proof = soa(h.example);
    append(proof, h.example_nsec("a.b.example.zz."));  // covers nope.example.zz
    std::vector<Record> full = proof;
    append(full, h.example_nsec("example.zz."));  // covers *.example.zz
    ResponseVerdict v = validate(answer_msg(wire("nope.example.zz."), t::A, {}, full, dns::rcode::NXDOMAIN),
                                 "nope.example.zz.", t::A);
    CHECK(v.verdict.is_secure());

    v = validate(answer_msg(wire("nope.example.zz."), t::A, {}, proof, dns::rcode::NXDOMAIN),
                 "nope.example.zz.", t::A);
    CHECK(v.verdict.is_bogus());
    CHECK(v.verdict.ede == ede::nsec_missing);

    // No signature at all in a signed zone.
    std::vector<Record> bare = {{"example.zz.", t::SOA, 300, rdata_soa(300)}};
    v = validate(answer_msg(wire("nope.example.zz."), t::A, {}, bare, dns::rcode::NXDOMAIN),
                 "nope.example.zz.", t::A);
    CHECK(v.verdict.is_bogus());
    CHECK(v.verdict.ede == ede::nsec_missing);

    // The existing www.example.zz denied with www's own NSEC: a forgery.
    std::vector<Record> lie = soa(h.example);
    append(lie, h.example_nsec("www.example.zz."));
    v = validate(answer_msg(wire("www.example.zz."), t::A, {}, lie, dns::rcode::NXDOMAIN), "www.example.zz.",
                 t::A);
    CHECK(v.verdict.is_bogus());
}

TEST_CASE("response: NODATA proven by the name's NSEC, an NSEC listing the type is bogus", "[dnssec]") {
    Hierarchy h;
    Validator validate{h};
    std::vector<Record> proof = soa(h.example);
    append(proof, h.example_nsec("www.example.zz."));
    ResponseVerdict v =
        validate(answer_msg(wire("www.example.zz."), t::AAAA, {}, proof), "www.example.zz.", t::AAAA);
    CHECK(v.verdict.is_secure());
    v = validate(answer_msg(wire("www.example.zz."), t::A, {}, proof), "www.example.zz.", t::A);
    CHECK(v.verdict.is_bogus());
}

TEST_CASE("response: a wildcard expansion needs the NSEC that proves no closer name (RFC 4035 5.3.4)",
          "[dnssec]") {
    Hierarchy h;
    Validator validate{h};
    // x.w.example.zz A, signed as *.w.example.zz (the RRSIG's labels say 3).
    std::vector<Record> answer = h.example.sign(wire("*.w.example.zz."), t::A, {a_rdata(7)});
    for (Record& r : answer) r.name = "x.w.example.zz.";
    ResponseVerdict v = validate(answer_msg(wire("x.w.example.zz."), t::A, answer), "x.w.example.zz.", t::A);
    CHECK(v.verdict.is_bogus());  // no proof in the authority section
    std::vector<Record> proof = h.example_nsec("*.w.example.zz.");
    v = validate(answer_msg(wire("x.w.example.zz."), t::A, answer, proof), "x.w.example.zz.", t::A);
    CHECK(v.verdict.is_secure());
}

TEST_CASE("response: answers from an unsigned zone are insecure, from a bogus zone bogus", "[dnssec]") {
    Hierarchy h;
    Validator validate{h};
    Bytes plain = answer_msg(wire("www.insecure.zz."), t::A, {{"www.insecure.zz.", t::A, 300, a_rdata(3)}});
    CHECK(validate(plain, "www.insecure.zz.", t::A).verdict.security == Security::insecure);
    std::vector<Record> signed_by_bad = h.bad.sign(wire("www.bad.zz."), t::A, {a_rdata(4)});
    ResponseVerdict v = validate(answer_msg(wire("www.bad.zz."), t::A, signed_by_bad), "www.bad.zz.", t::A);
    CHECK(v.verdict.is_bogus());
    CHECK(v.verdict.ede == ede::dnskey_missing);
}

TEST_CASE("response: a DNAME answer of a signed zone is secure, its synthesised CNAME needs no signature",
          "[dnssec]") {
    // RFC 6672 3.4: the CNAME that comes with a DNAME is made by the server
    // and unsigned. Read as data, it made every DNAME answer bogus.
    Hierarchy h;
    Validator validate{h};
    std::vector<Record> answer = h.example.sign(wire("d.example.zz."), t::DNAME, {rdata_name("example.zz.")});
    append(answer, {{"www.d.example.zz.", t::CNAME, 3600, rdata_name("www.example.zz.")}});
    append(answer, h.example.sign(wire("www.example.zz."), t::A, {a_rdata(1)}));
    ResponseVerdict v =
        validate(answer_msg(wire("www.d.example.zz."), t::A, answer), "www.d.example.zz.", t::A);
    CHECK(v.verdict.is_secure());

    // The DNAME's target changed under its signature: bogus.
    std::vector<Record> forged = h.example.sign(wire("d.example.zz."), t::DNAME, {rdata_name("example.zz.")});
    forged[0].rdata = rdata_name("evil.zz.");
    append(forged, {{"www.d.example.zz.", t::CNAME, 3600, rdata_name("www.evil.zz.")}});
    v = validate(answer_msg(wire("www.d.example.zz."), t::A, forged), "www.d.example.zz.", t::A);
    CHECK(v.verdict.is_bogus());
}

TEST_CASE("response: a secure answer may be kept no longer than its signatures last (RFC 4035 5.3.3)",
          "[dnssec]") {
    Hierarchy h;
    Validator validate{h};
    // TTL 3600, signature valid for an hour more: the TTL stands.
    ResponseVerdict v = validate(answer_msg(wire("www.example.zz."), t::A,
                                            h.example.sign(wire("www.example.zz."), t::A, {a_rdata(1)})),
                                 "www.example.zz.", t::A);
    REQUIRE(v.verdict.is_secure());
    CHECK(v.ttl == 3600);

    // The same data signed to expire in 100 s: 100.
    std::vector<Record> answer = {{"www.example.zz.", t::A, 3600, a_rdata(1)}};
    answer.push_back({"www.example.zz.", t::RRSIG, 3600,
                      sign_rrset(h.example.zsk, wire("www.example.zz."), t::A, 3600, {a_rdata(1)},
                                 kWall - 86400, kWall + 100)});
    v = validate(answer_msg(wire("www.example.zz."), t::A, answer), "www.example.zz.", t::A);
    REQUIRE(v.verdict.is_secure());
    CHECK(v.ttl == 100);

    // A negative answer: its NSEC records' signatures count too.
    std::vector<Record> proof = soa(h.example);
    std::vector<Record> nsec = h.example_nsec("www.example.zz.");
    nsec[1].rdata = sign_rrset(h.example.zsk, wire("www.example.zz."), t::NSEC, 3600, {nsec[0].rdata},
                               kWall - 86400, kWall + 60);
    append(proof, nsec);
    v = validate(answer_msg(wire("www.example.zz."), t::TXT, {}, proof), "www.example.zz.", t::TXT);
    REQUIRE(v.verdict.is_secure());
    CHECK(v.ttl == 60);
}
