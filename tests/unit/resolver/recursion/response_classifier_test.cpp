#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "resolver/recursion/response_classifier.h"
#include "support/dns_builder.h"

using namespace lanlord;
using namespace lanlord::test;

namespace {
namespace t = dns::type;

const TimePoint kNow = TimePoint{} + seconds(10000);
constexpr std::uint16_t kAA = dns::flag::AA;
constexpr Trust kNone{};

// One response, classified as an answer from a server of `zone`.
struct Run {
    RecordCache cache;
    ResponseClassifier classifier;
    Bytes bytes;
    ParsedMessage msg;

    Classification classify(const ResponseSpec& spec, const std::string& zone,
                            const ClassifyLimits& limits = {}) {
        bytes = make_response(spec);
        msg = parse_message(bytes);
        REQUIRE(msg.ok());
        return classifier.classify(msg, wire(spec.qname), spec.qtype, wire(zone), cache, kNow, limits);
    }
    // The cached RRset's rank, or kNone when nothing (positive) is cached.
    Trust rank(const std::string& name, std::uint16_t type) const {
        CachedEntry e;
        if (!cache.lookup(wire(name), type, kNow, e) || e.kind != EntryKind::rrset) return kNone;
        return e.trust;
    }
    std::uint16_t count(const std::string& name, std::uint16_t type) const {
        CachedEntry e;
        return cache.lookup(wire(name), type, kNow, e) ? e.count : 0;
    }
};

ResponseSpec spec_for(const std::string& qname, std::uint16_t qtype, std::uint16_t flags = 0,
                      std::uint8_t rcode = dns::rcode::NOERROR) {
    ResponseSpec s;
    s.qname = qname;
    s.qtype = qtype;
    s.extra_flags = flags;
    s.rcode = rcode;
    return s;
}
}  // namespace

TEST_CASE("response_classifier: a referral caches the child's NS set and in-bailiwick glue only",
          "[recursion]") {
    Run run;
    ResponseSpec s = spec_for("www.example.com", t::A);
    s.answer = {{"other.com", t::A, 3600, rdata_a("203.0.113.66")}};  // unrelated: ignored
    s.authority = {{"example.com", t::NS, 172800, rdata_name("ns1.example.com")},
                   {"example.com", t::NS, 172800, rdata_name("ns2.example.com")},
                   {"example.com", t::NS, 172800, rdata_name("ns.other.net")},
                   {"example.com", t::NS, 172800, rdata_name("ns.hosting.com")},
                   {"victim.com", t::NS, 172800, rdata_name("ns.evil.net")}};  // sideways
    s.additional = {{"ns1.example.com", t::A, 172800, rdata_a("192.0.2.1")},
                    {"ns1.example.com", t::AAAA, 172800, rdata_a("2001:db8::1")},
                    {"ns2.example.com", t::A, 172800, rdata_a("192.0.2.2")},
                    {"ns.hosting.com", t::A, 172800, rdata_a("192.0.2.3")},
                    {"ns.other.net", t::A, 172800, rdata_a("203.0.113.66")},     // out of bailiwick
                    {"www.example.com", t::A, 172800, rdata_a("203.0.113.66")},  // not an NS target
                    {"ns.evil.net", t::A, 172800, rdata_a("203.0.113.66")}};
    Classification c = run.classify(s, "com");
    CHECK(c.kind == ResponseClass::referral);
    CHECK(c.child == wire("example.com"));
    CHECK(c.target == wire("www.example.com"));
    CHECK_FALSE(c.authoritative);
    CHECK(c.glue_cached == 4);

    CHECK(run.rank("example.com", t::NS) == Trust::referral);
    CHECK(run.count("example.com", t::NS) == 4);
    CHECK(run.rank("ns1.example.com", t::A) == Trust::additional);
    CHECK(run.rank("ns1.example.com", t::AAAA) == Trust::additional);
    CHECK(run.rank("ns2.example.com", t::A) == Trust::additional);
    CHECK(run.rank("ns.hosting.com", t::A) == Trust::additional);  // below the zone asked
    // Poisoning attempts.
    CHECK(run.rank("ns.other.net", t::A) == kNone);
    CHECK(run.rank("www.example.com", t::A) == kNone);
    CHECK(run.rank("other.com", t::A) == kNone);
    CHECK(run.rank("victim.com", t::NS) == kNone);
    CHECK(run.rank("ns.evil.net", t::A) == kNone);
    CHECK(run.cache.stats().entries == 5);

    // Glue never replaces an authoritative answer already cached.
    ResponseSpec again = s;
    again.additional = {{"ns1.example.com", t::A, 172800, rdata_a("203.0.113.99")}};
    Bytes blob;
    append_blob_record(blob, rdata_a("192.0.2.1"));
    REQUIRE(run.cache.store_rrset(wire("ns1.example.com"), t::A, 3600, Trust::answer_auth, blob, 1, kNow));
    run.classify(again, "com");
    CachedEntry e;
    REQUIRE(run.cache.lookup(wire("ns1.example.com"), t::A, kNow, e));
    CHECK(e.rdata == blob);
}

