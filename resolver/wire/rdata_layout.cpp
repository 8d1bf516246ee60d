#include "resolver/wire/rdata_layout.h"

#include <array>

#include "resolver/wire/dns_constants.h"
#include "resolver/wire/type_bitmap.h"
#include "resolver/wire/wire_name.h"

namespace lanlord {

namespace {

enum class Kind : std::uint8_t {
    fixed,       // `size` bytes
    name,        // a domain name
    text,        // one <character-string>: length octet + bytes (RFC 1035 3.3)
    texts,       // one or more <character-string>s up to the end (TXT, RFC 1035 3.3.14)
    rest,        // everything left, possibly nothing (keys, digests, signatures)
    bitmap,      // everything left, a valid type bit map (RFC 4034 4.1.2)
    salt,        // length octet + bytes, possibly none (RFC 5155 3.2)
    hash,        // length octet + at least one byte (RFC 5155 3.2)
    a6_address,  // prefix length + address suffix (RFC 2874 3.1.1)
    a6_name,     // the prefix name, present only when the prefix length is not 0
    options,     // EDNS options: code, length, data, up to the end (RFC 6891 6.1.2)
};

struct Field {
    Kind kind;
    std::uint8_t size = 0;
};

constexpr Field kName{Kind::name};
constexpr Field kText{Kind::text};
constexpr Field kRest{Kind::rest};
constexpr Field fixed(std::uint8_t n) {
    return {Kind::fixed, n};
}

}  // namespace

struct RdataLayout {
    std::uint16_t type;
    bool compressible;  // RFC 3597 section 4
    bool lowercased;    // RFC 4034 section 6.2 item 3, less NSEC (RFC 6840 section 5.1)
    std::uint8_t count;
    std::array<Field, 6> fields;
};

namespace {

namespace t = dns::type;

// RFC 1035 types: compressible and lower-cased. RFC 3597's "SHOULD
// decompress" list (RP, AFSDB, RT, SIG, PX, NXT, NAPTR, SRV): the same.
// KX, A6, DNAME, RRSIG: names never compressed, lower-cased in canonical
// form. NSEC: never compressed, and RFC 6840 5.1 says its next domain name
// keeps its case ("DNS names in the RDATA section of NSEC resource records
// are not converted to lowercase"). HINFO is on RFC 4034's list but holds no
// names. The DNSSEC key and NSEC3 types hold none either.
constexpr RdataLayout kLayouts[] = {
    {t::NS, true, true, 1, {kName}},
    {t::MD, true, true, 1, {kName}},
    {t::MF, true, true, 1, {kName}},
    {t::CNAME, true, true, 1, {kName}},
    {t::SOA, true, true, 3, {kName, kName, fixed(20)}},  // RFC 1035 3.3.13
    {t::MB, true, true, 1, {kName}},
    {t::MG, true, true, 1, {kName}},
    {t::MR, true, true, 1, {kName}},
    {t::PTR, true, true, 1, {kName}},
    {t::HINFO, false, false, 2, {kText, kText}},  // RFC 1035 3.3.2
    {t::MINFO, true, true, 2, {kName, kName}},
    {t::MX, true, true, 2, {fixed(2), kName}},
    {t::TXT, false, false, 1, {Field{Kind::texts}}},
    {t::RP, true, true, 2, {kName, kName}},                             // RFC 1183 2.2
    {t::AFSDB, true, true, 2, {fixed(2), kName}},                       // RFC 1183 1
    {t::RT, true, true, 2, {fixed(2), kName}},                          // RFC 1183 3.3
    {t::SIG, true, true, 3, {fixed(18), kName, kRest}},                 // RFC 2535 4.1
    {t::PX, true, true, 3, {fixed(2), kName, kName}},                   // RFC 2163 4
    {t::NXT, true, true, 2, {kName, kRest}},                            // RFC 2535 5.2
    {t::SRV, true, true, 2, {fixed(6), kName}},                         // RFC 2782
    {t::NAPTR, true, true, 5, {fixed(4), kText, kText, kText, kName}},  // RFC 3403 4.1
    {t::KX, false, true, 2, {fixed(2), kName}},                         // RFC 2230 3.1
    {t::A6, false, true, 2, {Field{Kind::a6_address}, Field{Kind::a6_name}}},
    {t::DNAME, false, true, 1, {kName}},
    {t::OPT, false, false, 1, {Field{Kind::options}}},
    {t::DS, false, false, 2, {fixed(4), kRest}},               // RFC 4034 5.1
    {t::RRSIG, false, true, 3, {fixed(18), kName, kRest}},     // RFC 4034 3.1
    {t::NSEC, false, false, 2, {kName, Field{Kind::bitmap}}},  // RFC 4034 4.1
    {t::DNSKEY, false, false, 2, {fixed(4), kRest}},           // RFC 4034 2.1
    {t::NSEC3, false, false, 4, {fixed(4), Field{Kind::salt}, Field{Kind::hash}, Field{Kind::bitmap}}},
    {t::NSEC3PARAM, false, false, 2, {fixed(4), Field{Kind::salt}}},  // RFC 5155 4.2
};
constexpr RdataLayout kAddress4{t::A, false, false, 1, {fixed(4)}};
constexpr RdataLayout kAddress6{t::AAAA, false, false, 1, {fixed(16)}};
constexpr RdataLayout kOpaque{0, false, false, 1, {kRest}};

const RdataLayout* find_layout(std::uint16_t type, std::uint16_t klass) {
    if (type == t::A || type == t::AAAA) {
        if (klass != dns::kClassIN) return nullptr;
        return type == t::A ? &kAddress4 : &kAddress6;
    }
    for (const auto& l : kLayouts)
        if (l.type == type) return &l;
    return nullptr;
}

RdataError from_name_error(WireNameError e) {
    switch (e) {
        case WireNameError::ok:
            return RdataError::ok;
        case WireNameError::truncated:
            return RdataError::name_truncated;
        case WireNameError::bad_label_type:
            return RdataError::name_bad_label_type;
        case WireNameError::too_long:
            return RdataError::name_too_long;
        case WireNameError::forward_pointer:
            return RdataError::name_forward_pointer;
        case WireNameError::compressed:
            return RdataError::name_compressed;
    }
    return RdataError::name_truncated;
}

RdataError from_bitmap_error(BitmapError e) {
    switch (e) {
        case BitmapError::ok:
            return RdataError::ok;
        case BitmapError::truncated:
            return RdataError::bitmap_truncated;
        case BitmapError::window_order:
            return RdataError::bitmap_window_order;
        case BitmapError::window_length:
            return RdataError::bitmap_window_length;
        case BitmapError::trailing_zero:
            return RdataError::bitmap_trailing_zero;
    }
    return RdataError::bitmap_truncated;
}

}  // namespace

RdataRules rdata_rules(std::uint16_t type, std::uint16_t klass) {
    const RdataLayout* l = find_layout(type, klass);
    if (!l) return {};
    bool names = false;
    for (std::size_t i = 0; i < l->count; ++i)
        names = names || l->fields[i].kind == Kind::name || l->fields[i].kind == Kind::a6_name;
    return {.known = true, .has_names = names, .compressible = l->compressible, .lowercased = l->lowercased};
}

RdataWalker::RdataWalker(std::span<const std::uint8_t> msg, std::uint16_t type, std::uint16_t klass,
                         std::size_t offset, std::size_t length)
    : layout_(find_layout(type, klass)), pos_(offset) {
    if (!layout_) layout_ = &kOpaque;
    if (offset > msg.size() || msg.size() - offset < length) {
        error_ = RdataError::truncated;
        return;
    }
    msg_ = msg.first(offset + length);
}

bool RdataWalker::length_prefixed(RdataField& field, bool non_empty) {
    if (pos_ >= msg_.size()) return fail(RdataError::truncated);
    std::size_t n = msg_[pos_];
    if (msg_.size() - pos_ - 1 < n) return fail(RdataError::truncated);
    if (non_empty && n == 0) return fail(RdataError::empty_hash);
    field = {RdataField::Kind::bytes, pos_, 1 + n};
    pos_ += 1 + n;
    return true;
}

bool RdataWalker::next(RdataField& field) {
    if (done_ || error_ != RdataError::ok) return false;
    const std::size_t end = msg_.size();
    const Compression compression = layout_->compressible ? Compression::allowed : Compression::refused;
    while (field_ < layout_->count) {
        const Field spec = layout_->fields[field_++];
        switch (spec.kind) {
            case Kind::fixed:
                if (end - pos_ < spec.size) return fail(RdataError::truncated);
                field = {RdataField::Kind::bytes, pos_, spec.size};
                pos_ += spec.size;
                return true;
            case Kind::a6_name:
                if (a6_prefix_ == 0) continue;  // RFC 2874 3.1.1: no prefix name
                [[fallthrough]];
            case Kind::name: {
                std::size_t p = pos_;
                auto e = skip_wire_name(msg_, p, compression);
                if (e != WireNameError::ok) return fail(from_name_error(e));
                field = {RdataField::Kind::name, pos_, p - pos_};
                pos_ = p;
                return true;
            }
            case Kind::text:
            case Kind::salt:
                return length_prefixed(field, false);
            case Kind::hash:
                return length_prefixed(field, true);
            case Kind::texts: {
                std::size_t start = pos_;
                do {
                    if (!length_prefixed(field, false)) return false;
                } while (pos_ < end);
                field = {RdataField::Kind::bytes, start, pos_ - start};
                return true;
            }
            case Kind::bitmap: {
                auto e = validate_type_bitmap(msg_.subspan(pos_));
                if (e != BitmapError::ok) return fail(from_bitmap_error(e));
                [[fallthrough]];
            }
            case Kind::rest:
                field = {RdataField::Kind::bytes, pos_, end - pos_};
                pos_ = end;
                return true;
            case Kind::options: {
                std::size_t p = pos_;
                while (p < end) {
                    if (end - p < 4) return fail(RdataError::option_truncated);
                    std::size_t len = (std::size_t{msg_[p + 2]} << 8) | msg_[p + 3];
                    if (end - p - 4 < len) return fail(RdataError::option_truncated);
                    p += 4 + len;
                }
                field = {RdataField::Kind::bytes, pos_, end - pos_};
                pos_ = end;
                return true;
            }
            case Kind::a6_address: {
                if (pos_ >= end) return fail(RdataError::truncated);
                std::uint8_t prefix = msg_[pos_];
                if (prefix > 128) return fail(RdataError::a6_prefix_length);
                std::size_t n = 1 + (128u - prefix + 7u) / 8u;
                if (end - pos_ < n) return fail(RdataError::truncated);
                a6_prefix_ = prefix;
                field = {RdataField::Kind::bytes, pos_, n};
                pos_ += n;
                return true;
            }
        }
    }
    done_ = true;
    if (pos_ != end) return fail(RdataError::trailing_bytes);
    return false;
}

RdataError validate_rdata(std::span<const std::uint8_t> msg, std::uint16_t type, std::uint16_t klass,
                          std::size_t offset, std::size_t length) {
    RdataWalker walker(msg, type, klass, offset, length);
    RdataField field;
    while (walker.next(field)) {
    }
    return walker.error();
}

}  // namespace lanlord
