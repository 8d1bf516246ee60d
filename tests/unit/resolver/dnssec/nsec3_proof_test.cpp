// NSEC3 (RFC 5155): the hash against the RFC's own values, the proofs of
// section 8 over the Appendix A zone, opt-out, and the CVE-2023-50868 limits.
#include <catch2/catch.hpp>

#include "resolver/wire/dns_constants.h"
#include "unit/resolver/dnssec/dnssec_test_util.h"

using namespace lanlord;
using namespace lanlord::test;

namespace {
namespace t = dns::type;

const std::vector<std::uint8_t> kSalt = {0xaa, 0xbb, 0xcc, 0xdd};  // RFC 5155 Appendix A

std::string hash_text(const char* name, std::uint16_t iterations = 12) {
    Nsec3Hash h;
    nsec3_hash(wire(name), kSalt, iterations, h);
    return DenialRecords::base32hex(h);
}

// RFC 5155 Appendix A's example zone (its names and types; the RFC's A
// records of ns1/ns2 under a. and c. are glue, not in the chain). c.example
// is an unsigned delegation: present only in the opt-out variant's span.
DenialRecords appendix_a(std::uint8_t flags = 0, std::uint16_t iterations = 12, bool with_c = true) {
    DenialRecords r;
    std::vector<std::pair<const char*, std::vector<std::uint16_t>>> names = {
        {"example.", {t::NS, t::SOA, t::MX, t::RRSIG, t::DNSKEY, t::NSEC3PARAM}},
        {"a.example.", {t::NS, t::DS, t::RRSIG}},
        {"ai.example.", {t::A, t::HINFO, t::AAAA, t::RRSIG}},
        {"ns1.example.", {t::A, t::RRSIG}},
        {"ns2.example.", {t::A, t::RRSIG}},
        {"w.example.", {}},
        {"*.w.example.", {t::MX, t::RRSIG}},
        {"x.w.example.", {t::MX, t::RRSIG}},
        {"y.w.example.", {}},
        {"x.y.w.example.", {t::MX, t::RRSIG}},
        {"xx.example.", {t::A, t::HINFO, t::AAAA, t::RRSIG}},
    };
    if (with_c) names.push_back({"c.example.", {t::NS}});
    r.nsec3_chain("example.", names, kSalt, iterations, flags);
    return r;
}

std::vector<Nsec3Record> for_names(const DenialRecords& r, std::initializer_list<const char*> names) {
    std::vector<Nsec3Record> out;
    for (const char* n : names) out.push_back(r.nsec3_for(n));
    return out;
}

}  // namespace

TEST_CASE("NSEC3 hashes match RFC 5155 Appendix A (SHA-1, salt aabbccdd, 12 iterations)", "[dnssec]") {
    CHECK(hash_text("example.") == "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom");
    CHECK(hash_text("a.example.") == "35mthgpgcu1qg68fab165klnsnk3dpvl");
    CHECK(hash_text("ai.example.") == "gjeqe526plbf1g8mklp59enfd789njgi");
    CHECK(hash_text("ns1.example.") == "2t7b4g4vsa5smi47k61mv5bv1a22bojr");
    CHECK(hash_text("w.example.") == "k8udemvp1j2f7eg6jebps17vp3n8i58h");
    CHECK(hash_text("*.w.example.") == "r53bq7cc2uvmubfu5ocmm6pers9tk9en");
    CHECK(hash_text("x.w.example.") == "b4um86eghhds6nea196smvmlo4ors995");
    CHECK(hash_text("y.w.example.") == "ji6neoaepv8b5o6k4ev33abha8ht9fgc");
    Nsec3Hash h;
    std::string owner = std::string(1, char(32)) + "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom" + wire("example.");
    REQUIRE(nsec3_owner_hash(owner, h));
    CHECK(DenialRecords::base32hex(h) == "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom");
    CHECK_FALSE(nsec3_owner_hash(wire("www.example."), h));
}

TEST_CASE("NSEC3 NXDOMAIN (RFC 5155 B.1, 8.4): closest encloser, next closer and wildcard", "[dnssec]") {
    DenialRecords z = appendix_a(0, 12, false);
    ValidationBudget budget;
    // a.c.x.w.example: closest encloser x.w.example, next closer c.x.w.example.
    auto proof = for_names(z, {"x.w.example.", "c.x.w.example.", "*.x.w.example."});
    CHECK(prove_nxdomain_nsec3(wire("a.c.x.w.example."), proof, budget).is_secure());
    CHECK(budget.nsec3_hashes <= 5);  // each name hashed once
    // Drop the wildcard's cover: not proven.
    auto partial = for_names(z, {"x.w.example.", "c.x.w.example."});
    if (z.nsec3_for("c.x.w.example.").owner != z.nsec3_for("*.x.w.example.").owner) {
        ValidationBudget b2;
        Verdict v = prove_nxdomain_nsec3(wire("a.c.x.w.example."), partial, b2);
        CHECK(v.is_bogus());
        CHECK(v.ede == ede::nsec_missing);
    }
    // A name below the wildcard *.w.example: the wildcard exists, no NXDOMAIN.
    ValidationBudget b3;
    CHECK(prove_nxdomain_nsec3(wire("nope.w.example."), z.chain, b3).is_bogus());
    // An existing name.
    ValidationBudget b4;
    CHECK(prove_nxdomain_nsec3(wire("ai.example."), z.chain, b4).is_bogus());
}

