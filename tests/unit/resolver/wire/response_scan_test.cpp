#include <catch2/catch.hpp>

#include "resolver/wire/response_scan.h"
#include "support/dns_builder.h"

using namespace lanlord;
using namespace lanlord::test;

namespace {
std::uint32_t ttl_at(const ScannedResponse& r, std::size_t i) {
    return load_u32(r.stored.data() + r.ttl_offsets[i]);
}
}  // namespace

TEST_CASE("response_scan: positive answer, OPT stripped, lifetime is the smallest TTL") {
    ResponseSpec s{.qname = "www.example.org", .id = 77};
    s.answer = {{"www.example.org", dns::type::CNAME, 600, rdata_name("web.example.org")},
                {"web.example.org", dns::type::A, 300, rdata_a("192.0.2.1")}};
    s.authority = {{"example.org", dns::type::NS, 900, rdata_name("ns.example.org")}};
    auto msg = make_response(s);
    ScannedResponse r;
    REQUIRE(scan_response(msg, wire("www.example.org"), dns::type::A, dns::kClassIN, {}, r) ==
            ScanStatus::ok);
    CHECK(r.id == 77);
    CHECK(r.kind == ResponseKind::positive);
    CHECK(r.cacheable());
    CHECK(r.lifetime == 300);
    CHECK(r.ttl_offsets.size() == 3);
    CHECK(r.stored.size() == msg.size() - 11);   // OPT gone
    CHECK(load_u16(r.stored.data() + 10) == 0);  // ARCOUNT
    CHECK(load_u16(r.stored.data()) == 0);       // ID zeroed
}

TEST_CASE("response_scan: TTLs are clamped at insertion") {
    ResponseSpec s{.qname = "a.example"};
    s.answer = {{"a.example", dns::type::A, 5, rdata_a("192.0.2.1")},
                {"a.example", dns::type::A, 999999, rdata_a("192.0.2.2")},
                {"a.example", dns::type::A, 0x80000010u, rdata_a("192.0.2.3")}};
    auto msg = make_response(s);
    ScannedResponse r;
    TtlPolicy p{.min_ttl = 10, .max_ttl = 3600, .negative_max_ttl = 3600};
    REQUIRE(scan_response(msg, wire("a.example"), dns::type::A, dns::kClassIN, p, r) == ScanStatus::ok);
    CHECK(ttl_at(r, 0) == 10);
    CHECK(ttl_at(r, 1) == 3600);
    // RFC 2181 8: top bit set means 0, and a TTL 0 answer is passed on, not kept.
    CHECK(ttl_at(r, 2) == 10);
    CHECK_FALSE(r.cacheable());
}

TEST_CASE("response_scan: negative TTL is min(SOA TTL, SOA MINIMUM), capped (RFC 2308 section 5)") {
    ResponseSpec s{.qname = "nope.example", .rcode = dns::rcode::NXDOMAIN};
    s.authority = {{"example", dns::type::SOA, 7200, rdata_soa(120)}};
    ScannedResponse r;
    REQUIRE(scan_response(make_response(s), wire("nope.example"), dns::type::A, dns::kClassIN, {}, r) ==
            ScanStatus::ok);
    CHECK(r.kind == ResponseKind::nxdomain);
    CHECK(r.lifetime == 120);
    CHECK(ttl_at(r, 0) == 120);  // the SOA handed out carries the negative TTL

    s.authority = {{"example", dns::type::SOA, 30, rdata_soa(120)}};
    REQUIRE(scan_response(make_response(s), wire("nope.example"), dns::type::A, dns::kClassIN, {}, r) ==
            ScanStatus::ok);
    CHECK(r.lifetime == 30);

    s.authority = {{"example", dns::type::SOA, 86400, rdata_soa(86400)}};
    TtlPolicy capped{.negative_max_ttl = 600};
    REQUIRE(scan_response(make_response(s), wire("nope.example"), dns::type::A, dns::kClassIN, capped, r) ==
            ScanStatus::ok);
    CHECK(r.lifetime == 600);

    ResponseSpec nodata{.qname = "www.example", .qtype = dns::type::AAAA};
    nodata.authority = {{"example", dns::type::SOA, 300, rdata_soa(60)}};
    REQUIRE(scan_response(make_response(nodata), wire("www.example"), dns::type::AAAA, dns::kClassIN, {},
                          r) == ScanStatus::ok);
    CHECK(r.kind == ResponseKind::nodata);
    CHECK(r.lifetime == 60);
}

