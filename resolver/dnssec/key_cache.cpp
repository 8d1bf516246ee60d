#include "resolver/dnssec/key_cache.h"

#include <algorithm>

namespace lanlord {

std::shared_ptr<const ZoneKeyEntry> KeyCache::lookup(std::string_view name, TimePoint now) const {
    std::lock_guard lock(mutex_);
    auto it = map_.find(std::string(name));
    if (it == map_.end() || it->second.entry->expires <= now) return nullptr;
    return it->second.entry;
}

std::shared_ptr<const ZoneKeyEntry> KeyCache::store(std::string_view name, ZoneKeyEntry entry,
                                                    std::uint32_t ttl, TimePoint now) {
    ttl = std::min(ttl, kMaxTtl);
    if (entry.kind == ZoneKeyEntry::Kind::bogus) ttl = kBogusTtl;
    entry.expires = now + seconds(std::max<std::uint32_t>(ttl, 1));
    auto shared = std::make_shared<const ZoneKeyEntry>(std::move(entry));
    std::lock_guard lock(mutex_);
    std::string key(name);
    auto it = map_.find(key);
    if (it != map_.end()) {
        order_.erase(it->second.age);
        map_.erase(it);
    }
    while (max_entries_ > 0 && map_.size() >= max_entries_ && !order_.empty()) {
        map_.erase(order_.front());
        order_.pop_front();
    }
    order_.push_back(key);
    map_.emplace(std::move(key), Slot{shared, std::prev(order_.end())});
    return shared;
}

std::size_t KeyCache::size() const {
    std::lock_guard lock(mutex_);
    return map_.size();
}

void KeyCache::erase(std::string_view name) {
    std::lock_guard lock(mutex_);
    auto it = map_.find(std::string(name));
    if (it == map_.end()) return;
    order_.erase(it->second.age);
    map_.erase(it);
}

void KeyCache::clear() {
    std::lock_guard lock(mutex_);
    map_.clear();
    order_.clear();
}

}  // namespace lanlord
