// NSEC denial proofs (RFC 4035 3.1.3, 5.4), including the forged NXDOMAIN
// that ldns's ldns_dnssec_verify_denial accepts.
#include <catch2/catch.hpp>

#include "resolver/dnssec/canonical_name.h"
#include "resolver/wire/dns_constants.h"
#include "unit/resolver/dnssec/dnssec_test_util.h"

using namespace lanlord;
using namespace lanlord::test;

namespace {
namespace t = dns::type;

// example.: apex, a (A), b.c (A: c is an empty non-terminal), d (delegation),
// *.w (MX), x.w (MX). The whole NSEC chain in canonical order.
DenialRecords example_zone() {
    DenialRecords r;
    r.nsec("example.", "a.example.", {t::SOA, t::NS, t::RRSIG, t::NSEC, t::DNSKEY}, "example.");
    r.nsec("a.example.", "b.c.example.", {t::A, t::RRSIG, t::NSEC}, "example.");
    r.nsec("b.c.example.", "d.example.", {t::A, t::RRSIG, t::NSEC}, "example.");
    r.nsec("d.example.", "*.w.example.", {t::NS, t::RRSIG, t::NSEC}, "example.");
    r.nsec("*.w.example.", "x.w.example.", {t::MX, t::RRSIG, t::NSEC}, "example.");
    r.nsec("x.w.example.", "example.", {t::MX, t::RRSIG, t::NSEC}, "example.");
    return r;
}

std::vector<NsecRecord> pick(const DenialRecords& r, std::initializer_list<int> which) {
    std::vector<NsecRecord> out;
    for (int i : which) out.push_back(r.nsecs[static_cast<std::size_t>(i)]);
    return out;
}

}  // namespace

TEST_CASE("canonical name order is RFC 4034 section 6.1's example order", "[dnssec]") {
    // name_from_text has no \DDD escapes: the two binary labels by hand.
    auto binary_label = [](char c) { return std::string("\x01") + c + wire("z.example."); };
    std::vector<std::string> ordered = {
        wire("example."),     wire("a.example."),      wire("yljkjljk.a.example."),
        wire("Z.a.example."), wire("zABC.a.EXAMPLE."), wire("z.example."),
        binary_label('\x01'), wire("*.z.example."),    binary_label('\xC8')};
    for (std::size_t i = 0; i + 1 < ordered.size(); ++i) {
        INFO(name_to_text(ordered[i]) << " < " << name_to_text(ordered[i + 1]));
        CHECK(canonical_compare(ordered[i], ordered[i + 1]) < 0);
        CHECK(canonical_compare(ordered[i + 1], ordered[i]) > 0);
    }
    CHECK(canonical_compare(wire("a.example."), wire("A.EXAMPLE.")) == 0);
}

TEST_CASE("NSEC NXDOMAIN: a covering NSEC for the name and for the wildcard at the closest encloser",
          "[dnssec]") {
    DenialRecords z = example_zone();
    // b.example: covered by a->b.c; closest encloser example.; *.example
    // covered by example.->a.
    CHECK(prove_nxdomain_nsec(wire("b.example."), pick(z, {1, 0})).is_secure());
    // Without the wildcard's NSEC it is not proven.
    Verdict v = prove_nxdomain_nsec(wire("b.example."), pick(z, {1}));
    CHECK(v.is_bogus());
    CHECK(v.ede == ede::nsec_missing);
    // An existing name cannot be denied.
    CHECK(prove_nxdomain_nsec(wire("a.example."), z.nsecs).is_bogus());
    // Nor one below a delegation: d's NSEC is the parent side of a cut.
    CHECK(prove_nxdomain_nsec(wire("x.d.example."), pick(z, {3, 0})).is_bogus());
}

