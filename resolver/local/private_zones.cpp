#include "resolver/local/private_zones.h"

#include <string>
#include <vector>

#include "common/dns_name.h"

namespace lanlord {

namespace {

std::vector<std::string> build_zones() {
    std::vector<std::string> texts = {
        "10.in-addr.arpa",
        "168.192.in-addr.arpa",
        "0.in-addr.arpa",
        "127.in-addr.arpa",
        "254.169.in-addr.arpa",
        "2.0.192.in-addr.arpa",
        "100.51.198.in-addr.arpa",
        "113.0.203.in-addr.arpa",
        "255.255.255.255.in-addr.arpa",
        "d.f.ip6.arpa",
        "c.f.ip6.arpa",
        "8.e.f.ip6.arpa",
        "9.e.f.ip6.arpa",
        "a.e.f.ip6.arpa",
        "b.e.f.ip6.arpa",
        "8.b.d.0.1.0.0.2.ip6.arpa",
        "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa",
        "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa"};
    for (int i = 16; i <= 31; ++i) texts.push_back(std::to_string(i) + ".172.in-addr.arpa");
    for (int i = 64; i <= 127; ++i) texts.push_back(std::to_string(i) + ".100.in-addr.arpa");
    std::vector<std::string> wire;
    wire.reserve(texts.size());
    for (const auto& t : texts) wire.push_back(*name_from_text(t));
    return wire;
}

}  // namespace

std::optional<std::string_view> private_reverse_zone(std::string_view qname) {
    // Every zone here is under arpa.: other names (nearly all queries) leave at once.
    static constexpr std::string_view kArpa{
        "\x04"
        "arpa\0",
        6};
    if (!qname.ends_with(kArpa)) return std::nullopt;
    static const std::vector<std::string> zones = build_zones();
    for (const auto& z : zones)
        if (name_is_under(qname, z)) return std::string_view(z);
    return std::nullopt;
}

}  // namespace lanlord
