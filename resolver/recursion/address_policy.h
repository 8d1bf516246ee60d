// Which addresses learned from delegations the iterator may send queries to.
// A delegation is data from the network: an attacker's zone can name any
// address as its server, and the resolver would then send queries from
// inside the LAN's trust boundary (to the router's own admin ports, to
// loopback services, to multicast groups).
//
// Never: unspecified (0.0.0.0/8, ::), loopback (127/8, ::1), multicast
// (224/4, ff00::/8), limited broadcast, link-local (169.254/16, fe80::/10),
// IPv4-mapped IPv6 (::ffff:0:0/96, a way around the IPv4 rules), and
// lanlord's own listening addresses (a delegation back to ourselves is a
// loop).
// Only when listed in `allow` ([recursion] allow_private): the private ranges
// 10/8, 172.16/12, 192.168/16, 100.64/10 (CGNAT) and fc00::/7 (ULA), so a LAN
// whose own authoritative server has a private address can still be
// reached, while public zones cannot point the resolver into the LAN (the
// DNS-rebinding family of attacks). An explicit `allow` prefix also admits
// loopback (tests, a local authoritative server on 127.0.0.x), never the
// rest of the "never" list.
// IPv6 addresses only when `ipv6` is on.
#pragma once

#include <vector>

#include "common/ip_address.h"

namespace lanlord {

struct AddressPolicy {
    std::vector<Prefix> allow;
    std::vector<IpAddress> own;
    bool ipv6 = false;

    bool usable(const IpAddress& a) const;
    friend bool operator==(const AddressPolicy&, const AddressPolicy&) = default;
};

}  // namespace lanlord
