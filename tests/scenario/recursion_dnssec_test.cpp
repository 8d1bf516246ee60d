// The recursive mode validating (resolver/engine/validation_job.h) against a
// signed fake Internet: the engine, the iterator with DO=1 and the
// validator together, as a client sees them: AD on secure answers to
// clients that asked (DO or AD), none on insecure ones, SERVFAIL with the
// Extended DNS Error for bogus ones (then from the bogus cache), the data
// without AD for CD=1, negative trust anchors, and a clock not yet trusted.
#include <catch2/catch.hpp>

#include "support/fake_zone_signing.h"
#include "support/recursion_harness.h"

using namespace lanlord;
using namespace lanlord::test;

namespace {
namespace t = dns::type;

constexpr std::int64_t kWall = 1'800'000'000;

ZoneSigning signing(std::uint8_t alg, bool nsec3 = false, bool opt_out = false) {
    ZoneSigning s;
    s.algorithm = alg;
    s.nsec3 = nsec3;
    s.opt_out = opt_out;
    s.inception = kWall - 86400;
    s.expiration = kWall + 30 * 86400;
    return s;
}

// root (RSASHA256, NSEC) -> zz. (ECDSA, NSEC3 opt-out) -> example.zz.
// (Ed25519, NSEC), n3.zz. (ECDSA, NSEC3), insecure.zz. (unsigned),
// expired.zz. (signatures expired a day ago), wrongkey.zz. (its DS names
// a key it does not publish).
struct SignedInternet : RecursionHarness {
    std::shared_ptr<TrustAnchors> anchors = std::make_shared<TrustAnchors>();
    std::shared_ptr<KeyCache> keys = std::make_shared<KeyCache>();
    std::shared_ptr<std::atomic<bool>> clock = std::make_shared<std::atomic<bool>>(true);

    SignedInternet() {
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
        old.inception = kWall - 30 * 86400;
        old.expiration = kWall - 86400;
        zz.add_wire("expired.zz.", 3600, t::DS, sign_zone(expired, old));
        FakeZone decoy("wrongkey.zz.", "@ SOA ns hostmaster\n@ NS ns\n");
        sign_zone(wrongkey, signing(algorithm::ECDSAP256));
        zz.add_wire("wrongkey.zz.", 3600, t::DS, sign_zone(decoy, signing(algorithm::ECDSAP256)));
        root.add_wire("zz.", 3600, t::DS, sign_zone(zz, signing(algorithm::ECDSAP256, true, true)));
        anchors->add_ds(root.origin(), sign_zone(root, signing(algorithm::RSASHA256)));
        net.add_server("198.51.100.1").serve(std::move(root));
        net.add_server("198.51.100.20").serve(std::move(zz));
        net.add_server("203.0.113.30").serve(std::move(example));
        net.add_server("203.0.113.31").serve(std::move(n3));
        net.add_server("203.0.113.32").serve(std::move(insecure));
        net.add_server("203.0.113.33").serve(std::move(expired));
        net.add_server("203.0.113.34").serve(std::move(wrongkey));
        validate();
    }
    void validate(std::vector<std::string> negative = {}) {
        auto ctx = std::make_shared<DnssecContext>();
        ctx->anchors = anchors;
        ctx->keys = keys;
        settings.dnssec_ok = true;
        dnssec.context = ctx;
        dnssec.negative_anchors = std::move(negative);
        dnssec.wall_clock = [] { return kWall; };
        dnssec.clock_trusted = clock;
        configure();
    }
    static QueryOptions with_do() { return {.edns_udp = 1232, .dnssec_ok = true}; }
    std::unique_ptr<ParsedAnswer> ask_do(const std::string& name, std::uint16_t type = t::A) {
        return ask(name, type, with_do());
    }
    static bool ad(const ParsedAnswer& a) { return a.m.header.has(dns::flag::AD); }
};

}  // namespace

