#include <catch2/catch.hpp>

#include "common/byte_cursor.h"
#include "dhcp/wire/packet.h"
#include "dhcp/wire/packet_builder.h"

using namespace lanlord;
using namespace lanlord::dhcp;

namespace {

using Bytes = std::vector<std::uint8_t>;

// A DISCOVER as a client sends it, with `options` (without END) appended.
Bytes discover(const Bytes& options, bool end = true) {
    Bytes b(kFixedSize, 0);
    b[0] = kBootRequest;
    b[1] = 1;
    b[2] = 6;
    store_u32(&b[4], 0xdeadbeef);
    store_u16(&b[10], kBroadcastFlag);
    Bytes mac = {0x02, 0, 0, 0, 0, 0x42};
    std::copy(mac.begin(), mac.end(), b.begin() + 28);
    b.insert(b.end(), {0x63, 0x82, 0x53, 0x63});
    b.insert(b.end(), options.begin(), options.end());
    if (end) b.push_back(option::end);
    return b;
}

}  // namespace

TEST_CASE("dhcp packet: a client DISCOVER with the usual options") {
    auto bytes = discover({53,  1,   1,  61, 7, 1, 2, 0,  0,  0, 0,    0x42, 12, 6, 'l', 'a', 'p', 't',
                           'o', 'p', 55, 4,  1, 3, 6, 15, 57, 2, 0x05, 0xdc, 50, 4, 192, 0,   2,   77});
    Packet p;
    REQUIRE(parse_packet(bytes, p) == ParseError::ok);
    CHECK(p.op == kBootRequest);
    CHECK(p.xid == 0xdeadbeef);
    CHECK(p.broadcast());
    CHECK(p.message_type() == MessageType::discover);
    CHECK(p.hardware_text() == "02:00:00:00:00:42");
    CHECK(p.option(option::parameter_list)->size() == 4);
    CHECK(p.option_u16(option::max_message_size) == 1500);
    CHECK(p.option_address(option::requested_address) == IpAddress::parse("192.0.2.77"));
    CHECK(std::string(p.option(option::hostname)->begin(), p.option(option::hostname)->end()) == "laptop");
    CHECK_FALSE(p.option(option::router));
}

TEST_CASE("dhcp packet: repeated options are joined (RFC 3396), overloaded file and sname are read") {
    auto bytes = discover({53, 1, 1, 55, 2, 1, 3, 55, 2, 6, 15, 52, 1, 3});
    bytes[kFileOffset] = 12;
    bytes[kFileOffset + 1] = 2;
    bytes[kFileOffset + 2] = 'p';
    bytes[kFileOffset + 3] = 'c';
    bytes[kFileOffset + 4] = option::end;
    bytes[kSnameOffset] = 15;
    bytes[kSnameOffset + 1] = 3;
    bytes[kSnameOffset + 2] = 'l';
    bytes[kSnameOffset + 3] = 'a';
    bytes[kSnameOffset + 4] = 'n';
    Packet p;
    REQUIRE(parse_packet(bytes, p) == ParseError::ok);
    CHECK(*p.option(option::parameter_list) == Bytes{1, 3, 6, 15});
    CHECK(*p.option(option::hostname) == Bytes{'p', 'c'});
    CHECK(*p.option(option::domain_name) == Bytes{'l', 'a', 'n'});
}

