// Presentation text for what the cache holds (lanlordctl cache dump): the
// cache key's fields and the answer section of a stored answer. Hostile-input
// safe like every other reader here: a record that does not parse ends the
// list instead of being guessed at.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lanlord {

struct CacheKeyFields {
    std::string name;  // presentation form, "www.example.org."
    std::uint16_t qtype = 0, qclass = 0;
    bool dnssec_ok = false, checking_disabled = false;
    std::uint16_t group_tag = 0;
};
// nullopt when `key` is not a CacheKey's bytes.
std::optional<CacheKeyFields> decode_cache_key(std::string_view key);

struct AnswerText {
    std::uint8_t rcode = 0;
    std::vector<std::string> answers;  // "name TTL CLASS TYPE data" (RFC 1035 section 5.1 style)
};
// `stored`: a response in stored form (response_scan.h). TTLs are printed as stored.
AnswerText describe_answer(std::span<const std::uint8_t> stored);

// "A", "AAAA", ..., else "TYPE65534" (RFC 3597 section 5).
std::string type_to_text(std::uint16_t qtype);
// The reverse, case-insensitive, "TYPEnnn" too; nullopt when unknown.
std::optional<std::uint16_t> type_from_text(std::string_view text);
std::string rcode_to_text(std::uint8_t rcode);

}  // namespace lanlord
