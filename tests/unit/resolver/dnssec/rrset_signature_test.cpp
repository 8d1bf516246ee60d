// RRSIG verification: every algorithm against ldns's signer, each bogus case
// with its Extended DNS Error, wildcard expansion, serial-number dates and
// the KeyTrap bound on crypto operations.
#include <catch2/catch.hpp>

#include "resolver/dnssec/rrset_signature.h"
#include "resolver/wire/dns_constants.h"
#include "support/dnssec_signer.h"
#include "unit/resolver/dnssec/dnssec_test_util.h"

using namespace lanlord;
using namespace lanlord::test;

namespace {

constexpr std::uint32_t kNow = 1'800'000'000;  // 2027-01-15
constexpr std::uint32_t kDay = 86400;

struct SignedSet {
    std::string owner;
    std::vector<Blob> rdatas;
    std::vector<ByteView> views;
    Blob rrsig;
    std::vector<RrsigData> sigs;
    RrsetData set() {
        views.assign(rdatas.begin(), rdatas.end());
        return RrsetData{owner, dns::type::A, dns::kClassIN, 300, views};
    }
    std::span<const RrsigData> signatures() {
        sigs.clear();
        RrsigData d;
        REQUIRE(decode_rrsig_rdata(rrsig, d));
        sigs.push_back(d);
        return sigs;
    }
};

SignedSet signed_a(const SigningKey& key, const char* owner, std::uint32_t inception = kNow - kDay,
                   std::uint32_t expiration = kNow + 30 * kDay) {
    SignedSet s;
    s.owner = wire(owner);
    s.rdatas = {a_rdata(2), a_rdata(1)};
    s.rrsig = sign_rrset(key, s.owner, dns::type::A, 300, s.rdatas, inception, expiration);
    return s;
}

Verdict verify_with(SignedSet& s, const SigningKey& key, ValidationBudget& budget) {
    ByteView keys[1] = {key.dnskey};
    RrsetData set = s.set();
    return verify_rrset(set, s.signatures(), ZoneKeys{key.zone, keys}, kNow, budget).verdict;
}

}  // namespace

TEST_CASE(
    "every algorithm RFC 8624 asks validators for verifies ldns's signatures, and a changed record fails",
    "[dnssec]") {
    for (std::uint8_t alg :
         {algorithm::RSASHA1, algorithm::RSASHA1_NSEC3, algorithm::RSASHA256, algorithm::RSASHA512,
          algorithm::ECDSAP256, algorithm::ECDSAP384, algorithm::ED25519, algorithm::ED448}) {
        INFO("algorithm " << int(alg));
        SigningKey key = make_key(alg, "example.", 256);
        SignedSet s = signed_a(key, "www.example.");
        ValidationBudget budget;
        Verdict v = verify_with(s, key, budget);
        CHECK(v.is_secure());
        CHECK(budget.signature_checks == 1);

        s.rdatas[0][3] = 99;  // the records are not what was signed
        v = verify_with(s, key, budget);
        CHECK(v.is_bogus());
        CHECK(v.ede == ede::dnssec_bogus);
        CHECK(std::string(v.reason) == "signature does not verify");
    }
}

TEST_CASE("canonical order and duplicates: records in any order and repeated verify (RFC 4034 6.3)",
          "[dnssec]") {
    SigningKey key = make_key(algorithm::ECDSAP256, "example.", 256);
    SignedSet s = signed_a(key, "www.example.");
    std::swap(s.rdatas[0], s.rdatas[1]);
    s.rdatas.push_back(s.rdatas[0]);
    ValidationBudget budget;
    CHECK(verify_with(s, key, budget).is_secure());
}

TEST_CASE("signature dates: expired and not yet valid are bogus with EDE 7 and 8, no skew allowed",
          "[dnssec]") {
    SigningKey key = make_key(algorithm::ED25519, "example.", 256);
    ValidationBudget budget;
    SignedSet expired = signed_a(key, "www.example.", kNow - 30 * kDay, kNow - 1);
    Verdict v = verify_with(expired, key, budget);
    CHECK(v.is_bogus());
    CHECK(v.ede == ede::signature_expired);

    SignedSet future = signed_a(key, "www.example.", kNow + 1, kNow + 30 * kDay);
    v = verify_with(future, key, budget);
    CHECK(v.is_bogus());
    CHECK(v.ede == ede::signature_not_yet_valid);

    SignedSet edge = signed_a(key, "www.example.", kNow, kNow);  // valid for exactly this second
    CHECK(verify_with(edge, key, budget).is_secure());
    CHECK(budget.signature_checks == 1);  // dates are checked before any crypto
}

