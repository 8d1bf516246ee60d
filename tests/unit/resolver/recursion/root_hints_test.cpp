#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "common/dns_name.h"
#include "resolver/recursion/root_hints.h"
#include "support/dns_builder.h"

using namespace lanlord;
using namespace lanlord::test;

namespace {
IpAddress ip(const char* text) {
    return *IpAddress::parse(text);
}

// In the style of IANA's named.root: comments, TTLs, class IN sometimes
// omitted, upper-case names.
const char* const kNamedRoot = R"(;       This file holds the information on root name servers needed to
;       initialize cache of Internet domain name servers
;       (e.g. reference this file in the "cache  .  <file>"
;       configuration file of BIND domain name servers).
;
;       This file is made available by InterNIC
;       under anonymous FTP as
;           file                /domain/named.cache
;
;       last update:     November 01, 2023
;       related version of root zone:     2023110101
;
; FORMERLY NS.INTERNIC.NET
;
.                        3600000      NS    A.ROOT-SERVERS.NET.
A.ROOT-SERVERS.NET.      3600000      A     198.41.0.4
A.ROOT-SERVERS.NET.      3600000      AAAA  2001:503:ba3e::2:30
;
; FORMERLY NS1.ISI.EDU
;
.                        3600000 IN   NS    b.root-servers.net.
B.Root-Servers.Net.      3600000 IN   A     170.247.170.2
b.root-servers.net.              in   aaaa  2801:1b8:10::b   ; a comment after a record
;
	.	NS	c.root-servers.net.
c.root-servers.net	A	192.33.4.12
; END OF FILE
)";

RootHintsError expect_error(const std::string& text) {
    RootHintsError err;
    auto hints = parse_root_hints(text, err);
    CHECK_FALSE(hints.has_value());
    CHECK_FALSE(err.message.empty());
    return err;
}

const char* const kGoodLine = ".  3600000 NS a.root-servers.net.\na.root-servers.net. 3600000 A 198.41.0.4\n";
}  // namespace

TEST_CASE("root_hints: the built-in hints are the 13 root servers, IPv4 and IPv6 each", "[recursion]") {
    const RootHints& h = builtin_root_hints();
    REQUIRE(h.servers.size() == 13);
    std::set<IpAddress> seen;
    char letter = 'a';
    for (const RootServer& s : h.servers) {
        INFO(name_to_text(s.name));
        CHECK(s.name == wire(std::string(1, letter) + ".root-servers.net"));
        REQUIRE(s.addresses.size() == 2);
        CHECK(s.addresses[0].is_v4());
        CHECK_FALSE(s.addresses[1].is_v4());
        seen.insert(s.addresses.begin(), s.addresses.end());
        ++letter;
    }
    CHECK(seen.size() == 26);
    CHECK(h.servers[0].addresses[0] == ip("198.41.0.4"));
    CHECK(h.servers[0].addresses[1] == ip("2001:503:ba3e::2:30"));
    // b.root-servers.net's 2023 renumbering.
    CHECK(h.servers[1].addresses[0] == ip("170.247.170.2"));
    CHECK(h.servers[1].addresses[1] == ip("2801:1b8:10::b"));
    CHECK(h.servers[12].addresses[0] == ip("202.12.27.33"));
    CHECK(h.servers[12].addresses[1] == ip("2001:dc3::35"));
    CHECK(&builtin_root_hints() == &h);
}

TEST_CASE("root_hints: a named.root file", "[recursion]") {
    RootHintsError err;
    auto hints = parse_root_hints(kNamedRoot, err);
    INFO(err.line << ": " << err.message);
    REQUIRE(hints);
    REQUIRE(hints->servers.size() == 3);
    CHECK(hints->servers[0].name == wire("a.root-servers.net"));
    CHECK(hints->servers[0].addresses == std::vector<IpAddress>{ip("198.41.0.4"), ip("2001:503:ba3e::2:30")});
    CHECK(hints->servers[1].name == wire("b.root-servers.net"));
    CHECK(hints->servers[1].addresses == std::vector<IpAddress>{ip("170.247.170.2"), ip("2801:1b8:10::b")});
    CHECK(hints->servers[2].name == wire("c.root-servers.net"));
    CHECK(hints->servers[2].addresses == std::vector<IpAddress>{ip("192.33.4.12")});

    // CRLF line ends, as a file edited elsewhere may have.
    std::string crlf;
    for (const char* p = kNamedRoot; *p; ++p) {
        if (*p == '\n') crlf += '\r';
        crlf += *p;
    }
    auto again = parse_root_hints(crlf, err);
    REQUIRE(again);
    CHECK(*again == *hints);
}

