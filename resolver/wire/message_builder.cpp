#include "resolver/wire/message_builder.h"

#include <algorithm>
#include <cstring>

#include "common/byte_cursor.h"
#include "resolver/wire/dns_constants.h"

namespace lanlord {

namespace {

std::uint16_t answer_flags(const QueryView& q, std::uint16_t stored_flags, std::uint8_t rcode) {
    std::uint16_t f = dns::flag::QR | dns::flag::RA | (q.flags & (dns::flag::RD | dns::flag::CD));
    f |= stored_flags & dns::flag::AA;
    if ((stored_flags & dns::flag::AD) && (q.edns_do || (q.flags & dns::flag::AD))) f |= dns::flag::AD;
    return static_cast<std::uint16_t>(f | (rcode & 0x0F));
}

// Appends our OPT record at `pos`; returns the new length or 0.
std::size_t append_opt(std::span<std::uint8_t> out, std::size_t pos, const QueryView& q,
                       const EdnsPolicy& edns, std::uint8_t extended_rcode) {
    if (out.size() - pos < dns::kOptRecordSize) return 0;
    std::uint8_t* p = out.data() + pos;
    p[0] = 0;  // root owner
    store_u16(p + 1, dns::type::OPT);
    store_u16(p + 3, edns.udp_size);
    p[5] = extended_rcode;
    p[6] = 0;  // version
    store_u16(p + 7, q.edns_do ? dns::kEdnsDoBit : 0);
    store_u16(p + 9, 0);
    return pos + dns::kOptRecordSize;
}

}  // namespace

std::size_t udp_answer_limit(const QueryView& q, const EdnsPolicy& edns) {
    if (!q.has_edns) return dns::kMinUdpSize;
    return std::max<std::size_t>(dns::kMinUdpSize, std::min(q.edns_udp_size, edns.udp_size));
}

std::size_t build_error_answer(std::span<const std::uint8_t> query, const QueryView& q, std::uint16_t rcode,
                               const EdnsPolicy& edns, std::span<std::uint8_t> out,
                               const ExtendedError* ede) {
    std::size_t qlen = q.has_question() ? q.question_end - dns::kHeaderSize : 0;
    if (out.size() < dns::kHeaderSize + qlen) return 0;
    std::uint8_t* p = out.data();
    store_u16(p, q.id);
    std::uint16_t f =
        dns::flag::QR | dns::flag::RA | (q.flags & (dns::flag::OPCODE_MASK | dns::flag::RD | dns::flag::CD));
    store_u16(p + 2, static_cast<std::uint16_t>(f | (rcode & 0x0F)));
    store_u16(p + 4, q.has_question() ? 1 : 0);
    store_u16(p + 6, 0);
    store_u16(p + 8, 0);
    store_u16(p + 10, 0);
    if (qlen) std::memcpy(p + dns::kHeaderSize, query.data() + dns::kHeaderSize, qlen);
    std::size_t len = dns::kHeaderSize + qlen;
    if (q.has_edns || rcode > 15) {
        QueryView opt_view = q;
        std::size_t opt_at = len;
        len = append_opt(out, len, opt_view, edns, static_cast<std::uint8_t>(rcode >> 4));
        if (len) store_u16(p + 10, 1);
        // RFC 8914 section 2: option 15, INFO-CODE then EXTRA-TEXT (UTF-8,
        // not NUL-terminated); only to a client that spoke EDNS.
        std::size_t text = ede ? std::min<std::size_t>(ede->text.size(), 200) : 0;
        if (len && ede && q.has_edns && out.size() - len >= 6 + text) {
            store_u16(p + len, dns::kEdnsOptionEde);
            store_u16(p + len + 2, static_cast<std::uint16_t>(2 + text));
            store_u16(p + len + 4, ede->code);
            std::memcpy(p + len + 6, ede->text.data(), text);
            len += 6 + text;
            store_u16(p + opt_at + 9, static_cast<std::uint16_t>(6 + text));
        }
    }
    return len;
}

std::size_t finish_answer(std::span<std::uint8_t> out, std::size_t len, const QueryView& q,
                          std::span<const std::uint8_t> query, const EdnsPolicy& edns, std::size_t limit) {
    std::size_t question_end = q.question_end;
    if (len < question_end) return 0;
    std::uint8_t* p = out.data();
    std::uint16_t stored_flags = load_u16(p + 2);
    store_u16(p, q.id);
    store_u16(p + 2, answer_flags(q, stored_flags, static_cast<std::uint8_t>(stored_flags & 0x0F)));
    // The client's spelling of QNAME (names in records point here, so they follow).
    std::memcpy(p + dns::kHeaderSize, query.data() + dns::kHeaderSize, q.qname_len);
    std::size_t total = len + (q.has_edns ? dns::kOptRecordSize : 0);
    if (total > limit || total > out.size()) {
        len = question_end;  // RFC 2181 section 9: TC with what fits; we keep just the question
        store_u16(p + 2, static_cast<std::uint16_t>(load_u16(p + 2) | dns::flag::TC));
        store_u16(p + 6, 0);
        store_u16(p + 8, 0);
        store_u16(p + 10, 0);
    }
    if (q.has_edns) {
        std::uint16_t ar = load_u16(p + 10);
        len = append_opt(out, len, q, edns, 0);
        if (len) store_u16(p + 10, static_cast<std::uint16_t>(ar + 1));
    }
    return len;
}

std::size_t build_upstream_query(std::string_view qname, std::uint16_t qtype, std::uint16_t qclass,
                                 std::uint16_t id, bool dnssec_ok, bool checking_disabled,
                                 std::uint16_t udp_size, std::span<std::uint8_t> out) {
    ByteWriter w(out);
    w.put_u16(id);
    w.put_u16(static_cast<std::uint16_t>(dns::flag::RD | (checking_disabled ? dns::flag::CD : 0)));
    w.put_u16(1);
    w.put_u16(0);
    w.put_u16(0);
    w.put_u16(1);
    w.put_bytes({reinterpret_cast<const std::uint8_t*>(qname.data()), qname.size()});
    w.put_u16(qtype);
    w.put_u16(qclass);
    w.put_u8(0);
    w.put_u16(dns::type::OPT);
    w.put_u16(udp_size);
    w.put_u32(dnssec_ok ? dns::kEdnsDoBit : 0);
    w.put_u16(0);
    return w.ok() ? w.size() : 0;
}

LocalAnswerBuilder::LocalAnswerBuilder(std::span<std::uint8_t> out, std::span<const std::uint8_t> query,
                                       const QueryView& q, std::uint8_t rcode)
    : out_(out), query_(query), q_(q) {
    std::size_t qlen = q.question_end - dns::kHeaderSize;
    if (out.size() < dns::kHeaderSize + qlen) {
        ok_ = false;
        return;
    }
    std::uint8_t* p = out.data();
    store_u16(p, q.id);
    store_u16(p + 2, answer_flags(q, dns::flag::AA, rcode));
    store_u16(p + 4, 1);
    std::memset(p + 6, 0, 6);
    std::memcpy(p + dns::kHeaderSize, query.data() + dns::kHeaderSize, qlen);
    pos_ = q.question_end;
}

void LocalAnswerBuilder::put_record_head(std::uint16_t type, std::uint32_t ttl) {
    if (!ok_ || out_.size() - pos_ < 12) {
        ok_ = false;
        return;
    }
    std::uint8_t* p = out_.data() + pos_;
    store_u16(p, 0xC00C);  // owner: the question name at offset 12
    store_u16(p + 2, type);
    store_u16(p + 4, q_.qclass);  // IN, or CH for the server's own names
    store_u32(p + 6, ttl);
    pos_ += 10;
}

void LocalAnswerBuilder::add_answer(std::uint16_t type, std::uint32_t ttl,
                                    std::span<const std::uint8_t> rdata) {
    put_record_head(type, ttl);
    if (!ok_ || out_.size() - pos_ < 2 + rdata.size()) {
        ok_ = false;
        return;
    }
    store_u16(out_.data() + pos_, static_cast<std::uint16_t>(rdata.size()));
    std::memcpy(out_.data() + pos_ + 2, rdata.data(), rdata.size());
    pos_ += 2 + rdata.size();
    ++answers_;
}

void LocalAnswerBuilder::add_answer_name(std::uint16_t type, std::uint32_t ttl, std::string_view wire_name) {
    add_answer(type, ttl, {reinterpret_cast<const std::uint8_t*>(wire_name.data()), wire_name.size()});
}

void LocalAnswerBuilder::add_authority_soa(std::string_view zone, std::uint32_t ttl) {
    // MNAME "localhost.", RNAME "nobody.invalid.", serial 1, refresh/retry/
    // expire nominal, MINIMUM = ttl so negative caching downstream uses it.
    static const std::uint8_t mname[] = {9, 'l', 'o', 'c', 'a', 'l', 'h', 'o', 's', 't', 0};
    static const std::uint8_t rname[] = {6,   'n', 'o', 'b', 'o', 'd', 'y', 7,
                                         'i', 'n', 'v', 'a', 'l', 'i', 'd', 0};
    std::size_t need = zone.size() + 10 + sizeof mname + sizeof rname + 20;
    if (!ok_ || out_.size() - pos_ < need) {
        ok_ = false;
        return;
    }
    ByteWriter w(out_.subspan(pos_));
    w.put_bytes({reinterpret_cast<const std::uint8_t*>(zone.data()), zone.size()});
    w.put_u16(dns::type::SOA);
    w.put_u16(dns::kClassIN);
    w.put_u32(ttl);
    w.put_u16(static_cast<std::uint16_t>(sizeof mname + sizeof rname + 20));
    w.put_bytes(mname);
    w.put_bytes(rname);
    w.put_u32(1);
    w.put_u32(3600);
    w.put_u32(600);
    w.put_u32(86400);
    w.put_u32(ttl);
    pos_ += w.size();
    ++authority_;
}

std::size_t LocalAnswerBuilder::finish(const EdnsPolicy& edns, std::size_t limit) {
    if (!ok_) return 0;
    store_u16(out_.data() + 6, answers_);
    store_u16(out_.data() + 8, authority_);
    return finish_answer(out_, pos_, q_, query_, edns, limit);
}

}  // namespace lanlord