TEST_CASE(
    "signature dates use serial arithmetic: a signature of 2040-2050 is valid in 2045 (ldns's int32 says no)",
    "[dnssec]") {
    SigningKey key = make_key(algorithm::ED25519, "example.", 256);
    const std::uint32_t y2040 = 2'208'988'800u, y2045 = 2'366'755'200u, y2050 = 2'524'608'000u;
    SignedSet s = signed_a(key, "www.example.", y2040, y2050);
    ByteView keys[1] = {key.dnskey};
    RrsetData set = s.set();
    ValidationBudget budget;
    RrsetVerdict r = verify_rrset(set, s.signatures(), ZoneKeys{key.zone, keys}, y2045, budget);
    CHECK(r.verdict.is_secure());
    CHECK(r.ttl == 300);
}

TEST_CASE(
    "the TTL of secure data is capped by the original TTL and by the signature's expiration (RFC 4035 5.3.3)",
    "[dnssec]") {
    SigningKey key = make_key(algorithm::ECDSAP256, "example.", 256);
    SignedSet s = signed_a(key, "www.example.", kNow - kDay, kNow + 120);
    ByteView keys[1] = {key.dnskey};
    RrsetData set = s.set();
    ValidationBudget budget;
    RrsetVerdict r = verify_rrset(set, s.signatures(), ZoneKeys{key.zone, keys}, kNow, budget);
    REQUIRE(r.verdict.is_secure());
    CHECK(r.ttl == 120);
    set.ttl = 60;  // the record's own TTL lower still
    r = verify_rrset(set, s.signatures(), ZoneKeys{key.zone, keys}, kNow, budget);
    CHECK(r.ttl == 60);
}

TEST_CASE("bogus keys and signatures: another key, no zone key bit, revoked key, no RRSIG, wrong signer",
          "[dnssec]") {
    SigningKey key = make_key(algorithm::ECDSAP256, "example.", 256);
    SigningKey other = make_key(algorithm::ECDSAP256, "example.", 256);
    SignedSet s = signed_a(key, "www.example.");
    ValidationBudget budget;

    Verdict v = verify_with(s, other, budget);  // key tags differ: no key for the RRSIG
    CHECK(v.is_bogus());
    CHECK(v.ede == ede::dnskey_missing);

    // The same key without the zone key bit, its tag kept (the flags' 0x0100
    // moved into a key byte at an even offset, which the tag sums at the same weight).
    SigningKey no_zone_bit = key;
    no_zone_bit.dnskey[0] &= 0xFE;
    std::size_t at = 4;
    while (no_zone_bit.dnskey[at] == 0xFF) at += 2;  // no carry out of the byte
    no_zone_bit.dnskey[at] = static_cast<std::uint8_t>(no_zone_bit.dnskey[at] + 1);
    REQUIRE(dnskey_key_tag(no_zone_bit.dnskey) == key.tag);
    v = verify_with(s, no_zone_bit, budget);
    CHECK(v.is_bogus());
    CHECK(v.ede == ede::no_zone_key_bit);

    SigningKey revoked = make_key(algorithm::ECDSAP256, "example.", 385);
    SignedSet s3 = signed_a(revoked, "www.example.");
    v = verify_with(s3, revoked, budget);
    CHECK(v.is_bogus());
    CHECK(v.ede == ede::dnskey_missing);

    RrsetData set = s.set();
    ByteView keys[1] = {key.dnskey};
    v = verify_rrset(set, {}, ZoneKeys{key.zone, keys}, kNow, budget).verdict;
    CHECK(v.is_bogus());
    CHECK(v.ede == ede::rrsigs_missing);

    // A signature by example.'s key presented for a zone cut below it.
    std::string sub = wire("sub.example.");
    v = verify_rrset(set, s.signatures(), ZoneKeys{sub, keys}, kNow, budget).verdict;
    CHECK(v.is_bogus());
    CHECK(budget.signature_checks == 0);  // none of these reached the crypto
}

