#include "resolver/wire/dns_message.h"

#include <algorithm>

#include "common/byte_cursor.h"
#include "resolver/wire/dns_constants.h"

namespace lanlord {

namespace {

ParseError from_name_error(WireNameError e) {
    switch (e) {
        case WireNameError::ok:
            return ParseError::ok;
        case WireNameError::bad_label_type:
            return ParseError::name_bad_label_type;
        case WireNameError::too_long:
            return ParseError::name_too_long;
        case WireNameError::forward_pointer:
            return ParseError::name_forward_pointer;
        case WireNameError::truncated:
        case WireNameError::compressed:  // owners may always be compressed
            break;
    }
    return ParseError::name_truncated;
}

// The smallest question is 5 bytes (root name, type, class), the smallest
// record 11: a hostile count cannot make us reserve more than the bytes allow.
std::size_t plausible_records(std::size_t counted, std::size_t size) {
    return std::min(counted, size / 5);
}

}  // namespace

bool EdnsInfo::next_option(std::size_t& pos, EdnsOption& out) const {
    // The whole RDATA was checked at parse time; these checks only guard a
    // caller-made EdnsInfo.
    if (pos >= options.size() || options.size() - pos < 4) return false;
    std::size_t len = load_u16(options.data() + pos + 2);
    if (options.size() - pos - 4 < len) return false;
    out.code = load_u16(options.data() + pos);
    out.data = options.subspan(pos + 4, len);
    pos += 4 + len;
    return true;
}

std::span<const RecordView> ParsedMessage::section(Section s) const {
    auto i = static_cast<std::size_t>(s);
    std::size_t begin = std::min<std::size_t>(section_start_[i], records_.size());
    std::size_t end = std::min<std::size_t>(section_start_[i + 1], records_.size());
    return std::span<const RecordView>(records_).subspan(begin, end - begin);
}

WireName ParsedMessage::owner_original_case(const RecordView& rr) const {
    WireName name;
    std::size_t pos = rr.owner_pos;
    if (read_wire_name(msg_, pos, name, NameCase::keep) != WireNameError::ok) name.size = 0;
    return name;
}

ParseError parse_message(std::span<const std::uint8_t> msg, ParsedMessage& out) {
    out.error = ParseError::ok;
    out.rdata_error = RdataError::ok;
    out.error_record = 0;
    out.header = {};
    out.edns = {};
    out.trailing_bytes = 0;
    out.msg_ = msg;
    out.records_.clear();
    out.names_.clear();
    std::fill(std::begin(out.section_start_), std::end(out.section_start_), 0);

    int s = 0;  // the section being read
    auto fail = [&out, &s](ParseError e) {
        out.error = e;
        out.error_record = static_cast<std::uint32_t>(out.records_.size());
        // Sections not reached are empty; the one cut short ends here.
        for (int k = s + 1; k < 5; ++k) out.section_start_[k] = out.error_record;
        return e;
    };
    if (msg.size() < dns::kHeaderSize) return fail(ParseError::short_header);
    MessageHeader& h = out.header;
    h.id = load_u16(msg.data());
    h.flags = load_u16(msg.data() + 2);
    h.qdcount = load_u16(msg.data() + 4);
    h.ancount = load_u16(msg.data() + 6);
    h.nscount = load_u16(msg.data() + 8);
    h.arcount = load_u16(msg.data() + 10);
    // Offsets are kept in 16 bits: a message is at most 65535 bytes.
    if (msg.size() > dns::kMaxMessageSize) return fail(ParseError::too_large);

    const std::uint16_t counts[4] = {h.qdcount, h.ancount, h.nscount, h.arcount};
    std::size_t total = std::size_t{h.qdcount} + h.ancount + h.nscount + h.arcount;
    out.records_.reserve(plausible_records(total, msg.size()));
    out.names_.reserve(msg.size());

    std::size_t pos = dns::kHeaderSize;
    for (s = 0; s < 4; ++s) {
        out.section_start_[s] = static_cast<std::uint32_t>(out.records_.size());
        for (unsigned i = 0; i < counts[s]; ++i) {
            if (pos >= msg.size()) return fail(ParseError::missing_records);
            RecordView rr;
            rr.section = static_cast<Section>(s);
            rr.owner_pos = static_cast<std::uint16_t>(pos);
            WireName owner;
            auto ne = read_wire_name(msg, pos, owner);
            if (ne != WireNameError::ok) return fail(from_name_error(ne));
            // Records of one RRset share their owner: store it once.
            std::string_view last =
                out.records_.empty() ? std::string_view() : out.owner(out.records_.back());
            if (!out.records_.empty() && last == owner.view()) {
                rr.owner_offset = out.records_.back().owner_offset;
            } else {
                rr.owner_offset = static_cast<std::uint32_t>(out.names_.size());
                out.names_.insert(out.names_.end(), owner.view().begin(), owner.view().end());
            }
            rr.owner_length = owner.size;

            ByteReader r(msg, pos);
            if (!r.read_u16(rr.type) || !r.read_u16(rr.klass))
                return fail(s == 0 ? ParseError::question_truncated : ParseError::record_truncated);
            if (s > 0) {
                std::uint16_t rdlength = 0;
                if (!r.read_u32(rr.ttl) || !r.read_u16(rdlength)) return fail(ParseError::record_truncated);
                rr.rdata_offset = static_cast<std::uint16_t>(r.position());
                rr.rdata_length = rdlength;
                if (!r.skip(rdlength)) return fail(ParseError::rdata_past_end);
                auto re = validate_rdata(msg, rr.type, rr.klass, rr.rdata_offset, rr.rdata_length);
                if (re != RdataError::ok) {
                    out.rdata_error = re;
                    return fail(ParseError::bad_rdata);
                }
                if (rr.type == dns::type::OPT) {
                    // RFC 6891 6.1.1: one OPT at most, in the additional
                    // section, owned by the root.
                    if (s != 3) return fail(ParseError::opt_outside_additional);
                    if (out.edns.present) return fail(ParseError::opt_duplicate);
                    if (rr.owner_length != 1) return fail(ParseError::opt_owner_not_root);
                    EdnsInfo& e = out.edns;
                    e.present = true;
                    e.udp_size = rr.klass;
                    e.extended_rcode = static_cast<std::uint8_t>(rr.ttl >> 24);
                    e.version = static_cast<std::uint8_t>(rr.ttl >> 16);
                    e.flags = static_cast<std::uint16_t>(rr.ttl);
                    e.dnssec_ok = (e.flags & dns::kEdnsDoBit) != 0;
                    e.record_index = static_cast<std::uint32_t>(out.records_.size());
                    e.options = msg.subspan(rr.rdata_offset, rr.rdata_length);
                }
            }
            pos = r.position();
            out.records_.push_back(rr);
        }
    }
    out.section_start_[4] = static_cast<std::uint32_t>(out.records_.size());
    out.trailing_bytes = msg.size() - pos;
    return ParseError::ok;
}

ParsedMessage parse_message(std::span<const std::uint8_t> msg) {
    ParsedMessage m;
    parse_message(msg, m);
    return m;
}

}  // namespace lanlord
