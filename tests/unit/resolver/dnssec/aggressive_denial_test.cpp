// RFC 8198: NXDOMAIN and NODATA synthesised from validated NSEC/NSEC3
// records already cached, never from opt-out spans, within their TTL.
#include <catch2/catch.hpp>

#include "resolver/dnssec/aggressive_denial.h"
#include "resolver/wire/dns_constants.h"
#include "unit/resolver/dnssec/dnssec_test_util.h"

using namespace lanlord;
using namespace lanlord::test;

namespace {
namespace t = dns::type;

const TimePoint kT0 = TimePoint{} + seconds(5000);

std::vector<std::uint8_t> nsec_rdata(const NsecRecord& r) {
    std::vector<std::uint8_t> out(r.rdata.next.bytes.begin(), r.rdata.next.bytes.begin() + r.rdata.next.size);
    out.insert(out.end(), r.rdata.types.bytes().begin(), r.rdata.types.bytes().end());
    return out;
}

std::vector<std::uint8_t> nsec3_rdata(const Nsec3Record& r) {
    const Nsec3Rdata& d = r.rdata;
    std::vector<std::uint8_t> out{d.hash_algorithm, d.flags, static_cast<std::uint8_t>(d.iterations >> 8),
                                  static_cast<std::uint8_t>(d.iterations),
                                  static_cast<std::uint8_t>(d.salt.size())};
    out.insert(out.end(), d.salt.begin(), d.salt.end());
    out.push_back(static_cast<std::uint8_t>(d.next_hashed_owner.size()));
    out.insert(out.end(), d.next_hashed_owner.begin(), d.next_hashed_owner.end());
    out.insert(out.end(), d.types.bytes().begin(), d.types.bytes().end());
    return out;
}

// example.: apex, a (A), b.c (A), d (delegation), *.w (MX), x.w (MX).
DenialRecords nsec_zone() {
    DenialRecords r;
    r.nsec("example.", "a.example.", {t::SOA, t::NS, t::RRSIG, t::NSEC, t::DNSKEY}, "example.");
    r.nsec("a.example.", "b.c.example.", {t::A, t::RRSIG, t::NSEC}, "example.");
    r.nsec("b.c.example.", "d.example.", {t::A, t::RRSIG, t::NSEC}, "example.");
    r.nsec("d.example.", "*.w.example.", {t::NS, t::RRSIG, t::NSEC}, "example.");
    r.nsec("*.w.example.", "x.w.example.", {t::MX, t::RRSIG, t::NSEC}, "example.");
    r.nsec("x.w.example.", "example.", {t::MX, t::RRSIG, t::NSEC}, "example.");
    return r;
}

void store_all(AggressiveDenial& cache, const DenialRecords& r, std::uint32_t ttl = 300) {
    for (const NsecRecord& n : r.nsecs) cache.store(n.signer, t::NSEC, n.owner, nsec_rdata(n), ttl, kT0);
    for (const Nsec3Record& n : r.chain) cache.store(n.signer, t::NSEC3, n.owner, nsec3_rdata(n), ttl, kT0);
}

DenialRecords nsec3_zone(std::uint8_t flags = 0, std::uint16_t iterations = 12) {
    DenialRecords r;
    r.nsec3_chain("example.",
                  {{"example.", {t::NS, t::SOA, t::RRSIG, t::DNSKEY, t::NSEC3PARAM}},
                   {"ns1.example.", {t::A, t::RRSIG}},
                   {"w.example.", {}},
                   {"x.w.example.", {t::MX, t::RRSIG}},
                   {"*.w.example.", {t::MX, t::RRSIG}},
                   {"a.example.", {t::NS, t::DS, t::RRSIG}}},
                  {0xaa, 0xbb, 0xcc, 0xdd}, iterations, flags);
    return r;
}

Synthesised prove(const AggressiveDenial& c, const char* name, std::uint16_t type, TimePoint now = kT0) {
    ValidationBudget budget;
    std::string zone;
    return c.prove(wire(name), type, now, budget, zone);
}

}  // namespace

