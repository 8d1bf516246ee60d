#include "common/text.h"

#include <charconv>

namespace lanlord {

std::vector<std::string_view> split_fields(std::string_view line) {
    std::vector<std::string_view> out;
    auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
    std::size_t p = 0;
    while (p < line.size()) {
        while (p < line.size() && blank(line[p])) ++p;
        std::size_t start = p;
        while (p < line.size() && !blank(line[p])) ++p;
        if (p > start) out.push_back(line.substr(start, p - start));
    }
    return out;
}

std::string to_hex(std::span<const std::uint8_t> bytes, char separator) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i && separator) out.push_back(separator);
        out.push_back(digits[bytes[i] >> 4]);
        out.push_back(digits[bytes[i] & 15]);
    }
    return out;
}

std::optional<std::vector<std::uint8_t>> parse_hex(std::string_view text, bool allow_separators,
                                                   std::size_t max_bytes) {
    std::string digits;
    for (char c : text) {
        if (allow_separators && (c == ':' || c == '-')) continue;
        digits.push_back(c);
    }
    if (digits.empty() || digits.size() % 2 || digits.size() / 2 > max_bytes) return std::nullopt;
    std::vector<std::uint8_t> out;
    for (std::size_t i = 0; i < digits.size(); i += 2) {
        unsigned v;
        auto [p, ec] = std::from_chars(digits.data() + i, digits.data() + i + 2, v, 16);
        if (ec != std::errc() || p != digits.data() + i + 2) return std::nullopt;
        out.push_back(static_cast<std::uint8_t>(v));
    }
    return out;
}

std::string group_digits(std::uint64_t n) {
    std::string digits = std::to_string(n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

}  // namespace lanlord
