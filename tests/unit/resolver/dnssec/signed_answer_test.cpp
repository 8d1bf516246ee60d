// The answer a DO client gets in recursive mode (signed_answer.h): the
// chain's RRsets with their RRSIGs, the proof of a negative or wildcard
// answer, nothing else; and what it builds validates again as secure, so a
// validating client behind lanlord reaches the verdict lanlord reached.
#include <catch2/catch.hpp>

#include "resolver/dnssec/signed_answer.h"
#include "unit/resolver/dnssec/signed_hierarchy.h"

using namespace lanlord;
using namespace lanlord::test;
using namespace lanlord::test::signed_hierarchy;
namespace t = dns::type;

namespace {

// What a validating client makes of `msg`: the response validator, with the
// chains walked as the resolver walks them.
Verdict revalidate(Hierarchy& h, const Bytes& msg, const char* qname, std::uint16_t qtype) {
    ParsedMessage m = parse_message(msg);
    REQUIRE(m.ok());
    std::map<std::string, ChainResult> chains;
    ChainLookup lookup = [&](std::string_view name) -> const ChainResult* {
        auto it = chains.find(std::string(name));
        return it == chains.end() ? nullptr : &it->second;
    };
    ValidationBudget budget;
    for (int pass = 0; pass < 4; ++pass) {
        ResponseVerdict v = validate_response(m, wire(qname), qtype, lookup, kWall, budget);
        if (v.needed.empty()) return v.verdict;
        for (const std::string& name : v.needed) {
            ChainWalk w = h.walk(text_of(name).c_str());
            chains[name] = ChainResult{w.verdict(), std::string(w.zone()), w.keys()};
        }
    }
    FAIL("the validator kept asking for chains");
    return {};
}

unsigned count(const ParsedMessage& m, Section section, std::uint16_t type) {
    unsigned n = 0;
    for (const auto& r : m.records())
        if (r.section == section && r.type == type) ++n;
    return n;
}

Bytes build(std::initializer_list<std::pair<const Bytes*, const char*>> parts, const char* qname,
            std::uint16_t qtype, std::uint16_t first_type) {
    std::vector<std::string> names;
    for (const auto& p : parts) names.push_back(wire(p.second));
    std::vector<AnswerSource> sources;
    std::size_t i = 0;
    for (const auto& p : parts) {
        sources.push_back({names[i], i == 0 ? first_type : qtype, *p.first});
        ++i;
    }
    return build_signed_answer(sources, wire(qname), qtype);
}

}  // namespace

TEST_CASE("signed answer: the data with its RRSIG, the junk left out, and it validates again", "[dnssec]") {
    Hierarchy h;
    std::vector<Record> answer = h.example.sign(wire("www.example.zz."), t::A, {a_rdata(1), a_rdata(2)});
    append(answer, {{"unrelated.zz.", t::A, 300, a_rdata(66)}});  // not on the chain: stays out
    Bytes response = answer_msg(wire("www.example.zz."), t::A, answer);
    Bytes out = build({{&response, "www.example.zz."}}, "www.example.zz.", t::A, t::A);
    REQUIRE_FALSE(out.empty());
    ParsedMessage m = parse_message(out);
    REQUIRE(m.ok());
    CHECK(m.rcode() == dns::rcode::NOERROR);
    CHECK(count(m, Section::answer, t::A) == 2);
    CHECK(count(m, Section::answer, t::RRSIG) == 1);
    CHECK(m.header.ancount == 3);
    CHECK(revalidate(h, out, "www.example.zz.", t::A).is_secure());
}

TEST_CASE("signed answer: NXDOMAIN carries the SOA and both NSECs with their RRSIGs", "[dnssec]") {
    Hierarchy h;
    std::vector<Record> proof = h.example.sign(wire("example.zz."), t::SOA, {rdata_soa(300)});
    append(proof, h.example_nsec("a.b.example.zz."));
    append(proof, h.example_nsec("example.zz."));
    append(proof, {{"example.zz.", t::NS, 300, rdata_name("ns.example.zz.")}});  // not a proof: stays out
    Bytes response = answer_msg(wire("nope.example.zz."), t::A, {}, proof, dns::rcode::NXDOMAIN);
    Bytes out = build({{&response, "nope.example.zz."}}, "nope.example.zz.", t::A, t::A);
    ParsedMessage m = parse_message(out);
    REQUIRE(m.ok());
    CHECK(m.rcode() == dns::rcode::NXDOMAIN);
    CHECK(count(m, Section::authority, t::SOA) == 1);
    CHECK(count(m, Section::authority, t::NSEC) == 2);
    CHECK(count(m, Section::authority, t::RRSIG) == 3);
    CHECK(count(m, Section::authority, t::NS) == 0);
    CHECK(revalidate(h, out, "nope.example.zz.", t::A).is_secure());
}

TEST_CASE("signed answer: a CNAME chain over two zones' responses, in order", "[dnssec]") {
    Hierarchy h;
    std::vector<Record> first =
        h.example.sign(wire("alias.example.zz."), t::CNAME, {rdata_name("www.insecure.zz.")});
    Bytes one = answer_msg(wire("alias.example.zz."), t::A, first);
    Bytes two = answer_msg(wire("www.insecure.zz."), t::A, {{"www.insecure.zz.", t::A, 300, a_rdata(9)}});
    Bytes out =
        build({{&one, "alias.example.zz."}, {&two, "www.insecure.zz."}}, "alias.example.zz.", t::A, t::A);
    ParsedMessage m = parse_message(out);
    REQUIRE(m.ok());
    REQUIRE(m.records().size() == 4);  // the question, then the answer section
    CHECK(m.records()[1].type == t::CNAME);
    CHECK(m.records()[2].type == t::RRSIG);
    CHECK(m.records()[3].type == t::A);
    CHECK(revalidate(h, out, "alias.example.zz.", t::A).security == Security::insecure);
}

TEST_CASE("signed answer: a wildcard expansion brings its next-closer proof", "[dnssec]") {
    Hierarchy h;
    // x.w.example.zz from *.w.example.zz: the RRSIG's labels say 3, the owner has 4.
    std::vector<Record> answer = h.example.sign(wire("*.w.example.zz."), t::A, {a_rdata(7)});
    for (Record& r : answer) r.name = "x.w.example.zz.";
    std::vector<Record> proof = h.example_nsec("*.w.example.zz.");  // *.w -> www covers x.w
    Bytes response = answer_msg(wire("x.w.example.zz."), t::A, answer, proof);
    Bytes out = build({{&response, "x.w.example.zz."}}, "x.w.example.zz.", t::A, t::A);
    ParsedMessage m = parse_message(out);
    REQUIRE(m.ok());
    CHECK(count(m, Section::authority, t::NSEC) == 1);
    CHECK(count(m, Section::authority, t::SOA) == 0);
    CHECK(revalidate(h, out, "x.w.example.zz.", t::A).is_secure());
}

TEST_CASE("signed answer: a response that does not parse gives nothing (the unsigned answer stands)",
          "[dnssec]") {
    Bytes junk = {1, 2, 3};
    AnswerSource s{wire("www.example.zz."), t::A, junk};
    std::string q = wire("www.example.zz.");
    CHECK(build_signed_answer({&s, 1}, q, t::A).empty());
    CHECK(build_signed_answer({}, q, t::A).empty());
}
