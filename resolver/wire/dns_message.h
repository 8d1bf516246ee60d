// A whole DNS message parsed into views: header, questions and every record of
// the answer, authority and additional sections (RFC 1035 section 4.1), with
// the OPT pseudo-record read out (RFC 6891 section 6.1). This is the input of
// the iterator's scrubber and of the validator; the forwarder's hot path keeps
// using response_scan.h, which reads only what the packet cache needs.
//
// Validation is strict: every length is checked, the counts must match the
// records present, every record's RDATA must match its type's layout
// (rdata_layout.h), names go through read_name (pointers strictly backwards,
// 255 bytes at most). A rejection names its reason (ParseError) and the
// record it stopped at.
//
// Bytes after the last record are not an error: they are counted in
// `trailing_bytes` and ignored. No field of any record can refer to them
// (compression pointers only point backwards), so they cannot change what was
// parsed; some middleboxes pad datagrams, and response_scan drops them too.
// Callers that want to refuse such messages check the count.
//
// Allocation: two vectors (records, decompressed owner names), kept across
// calls when the same ParsedMessage is parsed into again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "resolver/wire/rdata_layout.h"
#include "resolver/wire/wire_name.h"

namespace lanlord {

enum class Section : std::uint8_t { question, answer, authority, additional };

enum class ParseError : std::uint8_t {
    ok,
    short_header,     // fewer than 12 bytes
    too_large,        // over 65535 bytes: no DNS message is (RFC 1035 4.2.2's length field)
    missing_records,  // the message ends before the records the counts promise
    name_truncated,   // an owner or question name (RDATA names: rdata_error)
    name_bad_label_type,
    name_too_long,
    name_forward_pointer,
    question_truncated,      // QTYPE/QCLASS cut off
    record_truncated,        // TYPE, CLASS, TTL or RDLENGTH cut off
    rdata_past_end,          // RDLENGTH runs past the end of the message
    bad_rdata,               // RDATA does not match its type's layout: see rdata_error
    opt_outside_additional,  // RFC 6891 6.1.1: only in the additional section
    opt_duplicate,           // RFC 6891 6.1.1: at most one
    opt_owner_not_root,      // RFC 6891 6.1.2: owner MUST be the root
};

// One question or record. Questions have ttl 0 and no RDATA.
struct RecordView {
    std::uint32_t owner_offset = 0;  // into the decompressed names (ParsedMessage::owner)
    std::uint16_t owner_length = 0;
    std::uint16_t owner_pos = 0;  // where the owner starts in the message (its original case)
    std::uint16_t type = 0;
    std::uint16_t klass = 0;
    std::uint32_t ttl = 0;  // as sent: RFC 2181 section 8 sanitising is the caller's
    std::uint16_t rdata_offset = 0;
    std::uint16_t rdata_length = 0;
    Section section = Section::question;
};

struct MessageHeader {
    std::uint16_t id = 0;
    std::uint16_t flags = 0;
    std::uint16_t qdcount = 0, ancount = 0, nscount = 0, arcount = 0;

    bool is_response() const { return (flags & 0x8000) != 0; }
    std::uint8_t opcode() const { return static_cast<std::uint8_t>((flags >> 11) & 0xF); }
    bool has(std::uint16_t flag) const { return (flags & flag) != 0; }
};

struct EdnsOption {
    std::uint16_t code = 0;
    std::span<const std::uint8_t> data;
};

// The OPT record (RFC 6891 6.1.3): its CLASS is the UDP payload size and its
// TTL holds the extended RCODE, the version and the flags (DO: RFC 3225).
struct EdnsInfo {
    bool present = false;
    std::uint16_t udp_size = 0;       // as sent; RFC 6891 6.2.5 treats < 512 as 512
    std::uint8_t extended_rcode = 0;  // upper 8 bits of the 12-bit RCODE
    std::uint8_t version = 0;
    std::uint16_t flags = 0;  // DO is 0x8000
    bool dnssec_ok = false;
    std::uint32_t record_index = 0;         // of the OPT in ParsedMessage::records()
    std::span<const std::uint8_t> options;  // raw TLVs, validated whole

    // Iterates the options in order: `pos` starts at 0.
    bool next_option(std::size_t& pos, EdnsOption& out) const;
};

class ParsedMessage {
  public:
    ParseError error = ParseError::ok;
    RdataError rdata_error = RdataError::ok;  // when error == bad_rdata
    std::uint32_t error_record = 0;           // index (questions first) of the record parsing stopped at
    MessageHeader header;                     // filled whenever the 12 bytes are there (TC is visible)
    EdnsInfo edns;
    std::size_t trailing_bytes = 0;

    bool ok() const { return error == ParseError::ok; }
    std::span<const std::uint8_t> bytes() const { return msg_; }
    // Every question and record, in message order (questions first).
    std::span<const RecordView> records() const { return records_; }
    std::span<const RecordView> section(Section s) const;
    std::span<const RecordView> questions() const { return section(Section::question); }
    // The owner as lower-cased, uncompressed wire form.
    std::string_view owner(const RecordView& rr) const {
        return {names_.data() + rr.owner_offset, rr.owner_length};
    }
    // The owner with the letter case the message has: the question's, for the
    // 0x20 check of what was sent (draft-vixie-dnsext-dns0x20).
    WireName owner_original_case(const RecordView& rr) const;
    // The 12-bit RCODE: header bits plus the OPT's extension (RFC 6891 6.1.3).
    std::uint16_t rcode() const {
        return static_cast<std::uint16_t>((edns.extended_rcode << 4) | (header.flags & 0xF));
    }

  private:
    friend ParseError parse_message(std::span<const std::uint8_t> msg, ParsedMessage& out);
    std::span<const std::uint8_t> msg_;
    std::vector<RecordView> records_;
    std::vector<char> names_;
    std::uint32_t section_start_[5] = {};
};

// Parses `msg` into `out` (reusing its vectors). `out` keeps views into `msg`:
// the bytes must outlive it. On error, header and the records parsed before
// the error stay readable.
ParseError parse_message(std::span<const std::uint8_t> msg, ParsedMessage& out);

// The same into a new ParsedMessage.
ParsedMessage parse_message(std::span<const std::uint8_t> msg);

}  // namespace lanlord
