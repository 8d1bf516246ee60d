#include <catch2/catch.hpp>

#include <random>

#include "resolver/wire/dns_message.h"
#include "resolver/wire/rdata_decode.h"
#include "support/raw_message.h"

using namespace lanlord;
using namespace lanlord::test;

namespace {
namespace t = dns::type;

// The question "Www.Example.ORG" starts at 12; "Example.ORG" is at 16.
constexpr std::size_t kExampleOrg = 16;

// A referral as a root or TLD server sends it: NS names compressed against
// the question, glue owners pointing into the NS RDATA, OPT with DO and a cookie.
Bytes referral() {
    RawMessage m(1, 0, 2, 3);
    m.question("Www.Example.ORG", t::A);
    m.pointer(kExampleOrg).rr_header(t::NS, 172800);
    std::size_t ns1 = m.pos();
    m.label("ns1").pointer(kExampleOrg).end_rdata();
    m.pointer(kExampleOrg).rr_header(t::NS, 172800).label("NS2").pointer(kExampleOrg).end_rdata();
    m.pointer(ns1).rr_header(t::A, 172800).bytes({192, 0, 2, 1}).end_rdata();
    m.rr("ns2.example.org", t::AAAA, 172800).bytes(rdata_a("2001:db8::2")).end_rdata();
    m.opt(1232, 0x00008000, {0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8});
    return m.b;
}

Bytes cat16(std::uint16_t v, const Bytes& rest) {
    Bytes b;
    put16(b, v);
    b.insert(b.end(), rest.begin(), rest.end());
    return b;
}

ParseError parse(const Bytes& b) {
    ParsedMessage m;
    return parse_message(b, m);
}
ParsedMessage parsed(const Bytes& b) {
    return parse_message(b);
}
}  // namespace

TEST_CASE("dns_message: a referral parses into sections, owners decompressed and lower-cased",
          "[dns_message]") {
    auto bytes = referral();
    ParsedMessage m;
    REQUIRE(parse_message(bytes, m) == ParseError::ok);
    CHECK(m.ok());
    CHECK(m.header.id == 0xBEEF);
    CHECK(m.header.is_response());
    CHECK(m.header.nscount == 2);
    CHECK(m.records().size() == 6);
    CHECK(m.questions().size() == 1);
    CHECK(m.section(Section::answer).empty());
    REQUIRE(m.section(Section::authority).size() == 2);
    REQUIRE(m.section(Section::additional).size() == 3);
    CHECK(m.trailing_bytes == 0);

    const auto& q = m.questions()[0];
    CHECK(m.owner(q) == wire("www.example.org"));
    CHECK(q.type == t::A);
    CHECK(q.klass == dns::kClassIN);
    CHECK(q.section == Section::question);
    // The original case, for the 0x20 check.
    Bytes sent;
    put_name_raw(sent, "Www.Example.ORG");
    CHECK(m.owner_original_case(q).view() ==
          std::string_view(reinterpret_cast<char*>(sent.data()), sent.size()));

    for (const auto& ns : m.section(Section::authority)) {
        CHECK(m.owner(ns) == wire("example.org"));
        CHECK(ns.type == t::NS);
        CHECK(ns.ttl == 172800);
        CHECK(ns.section == Section::authority);
    }
    WireName target;
    REQUIRE(decode_target_name(bytes, m.section(Section::authority)[0], target) == RdataError::ok);
    CHECK(target.view() == wire("ns1.example.org"));
    REQUIRE(decode_target_name(bytes, m.section(Section::authority)[1], target) == RdataError::ok);
    CHECK(target.view() == wire("ns2.example.org"));

    auto glue = m.section(Section::additional);
    CHECK(m.owner(glue[0]) == wire("ns1.example.org"));  // owner pointing into NS RDATA
    IpAddress a;
    REQUIRE(decode_address(bytes, glue[0], a) == RdataError::ok);
    CHECK(a.to_string() == "192.0.2.1");
    REQUIRE(decode_address(bytes, glue[1], a) == RdataError::ok);
    CHECK(a.to_string() == "2001:db8::2");
    CHECK(glue[2].type == t::OPT);
}

