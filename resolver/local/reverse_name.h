// Reverse-lookup names (RFC 1035 3.5 in-addr.arpa, RFC 3596 2.5 ip6.arpa) in
// lower-case wire form.
#pragma once

#include <optional>
#include <string>

#include "common/ip_address.h"

namespace lanlord {

std::string reverse_name(const IpAddress& address);

}  // namespace lanlord
