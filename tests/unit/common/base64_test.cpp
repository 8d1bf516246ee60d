#include <catch2/catch.hpp>

#include "common/base64.h"

using lanlord::base64_decode;

namespace {
std::string decoded(std::string_view text) {
    auto bytes = base64_decode(text);
    REQUIRE(bytes);
    return {bytes->begin(), bytes->end()};
}
}  // namespace

TEST_CASE("base64: RFC 4648 section 10 test vectors decode") {
    CHECK(decoded("") == "");
    CHECK(decoded("Zg==") == "f");
    CHECK(decoded("Zm8=") == "fo");
    CHECK(decoded("Zm9v") == "foo");
    CHECK(decoded("Zm9vYg==") == "foob");
    CHECK(decoded("Zm9vYmE=") == "fooba");
    CHECK(decoded("Zm9vYmFy") == "foobar");
}

TEST_CASE("base64: a 32-byte SPKI pin decodes to 32 bytes") {
    auto pin = base64_decode("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");  // SHA-256 of ""
    REQUIRE(pin);
    CHECK(pin->size() == 32);
    CHECK((*pin)[0] == 0xE3);
    CHECK((*pin)[31] == 0x55);
}

TEST_CASE("base64: anything not canonical padded base64 is refused") {
    for (const char* bad : {"Zg", "Zg=", "Zm9", "Z===", "Zh==", "Zm9=", "Zm 9v", "Zm9v\n",
                            "Zg==Zg==", "=Zg=", "Zm-v", "Zm_v", "*m9v"})
        CHECK_FALSE(base64_decode(bad));
}