TEST_CASE("NSEC NXDOMAIN forged the way ldns accepts it: a wildcard exists at the closest encloser",
          "[dnssec]") {
    DenialRecords z = example_zone();
    // b.nope.w.example... simpler: the query nope.w.example is covered by
    // *.w -> x.w, but *.w.example exists, so the wildcard would have
    // answered: no NXDOMAIN. ldns builds "*." + parent(qname) and, for a
    // deeper name, misses the real closest encloser.
    CHECK(prove_nxdomain_nsec(wire("nope.w.example."), z.nsecs).is_bogus());
    // The RECURSION.md 3.5 case: b.nope.example, with a signed *.example
    // present, denied by one covering NSEC. ldns returned OK.
    DenialRecords w;
    w.nsec("example.", "*.example.", {t::SOA, t::NS, t::RRSIG, t::NSEC, t::DNSKEY}, "example.");
    w.nsec("*.example.", "a.example.", {t::A, t::RRSIG, t::NSEC}, "example.");
    w.nsec("a.example.", "example.", {t::A, t::RRSIG, t::NSEC}, "example.");
    CHECK(prove_nxdomain_nsec(wire("b.nope.example."), pick(w, {2})).is_bogus());
    CHECK(prove_nxdomain_nsec(wire("b.nope.example."), w.nsecs).is_bogus());
}

TEST_CASE("NSEC NODATA: a matching NSEC without the type, an empty non-terminal, a wildcard without the type",
          "[dnssec]") {
    DenialRecords z = example_zone();
    CHECK(prove_nodata_nsec(wire("a.example."), t::AAAA, z.nsecs).is_secure());
    Verdict v = prove_nodata_nsec(wire("a.example."), t::A, z.nsecs);  // A exists
    CHECK(v.is_bogus());
    CHECK(v.ede == ede::nsec_missing);
    // c.example is an empty non-terminal: a -> b.c covers it, next below it.
    CHECK(prove_nodata_nsec(wire("c.example."), t::A, pick(z, {1})).is_secure());
    // Wildcard NODATA: any.w.example AAAA: covered by *.w -> x.w? No: by
    // x.w -> example (after x.w). Use zz.w.example, covered by x.w ->
    // example; closest encloser w.example; *.w has no AAAA.
    CHECK(prove_nodata_nsec(wire("zz.w.example."), t::AAAA, pick(z, {5, 4})).is_secure());
    CHECK(prove_nodata_nsec(wire("zz.w.example."), t::MX, pick(z, {5, 4})).is_bogus());
}

TEST_CASE("NSEC NODATA refuses CNAMEs and the wrong side of a delegation", "[dnssec]") {
    DenialRecords r;
    r.nsec("alias.example.", "b.example.", {t::CNAME, t::RRSIG, t::NSEC}, "example.");
    r.nsec("d.example.", "e.example.", {t::NS, t::DS, t::RRSIG, t::NSEC}, "example.");
    r.nsec("u.example.", "v.example.", {t::NS, t::RRSIG, t::NSEC}, "example.");
    r.nsec("child.example.", "a.child.example.", {t::SOA, t::NS, t::RRSIG, t::NSEC, t::DNSKEY},
           "child.example.");
    CHECK(prove_nodata_nsec(wire("alias.example."), t::A, r.nsecs).is_bogus());
    // The parent's NSEC at a cut proves no DS, and nothing about the child's data.
    CHECK(prove_nodata_nsec(wire("u.example."), t::DS, r.nsecs).is_secure());
    CHECK(prove_nodata_nsec(wire("u.example."), t::A, r.nsecs).is_bogus());
    CHECK(prove_nodata_nsec(wire("d.example."), t::DS, r.nsecs).is_bogus());  // DS exists
    // The child's apex NSEC cannot deny the DS its parent holds.
    CHECK(prove_nodata_nsec(wire("child.example."), t::DS, r.nsecs).is_bogus());
}

TEST_CASE("NSEC wildcard answers: the next closer name must be proven absent (RFC 4035 5.3.4)", "[dnssec]") {
    DenialRecords z = example_zone();
    // a.z.w.example expanded from *.w.example (RRSIG labels 2): x.w ->
    // example covers z.w.example and its descendants.
    CHECK(prove_wildcard_answer_nsec(wire("zz.w.example."), 2, pick(z, {5})).is_secure());
    // x.w.example exists: an expansion claimed for a name below it is forged.
    CHECK(prove_wildcard_answer_nsec(wire("q.x.w.example."), 2, z.nsecs).is_bogus());
    // No NSEC at all.
    CHECK(prove_wildcard_answer_nsec(wire("zz.w.example."), 2, {}).is_bogus());
}
