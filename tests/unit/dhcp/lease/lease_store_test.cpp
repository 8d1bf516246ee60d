#include <catch2/catch.hpp>

#include "dhcp/lease/lease_store.h"

using namespace lanlord;
using namespace lanlord::dhcp;

namespace {
IpAddress ip(const char* s) {
    return *IpAddress::parse(s);
}
std::vector<std::uint8_t> client(std::uint8_t n) {
    return {1, 2, 0, 0, 0, 0, n};
}
Lease lease(const char* a, std::uint8_t c, std::int64_t expires) {
    Lease l;
    l.address = ip(a);
    l.client_id = client(c);
    l.expires = expires;
    return l;
}
const AddressRange pool{ip("192.0.2.10"), ip("192.0.2.12")};
}  // namespace

TEST_CASE("lease store: allocation takes unused addresses first, then expired leases oldest first") {
    LeaseStore s;
    CHECK(s.allocate(pool, client(1), 100, {}) == ip("192.0.2.10"));
    s.put(lease("192.0.2.10", 1, 200));
    s.put(lease("192.0.2.11", 2, 150));
    CHECK(s.allocate(pool, client(3), 100, {}) == ip("192.0.2.12"));
    s.put(lease("192.0.2.12", 3, 120));
    CHECK_FALSE(s.allocate(pool, client(4), 100, {}));  // exhausted
    // At 160 the leases of .11 (150) and .12 (120) are expired: the older goes first.
    CHECK(s.allocate(pool, client(4), 160, {}) == ip("192.0.2.12"));
    CHECK(s.active(pool, 160) == 1);
}

TEST_CASE("lease store: one lease per client, a new address frees the old one") {
    LeaseStore s;
    s.put(lease("192.0.2.10", 1, 200));
    s.put(lease("192.0.2.11", 1, 300));
    CHECK_FALSE(s.by_address(ip("192.0.2.10")));
    REQUIRE(s.by_client(client(1)));
    CHECK(s.by_client(client(1))->address == ip("192.0.2.11"));
    s.free(ip("192.0.2.11"));
    CHECK_FALSE(s.by_client(client(1)));
}

TEST_CASE("lease store: offers, declines and reservations keep addresses from others") {
    LeaseStore s;
    s.hold_offer(ip("192.0.2.10"), client(1), 160);
    CHECK_FALSE(s.available_for(ip("192.0.2.10"), client(2), 100));
    CHECK(s.available_for(ip("192.0.2.10"), client(1), 100));
    CHECK(s.available_for(ip("192.0.2.10"), client(2), 160));  // the hold ran out
    CHECK(s.allocate(pool, client(2), 100, {}) == ip("192.0.2.11"));
    s.decline(ip("192.0.2.11"), 700);  // probation until 700
    CHECK(s.allocate(pool, client(2), 100, {}) == ip("192.0.2.12"));
    CHECK(s.allocate(pool, client(2), 100, {ip("192.0.2.12")}) == std::nullopt);  // .12 reserved for another
    CHECK(s.allocate(pool, client(2), 700, {ip("192.0.2.10"), ip("192.0.2.12")}) ==
          ip("192.0.2.11"));  // probation over
}

TEST_CASE(
    "lease store: an expired lease's address goes back to its own client, a live one never to another") {
    LeaseStore s;
    s.put(lease("192.0.2.10", 1, 200));
    CHECK(s.available_for(ip("192.0.2.10"), client(1), 100));
    CHECK_FALSE(s.available_for(ip("192.0.2.10"), client(2), 100));
    CHECK(s.available_for(ip("192.0.2.10"), client(2), 200));
}
