// Names of DHCP clients: what the DHCP server learns (option 12 / 81) becomes
// `name.<local domain>` with A and PTR records for as long as the lease lives.
//
// LocalNames is the interface the DHCP side feeds (through the daemon's
// bridge, so resolver/ and dhcp/ never include each other). Policy:
// - names are sanitized to one RFC 1123 label;
// - a name that hosts files or configured records hold is never taken;
// - two clients claiming one name: the newest lease wins and the older client
//   loses the name (dnsmasq does the same);
// - one owner (a client) has at most one name; a new name replaces its old one;
// - static reservations are added with no expiry, before the client appears.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/ip_address.h"
#include "common/time.h"
#include "resolver/local/local_zone.h"

namespace lanlord {

class LocalNames {
  public:
    virtual ~LocalNames() = default;
    // Publishes `hostname` for `owner` (a client id, e.g. its MAC) until
    // `expires`. Returns the label published, or nullopt when refused.
    virtual std::optional<std::string> add(std::string_view hostname, const IpAddress& address,
                                           TimePoint expires, std::string_view owner) = 0;
    // The owner's lease ended (release, expiry, decline): its name goes.
    virtual void remove(std::string_view owner) = 0;
};

// Thread-safe: the DHCP side writes, every DNS thread reads. Readers skip the
// lock entirely while no name is published (the common case without DHCP).
class DhcpNames : public LocalNames {
  public:
    // The zone decides which names are taken by static data, and the domain.
    void set_zone(std::shared_ptr<const LocalZone> zone) {
        std::unique_lock lock(mu_);
        zone_ = std::move(zone);
    }

    std::optional<std::string> add(std::string_view hostname, const IpAddress& address, TimePoint expires,
                                   std::string_view owner) override;
    void remove(std::string_view owner) override;

    // `qname` (wire) is "label.<domain>" or the bare label of a live entry.
    std::optional<IpAddress> address(std::string_view qname, TimePoint now) const;
    // Target name (wire, in the local domain) of a reverse name.
    std::optional<std::string> reverse(std::string_view qname, TimePoint now) const;
    std::size_t size() const { return count_.load(std::memory_order_relaxed); }

  private:
    struct Entry {
        IpAddress address;
        TimePoint expires;
        std::string owner;
    };
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    std::optional<std::string_view> label_of(std::string_view qname) const;
    void erase_label(const std::string& label);

    mutable std::shared_mutex mu_;
    std::atomic<std::size_t> count_{0};
    std::shared_ptr<const LocalZone> zone_;
    std::unordered_map<std::string, Entry, Hash, std::equal_to<>> by_label_;  // label (text)
    std::unordered_map<std::string, std::string, Hash, std::equal_to<>> by_owner_;
    std::unordered_map<std::string, std::string, Hash, std::equal_to<>> by_reverse_;  // reverse wire -> label
};

}  // namespace lanlord
