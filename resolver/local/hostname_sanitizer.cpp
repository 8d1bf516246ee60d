#include "resolver/local/hostname_sanitizer.h"

#include "common/dns_name.h"

namespace lanlord {

std::optional<std::string> sanitize_hostname(std::string_view raw) {
    if (auto dot = raw.find('.'); dot != std::string_view::npos) raw = raw.substr(0, dot);
    std::string out;
    for (char c : raw) {
        auto u = static_cast<unsigned char>(c);
        if ((u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u == '-')
            out.push_back(c);
        else if (u >= 'A' && u <= 'Z')
            out.push_back(ascii_lower(u));
        else if (u == ' ' || u == '_')
            out.push_back('-');
    }
    std::size_t begin = out.find_first_not_of('-');
    if (begin == std::string::npos) return std::nullopt;
    out = out.substr(begin);
    if (out.size() > kMaxLabelLength) out.resize(kMaxLabelLength);
    while (!out.empty() && out.back() == '-') out.pop_back();
    if (out.empty()) return std::nullopt;
    return out;
}

}  // namespace lanlord