TEST_CASE("dns_message: OPT is read out: size, extended rcode, version, DO, options", "[dns_message]") {
    RawMessage m(1, 0, 0, 1, dns::flag::QR | 0x0006);  // header RCODE 6
    m.question("example.org", t::DNSKEY);
    m.opt(4096, 0x01008000u, {0, 10, 0, 2, 0xAB, 0xCD, 0, 12, 0, 0});  // ext rcode 1, cookie, empty padding
    auto b = m.b;
    auto p = parsed(b);
    REQUIRE(p.ok());
    CHECK(p.edns.present);
    CHECK(p.edns.udp_size == 4096);
    CHECK(p.edns.extended_rcode == 1);
    CHECK(p.edns.version == 0);
    CHECK(p.edns.dnssec_ok);
    CHECK(p.edns.record_index == 1);
    CHECK(p.rcode() == 22);  // (1 << 4) | 6
    std::size_t pos = 0;
    EdnsOption o;
    REQUIRE(p.edns.next_option(pos, o));
    CHECK(o.code == 10);
    CHECK(o.data.size() == 2);
    CHECK(o.data[0] == 0xAB);
    REQUIRE(p.edns.next_option(pos, o));
    CHECK(o.code == 12);
    CHECK(o.data.empty());
    CHECK_FALSE(p.edns.next_option(pos, o));

    RawMessage plain(1, 0, 0, 0);
    plain.question("example.org", t::A);
    auto q = parsed(plain.b);
    REQUIRE(q.ok());
    CHECK_FALSE(q.edns.present);
}

TEST_CASE("dns_message: OPT rules of RFC 6891 6.1.1", "[dns_message]") {
    SECTION("in the answer section") {
        RawMessage m(1, 1, 0, 0);
        m.question("a.example", t::A).opt(1232, 0);
        CHECK(parse(m.b) == ParseError::opt_outside_additional);
    }
    SECTION("two of them") {
        RawMessage m(1, 0, 0, 2);
        m.question("a.example", t::A).opt(1232, 0).opt(1232, 0);
        CHECK(parse(m.b) == ParseError::opt_duplicate);
    }
    SECTION("owner not the root") {
        RawMessage m(1, 0, 0, 1);
        m.question("a.example", t::A).rr("a.example", t::OPT, 0, 1232).end_rdata();
        CHECK(parse(m.b) == ParseError::opt_owner_not_root);
    }
    SECTION("an option running past the RDATA") {
        RawMessage m(1, 0, 0, 1);
        m.question("a.example", t::A).opt(1232, 0, {0, 10, 0, 9, 1, 2, 3});
        auto p = parsed(m.b);
        CHECK(p.error == ParseError::bad_rdata);
        CHECK(p.rdata_error == RdataError::option_truncated);
        RawMessage m2(1, 0, 0, 1);
        m2.question("a.example", t::A).opt(1232, 0, {0, 10, 0});
        CHECK(parsed(m2.b).rdata_error == RdataError::option_truncated);
    }
}