TEST_CASE("response_classifier: upward and sideways referrals are lame", "[recursion]") {
    Run run;
    SECTION("NS of a parent") {
        ResponseSpec s = spec_for("www.example.com", t::A);
        s.authority = {{"com", t::NS, 172800, rdata_name("a.gtld-servers.net")}};
        s.additional = {{"a.gtld-servers.net", t::A, 172800, rdata_a("192.5.6.30")}};
        CHECK(run.classify(s, "example.com").kind == ResponseClass::lame);
    }
    SECTION("NS of the root") {
        ResponseSpec s = spec_for("www.example.com", t::A);
        s.authority = {{".", t::NS, 518400, rdata_name("a.root-servers.net")}};
        CHECK(run.classify(s, "example.com").kind == ResponseClass::lame);
    }
    SECTION("NS of the zone itself") {
        ResponseSpec s = spec_for("www.example.com", t::A);
        s.authority = {{"example.com", t::NS, 172800, rdata_name("ns1.example.com")}};
        s.additional = {{"ns1.example.com", t::A, 172800, rdata_a("192.0.2.1")}};
        CHECK(run.classify(s, "example.com").kind == ResponseClass::lame);
    }
    SECTION("NS of a zone not on the way to the name") {
        ResponseSpec s = spec_for("www.example.com", t::A);
        s.authority = {{"other.example.com", t::NS, 172800, rdata_name("ns1.other.example.com")}};
        s.additional = {{"ns1.other.example.com", t::A, 172800, rdata_a("192.0.2.1")}};
        CHECK(run.classify(s, "example.com").kind == ResponseClass::lame);
    }
    CHECK(run.cache.stats().entries == 0);
}

TEST_CASE("response_classifier: answers, with and without AA, and nothing beside them", "[recursion]") {
    Run run;
    bool aa = GENERATE(true, false);
    ResponseSpec s = spec_for("www.example.com", t::A, aa ? kAA : 0);
    s.answer = {{"www.example.com", t::A, 300, rdata_a("192.0.2.1")},
                {"mail.example.com", t::A, 300, rdata_a("203.0.113.66")},
                {"www.example.com", t::A, 200, rdata_a("192.0.2.2")}};
    s.authority = {{"example.com", t::NS, 3600, rdata_name("ns.evil.net")},
                   {"com", t::NS, 3600, rdata_name("ns.evil.net")}};
    s.additional = {{"ns.evil.net", t::A, 3600, rdata_a("203.0.113.66")}};
    Classification c = run.classify(s, "example.com");
    CHECK(c.kind == ResponseClass::answer);
    CHECK(c.authoritative == aa);
    CHECK(c.target == wire("www.example.com"));
    CHECK(c.chain_links == 0);
    CHECK(run.rank("www.example.com", t::A) == (aa ? Trust::answer_auth : Trust::answer_nonauth));
    CHECK(run.count("www.example.com", t::A) == 2);
    CachedEntry e;
    REQUIRE(run.cache.lookup(wire("www.example.com"), t::A, kNow, e));
    CHECK(e.ttl == 200);  // the RRset's lowest TTL
    CHECK(run.cache.stats().entries == 1);
}

