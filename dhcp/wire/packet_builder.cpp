#include "dhcp/wire/packet_builder.h"

#include <algorithm>
#include <cstring>

#include "common/byte_cursor.h"

namespace lanlord::dhcp {

namespace {

// Encoded size of an option: RFC 3396 instances of at most 255 bytes.
std::size_t encoded_size(const std::vector<std::uint8_t>& v) {
    if (v.empty()) return 2;
    return v.size() + 2 * ((v.size() + 254) / 255);
}

void write_option(std::uint8_t* at, std::uint8_t code, const std::vector<std::uint8_t>& v) {
    std::size_t p = 0;
    do {
        std::size_t n = std::min<std::size_t>(255, v.size() - p);
        at[0] = code;
        at[1] = static_cast<std::uint8_t>(n);
        if (n) std::memcpy(at + 2, v.data() + p, n);
        at += 2 + n;
        p += n;
    } while (p < v.size());
}

struct Area {
    std::size_t start, size, used = 0;  // `size` excludes the END byte
};

}  // namespace

BuildResult build_packet(const Packet& p, std::span<const std::uint8_t> order, std::size_t max_size,
                         std::span<std::uint8_t> out) {
    BuildResult r;
    max_size = std::clamp<std::size_t>(max_size, kMinMessageSize, out.size());
    if (out.size() < kMinMessageSize) return r;
    std::uint8_t* b = out.data();
    std::memset(b, 0, max_size);
    b[0] = p.op;
    b[1] = p.htype;
    b[2] = p.hlen;
    b[3] = p.hops;
    store_u32(b + 4, p.xid);
    store_u16(b + 8, p.secs);
    store_u16(b + 10, p.flags);
    std::memcpy(b + 12, p.ciaddr.bytes(), 4);
    std::memcpy(b + 16, p.yiaddr.bytes(), 4);
    std::memcpy(b + 20, p.siaddr.bytes(), 4);
    std::memcpy(b + 24, p.giaddr.bytes(), 4);
    std::memcpy(b + 28, p.chaddr.data(), 16);
    store_u32(b + kFixedSize, kMagicCookie);

    std::size_t options_start = kFixedSize + 4;
    std::size_t total = 0;
    for (std::uint8_t code : order)
        if (p.options[code]) total += encoded_size(*p.options[code]);
    bool overflow = total > max_size - options_start - 1;
    // With overflow, keep 3 bytes of the options field for option 52 itself.
    Area areas[3] = {{options_start, max_size - options_start - 1 - (overflow ? 3 : 0)},
                     {kFileOffset, kFileSize - 1},
                     {kSnameOffset, kSnameSize - 1}};
    int used_mask = 0;
    for (std::uint8_t code : order) {
        if (!p.options[code] || code == option::pad || code == option::end || code == option::overload)
            continue;
        std::size_t need = encoded_size(*p.options[code]);
        bool placed = false;
        for (int a = 0; a < (overflow ? 3 : 1) && !placed; ++a) {
            if (areas[a].size - areas[a].used < need) continue;
            write_option(b + areas[a].start + areas[a].used, code, *p.options[code]);
            areas[a].used += need;
            if (a > 0) used_mask |= a;  // 1 = file, 2 = sname (RFC 2132 9.3)
            placed = true;
        }
        if (!placed) ++r.dropped;
    }
    if (used_mask) {
        std::uint8_t* at = b + areas[0].start + areas[0].used;
        at[0] = option::overload;
        at[1] = 1;
        at[2] = static_cast<std::uint8_t>(used_mask);
        areas[0].used += 3;
        r.overloaded = true;
    }
    b[areas[0].start + areas[0].used] = option::end;
    if (used_mask & 1) b[areas[1].start + areas[1].used] = option::end;
    if (used_mask & 2) b[areas[2].start + areas[2].used] = option::end;
    // Pad to 300 bytes: some BOOTP relays and old clients drop shorter messages.
    r.length = std::max<std::size_t>(areas[0].start + areas[0].used + 1, 300);
    return r;
}

}  // namespace lanlord::dhcp
