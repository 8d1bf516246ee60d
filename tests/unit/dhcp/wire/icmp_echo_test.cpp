// ICMP echo for the conflict probe: the request we send, and replies as a raw
// socket hands them over (IPv4 header first), including hostile ones.
#include <catch2/catch.hpp>

#include "dhcp/wire/icmp_echo.h"

using namespace lanlord;
using namespace lanlord::dhcp;

namespace {
using Bytes = std::vector<std::uint8_t>;

// An IPv4 datagram from 192.0.2.100 carrying `icmp`.
Bytes datagram(const Bytes& icmp, std::uint8_t protocol = 1) {
    const std::uint8_t header[20] = {0x45, 0, 0,   0, 0, 0,   0x40, 0, 64, protocol,
                                     0,    0, 192, 0, 2, 100, 192,  0, 2,  1};
    Bytes d(header, header + 20);
    d.resize(20 + icmp.size());
    std::copy(icmp.begin(), icmp.end(), d.begin() + 20);
    d[2] = std::uint8_t(d.size() >> 8);
    d[3] = std::uint8_t(d.size());
    return d;
}

// Our request turned into the reply a host sends: type 0, checksum redone.
Bytes reply_to(Bytes request) {
    request[0] = 0;
    request[2] = request[3] = 0;
    std::uint16_t sum = internet_checksum(request);
    request[2] = std::uint8_t(sum >> 8);
    request[3] = std::uint8_t(sum);
    return request;
}
}  // namespace

TEST_CASE("icmp echo: the request has type 8, identifier, sequence and a valid checksum") {
    Bytes r = build_echo_request(0x1234, 0xBEEF);
    REQUIRE(r.size() >= 8);
    CHECK(r[0] == 8);
    CHECK(r[1] == 0);
    CHECK(r[4] == 0x12);
    CHECK(r[5] == 0x34);
    CHECK(r[6] == 0xBE);
    CHECK(r[7] == 0xEF);
    CHECK(internet_checksum(r) == 0);  // a correct checksum sums to zero
}

TEST_CASE("icmp echo: RFC 1071 checksum of an odd length") {
    CHECK(internet_checksum(Bytes{0x01}) == 0xFEFF);
    CHECK(internet_checksum(Bytes{}) == 0xFFFF);
}

TEST_CASE("icmp echo: a reply gives source, identifier and sequence") {
    auto r = parse_echo_reply(datagram(reply_to(build_echo_request(7, 42))));
    REQUIRE(r);
    CHECK(r->source == *IpAddress::parse("192.0.2.100"));
    CHECK(r->identifier == 7);
    CHECK(r->sequence == 42);
}

TEST_CASE("icmp echo: hostile or foreign datagrams are refused") {
    Bytes good = datagram(reply_to(build_echo_request(7, 42)));
    CHECK_FALSE(parse_echo_reply(datagram(build_echo_request(7, 42))));  // a request, not a reply
    Bytes bad_sum = good;
    bad_sum.back() ^= 1;
    CHECK_FALSE(parse_echo_reply(bad_sum));
    CHECK_FALSE(parse_echo_reply(datagram(reply_to(build_echo_request(7, 42)), 17)));  // UDP
    for (std::size_t n = 0; n < good.size(); ++n)                                      // every truncation
        CHECK_FALSE(parse_echo_reply(std::span(good).first(n)));
    Bytes ihl = good;
    ihl[0] = 0x44;  // header length 16: below the minimum
    CHECK_FALSE(parse_echo_reply(ihl));
    ihl[0] = 0x4F;  // 60: beyond the datagram's total length
    CHECK_FALSE(parse_echo_reply(ihl));
    Bytes v6 = good;
    v6[0] = 0x65;
    CHECK_FALSE(parse_echo_reply(v6));
    Bytes fragment = good;
    fragment[6] = 0x20;  // more fragments
    CHECK_FALSE(parse_echo_reply(fragment));
    Bytes total = good;
    total[3] = 30;  // total length shorter than header + ICMP header
    CHECK_FALSE(parse_echo_reply(total));
}