TEST_CASE("dhcp packet: hostile input is refused with a reason, never read past the end") {
    Packet p;
    SECTION("short packets") {
        auto b = discover({53, 1, 1});
        for (std::size_t n : {0u, 1u, 100u, 239u}) {
            Bytes cut(b.begin(), b.begin() + static_cast<long>(n));
            CHECK(parse_packet(cut, p) == ParseError::too_short);
        }
    }
    SECTION("bad magic cookie") {
        auto b = discover({53, 1, 1});
        b[kFixedSize + 3] = 0x64;
        CHECK(parse_packet(b, p) == ParseError::bad_cookie);
    }
    SECTION("option length beyond the end") {
        auto b = discover({53, 1, 1, 12, 200, 'x'}, false);
        CHECK(parse_packet(b, p) == ParseError::option_overflow);
        auto lone = discover({53, 1, 1, 12}, false);
        CHECK(parse_packet(lone, p) == ParseError::option_overflow);
    }
    SECTION("no END in the options field") {
        auto b = discover({53, 1, 1}, false);
        CHECK(parse_packet(b, p) == ParseError::missing_end);
    }
    SECTION("option overload loops and bad values") {
        auto loop = discover({53, 1, 1, 52, 1, 1});
        loop[kFileOffset] = 52;  // file overloads again: a loop
        loop[kFileOffset + 1] = 1;
        loop[kFileOffset + 2] = 1;
        CHECK(parse_packet(loop, p) == ParseError::bad_overload);
        CHECK(parse_packet(discover({53, 1, 1, 52, 1, 9}), p) == ParseError::bad_overload);
        CHECK(parse_packet(discover({53, 1, 1, 52, 2, 1, 1}), p) == ParseError::bad_overload);
        auto overflow_in_file = discover({52, 1, 1});
        overflow_in_file[kFileOffset] = 12;
        overflow_in_file[kFileOffset + 1] = 200;  // past the 128-byte file field
        CHECK(parse_packet(overflow_in_file, p) == ParseError::option_overflow);
    }
    SECTION("zero-length and oversized hardware address") {
        auto b = discover({53, 1, 1});
        b[2] = 0;
        CHECK(parse_packet(b, p) == ParseError::bad_hlen);
        b[2] = 17;
        CHECK(parse_packet(b, p) == ParseError::bad_hlen);
    }
    SECTION("bad op") {
        auto b = discover({53, 1, 1});
        b[0] = 3;
        CHECK(parse_packet(b, p) == ParseError::bad_op);
    }
    SECTION("every truncation of a valid message fails cleanly") {
        auto b = discover({53, 1, 1, 61, 7, 1, 2, 0, 0, 0, 0, 0x42, 55, 3, 1, 3, 6});
        for (std::size_t n = 0; n < b.size(); ++n) {
            Bytes cut(b.begin(), b.begin() + static_cast<long>(n));
            CHECK(parse_packet(cut, p) != ParseError::ok);
        }
    }
    SECTION("an unknown message type is none, not a crash") {
        CHECK((parse_packet(discover({53, 1, 99}), p) == ParseError::ok &&
               p.message_type() == MessageType::none));
        CHECK(
            (parse_packet(discover({53, 0}), p) == ParseError::ok && p.message_type() == MessageType::none));
    }
}

TEST_CASE("dhcp builder: options in priority order, round trip through the parser") {
    Packet reply;
    reply.op = kBootReply;
    reply.xid = 42;
    reply.yiaddr = *IpAddress::parse("192.0.2.50");
    reply.options[option::message_type] = Bytes{2};
    reply.options[option::server_id] = Bytes{192, 0, 2, 1};
    reply.options[option::lease_time] = Bytes{0, 0, 0xa8, 0xc0};
    reply.options[option::subnet_mask] = Bytes{255, 255, 255, 0};
    const Bytes order = {53, 54, 51, 1};
    std::vector<std::uint8_t> out(1500);
    auto r = build_packet(reply, order, 576, out);
    REQUIRE(r.length >= 300);
    CHECK(r.dropped == 0);
    CHECK_FALSE(r.overloaded);
    CHECK(out[kFixedSize + 4] == option::message_type);  // the message type comes first
    Packet back;
    REQUIRE(parse_packet({out.data(), r.length}, back) == ParseError::ok);
    CHECK(back.message_type() == MessageType::offer);
    CHECK(back.yiaddr == reply.yiaddr);
    CHECK(back.option_u32(option::lease_time) == 43200u);
}

