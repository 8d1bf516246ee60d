// CHAOS-class server names (RFC 4892), other classes and zone transfers:
// answered or refused by the engine itself, never forwarded.
#include <catch2/catch.hpp>
#include <string>

#include "support/engine_harness.h"

using namespace lanlord;
using namespace lanlord::test;

namespace {
EngineSettings with_identity(bool hide_identity = false, bool hide_version = false) {
    EngineSettings s;
    s.identity = {"pi.lan", "lanlord 9.9", hide_identity, hide_version};
    return s;
}

// The TXT string of the only answer record (owner is a pointer to the question).
std::string txt_of(const Answer& a) {
    std::size_t pos = 12;
    while (a.bytes[pos] != 0) pos += a.bytes[pos] + 1;
    pos += 5;  // root, qtype, qclass
    pos += 2;  // owner pointer
    CHECK(load_u16(a.bytes.data() + pos) == dns::type::TXT);
    CHECK(load_u16(a.bytes.data() + pos + 2) == dns::kClassCH);
    pos += 10;  // type, class, ttl, rdlength
    std::size_t n = a.bytes[pos];
    return std::string(a.bytes.begin() + static_cast<std::ptrdiff_t>(pos + 1),
                       a.bytes.begin() + static_cast<std::ptrdiff_t>(pos + 1 + n));
}
}  // namespace

TEST_CASE("engine: CHAOS id.server, hostname.bind, version.bind and version.server are answered locally") {
    Harness h({{"default", "", {ep("192.0.2.1")}, {wire(".")}, {}}}, with_identity());
    QueryOptions ch{.qclass = dns::kClassCH};
    h.ask("id.server", dns::type::TXT, ch);
    h.ask("HOSTNAME.bind", dns::type::TXT, ch);
    h.ask("version.bind", dns::type::TXT, ch);
    h.ask("version.server", dns::type::ANY, ch);
    REQUIRE(h.io.answers.size() == 4);
    for (const auto& a : h.io.answers) {
        CHECK(a.rcode() == dns::rcode::NOERROR);
        CHECK(a.count(0) == 1);
        CHECK((a.flags() & dns::flag::AA));
    }
    CHECK(txt_of(h.io.answers[0]) == "pi.lan");
    CHECK(txt_of(h.io.answers[1]) == "pi.lan");
    CHECK(txt_of(h.io.answers[2]) == "lanlord 9.9");
    CHECK(txt_of(h.io.answers[3]) == "lanlord 9.9");
    CHECK(h.io.sent.empty());  // never forwarded
}

TEST_CASE("engine: other CHAOS names, hidden names and other classes are REFUSED, never forwarded") {
    Harness h({{"default", "", {ep("192.0.2.1")}, {wire(".")}, {}}}, with_identity(true, true));
    QueryOptions ch{.qclass = dns::kClassCH};
    h.ask("id.server", dns::type::TXT, ch);               // hidden
    h.ask("version.bind", dns::type::TXT, ch);            // hidden
    h.ask("authors.bind", dns::type::TXT, ch);            // not ours
    h.ask("www.example", dns::type::A, ch);               // an ordinary name in class CH
    h.ask("www.example", dns::type::A, {.qclass = 4});    // HS
    h.ask("www.example", dns::type::A, {.qclass = 255});  // ANY
    REQUIRE(h.io.answers.size() == 6);
    for (const auto& a : h.io.answers) CHECK(a.rcode() == dns::rcode::REFUSED);
    CHECK(h.io.sent.empty());
    CHECK(h.engine.stats().refused == 6);
}

TEST_CASE("engine: a known CHAOS name asked for another type is NODATA") {
    Harness h({{"default", "", {ep("192.0.2.1")}, {wire(".")}, {}}}, with_identity());
    h.ask("version.bind", dns::type::A, {.qclass = dns::kClassCH});
    REQUIRE(h.io.answers.size() == 1);
    CHECK(h.io.answers[0].rcode() == dns::rcode::NOERROR);
    CHECK(h.io.answers[0].count(0) == 0);
    CHECK(h.io.sent.empty());
}

TEST_CASE("engine: AXFR and IXFR are REFUSED at once over UDP and TCP") {
    Harness h;
    ClientRef tcp = h.client;
    tcp.tcp = true;
    h.ask("example.com", dns::type::AXFR);
    h.ask("example.com", dns::type::IXFR);
    h.ask("example.com", dns::type::AXFR, {}, &tcp);
    h.ask("example.com", dns::type::IXFR, {}, &tcp);
    REQUIRE(h.io.answers.size() == 4);
    for (const auto& a : h.io.answers) CHECK(a.rcode() == dns::rcode::REFUSED);
    CHECK(h.io.sent.empty());
}
