// Reads the "nameserver" lines of a resolv.conf(5)-format file: how a DHCP
// client on an uplink (or systemd-resolved, or a VPN) hands over its DNS
// servers. Other lines are ignored; addresses with a %scope are skipped
// (link-local servers need an interface we would have to guess).
#pragma once

#include <string_view>
#include <vector>

#include "common/ip_address.h"

namespace lanlord {

std::vector<Endpoint> parse_resolv_conf(std::string_view text);

}  // namespace lanlord
