#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

#include "resolver/wire/dns_message.h"
#include "resolver/wire/edns_padding.h"
#include "resolver/wire/message_builder.h"
#include "resolver/wire/query_view.h"
#include "support/dns_builder.h"
#include "support/raw_message.h"

using namespace lanlord;
using namespace lanlord::test;

namespace {

constexpr std::uint16_t kCookie = 10;  // RFC 7873, an option to keep
constexpr std::uint16_t kTsig = 250;

Bytes option(std::uint16_t code, const Bytes& data) {
    Bytes b;
    put16(b, code);
    put16(b, static_cast<std::uint16_t>(data.size()));
    b.insert(b.end(), data.begin(), data.end());
    return b;
}

// The options of the message's OPT, which must parse.
std::vector<EdnsOption> options_of(const ParsedMessage& m) {
    std::vector<EdnsOption> out;
    std::size_t pos = 0;
    EdnsOption o;
    while (m.edns.next_option(pos, o)) out.push_back(o);
    return out;
}

// What every padded message must be: parsable as a whole (counts and the
// OPT's RDLENGTH consistent: parse_message checks both), a multiple of the
// block, exactly one Padding option, of zero octets.
void check_padded(std::span<const std::uint8_t> msg, std::size_t block) {
    CHECK(msg.size() % block == 0);
    ParsedMessage m = parse_message(msg);
    REQUIRE(m.ok());
    CHECK(m.trailing_bytes == 0);
    REQUIRE(m.edns.present);
    int paddings = 0;
    for (const EdnsOption& o : options_of(m)) {
        if (o.code != kEdnsOptionPadding) continue;
        ++paddings;
        CHECK(std::all_of(o.data.begin(), o.data.end(), [](std::uint8_t b) { return b == 0; }));
    }
    CHECK(paddings == 1);
    CHECK(has_padding_option(msg));
}

Bytes upstream_query(const std::string& name, bool dnssec_ok = false) {
    Bytes b(512);
    std::size_t n =
        build_upstream_query(wire(name), dns::type::AAAA, dns::kClassIN, 0x4321, dnssec_ok, false, 1232, b);
    REQUIRE(n > 0);
    b.resize(n);
    return b;
}

// pad_message on a copy of `msg` in a buffer of `room` bytes filled with a
// marker beyond the message; returns the result cut to the new length and
// checks that nothing past it (or past the old length) was written.
Bytes pad(const Bytes& msg, std::size_t block, std::size_t room = 65535) {
    Bytes buf(std::max(room, msg.size()), 0xA5);
    std::copy(msg.begin(), msg.end(), buf.begin());
    buf.resize(room);
    std::size_t len = std::min(msg.size(), room);
    std::size_t n = pad_message(buf, len, block);
    REQUIRE(n <= buf.size());
    auto untouched = buf.begin() + static_cast<long>(std::max(n, len));
    CHECK(std::all_of(untouched, buf.end(), [](std::uint8_t b) { return b == 0xA5; }));
    buf.resize(n);
    return buf;
}

}  // namespace

TEST_CASE("edns_padding: an upstream query is padded to a multiple of 128 and still parses") {
    // Names of every length from 1 to 120 octets: the fill goes through each
    // remainder, 0 included.
    for (std::size_t label = 1; label <= 60; ++label) {
        std::string name = std::string(label, 'a') + "." + std::string(label, 'b') + ".example";
        Bytes query = upstream_query(name, label % 2 == 0);
        CHECK_FALSE(has_padding_option(query));
        Bytes padded = pad(query, kQueryPaddingBlock);
        REQUIRE(padded.size() > query.size());
        check_padded(padded, kQueryPaddingBlock);
        CHECK(padded.size() - query.size() <= kQueryPaddingBlock + 3);

        QueryView before, after;
        REQUIRE(parse_query(query, before) == QueryStatus::ok);
        REQUIRE(parse_query(padded, after) == QueryStatus::ok);
        CHECK(after.id == before.id);
        CHECK(after.name() == before.name());
        CHECK(after.qtype == before.qtype);
        CHECK(after.has_edns);
        CHECK(after.edns_do == before.edns_do);
        CHECK(after.edns_udp_size == 1232);
        CHECK(load_u16(padded.data() + 4) == 1);   // QDCOUNT
        CHECK(load_u16(padded.data() + 10) == 1);  // ARCOUNT: the same one OPT
        // Everything up to the OPT's RDLENGTH is the query as it was.
        CHECK(std::equal(query.begin(), query.end() - 2, padded.begin()));
        CHECK(load_u16(padded.data() + query.size() - 2) == padded.size() - query.size());
    }
}

