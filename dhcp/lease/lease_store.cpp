#include "dhcp/lease/lease_store.h"

#include <algorithm>

namespace lanlord::dhcp {

bool AddressRange::contains(const IpAddress& a) const {
    if (!a.is_v4()) return false;
    std::uint32_t v = a.v4_host_order();
    return v >= first.v4_host_order() && v <= last.v4_host_order();
}

void LeaseStore::load(const std::map<IpAddress, Lease>& leases) {
    leases_.clear();
    by_client_.clear();
    for (const auto& [a, l] : leases) put(l);
}

void LeaseStore::put(const Lease& lease) {
    if (auto old = leases_.find(lease.address); old != leases_.end()) {
        auto c = by_client_.find(old->second.client_id);
        if (c != by_client_.end() && c->second == lease.address) by_client_.erase(c);
    }
    // One lease per client: its previous address (if another) is freed.
    if (auto prev = by_client_.find(lease.client_id);
        prev != by_client_.end() && prev->second != lease.address)
        leases_.erase(prev->second);
    leases_[lease.address] = lease;
    by_client_[lease.client_id] = lease.address;
    offers_.erase(lease.address);
}

void LeaseStore::free(const IpAddress& address) {
    auto it = leases_.find(address);
    if (it == leases_.end()) return;
    auto c = by_client_.find(it->second.client_id);
    if (c != by_client_.end() && c->second == address) by_client_.erase(c);
    if (previous_.size() < 100000) previous_[it->second.client_id] = address;  // bounded memory
    leases_.erase(it);
}

std::optional<IpAddress> LeaseStore::previous_address(const std::vector<std::uint8_t>& client_id) const {
    auto it = previous_.find(client_id);
    if (it == previous_.end()) return std::nullopt;
    return it->second;
}

const Lease* LeaseStore::by_address(const IpAddress& a) const {
    auto it = leases_.find(a);
    return it == leases_.end() ? nullptr : &it->second;
}

const Lease* LeaseStore::by_client(const std::vector<std::uint8_t>& client_id) const {
    auto it = by_client_.find(client_id);
    return it == by_client_.end() ? nullptr : by_address(it->second);
}

void LeaseStore::hold_offer(const IpAddress& a, const std::vector<std::uint8_t>& client_id,
                            std::int64_t until) {
    offers_[a] = Offer{client_id, until};
}

void LeaseStore::drop_offer(const IpAddress& a) {
    offers_.erase(a);
}

void LeaseStore::decline(const IpAddress& a, std::int64_t until) {
    free(a);
    declined_[a] = until;
}

bool LeaseStore::available_for(const IpAddress& a, const std::vector<std::uint8_t>& client_id,
                               std::int64_t now) const {
    if (auto d = declined_.find(a); d != declined_.end() && now < d->second) return false;
    if (auto o = offers_.find(a);
        o != offers_.end() && now < o->second.until && o->second.client_id != client_id)
        return false;
    if (const Lease* l = by_address(a); l && l->client_id != client_id && now < l->expires) return false;
    return true;
}

std::optional<IpAddress> LeaseStore::allocate(const AddressRange& range,
                                              const std::vector<std::uint8_t>& client_id, std::int64_t now,
                                              const std::vector<IpAddress>& excluded) const {
    auto usable = [&](const IpAddress& a) {
        return std::find(excluded.begin(), excluded.end(), a) == excluded.end() &&
               available_for(a, client_id, now);
    };
    // Fresh addresses first (an expired lease's owner may come back for it),
    // searched from where the last one was found.
    std::uint32_t first = range.first.v4_host_order(), last = range.last.v4_host_order();
    std::uint32_t& cursor = cursors_[first];
    if (cursor < first || cursor > last) cursor = first;
    for (std::uint32_t v = cursor;; ++v) {
        IpAddress a = IpAddress::v4(v);
        if (!by_address(a) && usable(a)) {
            cursor = v;
            return a;
        }
        if (v == last) break;
    }
    // The fresh part is used up: any free address (released ones), else the
    // expired lease that ended longest ago.
    std::optional<IpAddress> oldest_expired;
    std::int64_t oldest = 0;
    for (std::uint32_t v = first;; ++v) {
        IpAddress a = IpAddress::v4(v);
        const Lease* l = by_address(a);
        if (!l) {
            if (usable(a)) {
                cursor = v;
                return a;
            }
        } else if (l->expires <= now && usable(a) && (!oldest_expired || l->expires < oldest)) {
            oldest_expired = a;
            oldest = l->expires;
        }
        if (v == last) break;
    }
    return oldest_expired;
}

std::size_t LeaseStore::active(const AddressRange& range, std::int64_t now) const {
    std::size_t n = 0;
    for (auto it = leases_.lower_bound(range.first); it != leases_.end() && range.contains(it->first); ++it)
        if (it->second.expires > now) ++n;
    return n;
}

}  // namespace lanlord::dhcp
