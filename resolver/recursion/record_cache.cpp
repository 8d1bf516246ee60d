#include "resolver/recursion/record_cache.h"

#include "common/dns_name.h"

#include <algorithm>
#include <cstring>
#include <functional>

namespace lanlord {

namespace {
// Bookkeeping per entry beyond its key and RDATA: the map node, the list node,
// the entry's fields (measured roughly with a counting allocator).
constexpr std::size_t kEntryOverhead = 160;

std::string make_key(std::string_view name, std::uint16_t type) {
    std::string key;
    key.reserve(name.size() + 2);
    key.append(name);
    key.push_back(static_cast<char>(type >> 8));
    key.push_back(static_cast<char>(type & 0xFF));
    return key;
}

// The key of (name, type) in a caller's buffer: lookups allocate nothing
// (the map's hash and equality are transparent).
struct KeyBuffer {
    char bytes[kMaxNameLength + 2];
    std::size_t size = 0;
    KeyBuffer(std::string_view name, std::uint16_t type) {
        size = std::min(name.size(), kMaxNameLength);
        std::memcpy(bytes, name.data(), size);
        bytes[size++] = static_cast<char>(type >> 8);
        bytes[size++] = static_cast<char>(type & 0xFF);
    }
    std::string_view view() const { return {bytes, size}; }
};

struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view k) const { return std::hash<std::string_view>{}(k); }
};

std::uint32_t sane_ttl(std::uint32_t ttl) {
    if (ttl & 0x80000000u) return 0;  // RFC 2181 section 8
    return std::min(ttl, RecordCache::kMaxTtl);
}
}  // namespace

struct RecordCache::Shard {
    struct Node {
        CachedEntry entry;
        TimePoint expires{};
        TimePoint stored{};
        std::list<std::string>::iterator lru;
    };
    mutable std::mutex mutex;
    std::unordered_map<std::string, Node, KeyHash, std::equal_to<>> map;
    std::list<std::string> lru;  // front: most recently stored or used
    std::size_t bytes = 0;
    RecordCacheStats counters;

    static std::size_t cost(const std::string& key, const CachedEntry& e) {
        return kEntryOverhead + 2 * key.size() + e.rdata.size() + e.soa_owner.size();
    }
};

RecordCache::RecordCache(std::size_t max_bytes, unsigned shards) : max_bytes_(max_bytes) {
    unsigned n = 1;
    while (n < shards) n <<= 1;
    for (unsigned i = 0; i < n; ++i) shards_.push_back(std::make_unique<Shard>());
}

RecordCache::~RecordCache() = default;

RecordCache::Shard& RecordCache::shard_for(std::string_view key) const {
    return *shards_[std::hash<std::string_view>{}(key) & (shards_.size() - 1)];
}

bool RecordCache::store(std::string_view name, std::uint16_t type, CachedEntry entry, TimePoint expires,
                        TimePoint now) {
    std::string key = make_key(name, type);
    Shard& s = shard_for(key);
    std::lock_guard lock(s.mutex);
    auto it = s.map.find(key);
    if (it != s.map.end()) {
        Shard::Node& old = it->second;
        bool live = old.expires > now;
        if (live && old.entry.trust > entry.trust) {
            ++s.counters.rejected_rank;
            return false;
        }
        // The ghost-domain rule: a live delegation is never extended.
        if (live && type == 2 /* NS */ && old.entry.kind == EntryKind::rrset &&
            entry.kind == EntryKind::rrset)
            expires = std::min(expires, old.expires);
        s.bytes -= Shard::cost(it->first, old.entry);
        old.entry = std::move(entry);
        old.expires = expires;
        old.stored = now;
        s.bytes += Shard::cost(it->first, old.entry);
        s.lru.splice(s.lru.begin(), s.lru, old.lru);
    } else {
        s.lru.push_front(key);
        Shard::Node node{std::move(entry), expires, now, s.lru.begin()};
        s.bytes += Shard::cost(key, node.entry);
        s.map.emplace(std::move(key), std::move(node));
    }
    ++s.counters.inserts;
    std::size_t budget = max_bytes_ / shards_.size();
    while (s.bytes > budget && s.lru.size() > 1) {
        auto victim = s.map.find(s.lru.back());
        s.bytes -= Shard::cost(victim->first, victim->second.entry);
        s.map.erase(victim);
        s.lru.pop_back();
        ++s.counters.evictions;
    }
    return true;
}

