#include "common/dns_name.h"

namespace lanlord {

namespace {

// Shared walker: when `out` is null only validates and skips.
NameError walk_name(std::span<const std::uint8_t> msg, std::size_t& pos, std::uint8_t* out,
                    std::size_t& out_len) {
    std::size_t p = pos;
    std::size_t len = 0;
    bool jumped = false;
    // The lowest position we have read from: a pointer must go strictly below
    // it, so each jump moves backwards and the walk terminates.
    std::size_t floor = p;
    for (;;) {
        if (p >= msg.size()) return NameError::truncated;
        std::uint8_t b = msg[p];
        if ((b & 0xC0) == 0xC0) {
            if (p + 1 >= msg.size()) return NameError::truncated;
            std::size_t target = (static_cast<std::size_t>(b & 0x3F) << 8) | msg[p + 1];
            if (!jumped) pos = p + 2;
            if (target >= floor) return NameError::pointer_loop;
            jumped = true;
            floor = target;
            p = target;
            continue;
        }
        if ((b & 0xC0) != 0) return NameError::bad_label_type;  // 0x40/0x80: extended labels, RFC 6891 9
        if (len + 1 + b > kMaxNameLength) return NameError::too_long;
        if (p + 1 + b > msg.size()) return NameError::truncated;
        if (out) {
            out[len] = b;
            for (std::size_t i = 0; i < b; ++i)
                out[len + 1 + i] = static_cast<std::uint8_t>(ascii_lower(msg[p + 1 + i]));
        }
        len += 1 + b;
        p += 1 + b;
        if (b == 0) break;
    }
    if (!jumped) pos = p;
    out_len = len;
    return NameError::ok;
}

}  // namespace

NameError read_name(std::span<const std::uint8_t> msg, std::size_t& pos, std::uint8_t* out,
                    std::size_t& out_len) {
    return walk_name(msg, pos, out, out_len);
}

NameError skip_name(std::span<const std::uint8_t> msg, std::size_t& pos) {
    std::size_t len = 0;
    return walk_name(msg, pos, nullptr, len);
}

std::optional<std::string> name_from_text(std::string_view text) {
    std::string wire;
    if (text == ".") return std::string(1, '\0');
    if (!text.empty() && text.back() == '.') text.remove_suffix(1);
    if (text.empty()) return std::nullopt;
    std::size_t start = 0;
    while (start <= text.size()) {
        auto dot = text.find('.', start);
        if (dot == std::string_view::npos) dot = text.size();
        auto label = text.substr(start, dot - start);
        if (label.empty() || label.size() > kMaxLabelLength) return std::nullopt;
        wire.push_back(static_cast<char>(label.size()));
        for (char c : label) wire.push_back(ascii_lower(static_cast<std::uint8_t>(c)));
        start = dot + 1;
        if (dot == text.size()) break;
    }
    wire.push_back('\0');
    if (wire.size() > kMaxNameLength) return std::nullopt;
    return wire;
}

std::size_t name_to_text(std::string_view wire, char* out, bool lower) {
    std::size_t len = 0, p = 0;
    while (p < wire.size()) {
        auto n = static_cast<std::uint8_t>(wire[p]);
        if (n == 0) break;
        for (std::size_t i = 1; i <= n && p + i < wire.size(); ++i) {
            auto c = static_cast<std::uint8_t>(wire[p + i]);
            if (c == '.' || c == '\\') {
                out[len++] = '\\';
                out[len++] = static_cast<char>(c);
            } else if (c <= 0x20 || c >= 0x7f) {
                out[len++] = '\\';
                out[len++] = static_cast<char>('0' + c / 100);
                out[len++] = static_cast<char>('0' + c / 10 % 10);
                out[len++] = static_cast<char>('0' + c % 10);
            } else {
                out[len++] = static_cast<char>(lower && c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
            }
        }
        out[len++] = '.';
        p += 1 + n;
    }
    if (len == 0) out[len++] = '.';
    return len;
}

std::string name_to_text(std::string_view wire) {
    std::string text(4 * wire.size() + 1, '\0');
    text.resize(name_to_text(wire, text.data(), false));
    return text;
}

std::string name_to_display(std::string_view wire) {
    std::string text = name_to_text(wire);
    if (text.size() > 1) text.pop_back();  // name_to_text ends every name with the root's dot
    return text;
}

bool name_is_under(std::string_view name, std::string_view suffix) {
    if (suffix.size() > name.size()) return false;
    std::size_t p = 0;
    while (p < name.size()) {
        if (name.size() - p == suffix.size()) return name.substr(p) == suffix;
        auto n = static_cast<std::uint8_t>(name[p]);
        if (n == 0) break;
        p += 1 + n;
    }
    return false;
}

unsigned name_label_count(std::string_view wire) {
    unsigned count = 0;
    std::size_t p = 0;
    while (p < wire.size() && wire[p] != 0) {
        ++count;
        p += 1 + static_cast<std::uint8_t>(wire[p]);
    }
    return count;
}

}  // namespace lanlord
