// What validation learned about zone cuts, shared by the engines of every
// thread (unbound's key cache, Knot Resolver's cached DS/DNSKEY ranks):
// per name, one of
// - secure: the zone's validated DNSKEYs (RFC 4035 5.2), until the DS or
//   DNSKEY TTL (capped by the signatures) runs out;
// - insecure: a proven unsigned delegation (or unsupported algorithms):
//   everything below is insecure (RFC 4035 4.3), for the proof's TTL;
// - bogus: the chain failed here; kept kBogusTtl (60 s, unbound's
//   val-bogus-ttl) so a broken zone is not asked again for every query;
// - not_a_cut: the name is inside its parent's zone (a signed NODATA for DS
//   without NS), so the chain walk skips it.
// Bounded by entries (least recently stored dropped first).
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/time.h"
#include "resolver/dnssec/validation_result.h"

namespace lanlord {

struct ZoneKeyEntry {
    enum class Kind : std::uint8_t { secure, insecure, bogus, not_a_cut };
    Kind kind = Kind::bogus;
    std::vector<std::vector<std::uint8_t>> keys;  // secure: DNSKEY RDATA of usable zone keys
    Verdict verdict;                              // insecure/bogus: why
    TimePoint expires{};
};

class KeyCache {
  public:
    static constexpr std::uint32_t kBogusTtl = 60;
    static constexpr std::uint32_t kMaxTtl = 86400;

    explicit KeyCache(std::size_t max_entries = 10000) : max_entries_(max_entries) {}

    std::shared_ptr<const ZoneKeyEntry> lookup(std::string_view name, TimePoint now) const;
    // Returns the entry as stored (its TTL capped, bogus kept kBogusTtl).
    std::shared_ptr<const ZoneKeyEntry> store(std::string_view name, ZoneKeyEntry entry, std::uint32_t ttl,
                                              TimePoint now);
    std::size_t size() const;
    void erase(std::string_view name);
    void clear();

  private:
    struct Slot {
        std::shared_ptr<const ZoneKeyEntry> entry;
        std::list<std::string>::iterator age;
    };
    mutable std::mutex mutex_;
    std::size_t max_entries_;
    std::unordered_map<std::string, Slot> map_;
    std::list<std::string> order_;  // oldest first
};

}  // namespace lanlord
