// Small helpers for the line-oriented text formats lanlord reads (hosts
// files, blocklists, record data, the lease journal, config values).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lanlord {

// The words of a line, split on spaces, tabs and carriage returns.
std::vector<std::string_view> split_fields(std::string_view line);

// 12345 -> "12,345" (for people: status lines, tables).
std::string group_digits(std::uint64_t n);

// Bytes as lower-case hex, with `separator` between bytes when not '\0'
// ("02:00:00:00:00:42" or "020000000042").
std::string to_hex(std::span<const std::uint8_t> bytes, char separator = '\0');
// Hex text to bytes; ':' and '-' between digits are accepted when
// `allow_separators`. nullopt on anything else, an odd digit count, an empty
// text or more than `max_bytes`.
std::optional<std::vector<std::uint8_t>> parse_hex(std::string_view text, bool allow_separators,
                                                   std::size_t max_bytes = 255);

}  // namespace lanlord
