// A seeded 64-bit hash for byte strings. Keys of the DNS cache come from
// clients, so the seed is random per process: nobody can precompute names that
// all land in one bucket (hash flooding).
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace lanlord {

inline std::uint64_t hash_mix(std::uint64_t x) {  // the murmur3 finalizer
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

inline std::uint64_t seeded_hash(std::string_view s, std::uint64_t seed) {
    std::uint64_t h = seed ^ (s.size() * 0x9E3779B97F4A7C15ULL);
    const char* p = s.data();
    std::size_t n = s.size(), i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t v;
        std::memcpy(&v, p + i, 8);
        h = (h ^ hash_mix(v)) * 0x9E3779B97F4A7C15ULL;
    }
    std::uint64_t tail = 0;
    std::memcpy(&tail, p + i, n - i);
    return hash_mix(h ^ hash_mix(tail ^ n));
}

}  // namespace lanlord
