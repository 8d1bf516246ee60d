// A network interface as the engines see it: index, name, and the subnets of
// its addresses. The I/O layer fills these in (getifaddrs); engines only read.
#pragma once

#include <string>
#include <vector>

#include "common/ip_address.h"

namespace lanlord {

struct InterfaceInfo {
    unsigned index = 0;
    std::string name;
    std::vector<Prefix> subnets;  // address with its prefix length
    friend bool operator==(const InterfaceInfo&, const InterfaceInfo&) = default;
};
using InterfaceTable = std::vector<InterfaceInfo>;

}  // namespace lanlord
