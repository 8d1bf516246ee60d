#include <catch2/catch.hpp>

#include "resolver/engine/upstream_router.h"
#include "support/dns_builder.h"

using namespace lanlord;
using lanlord::test::wire;

TEST_CASE("upstream_router: longest suffix wins, root is the default, reverse zones work alike") {
    UpstreamRouter r;
    r.add({0, wire("."), {}});
    r.add({1, wire("corp.test"), {}});
    r.add({2, wire("eu.corp.test"), {}});
    r.add({3, wire("10.in-addr.arpa"), {}});
    CHECK(r.route(wire("www.example.org"), "")->group == 0);
    CHECK_FALSE(r.route(wire("www.example.org"), "")->explicit_domain);
    CHECK(r.route(wire("corp.test"), "")->group == 1);
    CHECK(r.route(wire("git.corp.test"), "")->explicit_domain);
    CHECK(r.route(wire("x.eu.corp.test"), "")->group == 2);
    CHECK(r.route(wire("4.3.2.10.in-addr.arpa"), "")->group == 3);
    CHECK(r.route(wire("notcorp.test"), "")->group == 0);
}

TEST_CASE("upstream_router: groups limited to client interfaces") {
    UpstreamRouter r;
    r.add({0, wire("."), {}});
    r.add({1, wire("."), {"guest0"}});
    r.add({2, wire("corp.test"), {"lan0"}});
    CHECK(r.route(wire("a.example"), "lan0")->group == 0);
    CHECK(r.route(wire("a.example"), "guest0")->group == 1);  // restricted beats unrestricted at equal length
    CHECK(r.route(wire("x.corp.test"), "lan0")->group == 2);
    CHECK(r.route(wire("x.corp.test"), "guest0")->group == 1);  // corp.test is not for guests
    UpstreamRouter none;
    none.add({0, wire("corp.test"), {}});
    CHECK_FALSE(none.route(wire("a.example"), ""));
}