TEST_CASE("edns_padding: queries and responses are padded to a multiple of 468") {
    Bytes query = upstream_query("www.example.org");
    Bytes padded = pad(query, kResponsePaddingBlock);
    CHECK(padded.size() == 468);
    check_padded(padded, kResponsePaddingBlock);

    // A response larger than one block goes to the next multiple.
    ResponseSpec s;
    s.qname = "www.example.org";
    s.qtype = dns::type::TXT;
    s.answer = {{"www.example.org", dns::type::TXT, 300, rdata_txt(600)}};
    Bytes response = make_response(s);
    Bytes padded_response = pad(response, kResponsePaddingBlock);
    CHECK(padded_response.size() == 936);
    check_padded(padded_response, kResponsePaddingBlock);
    ParsedMessage m = parse_message(padded_response);
    REQUIRE(m.ok());
    CHECK(m.section(Section::answer).size() == 1);
    CHECK(m.header.arcount == 1);
}

TEST_CASE("edns_padding: an existing Padding option is replaced, the other options kept in order") {
    Bytes query = upstream_query("example.org");
    Bytes once = pad(query, kQueryPaddingBlock);
    Bytes again = pad(once, kQueryPaddingBlock);
    CHECK(again == once);  // already padded to the block: the same bytes
    Bytes bigger = pad(once, kResponsePaddingBlock);
    CHECK(bigger.size() == 468);
    check_padded(bigger, kResponsePaddingBlock);
    Bytes back = pad(bigger, kQueryPaddingBlock);
    CHECK(back == once);

    // Padding between two other options, and a second one (which RFC 7830
    // forbids): both go, the cookie and the EDE stay in their order.
    Bytes cookie = option(kCookie, Bytes(8, 0x11));
    Bytes ede = option(dns::kEdnsOptionEde, Bytes{0, 22});
    Bytes options = cookie;
    for (auto part : {option(kEdnsOptionPadding, Bytes(37, 0)), ede, option(kEdnsOptionPadding, {})})
        options.insert(options.end(), part.begin(), part.end());
    RawMessage raw(1, 0, 0, 1, dns::flag::RD);
    raw.question("example.org", dns::type::A).opt(1232, 0, options);
    Bytes padded = pad(raw.b, kQueryPaddingBlock);
    check_padded(padded, kQueryPaddingBlock);
    auto opts = options_of(parse_message(padded));
    REQUIRE(opts.size() == 3);
    CHECK(opts[0].code == kCookie);
    CHECK(std::equal(opts[0].data.begin(), opts[0].data.end(), cookie.begin() + 4));
    CHECK(opts[1].code == dns::kEdnsOptionEde);
    CHECK(opts[2].code == kEdnsOptionPadding);
}

TEST_CASE("edns_padding: a message without OPT is left alone") {
    Bytes plain = make_query("www.example.org", dns::type::A);
    CHECK(pad(plain, kQueryPaddingBlock) == plain);
    CHECK_FALSE(has_padding_option(plain));
    ResponseSpec s;
    s.qname = "www.example.org";
    s.opt = false;
    s.answer = {{"www.example.org", dns::type::A, 300, rdata_a("192.0.2.1")}};
    Bytes response = make_response(s);
    CHECK(pad(response, kResponsePaddingBlock) == response);
}

