#include "resolver/engine/access_control.h"

namespace lanlord {

const InterfaceInfo* find_interface(const InterfaceTable& table, unsigned ifindex) {
    for (const auto& i : table)
        if (i.index == ifindex) return &i;
    return nullptr;
}

bool AccessControl::allowed(const IpAddress& raw, unsigned ifindex, const InterfaceTable& interfaces) const {
    IpAddress client = raw.unmapped();
    for (const auto& p : deny_)
        if (p.contains(client)) return false;
    if (client.is_loopback()) return true;
    for (const auto& p : allow_)
        if (p.contains(client)) return true;
    if (const InterfaceInfo* i = find_interface(interfaces, ifindex))
        for (const auto& p : i->subnets)
            if (p.contains(client)) return true;
    return false;
}

}  // namespace lanlord
