// Reads the host's interfaces and their addresses (getifaddrs).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/interface_info.h"

namespace lanlord::io {

// Null when getifaddrs failed (its netlink dump can run out of memory):
// not the same as a host without addresses.
std::optional<InterfaceTable> try_read_interfaces();
// Empty when getifaddrs failed.
InterfaceTable read_interfaces();
// Addresses on the named interface (no IPv6 link-local: they need a scope).
std::vector<IpAddress> interface_addresses(const InterfaceTable& table, const std::string& name);

}  // namespace lanlord::io
