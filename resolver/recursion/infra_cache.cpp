#include "resolver/recursion/infra_cache.h"

#include <algorithm>
#include <functional>

namespace lanlord {

namespace {
std::string lame_key(const IpAddress& a, std::string_view zone) {
    std::string k(reinterpret_cast<const char*>(a.bytes()), a.size());
    k.append(zone);
    return k;
}
// Drops the flags whose kFlagHold is over.
void expire_flags(ServerState& s, TimePoint no_edns_until, TimePoint no_0x20_until, TimePoint now) {
    if (no_edns_until <= now) s.no_edns = false;
    if (no_0x20_until <= now) s.no_0x20 = false;
}
}  // namespace

std::size_t InfraCache::AddressHash::operator()(const IpAddress& a) const {
    return std::hash<std::string_view>{}(
        std::string_view(reinterpret_cast<const char*>(a.bytes()), a.size()));
}

InfraCache::Entry& InfraCache::touch(const IpAddress& a, TimePoint now) {
    auto it = map_.find(a);
    if (it != map_.end()) {
        lru_.splice(lru_.begin(), lru_, it->second.lru);
        Entry& e = it->second;
        expire_flags(e.state, e.no_edns_until, e.no_0x20_until, now);
        return e;
    }
    if (map_.size() >= max_entries_ && !lru_.empty()) {
        map_.erase(lru_.back());
        lru_.pop_back();
    }
    lru_.push_front(a);
    Entry& e = map_[a];
    e.lru = lru_.begin();
    return e;
}

ServerState InfraCache::get(const IpAddress& a, TimePoint now) const {
    std::lock_guard lock(mutex_);
    auto it = map_.find(a);
    if (it == map_.end()) return {};
    ServerState s = it->second.state;
    expire_flags(s, it->second.no_edns_until, it->second.no_0x20_until, now);
    return s;
}

static Duration base_rto(const ServerState& s) {
    if (!s.measured) return InfraCache::kUnknownRtt;
    return std::clamp(s.srtt + 4 * s.rttvar, Duration(InfraCache::kMinRto), Duration(InfraCache::kMaxRto));
}

Duration InfraCache::rto(const IpAddress& a, TimePoint now) const {
    ServerState s = get(a, now);
    Duration r = base_rto(s);
    for (unsigned i = 0; i < s.timeouts_in_row && r < kMaxRto; ++i) r *= 2;
    return std::min(r, Duration(kMaxRto));
}

Duration InfraCache::expected(const IpAddress& a, TimePoint now) const {
    ServerState s = get(a, now);
    Duration d = s.measured ? s.srtt : kUnknownRtt;
    for (unsigned i = 0; i < s.timeouts_in_row && d < kMaxHold; ++i) d *= 2;
    return d;
}

bool InfraCache::held(const IpAddress& a, TimePoint now) const {
    std::lock_guard lock(mutex_);
    auto it = map_.find(a);
    return it != map_.end() && it->second.state.held_until > now;
}

void InfraCache::on_answer(const IpAddress& a, Duration rtt, TimePoint now) {
    std::lock_guard lock(mutex_);
    ServerState& s = touch(a, now).state;
    if (!s.measured) {
        s.srtt = rtt;
        s.rttvar = rtt / 2;  // RFC 6298 2.2
        s.measured = true;
    } else {
        Duration diff = s.srtt > rtt ? s.srtt - rtt : rtt - s.srtt;
        s.rttvar = (3 * s.rttvar + diff) / 4;
        s.srtt = (7 * s.srtt + rtt) / 8;
    }
    s.timeouts_in_row = 0;
    s.held_until = {};
    ++s.answers;
}

void InfraCache::on_timeout(const IpAddress& a, TimePoint now) {
    std::lock_guard lock(mutex_);
    ServerState& s = touch(a, now).state;
    ++s.timeouts;
    ++s.timeouts_in_row;
    if (s.timeouts_in_row >= kDeadAfter) {
        unsigned extra = std::min(s.timeouts_in_row - kDeadAfter, 7u);
        s.held_until = now + std::min(Duration(seconds(1)) * (1u << extra), Duration(kMaxHold));
    }
}

void InfraCache::on_failure(const IpAddress& a, TimePoint now) {
    std::lock_guard lock(mutex_);
    ++touch(a, now).state.failures;
}

void InfraCache::set_no_edns(const IpAddress& a, TimePoint now) {
    std::lock_guard lock(mutex_);
    Entry& e = touch(a, now);
    e.state.no_edns = true;
    e.no_edns_until = now + kFlagHold;
}

void InfraCache::set_no_0x20(const IpAddress& a, TimePoint now) {
    std::lock_guard lock(mutex_);
    Entry& e = touch(a, now);
    e.state.no_0x20 = true;
    e.no_0x20_until = now + kFlagHold;
}

void InfraCache::mark_lame(const IpAddress& a, std::string_view zone, TimePoint now) {
    std::lock_guard lock(mutex_);
    if (lame_.size() >= max_entries_) std::erase_if(lame_, [&](const auto& kv) { return kv.second <= now; });
    if (lame_.size() >= max_entries_) lame_.clear();  // all live: start over rather than grow
    lame_[lame_key(a, zone)] = now + kLameHold;
}

bool InfraCache::lame(const IpAddress& a, std::string_view zone, TimePoint now) const {
    std::lock_guard lock(mutex_);
    if (lame_.empty()) return false;
    auto it = lame_.find(lame_key(a, zone));
    return it != lame_.end() && it->second > now;
}

std::vector<ServerReport> InfraCache::report() const {
    std::lock_guard lock(mutex_);
    std::vector<ServerReport> out;
    out.reserve(map_.size());
    for (const auto& [addr, e] : map_) out.push_back({addr, e.state});
    return out;
}

std::size_t InfraCache::size() const {
    std::lock_guard lock(mutex_);
    return map_.size();
}

void InfraCache::clear() {
    std::lock_guard lock(mutex_);
    map_.clear();
    lru_.clear();
    lame_.clear();
}

}  // namespace lanlord
