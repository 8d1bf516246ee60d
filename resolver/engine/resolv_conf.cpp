#include "resolver/engine/resolv_conf.h"

namespace lanlord {

std::vector<Endpoint> parse_resolv_conf(std::string_view text) {
    std::vector<Endpoint> out;
    while (!text.empty()) {
        auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        auto skip_ws = [&] {
            while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
        };
        skip_ws();
        if (!line.starts_with("nameserver")) continue;
        line.remove_prefix(10);
        if (line.empty() || (line.front() != ' ' && line.front() != '\t')) continue;
        skip_ws();
        auto end = line.find_first_of(" \t\r#;");
        auto word = line.substr(0, end);
        if (word.find('%') != std::string_view::npos) continue;
        if (auto addr = IpAddress::parse(word)) {
            Endpoint ep{*addr, 53};
            bool dup = false;
            for (const auto& e : out) dup |= e == ep;
            if (!dup) out.push_back(ep);
        }
    }
    return out;
}

}  // namespace lanlord
