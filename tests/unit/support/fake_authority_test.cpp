// The fake authoritative servers answer like NSD (RFC 1034 4.3.2): the
// recursion scenario tests trust them, so their answers are checked here
// record by record.
#include <catch2/catch.hpp>

#include "support/fake_authority.h"
#include "unit/support/fake_hierarchy.h"

using namespace lanlord;
using namespace lanlord::test;

namespace {
namespace t = dns::type;
const Lines kNone;
const std::string kExampleSoa =
    "example.zz. 300 SOA ns1.example.zz. hostmaster.example.zz. 7 3600 600 86400 300";
}  // namespace

TEST_CASE("fake authority: the root and the TLD refer downwards with the glue they hold") {
    auto root = server_with("198.41.0.4", root_zone());
    auto r = ask(root, "www.example.zz", t::A);
    CHECK(r->rcode() == dns::rcode::NOERROR);
    CHECK_FALSE(r->aa());
    CHECK(r->answer() == kNone);
    CHECK(r->authority() == Lines{"zz. 172800 NS ns1.nic.zz.", "zz. 172800 NS ns2.nic.zz."});
    CHECK(r->additional() ==
          Lines{"ns1.nic.zz. 172800 A 192.0.2.53", "ns2.nic.zz. 172800 AAAA 2001:db8::53"});

    // Glue below the cut for the in-zone NS name; none for ns.other.yy.
    auto tld = server_with("192.0.2.53", zz_zone());
    r = ask(tld, "www.example.zz", t::AAAA);
    CHECK_FALSE(r->aa());
    CHECK(r->authority() ==
          Lines{"example.zz. 86400 NS ns1.example.zz.", "example.zz. 86400 NS ns.other.yy."});
    CHECK(r->additional() ==
          Lines{"ns1.example.zz. 86400 A 192.0.2.80", "ns1.example.zz. 86400 AAAA 2001:db8::80"});

    // The cut's own name, even for NS or for the glue's name, is a referral: the parent is not authoritative.
    for (const char* name : {"example.zz", "ns1.example.zz"}) {
        r = ask(tld, name, t::NS);
        CHECK_FALSE(r->aa());
        CHECK(r->answer() == kNone);
        CHECK(r->authority().size() == 2);
    }
}

TEST_CASE("fake authority: an in-zone answer is authoritative with the header echoed") {
    auto s = server_with("192.0.2.80", example_zone());
    auto r = ask(s, "www.example.zz", t::A, {.id = 0xBEEF, .flags = dns::flag::RD});
    CHECK(r->m.header.id == 0xBEEF);
    CHECK(r->aa());
    CHECK(r->m.header.has(dns::flag::RD));
    CHECK_FALSE(r->m.header.has(dns::flag::RA));
    CHECK_FALSE(r->tc());
    CHECK(r->rcode() == dns::rcode::NOERROR);
    CHECK(r->answer() == Lines{"www.example.zz. 300 A 192.0.2.1"});
    CHECK(r->authority() == kNone);
    CHECK(r->additional() == kNone);
    CHECK_FALSE(r->m.edns.present);

    r = ask(s, "www.example.zz", t::AAAA, {.id = 7, .flags = 0, .edns_udp = 4096, .dnssec_ok = true});
    CHECK(r->m.header.id == 7);
    CHECK_FALSE(r->m.header.has(dns::flag::RD));
    CHECK(r->answer() == Lines{"www.example.zz. 300 AAAA 2001:db8::1"});
    REQUIRE(r->m.edns.present);
    CHECK(r->m.edns.udp_size == kFakeServerUdpSize);
    CHECK(r->m.edns.dnssec_ok);

    // NS and MX answers carry the in-zone addresses as additional data.
    r = ask(s, "example.zz", t::NS);
    CHECK(r->aa());
    CHECK(r->answer() == Lines{"example.zz. 3600 NS ns1.example.zz."});
    CHECK(r->additional() == Lines{"ns1.example.zz. 3600 A 192.0.2.80"});
    r = ask(s, "mail.example.zz", t::MX);
    CHECK(r->answer() == Lines{"mail.example.zz. 3600 MX 10 mx.example.zz."});
    CHECK(r->additional() == Lines{"mx.example.zz. 3600 A 192.0.2.25"});
    r = ask(s, "1.2.example.zz", t::PTR);
    CHECK(r->answer() == Lines{"1.2.example.zz. 3600 PTR www.example.zz."});
    r = ask(s, "a.b.c.example.zz", t::TXT);
    CHECK(r->answer() == Lines{"a.b.c.example.zz. 3600 TXT \"deep\" \"down\""});
    r = ask(s, "example.zz", t::SOA);
    CHECK(r->answer() ==
          Lines{"example.zz. 3600 SOA ns1.example.zz. hostmaster.example.zz. 7 3600 600 86400 300"});
}

