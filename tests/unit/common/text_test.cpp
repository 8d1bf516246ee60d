#include <catch2/catch.hpp>

#include "common/text.h"

using namespace lanlord;

TEST_CASE("text: fields split on spaces, tabs and carriage returns") {
    CHECK(split_fields("  192.0.2.1\tnas  nas.lan\r") ==
          std::vector<std::string_view>{"192.0.2.1", "nas", "nas.lan"});
    CHECK(split_fields("").empty());
    CHECK(split_fields(" \t\r ").empty());
}

TEST_CASE("text: hex both ways") {
    const std::vector<std::uint8_t> mac = {0x02, 0, 0, 0, 0, 0x42};
    CHECK(to_hex(mac) == "020000000042");
    CHECK(to_hex(mac, ':') == "02:00:00:00:00:42");
    CHECK(to_hex({}) == "");
    CHECK(parse_hex("02:00:00:00:00:42", true) == mac);
    CHECK(parse_hex("02-00-00-00-00-42", true) == mac);
    CHECK_FALSE(parse_hex("02:00:00:00:00:42", false));
    CHECK(parse_hex("020000000042", false) == mac);
    CHECK_FALSE(parse_hex("", true));
    CHECK_FALSE(parse_hex("abc", true));
    CHECK_FALSE(parse_hex("zz", true));
    CHECK_FALSE(parse_hex(std::string(512, 'a'), true));  // over 255 bytes
}
