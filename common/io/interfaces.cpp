#include "common/io/interfaces.h"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <bit>
#include <cstring>

namespace lanlord::io {

namespace {
unsigned prefix_length(const sockaddr* mask) {
    if (!mask) return 0;
    const std::uint8_t* b;
    std::size_t n;
    if (mask->sa_family == AF_INET) {
        b = reinterpret_cast<const std::uint8_t*>(&reinterpret_cast<const sockaddr_in*>(mask)->sin_addr);
        n = 4;
    } else {
        b = reinterpret_cast<const sockaddr_in6*>(mask)->sin6_addr.s6_addr;
        n = 16;
    }
    unsigned len = 0;
    for (std::size_t i = 0; i < n; ++i) len += static_cast<unsigned>(std::popcount(b[i]));
    return len;
}
}  // namespace

std::optional<InterfaceTable> try_read_interfaces() {
    InterfaceTable table;
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) != 0) return std::nullopt;
    for (ifaddrs* i = list; i; i = i->ifa_next) {
        if (!i->ifa_addr || (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6))
            continue;
        // getifaddrs gives names, not indexes: one if_nametoindex (a socket
        // and an ioctl) per name, not per address. An IPv4 label ("eth0:1")
        // has its device's index and joins that entry.
        InterfaceInfo* info = nullptr;
        for (auto& t : table)
            if (t.name == i->ifa_name) info = &t;
        if (!info) {
            unsigned index = if_nametoindex(i->ifa_name);
            for (auto& t : table)
                if (t.index == index) info = &t;
            if (!info) {
                table.push_back({index, i->ifa_name, {}});
                info = &table.back();
            }
        }
        Endpoint ep = Endpoint::from_sockaddr(i->ifa_addr);
        unsigned len = prefix_length(i->ifa_netmask);
        info->subnets.push_back({ep.address, static_cast<std::uint8_t>(len)});
    }
    freeifaddrs(list);
    return table;
}

InterfaceTable read_interfaces() {
    return try_read_interfaces().value_or(InterfaceTable{});
}

std::vector<IpAddress> interface_addresses(const InterfaceTable& table, const std::string& name) {
    std::vector<IpAddress> out;
    for (const auto& i : table) {
        if (i.name != name) continue;
        for (const auto& p : i.subnets) {
            const std::uint8_t* b = p.address.bytes();
            if (!p.address.is_v4() && b[0] == 0xfe && (b[1] & 0xc0) == 0x80) continue;
            out.push_back(p.address);
        }
    }
    return out;
}

}  // namespace lanlord::io
