// DNS names in wire form (RFC 1035 section 3.1): reading with compression,
// case folding and conversion to and from presentation text.
//
// Internally lanlord keeps names as lower-cased, uncompressed wire bytes
// (length-prefixed labels ending in the root label). Comparison is then a
// plain byte compare, suffix tests walk label boundaries, and the bytes can be
// used directly as hash keys.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace lanlord {

inline constexpr std::size_t kMaxNameLength = 255;  // RFC 1035 section 2.3.4, wire form
inline constexpr std::size_t kMaxLabelLength = 63;

enum class NameError : std::uint8_t { ok, truncated, bad_label_type, too_long, pointer_loop };

inline char ascii_lower(std::uint8_t c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
}

// Reads the (possibly compressed) name at `pos` in `msg`. Writes its
// uncompressed, lower-cased wire form to `out` (kMaxNameLength bytes) and its
// length to `out_len`; advances `pos` past the name's bytes at the original
// position. Compression pointers must point strictly backwards, which makes
// loops impossible (RFC 1035 section 4.1.4 only ever points to prior names).
NameError read_name(std::span<const std::uint8_t> msg, std::size_t& pos, std::uint8_t* out,
                    std::size_t& out_len);

// Skips a name without decoding it (same validation as read_name).
NameError skip_name(std::span<const std::uint8_t> msg, std::size_t& pos);

// "www.Example.org." or "www.example.org" -> lower-cased wire form; nullopt on
// empty labels, labels over 63 bytes or names over 255. "." is the root.
std::optional<std::string> name_from_text(std::string_view text);

// Wire form (uncompressed) -> "www.example.org." ("." for the root). Bytes
// outside printable ASCII and '.' or '\' are escaped as \DDD (RFC 1035 5.1).
std::string name_to_text(std::string_view wire);
// For people (the web page, lanlordctl querylog): as name_to_text without
// the root's final dot ("www.example.org"; the root stays ".").
std::string name_to_display(std::string_view wire);
// The same into `out` (at most 4 * wire.size() + 1 bytes), ASCII letters
// lower-cased when `lower`; returns the length. Allocates nothing.
std::size_t name_to_text(std::string_view wire, char* out, bool lower);

// True when `name` equals `suffix` or lies below it; both lower-case wire form.
bool name_is_under(std::string_view name, std::string_view suffix);

// Number of labels, not counting the root.
unsigned name_label_count(std::string_view wire);

}  // namespace lanlord
