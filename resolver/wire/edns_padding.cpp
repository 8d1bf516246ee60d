#include "resolver/wire/edns_padding.h"

#include <cstring>

#include "common/byte_cursor.h"
#include "resolver/wire/dns_constants.h"
#include "resolver/wire/rdata_layout.h"
#include "resolver/wire/wire_name.h"

namespace lanlord {

namespace {

constexpr std::size_t kOptionHeader = 4;       // OPTION-CODE, OPTION-LENGTH (RFC 6891 6.1.2)
constexpr std::size_t kRecordFixed = 10;       // TYPE, CLASS, TTL, RDLENGTH after the owner
constexpr std::uint16_t kTypeTsig = 250;       // RFC 8945
constexpr std::size_t kOptRdlengthAt = 1 + 8;  // root owner, TYPE, CLASS, TTL

// Where the message's one OPT record is. Offsets into the message.
struct OptPlace {
    std::size_t start = 0;  // its owner (the root label)
    std::size_t rdata = 0;
    std::size_t rdlength = 0;
    std::size_t end = 0;          // just past its RDATA
    std::size_t records_end = 0;  // just past the last record of the message
    unsigned records_after = 0;   // records that follow it
};

bool section_counts(std::span<const std::uint8_t> msg, unsigned& qd, unsigned& before_additional,
                    unsigned& total) {
    if (msg.size() < dns::kHeaderSize || msg.size() > dns::kMaxMessageSize) return false;
    qd = load_u16(msg.data() + 4);
    before_additional = unsigned{load_u16(msg.data() + 6)} + load_u16(msg.data() + 8);
    total = before_additional + load_u16(msg.data() + 10);
    return true;
}

// The OPT's options must fill its RDATA exactly (RFC 6891 6.1.2).
bool options_well_formed(std::span<const std::uint8_t> options) {
    std::size_t pos = 0;
    while (pos < options.size()) {
        if (options.size() - pos < kOptionHeader) return false;
        std::size_t len = load_u16(options.data() + pos + 2);
        if (options.size() - pos - kOptionHeader < len) return false;
        pos += kOptionHeader + len;
    }
    return true;
}

// Walks the question and every record, bounds-checked; finds the one OPT.
// False when the message is malformed, has no OPT, has it outside the
// additional section or more than once (RFC 6891 6.1.1), with an owner other
// than the root (6.1.2) or with options that do not fill its RDATA.
bool find_opt(std::span<const std::uint8_t> msg, OptPlace& out) {
    unsigned qd = 0, before_additional = 0, total = 0;
    if (!section_counts(msg, qd, before_additional, total)) return false;
    std::size_t pos = dns::kHeaderSize;
    for (unsigned i = 0; i < qd; ++i) {
        if (skip_wire_name(msg, pos) != WireNameError::ok) return false;
        if (msg.size() - pos < 4) return false;
        pos += 4;
    }
    bool found = false;
    for (unsigned i = 0; i < total; ++i) {
        std::size_t start = pos;
        if (skip_wire_name(msg, pos) != WireNameError::ok) return false;
        if (msg.size() - pos < kRecordFixed) return false;
        std::uint16_t type = load_u16(msg.data() + pos);
        std::size_t rdlength = load_u16(msg.data() + pos + 8);
        pos += kRecordFixed;
        if (msg.size() - pos < rdlength) return false;
        if (type == dns::type::OPT) {
            if (found || i < before_additional) return false;
            if (msg[start] != 0 || pos - start != 1 + kRecordFixed) return false;
            if (!options_well_formed(msg.subspan(pos, rdlength))) return false;
            found = true;
            out.start = start;
            out.rdata = pos;
            out.rdlength = rdlength;
            out.end = pos + rdlength;
            out.records_after = total - i - 1;
        }
        pos += rdlength;
    }
    out.records_end = pos;
    return found;
}

// True when the name whose in-place bytes start at `pos` (already validated)
// has no compression pointer to `limit` or beyond. Only its first pointer
// matters: pointers go strictly backwards, so the rest of the chain lies
// before that one's target.
bool name_points_below(std::span<const std::uint8_t> msg, std::size_t pos, std::size_t limit) {
    while (pos < msg.size()) {
        std::uint8_t b = msg[pos];
        if ((b & 0xC0) == 0xC0) {
            if (msg.size() - pos < 2) return false;
            std::size_t target = (static_cast<std::size_t>(b & 0x3F) << 8) | msg[pos + 1];
            return target < limit;
        }
        if (b == 0) return true;
        pos += 1 + std::size_t{b};
    }
    return false;
}

// The records after the OPT can move when none is a signature over the
// message and no name among them points at the OPT or past it.
bool tail_movable(std::span<const std::uint8_t> msg, const OptPlace& opt) {
    std::size_t pos = opt.end;
    for (unsigned i = 0; i < opt.records_after; ++i) {
        std::size_t owner = pos;
        if (skip_wire_name(msg, pos) != WireNameError::ok) return false;
        if (!name_points_below(msg, owner, opt.start)) return false;
        std::uint16_t type = load_u16(msg.data() + pos);
        std::uint16_t klass = load_u16(msg.data() + pos + 2);
        std::size_t rdlength = load_u16(msg.data() + pos + 8);
        pos += kRecordFixed;
        if (type == kTypeTsig || type == dns::type::SIG) return false;
        RdataWalker walker(msg, type, klass, pos, rdlength);
        RdataField field;
        while (walker.next(field))
            if (field.kind == RdataField::Kind::name && !name_points_below(msg, field.offset, opt.start))
                return false;
        if (walker.error() != RdataError::ok) return false;
        pos += rdlength;
    }
    return true;
}

// Octets taken by Padding options among `options` (well formed).
std::size_t padding_octets(std::span<const std::uint8_t> options) {
    std::size_t sum = 0;
    for (std::size_t pos = 0; pos < options.size();) {
        std::size_t size = kOptionHeader + load_u16(options.data() + pos + 2);
        if (load_u16(options.data() + pos) == kEdnsOptionPadding) sum += size;
        pos += size;
    }
    return sum;
}

// Removes the Padding options from the RDATA at `rdata`, moving the others
// down; returns the length of what is kept.
std::size_t drop_padding(std::uint8_t* rdata, std::size_t length) {
    std::size_t kept = 0;
    for (std::size_t pos = 0; pos < length;) {
        std::size_t size = kOptionHeader + load_u16(rdata + pos + 2);
        if (load_u16(rdata + pos) != kEdnsOptionPadding) {
            if (kept != pos) std::memmove(rdata + kept, rdata + pos, size);
            kept += size;
        }
        pos += size;
    }
    return kept;
}

}  // namespace

std::size_t pad_message(std::span<std::uint8_t> buf, std::size_t len, std::size_t block) {
    if (block == 0 || len > buf.size()) return len;
    std::span<const std::uint8_t> msg(buf.data(), len);
    OptPlace opt;
    if (!find_opt(msg, opt) || opt.records_end != len) return len;
    if (opt.records_after > 0 && !tail_movable(msg, opt)) return len;

    std::size_t old_padding = padding_octets(msg.subspan(opt.rdata, opt.rdlength));
    std::size_t unpadded = len - old_padding + kOptionHeader;  // with an empty Padding option
    std::size_t fill = (block - unpadded % block) % block;
    std::size_t new_len = unpadded + fill;
    std::size_t new_rdlength = opt.rdlength - old_padding + kOptionHeader + fill;
    if (new_len > buf.size() || new_len > dns::kMaxMessageSize || new_rdlength > 0xFFFF) return len;

    // Every write below stays inside buf[0, new_len), which fits.
    std::uint8_t* p = buf.data();
    std::size_t kept = drop_padding(p + opt.rdata, opt.rdlength);
    std::size_t padding_at = opt.rdata + kept;
    std::size_t new_end = padding_at + kOptionHeader + fill;
    if (opt.records_end > opt.end) std::memmove(p + new_end, p + opt.end, opt.records_end - opt.end);
    store_u16(p + padding_at, kEdnsOptionPadding);
    store_u16(p + padding_at + 2, static_cast<std::uint16_t>(fill));
    std::memset(p + padding_at + kOptionHeader, 0, fill);
    store_u16(p + opt.start + kOptRdlengthAt, static_cast<std::uint16_t>(new_rdlength));
    return new_len;
}

bool has_padding_option(std::span<const std::uint8_t> message) {
    OptPlace opt;
    if (!find_opt(message, opt)) return false;
    auto options = message.subspan(opt.rdata, opt.rdlength);
    for (std::size_t pos = 0; pos < options.size();) {
        if (load_u16(options.data() + pos) == kEdnsOptionPadding) return true;
        pos += kOptionHeader + load_u16(options.data() + pos + 2);
    }
    return false;
}

}  // namespace lanlord