TEST_CASE("response_scan: what is not cached") {
    ScannedResponse r;
    ResponseSpec nosoa{.qname = "nope.example", .rcode = dns::rcode::NXDOMAIN};
    REQUIRE(scan_response(make_response(nosoa), wire("nope.example"), dns::type::A, dns::kClassIN, {}, r) ==
            ScanStatus::ok);
    CHECK_FALSE(r.cacheable());  // negative without SOA
    ResponseSpec fail{.qname = "x.example", .rcode = dns::rcode::SERVFAIL};
    REQUIRE(scan_response(make_response(fail), wire("x.example"), dns::type::A, dns::kClassIN, {}, r) ==
            ScanStatus::ok);
    CHECK(r.kind == ResponseKind::server_error);
    CHECK_FALSE(r.cacheable());
    ResponseSpec zero{.qname = "z.example"};
    zero.answer = {{"z.example", dns::type::A, 0, rdata_a("192.0.2.1")}};
    REQUIRE(scan_response(make_response(zero), wire("z.example"), dns::type::A, dns::kClassIN, {}, r) ==
            ScanStatus::ok);
    CHECK_FALSE(r.cacheable());
    CHECK(r.stored.size() > 12);  // still passed on to the client
}

TEST_CASE("response_scan: question must match, hostile responses are refused") {
    ResponseSpec s{.qname = "www.example.org"};
    s.answer = {{"www.example.org", dns::type::A, 300, rdata_a("192.0.2.1")}};
    auto msg = make_response(s);
    ScannedResponse r;
    CHECK(scan_response(msg, wire("other.example.org"), dns::type::A, dns::kClassIN, {}, r) ==
          ScanStatus::question_mismatch);
    CHECK(scan_response(msg, wire("www.example.org"), dns::type::AAAA, dns::kClassIN, {}, r) ==
          ScanStatus::question_mismatch);
    auto query = make_query("www.example.org", dns::type::A);
    CHECK(scan_response(query, wire("www.example.org"), dns::type::A, dns::kClassIN, {}, r) ==
          ScanStatus::not_a_response);
    // Every truncation is malformed or mismatched, never a crash, never "ok" with records missing.
    for (std::size_t n = 13; n + 1 < msg.size(); ++n) {
        std::vector<std::uint8_t> cut(msg.begin(), msg.begin() + static_cast<long>(n));
        CHECK(scan_response(cut, wire("www.example.org"), dns::type::A, dns::kClassIN, {}, r) !=
              ScanStatus::ok);
    }
    // RDLENGTH pointing past the end.
    auto bad = msg;
    bad[bad.size() - 11 - 5] = 0xff;
    CHECK(scan_response(bad, wire("www.example.org"), dns::type::A, dns::kClassIN, {}, r) ==
          ScanStatus::malformed);
}

TEST_CASE("response_scan: a truncated answer is reported, not scanned") {
    ResponseSpec s{
        .qname = "big.example", .qtype = dns::type::TXT, .extra_flags = dns::flag::TC | dns::flag::RD};
    ScannedResponse r;
    REQUIRE(scan_response(make_response(s), wire("big.example"), dns::type::TXT, dns::kClassIN, {}, r) ==
            ScanStatus::ok);
    CHECK(r.truncated);
}

TEST_CASE("response_scan: the stored form never claims authority") {
    ResponseSpec s{.qname = "a.example", .extra_flags = dns::flag::AA | dns::flag::RD};
    s.answer = {{"a.example", dns::type::A, 60, rdata_a("192.0.2.1")}};
    ScannedResponse r;
    REQUIRE(scan_response(make_response(s), wire("a.example"), dns::type::A, dns::kClassIN, {}, r) ==
            ScanStatus::ok);
    CHECK(r.flags & dns::flag::AA);                              // what upstream said
    CHECK_FALSE(load_u16(r.stored.data() + 2) & dns::flag::AA);  // what clients get
}
