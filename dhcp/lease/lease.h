// A DHCP lease as the server stores it. Times are wall-clock seconds since the
// epoch: a lease must mean the same after a reboot, which a monotonic clock
// cannot give. (The engine converts once, at its edge.)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/ip_address.h"

namespace lanlord::dhcp {

struct Lease {
    IpAddress address;
    std::vector<std::uint8_t> client_id;  // option 61, else htype followed by chaddr
    std::vector<std::uint8_t> hardware;   // chaddr (hlen bytes)
    std::string hostname;                 // sanitized; may be empty
    std::int64_t expires = 0;             // unix seconds

    friend bool operator==(const Lease&, const Lease&) = default;
};

}  // namespace lanlord::dhcp