TEST_CASE("fake authority: a delegation inside the zone answered from is a referral, even for the glue") {
    auto s = server_with("192.0.2.80", example_zone());
    for (const char* name : {"www.sub.example.zz", "sub.example.zz", "ns.sub.example.zz"}) {
        auto r = ask(s, name, t::A);
        CHECK_FALSE(r->aa());
        CHECK(r->answer() == kNone);
        CHECK(r->authority() == Lines{"sub.example.zz. 3600 NS ns.sub.example.zz."});
        CHECK(r->additional() == Lines{"ns.sub.example.zz. 3600 A 192.0.2.90"});
    }
}

TEST_CASE("fake authority: CNAMEs are followed inside the zone, the last name giving the RCODE") {
    auto s = server_with("192.0.2.80", example_zone());
    auto r = ask(s, "alias.example.zz", t::A);
    CHECK(r->aa());
    CHECK(r->answer() ==
          Lines{"alias.example.zz. 60 CNAME www.example.zz.", "www.example.zz. 300 A 192.0.2.1"});

    r = ask(s, "chain.example.zz", t::AAAA);
    CHECK(r->answer() == Lines{"chain.example.zz. 60 CNAME alias.example.zz.",
                               "alias.example.zz. 60 CNAME www.example.zz.",
                               "www.example.zz. 300 AAAA 2001:db8::1"});

    // Leaving the zone: the CNAME alone, for the resolver to chase.
    r = ask(s, "outside.example.zz", t::A);
    CHECK(r->rcode() == dns::rcode::NOERROR);
    CHECK(r->answer() == Lines{"outside.example.zz. 60 CNAME www.other.yy."});
    CHECK(r->authority() == kNone);

    // Target missing: NXDOMAIN for it (RFC 6604) with the SOA, the CNAME kept.
    r = ask(s, "dangling.example.zz", t::A);
    CHECK(r->rcode() == dns::rcode::NXDOMAIN);
    CHECK(r->aa());
    CHECK(r->answer() == Lines{"dangling.example.zz. 60 CNAME nothere.example.zz."});
    CHECK(r->authority() == Lines{kExampleSoa});

    // Asking for the CNAME itself does not follow it.
    r = ask(s, "alias.example.zz", t::CNAME);
    CHECK(r->answer() == Lines{"alias.example.zz. 60 CNAME www.example.zz."});
}

