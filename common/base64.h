// Base64 (RFC 4648 section 4) decoding, for SPKI pins written in the
// configuration as other resolvers write them (stubby, Knot Resolver,
// `openssl ... | base64`).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace lanlord {

// The decoded bytes, or nullopt when `text` is not canonical padded base64
// (a wrong length, a stray character, padding inside, non-zero pad bits).
std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);

}  // namespace lanlord
