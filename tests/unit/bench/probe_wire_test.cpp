#include <catch2/catch.hpp>

#include "bench_test_support.h"
#include "daemon/bench/probe_wire.h"

using namespace lanlord;
using namespace lanlord::bench;
using namespace lanlord::bench::test;

TEST_CASE("bench probe: the query is RD with EDNS0, DO and a 1232-byte buffer") {
    auto q = build_query(wire("www.example.org"), kTypeA, 0xBEEF);
    REQUIRE(q.size() == 12 + 17 + 4 + 11);
    CHECK(load_u16(q.data()) == 0xBEEF);
    CHECK(load_u16(q.data() + 2) == 0x0100);  // RD only
    CHECK(load_u16(q.data() + 4) == 1);       // one question
    CHECK(load_u16(q.data() + 10) == 1);      // one additional: OPT
    std::size_t opt = question_end(q);
    CHECK(q[opt] == 0);                                 // root owner
    CHECK(load_u16(q.data() + opt + 1) == 41);          // OPT
    CHECK(load_u16(q.data() + opt + 3) == kUdpSize);    // payload size
    CHECK(load_u32(q.data() + opt + 5) == 0x00008000);  // version 0, DO
    CHECK(load_u16(q.data() + opt + 9) == 0);
}

TEST_CASE("bench probe: a response is parsed and matched by ID and question") {
    auto q = build_query(wire("www.example.org"), kTypeA, 0x1234);
    auto r = respond(q, {.rcode = 0, .ad = true, .a_records = {0xC0000201, 0xC0000202}});
    ParsedResponse p;
    REQUIRE(parse_response(r, p) == ParseStatus::ok);
    CHECK(p.id == 0x1234);
    CHECK(p.ad);
    CHECK_FALSE(p.tc);
    CHECK(p.rcode == 0);
    CHECK(p.a_records == 2);
    REQUIRE(p.first_a);
    CHECK(p.first_a->to_string() == "192.0.2.1");
    CHECK(answers_query(p, 0x1234, wire("www.example.org"), kTypeA));
    CHECK_FALSE(answers_query(p, 0x1235, wire("www.example.org"), kTypeA));    // wrong ID
    CHECK_FALSE(answers_query(p, 0x1234, wire("www.example.com"), kTypeA));    // wrong name
    CHECK_FALSE(answers_query(p, 0x1234, wire("www.example.org"), kTypeSOA));  // wrong type
}

TEST_CASE("bench probe: the question matches in any letter case") {
    auto q = build_query(wire("www.example.org"), kTypeA, 7);
    auto upper = build_query(wire("www.example.org"), kTypeA, 7);
    for (std::size_t i = 12; i < question_end(upper) - 4; ++i)
        if (upper[i] >= 'a' && upper[i] <= 'z') upper[i] = static_cast<std::uint8_t>(upper[i] - 32);
    ParsedResponse p;
    REQUIRE(parse_response(respond(upper, {.rcode = 3}), p) == ParseStatus::ok);
    CHECK(p.rcode == 3);
    CHECK(answers_query(p, 7, wire("www.example.org"), kTypeA));
}

TEST_CASE("bench probe: hostile responses are refused or cut short, never over-read") {
    auto q = build_query(wire("a.test"), kTypeA, 1);
    ParsedResponse p;
    CHECK(parse_response(q, p) == ParseStatus::not_a_response);  // QR clear
    auto r = respond(q, {.a_records = {0x0A000001}});
    for (std::size_t n = 0; n < question_end(q); ++n) {
        std::vector<std::uint8_t> cut(r.begin(), r.begin() + static_cast<std::ptrdiff_t>(n));
        CHECK(parse_response(cut, p) != ParseStatus::ok);
    }
    // Answer count larger than the records present, a record cut in its
    // RDATA: the question is fine, the count ends where the data does.
    auto lying = respond(q, {.a_records = {0x0A000001, 0x0A000002}});
    store_u16(lying.data() + 6, 500);
    lying.resize(lying.size() - 2);
    REQUIRE(parse_response(lying, p) == ParseStatus::ok);
    CHECK(p.a_records == 1);
    // A compression pointer to itself in the answer's owner.
    auto loop = respond(q);
    store_u16(loop.data() + 6, 1);
    std::size_t at = loop.size();
    loop.push_back(0xC0);
    loop.push_back(static_cast<std::uint8_t>(at));
    REQUIRE(parse_response(loop, p) == ParseStatus::ok);
    CHECK(p.a_records == 0);
    // Two questions: no resolver sends that to a one-question query.
    auto two = respond(q);
    store_u16(two.data() + 4, 2);
    CHECK(parse_response(two, p) == ParseStatus::malformed);
}
