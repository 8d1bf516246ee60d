// Whether this host can reach the IPv6 Internet, for [recursion] ipv6 =
// "auto": connect() of a UDP socket only consults the routing table (no
// packet leaves), so a host without a global IPv6 address or default route
// gets ENETUNREACH at once, and the iterator then never waits for IPv6
// servers it cannot reach.
#pragma once

namespace lanlord::io {

bool ipv6_routable();

}  // namespace lanlord::io
