// A zero-allocation view of a client's DNS query: header, the one question
// and the EDNS OPT record (RFC 1035 section 4.1, RFC 6891 section 6).
//
// This is the first step of every query, on the cache-hit path, so it reads
// only what it needs into fixed storage and refuses anything malformed with a
// precise reason that the engine maps to FORMERR, NOTIMP, BADVERS or a drop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "common/dns_name.h"

namespace lanlord {

enum class QueryStatus : std::uint8_t {
    ok,
    drop,     // not answerable at all: shorter than a header, or QR set (a response)
    formerr,  // header readable but the rest is malformed
    notimp,   // opcode other than QUERY (RFC 1035 4.1.1)
    badvers,  // EDNS version other than 0 (RFC 6891 6.1.3)
};

struct QueryView {
    std::uint16_t id = 0;
    std::uint16_t flags = 0;
    std::uint16_t qtype = 0;
    std::uint16_t qclass = 0;
    // Lower-cased wire form of QNAME; the client's own spelling stays in the
    // message at offset 12 (qname_len bytes) and is copied back into answers.
    std::uint8_t qname[kMaxNameLength] = {};
    std::size_t qname_len = 0;
    std::size_t question_end = 0;  // offset just past QCLASS; 0 if no valid question
    bool has_edns = false;
    bool edns_do = false;
    std::uint8_t edns_version = 0;
    std::uint16_t edns_udp_size = 0;

    bool rd() const;
    bool cd() const;
    std::uint8_t opcode() const { return static_cast<std::uint8_t>((flags >> 11) & 0x0F); }
    std::string_view name() const { return {reinterpret_cast<const char*>(qname), qname_len}; }
    bool has_question() const { return question_end != 0; }
};

// Parses `msg` into `out`. `out` holds what could be read even when the status
// is not ok (the id always, the question when it parsed), so that an error
// answer can echo them.
QueryStatus parse_query(std::span<const std::uint8_t> msg, QueryView& out);

}  // namespace lanlord