TEST_CASE("validating recursion: secure answers and denials get AD, for clients that asked",
          "[dnssec][recursion][scenario]") {
    SignedInternet f;
    auto a = f.ask_do("www.example.zz");
    CHECK(a->rcode() == dns::rcode::NOERROR);
    CHECK(a->answer() == Lines{"www.example.zz. 3600 A 192.0.2.1", "www.example.zz. 3600 A 192.0.2.2"});
    CHECK(SignedInternet::ad(*a));
    CHECK(f.engine.stats().dnssec_verdicts[static_cast<int>(Security::secure)] == 1);
    // The root's keys, zz.'s DS and keys, example.zz.'s DS and keys.
    CHECK(f.engine.stats().dnssec_fetches == 5);

    auto nx = f.ask_do("nope.example.zz");  // NSEC
    CHECK(nx->rcode() == dns::rcode::NXDOMAIN);
    CHECK(SignedInternet::ad(*nx));
    auto nodata = f.ask_do("www.n3.zz", t::TXT);  // NSEC3
    CHECK(nodata->rcode() == dns::rcode::NOERROR);
    CHECK(nodata->answer().empty());
    CHECK(SignedInternet::ad(*nodata));
    auto ent = f.ask_do("b.example.zz", t::A);  // an empty non-terminal
    CHECK(ent->rcode() == dns::rcode::NOERROR);
    CHECK(SignedInternet::ad(*ent));
    auto inzone = f.ask_do("inzone.example.zz");
    CHECK(inzone->answer().size() == 3);
    CHECK(SignedInternet::ad(*inzone));
    // A CNAME into another signed zone: two responses. The target is in the
    // record cache already (asked first), but without its signatures: it is
    // asked again, so that the whole chain is validated.
    CHECK(SignedInternet::ad(*f.ask_do("www.n3.zz")));
    auto cross = f.ask_do("to-n3.example.zz");
    CHECK(cross->answer() == Lines{"to-n3.example.zz. 3600 CNAME www.n3.zz.", "www.n3.zz. 3600 A 192.0.2.3"});
    CHECK(SignedInternet::ad(*cross));

    // Known zones cost no fetch: the keys are in the key cache.
    std::uint64_t fetches = f.engine.stats().dnssec_fetches;
    auto aaaa = f.ask_do("www.example.zz", t::AAAA);
    CHECK(SignedInternet::ad(*aaaa));
    CHECK(f.engine.stats().dnssec_fetches == fetches);

    // RFC 6840 5.8: AD only to a client that set DO or AD.
    auto plain = f.ask("www.example.zz", t::A, {.edns_udp = 1232});
    CHECK(plain->rcode() == dns::rcode::NOERROR);
    CHECK_FALSE(SignedInternet::ad(*plain));
    auto ad_flag = f.ask("www.example.zz", t::A, {.flags = dns::flag::RD | dns::flag::AD});
    CHECK(SignedInternet::ad(*ad_flag));
}

TEST_CASE("validating recursion: insecure delegations answer without AD", "[dnssec][recursion][scenario]") {
    SignedInternet f;
    auto a = f.ask_do("www.insecure.zz");
    CHECK(a->rcode() == dns::rcode::NOERROR);
    CHECK(a->answer() == Lines{"www.insecure.zz. 3600 A 192.0.2.4"});
    CHECK_FALSE(SignedInternet::ad(*a));
    auto alias = f.ask_do("alias.example.zz");  // signed CNAME into the unsigned zone
    CHECK(alias->answer() ==
          Lines{"alias.example.zz. 3600 CNAME www.insecure.zz.", "www.insecure.zz. 3600 A 192.0.2.4"});
    CHECK_FALSE(SignedInternet::ad(*alias));
    CHECK(f.engine.stats().dnssec_verdicts[static_cast<int>(Security::insecure)] == 2);
}

