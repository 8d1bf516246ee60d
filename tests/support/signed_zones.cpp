#include "support/signed_zones.h"

#include "support/fake_zone_signing.h"

namespace lanlord::test {

namespace {
namespace t = dns::type;

ZoneSigning signing(std::uint8_t alg, bool nsec3 = false, bool opt_out = false) {
    ZoneSigning s;
    s.algorithm = alg;
    s.nsec3 = nsec3;
    s.opt_out = opt_out;
    s.inception = kSignedWall - 86400;
    s.expiration = kSignedWall + 30 * 86400;
    return s;
}

}  // namespace

SignedZones make_signed_zones() {
    SignedZones out;
    FakeZone example("example.zz.", R"(
        @ SOA ns hostmaster
        @ NS ns
        ns A 203.0.113.30
        www A 192.0.2.1
        www A 192.0.2.2
        alias CNAME www.insecure.zz.
        inzone CNAME www
        to-n3 CNAME www.n3.zz.
        a.b TXT "below an empty non-terminal"
    )");
    FakeZone n3("n3.zz.", R"(
        @ SOA ns hostmaster
        @ NS ns
        ns A 203.0.113.31
        www A 192.0.2.3
    )");
    FakeZone insecure("insecure.zz.", R"(
        @ SOA ns hostmaster
        @ NS ns
        ns A 203.0.113.32
        www A 192.0.2.4
    )");
    FakeZone expired("expired.zz.", R"(
        @ SOA ns hostmaster
        @ NS ns
        ns A 203.0.113.33
        www A 192.0.2.5
    )");
    FakeZone wrongkey("wrongkey.zz.", R"(
        @ SOA ns hostmaster
        @ NS ns
        ns A 203.0.113.34
        www A 192.0.2.6
    )");
    FakeZone zz("zz.", R"(
        @ SOA ns hostmaster
        @ NS ns
        ns A 198.51.100.20
        example NS ns.example
        ns.example A 203.0.113.30
        n3 NS ns.n3
        ns.n3 A 203.0.113.31
        insecure NS ns.insecure
        ns.insecure A 203.0.113.32
        expired NS ns.expired
        ns.expired A 203.0.113.33
        wrongkey NS ns.wrongkey
        ns.wrongkey A 203.0.113.34
    )");
    FakeZone root(".", R"(
        @ SOA a.root-servers.test. hostmaster.test.
        @ NS a.root-servers.test.
        a.root-servers.test. A 198.51.100.1
        zz. NS ns.zz.
        ns.zz. A 198.51.100.20
    )");
    zz.add_wire("example.zz.", 3600, t::DS, sign_zone(example, signing(algorithm::ED25519)));
    zz.add_wire("n3.zz.", 3600, t::DS, sign_zone(n3, signing(algorithm::ECDSAP256, true)));
    ZoneSigning old = signing(algorithm::ECDSAP256);
    old.inception = kSignedWall - 30 * 86400;
    old.expiration = kSignedWall - 86400;
    zz.add_wire("expired.zz.", 3600, t::DS, sign_zone(expired, old));
    FakeZone decoy("wrongkey.zz.", "@ SOA ns hostmaster\n@ NS ns\n");
    sign_zone(wrongkey, signing(algorithm::ECDSAP256));
    zz.add_wire("wrongkey.zz.", 3600, t::DS, sign_zone(decoy, signing(algorithm::ECDSAP256)));
    root.add_wire("zz.", 3600, t::DS, sign_zone(zz, signing(algorithm::ECDSAP256, true, true)));
    out.anchors.add_ds(root.origin(), sign_zone(root, signing(algorithm::RSASHA256)));
    out.zones.emplace_back("198.51.100.1", std::move(root));
    out.zones.emplace_back("198.51.100.20", std::move(zz));
    out.zones.emplace_back("203.0.113.30", std::move(example));
    out.zones.emplace_back("203.0.113.31", std::move(n3));
    out.zones.emplace_back("203.0.113.32", std::move(insecure));
    out.zones.emplace_back("203.0.113.33", std::move(expired));
    out.zones.emplace_back("203.0.113.34", std::move(wrongkey));
    return out;
}

}  // namespace lanlord::test