TEST_CASE("root_hints: the built-in hints written as named.root parse back to themselves", "[recursion]") {
    std::string text = "; generated\n";
    for (const RootServer& s : builtin_root_hints().servers)
        text += ". 518400 IN NS " + name_to_text(s.name) + "\n";
    for (const RootServer& s : builtin_root_hints().servers)
        for (const IpAddress& a : s.addresses)
            text +=
                name_to_text(s.name) + " 518400 IN " + (a.is_v4() ? "A " : "AAAA ") + a.to_string() + "\n";
    RootHintsError err;
    auto hints = parse_root_hints(text, err);
    INFO(err.line << ": " << err.message);
    REQUIRE(hints);
    CHECK(*hints == builtin_root_hints());
}

TEST_CASE("root_hints: other records are ignored, servers without an address dropped", "[recursion]") {
    RootHintsError err;
    auto hints = parse_root_hints(
        ".                 3600000 NS a.root-servers.net.\n"
        ".                 3600000 NS a.root-servers.net.\n"  // listed twice: one server
        ".                 3600000 NS noaddress.example.\n"
        "example.          3600000 NS ns.example.\n"  // not the root's NS set
        "ns.example.       3600000 A  192.0.2.53\n"   // not a root server
        "a.root-servers.net. 3600000 TXT hello\n"
        "example.          3600 IN MX 10 mail.example.\n"  // several data fields
        "example.          3600 IN SOA ns.example. host.example. 1 2 3 4 5\n"
        "a.root-servers.net. 3600000 A 198.41.0.4\n",
        err);
    INFO(err.line << ": " << err.message);
    REQUIRE(hints);
    REQUIRE(hints->servers.size() == 1);
    CHECK(hints->servers[0].name == wire("a.root-servers.net"));
    CHECK(hints->servers[0].addresses == std::vector<IpAddress>{ip("198.41.0.4")});

    // Class before TTL (RFC 1035 5.1 allows either order).
    hints = parse_root_hints(
        ". IN 3600000 NS d.root-servers.net.\nd.root-servers.net. IN 3600000 A 199.7.91.13\n", err);
    REQUIRE(hints);
    REQUIRE(hints->servers.size() == 1);
    CHECK(hints->servers[0].addresses == std::vector<IpAddress>{ip("199.7.91.13")});

    // An address before its NS record still counts.
    hints = parse_root_hints("a.root-servers.net. A 198.41.0.4\n. NS a.root-servers.net.\n", err);
    REQUIRE(hints);
    CHECK(hints->servers.size() == 1);
}

TEST_CASE("root_hints: errors say which line and why", "[recursion]") {
    RootHintsError err;
    REQUIRE(parse_root_hints(kGoodLine, err));

    SECTION("bad addresses") {
        err =
            expect_error(std::string(kGoodLine) + "; comment\na.root-servers.net. 3600000 A 198.41.0.400\n");
        CHECK(err.line == 4);
        CHECK(err.message.find("198.41.0.400") != std::string::npos);
        // An A record holding an IPv6 address, an AAAA holding an IPv4 one.
        err = expect_error(std::string(kGoodLine) + "a.root-servers.net. A 2001:503:ba3e::2:30\n");
        CHECK(err.line == 3);
        err = expect_error(std::string(kGoodLine) + "a.root-servers.net. AAAA 198.41.0.4\n");
        CHECK(err.line == 3);
        err = expect_error("a.root-servers.net. A ::ffff:198.41.0.4\n. NS a.root-servers.net.\n");
        CHECK(err.line == 1);
    }
    SECTION("bad names") {
        err = expect_error(std::string(kGoodLine) + "a..root-servers.net. A 198.41.0.4\n");
        CHECK(err.line == 3);
        CHECK(err.message.find("a..root-servers.net.") != std::string::npos);
        err = expect_error("\n\n. NS " + std::string(64, 'x') + ".root-servers.net.\n" + kGoodLine);
        CHECK(err.line == 3);
    }
    SECTION("wrong field counts") {
        err = expect_error(std::string(kGoodLine) + ". 3600000 NS\n");
        CHECK(err.line == 3);
        err = expect_error(std::string(kGoodLine) + ". NS a.root-servers.net. b.root-servers.net.\n");
        CHECK(err.line == 3);
        err = expect_error(std::string(kGoodLine) + "a.root-servers.net. 3600000 IN A\n");
        CHECK(err.line == 3);
        err = expect_error("a.root-servers.net.\n");
        CHECK(err.line == 1);
    }
    SECTION("no NS for the root, or no address for any of its servers") {
        err = expect_error("a.root-servers.net. 3600000 A 198.41.0.4\n");
        CHECK(err.line == 0);
        err = expect_error("example. NS ns.example.\nns.example. A 192.0.2.1\n");
        CHECK(err.line == 0);
        err = expect_error(
            ". NS a.root-servers.net.\n. NS b.root-servers.net.\nc.root-servers.net. A 192.0.2.1\n");
        CHECK(err.line == 0);
        err = expect_error("");
        CHECK(err.line == 0);
        err = expect_error("; only a comment\n\n   \n");
        CHECK(err.line == 0);
    }
}