TEST_CASE("edns_padding: without room the message is unchanged and nothing is written past the buffer") {
    Bytes query = upstream_query("www.example.org");
    Bytes exact = pad(query, kQueryPaddingBlock);
    REQUIRE(exact.size() == 128);
    CHECK(pad(query, kQueryPaddingBlock, 128) == exact);  // exactly enough
    CHECK(pad(query, kQueryPaddingBlock, 127) == query);
    CHECK(pad(query, kResponsePaddingBlock, 467) == query);
    CHECK(pad(query, kQueryPaddingBlock, query.size()) == query);

    // Past 65535 octets there is no DNS message: a large answer stays as is.
    // 65530 octets: the next multiple of 468 is 65988.
    ResponseSpec s;
    s.qname = "big.example.org";
    s.qtype = dns::type::TXT;
    for (int i = 0; i < 5; ++i)
        s.answer.push_back({"big.example.org", dns::type::TXT, 300, rdata_txt(12750)});
    s.answer.push_back({"big.example.org", dns::type::TXT, 300, rdata_txt(1318)});
    Bytes big = make_response(s);
    REQUIRE(big.size() == 65530);
    REQUIRE(parse_message(big).ok());
    CHECK(pad(big, kResponsePaddingBlock, 70000) == big);
    Bytes two = pad(big, 2, 70000);  // a block that still fits
    CHECK(two.size() == 65534);
    check_padded(two, 2);
}

TEST_CASE("edns_padding: block 0 or a length beyond the buffer change nothing") {
    Bytes query = upstream_query("example.org");
    CHECK(pad(query, 0) == query);
    Bytes buf = query;
    CHECK(pad_message(buf, buf.size() + 1, kQueryPaddingBlock) == buf.size() + 1);
    CHECK(buf == query);
}

TEST_CASE("edns_padding: records after the OPT are moved when nothing points into them") {
    // OPT first in the additional section, then an A record whose owner
    // points at the question name.
    RawMessage raw(1, 0, 0, 2, dns::flag::QR | dns::flag::RD);
    raw.question("ns.example.org", dns::type::NS).opt(1232, 0, option(kCookie, Bytes(8, 7)));
    raw.pointer(12).rr_header(dns::type::A).bytes(rdata_a("192.0.2.53")).end_rdata();
    Bytes padded = pad(raw.b, kResponsePaddingBlock);
    check_padded(padded, kResponsePaddingBlock);
    ParsedMessage m = parse_message(padded);
    REQUIRE(m.ok());
    auto additional = m.section(Section::additional);
    REQUIRE(additional.size() == 2);
    CHECK(additional[0].type == dns::type::OPT);
    CHECK(additional[1].type == dns::type::A);
    CHECK(m.owner(additional[1]) == wire("ns.example.org"));
    CHECK(padded[additional[1].rdata_offset + 3] == 53);
    // And back to the query block: the A record moves down again.
    Bytes smaller = pad(padded, kQueryPaddingBlock);
    check_padded(smaller, kQueryPaddingBlock);
    CHECK(smaller.size() < padded.size());
}

TEST_CASE("edns_padding: records after the OPT that cannot move leave the message unpadded") {
    // A TSIG after the OPT signs the message as it is.
    RawMessage tsig(1, 0, 0, 2, dns::flag::RD);
    tsig.question("example.org", dns::type::A).opt(1232, 0);
    tsig.record("key.example", kTsig, Bytes(30, 1));
    REQUIRE(parse_message(tsig.b).ok());
    CHECK(pad(tsig.b, kQueryPaddingBlock) == tsig.b);

    // A name after the OPT pointing at another name after the OPT.
    RawMessage inner(1, 0, 0, 3, dns::flag::QR);
    inner.question("example.org", dns::type::A).opt(1232, 0);
    std::size_t target = inner.pos();
    inner.record("host.example.org", dns::type::A, rdata_a("192.0.2.1"));
    inner.label("www").pointer(target).rr_header(dns::type::A).bytes(rdata_a("192.0.2.2")).end_rdata();
    REQUIRE(parse_message(inner.b).ok());
    CHECK(pad(inner.b, kResponsePaddingBlock) == inner.b);

    // The same inside RDATA: a CNAME target pointing after the OPT.
    RawMessage in_rdata(1, 0, 0, 3, dns::flag::QR);
    in_rdata.question("example.org", dns::type::A).opt(1232, 0);
    target = in_rdata.pos();
    in_rdata.record("host.example.org", dns::type::A, rdata_a("192.0.2.1"));
    in_rdata.rr("alias.example.org", dns::type::CNAME).pointer(target).end_rdata();
    REQUIRE(parse_message(in_rdata.b).ok());
    CHECK(pad(in_rdata.b, kResponsePaddingBlock) == in_rdata.b);
}

