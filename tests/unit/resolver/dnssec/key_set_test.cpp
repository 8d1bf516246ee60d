// DNSKEY RRsets against DS records (RFC 4035 5.2): the secure case for each
// digest, and each way it fails or turns insecure.
#include <catch2/catch.hpp>

#include "resolver/dnssec/key_set.h"
#include "resolver/wire/dns_constants.h"
#include "support/dnssec_signer.h"
#include "unit/resolver/dnssec/dnssec_test_util.h"

using namespace lanlord;
using namespace lanlord::test;

namespace {

constexpr std::uint32_t kNow = 1'800'000'000;

struct Zone {
    SigningKey ksk, zsk;
    std::vector<Blob> dnskeys;
    std::vector<ByteView> views;
    std::vector<Blob> rrsigs;
    std::vector<RrsigData> sigs;

    explicit Zone(std::uint8_t alg = algorithm::ECDSAP256, std::uint16_t ksk_flags = 257)
        : ksk(make_key(alg, "example.", ksk_flags)), zsk(make_key(alg, "example.", 256)) {
        dnskeys = {ksk.dnskey, zsk.dnskey};
        rrsigs = {sign_rrset(ksk, ksk.zone, dns::type::DNSKEY, 3600, dnskeys, kNow - 3600, kNow + 86400)};
    }
    RrsetData set() {
        views.assign(dnskeys.begin(), dnskeys.end());
        return RrsetData{ksk.zone, dns::type::DNSKEY, dns::kClassIN, 3600, views};
    }
    std::span<const RrsigData> signatures() {
        sigs.resize(rrsigs.size());
        for (std::size_t i = 0; i < rrsigs.size(); ++i) REQUIRE(decode_rrsig_rdata(rrsigs[i], sigs[i]));
        return sigs;
    }
    KeySetVerdict validate(const std::vector<Blob>& ds) {
        std::vector<ByteView> dsv(ds.begin(), ds.end());
        ValidationBudget budget;
        RrsetData s = set();
        return validate_key_set(ksk.zone, s, signatures(), dsv, kNow, budget);
    }
};

Blob with_digest_type(Blob ds, std::uint8_t type) {
    ds[3] = type;
    return ds;
}
Blob with_algorithm(Blob ds, std::uint8_t alg) {
    ds[2] = alg;
    return ds;
}

}  // namespace

TEST_CASE("a DS of each digest (SHA-1, SHA-256, SHA-384) validates the DNSKEY set it names", "[dnssec]") {
    Zone z;
    for (std::uint8_t d : {digest::SHA1, digest::SHA256, digest::SHA384}) {
        INFO("digest " << int(d));
        KeySetVerdict v = z.validate({ds_for(z.ksk, d)});
        CHECK(v.verdict.is_secure());
        CHECK(v.keys.size() == 2);  // the KSK and the ZSK may both sign data
        CHECK(v.ttl == 3600);
    }
}

TEST_CASE("a DS that matches no DNSKEY, or a DNSKEY set not signed by the DS's key, is bogus", "[dnssec]") {
    Zone z;
    Zone stranger;
    KeySetVerdict v = z.validate({ds_for(stranger.ksk, digest::SHA256)});
    CHECK(v.verdict.is_bogus());
    CHECK(v.verdict.ede == ede::dnskey_missing);

    Blob ds = ds_for(z.ksk, digest::SHA256);
    ds.back() ^= 1;  // the digest no longer matches
    CHECK(z.validate({ds}).verdict.is_bogus());

    // The DS names the ZSK, but only the KSK signed the DNSKEY set.
    v = z.validate({ds_for(z.zsk, digest::SHA256)});
    CHECK(v.verdict.is_bogus());
    CHECK(v.verdict.ede == ede::dnskey_missing);

    // The DNSKEY set signed, then a key added by someone else.
    z.dnskeys.push_back(stranger.zsk.dnskey);
    CHECK(z.validate({ds_for(z.ksk, digest::SHA256)}).verdict.is_bogus());
}

TEST_CASE("unsupported DS algorithms and digests make the zone insecure with EDE 1 and 2 (RFC 6840 5.2)",
          "[dnssec]") {
    Zone z;
    KeySetVerdict v = z.validate({with_algorithm(ds_for(z.ksk, digest::SHA256), 253)});
    CHECK(v.verdict.security == Security::insecure);
    CHECK(v.verdict.ede == ede::unsupported_dnskey_algorithm);

    v = z.validate({with_digest_type(ds_for(z.ksk, digest::SHA256), digest::GOST)});
    CHECK(v.verdict.security == Security::insecure);
    CHECK(v.verdict.ede == ede::unsupported_ds_digest);

    v = z.validate({with_algorithm(ds_for(z.ksk, digest::SHA256), algorithm::RSAMD5)});
    CHECK(v.verdict.security == Security::insecure);

    // An unsupported DS beside a supported one does not weaken it.
    Blob bad = ds_for(z.ksk, digest::SHA256);
    bad.back() ^= 1;
    v = z.validate({with_algorithm(ds_for(z.ksk, digest::SHA256), 253), bad});
    CHECK(v.verdict.is_bogus());
}

TEST_CASE("a SHA-1 DS is ignored beside a SHA-256 one (RFC 4509 3: no downgrade)", "[dnssec]") {
    Zone z;
    Blob strong = ds_for(z.ksk, digest::SHA256);
    strong.back() ^= 1;  // the SHA-256 DS is wrong, the SHA-1 one right
    CHECK(z.validate({ds_for(z.ksk, digest::SHA1), strong}).verdict.is_bogus());
    CHECK(z.validate({ds_for(z.ksk, digest::SHA1), ds_for(z.ksk, digest::SHA256)}).verdict.is_secure());
}

TEST_CASE("a revoked KSK validates nothing, even when a DS names it (RFC 5011 section 3)", "[dnssec]") {
    Zone z(algorithm::ECDSAP256, 385);
    KeySetVerdict v = z.validate({ds_for(z.ksk, digest::SHA256)});
    CHECK(v.verdict.is_bogus());
}

TEST_CASE("KeyTrap on the DS side: many DS records cost at most 8 digests and bounded signature checks",
          "[dnssec]") {
    Zone z;
    std::vector<Blob> ds;
    for (int i = 0; i < 100; ++i) ds.push_back(ds_for(z.ksk, digest::SHA256));
    z.rrsigs.assign(20, z.rrsigs[0]);
    z.rrsigs[0].back() ^= 1;  // every copy broken
    for (auto& r : z.rrsigs) r = z.rrsigs[0];
    std::vector<ByteView> dsv(ds.begin(), ds.end());
    ValidationBudget budget;
    RrsetData s = z.set();
    KeySetVerdict v = validate_key_set(z.ksk.zone, s, z.signatures(), dsv, kNow, budget);
    CHECK(v.verdict.is_bogus());
    CHECK(budget.signature_checks <= budget.limits.max_signature_checks);
}
