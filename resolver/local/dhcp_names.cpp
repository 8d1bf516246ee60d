#include "resolver/local/dhcp_names.h"

#include "common/dns_name.h"
#include "resolver/local/hostname_sanitizer.h"
#include "resolver/local/reverse_name.h"

namespace lanlord {

namespace {
std::string label_wire(const std::string& label) {
    std::string w(1, static_cast<char>(label.size()));
    w += label;
    return w;
}
}  // namespace

void DhcpNames::erase_label(const std::string& label) {
    auto it = by_label_.find(label);
    if (it == by_label_.end()) return;
    by_reverse_.erase(reverse_name(it->second.address));
    by_owner_.erase(it->second.owner);
    by_label_.erase(it);
}

std::optional<std::string> DhcpNames::add(std::string_view hostname, const IpAddress& address,
                                          TimePoint expires, std::string_view owner) {
    auto label = sanitize_hostname(hostname);
    if (!label) return std::nullopt;
    std::unique_lock lock(mu_);
    if (zone_) {
        std::string bare = label_wire(*label) + '\0';
        std::string full = label_wire(*label) + zone_->domain();
        if (zone_->holds(bare) || (!zone_->domain().empty() && zone_->holds(full))) return std::nullopt;
    }
    // The owner's previous name goes; a previous holder of this name loses it.
    if (auto old = by_owner_.find(owner); old != by_owner_.end()) {
        std::string previous = old->second;
        erase_label(previous);
    }
    erase_label(*label);
    by_label_[*label] = Entry{address, expires, std::string(owner)};
    by_owner_[std::string(owner)] = *label;
    by_reverse_[reverse_name(address)] = *label;
    count_.store(by_label_.size(), std::memory_order_relaxed);
    return label;
}

void DhcpNames::remove(std::string_view owner) {
    std::unique_lock lock(mu_);
    auto it = by_owner_.find(owner);
    if (it == by_owner_.end()) return;
    std::string label = it->second;
    erase_label(label);
    count_.store(by_label_.size(), std::memory_order_relaxed);
}

std::optional<std::string_view> DhcpNames::label_of(std::string_view qname) const {
    if (qname.empty()) return std::nullopt;
    std::size_t first = static_cast<std::uint8_t>(qname[0]);
    if (first == 0 || first + 1 >= qname.size()) return std::nullopt;
    std::string_view rest = qname.substr(first + 1);
    bool bare = rest.size() == 1;
    bool in_domain = zone_ && !zone_->domain().empty() && rest == zone_->domain();
    if (!bare && !in_domain) return std::nullopt;
    return qname.substr(1, first);
}

std::optional<IpAddress> DhcpNames::address(std::string_view qname, TimePoint now) const {
    if (count_.load(std::memory_order_relaxed) == 0) return std::nullopt;
    std::shared_lock lock(mu_);
    auto label = label_of(qname);
    if (!label) return std::nullopt;
    auto it = by_label_.find(*label);
    if (it == by_label_.end() || now >= it->second.expires) return std::nullopt;
    return it->second.address;
}

std::optional<std::string> DhcpNames::reverse(std::string_view qname, TimePoint now) const {
    if (count_.load(std::memory_order_relaxed) == 0) return std::nullopt;
    std::shared_lock lock(mu_);
    auto it = by_reverse_.find(qname);
    if (it == by_reverse_.end()) return std::nullopt;
    auto entry = by_label_.find(it->second);
    if (entry == by_label_.end() || now >= entry->second.expires) return std::nullopt;
    return label_wire(it->second) +
           (zone_ && !zone_->domain().empty() ? zone_->domain() : std::string(1, '\0'));
}

}  // namespace lanlord
