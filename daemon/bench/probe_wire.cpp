#include "daemon/bench/probe_wire.h"

#include "common/byte_cursor.h"
#include "common/dns_name.h"
#include "resolver/wire/message_builder.h"

namespace lanlord::bench {
namespace {
constexpr std::size_t kHeaderSize = 12;
constexpr std::uint16_t kFlagQR = 0x8000, kFlagTC = 0x0200, kFlagAD = 0x0020;
}  // namespace

std::vector<std::uint8_t> build_query(std::string_view qname, std::uint16_t qtype, std::uint16_t id) {
    // Header 12 + name + type/class 4 + OPT 11.
    std::vector<std::uint8_t> out(kHeaderSize + qname.size() + 4 + 11);
    std::size_t n = build_upstream_query(qname, qtype, kClassIN, id, /*dnssec_ok=*/true,
                                         /*checking_disabled=*/false, kUdpSize, out);
    out.resize(n);
    return out;
}

ParseStatus parse_response(std::span<const std::uint8_t> msg, ParsedResponse& out) {
    ByteReader r(msg);
    std::uint16_t flags = 0, qdcount = 0, ancount = 0, nscount = 0, arcount = 0;
    if (!r.read_u16(out.id) || !r.read_u16(flags) || !r.read_u16(qdcount) || !r.read_u16(ancount) ||
        !r.read_u16(nscount) || !r.read_u16(arcount))
        return ParseStatus::malformed;
    if (!(flags & kFlagQR)) return ParseStatus::not_a_response;
    if (qdcount != 1) return ParseStatus::malformed;  // RFC 1035 allows more; no resolver sends it
    out.rcode = static_cast<std::uint8_t>(flags & 0x000F);
    out.ad = flags & kFlagAD;
    out.tc = flags & kFlagTC;

    std::size_t pos = r.position();
    std::uint8_t name[kMaxNameLength];
    std::size_t name_len = 0;
    if (read_name(msg, pos, name, name_len) != NameError::ok) return ParseStatus::malformed;
    out.qname.assign(reinterpret_cast<const char*>(name), name_len);
    r.seek(pos);
    if (!r.read_u16(out.qtype) || !r.read_u16(out.qclass)) return ParseStatus::malformed;

    out.a_records = 0;
    out.first_a.reset();
    for (unsigned i = 0; i < ancount; ++i) {
        pos = r.position();
        if (skip_name(msg, pos) != NameError::ok || !r.seek(pos)) break;
        std::uint16_t type = 0, cls = 0, rdlength = 0;
        std::uint32_t ttl = 0;
        if (!r.read_u16(type) || !r.read_u16(cls) || !r.read_u32(ttl) || !r.read_u16(rdlength)) break;
        if (r.remaining() < rdlength) break;
        if (type == kTypeA && cls == kClassIN && rdlength == 4) {
            if (!out.first_a) out.first_a = IpAddress::v4_bytes(msg.data() + r.position());
            ++out.a_records;
        }
        r.skip(rdlength);
    }
    return ParseStatus::ok;
}

bool answers_query(const ParsedResponse& r, std::uint16_t id, std::string_view qname, std::uint16_t qtype) {
    // read_name lower-cases, so a resolver that echoes the name in another
    // letter case (0x20 randomisation on its side) still matches.
    return r.id == id && r.qtype == qtype && r.qclass == kClassIN && r.qname == qname;
}

}  // namespace lanlord::bench
