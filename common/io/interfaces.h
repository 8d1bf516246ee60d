// Reads the host's interfaces and their addresses (getifaddrs).
#pragma once

#include <string>
#include <vector>

#include "common/interface_info.h"

namespace lanlord::io {

InterfaceTable read_interfaces();
// Addresses on the named interface (no IPv6 link-local: they need a scope).
std::vector<IpAddress> interface_addresses(const InterfaceTable& table, const std::string& name);

}  // namespace lanlord::io
