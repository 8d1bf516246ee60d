// Records of one section grouped into RRsets, by (owner, type, class)
// (RFC 2181 section 5), each with the RRSIGs that cover it attached (same
// owner and class, type covered = the set's type: RFC 4035 section 2.2). The
// scrubber keeps or drops whole sets; the validator verifies a set against
// its signatures.
//
// Sets come in the order of their first record; records within a set keep
// message order. RRSIGs are never sets of their own: those that cover no set
// of the section are listed as orphans for the caller to drop. OPT is not a
// record of any set. Grouping sorts indices (n log n), so a message of
// thousands of records costs no quadratic walk, and the four vectors are
// kept across calls.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "resolver/wire/dns_message.h"

namespace lanlord {

struct RRset {
    std::string_view owner;  // lower-cased wire form, a view into the ParsedMessage
    std::uint16_t type = 0;
    std::uint16_t klass = 0;
    std::uint32_t min_ttl = 0;  // RFC 2181 5.2: TTLs of one set should agree; the smallest counts
    std::uint32_t first_record = 0, record_count = 0;
    std::uint32_t first_signature = 0, signature_count = 0;
};

class RRsetGroups {
  public:
    // Groups the records of `section` of `msg` (which must have parsed ok and
    // must outlive this, as must its bytes).
    void build(const ParsedMessage& msg, Section section);

    std::span<const RRset> sets() const { return sets_; }
    // Indices into msg.records() of the set's records, and of its RRSIGs.
    std::span<const std::uint32_t> records(const RRset& set) const {
        return std::span<const std::uint32_t>(members_).subspan(set.first_record, set.record_count);
    }
    std::span<const std::uint32_t> signatures(const RRset& set) const {
        return std::span<const std::uint32_t>(signatures_).subspan(set.first_signature, set.signature_count);
    }
    std::span<const std::uint32_t> orphan_signatures() const { return orphans_; }

  private:
    std::vector<RRset> sets_;
    std::vector<std::uint32_t> members_;
    std::vector<std::uint32_t> signatures_;
    std::vector<std::uint32_t> orphans_;
};

}  // namespace lanlord
