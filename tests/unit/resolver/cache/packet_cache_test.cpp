#include <catch2/catch.hpp>

#include "resolver/cache/cache_key.h"
#include "resolver/cache/packet_cache.h"
#include "resolver/wire/response_scan.h"
#include "support/dns_builder.h"

using namespace lanlord;
using namespace lanlord::test;

namespace {
struct Stored {
    ScannedResponse r;
};
Stored answer_for(const std::string& name, std::uint32_t ttl_a, std::uint32_t ttl_b) {
    ResponseSpec s{.qname = name};
    s.answer = {{name, dns::type::A, ttl_a, rdata_a("192.0.2.1")},
                {name, dns::type::A, ttl_b, rdata_a("192.0.2.2")}};
    Stored st;
    REQUIRE(scan_response(make_response(s), wire(name), dns::type::A, dns::kClassIN, {}, st.r) ==
            ScanStatus::ok);
    return st;
}
std::string key_for(const std::string& name) {
    return std::string(CacheKey(wire(name), 1, 1, false, false, 0).view());
}
TimePoint t0() {
    return TimePoint(seconds(1000));
}
}  // namespace

TEST_CASE("packet_cache: TTLs count down by whole seconds and never go below zero") {
    PacketCache cache({.max_entries = 10}, 1);
    auto st = answer_for("a.example", 300, 100);
    cache.insert(key_for("a.example"), st.r.stored, st.r.ttl_offsets, st.r.lifetime, t0());
    std::vector<std::uint8_t> out(4096);
    auto hit = cache.lookup(key_for("a.example"), t0() + milliseconds(2999), out, true);
    REQUIRE(hit.state == CacheState::fresh);
    CHECK(load_u32(out.data() + st.r.ttl_offsets[0]) == 298);  // 2.999 s is 2 whole seconds
    CHECK(load_u32(out.data() + st.r.ttl_offsets[1]) == 98);
    hit = cache.lookup(key_for("a.example"), t0() + milliseconds(99999), out, true);
    REQUIRE(hit.state == CacheState::fresh);
    CHECK(load_u32(out.data() + st.r.ttl_offsets[1]) == 1);  // last second of life
    // The entry expires with its smallest TTL.
    hit = cache.lookup(key_for("a.example"), t0() + seconds(100), out, false);
    CHECK(hit.state == CacheState::miss);
}

TEST_CASE("packet_cache: stale entries are served with TTL 30 within stale_max only") {
    PacketCache cache({.max_entries = 10, .stale_max = seconds(60)}, 1);
    auto st = answer_for("s.example", 10, 10);
    cache.insert(key_for("s.example"), st.r.stored, st.r.ttl_offsets, st.r.lifetime, t0());
    std::vector<std::uint8_t> out(4096);
    auto hit = cache.lookup(key_for("s.example"), t0() + seconds(30), out, true);
    REQUIRE(hit.state == CacheState::stale);
    CHECK(load_u32(out.data() + st.r.ttl_offsets[0]) == 30);
    CHECK_FALSE(hit.stale_hold);
    cache.hold_stale(key_for("s.example"), t0() + seconds(40));
    CHECK(cache.lookup(key_for("s.example"), t0() + seconds(35), out, true).stale_hold);
    CHECK_FALSE(cache.lookup(key_for("s.example"), t0() + seconds(41), out, true).stale_hold);
    CHECK(cache.lookup(key_for("s.example"), t0() + seconds(71), out, true).state == CacheState::miss);
}

TEST_CASE("packet_cache: prefetch is signalled once, in the last 10 % of the life") {
    PacketCache cache({.max_entries = 10}, 1);
    auto st = answer_for("p.example", 100, 100);
    cache.insert(key_for("p.example"), st.r.stored, st.r.ttl_offsets, st.r.lifetime, t0());
    std::vector<std::uint8_t> out(4096);
    CHECK_FALSE(cache.lookup(key_for("p.example"), t0() + seconds(89), out, true).prefetch);
    CHECK(cache.lookup(key_for("p.example"), t0() + seconds(91), out, true).prefetch);
    CHECK_FALSE(cache.lookup(key_for("p.example"), t0() + seconds(92), out, true).prefetch);
}

TEST_CASE("packet_cache: CLOCK eviction keeps recently used entries") {
    PacketCache cache({.max_entries = 3, .stale_max = seconds(0)}, 1);
    std::vector<std::uint8_t> out(4096);
    for (std::string n : {"a.x", "b.x", "c.x"}) {
        auto st = answer_for(n, 300, 300);
        cache.insert(key_for(n), st.r.stored, st.r.ttl_offsets, st.r.lifetime, t0());
    }
    // Touch a and c; inserting d must evict b, the one not used since.
    cache.lookup(key_for("a.x"), t0(), out, false);
    cache.lookup(key_for("c.x"), t0(), out, false);
    auto st = answer_for("d.x", 300, 300);
    cache.insert(key_for("d.x"), st.r.stored, st.r.ttl_offsets, st.r.lifetime, t0());
    CHECK(cache.stats().entries == 3);
    CHECK(cache.stats().evictions == 1);
    CHECK(cache.lookup(key_for("b.x"), t0(), out, false).state == CacheState::miss);
    CHECK(cache.lookup(key_for("a.x"), t0(), out, false).state == CacheState::fresh);
    CHECK(cache.lookup(key_for("c.x"), t0(), out, false).state == CacheState::fresh);
    CHECK(cache.lookup(key_for("d.x"), t0(), out, false).state == CacheState::fresh);
}

TEST_CASE("packet_cache: byte limit, flush of a name and of everything, sharding") {
    PacketCache cache({.max_entries = 1000, .max_bytes = 4000}, 1);
    for (int i = 0; i < 50; ++i) {
        std::string n = "n" + std::to_string(i) + ".example";
        auto st = answer_for(n, 300, 300);
        cache.insert(key_for(n), st.r.stored, st.r.ttl_offsets, st.r.lifetime, t0());
    }
    CHECK(cache.stats().bytes <= 4000);
    CHECK(cache.stats().entries < 50);

    PacketCache sharded({.max_entries = 1000}, 8);
    for (std::uint16_t type : {1, 28}) {
        auto st = answer_for("f.example", 300, 300);
        sharded.insert(CacheKey(wire("f.example"), type, 1, false, false, 0).view(), st.r.stored,
                       st.r.ttl_offsets, 300, t0());
    }
    auto st = answer_for("g.example", 300, 300);
    sharded.insert(key_for("g.example"), st.r.stored, st.r.ttl_offsets, 300, t0());
    CHECK(sharded.stats().entries == 3);
    CHECK(sharded.flush_name(wire("f.example")) == 2);  // every type of the name
    CHECK(sharded.stats().entries == 1);
    CHECK(sharded.flush() == 1);
    CHECK(sharded.stats().entries == 0);
}

TEST_CASE("packet_cache: DO, CD and the group are part of the key") {
    CHECK(CacheKey(wire("a.example"), 1, 1, true, false, 0).view() !=
          CacheKey(wire("a.example"), 1, 1, false, false, 0).view());
    CHECK(CacheKey(wire("a.example"), 1, 1, false, true, 0).view() !=
          CacheKey(wire("a.example"), 1, 1, false, false, 0).view());
    CHECK(CacheKey(wire("a.example"), 1, 1, false, false, 7).view() !=
          CacheKey(wire("a.example"), 1, 1, false, false, 0).view());
}
