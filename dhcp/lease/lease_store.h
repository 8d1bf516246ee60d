// Leases of one server in memory, with the indexes the allocator needs:
// by address, by client, and the expired ones oldest first. Also the short
// in-memory holds: offers (nothing written, RFC 2131 4.3.1 "the server need
// not reserve the offered address" but it should not offer it twice) and
// declined addresses on probation (RFC 2131 3.1.5, 4.3.3).
//
// Pure data: times are passed in (wall-clock seconds), nothing touches disk;
// the server writes to the journal first and updates the store second.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/ip_address.h"
#include "dhcp/lease/lease.h"

namespace lanlord::dhcp {

struct AddressRange {
    IpAddress first, last;  // inclusive, IPv4
    bool contains(const IpAddress& a) const;
    std::uint32_t size() const { return last.v4_host_order() - first.v4_host_order() + 1; }
    friend bool operator==(const AddressRange&, const AddressRange&) = default;
};

class LeaseStore {
  public:
    void load(const std::map<IpAddress, Lease>& leases);

    // Grant or renew (after the journal has it).
    void put(const Lease& lease);
    void free(const IpAddress& address);

    const Lease* by_address(const IpAddress& a) const;
    const Lease* by_client(const std::vector<std::uint8_t>& client_id) const;
    // The address the client held last, also after it released it (RFC 2131
    // 4.3.1: offer a client its previous address when it is free).
    std::optional<IpAddress> previous_address(const std::vector<std::uint8_t>& client_id) const;
    const std::map<IpAddress, Lease>& all() const { return leases_; }

    // Offers: held in memory for `until`, for one client.
    void hold_offer(const IpAddress& a, const std::vector<std::uint8_t>& client_id, std::int64_t until);
    void drop_offer(const IpAddress& a);
    // Declined (another host answers there): not handed out until `until`.
    void decline(const IpAddress& a, std::int64_t until);

    // Whether `a` may go to `client` at `now`: not leased to another client
    // (an expired lease is free), not offered to another client, not on
    // probation, not reserved for someone else (checked by the caller).
    bool available_for(const IpAddress& a, const std::vector<std::uint8_t>& client_id,
                       std::int64_t now) const;

    // A free address of `range`: never-used addresses first, then expired
    // leases oldest first (RFC 2131 4.3.1 prefers the client's old address,
    // which the caller tries before this). `excluded` are reserved addresses.
    std::optional<IpAddress> allocate(const AddressRange& range, const std::vector<std::uint8_t>& client_id,
                                      std::int64_t now, const std::vector<IpAddress>& excluded) const;

    std::size_t active(const AddressRange& range, std::int64_t now) const;

  private:
    std::map<IpAddress, Lease> leases_;
    std::map<std::vector<std::uint8_t>, IpAddress> by_client_;
    struct Offer {
        std::vector<std::uint8_t> client_id;
        std::int64_t until;
    };
    std::map<IpAddress, Offer> offers_;
    std::map<IpAddress, std::int64_t> declined_;
    std::map<std::vector<std::uint8_t>, IpAddress> previous_;
    // Per range, where the last fresh address was found: the next search
    // starts there, so handing out a pool is linear overall, not quadratic.
    mutable std::map<std::uint32_t, std::uint32_t> cursors_;
};

}  // namespace lanlord::dhcp
