#include <catch2/catch.hpp>

#include "resolver/wire/query_view.h"
#include "support/dns_builder.h"

using namespace lanlord;
using namespace lanlord::test;

TEST_CASE("query_view: a plain query and an EDNS query") {
    QueryView q;
    auto plain = make_query("WWW.Example.org", dns::type::AAAA);
    REQUIRE(parse_query(plain, q) == QueryStatus::ok);
    CHECK(q.id == 0x1234);
    CHECK(q.rd());
    CHECK(q.qtype == dns::type::AAAA);
    CHECK(q.name() == wire("www.example.org"));
    CHECK_FALSE(q.has_edns);
    CHECK(q.question_end == plain.size());

    auto edns = make_query("example.org", dns::type::A, {.edns_udp = 4096, .dnssec_ok = true});
    REQUIRE(parse_query(edns, q) == QueryStatus::ok);
    CHECK(q.has_edns);
    CHECK(q.edns_do);
    CHECK(q.edns_udp_size == 4096);
}

TEST_CASE("query_view: hostile and malformed queries") {
    QueryView q;
    SECTION("shorter than a header: dropped") {
        Bytes b = {0x12, 0x34, 0x01};
        CHECK(parse_query(b, q) == QueryStatus::drop);
        CHECK(parse_query({}, q) == QueryStatus::drop);
    }
    SECTION("a response (QR set) is dropped, never answered (no reflection loops)") {
        auto b = make_query("example.org", dns::type::A, {.flags = dns::flag::QR});
        CHECK(parse_query(b, q) == QueryStatus::drop);
    }
    SECTION("truncated question") {
        auto b = make_query("example.org", dns::type::A);
        b.resize(b.size() - 3);
        CHECK(parse_query(b, q) == QueryStatus::formerr);
        CHECK(q.id == 0x1234);
        CHECK_FALSE(q.has_question());
    }
    SECTION("no question / two questions") {
        auto b = make_query("example.org", dns::type::A);
        b[5] = 0;
        CHECK(parse_query(b, q) == QueryStatus::formerr);
        b[5] = 2;
        CHECK(parse_query(b, q) == QueryStatus::formerr);
    }
    SECTION("compressed QNAME (pointer into the header)") {
        Bytes b = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 0x02, 0, 1, 0, 1};
        CHECK(parse_query(b, q) == QueryStatus::formerr);
    }
    SECTION("compression loop") {
        Bytes b = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 0x0C, 0, 1, 0, 1};
        CHECK(parse_query(b, q) == QueryStatus::formerr);
    }
    SECTION("label over 63 bytes") {
        Bytes b = make_query("a", dns::type::A);
        Bytes bad(b.begin(), b.begin() + 12);
        bad.push_back(64);
        bad.insert(bad.end(), 64, 'x');
        bad.insert(bad.end(), {0, 0, 1, 0, 1});
        CHECK(parse_query(bad, q) == QueryStatus::formerr);
    }
    SECTION("name over 255 bytes") {
        Bytes b = make_query("a", dns::type::A);
        Bytes bad(b.begin(), b.begin() + 12);
        for (int i = 0; i < 5; ++i) {
            bad.push_back(60);
            bad.insert(bad.end(), 60, 'x');
        }
        bad.insert(bad.end(), {0, 0, 1, 0, 1});
        CHECK(parse_query(bad, q) == QueryStatus::formerr);
    }
    SECTION("bad OPT: truncated, non-root owner, twice") {
        auto b = make_query("example.org", dns::type::A, {.edns_udp = 1232});
        auto cut = b;
        cut.resize(cut.size() - 4);
        CHECK(parse_query(cut, q) == QueryStatus::formerr);
        auto owner = make_query("example.org", dns::type::A);
        owner[11] = 1;
        owner.insert(owner.end(), {1, 'x', 0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 0});
        CHECK(parse_query(owner, q) == QueryStatus::formerr);
        auto twice = b;
        twice[11] = 2;
        twice.insert(twice.end(), b.end() - 11, b.end());
        CHECK(parse_query(twice, q) == QueryStatus::formerr);
    }
    SECTION("OPT with a tiny UDP size counts as 512 (RFC 6891 6.2.3)") {
        auto b = make_query("example.org", dns::type::A, {.edns_udp = 100});
        REQUIRE(parse_query(b, q) == QueryStatus::ok);
        CHECK(q.edns_udp_size == 512);
    }
    SECTION("EDNS version 1 gets BADVERS") {
        auto b = make_query("example.org", dns::type::A, {.edns_udp = 1232});
        b[b.size() - 5] = 1;  // version byte of the OPT TTL
        CHECK(parse_query(b, q) == QueryStatus::badvers);
    }
    SECTION("opcode other than QUERY: NOTIMP") {
        auto b = make_query("example.org", dns::type::A, {.flags = 2 << 11});
        CHECK(parse_query(b, q) == QueryStatus::notimp);
        CHECK(q.has_question());
    }
    SECTION("answer records in a query: FORMERR") {
        auto b = make_query("example.org", dns::type::A);
        b[7] = 1;
        CHECK(parse_query(b, q) == QueryStatus::formerr);
    }
    SECTION("every truncation of a valid EDNS query fails cleanly") {
        auto b = make_query("www.example.org", dns::type::A, {.edns_udp = 1232});
        for (std::size_t n = 0; n < b.size(); ++n) {
            Bytes cut(b.begin(), b.begin() + static_cast<long>(n));
            CHECK(parse_query(cut, q) != QueryStatus::ok);
        }
    }
}
