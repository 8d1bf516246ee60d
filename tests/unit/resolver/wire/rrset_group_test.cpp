#include <catch2/catch.hpp>

#include "resolver/wire/rrset_group.h"
#include "resolver/wire/type_bitmap.h"
#include "support/raw_message.h"

using namespace lanlord;
using namespace lanlord::test;

namespace {
namespace t = dns::type;

Bytes rrsig_over(std::uint16_t covered, std::uint16_t key_tag) {
    Bytes b;
    put16(b, covered);
    b.push_back(13);
    b.push_back(2);
    put32(b, 300);
    put32(b, 2000000000);
    put32(b, 1000000000);
    put16(b, key_tag);
    put_name(b, "example.org");
    b.insert(b.end(), 64, 0x5A);
    return b;
}

std::vector<std::uint32_t> list(std::span<const std::uint32_t> s) {
    return {s.begin(), s.end()};
}
}  // namespace

TEST_CASE("rrset_group: sets by owner, type and class in first-seen order, RRSIGs attached",
          "[rrset_group]") {
    RawMessage m(1, 9, 0, 1);
    m.question("www.example.org", t::A);
    m.record("www.example.org", t::A, rdata_a("192.0.2.1"), 300);  // 1
    m.record("WWW.Example.org", t::RRSIG, rrsig_over(t::A, 11));   // 2: owner case ignored
    m.record("mail.example.org", t::A, rdata_a("192.0.2.9"), 60);  // 3
    m.record("www.example.org", t::A, rdata_a("192.0.2.2"), 200);  // 4: same set as 1
    m.record("www.example.org", t::AAAA, rdata_a("2001:db8::1"));  // 5
    m.record("www.example.org", t::RRSIG, rrsig_over(t::A, 22));   // 6
    m.record("www.example.org", t::RRSIG, rrsig_over(t::MX, 33));  // 7: covers nothing here
    m.record("mail.example.org", t::RRSIG, rrsig_over(t::A, 44));  // 8
    m.rr("www.example.org", t::A, 300, dns::kClassCH)
        .bytes({1, 2, 3, 4})
        .end_rdata();  // 9: class CH, own set
    m.opt(1232, 0);
    auto b = m.b;
    auto msg = parse_message(b);
    REQUIRE(msg.ok());

    RRsetGroups groups;
    groups.build(msg, Section::answer);
    auto sets = groups.sets();
    REQUIRE(sets.size() == 4);

    CHECK(sets[0].owner == wire("www.example.org"));
    CHECK(sets[0].type == t::A);
    CHECK(sets[0].klass == dns::kClassIN);
    CHECK(sets[0].min_ttl == 200);
    CHECK(list(groups.records(sets[0])) == std::vector<std::uint32_t>{1, 4});
    CHECK(list(groups.signatures(sets[0])) == std::vector<std::uint32_t>{2, 6});

    CHECK(sets[1].owner == wire("mail.example.org"));
    CHECK(list(groups.records(sets[1])) == std::vector<std::uint32_t>{3});
    CHECK(list(groups.signatures(sets[1])) == std::vector<std::uint32_t>{8});

    CHECK(sets[2].type == t::AAAA);
    CHECK(groups.signatures(sets[2]).empty());

    CHECK(sets[3].klass == dns::kClassCH);
    CHECK(list(groups.records(sets[3])) == std::vector<std::uint32_t>{9});
    CHECK(groups.signatures(sets[3]).empty());

    CHECK(list(groups.orphan_signatures()) == std::vector<std::uint32_t>{7});

    // The additional section holds only the OPT: no sets. Rebuilding reuses the vectors.
    groups.build(msg, Section::additional);
    CHECK(groups.sets().empty());
    CHECK(groups.orphan_signatures().empty());
}

TEST_CASE("rrset_group: a referral's authority and glue", "[rrset_group]") {
    RawMessage m(1, 0, 3, 2, dns::flag::QR);
    m.question("www.example.org", t::A);
    m.record("example.org", t::NS, rdata_name("ns1.example.org"), 172800);
    m.record("example.org", t::NS, rdata_name("ns2.example.org"), 172800);
    m.record("example.org", t::DS, {0x4F, 0x66, 8, 2, 1, 2, 3, 4}, 86400);
    m.record("ns1.example.org", t::A, rdata_a("192.0.2.1"), 172800);
    m.record("ns2.example.org", t::A, rdata_a("192.0.2.2"), 172800);
    auto b = m.b;
    auto msg = parse_message(b);
    REQUIRE(msg.ok());
    RRsetGroups groups;
    groups.build(msg, Section::authority);
    REQUIRE(groups.sets().size() == 2);
    CHECK(groups.sets()[0].type == t::NS);
    CHECK(groups.records(groups.sets()[0]).size() == 2);
    CHECK(groups.sets()[1].type == t::DS);
    groups.build(msg, Section::additional);
    REQUIRE(groups.sets().size() == 2);
    CHECK(groups.sets()[0].owner == wire("ns1.example.org"));
    CHECK(groups.sets()[1].owner == wire("ns2.example.org"));
}

TEST_CASE("type_bitmap: RFC 4034 4.1.2 windows", "[rdata]") {
    CHECK(validate_type_bitmap({}) == BitmapError::ok);
    const Bytes good{0, 1, 0x40, 1, 1, 0x80, 255, 32};  // A; 256; then a truncated window 255
    CHECK(validate_type_bitmap(std::span(good).first(6)) == BitmapError::ok);
    CHECK(validate_type_bitmap(good) == BitmapError::truncated);
    const Bytes order{1, 1, 0x80, 0, 1, 0x40};
    CHECK(validate_type_bitmap(order) == BitmapError::window_order);
    const Bytes zero_len{0, 0};
    CHECK(validate_type_bitmap(zero_len) == BitmapError::window_length);
    Bytes last(2 + 32, 0);
    last[0] = 255;
    last[1] = 32;
    last.back() = 0x01;  // type 65535
    CHECK(validate_type_bitmap(last) == BitmapError::ok);
    TypeBitmap bm(last);
    CHECK(bm.covers(65535));
    CHECK_FALSE(bm.covers(65534));
    CHECK_FALSE(bm.covers(1));
    TypeBitmap empty;
    CHECK_FALSE(empty.covers(1));
}
