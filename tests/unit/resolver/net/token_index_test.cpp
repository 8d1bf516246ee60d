#include <catch2/catch.hpp>
#include <random>
#include <unordered_map>

#include "resolver/net/token_index.h"

using namespace lanlord;

TEST_CASE("token_index: insert, find, replace, erase") {
    TokenIndex<std::uint32_t> index;
    CHECK_FALSE(index.find(1));
    index.insert(1, 10);
    index.insert(2, 20);
    CHECK(index.find(1) == 10u);
    CHECK(index.find(2) == 20u);
    index.insert(1, 11);
    CHECK(index.find(1) == 11u);
    CHECK(index.size() == 2);
    CHECK(index.erase(1));
    CHECK_FALSE(index.erase(1));
    CHECK_FALSE(index.contains(1));
    CHECK(index.contains(2));
    CHECK(index.size() == 1);
}

TEST_CASE("token_index: agrees with std::unordered_map under random inserts and erases") {
    // Consecutive tokens (as the engine hands them out) and random ones,
    // through growth and many backward shifts.
    std::mt19937_64 rng(42);
    for (bool consecutive : {true, false}) {
        TokenIndex<std::uint32_t> index;
        std::unordered_map<std::uint64_t, std::uint32_t> reference;
        std::vector<std::uint64_t> keys;
        std::uint64_t next = 1;
        for (int step = 0; step < 200000; ++step) {
            bool add = keys.empty() || rng() % 100 < (keys.size() < 600 ? 60 : 40);
            if (add) {
                std::uint64_t key = consecutive ? next++ : rng() % 5000;
                auto value = static_cast<std::uint32_t>(rng());
                if (!reference.contains(key)) keys.push_back(key);
                reference[key] = value;
                index.insert(key, value);
            } else {
                std::size_t i = rng() % keys.size();
                std::uint64_t key = keys[i];
                keys[i] = keys.back();
                keys.pop_back();
                REQUIRE(index.erase(key));
                reference.erase(key);
            }
            if (step % 997 == 0) {
                REQUIRE(index.size() == reference.size());
                for (auto [k, v] : reference) REQUIRE(index.find(k) == v);
                for (int probe = 0; probe < 50; ++probe) {
                    std::uint64_t k = consecutive ? next + 1 + rng() % 100 : 5000 + rng() % 1000;
                    REQUIRE_FALSE(index.contains(k));
                }
            }
        }
    }
}
