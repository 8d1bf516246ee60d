#include "dhcp/wire/packet.h"

#include "common/byte_cursor.h"
#include "common/text.h"

namespace lanlord::dhcp {

const char* to_string(ParseError e) {
    switch (e) {
        case ParseError::ok:
            return "ok";
        case ParseError::too_short:
            return "too short";
        case ParseError::bad_op:
            return "bad op";
        case ParseError::bad_hlen:
            return "bad hardware address length";
        case ParseError::bad_cookie:
            return "no DHCP magic cookie";
        case ParseError::option_overflow:
            return "option longer than its field";
        case ParseError::bad_overload:
            return "bad option overload";
        case ParseError::missing_end:
            return "options without END";
    }
    return "?";
}

namespace {

// Reads one options area into `out`. `overload` receives option 52 when
// `allow_overload` (only the options field may carry it).
ParseError read_options(std::span<const std::uint8_t> area, Packet& out, bool allow_overload, int* overload,
                        bool require_end) {
    std::size_t p = 0;
    while (p < area.size()) {
        std::uint8_t code = area[p];
        if (code == option::pad) {
            ++p;
            continue;
        }
        if (code == option::end) return ParseError::ok;
        if (p + 1 >= area.size()) return ParseError::option_overflow;
        std::size_t len = area[p + 1];
        if (p + 2 + len > area.size()) return ParseError::option_overflow;
        auto value = area.subspan(p + 2, len);
        if (code == option::overload) {
            if (!allow_overload || len != 1 || value[0] < 1 || value[0] > 3) return ParseError::bad_overload;
            *overload = value[0];
        } else {
            auto slot = out.options[code];
            auto& bytes = slot ? *slot : slot.emplace();
            bytes.insert(bytes.end(), value.begin(), value.end());  // RFC 3396: instances concatenate
        }
        p += 2 + len;
    }
    // The options field must end with END (RFC 2131 section 4.1); many
    // clients pad sname/file with zeros instead, which the pad rule accepts.
    return require_end ? ParseError::missing_end : ParseError::ok;
}

}  // namespace

ParseError parse_packet(std::span<const std::uint8_t> b, Packet& out) {
    out = Packet{};
    if (b.size() < kFixedSize + 4) return ParseError::too_short;
    out.op = b[0];
    if (out.op != kBootRequest && out.op != kBootReply) return ParseError::bad_op;
    out.htype = b[1];
    out.hlen = b[2];
    if (out.hlen == 0 || out.hlen > 16) return ParseError::bad_hlen;
    out.hops = b[3];
    out.xid = load_u32(&b[4]);
    out.secs = load_u16(&b[8]);
    out.flags = load_u16(&b[10]);
    out.ciaddr = IpAddress::v4_bytes(&b[12]);
    out.yiaddr = IpAddress::v4_bytes(&b[16]);
    out.siaddr = IpAddress::v4_bytes(&b[20]);
    out.giaddr = IpAddress::v4_bytes(&b[24]);
    std::copy(b.begin() + 28, b.begin() + 44, out.chaddr.begin());
    if (load_u32(&b[kFixedSize]) != kMagicCookie) return ParseError::bad_cookie;
    int overload = 0;
    if (auto e = read_options(b.subspan(kFixedSize + 4), out, true, &overload, true); e != ParseError::ok)
        return e;
    // RFC 2132 9.3: file first (1 or 3), then sname (2 or 3); neither may overload again.
    if (overload & 1)
        if (auto e = read_options(b.subspan(kFileOffset, kFileSize), out, false, &overload, false);
            e != ParseError::ok)
            return e;
    if (overload & 2)
        if (auto e = read_options(b.subspan(kSnameOffset, kSnameSize), out, false, &overload, false);
            e != ParseError::ok)
            return e;
    return ParseError::ok;
}

MessageType Packet::message_type() const {
    const auto* v = option(option::message_type);
    if (!v || v->size() != 1 || (*v)[0] < 1 || (*v)[0] > 8) return MessageType::none;
    return static_cast<MessageType>((*v)[0]);
}

std::optional<IpAddress> Packet::option_address(std::uint8_t code) const {
    const auto* v = option(code);
    if (!v || v->size() != 4) return std::nullopt;
    return IpAddress::v4_bytes(v->data());
}

std::optional<std::uint32_t> Packet::option_u32(std::uint8_t code) const {
    const auto* v = option(code);
    if (!v || v->size() != 4) return std::nullopt;
    return load_u32(v->data());
}

std::optional<std::uint16_t> Packet::option_u16(std::uint8_t code) const {
    const auto* v = option(code);
    if (!v || v->size() != 2) return std::nullopt;
    return load_u16(v->data());
}

std::string Packet::hardware_text() const {
    return to_hex(hardware_address(), ':');
}

}  // namespace lanlord::dhcp
