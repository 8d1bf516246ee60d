#include "resolver/recursion/address_policy.h"

#include <algorithm>
#include <initializer_list>

namespace lanlord {

namespace {
std::vector<Prefix> prefixes(std::initializer_list<const char*> texts) {
    std::vector<Prefix> out;
    for (const char* t : texts) out.push_back(*Prefix::parse(t));
    return out;
}

bool in_any(const IpAddress& a, const std::vector<Prefix>& list) {
    return std::any_of(list.begin(), list.end(), [&](const Prefix& p) { return p.contains(a); });
}

bool never(const IpAddress& a) {
    static const std::vector<Prefix> list =
        prefixes({"0.0.0.0/8", "224.0.0.0/4", "240.0.0.0/4", "169.254.0.0/16", "ff00::/8", "fe80::/10",
                  "::ffff:0:0/96", "::/96"});
    return a.is_unspecified() || in_any(a, list);
}

bool restricted(const IpAddress& a) {  // allowed only when listed
    static const std::vector<Prefix> list =
        prefixes({"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"});
    return a.is_loopback() || in_any(a, list);
}
}  // namespace

bool AddressPolicy::usable(const IpAddress& a) const {
    if (!a.is_v4() && !ipv6) return false;
    // ::1 lies in ::/96 but is loopback, which `allow` may admit; its
    // IPv4-mapped form ::ffff:127.x.x.x is_loopback() too, yet stays "never"
    // like every mapped address.
    bool plain_loopback = a.is_loopback() && a.unmapped() == a;
    if (never(a) && !plain_loopback) return false;
    if (std::find(own.begin(), own.end(), a) != own.end()) return false;
    if (restricted(a))
        return std::any_of(allow.begin(), allow.end(), [&](const Prefix& p) { return p.contains(a); });
    return true;
}

}  // namespace lanlord