TEST_CASE("NSEC3 NODATA (B.2, B.2.1): a matching NSEC3 without the type, also at an empty non-terminal",
          "[dnssec]") {
    DenialRecords z = appendix_a();
    ValidationBudget budget;
    CHECK(
        prove_nodata_nsec3(wire("ns1.example."), t::MX, for_names(z, {"ns1.example."}), budget).is_secure());
    CHECK(prove_nodata_nsec3(wire("y.w.example."), t::A, for_names(z, {"y.w.example."}), budget).is_secure());
    CHECK(prove_nodata_nsec3(wire("ns1.example."), t::A, for_names(z, {"ns1.example."}), budget).is_bogus());
    // The parent's NSEC3 at a delegation speaks for DS only.
    CHECK(prove_nodata_nsec3(wire("c.example."), t::DS, for_names(z, {"c.example."}), budget).is_secure());
    CHECK(prove_nodata_nsec3(wire("c.example."), t::A, for_names(z, {"c.example."}), budget).is_bogus());
    CHECK(prove_nodata_nsec3(wire("a.example."), t::DS, for_names(z, {"a.example."}), budget).is_bogus());
}

TEST_CASE(
    "NSEC3 opt-out (B.3, 8.6): no DS for an unsigned delegation in an opt-out span is insecure, never secure",
    "[dnssec]") {
    DenialRecords optout = appendix_a(1, 12, false);  // c.example not in the chain
    ValidationBudget budget;
    auto proof = for_names(optout, {"example.", "c.example."});
    Verdict v = prove_nodata_nsec3(wire("c.example."), t::DS, proof, budget);
    CHECK(v.security == Security::insecure);
    // Without opt-out the same records prove nothing.
    DenialRecords plain = appendix_a(0, 12, false);
    ValidationBudget b2;
    CHECK(prove_nodata_nsec3(wire("c.example."), t::DS, for_names(plain, {"example.", "c.example."}), b2)
              .is_bogus());
    // An NXDOMAIN resting on an opt-out span is insecure too (RFC 5155 9.2).
    ValidationBudget b3;
    auto nx = for_names(optout, {"example.", "q.example.", "*.example."});
    CHECK(prove_nxdomain_nsec3(wire("q.example."), nx, b3).security == Security::insecure);
}

TEST_CASE("NSEC3 wildcards (B.4, B.5): the expansion's next closer is covered, wildcard NODATA", "[dnssec]") {
    DenialRecords z = appendix_a();
    ValidationBudget budget;
    // a.z.w.example from *.w.example (labels 2): next closer z.w.example.
    CHECK(prove_wildcard_answer_nsec3(wire("a.z.w.example."), 2, for_names(z, {"z.w.example."}), budget)
              .is_secure());
    // x.w.example exists, so a.x.w.example cannot come from *.w.example.
    CHECK(prove_wildcard_answer_nsec3(wire("a.x.w.example."), 2, z.chain, budget).is_bogus());
    // a.z.w.example AAAA: closest encloser w.example, *.w has MX only.
    auto proof = for_names(z, {"w.example.", "z.w.example.", "*.w.example."});
    CHECK(prove_nodata_nsec3(wire("a.z.w.example."), t::AAAA, proof, budget).is_secure());
    CHECK(prove_nodata_nsec3(wire("a.z.w.example."), t::MX, proof, budget).is_bogus());
}

TEST_CASE("NSEC3 over the iteration limit is insecure with EDE 27 before any hash is computed (RFC 9276)",
          "[dnssec]") {
    DenialRecords z = appendix_a(0, 150);
    ValidationBudget budget;
    Verdict v = prove_nxdomain_nsec3(wire("q.example."), z.chain, budget);
    CHECK(v.security == Security::insecure);
    CHECK(v.ede == ede::unsupported_nsec3_iterations);
    CHECK(budget.nsec3_hashes == 0);
    DenialRecords at_limit = appendix_a(0, 100);
    ValidationBudget b2;
    CHECK(prove_nodata_nsec3(wire("ns1.example."), t::MX, for_names(at_limit, {"ns1.example."}), b2)
              .is_secure());
}

TEST_CASE(
    "NSEC3 closest-encloser work is bounded (CVE-2023-50868): a 100-label name hashes at most the budget",
    "[dnssec]") {
    DenialRecords z = appendix_a();
    std::string name;
    for (int i = 0; i < 100; ++i) name += "a.";
    name += "unknown.example.";
    ValidationBudget budget;
    budget.limits.max_nsec3_hashes = 20;
    Verdict v = prove_nxdomain_nsec3(wire(name.c_str()), z.chain, budget);
    CHECK(v.is_bogus());
    CHECK(budget.nsec3_hashes == 20);
    // Mixed parameters: records with another salt are not part of the proof.
    DenialRecords other;
    other.nsec3_chain("example.", {{"example.", {t::SOA}}, {"q.example.", {t::A}}}, {1, 2}, 12);
    std::vector<Nsec3Record> mixed = for_names(z, {"ns1.example."});
    mixed.insert(mixed.begin(), other.chain.begin(), other.chain.end());
    ValidationBudget b2;
    CHECK(prove_nodata_nsec3(wire("ns1.example."), t::MX, mixed, b2).is_bogus());
}
