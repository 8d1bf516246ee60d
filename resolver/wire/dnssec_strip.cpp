#include "resolver/wire/dnssec_strip.h"

#include "common/byte_cursor.h"
#include "resolver/wire/dns_constants.h"
#include "resolver/wire/dns_message.h"
#include "resolver/wire/rdata_canonical.h"

namespace lanlord {

namespace {
bool dnssec_type(std::uint16_t t) {
    return t == dns::type::RRSIG || t == dns::type::NSEC || t == dns::type::NSEC3;
}
void put16(std::vector<std::uint8_t>& out, std::uint16_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
}
}  // namespace

bool strip_dnssec_records(std::span<const std::uint8_t> msg, std::uint16_t qtype,
                          std::vector<std::uint8_t>& out) {
    ParsedMessage m = parse_message(msg);
    if (!m.ok()) return false;
    out.clear();
    out.insert(out.end(), msg.begin(), msg.begin() + dns::kHeaderSize);
    for (const RecordView& q : m.questions()) {
        WireName name = m.owner_original_case(q);
        out.insert(out.end(), name.view().begin(), name.view().end());
        put16(out, q.type);
        put16(out, q.klass);
    }
    std::uint16_t counts[3] = {};
    const Section sections[3] = {Section::answer, Section::authority, Section::additional};
    for (int s = 0; s < 3; ++s)
        for (const RecordView& rr : m.section(sections[s])) {
            if (dnssec_type(rr.type) && rr.type != qtype) continue;
            std::size_t start = out.size();
            WireName name = m.owner_original_case(rr);
            out.insert(out.end(), name.view().begin(), name.view().end());
            put16(out, rr.type);
            put16(out, rr.klass);
            put16(out, static_cast<std::uint16_t>(rr.ttl >> 16));
            put16(out, static_cast<std::uint16_t>(rr.ttl));
            std::size_t len_at = out.size();
            put16(out, 0);
            if (rr.type == dns::type::OPT) {
                auto rdata = msg.subspan(rr.rdata_offset, rr.rdata_length);
                out.insert(out.end(), rdata.begin(), rdata.end());
            } else if (canonical_rdata(msg, rr, out) != RdataError::ok) {
                out.resize(start);  // a record we cannot re-encode is left out
                continue;
            }
            std::size_t len = out.size() - len_at - 2;
            if (len > 0xFFFF || out.size() > dns::kMaxMessageSize) {
                out.resize(start);
                continue;
            }
            store_u16(out.data() + len_at, static_cast<std::uint16_t>(len));
            ++counts[s];
        }
    store_u16(out.data() + 6, counts[0]);
    store_u16(out.data() + 8, counts[1]);
    store_u16(out.data() + 10, counts[2]);
    return true;
}

}  // namespace lanlord
