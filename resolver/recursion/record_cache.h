// The iterator's record cache: RRsets with their trust rank (RFC 2181 section
// 5.4.1) and negative answers (RFC 2308), keyed by (owner, type), bounded in
// bytes, shared by the engines of every thread.
//
// What it holds, and why each rule:
// - Positive RRsets: RDATA in canonical, uncompressed form (rdata_canonical.h),
//   so it means the same outside the message it came in.
// - NODATA per (name, type) and NXDOMAIN per name (stored under type 0), each
//   with the SOA that gave its TTL (RFC 2308 section 5: no SOA, no caching).
//   An NXDOMAIN also covers every name below it (RFC 8020): lookup_negative
//   walks the ancestors.
// - Ranks: data of a lower rank never replaces live data of a higher one, so
//   glue or a referral's NS set cannot overwrite an authoritative answer
//   (the Kaminsky-class defence). Referral and glue ranks serve iteration
//   only; answers to clients need at least answer_nonauth (usable_as_answer).
// - A live NS set is never extended by a replacement (the "ghost domain"
//   rule, CVE-2012-1191 / CVE-2022-30698): a new set of equal or higher rank
//   takes its place but keeps the old expiry, so a delegation removed from
//   the parent dies when the parent said it would.
// - TTLs are capped at `max_ttl` (1 day, as unbound's cache-max-ttl) and
//   RFC 2181 section 8's "high bit set" TTLs are 0. An entry with TTL 0 is
//   kept for one second (and reported with TTL 0): long enough for the
//   resolution that fetched it to use it, never long enough to be reused.
//
// Concurrency: sharded by key hash, one mutex per shard; a lookup copies the
// entry out under the lock (the iterator's miss path, not the client hit
// path, which is PacketCache's). Eviction: least recently stored/used per
// shard, when the shard is over its share of `max_bytes`.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/time.h"

namespace lanlord {

// RFC 2181 section 5.4.1, lowest first (unbound's rrset_trust, condensed).
enum class Trust : std::uint8_t {
    additional = 1,      // additional section, or glue of a referral
    referral = 2,        // authority section without AA: a referral's NS set
    answer_nonauth = 3,  // answer section without AA
    authority_auth = 4,  // authority section of an authoritative answer
    answer_auth = 5,     // answer section with AA
};

inline bool usable_as_answer(Trust t) {
    return t >= Trust::answer_nonauth;
}

enum class EntryKind : std::uint8_t { rrset, nodata, nxdomain };

// RDATA blob layout: for each record, a 16-bit length (network order) and the
// canonical RDATA.
struct CachedEntry {
    EntryKind kind = EntryKind::rrset;
    Trust trust = Trust::additional;
    std::uint32_t ttl = 0;  // seconds left at lookup
    std::uint16_t count = 0;
    std::vector<std::uint8_t> rdata;  // rrset: the records; negative: the SOA's RDATA
    std::string soa_owner;            // negative entries: the zone whose SOA it is
    std::uint32_t soa_ttl = 0;        // negative entries: the SOA record's own TTL, aged
};

struct RecordCacheStats {
    std::size_t entries = 0, bytes = 0;
    std::uint64_t inserts = 0, rejected_rank = 0, evictions = 0;
};

class RecordCache {
  public:
    static constexpr std::uint32_t kMaxTtl = 86400;
    static constexpr std::uint16_t kNxdomainType = 0;  // the key type of an NXDOMAIN entry

    explicit RecordCache(std::size_t max_bytes = 8u << 20, unsigned shards = 8);
    ~RecordCache();
    RecordCache(const RecordCache&) = delete;
    RecordCache& operator=(const RecordCache&) = delete;

    // A positive RRset. Returns false when a live entry of higher rank (or
    // a live negative entry of higher rank) kept its place.
    bool store_rrset(std::string_view owner, std::uint16_t type, std::uint32_t ttl, Trust trust,
                     std::span<const std::uint8_t> rdata_blob, std::uint16_t count, TimePoint now);
    // NODATA for (name, type), or NXDOMAIN for name (type ignored). `ttl` is
    // the negative TTL (RFC 2308 section 5: min(SOA TTL, SOA MINIMUM)).
    bool store_negative(std::string_view name, std::uint16_t type, bool nxdomain, std::uint32_t ttl,
                        Trust trust, std::string_view soa_owner, std::span<const std::uint8_t> soa_rdata,
                        TimePoint now);

    // The live entry for (name, type), positive or NODATA.
    bool lookup(std::string_view name, std::uint16_t type, TimePoint now, CachedEntry& out) const;
    // A live NXDOMAIN for `name` or one of its ancestors (RFC 8020: nothing
    // exists below a name that does not exist), else a NODATA for (name,
    // type).
    bool lookup_negative(std::string_view name, std::uint16_t type, TimePoint now, CachedEntry& out) const;

    // True once any DNAME was stored: until then the iterator skips looking
    // for DNAMEs above each name it resolves (a lookup per label).
    bool has_dnames() const { return dnames_.load(std::memory_order_relaxed) != 0; }

    void clear();
    RecordCacheStats stats() const;
    std::size_t max_bytes() const { return max_bytes_; }

  private:
    struct Shard;
    bool store(std::string_view name, std::uint16_t type, CachedEntry entry, TimePoint expires,
               TimePoint now);
    Shard& shard_for(std::string_view key) const;

    std::size_t max_bytes_;
    std::vector<std::unique_ptr<Shard>> shards_;
    std::atomic<std::uint64_t> dnames_{0};
};

// Helpers for RDATA blobs.
void append_blob_record(std::vector<std::uint8_t>& blob, std::span<const std::uint8_t> rdata);
// Calls f(span) for each record of a blob.
template <typename F>
void for_each_blob_record(std::span<const std::uint8_t> blob, F&& f) {
    std::size_t pos = 0;
    while (pos + 2 <= blob.size()) {
        std::size_t len = static_cast<std::size_t>(blob[pos] << 8 | blob[pos + 1]);
        pos += 2;
        if (pos + len > blob.size()) return;
        f(blob.subspan(pos, len));
        pos += len;
    }
}

}  // namespace lanlord