TEST_CASE("validating recursion: bogus answers are SERVFAIL with the EDE, cached 60 s, and given to CD=1",
          "[dnssec][recursion][scenario]") {
    SignedInternet f;
    auto expired = f.ask_do("www.expired.zz");
    CHECK(expired->rcode() == dns::rcode::SERVFAIL);
    CHECK(expired->ede() == 7);  // Signature Expired
    CHECK(expired->answer().empty());
    auto wrong = f.ask_do("www.wrongkey.zz");
    CHECK(wrong->rcode() == dns::rcode::SERVFAIL);
    CHECK(wrong->ede() == 9);  // DNSKEY Missing: no key matches the DS
    CHECK(f.engine.stats().dnssec_verdicts[static_cast<int>(Security::bogus)] == 2);

    // Again within 60 s: from the bogus cache, nobody asked.
    std::size_t asked = f.net.log.size();
    auto again = f.ask_do("www.expired.zz");
    CHECK(again->rcode() == dns::rcode::SERVFAIL);
    CHECK(again->ede() == 7);
    CHECK(f.net.log.size() == asked);
    CHECK(f.engine.stats().dnssec_bogus_cached == 1);

    // RFC 4035 3.2.2: CD=1 gets the data, unvalidated, without AD.
    auto cd = f.ask("www.expired.zz", t::A,
                    {.flags = dns::flag::RD | dns::flag::CD, .edns_udp = 1232, .dnssec_ok = true});
    CHECK(cd->rcode() == dns::rcode::NOERROR);
    CHECK(cd->answer() == Lines{"www.expired.zz. 3600 A 192.0.2.5"});
    CHECK_FALSE(SignedInternet::ad(*cd));

    // After the 60 s the zone is asked again (and is still bogus).
    f.now += seconds(61);
    asked = f.net.log.size();
    auto later = f.ask_do("www.expired.zz");
    CHECK(later->rcode() == dns::rcode::SERVFAIL);
    CHECK(f.net.log.size() > asked);
}

TEST_CASE("validating recursion: a negative trust anchor makes its domain insecure (RFC 7646)",
          "[dnssec][recursion][scenario]") {
    SignedInternet f;
    f.validate({wire("expired.zz.")});
    auto a = f.ask_do("www.expired.zz");
    CHECK(a->rcode() == dns::rcode::NOERROR);
    CHECK(a->answer() == Lines{"www.expired.zz. 3600 A 192.0.2.5"});
    CHECK_FALSE(SignedInternet::ad(*a));
    auto other = f.ask_do("www.example.zz");  // outside the anchor: validated as ever
    CHECK(SignedInternet::ad(*other));
}

TEST_CASE(
    "validating recursion: until the clock is trusted, signatures are checked without dates and no AD "
    "is given",
    "[dnssec][recursion][scenario]") {
    SignedInternet f;
    f.clock->store(false);
    auto a = f.ask_do("www.example.zz");
    CHECK(a->rcode() == dns::rcode::NOERROR);
    CHECK_FALSE(SignedInternet::ad(*a));
    // An expired signature is not held against the zone by a clock that may be years off ...
    auto expired = f.ask_do("www.expired.zz");
    CHECK(expired->rcode() == dns::rcode::NOERROR);
    CHECK_FALSE(SignedInternet::ad(*expired));
    // ... but a chain that is broken whatever the date still is.
    auto wrong = f.ask_do("www.wrongkey.zz");
    CHECK(wrong->rcode() == dns::rcode::SERVFAIL);
    // Once trusted, answers validated from then on get AD.
    f.clock->store(true);
    auto later = f.ask_do("www.n3.zz", t::A);
    CHECK(SignedInternet::ad(*later));
}

TEST_CASE("validating recursion: validation off sends DO=0 and gives no AD",
          "[dnssec][recursion][scenario]") {
    SignedInternet f;
    f.settings.dnssec_ok = false;
    f.dnssec = DnssecPolicy{};
    f.configure();
    auto a = f.ask_do("www.expired.zz");
    CHECK(a->rcode() == dns::rcode::NOERROR);
    CHECK_FALSE(SignedInternet::ad(*a));
    for (const Received& r : f.net.log) CHECK_FALSE(r.dnssec_ok);
}
