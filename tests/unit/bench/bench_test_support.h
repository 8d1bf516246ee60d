// Helpers shared by the bench unit tests: a deterministic Random and DNS
// responses built from the bench's own queries.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/byte_cursor.h"
#include "common/dns_name.h"
#include "daemon/bench/bench_types.h"

namespace lanlord::bench::test {

// splitmix64: a fixed, well-mixed sequence.
inline Random seeded_random(std::uint64_t seed) {
    auto state = std::make_shared<std::uint64_t>(seed);
    return [state] {
        std::uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    };
}

inline std::string wire(const char* text) {
    return *name_from_text(text);
}

// End of the question of a query we built (header + name + type + class).
inline std::size_t question_end(std::span<const std::uint8_t> query) {
    std::size_t pos = 12;
    skip_name(query, pos);
    return pos + 4;
}

struct ResponseSpec {
    std::uint8_t rcode = 0;
    bool ad = false;
    std::vector<std::uint32_t> a_records;  // host-order IPv4 addresses
    std::optional<std::uint16_t> id;       // override the query's ID
};

// The query's header and question, QR set, then A records whose owner is a
// compression pointer to the question name.
inline std::vector<std::uint8_t> respond(std::span<const std::uint8_t> query, const ResponseSpec& spec = {}) {
    std::vector<std::uint8_t> out(query.begin(),
                                  query.begin() + static_cast<std::ptrdiff_t>(question_end(query)));
    if (spec.id) store_u16(out.data(), *spec.id);
    std::uint16_t flags = 0x8000 | 0x0100 | 0x0080 | (spec.ad ? 0x0020 : 0) | spec.rcode;
    store_u16(out.data() + 2, flags);
    store_u16(out.data() + 6, static_cast<std::uint16_t>(spec.a_records.size()));
    store_u16(out.data() + 8, 0);
    store_u16(out.data() + 10, 0);
    for (std::uint32_t a : spec.a_records) {
        std::uint8_t rr[16] = {0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0x0E, 0x10, 0, 4};
        store_u32(rr + 12, a);
        out.insert(out.end(), rr, rr + 16);
    }
    return out;
}

}  // namespace lanlord::bench::test
