#include "resolver/wire/rdata_decode.h"

#include <initializer_list>

#include "common/byte_cursor.h"
#include "resolver/wire/dns_constants.h"

namespace lanlord {

namespace {

namespace t = dns::type;

// The record is one of `types` and its RDATA matches the layout: after this,
// every fixed field a decoder reads is inside the RDATA and every name valid.
RdataError check(ByteView msg, const RecordView& rr, std::initializer_list<std::uint16_t> types) {
    bool wanted = false;
    for (auto type : types) wanted = wanted || rr.type == type;
    if (!wanted) return RdataError::wrong_type;
    return validate_rdata(msg, rr.type, rr.klass, rr.rdata_offset, rr.rdata_length);
}

// A name the walk above has validated.
std::size_t read_validated_name(ByteView msg, std::size_t pos, WireName& out) {
    read_wire_name(msg, pos, out);
    return pos;
}

ByteView rdata_of(ByteView msg, const RecordView& rr) {
    return msg.subspan(rr.rdata_offset, rr.rdata_length);
}

}  // namespace

RdataError decode_target_name(ByteView msg, const RecordView& rr, WireName& out) {
    auto e = check(msg, rr, {t::NS, t::CNAME, t::DNAME, t::PTR, t::MD, t::MF, t::MB, t::MG, t::MR});
    if (e != RdataError::ok) return e;
    read_validated_name(msg, rr.rdata_offset, out);
    return RdataError::ok;
}

RdataError decode_soa(ByteView msg, const RecordView& rr, SoaRdata& out) {
    auto e = check(msg, rr, {t::SOA});
    if (e != RdataError::ok) return e;
    std::size_t p = read_validated_name(msg, rr.rdata_offset, out.mname);
    p = read_validated_name(msg, p, out.rname);
    const std::uint8_t* f = msg.data() + p;  // 20 bytes, checked by the layout
    out.serial = load_u32(f);
    out.refresh = load_u32(f + 4);
    out.retry = load_u32(f + 8);
    out.expire = load_u32(f + 12);
    out.minimum = load_u32(f + 16);
    return RdataError::ok;
}

RdataError decode_mx(ByteView msg, const RecordView& rr, MxRdata& out) {
    auto e = check(msg, rr, {t::MX});
    if (e != RdataError::ok) return e;
    out.preference = load_u16(msg.data() + rr.rdata_offset);
    read_validated_name(msg, rr.rdata_offset + 2u, out.exchange);
    return RdataError::ok;
}

RdataError decode_srv(ByteView msg, const RecordView& rr, SrvRdata& out) {
    auto e = check(msg, rr, {t::SRV});
    if (e != RdataError::ok) return e;
    const std::uint8_t* f = msg.data() + rr.rdata_offset;
    out.priority = load_u16(f);
    out.weight = load_u16(f + 2);
    out.port = load_u16(f + 4);
    read_validated_name(msg, rr.rdata_offset + 6u, out.target);
    return RdataError::ok;
}

RdataError decode_address(ByteView msg, const RecordView& rr, IpAddress& out) {
    auto e = check(msg, rr, {t::A, t::AAAA});
    if (e != RdataError::ok) return e;
    // In classes other than IN the layout is opaque: insist on the size.
    if (rr.klass != dns::kClassIN) return RdataError::wrong_type;
    const std::uint8_t* a = msg.data() + rr.rdata_offset;
    out = rr.type == t::A ? IpAddress::v4_bytes(a) : IpAddress::v6_bytes(a);
    return RdataError::ok;
}

RdataError decode_rrsig(ByteView msg, const RecordView& rr, RrsigRdata& out) {
    auto e = check(msg, rr, {t::RRSIG, t::SIG});
    if (e != RdataError::ok) return e;
    const std::uint8_t* f = msg.data() + rr.rdata_offset;
    out.type_covered = load_u16(f);
    out.algorithm = f[2];
    out.labels = f[3];
    out.original_ttl = load_u32(f + 4);
    out.expiration = load_u32(f + 8);
    out.inception = load_u32(f + 12);
    out.key_tag = load_u16(f + 16);
    std::size_t p = read_validated_name(msg, rr.rdata_offset + 18u, out.signer);
    out.signature = msg.subspan(p, rr.rdata_offset + rr.rdata_length - p);
    return RdataError::ok;
}

std::uint16_t dnskey_key_tag(ByteView rdata) {
    if (rdata.size() < 4) return 0;
    if (rdata[3] == 1) {
        // B.1: for RSA/MD5 the tag is the 3rd and 2nd octets from the end of
        // the public key modulus, i.e. the 16 bits before the last octet.
        if (rdata.size() < 7) return 0;
        return load_u16(rdata.data() + rdata.size() - 3);
    }
    // B: a ones'-complement-like sum of the RDATA as 16-bit words.
    std::uint32_t ac = 0;
    for (std::size_t i = 0; i < rdata.size(); ++i) ac += (i & 1) ? rdata[i] : std::uint32_t{rdata[i]} << 8;
    ac += (ac >> 16) & 0xFFFF;
    return static_cast<std::uint16_t>(ac & 0xFFFF);
}

RdataError decode_dnskey(ByteView msg, const RecordView& rr, DnskeyRdata& out) {
    auto e = check(msg, rr, {t::DNSKEY});
    if (e != RdataError::ok) return e;
    const std::uint8_t* f = msg.data() + rr.rdata_offset;
    out.flags = load_u16(f);
    out.protocol = f[2];
    out.algorithm = f[3];
    out.public_key = msg.subspan(rr.rdata_offset + 4u, rr.rdata_length - 4u);
    out.key_tag = dnskey_key_tag(rdata_of(msg, rr));
    return RdataError::ok;
}

RdataError decode_ds(ByteView msg, const RecordView& rr, DsRdata& out) {
    auto e = check(msg, rr, {t::DS});
    if (e != RdataError::ok) return e;
    const std::uint8_t* f = msg.data() + rr.rdata_offset;
    out.key_tag = load_u16(f);
    out.algorithm = f[2];
    out.digest_type = f[3];
    out.digest = msg.subspan(rr.rdata_offset + 4u, rr.rdata_length - 4u);
    return RdataError::ok;
}

RdataError decode_nsec(ByteView msg, const RecordView& rr, NsecRdata& out) {
    auto e = check(msg, rr, {t::NSEC});
    if (e != RdataError::ok) return e;
    std::size_t p = read_validated_name(msg, rr.rdata_offset, out.next);
    out.types = TypeBitmap(msg.subspan(p, rr.rdata_offset + rr.rdata_length - p));
    return RdataError::ok;
}

RdataError decode_nsec3(ByteView msg, const RecordView& rr, Nsec3Rdata& out) {
    auto e = check(msg, rr, {t::NSEC3});
    if (e != RdataError::ok) return e;
    auto rdata = rdata_of(msg, rr);
    out.hash_algorithm = rdata[0];
    out.flags = rdata[1];
    out.iterations = load_u16(rdata.data() + 2);
    std::size_t p = 4;
    out.salt = rdata.subspan(p + 1, rdata[p]);
    p += 1 + rdata[p];
    out.next_hashed_owner = rdata.subspan(p + 1, rdata[p]);
    p += 1 + rdata[p];
    out.types = TypeBitmap(rdata.subspan(p));
    return RdataError::ok;
}

RdataError decode_nsec3param(ByteView msg, const RecordView& rr, Nsec3ParamRdata& out) {
    auto e = check(msg, rr, {t::NSEC3PARAM});
    if (e != RdataError::ok) return e;
    auto rdata = rdata_of(msg, rr);
    out.hash_algorithm = rdata[0];
    out.flags = rdata[1];
    out.iterations = load_u16(rdata.data() + 2);
    out.salt = rdata.subspan(5, rdata[4]);
    return RdataError::ok;
}

}  // namespace lanlord
