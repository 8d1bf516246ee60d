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
    std::shared_ptr<AggressiveDenial> aggressive = std::make_shared<AggressiveDenial>();
    std::int64_t wall = kWall;

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
        ctx->aggressive = aggressive;
        settings.dnssec_ok = true;
        dnssec.context = ctx;
        dnssec.negative_anchors = std::move(negative);
        dnssec.wall_clock = [this] { return wall; };
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
    // RFC 4035 3.2.1: a DO client gets the RRSIG too (built from the
    // authority's response, signed_answer.h), so it can validate itself.
    CHECK(a->answer() == Lines{"www.example.zz. 3600 A 192.0.2.1", "www.example.zz. 3600 A 192.0.2.2",
                               "www.example.zz. 3600 RRSIG \\# 94"});
    CHECK(SignedInternet::ad(*a));
    CHECK(f.engine.stats().dnssec_verdicts[static_cast<int>(Security::secure)] == 1);
    // The root's keys, zz.'s keys, example.zz.'s keys: the DS sets came with
    // the referrals the resolution followed (ChainWalk::offer_referral).
    CHECK(f.engine.stats().dnssec_fetches == 3);
    CHECK(f.engine.stats().dnssec_ds_from_referrals == 2);
    // Without DO: the same data, no RRSIG (and no fetch: the keys are cached).
    auto no_do = f.ask("www.example.zz", t::A, {.edns_udp = 1232, .dnssec_ok = false});
    CHECK(no_do->answer() == Lines{"www.example.zz. 3600 A 192.0.2.1", "www.example.zz. 3600 A 192.0.2.2"});
    CHECK(f.engine.stats().dnssec_fetches == 3);

    auto nx = f.ask_do("nope.example.zz");  // NSEC
    CHECK(nx->rcode() == dns::rcode::NXDOMAIN);
    CHECK(SignedInternet::ad(*nx));
    // The proof goes with it: the SOA and the NSECs, each with its RRSIG.
    Lines proof = nx->authority();
    auto count_type = [&](const char* type) {
        return std::count_if(proof.begin(), proof.end(),
                             [&](const std::string& l) { return l.find(type) != std::string::npos; });
    };
    CHECK(count_type(" SOA ") == 1);
    CHECK(count_type(" NSEC ") >= 1);
    CHECK(count_type(" RRSIG ") == count_type(" SOA ") + count_type(" NSEC "));
    auto nodata = f.ask_do("www.n3.zz", t::TXT);  // NSEC3
    CHECK(nodata->rcode() == dns::rcode::NOERROR);
    CHECK(nodata->answer().empty());
    CHECK(SignedInternet::ad(*nodata));
    auto ent = f.ask_do("b.example.zz", t::A);  // an empty non-terminal
    CHECK(ent->rcode() == dns::rcode::NOERROR);
    CHECK(SignedInternet::ad(*ent));
    auto inzone = f.ask_do("inzone.example.zz");
    CHECK(inzone->answer().size() == 5);  // the CNAME and two A records, each set with its RRSIG
    CHECK(SignedInternet::ad(*inzone));
    // A CNAME into another signed zone: two responses. The target is in the
    // record cache already (asked first), but without its signatures: it is
    // asked again, so that the whole chain is validated.
    CHECK(SignedInternet::ad(*f.ask_do("www.n3.zz")));
    auto cross = f.ask_do("to-n3.example.zz");
    CHECK(cross->answer() == Lines{"to-n3.example.zz. 3600 CNAME www.n3.zz.",
                                   "to-n3.example.zz. 3600 RRSIG \\# 94", "www.n3.zz. 3600 A 192.0.2.3",
                                   "www.n3.zz. 3600 RRSIG \\# 89"});
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
    CHECK(alias->answer() == Lines{"alias.example.zz. 3600 CNAME www.insecure.zz.",
                                   "alias.example.zz. 3600 RRSIG \\# 94",
                                   "www.insecure.zz. 3600 A 192.0.2.4"});
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
    // CD and DO: the data and its (expired) signature, for the client to judge.
    CHECK(cd->answer() == Lines{"www.expired.zz. 3600 A 192.0.2.5", "www.expired.zz. 3600 RRSIG \\# 94"});
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
    CHECK(a->answer() == Lines{"www.expired.zz. 3600 A 192.0.2.5", "www.expired.zz. 3600 RRSIG \\# 94"});
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

