// Writing DNS messages into caller-owned buffers: error answers, upstream
// queries, locally generated answers, and the final per-client touches on a
// stored answer (ID, flags, the client's spelling of the name, our OPT record,
// truncation). Nothing here allocates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "resolver/wire/query_view.h"

namespace lanlord {

// What the client is sent as EDNS (RFC 6891): our advertised buffer size, and
// the largest UDP answer we send it: min(client's size, ours), at least 512.
struct EdnsPolicy {
    std::uint16_t udp_size = 1232;
};
std::size_t udp_answer_limit(const QueryView& q, const EdnsPolicy& edns);

// An Extended DNS Error (RFC 8914): why an answer failed, for people.
struct ExtendedError {
    std::uint16_t code = 0;  // INFO-CODE: 0 other, 22 no reachable authority, ...
    std::string_view text;   // EXTRA-TEXT, at most 200 bytes are sent
};

// Header (+ question when it parsed) with `rcode`; for BADVERS the extended
// bits go into an OPT record, and `ede`, when given, into that OPT for a
// client that used EDNS. Returns the length, 0 if `out` is too small.
std::size_t build_error_answer(std::span<const std::uint8_t> query, const QueryView& q, std::uint16_t rcode,
                               const EdnsPolicy& edns, std::span<std::uint8_t> out,
                               const ExtendedError* ede = nullptr);

// Turns `len` bytes of stored-form answer at the start of `out` (TTLs already
// aged) into the answer for this client: its ID, RD and CD, its letter case of
// QNAME, AD only when it asked for DNSSEC (RFC 6840 5.8), our OPT when it used
// EDNS (DO copied, RFC 3225). Longer than `limit`: header and question with
// TC=1 (RFC 2181 9). Returns the final length (0 if `out` is too small).
std::size_t finish_answer(std::span<std::uint8_t> out, std::size_t len, const QueryView& q,
                          std::span<const std::uint8_t> query, const EdnsPolicy& edns, std::size_t limit);

// An upstream query: RD set, CD copied, EDNS with DO when the client had it.
std::size_t build_upstream_query(std::string_view qname, std::uint16_t qtype, std::uint16_t qclass,
                                 std::uint16_t id, bool dnssec_ok, bool checking_disabled,
                                 std::uint16_t udp_size, std::span<std::uint8_t> out);

// Builds an authoritative local answer: start(), then records, then finish().
// Owner names of answers are the question name (a pointer to offset 12).
class LocalAnswerBuilder {
  public:
    LocalAnswerBuilder(std::span<std::uint8_t> out, std::span<const std::uint8_t> query, const QueryView& q,
                       std::uint8_t rcode);
    void add_answer(std::uint16_t type, std::uint32_t ttl, std::span<const std::uint8_t> rdata);
    // The answer's rdata is a domain name (PTR, CNAME).
    void add_answer_name(std::uint16_t type, std::uint32_t ttl, std::string_view wire_name);
    // Synthesized SOA for negative answers (RFC 2308 section 3): owner `zone`.
    void add_authority_soa(std::string_view zone, std::uint32_t ttl);
    std::size_t finish(const EdnsPolicy& edns, std::size_t limit);

  private:
    void put_record_head(std::uint16_t type, std::uint32_t ttl);
    std::span<std::uint8_t> out_;
    std::span<const std::uint8_t> query_;
    const QueryView& q_;
    std::size_t pos_ = 0;
    std::uint16_t answers_ = 0, authority_ = 0;
    bool ok_ = true;
};

}  // namespace lanlord