TEST_CASE("response_classifier: a CNAME chain inside the zone is followed within the message",
          "[recursion]") {
    Run run;
    ResponseSpec s = spec_for("www.example.com", t::A, kAA);
    s.answer = {{"www.example.com", t::CNAME, 300, rdata_name("web.example.com")},
                {"web.example.com", t::CNAME, 300, rdata_name("host.example.com")},
                {"host.example.com", t::A, 300, rdata_a("192.0.2.7")}};
    Classification c = run.classify(s, "example.com");
    CHECK(c.kind == ResponseClass::answer);
    CHECK(c.chain_links == 2);
    CHECK(c.target == wire("host.example.com"));
    CHECK(run.rank("www.example.com", t::CNAME) == Trust::answer_auth);
    CHECK(run.rank("web.example.com", t::CNAME) == Trust::answer_auth);
    CHECK(run.rank("host.example.com", t::A) == Trust::answer_auth);

    // Asked for the CNAME itself: that is the answer.
    Run run2;
    ResponseSpec s2 = spec_for("www.example.com", t::CNAME, kAA);
    s2.answer = {s.answer[0]};
    Classification c2 = run2.classify(s2, "example.com");
    CHECK(c2.kind == ResponseClass::answer);
    CHECK(c2.chain_links == 0);
}

TEST_CASE("response_classifier: a chain leaving the zone stops at its target", "[recursion]") {
    Run run;
    ResponseSpec s = spec_for("www.example.com", t::A, kAA);
    s.answer = {{"www.example.com", t::CNAME, 300, rdata_name("www.example.net")},
                {"www.example.net", t::A, 300, rdata_a("203.0.113.66")}};  // not this server's to say
    Classification c = run.classify(s, "example.com");
    CHECK(c.kind == ResponseClass::cname);
    CHECK(c.target == wire("www.example.net"));
    CHECK(c.chain_links == 1);
    CHECK(run.rank("www.example.com", t::CNAME) == Trust::answer_auth);
    CHECK(run.rank("www.example.net", t::A) == kNone);

    // A chain that ends inside the zone with nothing more: go on at the target.
    Run run2;
    ResponseSpec s2 = spec_for("www.example.com", t::A, kAA);
    s2.answer = {{"www.example.com", t::CNAME, 300, rdata_name("later.example.com")}};
    Classification c2 = run2.classify(s2, "example.com");
    CHECK(c2.kind == ResponseClass::cname);
    CHECK(c2.target == wire("later.example.com"));
}

TEST_CASE("response_classifier: at most max_chain links are read from one message", "[recursion]") {
    Run run;
    ResponseSpec s = spec_for("a.example.com", t::A, kAA);
    s.answer = {{"a.example.com", t::CNAME, 300, rdata_name("b.example.com")},
                {"b.example.com", t::CNAME, 300, rdata_name("c.example.com")},
                {"c.example.com", t::CNAME, 300, rdata_name("d.example.com")},
                {"d.example.com", t::A, 300, rdata_a("192.0.2.4")}};
    ClassifyLimits limits;
    limits.max_chain = 2;
    Classification c = run.classify(s, "example.com", limits);
    CHECK(c.chain_links == 2);
    CHECK(c.kind == ResponseClass::cname);
    CHECK(c.target == wire("c.example.com"));
    CHECK(run.rank("c.example.com", t::CNAME) == kNone);
    CHECK(run.rank("d.example.com", t::A) == kNone);

    limits.max_chain = 3;
    Run run2;
    Classification c2 = run2.classify(s, "example.com", limits);
    CHECK(c2.kind == ResponseClass::answer);
    CHECK(c2.chain_links == 3);
    CHECK(c2.target == wire("d.example.com"));
}