TEST_CASE("dns_message: malformed headers and counts give their reason", "[dns_message]") {
    auto good = referral();
    for (std::size_t n = 0; n < 12; ++n)
        CHECK(parse(Bytes(good.begin(), good.begin() + n)) == ParseError::short_header);
    Bytes huge(65536, 0);
    CHECK(parse(huge) == ParseError::too_large);

    SECTION("a count larger than the records present") {
        Bytes b = good;
        store_u16(b.data() + 10, 4);  // ARCOUNT 3 -> 4
        auto p = parsed(b);
        CHECK(p.error == ParseError::missing_records);
        CHECK(p.error_record == 6);
        CHECK(p.header.arcount == 4);
        CHECK(p.section(Section::additional).size() == 3);  // what was read stays readable
        Bytes q = good;
        store_u16(q.data() + 4, 2);  // QDCOUNT 2: the NS owner is read as a question, then all shifts
        CHECK(parse(q) != ParseError::ok);
    }
    SECTION("every cut of a valid message is rejected, never read past") {
        for (std::size_t n = 12; n < good.size(); ++n) {
            auto p = parsed(Bytes(good.begin(), good.begin() + static_cast<long>(n)));
            CHECK_FALSE(p.ok());
            CHECK(p.section(Section::additional).size() <= 3);
        }
    }
    SECTION("a question without type and class") {
        RawMessage m(1, 0, 0, 0);
        m.name("a.example").u16(1);
        CHECK(parse(m.b) == ParseError::question_truncated);
    }
    SECTION("a record cut inside its TTL") {
        RawMessage m(1, 1, 0, 0);
        m.question("a.example", t::A).name("a.example").u16(t::A).u16(1).u16(0);
        CHECK(parse(m.b) == ParseError::record_truncated);
    }
    SECTION("RDLENGTH past the end") {
        RawMessage m(1, 1, 0, 0);
        m.question("a.example", t::A).rr("a.example", t::A).bytes({192, 0, 2, 1});
        store_u16(m.b.data() + m.pos() - 6, 5);
        CHECK(parse(m.b) == ParseError::rdata_past_end);
    }
    SECTION("trailing bytes are counted, not rejected") {
        Bytes b = good;
        b.insert(b.end(), {0, 0, 0});
        auto p = parsed(b);
        CHECK(p.ok());
        CHECK(p.trailing_bytes == 3);
    }
    SECTION("zero counts: a header alone is a message") {
        RawMessage m(0, 0, 0, 0);
        auto p = parsed(m.b);
        CHECK(p.ok());
        CHECK(p.records().empty());
    }
}

TEST_CASE("dns_message: owner names: length, pointers and label types", "[dns_message]") {
    SECTION("a name of 256 bytes") {
        RawMessage m(1, 0, 0, 0);
        // Labels of 63, 63, 63 and 62 bytes and the root: 256 bytes, one too many.
        std::string l(63, 'a');
        m.label(l).label(l).label(l).label(std::string(62, 'a')).u8(0).u16(1).u16(1);
        CHECK(parse(m.b) == ParseError::name_too_long);
        RawMessage ok(1, 0, 0, 0);
        ok.label(l).label(l).label(l).label(std::string(61, 'a')).u8(0).u16(1).u16(1);
        auto p = parsed(ok.b);
        REQUIRE(p.ok());
        CHECK(p.owner(p.questions()[0]).size() == 255);
    }
    SECTION("a name made too long through a pointer") {
        RawMessage m(1, 1, 0, 0);
        std::string l(63, 'b');
        m.label(l).label(l).label(l).u8(0).u16(1).u16(1);  // 193 bytes at 12
        m.label(l).pointer(12).rr_header(t::A).bytes({1, 2, 3, 4}).end_rdata();
        CHECK(parse(m.b) == ParseError::name_too_long);
    }
    SECTION("a forward pointer") {
        RawMessage m(1, 0, 0, 0);
        m.pointer(20).u16(1).u16(1).name("a.example");
        CHECK(parse(m.b) == ParseError::name_forward_pointer);
    }
    SECTION("a pointer to itself, and a pair of pointers, cannot loop") {
        RawMessage self(1, 0, 0, 0);
        self.pointer(12).u16(1).u16(1);
        CHECK(parse(self.b) == ParseError::name_forward_pointer);
        RawMessage pair(1, 1, 0, 0);
        pair.question("a.example", t::A);
        std::size_t first = pair.pos();
        pair.pointer(first + 2).pointer(first);  // first points forward to second, second back
        CHECK(parse(pair.b) == ParseError::name_forward_pointer);
    }
    SECTION("a pointer into the middle of a label reads what is there") {
        // read_name checks bounds and direction, not label boundaries: the
        // bytes at the target must form a valid name of their own.
        RawMessage m(1, 1, 0, 0);
        m.question("abc.example", t::A);  // "\3abc\7example\0" at 12
        m.pointer(14)
            .rr_header(t::A)
            .bytes({1, 2, 3, 4})
            .end_rdata();  // "bc..." -> label 'b'=0x62: extended type
        CHECK(parse(m.b) == ParseError::name_bad_label_type);
        RawMessage mid(1, 1, 0, 0);
        mid.name("x\x02yz.example").u16(1).u16(1);  // label "x\2yz": byte 2 at 14 starts "\2yz\7example\0"
        mid.pointer(14).rr_header(t::A).bytes({1, 2, 3, 4}).end_rdata();
        auto p = parsed(mid.b);
        REQUIRE(p.ok());
        CHECK(p.owner(p.section(Section::answer)[0]) == wire("yz.example"));
    }
    SECTION("a pointer past the end of the message") {
        RawMessage m(1, 0, 0, 0);
        m.u8(0xC0);
        CHECK(parse(m.b) == ParseError::name_truncated);
    }
}

