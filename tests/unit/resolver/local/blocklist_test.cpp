#include <catch2/catch.hpp>

#include "resolver/local/blocklist.h"
#include "resolver/local/hostname_sanitizer.h"
#include "support/dns_builder.h"

using namespace lanlord;
using lanlord::test::wire;

TEST_CASE("blocklist: a blocked domain blocks its subdomains, not its parent or siblings") {
    Blocklist b;
    b.blocked().insert(wire("ads.example"));
    CHECK(b.is_blocked(wire("ads.example")));
    CHECK(b.is_blocked(wire("x.y.ads.example")));
    CHECK_FALSE(b.is_blocked(wire("example")));
    CHECK_FALSE(b.is_blocked(wire("bads.example")));
    CHECK_FALSE(b.is_blocked(wire("www.example")));
}

TEST_CASE("blocklist: the allowlist overrides, also for a subdomain") {
    Blocklist b;
    b.blocked().insert(wire("tracker.example"));
    b.allowed().insert(wire("ok.tracker.example"));
    CHECK(b.is_blocked(wire("tracker.example")));
    CHECK(b.is_blocked(wire("x.tracker.example")));
    CHECK_FALSE(b.is_blocked(wire("ok.tracker.example")));
    CHECK_FALSE(b.is_blocked(wire("a.ok.tracker.example")));
}

TEST_CASE("blocklist: hosts, plain and adblock formats, junk is skipped and counted") {
    DomainSet set;
    auto st = parse_blocklist(
        "# hosts style\r\n0.0.0.0 ads.example tracker.example\n127.0.0.1 localhost\n:: six.example\n"
        "plain.example\n  Spaced.Example.  \n||adblock.example^\n||path.example/ads^\n@@||allowed.example^\n"
        "! adblock comment\n[Adblock Plus 2.0]\nbad domain with spaces\n0.0.0.0 b@d.example\n" +
            std::string(300, 'a') + ".example\n",
        "list", set);
    CHECK(st.domains == 6);
    CHECK(st.skipped == 6);
    CHECK(set.size() == 6);
    for (auto d : {"ads.example", "tracker.example", "six.example", "plain.example", "spaced.example",
                   "adblock.example"})
        CHECK(set.contains_exact(wire(d)));
    CHECK_FALSE(set.contains_exact(wire("localhost")));
    CHECK_FALSE(set.contains_exact(wire("path.example")));
    REQUIRE_FALSE(st.warnings.empty());
    CHECK(st.warnings[0] == "list:8: unsupported adblock rule");
}

TEST_CASE("blocklist: a large set stays consistent through growth") {
    DomainSet set;
    for (int i = 0; i < 20000; ++i) set.insert(wire("d" + std::to_string(i) + ".example"));
    CHECK(set.size() == 20000);
    CHECK(set.contains_exact(wire("d0.example")));
    CHECK(set.contains_exact(wire("d19999.example")));
    CHECK_FALSE(set.contains_exact(wire("d20000.example")));
    CHECK(set.memory_bytes() <= 20000 * 8 * 4);
}

TEST_CASE("hostname_sanitizer: client names become one safe DNS label") {
    CHECK(sanitize_hostname("Johns iPhone") == "johns-iphone");
    CHECK(sanitize_hostname("DESKTOP_AB12") == "desktop-ab12");
    CHECK(sanitize_hostname("android-1a2b.local") == "android-1a2b");
    CHECK(sanitize_hostname("--x--") == "x");
    CHECK(sanitize_hostname("caf\xc3\xa9") == "caf");
    CHECK(sanitize_hostname(std::string("a\0b", 3)) == "ab");
    CHECK_FALSE(sanitize_hostname(""));
    CHECK_FALSE(sanitize_hostname("---"));
    CHECK_FALSE(sanitize_hostname(".lan"));
    CHECK(sanitize_hostname(std::string(100, 'a'))->size() == 63);
}
