#include "resolver/engine/dnssec_policy.h"

#include "common/dns_name.h"

namespace lanlord {

bool DnssecPolicy::under_negative_anchor(std::string_view name) const {
    for (const std::string& a : negative_anchors)
        if (name_is_under(name, a)) return true;
    return false;
}

std::int64_t DnssecPolicy::wall() const {
    return wall_clock ? wall_clock() : 0;  // 0: every signature "not yet valid", never a silent pass
}

void BogusCache::store(std::string_view key, Entry e, TimePoint now) {
    if (map_.size() >= kMaxEntries) {
        std::erase_if(map_, [&](const auto& kv) { return kv.second.expires <= now; });
        if (map_.size() >= kMaxEntries) map_.clear();
    }
    map_[std::string(key)] = std::move(e);
}

const BogusCache::Entry* BogusCache::find(std::string_view key, TimePoint now) const {
    auto it = map_.find(std::string(key));
    if (it == map_.end() || it->second.expires <= now) return nullptr;
    return &it->second;
}

}  // namespace lanlord