bool RecordCache::store_rrset(std::string_view owner, std::uint16_t type, std::uint32_t ttl, Trust trust,
                              std::span<const std::uint8_t> rdata_blob, std::uint16_t count, TimePoint now) {
    ttl = sane_ttl(ttl);
    if (count == 0) return false;
    if (type == 39 /* DNAME */) dnames_.fetch_add(1, std::memory_order_relaxed);
    CachedEntry e;
    e.kind = EntryKind::rrset;
    e.trust = trust;
    e.ttl = ttl;
    e.count = count;
    e.rdata.assign(rdata_blob.begin(), rdata_blob.end());
    return store(owner, type, std::move(e), now + seconds(std::max(ttl, 1u)), now);
}

bool RecordCache::store_negative(std::string_view name, std::uint16_t type, bool nxdomain, std::uint32_t ttl,
                                 Trust trust, std::string_view soa_owner,
                                 std::span<const std::uint8_t> soa_rdata, TimePoint now) {
    ttl = sane_ttl(ttl);
    CachedEntry e;
    e.kind = nxdomain ? EntryKind::nxdomain : EntryKind::nodata;
    e.trust = trust;
    e.ttl = ttl;
    e.soa_ttl = ttl;
    e.rdata.assign(soa_rdata.begin(), soa_rdata.end());
    e.soa_owner.assign(soa_owner);
    return store(name, nxdomain ? kNxdomainType : type, std::move(e), now + seconds(std::max(ttl, 1u)), now);
}

bool RecordCache::lookup(std::string_view name, std::uint16_t type, TimePoint now, CachedEntry& out) const {
    KeyBuffer key(name, type);
    Shard& s = shard_for(key.view());
    std::lock_guard lock(s.mutex);
    auto it = s.map.find(key.view());
    if (it == s.map.end() || it->second.expires <= now) return false;
    const Shard::Node& n = it->second;
    out = n.entry;
    // Aged by the whole seconds spent here (as the answer cache does), and
    // never past the expiry (the ghost-domain rule may have brought it in).
    auto spent = std::chrono::duration_cast<seconds>(now - n.stored).count();
    // Whole seconds to the expiry, rounded up: an entry stored at a fraction
    // of a second ages like the others, one capped on a whole second (the
    // ghost-domain rule) does not outlive its expiry by one.
    auto left = std::chrono::duration_cast<seconds>(n.expires - now + seconds(1) - Duration(1)).count();
    long long ttl = std::min<long long>(static_cast<long long>(n.entry.ttl) - spent, left);
    out.ttl = static_cast<std::uint32_t>(std::max<long long>(ttl, 0));
    out.soa_ttl = std::min(out.soa_ttl, out.ttl);
    s.lru.splice(s.lru.begin(), s.lru, n.lru);
    return true;
}

bool RecordCache::lookup_negative(std::string_view name, std::uint16_t type, TimePoint now,
                                  CachedEntry& out) const {
    std::string_view n = name;
    while (true) {
        if (lookup(n, kNxdomainType, now, out) && out.kind == EntryKind::nxdomain) return true;
        if (n.size() <= 1) break;
        n.remove_prefix(static_cast<std::size_t>(static_cast<std::uint8_t>(n[0])) + 1);
    }
    return lookup(name, type, now, out) && out.kind == EntryKind::nodata;
}

void RecordCache::clear() {
    for (auto& s : shards_) {
        std::lock_guard lock(s->mutex);
        s->map.clear();
        s->lru.clear();
        s->bytes = 0;
    }
}

RecordCacheStats RecordCache::stats() const {
    RecordCacheStats total;
    for (const auto& s : shards_) {
        std::lock_guard lock(s->mutex);
        total.entries += s->map.size();
        total.bytes += s->bytes;
        total.inserts += s->counters.inserts;
        total.rejected_rank += s->counters.rejected_rank;
        total.evictions += s->counters.evictions;
    }
    return total;
}

void append_blob_record(std::vector<std::uint8_t>& blob, std::span<const std::uint8_t> rdata) {
    blob.push_back(static_cast<std::uint8_t>(rdata.size() >> 8));
    blob.push_back(static_cast<std::uint8_t>(rdata.size()));
    blob.insert(blob.end(), rdata.begin(), rdata.end());
}

}  // namespace lanlord