TEST_CASE(
    "a wildcard expansion verifies with the '*' owner and is reported for a next-closer proof (RFC 4035 "
    "5.3.4)",
    "[dnssec]") {
    SigningKey key = make_key(algorithm::ECDSAP256, "example.", 256);
    SignedSet s = signed_a(key, "*.w.example.");
    s.owner = wire("a.b.w.example.");  // the answer to a.b.w.example, expanded from *.w.example
    ByteView keys[1] = {key.dnskey};
    RrsetData set = s.set();
    ValidationBudget budget;
    RrsetVerdict r = verify_rrset(set, s.signatures(), ZoneKeys{key.zone, keys}, kNow, budget);
    CHECK(r.verdict.is_secure());
    CHECK(r.wildcard);
    CHECK(r.wildcard_labels == 2);

    // The RRSIG of an ordinary name replayed for a longer one fails: its
    // labels field makes the verifier rebuild "*.www.example".
    SignedSet plain = signed_a(key, "www.example.");
    plain.owner = wire("x.www.example.");
    set = plain.set();
    CHECK(verify_rrset(set, plain.signatures(), ZoneKeys{key.zone, keys}, kNow, budget).verdict.is_bogus());
}

TEST_CASE(
    "KeyTrap (CVE-2023-50387): colliding key tags and many RRSIGs cost a bounded number of crypto operations",
    "[dnssec]") {
    SigningKey real = make_key(algorithm::ECDSAP256, "example.", 256);
    SignedSet s = signed_a(real, "www.example.");
    RrsigData sig;
    REQUIRE(decode_rrsig_rdata(s.rrsig, sig));
    // 200 forged DNSKEYs, each with the real key's tag: random-looking
    // public keys whose last two bytes are searched to hit the tag.
    std::vector<Blob> forged;
    for (int i = 0; i < 200; ++i) {
        Blob k = {0x01, 0x00, 3, algorithm::ECDSAP256};
        for (int j = 0; j < 64; ++j) k.push_back(static_cast<std::uint8_t>((i * 131 + j * 7) & 0xFF));
        for (unsigned x = 0; x < 65536; ++x) {
            k[66] = static_cast<std::uint8_t>(x >> 8);
            k[67] = static_cast<std::uint8_t>(x);
            if (dnskey_key_tag(k) == real.tag) break;
        }
        REQUIRE(dnskey_key_tag(k) == real.tag);
        forged.push_back(k);
    }
    std::vector<ByteView> keys(forged.begin(), forged.end());
    keys.push_back(real.dnskey);  // the real key last: it must not be reached
    // 50 copies of the RRSIG, each with a broken signature.
    Blob broken = s.rrsig;
    broken.back() ^= 0xFF;
    std::vector<RrsigData> sigs(50);
    for (auto& d : sigs) REQUIRE(decode_rrsig_rdata(broken, d));

    RrsetData set = s.set();
    ValidationBudget budget;
    Verdict v = verify_rrset(set, sigs, ZoneKeys{real.zone, keys}, kNow, budget).verdict;
    CHECK(v.is_bogus());
    // 4 RRSIGs x 2 keys per tag, not 50 x 201.
    CHECK(budget.signature_checks == budget.limits.max_signatures_per_rrset * budget.limits.max_keys_per_tag);

    // Across the RRsets of one query the budget runs out and stays out.
    for (int i = 0; i < 10; ++i) verify_rrset(set, sigs, ZoneKeys{real.zone, keys}, kNow, budget);
    CHECK(budget.signature_checks == budget.limits.max_signature_checks);
    std::vector<ByteView> only_real{real.dnskey};
    v = verify_rrset(set, s.signatures(), ZoneKeys{real.zone, only_real}, kNow, budget).verdict;
    CHECK(v.is_bogus());
    CHECK(std::string(v.reason) == "validation work limit reached");
}
