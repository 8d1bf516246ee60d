#include "resolver/dnssec/canonical_name.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#include "common/dns_name.h"

namespace lanlord {

namespace {

// Offsets of the labels of `name` (left to right), not counting the root.
// A wire name of 255 bytes has at most 127 labels.
unsigned label_offsets(std::string_view name, std::array<std::uint8_t, 128>& out) {
    unsigned n = 0;
    std::size_t pos = 0;
    while (pos < name.size() && n < out.size()) {
        auto len = static_cast<std::uint8_t>(name[pos]);
        if (len == 0) break;
        out[n++] = static_cast<std::uint8_t>(pos);
        pos += 1 + len;
    }
    return n;
}

int compare_labels(std::string_view a, std::size_t pa, std::string_view b, std::size_t pb) {
    std::size_t la = static_cast<std::uint8_t>(a[pa]);
    std::size_t lb = static_cast<std::uint8_t>(b[pb]);
    std::size_t common = std::min({la, lb, a.size() - pa - 1, b.size() - pb - 1});
    int c = common == 0 ? 0 : std::memcmp(a.data() + pa + 1, b.data() + pb + 1, common);
    if (c != 0) return c;
    return la < lb ? -1 : (la > lb ? 1 : 0);
}

}  // namespace

int canonical_compare(std::string_view a, std::string_view b) {
    std::array<std::uint8_t, 128> oa{}, ob{};
    unsigned na = label_offsets(a, oa);
    unsigned nb = label_offsets(b, ob);
    for (unsigned i = 1; i <= na && i <= nb; ++i) {
        int c = compare_labels(a, oa[na - i], b, ob[nb - i]);
        if (c != 0) return c;
    }
    return na < nb ? -1 : (na > nb ? 1 : 0);
}

std::string_view name_parent(std::string_view name) {
    if (name.empty() || name[0] == 0) return name;
    std::size_t skip = 1 + static_cast<std::uint8_t>(name[0]);
    return skip < name.size() ? name.substr(skip) : name.substr(name.size() - 1);
}

std::string_view name_suffix_labels(std::string_view name, unsigned labels) {
    unsigned total = name_label_count(name);
    while (total > labels) {
        name = name_parent(name);
        --total;
    }
    return name;
}

std::string_view common_ancestor(std::string_view a, std::string_view b) {
    unsigned na = name_label_count(a), nb = name_label_count(b);
    while (na > nb) a = name_parent(a), --na;
    while (nb > na) b = name_parent(b), --nb;
    while (a != b && na > 0) a = name_parent(a), b = name_parent(b), --na;
    return a;
}

std::string_view wildcard_name(std::string_view name, WildcardBuffer& buf) {
    if (name.size() + 2 > kMaxNameLength) return {};
    buf[0] = 1;
    buf[1] = '*';
    std::copy(name.begin(), name.end(), buf.begin() + 2);
    return {buf.data(), name.size() + 2};
}

bool is_wildcard_name(std::string_view name) {
    return name.size() >= 2 && name[0] == 1 && name[1] == '*';
}

}  // namespace lanlord
