#include "resolver/wire/answer_splice.h"

#include <cstring>
#include <vector>

#include "common/byte_cursor.h"
#include "common/dns_name.h"
#include "resolver/wire/dns_constants.h"

namespace lanlord {

void append_record(std::vector<std::uint8_t>& out, std::string_view owner, std::uint16_t type,
                   std::uint32_t ttl, std::span<const std::uint8_t> rdata) {
    out.insert(out.end(), owner.begin(), owner.end());
    std::uint8_t fixed[10];
    store_u16(fixed, type);
    store_u16(fixed + 2, dns::kClassIN);
    store_u32(fixed + 4, ttl);
    store_u16(fixed + 8, static_cast<std::uint16_t>(rdata.size()));
    out.insert(out.end(), fixed, fixed + 10);
    out.insert(out.end(), rdata.begin(), rdata.end());
}

namespace {

bool copy_name(std::span<const std::uint8_t> msg, std::size_t& pos, ByteWriter& w) {
    std::uint8_t name[kMaxNameLength];
    std::size_t len = 0;
    if (read_name(msg, pos, name, len) != NameError::ok) return false;
    w.put_bytes({name, len});
    return true;
}

// Copies RDATA, expanding the names of the types defined with compressible
// names (RFC 3597 section 4: CNAME, PTR, NS, MX, SOA; SRV is commonly
// compressed by old servers too, so it is expanded as well).
bool copy_rdata(std::span<const std::uint8_t> msg, std::uint16_t type, std::size_t start, std::size_t rdlen,
                ByteWriter& w) {
    std::size_t len_at = w.size();
    w.put_u16(0);
    std::size_t pos = start, end = start + rdlen;
    auto fixed = [&](std::size_t n) {
        if (pos + n > end) return false;
        w.put_bytes(msg.subspan(pos, n));
        pos += n;
        return true;
    };
    bool ok = true;
    switch (type) {
        case dns::type::CNAME:
        case dns::type::PTR:
        case dns::type::NS:
            ok = copy_name(msg, pos, w);
            break;
        case dns::type::MX:
            ok = fixed(2) && copy_name(msg, pos, w);
            break;
        case dns::type::SRV:
            ok = fixed(6) && copy_name(msg, pos, w);
            break;
        case dns::type::SOA:
            ok = copy_name(msg, pos, w) && copy_name(msg, pos, w) && fixed(20);
            break;
        default:
            ok = fixed(rdlen);
            break;
    }
    if (!ok || pos != end || !w.ok()) return false;
    store_u16(w.at(len_at), static_cast<std::uint16_t>(w.size() - len_at - 2));
    return true;
}

}  // namespace

std::size_t splice_answer(std::span<std::uint8_t> out, std::span<const std::uint8_t> prefix,
                          std::uint16_t prefix_count, std::span<const std::uint8_t> target,
                          const QueryView& q, std::span<const std::uint8_t> query, const EdnsPolicy& edns,
                          std::size_t limit) {
    if (target.size() < dns::kHeaderSize) return 0;
    ByteWriter w(out);
    std::uint16_t target_flags = load_u16(target.data() + 2);
    w.put_u16(0);
    // Mixed local and forwarded data: not authoritative.
    w.put_u16(static_cast<std::uint16_t>(target_flags & ~dns::flag::AA));
    w.put_u16(1);
    w.put_u16(0);
    w.put_u16(0);
    w.put_u16(0);
    w.put_bytes(query.subspan(dns::kHeaderSize, q.question_end - dns::kHeaderSize));
    w.put_bytes(prefix);
    std::size_t pos = dns::kHeaderSize;
    if (skip_name(target, pos) != NameError::ok || pos + 4 > target.size()) return 0;
    pos += 4;
    unsigned answers = load_u16(target.data() + 6);
    for (unsigned i = 0; i < answers; ++i) {
        if (!copy_name(target, pos, w)) return 0;
        ByteReader r(target, pos);
        std::uint16_t type, klass, rdlen;
        std::uint32_t ttl;
        if (!r.read_u16(type) || !r.read_u16(klass) || !r.read_u32(ttl) || !r.read_u16(rdlen) ||
            r.remaining() < rdlen)
            return 0;
        w.put_u16(type);
        w.put_u16(klass);
        w.put_u32(ttl);
        if (!copy_rdata(target, type, r.position(), rdlen, w)) return 0;
        pos = r.position() + rdlen;
    }
    if (!w.ok()) return 0;
    store_u16(out.data() + 6, static_cast<std::uint16_t>(prefix_count + answers));
    return finish_answer(out, w.size(), q, query, edns, limit);
}

}  // namespace lanlord
