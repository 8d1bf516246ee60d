#include "resolver/local/reverse_name.h"

namespace lanlord {

std::string reverse_name(const IpAddress& a) {
    std::string wire;
    auto label = [&](std::string_view text) {
        wire.push_back(static_cast<char>(text.size()));
        wire.append(text);
    };
    if (a.is_v4()) {
        for (int i = 3; i >= 0; --i) label(std::to_string(a.bytes()[i]));
        label("in-addr");
    } else {
        static const char hex[] = "0123456789abcdef";
        for (int i = 15; i >= 0; --i) {
            char lo[1] = {hex[a.bytes()[i] & 0x0f]}, hi[1] = {hex[a.bytes()[i] >> 4]};
            label({lo, 1});
            label({hi, 1});
        }
        label("ip6");
    }
    label("arpa");
    wire.push_back('\0');
    return wire;
}

}  // namespace lanlord