TEST_CASE("dhcp builder: too many options overflow into file and sname, within the size limit") {
    Packet reply;
    reply.op = kBootReply;
    reply.options[option::message_type] = Bytes{5};
    reply.options[option::domain_name] = Bytes(250, 'd');
    reply.options[option::classless_routes] = Bytes(90, 1);
    reply.options[option::ntp_servers] = Bytes(40, 2);
    reply.options[200] = Bytes(60, 3);
    reply.options[201] = Bytes(100, 4);  // fits nowhere: dropped, counted
    const Bytes order = {53, 15, 121, 42, 200, 201};
    std::vector<std::uint8_t> out(1500);
    auto r = build_packet(reply, order, 576, out);
    CHECK(r.length <= 576);
    CHECK(r.overloaded);
    CHECK(r.dropped == 1);
    Packet back;
    REQUIRE(parse_packet({out.data(), r.length}, back) == ParseError::ok);
    CHECK(back.message_type() == MessageType::ack);
    CHECK(back.option(option::domain_name)->size() == 250);
    CHECK(back.option(option::classless_routes)->size() == 90);
    CHECK(back.option(option::ntp_servers)->size() == 40);
    CHECK(back.option(200)->size() == 60);
    CHECK_FALSE(back.option(201));
}

TEST_CASE("dhcp builder: an option longer than 255 bytes is split into instances (RFC 3396)") {
    Packet reply;
    reply.op = kBootReply;
    reply.options[option::message_type] = Bytes{5};
    reply.options[option::classless_routes] = Bytes(600, 7);
    const Bytes order = {53, 121};
    std::vector<std::uint8_t> out(1500);
    auto r = build_packet(reply, order, 1500, out);
    CHECK(r.dropped == 0);
    Packet back;
    REQUIRE(parse_packet({out.data(), r.length}, back) == ParseError::ok);
    CHECK(back.option(option::classless_routes)->size() == 600);
}

TEST_CASE("dhcp option set: set, replace, erase from the middle, copy, every code") {
    OptionSet s;
    CHECK_FALSE(s[12]);
    s[12] = Bytes{'a'};
    s[50] = Bytes{1, 2, 3, 4};
    s[61] = Bytes{9};
    s[12] = Bytes{'b', 'c'};  // replaces, does not add
    CHECK(s.size() == 3);
    CHECK(*s[12] == Bytes{'b', 'c'});
    s[12].reset();  // the first entry goes: the last moves into its place
    CHECK_FALSE(s[12]);
    CHECK(s.size() == 2);
    CHECK(*s[50] == Bytes{1, 2, 3, 4});
    CHECK(*s[61] == Bytes{9});
    s[50].reset();
    s[50].reset();  // twice: harmless
    CHECK(s.size() == 1);
    CHECK(*s[61] == Bytes{9});

    const OptionSet copy = s;
    s[61] = Bytes{7};
    CHECK(*copy[61] == Bytes{9});  // a copy is independent
    CHECK(copy[61]->size() == 1);
    s[62] = copy[61];  // one entry to another
    s[63] = copy[99];  // an absent one: erases
    CHECK(*s[62] == Bytes{9});
    CHECK_FALSE(s[63]);

    OptionSet moved = std::move(s);
    CHECK(*moved[62] == Bytes{9});
    CHECK(s.size() == 0);  // NOLINT(bugprone-use-after-move): a moved-from set is empty
    CHECK_FALSE(s[62]);
    s[62] = Bytes{1};  // and usable again
    CHECK(*s[62] == Bytes{1});

    OptionSet all;  // every code, including 0 and 255 (the index must not overflow)
    for (int c = 0; c < 256; ++c) all[static_cast<std::uint8_t>(c)] = Bytes{static_cast<std::uint8_t>(c)};
    CHECK(all.size() == 256);
    for (int c = 0; c < 256; ++c) CHECK((*all[static_cast<std::uint8_t>(c)])[0] == c);
    for (int c = 0; c < 256; c += 2) all[static_cast<std::uint8_t>(c)].reset();
    CHECK(all.size() == 128);
    for (int c = 1; c < 256; c += 2) CHECK((*all[static_cast<std::uint8_t>(c)])[0] == c);
}
