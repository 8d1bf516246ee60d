// Each misbehaviour of a fake authoritative server is the one its name
// promises, since the recursion scenario tests rely on them to provoke the
// resolver's fallbacks and defences.
#include <catch2/catch.hpp>

#include "support/fake_authority.h"
#include "unit/support/fake_hierarchy.h"

using namespace lanlord;
using namespace lanlord::test;

namespace {
namespace t = dns::type;
const Lines kNone;
}  // namespace

TEST_CASE("fake misbehaviour: silent never answers, over UDP or TCP") {
    auto s = server_with("192.0.2.80", example_zone(), Behaviour::silent);
    CHECK_FALSE(s.answer(make_query("www.example.zz", t::A), false));
    CHECK_FALSE(s.answer(make_query("www.example.zz", t::A), true));
    // A normal server does not answer responses or runts either.
    s.behaviour = Behaviour::normal;
    CHECK_FALSE(s.answer(make_response({.qname = "www.example.zz", .id = 1}), false));
    CHECK_FALSE(s.answer(Bytes{1, 2, 3}, false));
}

TEST_CASE("fake misbehaviour: refused and servfail echo the question and carry no records") {
    for (auto [b, rcode] : {std::pair{Behaviour::refused, dns::rcode::REFUSED},
                            std::pair{Behaviour::servfail, dns::rcode::SERVFAIL}}) {
        auto s = server_with("192.0.2.80", example_zone(), b);
        auto r = ask(s, "Www.Example.zz", t::A, {.id = 99, .edns_udp = 1232});
        CHECK(r->rcode() == rcode);
        CHECK(r->m.header.id == 99);
        CHECK_FALSE(r->aa());
        CHECK(r->question_as_sent() == "Www.Example.zz.");
        CHECK(r->m.records().size() == 2);  // the question and the OPT
        CHECK(r->m.edns.present);
    }
}

TEST_CASE("fake misbehaviour: formerr_on_edns answers FORMERR without OPT to EDNS, normally without") {
    auto s = server_with("192.0.2.80", example_zone(), Behaviour::formerr_on_edns);
    auto r = ask(s, "www.example.zz", t::A, {.edns_udp = 1232});
    CHECK(r->rcode() == dns::rcode::FORMERR);
    CHECK_FALSE(r->m.edns.present);
    CHECK(r->m.header.arcount == 0);
    CHECK(r->answer() == kNone);
    CHECK(r->question_as_sent() == "www.example.zz.");
    r = ask(s, "www.example.zz", t::A, {.edns_udp = 1232}, /*tcp=*/true);
    CHECK(r->rcode() == dns::rcode::FORMERR);

    r = ask(s, "www.example.zz", t::A);
    CHECK(r->rcode() == dns::rcode::NOERROR);
    CHECK(r->aa());
    CHECK(r->answer() == Lines{"www.example.zz. 300 A 192.0.2.1"});
}

TEST_CASE("fake misbehaviour: tcp_only truncates every UDP answer, answers whole over TCP") {
    auto s = server_with("192.0.2.80", example_zone(), Behaviour::tcp_only);
    auto r = ask(s, "www.example.zz", t::A, {.edns_udp = 4096});
    CHECK(r->tc());
    CHECK(r->answer() == kNone);
    CHECK(r->authority() == kNone);
    CHECK(r->additional() == kNone);
    r = ask(s, "nope.example.zz", t::A);
    CHECK(r->tc());
    CHECK(r->authority() == kNone);

    r = ask(s, "www.example.zz", t::A, {.edns_udp = 4096}, /*tcp=*/true);
    CHECK_FALSE(r->tc());
    CHECK(r->aa());
    CHECK(r->answer() == Lines{"www.example.zz. 300 A 192.0.2.1"});
}

TEST_CASE("fake misbehaviour: lame answers every name with a non-authoritative upward referral") {
    auto s = server_with("192.0.2.80", example_zone(), Behaviour::lame);
    for (const char* name : {"www.example.zz", "www.other.yy"}) {
        auto r = ask(s, name, t::A);
        CHECK(r->rcode() == dns::rcode::NOERROR);
        CHECK_FALSE(r->aa());
        CHECK(r->answer() == kNone);
        CHECK(r->authority() == Lines{". 3600 NS a.root-servers.net."});
        CHECK(r->additional() == kNone);
    }
}

TEST_CASE("fake misbehaviour: poison adds out-of-bailiwick records to all three sections") {
    auto s = server_with("192.0.2.80", example_zone(), Behaviour::poison);
    auto r = ask(s, "www.example.zz", t::A);
    CHECK(r->aa());
    CHECK(r->answer() == Lines{"www.example.zz. 300 A 192.0.2.1", "www.victim.test. 300 A 203.0.113.66"});
    CHECK(r->authority() == Lines{"zz. 300 NS ns.attacker.test."});
    CHECK(r->additional() ==
          Lines{"ns.attacker.test. 300 A 203.0.113.66", "www.victim.test. 300 A 203.0.113.66"});

    // On a referral from the root, the poisoned NS claims the root itself.
    auto root = server_with("198.41.0.4", root_zone(), Behaviour::poison);
    r = ask(root, "www.example.zz", t::A);
    CHECK_FALSE(r->aa());
    CHECK(r->authority() ==
          Lines{"zz. 172800 NS ns1.nic.zz.", "zz. 172800 NS ns2.nic.zz.", ". 300 NS ns.attacker.test."});
    CHECK(r->additional().size() == 4);
}

TEST_CASE("fake misbehaviour: wrong_name answers a question for another name") {
    auto s = server_with("192.0.2.80", example_zone(), Behaviour::wrong_name);
    auto r = ask(s, "www.example.zz", t::A);
    CHECK(r->question_as_sent() == "wrong.example.zz.");
    CHECK(r->rcode() == dns::rcode::NXDOMAIN);
    s.zone("example.zz.").add("wrong.example.zz.", 300, "A", "203.0.113.9");
    r = ask(s, "www.example.zz", t::A);
    CHECK(r->question_as_sent() == "wrong.example.zz.");
    CHECK(r->answer() == Lines{"wrong.example.zz. 300 A 203.0.113.9"});
}
