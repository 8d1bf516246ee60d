#include "resolver/wire/wire_name.h"

namespace lanlord {

namespace {

// True when the name at `start` (already validated by read_name/skip_name)
// uses a compression pointer: its in-place labels end in a pointer, not in
// the root label.
bool uses_pointer(std::span<const std::uint8_t> msg, std::size_t start) {
    std::size_t p = start;
    while (p < msg.size()) {
        std::uint8_t b = msg[p];
        if ((b & 0xC0) == 0xC0) return true;
        if (b == 0) return false;
        p += 1 + b;
    }
    return false;  // unreachable for a validated name
}

// Copies the labels of a validated name with their original letter case,
// following pointers. read_name has already checked every bound and that
// each pointer goes strictly backwards, so this walk ends; the checks here
// only keep a wrong call from reading out of bounds.
void copy_keep_case(std::span<const std::uint8_t> msg, std::size_t p, WireName& out) {
    std::size_t len = 0;
    while (p < msg.size()) {
        std::uint8_t b = msg[p];
        if ((b & 0xC0) == 0xC0) {
            if (p + 1 >= msg.size()) return;
            std::size_t target = (static_cast<std::size_t>(b & 0x3F) << 8) | msg[p + 1];
            if (target >= p) return;
            p = target;
            continue;
        }
        if (len + 1 + b > out.bytes.size() || p + 1 + b > msg.size()) return;
        for (std::size_t i = 0; i <= b; ++i) out.bytes[len + i] = msg[p + i];
        len += 1 + b;
        p += 1 + b;
        if (b == 0) return;
    }
}

}  // namespace

WireNameError to_wire_name_error(NameError e) {
    switch (e) {
        case NameError::ok:
            return WireNameError::ok;
        case NameError::truncated:
            return WireNameError::truncated;
        case NameError::bad_label_type:
            return WireNameError::bad_label_type;
        case NameError::too_long:
            return WireNameError::too_long;
        case NameError::pointer_loop:
            return WireNameError::forward_pointer;
    }
    return WireNameError::truncated;
}

WireNameError read_wire_name(std::span<const std::uint8_t> msg, std::size_t& pos, WireName& out,
                             NameCase name_case, Compression compression) {
    std::size_t p = pos;
    std::size_t len = 0;
    auto e = to_wire_name_error(read_name(msg, p, out.bytes.data(), len));
    if (e != WireNameError::ok) return e;
    if (compression == Compression::refused && uses_pointer(msg, pos)) return WireNameError::compressed;
    out.size = static_cast<std::uint8_t>(len);
    if (name_case == NameCase::keep) copy_keep_case(msg, pos, out);
    pos = p;
    return WireNameError::ok;
}

WireNameError skip_wire_name(std::span<const std::uint8_t> msg, std::size_t& pos, Compression compression) {
    std::size_t p = pos;
    auto e = to_wire_name_error(skip_name(msg, p));
    if (e != WireNameError::ok) return e;
    if (compression == Compression::refused && uses_pointer(msg, pos)) return WireNameError::compressed;
    pos = p;
    return WireNameError::ok;
}

}  // namespace lanlord
