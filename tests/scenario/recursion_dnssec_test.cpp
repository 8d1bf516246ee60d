// The recursive mode validating (resolver/engine/validation_job.h) against a
// signed fake Internet: the engine, the iterator with DO=1 and the
// validator together, as a client sees them: AD on secure answers to
// clients that asked (DO or AD), none on insecure ones, SERVFAIL with the
// Extended DNS Error for bogus ones (then from the bogus cache), the data
// without AD for CD=1, negative trust anchors, and a clock not yet trusted.
#include <catch2/catch.hpp>

#include "support/recursion_harness.h"
#include "support/signed_zones.h"

using namespace lanlord;
using namespace lanlord::test;

namespace {
namespace t = dns::type;

constexpr std::int64_t kWall = kSignedWall;

// The hierarchy of support/signed_zones.h, each zone on its own server.
struct SignedInternet : RecursionHarness {
    std::shared_ptr<TrustAnchors> anchors;
    std::shared_ptr<KeyCache> keys = std::make_shared<KeyCache>();
    std::shared_ptr<std::atomic<bool>> clock = std::make_shared<std::atomic<bool>>(true);

    SignedInternet() {
        SignedZones z = make_signed_zones();
        anchors = std::make_shared<TrustAnchors>(std::move(z.anchors));
        for (auto& [address, zone] : z.zones) net.add_server(address).serve(std::move(zone));
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