TEST_CASE("response_classifier: a DNAME is cached and its CNAME synthesised, the server's not taken",
          "[recursion]") {
    Run run;
    SECTION("target outside the zone") {
        ResponseSpec s = spec_for("www.old.example.com", t::A, kAA);
        s.answer = {{"old.example.com", t::DNAME, 3600, rdata_name("new.example.net")},
                    {"www.old.example.com", t::CNAME, 0, rdata_name("www.evil.example")}};  // a lie
        Classification c = run.classify(s, "example.com");
        CHECK(c.kind == ResponseClass::cname);
        CHECK(c.target == wire("www.new.example.net"));
        CHECK(c.chain_links == 1);
        CHECK(run.rank("old.example.com", t::DNAME) == Trust::answer_auth);
        CHECK(run.rank("www.old.example.com", t::CNAME) == kNone);
        CHECK(run.cache.has_dnames());
    }
    SECTION("target inside the zone, answered there") {
        ResponseSpec s = spec_for("a.b.old.example.com", t::A, kAA);
        s.answer = {{"old.example.com", t::DNAME, 3600, rdata_name("new.example.com")},
                    {"a.b.old.example.com", t::CNAME, 0, rdata_name("a.b.new.example.com")},
                    {"a.b.new.example.com", t::A, 300, rdata_a("192.0.2.8")}};
        Classification c = run.classify(s, "example.com");
        CHECK(c.kind == ResponseClass::answer);
        CHECK(c.target == wire("a.b.new.example.com"));
        CHECK(c.chain_links == 1);
        CHECK(run.rank("old.example.com", t::DNAME) == Trust::answer_auth);
        CHECK(run.rank("a.b.old.example.com", t::CNAME) == kNone);
        CHECK(run.rank("a.b.new.example.com", t::A) == Trust::answer_auth);
    }
    SECTION("a synthesis too long for a name: nothing followed, not the server's CNAME either") {
        std::string label(60, 'x');
        std::string qname = label + "." + label + "." + label + ".d.example.com";
        ResponseSpec s = spec_for(qname, t::A, kAA);
        s.answer = {{"d.example.com", t::DNAME, 3600, rdata_name(label + "." + label + ".example.net")},
                    {qname, t::CNAME, 0, rdata_name("www.evil.example")}};
        Classification c = run.classify(s, "example.com");
        CHECK(c.chain_links == 0);
        CHECK(c.target == wire(qname));
        CHECK(run.rank(qname, t::CNAME) == kNone);
    }
    SECTION("a DNAME outside the zone is not believed") {
        ResponseSpec s = spec_for("www.sub.example.com", t::A, kAA);
        s.answer = {{"example.com", t::DNAME, 3600, rdata_name("evil.example")}};
        Classification c = run.classify(s, "sub.example.com");
        CHECK(c.chain_links == 0);
        CHECK(c.target == wire("www.sub.example.com"));
        CHECK(run.rank("example.com", t::DNAME) == kNone);
        CHECK_FALSE(run.cache.has_dnames());
    }
}

TEST_CASE("response_classifier: negative answers carry min(SOA TTL, MINIMUM)", "[recursion]") {
    Run run;
    std::uint8_t rcode = GENERATE(dns::rcode::NXDOMAIN, dns::rcode::NOERROR);
    ResponseClass expected = rcode == dns::rcode::NXDOMAIN ? ResponseClass::nxdomain : ResponseClass::nodata;
    Bytes soa = rdata_soa(300, "ns1.example.com.", "hostmaster.example.com.");

    SECTION("MINIMUM lower") {
        ResponseSpec s = spec_for("nope.example.com", t::A, kAA, rcode);
        s.authority = {{"example.com", t::SOA, 3600, soa}};
        Classification c = run.classify(s, "example.com");
        CHECK(c.kind == expected);
        CHECK(c.authoritative);
        CHECK(c.has_soa);
        CHECK(c.soa_owner == wire("example.com"));
        CHECK(c.soa_rdata == soa);
        CHECK(c.negative_ttl == 300);
        CHECK(c.target == wire("nope.example.com"));
        CHECK(run.cache.stats().entries == 0);  // negative entries are the iterator's to store
    }
    SECTION("SOA TTL lower") {
        ResponseSpec s = spec_for("nope.example.com", t::A, kAA, rcode);
        s.authority = {{"example.com", t::SOA, 60, soa}};
        Classification c = run.classify(s, "example.com");
        CHECK(c.kind == expected);
        CHECK(c.negative_ttl == 60);
    }
    SECTION("without AA, the in-bailiwick SOA still makes it negative") {
        ResponseSpec s = spec_for("nope.example.com", t::A, 0, rcode);
        s.authority = {{"example.com", t::SOA, 3600, soa}};
        Classification c = run.classify(s, "example.com");
        CHECK(c.kind == expected);
        CHECK(c.has_soa);
    }
    SECTION("an out-of-bailiwick SOA is not used") {
        ResponseSpec s = spec_for("nope.example.com", t::A, kAA, rcode);
        s.authority = {{"evil.example", t::SOA, 3600, soa}};
        Classification c = run.classify(s, "example.com");
        CHECK(c.kind == expected);
        CHECK_FALSE(c.has_soa);
    }
    SECTION("after a CNAME the negative answer is about the chain's end") {
        ResponseSpec s = spec_for("www.example.com", t::A, kAA, rcode);
        s.answer = {{"www.example.com", t::CNAME, 300, rdata_name("gone.example.com")}};
        s.authority = {{"example.com", t::SOA, 3600, soa}};
        Classification c = run.classify(s, "example.com");
        CHECK(c.kind == expected);
        CHECK(c.target == wire("gone.example.com"));
        CHECK(c.chain_links == 1);
        CHECK(c.negative_ttl == 300);
    }
}

