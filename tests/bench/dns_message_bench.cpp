// Micro-benchmarks of the full RR parser (resolver/wire/dns_message.h) on the
// two shapes the iterator reads most: a TLD referral with glue and DS, and a
// signed answer. Figures for people: nothing is timed or asserted.
#define CATCH_CONFIG_ENABLE_BENCHMARKING
#include <catch2/catch.hpp>

#include "resolver/wire/dns_message.h"
#include "resolver/wire/rdata_canonical.h"
#include "resolver/wire/rdata_decode.h"
#include "resolver/wire/rrset_group.h"
#include "support/raw_message.h"

using namespace lanlord;
using namespace lanlord::test;

namespace {
namespace t = dns::type;

Bytes rrsig(std::uint16_t covered, const std::string& signer, std::size_t sig_len) {
    Bytes b;
    put16(b, covered);
    b.push_back(13);
    b.push_back(2);
    put32(b, 3600);
    put32(b, 2000000000);
    put32(b, 1000000000);
    put16(b, 4242);
    put_name(b, signer);
    b.insert(b.end(), sig_len, 0x5A);
    return b;
}

// The root's answer for www.example.org: the org. delegation, six servers
// with A and AAAA glue, the DS set and its RRSIG; names compressed against
// the question ("org" at 24) as real servers do.
Bytes tld_referral() {
    RawMessage m(1, 0, 8, 13);
    m.question("www.example.org", t::A);
    constexpr std::size_t kOrg = 24;
    std::vector<std::size_t> ns_pos;
    for (char c = 'a'; c < 'g'; ++c) {
        m.pointer(kOrg).rr_header(t::NS, 172800);
        ns_pos.push_back(m.pos());
        m.label(std::string(1, c) + "0").label("org").label("afilias-nst").pointer(kOrg).end_rdata();
    }
    m.pointer(kOrg).rr_header(t::DS, 86400).bytes({0x68, 0x9C, 8, 2}).bytes(Bytes(32, 0x11)).end_rdata();
    m.pointer(kOrg).rr_header(t::RRSIG, 86400).bytes(rrsig(t::DS, ".", 256)).end_rdata();
    for (std::size_t i = 0; i < 6; ++i) {
        m.pointer(ns_pos[i])
            .rr_header(t::A, 172800)
            .bytes({199, 19, 56, static_cast<std::uint8_t>(i)})
            .end_rdata();
        m.pointer(ns_pos[i]).rr_header(t::AAAA, 172800).bytes(rdata_a("2001:500:e::1")).end_rdata();
    }
    m.opt(1232, 0x8000);
    return m.b;
}

// A signed A answer with the authority's NS set (a typical DO=1 reply).
Bytes signed_answer() {
    RawMessage m(1, 2, 3, 1);
    m.question("www.example.org", t::A);
    m.pointer(12).rr_header(t::A, 300).bytes({192, 0, 2, 1}).end_rdata();
    m.pointer(12).rr_header(t::RRSIG, 300).bytes(rrsig(t::A, "example.org", 64)).end_rdata();
    m.pointer(16).rr_header(t::NS, 3600).label("ns1").pointer(16).end_rdata();
    m.pointer(16).rr_header(t::NS, 3600).label("ns2").pointer(16).end_rdata();
    m.pointer(16).rr_header(t::RRSIG, 3600).bytes(rrsig(t::NS, "example.org", 64)).end_rdata();
    m.opt(1232, 0x8000);
    return m.b;
}
}  // namespace

TEST_CASE("bench: full RR parser", "[bench]") {
    auto referral = tld_referral();
    auto answer = signed_answer();
    ParsedMessage msg;
    RRsetGroups groups;
    REQUIRE(parse_message(referral, msg) == ParseError::ok);
    REQUIRE(parse_message(answer, msg) == ParseError::ok);
    std::vector<std::uint8_t> canonical;
    canonical.reserve(4096);

    BENCHMARK("parse_message: TLD referral (" + std::to_string(referral.size()) + " bytes, 21 records)") {
        return parse_message(referral, msg);
    };
    BENCHMARK("parse_message + group authority and additional: TLD referral") {
        parse_message(referral, msg);
        groups.build(msg, Section::authority);
        groups.build(msg, Section::additional);
        return groups.sets().size();
    };
    BENCHMARK("parse_message: signed answer (" + std::to_string(answer.size()) + " bytes)") {
        return parse_message(answer, msg);
    };
    BENCHMARK("signed answer: parse, group, RRSIG fields and canonical RDATA of every record") {
        parse_message(answer, msg);
        groups.build(msg, Section::answer);
        RrsigRdata sig;
        for (const auto& set : groups.sets())
            for (auto i : groups.signatures(set)) decode_rrsig(answer, msg.records()[i], sig);
        canonical.clear();
        for (const auto& rr : msg.section(Section::answer)) canonical_rdata(answer, rr, canonical);
        return canonical.size();
    };
}
