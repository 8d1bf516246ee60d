// The engine's DNSSEC settings ([dnssec], README "DNSSEC") and the bogus
// cache.
//
// Which answers are validated: those of recursive groups (and of forwarding
// groups with `forwarding`: the upstream is asked with DO and CD, RFC 6840
// 5.9, and the DS/DNSKEY fetches go to the same group), unless the client
// set CD (RFC 4035 3.2.2: it validates itself; it gets the data without AD)
// or the name is at or below a negative trust anchor (RFC 7646: insecure by
// the operator's word). Local data, DHCP names, blocked names and private
// reverse zones are answered before any group is chosen, so they are never
// validated (they have no signatures to check).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/time.h"
#include "resolver/dnssec/aggressive_denial.h"
#include "resolver/dnssec/key_cache.h"
#include "resolver/dnssec/trust_anchors.h"
#include "resolver/dnssec/validation_result.h"

namespace lanlord {

// What every validation of one configuration shares (the engines of every
// thread hold the same anchors and key cache).
struct DnssecContext {
    std::shared_ptr<const TrustAnchors> anchors;
    std::shared_ptr<KeyCache> keys;
    ValidationLimits limits;
    unsigned max_fetches = 24;  // DS + DNSKEY fetches per client question (a 10-label name needs <= 20)
    // RFC 8198 ([dnssec] aggressive_nsec): denials proven by cached NSEC/NSEC3
    // records, recursive mode only; null: off.
    std::shared_ptr<AggressiveDenial> aggressive;
};

struct DnssecPolicy {
    std::shared_ptr<const DnssecContext> context;  // null: validation off
    bool recursive = true;                         // validate the recursive groups' answers
    bool forwarding = false;                       // ... and the forwarding groups' (DO+CD upstream)
    std::vector<std::string> negative_anchors;     // wire, lower-case
    // Seconds since 1970 for signature dates, from the edge (the daemon
    // gives the system clock, tests a fixed time); must be set when
    // validating.
    std::function<std::int64_t()> wall_clock;
    // Whether the wall clock is trusted now (clock_trust.h, judged by the
    // daemon); null: trusted.
    std::shared_ptr<const std::atomic<bool>> clock_trusted;

    bool enabled() const { return context != nullptr; }
    bool under_negative_anchor(std::string_view name) const;
    std::int64_t wall() const;
    bool clock_is_trusted() const { return !clock_trusted || clock_trusted->load(std::memory_order_relaxed); }
};

// Bogus answers given again for a while without asking anyone (unbound's
// val-bogus-ttl, 60 s): a broken zone is not asked, and its signatures not
// checked, once per client query. Bounded: at kMaxEntries the expired ones
// go, and if none had expired, everything (a flood of distinct bogus names
// only makes the cache forget sooner).
class BogusCache {
  public:
    static constexpr std::size_t kMaxEntries = 4096;
    struct Entry {
        TimePoint expires{};
        std::uint16_t ede = 0;
        std::string text;
    };
    void store(std::string_view key, Entry e, TimePoint now);
    const Entry* find(std::string_view key, TimePoint now) const;
    std::size_t size() const { return map_.size(); }

  private:
    std::unordered_map<std::string, Entry> map_;
};

}  // namespace lanlord
