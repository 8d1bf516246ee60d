#include <catch2/catch.hpp>

#include "common/dns_name.h"
#include "support/dns_builder.h"

using namespace lanlord;
using test::Bytes;

namespace {
NameError read(const Bytes& msg, std::size_t pos, std::string* out = nullptr) {
    std::uint8_t buf[kMaxNameLength];
    std::size_t len = 0;
    NameError e = read_name(msg, pos, buf, len);
    if (out && e == NameError::ok) out->assign(reinterpret_cast<char*>(buf), len);
    return e;
}
}  // namespace

TEST_CASE("dns_name: reads, lower-cases and follows a backward pointer") {
    Bytes msg(12, 0);
    test::put_name_raw(msg, "WWW.Example.ORG");  // at 12
    std::size_t second = msg.size();
    msg.insert(msg.end(), {3, 'F', 'o', 'o', 0xC0, 16});  // foo + pointer to "example.org" at 16
    std::string name;
    REQUIRE(read(msg, 12, &name) == NameError::ok);
    CHECK(name == test::wire("www.example.org"));
    std::size_t pos = second;
    std::uint8_t buf[kMaxNameLength];
    std::size_t len = 0;
    REQUIRE(read_name(msg, pos, buf, len) == NameError::ok);
    CHECK(std::string(reinterpret_cast<char*>(buf), len) == test::wire("foo.example.org"));
    CHECK(pos == msg.size());  // advanced past the pointer, not the target
}

TEST_CASE("dns_name: hostile names are refused, not crashed on") {
    SECTION("pointer to itself (loop)") {
        Bytes msg(12, 0);
        msg.insert(msg.end(), {0xC0, 12});
        CHECK(read(msg, 12) == NameError::pointer_loop);
    }
    SECTION("forward pointer") {
        Bytes msg(12, 0);
        msg.insert(msg.end(), {0xC0, 16, 0, 0, 1, 'a', 0});
        CHECK(read(msg, 12) == NameError::pointer_loop);
    }
    SECTION("two pointers forming a cycle through earlier bytes") {
        Bytes msg = {1, 'a', 0xC0, 4, 1, 'b', 0xC0, 0};
        CHECK(read(msg, 4) == NameError::pointer_loop);
    }
    SECTION("label longer than 63 uses reserved label types") {
        Bytes msg(12, 0);
        msg.push_back(64);
        msg.insert(msg.end(), 64, 'a');
        msg.push_back(0);
        CHECK(read(msg, 12) == NameError::bad_label_type);
    }
    SECTION("name longer than 255 bytes") {
        Bytes msg(12, 0);
        for (int i = 0; i < 5; ++i) {
            msg.push_back(63);
            msg.insert(msg.end(), 63, 'a');
        }
        msg.push_back(0);
        CHECK(read(msg, 12) == NameError::too_long);
    }
    SECTION("truncated inside a label and inside a pointer") {
        Bytes msg(12, 0);
        msg.insert(msg.end(), {5, 'a', 'b'});
        CHECK(read(msg, 12) == NameError::truncated);
        Bytes msg2(12, 0);
        msg2.push_back(0xC0);
        CHECK(read(msg2, 12) == NameError::truncated);
    }
    SECTION("missing terminating root label") {
        Bytes msg(12, 0);
        msg.insert(msg.end(), {1, 'a'});
        CHECK(read(msg, 12) == NameError::truncated);
    }
}

TEST_CASE("dns_name: text conversion, suffix tests and label counts") {
    CHECK(name_from_text(".") == std::string(1, '\0'));
    CHECK(name_from_text("Example.ORG.") == test::wire("example.org"));
    CHECK_FALSE(name_from_text("a..b"));
    CHECK_FALSE(name_from_text(""));
    CHECK_FALSE(name_from_text(std::string(64, 'a') + ".org"));
    CHECK(name_to_text(test::wire("www.example.org")) == "www.example.org.");
    CHECK(name_to_text(std::string(1, '\0')) == ".");
    CHECK(name_to_text(std::string("\x03"
                                   "a.b\x00",
                                   5)) == "a\\.b.");
    CHECK(name_is_under(test::wire("www.corp.test"), test::wire("corp.test")));
    CHECK(name_is_under(test::wire("corp.test"), test::wire("corp.test")));
    CHECK_FALSE(name_is_under(test::wire("xcorp.test"), test::wire("corp.test")));
    CHECK(name_is_under(test::wire("anything"), std::string(1, '\0')));
    CHECK(name_label_count(test::wire("nas")) == 1);
    CHECK(name_label_count(test::wire("a.b.c")) == 3);
    CHECK(name_label_count(std::string(1, '\0')) == 0);
}
