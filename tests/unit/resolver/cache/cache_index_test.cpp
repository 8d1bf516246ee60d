#include <catch2/catch.hpp>

#include <random>
#include <unordered_map>

#include "resolver/cache/cache_index.h"

using lanlord::CacheIndex;

namespace {

// Keys are numbers; `hash` may be made to collide on purpose (same tag, same
// home slot) to exercise probing and the backward shift across wrap-around.
struct Model {
    CacheIndex index;
    std::unordered_map<std::uint32_t, std::uint64_t> live;  // entry -> hash

    std::uint32_t find(std::uint32_t entry, std::uint64_t hash) const {
        return index.find(hash, [&](std::uint32_t e) { return e == entry; });
    }
    void check_all() const {
        REQUIRE(index.size() == live.size());
        for (const auto& [entry, hash] : live) REQUIRE(find(entry, hash) == entry);
    }
};

}  // namespace

TEST_CASE("cache index: find, insert, erase against a model, with forced collisions") {
    std::mt19937_64 rng(42);
    for (int collide_bits : {64, 6, 1}) {  // 64: real hashes; 6 and 1: few distinct tags
        Model m;
        auto hash_of = [&](std::uint32_t entry) {
            std::uint64_t h = (std::uint64_t{entry} * 0x9E3779B97F4A7C15ULL) ^ 0xabcdef;
            if (collide_bits < 64) h = (h & ((std::uint64_t{1} << collide_bits) - 1)) << 58;  // top bits only
            return h;
        };
        for (int step = 0; step < 20000; ++step) {
            std::uint32_t entry = static_cast<std::uint32_t>(rng() % 3000);
            std::uint64_t h = hash_of(entry);
            if (m.live.count(entry)) {
                REQUIRE(m.find(entry, h) == entry);
                if (rng() % 2) {
                    m.index.erase(h, entry);
                    m.live.erase(entry);
                    REQUIRE(m.find(entry, h) == CacheIndex::npos);
                }
            } else {
                REQUIRE(m.find(entry, h) == CacheIndex::npos);
                m.index.insert(h, entry);
                m.live[entry] = h;
            }
            if (step % 997 == 0) m.check_all();
        }
        m.check_all();
        for (auto it = m.live.begin(); it != m.live.end();) {  // empty it completely
            m.index.erase(it->second, it->first);
            it = m.live.erase(it);
        }
        CHECK(m.index.empty());
        m.index.erase(hash_of(1), 1);  // erasing what is not there: harmless
        CHECK(m.index.empty());
    }
}

TEST_CASE("cache index: clear, then reuse") {
    CacheIndex index;
    for (std::uint32_t i = 0; i < 100; ++i) index.insert(std::uint64_t{i} << 40, i);
    CHECK(index.size() == 100);
    index.clear();
    CHECK(index.find(std::uint64_t{5} << 40, [](std::uint32_t) { return true; }) == CacheIndex::npos);
    index.insert(std::uint64_t{5} << 40, 5);
    CHECK(index.find(std::uint64_t{5} << 40, [](std::uint32_t e) { return e == 5; }) == 5);
}