TEST_CASE("dns_message: RDATA that does not fit its type is rejected with the reason", "[dns_message]") {
    auto one = [](std::uint16_t type, const Bytes& rdata, std::uint16_t klass = dns::kClassIN) {
        RawMessage m(1, 1, 0, 0);
        m.question("a.example", t::A).rr("a.example", type, 60, klass).bytes(rdata).end_rdata();
        return parsed(m.b);
    };
    auto rdata_error = [&](std::uint16_t type, const Bytes& rdata) {
        auto p = one(type, rdata);
        CHECK((p.ok() || p.error == ParseError::bad_rdata));
        CHECK((p.ok() || p.error_record == 1));
        return p.rdata_error;
    };
    CHECK(rdata_error(t::A, {1, 2, 3}) == RdataError::truncated);
    CHECK(rdata_error(t::A, {1, 2, 3, 4, 5}) == RdataError::trailing_bytes);
    CHECK(rdata_error(t::AAAA, Bytes(15, 0)) == RdataError::truncated);
    CHECK(rdata_error(t::MX, {0}) == RdataError::truncated);
    CHECK(rdata_error(t::MX, {0, 10}) == RdataError::name_truncated);
    CHECK(rdata_error(t::SRV, {0, 1, 0, 2, 0}) == RdataError::truncated);
    auto soa = rdata_soa(60);
    soa.pop_back();
    CHECK(rdata_error(t::SOA, soa) == RdataError::truncated);  // 19 bytes of counters
    CHECK(rdata_error(t::RRSIG, Bytes(17, 0)) == RdataError::truncated);
    CHECK(rdata_error(t::DNSKEY, {1, 1, 3}) == RdataError::truncated);
    CHECK(rdata_error(t::DS, {0, 1, 8}) == RdataError::truncated);
    CHECK(rdata_error(t::NSEC3PARAM, {1, 0, 0, 10, 4, 1, 2}) == RdataError::truncated);
    CHECK(rdata_error(t::NSEC3PARAM, {1, 0, 0, 10, 0, 9}) == RdataError::trailing_bytes);
    CHECK(rdata_error(t::TXT, {}) == RdataError::truncated);  // RFC 1035 3.3.14: one or more strings
    CHECK(rdata_error(t::TXT, {5, 'a'}) == RdataError::truncated);
    CHECK(rdata_error(t::HINFO, {1, 'a'}) == RdataError::truncated);
    CHECK(rdata_error(t::NS, {1, 'a', 0, 0}) == RdataError::trailing_bytes);
    CHECK(rdata_error(t::NS, {0x40, 0}) == RdataError::name_bad_label_type);
    CHECK(rdata_error(t::A6, {129}) == RdataError::a6_prefix_length);
    {
        // A 256-byte name inside RDATA (labels of 63, 63, 63, 62 and the root).
        Bytes long_name;
        for (std::size_t n : {63, 63, 63, 62}) {
            long_name.push_back(static_cast<std::uint8_t>(n));
            long_name.insert(long_name.end(), n, 'x');
        }
        long_name.push_back(0);
        REQUIRE(long_name.size() == 256);
        CHECK(rdata_error(t::NS, long_name) == RdataError::name_too_long);
        CHECK(rdata_error(t::MX, cat16(10, long_name)) == RdataError::name_too_long);
    }
    // A name that would end past RDLENGTH, in the next record's bytes.
    {
        RawMessage m(1, 2, 0, 0);
        m.question("a.example", t::A);
        m.rr("a.example", t::CNAME).bytes({1, 'b'}).end_rdata();
        m.u8(0).u16(t::A).u16(1).u32(60).u16(4).bytes({1, 2, 3, 4});
        auto p = parsed(m.b);
        CHECK(p.error == ParseError::bad_rdata);
        CHECK(p.rdata_error == RdataError::name_truncated);
    }
    // Unknown types and A in another class are opaque: any bytes go.
    CHECK(one(65280, {0xC0, 0xFF, 0x40}).ok());
    CHECK(one(65280, {}).ok());
    CHECK(one(t::A, {1, 2, 3}, dns::kClassCH).ok());
}

