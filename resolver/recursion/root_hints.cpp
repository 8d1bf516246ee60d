#include "resolver/recursion/root_hints.h"

#include <algorithm>
#include <cctype>

#include "common/dns_name.h"

namespace lanlord {

const RootHints& builtin_root_hints() {
    static const RootHints hints = [] {
        struct Row {
            const char *name, *v4, *v6;
        };
        static const Row rows[] = {
            {"a.root-servers.net.", "198.41.0.4", "2001:503:ba3e::2:30"},
            {"b.root-servers.net.", "170.247.170.2", "2801:1b8:10::b"},
            {"c.root-servers.net.", "192.33.4.12", "2001:500:2::c"},
            {"d.root-servers.net.", "199.7.91.13", "2001:500:2d::d"},
            {"e.root-servers.net.", "192.203.230.10", "2001:500:a8::e"},
            {"f.root-servers.net.", "192.5.5.241", "2001:500:2f::f"},
            {"g.root-servers.net.", "192.112.36.4", "2001:500:12::d0d"},
            {"h.root-servers.net.", "198.97.190.53", "2001:500:1::53"},
            {"i.root-servers.net.", "192.36.148.17", "2001:7fe::53"},
            {"j.root-servers.net.", "192.58.128.30", "2001:503:c27::2:30"},
            {"k.root-servers.net.", "193.0.14.129", "2001:7fd::1"},
            {"l.root-servers.net.", "199.7.83.42", "2001:500:9f::42"},
            {"m.root-servers.net.", "202.12.27.33", "2001:dc3::35"},
        };
        RootHints h;
        for (const Row& r : rows)
            h.servers.push_back(
                {*name_from_text(r.name), {*IpAddress::parse(r.v4), *IpAddress::parse(r.v6)}});
        return h;
    }();
    return hints;
}

namespace {
std::vector<std::string_view> fields(std::string_view line) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
        std::size_t start = i;
        while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) ++i;
        if (i > start) out.push_back(line.substr(start, i - start));
    }
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
}  // namespace

std::optional<RootHints> parse_root_hints(std::string_view text, RootHintsError& error) {
    RootHints hints;
    std::vector<std::pair<std::string, IpAddress>> addresses;
    unsigned line_no = 0;
    while (!text.empty()) {
        ++line_no;
        std::size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        if (auto semi = line.find(';'); semi != std::string_view::npos) line = line.substr(0, semi);
        auto f = fields(line);
        if (f.empty()) continue;
        // TTL and class, both optional, in either order (RFC 1035 section 5.1).
        std::size_t i = 1;
        bool ttl_seen = false, class_seen = false;
        while (i < f.size()) {
            if (!ttl_seen && all_digits(f[i]))
                ttl_seen = true;
            else if (!class_seen && iequals(f[i], "IN"))
                class_seen = true;
            else
                break;
            ++i;
        }
        if (i + 1 >= f.size()) {
            error = {line_no, "expected: owner [ttl] [IN] type data"};
            return std::nullopt;
        }
        auto owner = name_from_text(f[0]);
        if (!owner) {
            error = {line_no, "bad owner name '" + std::string(f[0]) + "'"};
            return std::nullopt;
        }
        std::string_view type = f[i], data = f[i + 1];
        bool wanted = iequals(type, "NS") || iequals(type, "A") || iequals(type, "AAAA");
        if (!wanted) continue;  // other records are ignored, however many data fields they have
        if (f.size() != i + 2) {
            error = {line_no, "expected: owner [ttl] [IN] " + std::string(type) + " data"};
            return std::nullopt;
        }
        if (iequals(type, "NS")) {
            if (*owner != std::string(1, '\0')) continue;  // only the root's NS set matters
            auto target = name_from_text(data);
            if (!target) {
                error = {line_no, "bad server name '" + std::string(data) + "'"};
                return std::nullopt;
            }
            if (std::none_of(hints.servers.begin(), hints.servers.end(),
                             [&](const RootServer& s) { return s.name == *target; }))
                hints.servers.push_back({*target, {}});
        } else if (iequals(type, "A") || iequals(type, "AAAA")) {
            auto addr = IpAddress::parse(data);
            if (!addr || addr->is_v4() != iequals(type, "A")) {
                error = {line_no, "bad " + std::string(type) + " address '" + std::string(data) + "'"};
                return std::nullopt;
            }
            addresses.emplace_back(*owner, *addr);
        }
    }
    for (const auto& [name, addr] : addresses)
        for (RootServer& s : hints.servers)
            if (s.name == name) s.addresses.push_back(addr);
    std::erase_if(hints.servers, [](const RootServer& s) { return s.addresses.empty(); });
    if (hints.servers.empty()) {
        error = {0, "no root server with an address (an NS record for \".\" and its A or AAAA)"};
        return std::nullopt;
    }
    return hints;
}

}  // namespace lanlord