TEST_CASE("edns_padding: malformed messages are left alone") {
    auto unchanged = [](const Bytes& msg) {
        CHECK(pad(msg, kQueryPaddingBlock) == msg);
        CHECK_FALSE(has_padding_option(msg));
    };
    Bytes padding = option(kEdnsOptionPadding, Bytes(4, 0));
    // OPT in the answer section (RFC 6891 6.1.1).
    RawMessage in_answer(1, 1, 0, 0, dns::flag::QR);
    in_answer.question("example.org", dns::type::A).opt(1232, 0, padding);
    unchanged(in_answer.b);
    // Two OPT records.
    RawMessage twice(1, 0, 0, 2, dns::flag::RD);
    twice.question("example.org", dns::type::A).opt(1232, 0, padding).opt(1232, 0);
    unchanged(twice.b);
    // An OPT owned by another name than the root.
    RawMessage owner(1, 0, 0, 1, dns::flag::RD);
    owner.question("example.org", dns::type::A).rr("example.org", dns::type::OPT, 0, 1232).bytes(padding);
    owner.end_rdata();
    unchanged(owner.b);
    // An option running past the RDATA.
    RawMessage overrun(1, 0, 0, 1, dns::flag::RD);
    overrun.question("example.org", dns::type::A).opt(1232, 0, Bytes{0, 12, 0, 9, 0, 0});
    unchanged(overrun.b);
    // Bytes after the last record.
    Bytes trailing = upstream_query("example.org");
    trailing.push_back(0);
    CHECK(pad(trailing, kQueryPaddingBlock) == trailing);
    // Counts promising more records than there are.
    Bytes missing = upstream_query("example.org");
    store_u16(missing.data() + 10, 2);
    unchanged(missing);
    // Shorter than a header.
    unchanged(Bytes{0x12, 0x34, 0x01});
    unchanged(Bytes{});
}

TEST_CASE("edns_padding: every truncation and many corruptions of valid messages are safe") {
    RawMessage tail(1, 1, 0, 2, dns::flag::QR | dns::flag::RD);
    tail.question("www.example.org", dns::type::A);
    tail.pointer(12).rr_header(dns::type::A).bytes(rdata_a("192.0.2.80")).end_rdata();
    tail.opt(1232, 0, option(kEdnsOptionPadding, Bytes(13, 0)));
    tail.rr("mx.example.org", dns::type::MX).u16(10).pointer(16).end_rdata();
    const Bytes samples[] = {upstream_query("www.example.org", true), pad(upstream_query("example.org"), 128),
                             tail.b};

    // A result is either the message unchanged or a valid padded message.
    auto check_result = [](const Bytes& in, std::size_t block) {
        static_cast<void>(has_padding_option(in));  // reads the same corrupt bytes safely
        Bytes out = pad(in, block, 2048);
        if (out == in) return;
        CHECK(out.size() % block == 0);
        CHECK(has_padding_option(out));
        // What parsed strictly before padding still does.
        if (parse_message(in).ok()) CHECK(parse_message(out).ok());
    };
    for (const Bytes& sample : samples) {
        REQUIRE(parse_message(sample).ok());
        check_padded(pad(sample, kResponsePaddingBlock), kResponsePaddingBlock);
        for (std::size_t n = 0; n < sample.size(); ++n) {
            Bytes cut(sample.begin(), sample.begin() + static_cast<long>(n));
            CHECK(pad(cut, kQueryPaddingBlock) == cut);  // a truncated message never parses
            CHECK_FALSE(has_padding_option(cut));
        }
        for (std::size_t i = 0; i < sample.size(); ++i)
            for (std::uint8_t v : {0x00, 0x01, 0x0C, 0x3F, 0x80, 0xC0, 0xFF}) {
                Bytes bad = sample;
                bad[i] = v;
                check_result(bad, kQueryPaddingBlock);
            }
    }
    std::mt19937 rng(7830);
    for (int round = 0; round < 3000; ++round) {
        Bytes bad = samples[static_cast<std::size_t>(round) % std::size(samples)];
        for (int k = 0; k < 3; ++k) bad[rng() % bad.size()] = static_cast<std::uint8_t>(rng());
        bad.resize(rng() % (bad.size() + 1));
        check_result(bad, round % 2 ? kQueryPaddingBlock : kResponsePaddingBlock);
    }
}
