#include "resolver/wire/query_view.h"

#include "common/byte_cursor.h"
#include "resolver/wire/dns_constants.h"

namespace lanlord {

bool QueryView::rd() const {
    return flags & dns::flag::RD;
}
bool QueryView::cd() const {
    return flags & dns::flag::CD;
}

namespace {

// Reads the additional section looking for OPT. Other records (TSIG, cookies
// carried elsewhere) are skipped; more than one OPT is FORMERR (RFC 6891 6.1.1).
QueryStatus read_additional(std::span<const std::uint8_t> msg, std::size_t pos, unsigned count,
                            QueryView& q) {
    for (unsigned i = 0; i < count; ++i) {
        std::uint8_t owner[kMaxNameLength];
        std::size_t owner_len = 0;
        if (read_name(msg, pos, owner, owner_len) != NameError::ok) return QueryStatus::formerr;
        ByteReader r(msg, pos);
        std::uint16_t type, klass, rdlen;
        std::uint32_t ttl;
        if (!r.read_u16(type) || !r.read_u16(klass) || !r.read_u32(ttl) || !r.read_u16(rdlen) ||
            !r.skip(rdlen))
            return QueryStatus::formerr;
        pos = r.position();
        if (type != dns::type::OPT) continue;
        if (q.has_edns || owner_len != 1) return QueryStatus::formerr;  // OPT owner must be root
        q.has_edns = true;
        q.edns_udp_size = klass < dns::kMinUdpSize ? dns::kMinUdpSize : klass;  // RFC 6891 6.2.3
        q.edns_version = static_cast<std::uint8_t>(ttl >> 16);
        q.edns_do = (ttl & dns::kEdnsDoBit) != 0;
    }
    if (q.has_edns && q.edns_version != 0) return QueryStatus::badvers;
    return QueryStatus::ok;
}

}  // namespace

QueryStatus parse_query(std::span<const std::uint8_t> msg, QueryView& q) {
    q = QueryView{};
    if (msg.size() < dns::kHeaderSize) return QueryStatus::drop;
    q.id = load_u16(msg.data());
    q.flags = load_u16(msg.data() + 2);
    if (q.flags & dns::flag::QR) return QueryStatus::drop;
    std::uint16_t qd = load_u16(msg.data() + 4), an = load_u16(msg.data() + 6), ns = load_u16(msg.data() + 8),
                  ar = load_u16(msg.data() + 10);
    if (qd != 1) return q.opcode() != 0 ? QueryStatus::notimp : QueryStatus::formerr;
    std::size_t pos = dns::kHeaderSize;
    if (read_name(msg, pos, q.qname, q.qname_len) != NameError::ok) return QueryStatus::formerr;
    // The question is the first name: there is nothing before it to point to,
    // so a compressed QNAME is malformed. Answers copy the client's spelling
    // from these bytes, which relies on it being stored in full.
    if (pos != dns::kHeaderSize + q.qname_len) return QueryStatus::formerr;
    ByteReader r(msg, pos);
    if (!r.read_u16(q.qtype) || !r.read_u16(q.qclass)) return QueryStatus::formerr;
    q.question_end = r.position();
    if (q.opcode() != 0) return QueryStatus::notimp;
    // A query carries no answer or authority records (RFC 1035 4.1.1; UPDATE is
    // another opcode and already refused above).
    if (an != 0 || ns != 0) return QueryStatus::formerr;
    if (q.qtype == dns::type::OPT) return QueryStatus::formerr;  // OPT is a pseudo-type, never asked for
    return read_additional(msg, q.question_end, ar, q);
}

}  // namespace lanlord