TEST_CASE("aggressive NSEC: NXDOMAIN and NODATA from cached records, nothing where the records prove nothing",
          "[dnssec]") {
    AggressiveDenial cache;
    store_all(cache, nsec_zone());
    CHECK(cache.size() == 6);
    CHECK(prove(cache, "b.example.", t::A) == Synthesised::nxdomain);
    CHECK(prove(cache, "random-17.example.", t::AAAA) == Synthesised::nxdomain);
    CHECK(prove(cache, "a.example.", t::AAAA) == Synthesised::nodata);
    CHECK(prove(cache, "c.example.", t::A) == Synthesised::nodata);   // an empty non-terminal
    CHECK(prove(cache, "a.example.", t::A) == Synthesised::none);     // it exists
    CHECK(prove(cache, "q.w.example.", t::MX) == Synthesised::none);  // the wildcard answers it
    CHECK(prove(cache, "x.d.example.", t::A) == Synthesised::none);   // below a delegation: another zone
    CHECK(prove(cache, "www.other.", t::A) == Synthesised::none);
}

TEST_CASE("aggressive NSEC: records expire with their TTL (capped at a day)", "[dnssec]") {
    AggressiveDenial cache;
    store_all(cache, nsec_zone(), 60);
    CHECK(prove(cache, "b.example.", t::A, kT0 + seconds(59)) == Synthesised::nxdomain);
    CHECK(prove(cache, "b.example.", t::A, kT0 + seconds(60)) == Synthesised::none);
    AggressiveDenial longer;
    store_all(longer, nsec_zone(), 7 * 86400);
    CHECK(prove(longer, "b.example.", t::A, kT0 + seconds(86400)) == Synthesised::none);
}

TEST_CASE("aggressive NSEC3: NXDOMAIN and NODATA, but no NXDOMAIN from an opt-out span (RFC 8198 4.2)",
          "[dnssec]") {
    AggressiveDenial cache;
    store_all(cache, nsec3_zone());
    CHECK(prove(cache, "a.c.x.w.example.", t::A) == Synthesised::nxdomain);
    CHECK(prove(cache, "nope.example.", t::A) == Synthesised::nxdomain);
    CHECK(prove(cache, "ns1.example.", t::MX) == Synthesised::nodata);
    CHECK(prove(cache, "ns1.example.", t::A) == Synthesised::none);

    AggressiveDenial optout;
    store_all(optout, nsec3_zone(1));
    CHECK(prove(optout, "nope.example.", t::A) == Synthesised::none);
    CHECK(prove(optout, "ns1.example.", t::MX) == Synthesised::nodata);  // an exact match still proves NODATA
}

TEST_CASE("aggressive NSEC3: chains over the iteration limit are not kept, a new salt replaces the chain",
          "[dnssec]") {
    AggressiveDenial cache;
    store_all(cache, nsec3_zone(0, 500));
    CHECK(cache.size() == 0);
    store_all(cache, nsec3_zone());
    CHECK(cache.size() == 6);
    DenialRecords resalted;
    resalted.nsec3_chain("example.", {{"example.", {t::SOA}}, {"ns1.example.", {t::A}}}, {0x01}, 1);
    store_all(cache, resalted);
    CHECK(cache.size() == 2);
    CHECK(prove(cache, "ns1.example.", t::MX) == Synthesised::nodata);
}

TEST_CASE("aggressive denial: the cache is bounded by records, oldest out first", "[dnssec]") {
    AggressiveDenial cache(4);
    store_all(cache, nsec_zone());
    CHECK(cache.size() == 4);
    // The first two (example., a.example.) went: b.example's cover is gone.
    CHECK(prove(cache, "b.example.", t::A) == Synthesised::none);
}