TEST_CASE("fake authority: a DNAME above the name gives the DNAME and a synthesized CNAME (RFC 6672)") {
    auto s = server_with("192.0.2.80", example_zone());
    auto r = ask(s, "x.old.example.zz", t::A);
    CHECK(r->aa());
    CHECK(r->rcode() == dns::rcode::NOERROR);
    CHECK(r->answer() == Lines{"old.example.zz. 120 DNAME new.example.zz.",
                               "x.old.example.zz. 120 CNAME x.new.example.zz.",
                               "x.new.example.zz. 300 A 192.0.2.7"});

    r = ask(s, "y.old.example.zz", t::A);
    CHECK(r->rcode() == dns::rcode::NXDOMAIN);
    CHECK(r->answer() == Lines{"old.example.zz. 120 DNAME new.example.zz.",
                               "y.old.example.zz. 120 CNAME y.new.example.zz."});
    CHECK(r->authority() == Lines{kExampleSoa});

    // At the DNAME's own name nothing is redirected (RFC 6672 2.3).
    r = ask(s, "old.example.zz", t::DNAME);
    CHECK(r->answer() == Lines{"old.example.zz. 120 DNAME new.example.zz."});
    r = ask(s, "old.example.zz", t::A);
    CHECK(r->rcode() == dns::rcode::NOERROR);
    CHECK(r->answer() == kNone);
    CHECK(r->authority() == Lines{kExampleSoa});
}

TEST_CASE("fake authority: NODATA, NXDOMAIN and an empty non-terminal, each with the SOA") {
    auto s = server_with("192.0.2.80", example_zone());
    auto r = ask(s, "www.example.zz", t::MX);
    CHECK(r->aa());
    CHECK(r->rcode() == dns::rcode::NOERROR);
    CHECK(r->answer() == kNone);
    CHECK(r->authority() == Lines{kExampleSoa});  // TTL min(3600, MINIMUM 300): RFC 2308 3

    r = ask(s, "nope.example.zz", t::A);
    CHECK(r->aa());
    CHECK(r->rcode() == dns::rcode::NXDOMAIN);
    CHECK(r->answer() == kNone);
    CHECK(r->authority() == Lines{kExampleSoa});

    for (const char* ent : {"b.c.example.zz", "c.example.zz", "new.example.zz"}) {
        r = ask(s, ent, t::A);
        CHECK(r->rcode() == dns::rcode::NOERROR);
        CHECK(r->answer() == kNone);
        CHECK(r->authority() == Lines{kExampleSoa});
    }
    r = ask(s, "x.b.c.example.zz", t::A);
    CHECK(r->rcode() == dns::rcode::NXDOMAIN);
}

TEST_CASE("fake authority: names in no zone held are REFUSED, the deepest zone held answers") {
    auto s = server_with("192.0.2.80", example_zone());
    auto r = ask(s, "www.other.yy", t::A, {.edns_udp = 1232});
    CHECK(r->rcode() == dns::rcode::REFUSED);
    CHECK_FALSE(r->aa());
    CHECK(r->answer() == kNone);
    CHECK(r->authority() == kNone);
    CHECK(r->m.edns.present);
    r = ask(s, "zz", t::NS);
    CHECK(r->rcode() == dns::rcode::REFUSED);
    r = ask(s, "www.example.zz", t::A, {.qclass = dns::kClassCH});
    CHECK(r->rcode() == dns::rcode::REFUSED);

    // Parent and child on one server: the child answers, no referral to itself.
    s.serve(zz_zone());
    r = ask(s, "www.example.zz", t::A);
    CHECK(r->aa());
    CHECK(r->answer() == Lines{"www.example.zz. 300 A 192.0.2.1"});
    r = ask(s, "ns1.nic.zz", t::A);
    CHECK(r->answer() == Lines{"ns1.nic.zz. 3600 A 192.0.2.53"});
}

TEST_CASE("fake authority: the question comes back in the case sent (0x20), lower-cased by no_0x20") {
    auto s = server_with("192.0.2.80", example_zone());
    auto r = ask(s, "WwW.ExAmPlE.zZ", t::A);
    CHECK(r->question_as_sent() == "WwW.ExAmPlE.zZ.");
    CHECK(r->answer() == Lines{"www.example.zz. 300 A 192.0.2.1"});
    // Owners are compressed against the question, as real servers do, so they carry its case too.
    CHECK(name_to_text(r->m.owner_original_case(r->m.section(Section::answer)[0]).view()) ==
          "WwW.ExAmPlE.zZ.");

    s.behaviour = Behaviour::no_0x20;
    r = ask(s, "WwW.ExAmPlE.zZ", t::A);
    CHECK(r->question_as_sent() == "www.example.zz.");
    CHECK(r->aa());
    CHECK(r->answer() == Lines{"www.example.zz. 300 A 192.0.2.1"});
}

