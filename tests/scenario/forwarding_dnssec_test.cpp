// Forwarding mode validating ([dnssec] validate_forwarded): the upstream is
// asked with DO and CD (RFC 6840 5.9), the DS and DNSKEY sets come through
// the same upstream group, and the client gets AD, SERVFAIL with the EDE,
// or the data as it is; a client without DO gets no DNSSEC records (RFC 4035
// 3.2.1). An upstream that strips signatures makes signed names bogus with
// EDE 10 and is counted. The upstream here is one fake server holding every
// zone of support/signed_zones.h, answering like a recursive resolver for
// names inside one zone.
#include <catch2/catch.hpp>

#include "support/recursion_harness.h"
#include "support/signed_zones.h"

using namespace lanlord;
using namespace lanlord::test;

namespace {
namespace t = dns::type;

struct ForwardingSigned {
    FakeEngineIo io;
    PacketCache cache{{.max_entries = 1000}, 4};
    std::uint64_t counter = 1;
    ResolverEngine engine{io, cache, [this] { return (counter++) * 0x9E3779B97F4A7C15ull; }};
    TimePoint now = TimePoint(seconds(5000));
    FakeInternet net;
    ClientRef client{.peer = ep("127.0.0.1:40000"), .local = *IpAddress::parse("127.0.0.1")};
    std::shared_ptr<TrustAnchors> anchors;

    explicit ForwardingSigned(Behaviour upstream = Behaviour::normal) {
        SignedZones z = make_signed_zones();
        anchors = std::make_shared<TrustAnchors>(std::move(z.anchors));
        FakeServer& s = net.add_server("192.0.2.53", upstream);
        for (auto& entry : z.zones) s.serve(std::move(entry.second));
        EngineSettings es;
        auto ctx = std::make_shared<DnssecContext>();
        ctx->anchors = anchors;
        ctx->keys = std::make_shared<KeyCache>();
        es.dnssec.context = ctx;
        es.dnssec.forwarding = true;
        es.dnssec.wall_clock = [] { return kSignedWall; };
        GroupSpec g{"upstream", "", {ep("192.0.2.53:53")}, {wire(".")}, {}, false};
        engine.configure(es, {g}, {ep("127.0.0.1:53")});
    }
    std::unique_ptr<ParsedAnswer> ask(const std::string& name, std::uint16_t type = t::A,
                                      QueryOptions o = {.edns_udp = 1232, .dnssec_ok = true}) {
        io.answers.clear();
        engine.handle_query(make_query(name, type, o), client, now);
        net.run_until_quiet(engine, io, now);
        REQUIRE(io.answers.size() == 1);
        return std::make_unique<ParsedAnswer>(io.answers[0].bytes);
    }
    static bool ad(const ParsedAnswer& a) { return a.m.header.has(dns::flag::AD); }
    static bool has_type(const ParsedAnswer& a, std::uint16_t type) {
        for (const RecordView& rr : a.m.records())
            if (rr.section != Section::question && rr.type == type) return true;
        return false;
    }
};

}  // namespace

TEST_CASE("validating forwarder: AD, bogus and insecure answers, DO and CD upstream, no RRSIGs without DO",
          "[dnssec][forwarding][scenario]") {
    ForwardingSigned f;
    auto a = f.ask("www.example.zz");
    CHECK(a->rcode() == dns::rcode::NOERROR);
    CHECK(ForwardingSigned::ad(*a));
    CHECK(ForwardingSigned::has_type(*a, t::RRSIG));  // a DO client gets the signatures
    for (const Received& r : f.net.log) {
        CHECK(r.dnssec_ok);  // every query to the upstream with DO ...
    }
    // ... and CD (RFC 6840 5.9), seen by the fake as the flag of the query.
    CHECK(f.engine.stats().dnssec_fetches == 5);  // DNSKEY ., DS zz., DNSKEY zz., DS and DNSKEY example.zz.

    auto nx = f.ask("nope.n3.zz");
    CHECK(nx->rcode() == dns::rcode::NXDOMAIN);
    CHECK(ForwardingSigned::ad(*nx));

    auto plain = f.ask("www.n3.zz", t::A, {.edns_udp = 1232});  // no DO: validated, stripped, no AD
    CHECK(plain->rcode() == dns::rcode::NOERROR);
    CHECK(plain->answer() == Lines{"www.n3.zz. 3600 A 192.0.2.3"});
    CHECK_FALSE(ForwardingSigned::has_type(*plain, t::RRSIG));
    CHECK_FALSE(ForwardingSigned::ad(*plain));
    auto nx_plain = f.ask("gone.example.zz", t::A, {.edns_udp = 1232});
    CHECK(nx_plain->rcode() == dns::rcode::NXDOMAIN);
    CHECK_FALSE(ForwardingSigned::has_type(*nx_plain, t::NSEC));
    CHECK_FALSE(ForwardingSigned::has_type(*nx_plain, t::RRSIG));
    CHECK(nx_plain->authority().size() == 1);  // the SOA only

    auto insecure = f.ask("www.insecure.zz");
    CHECK(insecure->rcode() == dns::rcode::NOERROR);
    CHECK_FALSE(ForwardingSigned::ad(*insecure));

    auto expired = f.ask("www.expired.zz");
    CHECK(expired->rcode() == dns::rcode::SERVFAIL);
    CHECK(expired->ede() == 7);
    auto wrong = f.ask("www.wrongkey.zz");
    CHECK(wrong->rcode() == dns::rcode::SERVFAIL);
    CHECK(wrong->ede() == 9);
    auto cd = f.ask("www.expired.zz", t::A,
                    {.flags = dns::flag::RD | dns::flag::CD, .edns_udp = 1232, .dnssec_ok = true});
    CHECK(cd->rcode() == dns::rcode::NOERROR);
    CHECK_FALSE(ForwardingSigned::ad(*cd));
    CHECK(f.engine.stats().dnssec_unsigned_upstream == 0);
}

TEST_CASE(
    "validating forwarder: an upstream that strips signatures makes signed names SERVFAIL (EDE 10), "
    "counted, unsigned names still answer",
    "[dnssec][forwarding][scenario]") {
    ForwardingSigned f(Behaviour::strips_dnssec);
    auto a = f.ask("www.example.zz");
    CHECK(a->rcode() == dns::rcode::SERVFAIL);
    CHECK(a->ede() == 10);  // RRSIGs Missing
    CHECK(f.engine.stats().dnssec_unsigned_upstream == 1);
    // Validation stays on: the next signed name fails too (from the bogus root, no new fetch storm).
    auto b = f.ask("www.n3.zz");
    CHECK(b->rcode() == dns::rcode::SERVFAIL);
    CHECK(f.engine.stats().dnssec_fetches <= 2);
}
