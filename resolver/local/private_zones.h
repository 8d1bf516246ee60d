// Reverse zones that must never be asked of the public DNS: RFC 1918 private
// space, RFC 6303's locally served zones (loopback, link-local, documentation
// ranges, ULA, ...) and RFC 6598 shared address space. Answered NXDOMAIN
// locally unless an upstream group routes them explicitly (dnsmasq's
// bogus-priv).
#pragma once

#include <optional>
#include <string_view>

namespace lanlord {

// The zone (wire form) containing `qname`, or nullopt if it is not private.
std::optional<std::string_view> private_reverse_zone(std::string_view qname);

}  // namespace lanlord
