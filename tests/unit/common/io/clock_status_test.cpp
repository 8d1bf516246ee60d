// The timestamp file only ever moves forward. (The kernel flag depends on
// the host; judge_clock's tests cover both of its values.)
#include <catch2/catch.hpp>

#include <unistd.h>
#include <cstdio>

#include "common/io/clock_status.h"

using namespace lanlord;

TEST_CASE("clock status: touch_forward makes the file, moves its time forward and never back", "[clock]") {
    char dir[] = "/tmp/lanlord-clock-XXXXXX";
    REQUIRE(mkdtemp(dir));
    std::string path = std::string(dir) + "/dnssec.timestamp";
    CHECK_FALSE(io::file_mtime(path));
    REQUIRE(io::touch_forward(path, 1'800'000'000));
    CHECK(io::file_mtime(path) == 1'800'000'000);
    REQUIRE(io::touch_forward(path, 1'800'003'600));
    CHECK(io::file_mtime(path) == 1'800'003'600);
    CHECK(io::touch_forward(path, 1'700'000'000));  // earlier: ignored, not an error
    CHECK(io::file_mtime(path) == 1'800'003'600);
    std::remove(path.c_str());
    rmdir(dir);
}