TEST_CASE("dns_message: compression pointers inside RDATA", "[dns_message]") {
    auto with = [](std::uint16_t type, auto&& write_rdata) {
        RawMessage m(1, 1, 0, 0);
        m.question("Host.Example.ORG", t::A);
        m.pointer(12).rr_header(type);
        write_rdata(m);
        m.end_rdata();
        return m.b;
    };
    SECTION("backwards, in a type that allows it: decompressed") {
        auto b = with(t::CNAME, [](RawMessage& m) { m.label("Web").pointer(17); });
        auto p = parsed(b);
        REQUIRE(p.ok());
        WireName n;
        REQUIRE(decode_target_name(b, p.section(Section::answer)[0], n) == RdataError::ok);
        CHECK(n.view() == wire("web.example.org"));
    }
    SECTION("forward, even where allowed: rejected") {
        auto b = with(t::CNAME, [](RawMessage& m) { m.pointer(m.pos() + 2).name("x"); });
        auto p = parsed(b);
        CHECK(p.error == ParseError::bad_rdata);
        CHECK(p.rdata_error == RdataError::name_forward_pointer);
    }
    SECTION("a pointer to the pointer itself: rejected") {
        auto b = with(t::NS, [](RawMessage& m) { m.pointer(m.pos()); });
        CHECK(parsed(b).rdata_error == RdataError::name_forward_pointer);
    }
    SECTION("where the type's RFC forbids compression: rejected") {
        for (std::uint16_t type : {t::DNAME, t::NSEC, t::KX, t::RRSIG}) {
            auto b = with(type, [type](RawMessage& m) {
                if (type == t::RRSIG) m.u16(t::A).u8(8).u8(2).u32(60).u32(2).u32(1).u16(7);
                if (type == t::KX) m.u16(10);
                m.label("x").pointer(17);
                if (type == t::NSEC) m.bytes({0, 1, 0x40});
            });
            INFO("type " << type);
            CHECK(parsed(b).rdata_error == RdataError::name_compressed);
        }
    }
}

TEST_CASE("dns_message: random corruption never crashes and always gives a verdict", "[dns_message]") {
    auto base = referral();
    std::mt19937 rng(20240611);
    ParsedMessage p;  // reused: the vectors keep their capacity
    int accepted = 0;
    for (int round = 0; round < 3000; ++round) {
        Bytes b = base;
        int flips = 1 + static_cast<int>(rng() % 4);
        for (int i = 0; i < flips; ++i) b[rng() % b.size()] = static_cast<std::uint8_t>(rng());
        if (rng() % 4 == 0) b.resize(rng() % b.size());
        if (parse_message(b, p) == ParseError::ok) {
            ++accepted;
            for (const auto& rr : p.records()) {
                CHECK(std::size_t{rr.rdata_offset} + rr.rdata_length <= b.size());
                CHECK(p.owner(rr).size() <= kMaxNameLength);
            }
        }
    }
    CHECK(accepted > 0);
}
