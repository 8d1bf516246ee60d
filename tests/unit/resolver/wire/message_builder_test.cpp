#include <catch2/catch.hpp>

#include "resolver/wire/message_builder.h"
#include "resolver/wire/response_scan.h"
#include "support/dns_builder.h"

using namespace lanlord;
using namespace lanlord::test;

TEST_CASE("message_builder: error answers echo ID, question, RD and carry the rcode") {
    auto query = make_query("Example.ORG", dns::type::A, {.id = 0xBEEF, .edns_udp = 1232});
    QueryView q;
    REQUIRE(parse_query(query, q) == QueryStatus::ok);
    std::vector<std::uint8_t> out(512);
    std::size_t n = build_error_answer(query, q, dns::rcode::REFUSED, {}, out);
    REQUIRE(n == q.question_end + 11);
    CHECK(load_u16(out.data()) == 0xBEEF);
    std::uint16_t flags = load_u16(out.data() + 2);
    CHECK((flags & 0x0F) == dns::rcode::REFUSED);
    CHECK(flags & dns::flag::QR);
    CHECK(flags & dns::flag::RD);
    CHECK(
        std::equal(query.begin() + 12, query.begin() + static_cast<long>(q.question_end), out.begin() + 12));
    CHECK(load_u16(out.data() + 10) == 1);  // our OPT

    // BADVERS (16) needs the extended rcode bits in OPT: 16 >> 4 == 1.
    n = build_error_answer(query, q, dns::rcode::BADVERS, {}, out);
    CHECK(out[n - 6] == 1);
    CHECK((load_u16(out.data() + 2) & 0x0F) == 0);
}

TEST_CASE("message_builder: finish_answer restores the client's ID, case and bits, truncates to the limit") {
    ResponseSpec s{.qname = "www.example.org", .qtype = dns::type::TXT};
    s.answer = {{"www.example.org", dns::type::TXT, 300, rdata_txt(1000)}};
    ScannedResponse r;
    REQUIRE(scan_response(make_response(s), wire("www.example.org"), dns::type::TXT, dns::kClassIN, {}, r) ==
            ScanStatus::ok);
    auto query = make_query("WwW.ExAmPlE.oRg", dns::type::TXT,
                            {.id = 4242, .flags = dns::flag::RD | dns::flag::CD, .edns_udp = 4096});
    QueryView q;
    REQUIRE(parse_query(query, q) == QueryStatus::ok);
    std::vector<std::uint8_t> out(65535);
    std::copy(r.stored.begin(), r.stored.end(), out.begin());
    std::size_t n = finish_answer(out, r.stored.size(), q, query, {}, udp_answer_limit(q, {}));
    REQUIRE(n == r.stored.size() + 11);
    CHECK(load_u16(out.data()) == 4242);
    std::uint16_t flags = load_u16(out.data() + 2);
    CHECK(flags & dns::flag::CD);
    CHECK(flags & dns::flag::RA);
    CHECK_FALSE(flags & dns::flag::TC);
    CHECK(std::equal(query.begin() + 12, query.begin() + 12 + static_cast<long>(q.qname_len),
                     out.begin() + 12));

    // A client without EDNS has 512 bytes: header and question with TC=1.
    auto small = make_query("www.example.org", dns::type::TXT);
    REQUIRE(parse_query(small, q) == QueryStatus::ok);
    CHECK(udp_answer_limit(q, {}) == 512);
    std::copy(r.stored.begin(), r.stored.end(), out.begin());
    n = finish_answer(out, r.stored.size(), q, small, {}, udp_answer_limit(q, {}));
    CHECK(n == q.question_end);
    CHECK(load_u16(out.data() + 2) & dns::flag::TC);
    CHECK(load_u16(out.data() + 6) == 0);
}

TEST_CASE("message_builder: the answer limit is min(client, ours), at least 512") {
    QueryView q;
    auto a = make_query("x", dns::type::A, {.edns_udp = 4096});
    REQUIRE(parse_query(a, q) == QueryStatus::ok);
    CHECK(udp_answer_limit(q, {.udp_size = 1232}) == 1232);
    auto b = make_query("x", dns::type::A, {.edns_udp = 800});
    REQUIRE(parse_query(b, q) == QueryStatus::ok);
    CHECK(udp_answer_limit(q, {.udp_size = 1232}) == 800);
}

TEST_CASE("message_builder: upstream query sets RD, EDNS and DO") {
    std::uint8_t buf[512];
    std::size_t n =
        build_upstream_query(wire("example.org"), dns::type::AAAA, 1, 0x5555, true, false, 1232, buf);
    QueryView q;
    REQUIRE(parse_query({buf, n}, q) == QueryStatus::ok);
    CHECK(q.id == 0x5555);
    CHECK(q.rd());
    CHECK(q.edns_do);
    CHECK(q.edns_udp_size == 1232);
    CHECK(q.qtype == dns::type::AAAA);
}