TEST_CASE("response_classifier: an empty NOERROR without AA and without SOA is lame", "[recursion]") {
    Run run;
    ResponseSpec s = spec_for("www.example.com", t::A);
    CHECK(run.classify(s, "example.com").kind == ResponseClass::lame);
    // With AA it is a NODATA (not cacheable: no SOA).
    ResponseSpec aa = spec_for("www.example.com", t::A, kAA);
    Classification c = run.classify(aa, "example.com");
    CHECK(c.kind == ResponseClass::nodata);
    CHECK_FALSE(c.has_soa);
    // An answer from outside the zone asked is no answer.
    ResponseSpec out = spec_for("www.example.net", t::A, kAA);
    out.answer = {{"www.example.net", t::A, 300, rdata_a("203.0.113.66")}};
    CHECK(run.classify(out, "example.com").kind != ResponseClass::answer);
    CHECK(run.rank("www.example.net", t::A) == kNone);
}

TEST_CASE("response_classifier: glue is capped at max_glue records", "[recursion]") {
    unsigned cap = GENERATE(26u, 4u);
    Run run;
    ResponseSpec s = spec_for("www.example.com", t::A);
    for (int i = 0; i < 30; ++i) {
        std::string ns = "ns" + std::to_string(i) + ".example.com";
        s.authority.push_back({"example.com", t::NS, 3600, rdata_name(ns)});
        s.additional.push_back({ns, t::A, 3600, rdata_a("192.0.2.1")});
    }
    ClassifyLimits limits;
    limits.max_glue = cap;
    Classification c = run.classify(s, "com", limits);
    CHECK(c.kind == ResponseClass::referral);
    CHECK(c.glue_cached == cap);
    unsigned cached = 0;
    for (int i = 0; i < 30; ++i)
        if (run.rank("ns" + std::to_string(i) + ".example.com", t::A) != kNone) ++cached;
    CHECK(cached == cap);
    CHECK(run.count("example.com", t::NS) == 30);
}

TEST_CASE("response_classifier: an NS answer caches its in-zone glue, ANY collects the types",
          "[recursion]") {
    Run run;
    ResponseSpec s = spec_for("example.com", t::NS, kAA);
    s.answer = {{"example.com", t::NS, 3600, rdata_name("ns1.example.com")},
                {"example.com", t::NS, 3600, rdata_name("ns.other.net")}};
    s.additional = {{"ns1.example.com", t::A, 3600, rdata_a("192.0.2.1")},
                    {"ns.other.net", t::A, 3600, rdata_a("203.0.113.66")}};
    Classification c = run.classify(s, "example.com");
    CHECK(c.kind == ResponseClass::answer);
    CHECK(run.rank("example.com", t::NS) == Trust::answer_auth);
    CHECK(run.rank("ns1.example.com", t::A) == Trust::additional);
    CHECK(run.rank("ns.other.net", t::A) == kNone);

    ResponseSpec any = spec_for("host.example.com", t::ANY, kAA);
    any.answer = {{"host.example.com", t::A, 300, rdata_a("192.0.2.5")},
                  {"host.example.com", t::TXT, 300, rdata_txt(5)},
                  {"other.example.com", t::A, 300, rdata_a("192.0.2.6")}};
    Classification ca = run.classify(any, "example.com");
    CHECK(ca.kind == ResponseClass::answer);
    CHECK(ca.any_types == std::vector<std::uint16_t>{t::A, t::TXT});
    CHECK(run.rank("host.example.com", t::TXT) == Trust::answer_auth);
    CHECK(run.rank("other.example.com", t::A) == kNone);
}

TEST_CASE("response_classifier: wire-name helpers", "[recursion]") {
    CHECK(parent_name(wire("www.example.com")) == wire("example.com"));
    CHECK(parent_name(wire("com")) == wire("."));
    CHECK(parent_name(wire(".")).empty());
    CHECK(name_suffix(wire("a.b.example.com"), 2) == wire("example.com"));
    CHECK(name_suffix(wire("a.b.example.com"), 0) == wire("."));
    CHECK(name_suffix(wire("example.com"), 5) == wire("example.com"));
}
