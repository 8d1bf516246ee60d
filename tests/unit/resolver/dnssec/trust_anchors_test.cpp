// Trust anchors: the built-in root KSKs, Debian's dns-root-data files, and
// files with mistakes (named by line).
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>

#include "resolver/dnssec/key_set.h"
#include "resolver/dnssec/trust_anchors.h"
#include "support/dnssec_signer.h"
#include "unit/resolver/dnssec/dnssec_test_util.h"

using namespace lanlord;
using namespace lanlord::test;

namespace {

std::string write_temp(const std::string& text) {
    char path[] = "/tmp/lanlord-ta-XXXXXX";
    int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    std::FILE* f = fdopen(fd, "w");
    std::fputs(text.c_str(), f);
    std::fclose(f);
    return path;
}

std::uint16_t tag_of(const std::vector<std::uint8_t>& ds) {
    return static_cast<std::uint16_t>(ds[0] << 8 | ds[1]);
}

}  // namespace

TEST_CASE("the built-in root anchors are KSK-2017 (20326) and KSK-2024 (38696)", "[dnssec]") {
    TrustAnchors t = TrustAnchors::builtin();
    const TrustAnchor* root = t.closest(wire("www.example.org."));
    REQUIRE(root);
    CHECK(root->zone == std::string(1, '\0'));
    REQUIRE(root->ds.size() == 2);
    CHECK(tag_of(root->ds[0]) == 20326);
    CHECK(tag_of(root->ds[1]) == 38696);
}

TEST_CASE("Debian's root.key (DNSKEY lines) and root.ds give the built-in anchors", "[dnssec]") {
    TrustAnchors builtin = TrustAnchors::builtin();
    for (const char* path : {"/usr/share/dns/root.key", "/usr/share/dns/root.ds"}) {
        std::ifstream probe(path);
        REQUIRE(probe);  // dns-root-data: contrib/dev.sh test installs it
        INFO(path);
        TrustAnchors loaded;
        CHECK(load_trust_anchor_file(path, loaded).empty());
        const TrustAnchor* root = loaded.closest(std::string(1, '\0'));
        REQUIRE(root);
        // The DNSKEY anchors, turned into SHA-256 DS, equal root.ds's bytes.
        CHECK(root->ds == builtin.closest(std::string(1, '\0'))->ds);
    }
}

TEST_CASE("a trust anchor file with several zones, comments and a multi-line record validates a zone",
          "[dnssec]") {
    SigningKey ksk = make_key(algorithm::ECDSAP256, "example.", 257);
    // The DNSKEY in presentation format, as a user would paste it.
    Blob ds = ds_for(ksk, digest::SHA256);
    std::string hex;
    char b[3];
    for (std::size_t i = 4; i < ds.size(); ++i) std::snprintf(b, sizeof b, "%02X", ds[i]), hex += b;
    std::string text =
        "; anchors for a lab\n$TTL 3600\n"
        "example. IN DS " +
        std::to_string(ksk.tag) + " 13 2 (\n  " + hex +
        " )\n"
        "lab.test. 3600 IN DS 1234 8 2 "
        "E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n";
    std::string path = write_temp(text);
    TrustAnchors t;
    CHECK(load_trust_anchor_file(path, t) == "");
    std::remove(path.c_str());
    const TrustAnchor* a = t.closest(wire("www.example."));
    REQUIRE(a);
    CHECK(a->zone == wire("example."));
    CHECK(a->ds == std::vector<std::vector<std::uint8_t>>{ds});
    CHECK(t.closest(wire("www.lab.test."))->zone == wire("lab.test."));
    CHECK(t.closest(wire("other.org.")) == nullptr);
}

TEST_CASE("trust anchor files with mistakes are refused with file and line, and the anchors kept",
          "[dnssec]") {
    SigningKey revoked = make_key(algorithm::ECDSAP256, "example.", 385);
    struct Case {
        std::string text;
        std::string expect;
    };
    std::vector<Case> cases = {
        {"example. IN DS 1 13 2 00FF\n. IN A 192.0.2.1\n", ":2: only DS and DNSKEY"},
        {"example. IN DS 1 13 2 00FF\nexample. IN DS not-a-number\n", ":2: "},
        {"; nothing\n", "no DS or DNSKEY record"},
        {"example. IN DNSKEY 385 3 13 "
         "mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==\n",
         ":1: DNSKEY with the REVOKE bit"},
    };
    (void)revoked;
    TrustAnchors t = TrustAnchors::builtin();
    for (const Case& c : cases) {
        std::string path = write_temp(c.text);
        std::string err = load_trust_anchor_file(path, t);
        std::remove(path.c_str());
        INFO(c.text);
        CHECK(err.find(c.expect) != std::string::npos);
        CHECK(err.rfind(path, 0) == 0);  // the message starts with the file
    }
    CHECK(load_trust_anchor_file("/nonexistent/root.key", t).find("cannot open") != std::string::npos);
    CHECK(t.all().size() == 1);  // the built-in root anchors are still there
}