TEST_CASE("fake authority: UDP answers over the advertised size are TC=1 with empty sections, TCP is whole") {
    FakeZone z = example_zone();
    z.add_wire("big.example.zz.", 300, t::TXT, rdata_txt(3000));
    z.add_wire("medium.example.zz.", 300, t::TXT, rdata_txt(700));
    auto s = server_with("192.0.2.80", z);

    auto r = ask(s, "big.example.zz", t::TXT);  // no EDNS: 512
    CHECK(r->tc());
    CHECK(r->aa());
    CHECK(r->question_as_sent() == "big.example.zz.");
    CHECK(r->m.header.ancount + r->m.header.nscount + r->m.header.arcount == 0);
    r = ask(s, "big.example.zz", t::TXT, {.edns_udp = 1232});
    CHECK(r->tc());
    CHECK(r->answer() == kNone);
    CHECK(r->m.header.arcount == 1);  // the OPT stays
    CHECK(r->m.edns.present);
    r = ask(s, "big.example.zz", t::TXT, {.edns_udp = 4096});
    CHECK_FALSE(r->tc());
    CHECK(r->bytes.size() > 3000);
    CHECK(r->answer().size() == 1);
    r = ask(s, "big.example.zz", t::TXT, {}, /*tcp=*/true);
    CHECK_FALSE(r->tc());
    CHECK(r->answer().size() == 1);

    r = ask(s, "medium.example.zz", t::TXT);
    CHECK(r->tc());
    r = ask(s, "medium.example.zz", t::TXT, {.edns_udp = 100});  // below 512 counts as 512 (RFC 6891 6.2.5)
    CHECK(r->tc());
    r = ask(s, "medium.example.zz", t::TXT, {.edns_udp = 1232});
    CHECK_FALSE(r->tc());
    CHECK(r->answer().size() == 1);
    CHECK(r->bytes.size() <= 1232);
}

TEST_CASE("fake zone: text errors throw instead of building another zone, records can be removed") {
    FakeZone z("example.zz");
    CHECK_THROWS_AS(z.add("www.other.yy.", 300, "A", "192.0.2.1"), std::invalid_argument);
    CHECK_THROWS_AS(z.add("www.example.zz.", 300, "A", "2001:db8::1"), std::invalid_argument);
    CHECK_THROWS_AS(z.add("www.example.zz.", 300, "BOGUS", "x"), std::invalid_argument);
    CHECK_THROWS_AS(z.add("www.example.zz.", 300, "MX", "mx.example.zz."), std::invalid_argument);
    CHECK_THROWS_AS(z.add_line("www 300 IN"), std::invalid_argument);
    CHECK_THROWS_AS(z.add_line("www TXT \"open"), std::invalid_argument);
    CHECK(z.records().empty());

    z.add("WWW.example.zz", 300, "a", "192.0.2.1").add("www.example.zz.", 300, "AAAA", "2001:db8::1");
    z.add_line("mail 60 IN MX 5 mx.other.yy.");
    CHECK(z.records().size() == 3);
    CHECK(z.has(wire("www.example.zz"), t::A));
    CHECK(z.find(wire("mail.example.zz"), t::MX).at(0).ttl == 60);
    z.remove("www.example.zz.", "A");
    CHECK_FALSE(z.has(wire("www.example.zz"), t::A));
    CHECK(z.has(wire("www.example.zz"), t::AAAA));
    z.remove("www.example.zz.", "ANY");
    CHECK(z.records().size() == 1);

    FakeServer s{.address = *IpAddress::parse("192.0.2.80")};
    s.serve(z);
    CHECK(&s.zone("example.zz.") == &s.zones[0]);
    CHECK_THROWS_AS(s.zone("other.yy."), std::invalid_argument);
}
