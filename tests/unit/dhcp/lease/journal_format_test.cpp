#include <catch2/catch.hpp>

#include "dhcp/lease/journal_format.h"

using namespace lanlord;
using namespace lanlord::dhcp;

namespace {
Lease lease(const char* addr, std::int64_t expires, std::string host = "laptop") {
    Lease l;
    l.address = *IpAddress::parse(addr);
    l.client_id = {1, 2, 0, 0, 0, 0, 0x42};
    l.hardware = {2, 0, 0, 0, 0, 0x42};
    l.hostname = std::move(host);
    l.expires = expires;
    return l;
}
}  // namespace

TEST_CASE("journal: grants, renewals and frees replay to the live leases") {
    std::string j = encode_grant(lease("192.0.2.10", 1000)) + encode_grant(lease("192.0.2.11", 2000, "")) +
                    encode_grant(lease("192.0.2.10", 5000)) + encode_free(*IpAddress::parse("192.0.2.11"));
    auto r = replay_journal(j);
    CHECK(r.lines == 4);
    CHECK(r.bad_lines == 0);
    CHECK_FALSE(r.torn_tail);
    CHECK(r.good_length == j.size());
    REQUIRE(r.leases.size() == 1);
    CHECK(r.leases.begin()->second == lease("192.0.2.10", 5000));
}

TEST_CASE("journal: a torn last line is ignored with a warning, nothing before it is lost") {
    std::string good = encode_grant(lease("192.0.2.10", 1000)) + encode_grant(lease("192.0.2.11", 1000));
    std::string torn = encode_grant(lease("192.0.2.12", 1000));
    for (std::size_t cut = 0; cut < torn.size(); ++cut) {
        auto r = replay_journal(good + torn.substr(0, cut));
        CHECK(r.leases.size() == 2);
        CHECK(r.good_length == good.size());
        CHECK(r.torn_tail == (cut > 0));
    }
}

TEST_CASE("journal: damaged lines in the middle are detected by their CRC and skipped") {
    std::string a = encode_grant(lease("192.0.2.10", 1000));
    std::string b = encode_grant(lease("192.0.2.11", 1000));
    std::string c = encode_grant(lease("192.0.2.12", 1000));
    std::string damaged = b;
    damaged[5] = '9';  // 192.0.2.11 -> 192.9.2.11, CRC no longer matches
    auto r = replay_journal(a + damaged + c + "garbage without checksum\n" + "X 1 2\n");
    CHECK(r.bad_lines == 3);
    CHECK(r.leases.size() == 2);
    REQUIRE_FALSE(r.warnings.empty());
    CHECK(r.warnings[0] == "line 2: checksum mismatch");
}

TEST_CASE("journal: hostnames that could break the format are not written") {
    auto l = lease("192.0.2.10", 1000, "bad name\nwith newline");
    auto r = replay_journal(encode_grant(l));
    REQUIRE(r.leases.size() == 1);
    CHECK(r.leases.begin()->second.hostname.empty());
}

TEST_CASE("journal: crc32 is the IEEE one") {
    CHECK(crc32("123456789") == 0xCBF43926u);
}
