#include "resolver/wire/type_bitmap.h"

namespace lanlord {

BitmapError validate_type_bitmap(std::span<const std::uint8_t> bytes) {
    std::size_t p = 0;
    int last_window = -1;
    while (p < bytes.size()) {
        if (bytes.size() - p < 2) return BitmapError::truncated;
        int window = bytes[p];
        std::size_t len = bytes[p + 1];
        if (window <= last_window) return BitmapError::window_order;
        if (len == 0 || len > 32) return BitmapError::window_length;
        if (bytes.size() - p - 2 < len) return BitmapError::truncated;
        // "Trailing zero octets in the bitmap MUST be omitted" and "blocks
        // with no types present MUST NOT be included" (RFC 4034 4.1.2): both
        // mean the last octet of a window has a bit set.
        if (bytes[p + 1 + len] == 0) return BitmapError::trailing_zero;
        last_window = window;
        p += 2 + len;
    }
    return BitmapError::ok;
}

bool TypeBitmap::covers(std::uint16_t type) const {
    unsigned window = type >> 8;
    unsigned octet = (type & 0xFFu) / 8;
    std::size_t p = 0;
    while (p + 2 <= bytes_.size()) {
        unsigned w = bytes_[p];
        unsigned len = bytes_[p + 1];
        if (w == window) {
            if (octet >= len || p + 2 + octet >= bytes_.size()) return false;
            return (bytes_[p + 2 + octet] & (0x80u >> (type & 7u))) != 0;
        }
        if (w > window) return false;  // windows are in increasing order
        p += 2 + len;
    }
    return false;
}

}  // namespace lanlord
