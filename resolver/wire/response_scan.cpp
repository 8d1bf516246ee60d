#include "resolver/wire/response_scan.h"

#include <algorithm>
#include <limits>

#include "common/byte_cursor.h"
#include "common/dns_name.h"
#include "resolver/wire/dns_constants.h"

namespace lanlord {

namespace {

struct RecordRef {
    std::size_t start;       // owner name
    std::size_t ttl_offset;  // TTL field
    std::size_t end;         // past RDATA
    std::uint16_t type;
    std::uint32_t ttl;
    int section;  // 0 answer, 1 authority, 2 additional
    std::uint32_t soa_minimum;
};

bool read_record(std::span<const std::uint8_t> msg, std::size_t& pos, int section, RecordRef& rr) {
    rr.start = pos;
    if (skip_name(msg, pos) != NameError::ok) return false;
    ByteReader r(msg, pos);
    std::uint16_t klass, rdlen;
    if (!r.read_u16(rr.type) || !r.read_u16(klass)) return false;
    rr.ttl_offset = r.position();
    if (!r.read_u32(rr.ttl) || !r.read_u16(rdlen)) return false;
    std::size_t rdata = r.position();
    if (!r.skip(rdlen)) return false;
    rr.end = r.position();
    rr.section = section;
    rr.soa_minimum = 0;
    if (rr.type == dns::type::SOA) {
        // MNAME and RNAME may be compressed; MINIMUM is the last field (RFC 1035 3.3.13).
        std::size_t p = rdata;
        if (skip_name(msg, p) != NameError::ok || skip_name(msg, p) != NameError::ok) return false;
        if (p + 20 != rr.end) return false;
        rr.soa_minimum = sanitize_ttl(load_u32(msg.data() + rr.end - 4));
    }
    pos = rr.end;
    return true;
}

}  // namespace

ScanStatus scan_response(std::span<const std::uint8_t> msg, std::string_view qname, std::uint16_t qtype,
                         std::uint16_t qclass, const TtlPolicy& policy, ScannedResponse& out) {
    out = ScannedResponse{};
    if (msg.size() < dns::kHeaderSize) return ScanStatus::malformed;
    out.id = load_u16(msg.data());
    out.flags = load_u16(msg.data() + 2);
    if (!(out.flags & dns::flag::QR)) return ScanStatus::not_a_response;
    out.rcode = static_cast<std::uint8_t>(out.flags & dns::flag::RCODE_MASK);
    out.truncated = out.flags & dns::flag::TC;
    std::uint16_t qd = load_u16(msg.data() + 4);
    unsigned counts[3] = {load_u16(msg.data() + 6), load_u16(msg.data() + 8), load_u16(msg.data() + 10)};
    if (qd != 1) return ScanStatus::question_mismatch;

    std::uint8_t name[kMaxNameLength];
    std::size_t name_len = 0, pos = dns::kHeaderSize;
    if (read_name(msg, pos, name, name_len) != NameError::ok) return ScanStatus::malformed;
    ByteReader r(msg, pos);
    std::uint16_t rtype, rclass;
    if (!r.read_u16(rtype) || !r.read_u16(rclass)) return ScanStatus::malformed;
    if (std::string_view(reinterpret_cast<const char*>(name), name_len) != qname || rtype != qtype ||
        rclass != qclass || pos != dns::kHeaderSize + name_len)
        return ScanStatus::question_mismatch;
    std::size_t question_end = r.position();
    if (out.truncated) return ScanStatus::ok;  // the engine repeats it over TCP; the rest may be cut

    pos = question_end;
    std::vector<RecordRef> records;
    records.reserve(counts[0] + counts[1] + counts[2]);
    std::size_t opt_start = 0, opt_end = 0, additional_start = 0;
    for (int section = 0; section < 3; ++section) {
        if (section == 2) additional_start = pos;
        for (unsigned i = 0; i < counts[section]; ++i) {
            RecordRef rr;
            if (!read_record(msg, pos, section, rr)) return ScanStatus::malformed;
            if (rr.type == dns::type::OPT) {
                if (section != 2 || opt_end != 0) return ScanStatus::malformed;
                opt_start = rr.start;
                opt_end = rr.end;
                continue;
            }
            records.push_back(rr);
        }
    }
    std::size_t end = pos;  // trailing bytes past the last record are dropped

    // Stored form. OPT is normally the last record: cut it off. If anything
    // follows it, drop the whole additional section instead of re-compressing
    // (it is optional data; answer and authority stay intact).
    std::uint16_t arcount = static_cast<std::uint16_t>(counts[2]);
    if (opt_end != 0) {
        if (opt_end == end) {
            end = opt_start;
            arcount = static_cast<std::uint16_t>(arcount - 1);
        } else {
            end = additional_start;
            arcount = 0;
            std::erase_if(records, [](const RecordRef& rr) { return rr.section == 2; });
        }
    }
    out.stored.assign(msg.begin(), msg.begin() + static_cast<std::ptrdiff_t>(end));
    store_u16(out.stored.data(), 0);
    // We are a cache, not the authority: answers we pass on never carry AA
    // (RFC 1035 4.1.1; only local data is answered authoritatively).
    store_u16(out.stored.data() + 2, static_cast<std::uint16_t>(out.flags & ~dns::flag::AA));
    store_u16(out.stored.data() + 10, arcount);

    bool negative = out.rcode == dns::rcode::NXDOMAIN || (out.rcode == dns::rcode::NOERROR && counts[0] == 0);
    if (out.rcode != dns::rcode::NOERROR && out.rcode != dns::rcode::NXDOMAIN) {
        out.kind = ResponseKind::server_error;
        return ScanStatus::ok;
    }
    const RecordRef* soa = nullptr;
    for (const auto& rr : records)
        if (rr.section == 1 && rr.type == dns::type::SOA) soa = &rr;
    if (negative && !soa) {
        out.kind = ResponseKind::uncacheable;  // RFC 2308 section 5: no SOA, no negative caching
        return ScanStatus::ok;
    }
    out.kind = !negative
                   ? ResponseKind::positive
                   : (out.rcode == dns::rcode::NXDOMAIN ? ResponseKind::nxdomain : ResponseKind::nodata);

    std::uint32_t lifetime = std::numeric_limits<std::uint32_t>::max();
    bool zero_ttl = false;
    out.ttl_offsets.reserve(records.size());
    for (const auto& rr : records) {
        std::uint32_t ttl = sanitize_ttl(rr.ttl);
        if (negative && &rr == soa) {
            // RFC 2308 section 5: the negative TTL is min(SOA TTL, SOA MINIMUM);
            // the SOA we hand out carries it, counting down like any other TTL.
            ttl = std::min({ttl, rr.soa_minimum, policy.negative_max_ttl});
            if (ttl == 0) zero_ttl = true;
        } else {
            if (ttl == 0) zero_ttl = true;
            ttl = std::clamp(ttl, policy.min_ttl, std::max(policy.min_ttl, policy.max_ttl));
        }
        store_u32(out.stored.data() + rr.ttl_offset, ttl);
        out.ttl_offsets.push_back(static_cast<std::uint16_t>(rr.ttl_offset));
        lifetime = std::min(lifetime, ttl);
    }
    if (records.empty()) lifetime = 0;
    // RFC 1035 3.2.1: TTL 0 means "use for this transaction only": pass it on, never keep it.
    out.lifetime = zero_ttl ? 0 : lifetime;
    if (out.lifetime == 0 && out.kind != ResponseKind::server_error) out.kind = ResponseKind::uncacheable;
    return ScanStatus::ok;
}

void cap_ttls(ScannedResponse& r, std::uint32_t cap) {
    for (std::uint16_t off : r.ttl_offsets)
        if (load_u32(r.stored.data() + off) > cap) store_u32(r.stored.data() + off, cap);
    r.lifetime = std::min(r.lifetime, cap);
    if (r.lifetime == 0 && r.kind != ResponseKind::server_error) r.kind = ResponseKind::uncacheable;
}

}  // namespace lanlord