TEST_CASE(
    "validating recursion: denials proven by cached NSEC records are answered without a query (RFC 8198)",
    "[dnssec][recursion][scenario]") {
    SignedInternet f;
    auto nx = f.ask_do("nope.example.zz");
    REQUIRE(nx->rcode() == dns::rcode::NXDOMAIN);
    REQUIRE(SignedInternet::ad(*nx));
    CHECK(f.aggressive->size() >= 2);  // the NSEC covering the name and the one covering the wildcard

    // A name the same NSECs deny (below the missing name, as a random-subdomain flood asks):
    // NXDOMAIN with AD and its proof, and nobody asked.
    std::size_t asked = f.net.log.size();
    auto x = f.ask_do("x.nope.example.zz");
    CHECK(f.net.log.size() == asked);
    CHECK(x->rcode() == dns::rcode::NXDOMAIN);
    CHECK(SignedInternet::ad(*x));
    CHECK(f.engine.stats().dnssec_synthesised == 1);
    Lines proof = x->authority();
    auto has = [&](const char* type) {
        return std::count_if(proof.begin(), proof.end(),
                             [&](const std::string& l) { return l.find(type) != std::string::npos; });
    };
    CHECK(has(" SOA ") == 1);
    CHECK(has(" NSEC ") >= 1);
    CHECK(has(" RRSIG ") == has(" SOA ") + has(" NSEC "));
    // A client without DO gets the SOA alone; CD goes to the authorities.
    auto plain = f.ask("y.nope.example.zz", t::A, {.edns_udp = 1232});
    CHECK(plain->rcode() == dns::rcode::NXDOMAIN);
    CHECK(plain->authority().size() == 1);
    CHECK(f.net.log.size() == asked);
    f.ask("z.nope.example.zz", t::A,
          {.flags = dns::flag::RD | dns::flag::CD, .edns_udp = 1232, .dnssec_ok = true});
    CHECK(f.net.log.size() > asked);

    // The apex NSEC (kept: it covered the wildcard) has no DS bit, but the DS of
    // example.zz. is the parent's to deny: asked, and found.
    asked = f.net.log.size();
    auto ds = f.ask_do("example.zz", t::DS);
    CHECK(f.net.log.size() > asked);
    CHECK(ds->rcode() == dns::rcode::NOERROR);
    CHECK(ds->answer().size() == 2);                  // the DS and its RRSIG
    CHECK(f.engine.stats().dnssec_synthesised == 2);  // x.nope and y.nope only

    // A name that exists is never denied this way; neither is one the records do not cover.
    auto www = f.ask_do("www.example.zz", t::A);
    CHECK(www->rcode() == dns::rcode::NOERROR);
    CHECK(www->answer().size() == 3);
}

TEST_CASE(
    "validating recursion: NODATA from a cached NSEC3 record, nothing synthesised when the clock is not "
    "trusted",
    "[dnssec][recursion][scenario]") {
    SignedInternet f;
    auto txt = f.ask_do("www.n3.zz", t::TXT);
    REQUIRE(txt->rcode() == dns::rcode::NOERROR);
    REQUIRE(SignedInternet::ad(*txt));
    std::size_t asked = f.net.log.size();
    auto mx = f.ask_do("www.n3.zz", t::MX);  // the same NSEC3 says: no MX either
    CHECK(f.net.log.size() == asked);
    CHECK(mx->rcode() == dns::rcode::NOERROR);
    CHECK(mx->answer().empty());
    CHECK(SignedInternet::ad(*mx));

    f.clock->store(false);
    f.ask_do("www.n3.zz", t::SRV);
    CHECK(f.net.log.size() > asked);
    CHECK(f.engine.stats().dnssec_synthesised == 1);
}

TEST_CASE(
    "validating recursion: a secure answer is cached no longer than its signatures last (RFC 4035 5.3.3)",
    "[dnssec][recursion][scenario]") {
    SignedInternet f;
    f.wall = kWall + 30 * 86400 - 100;  // the zones' signatures expire in 100 s
    auto a = f.ask_do("www.example.zz");
    REQUIRE(SignedInternet::ad(*a));
    CHECK(a->answer() == Lines{"www.example.zz. 100 A 192.0.2.1", "www.example.zz. 100 A 192.0.2.2",
                               "www.example.zz. 100 RRSIG \\# 94"});
    // 101 s later the cached copy is gone: the authorities are asked again.
    f.now += seconds(101);
    std::size_t asked = f.net.log.size();
    f.ask_do("www.example.zz");
    CHECK(f.net.log.size() > asked);
}
