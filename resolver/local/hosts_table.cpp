#include "resolver/local/hosts_table.h"

#include <algorithm>

#include "common/dns_name.h"
#include "common/text.h"
#include "resolver/local/reverse_name.h"

namespace lanlord {

namespace {

bool valid_host_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
}

}  // namespace

void HostsTable::add(const std::string& wire_name, const IpAddress& address, bool canonical) {
    auto& list = forward_[wire_name];
    if (std::find(list.begin(), list.end(), address) == list.end()) list.push_back(address);
    if (canonical) reverse_.try_emplace(reverse_name(address), wire_name);
}

std::vector<std::string> HostsTable::parse(std::string_view text, std::string_view source) {
    std::vector<std::string> warnings;
    unsigned lineno = 0;
    auto warn = [&](const std::string& why) {
        warnings.push_back(std::string(source) + ":" + std::to_string(lineno) + ": " + why);
    };
    while (!text.empty()) {
        ++lineno;
        auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
        std::vector<std::string_view> fields = split_fields(line);
        if (fields.empty()) continue;
        auto address = IpAddress::parse(fields[0]);
        if (!address) {
            warn("bad address");
            continue;
        }
        if (fields.size() < 2) {
            warn("address without a name");
            continue;
        }
        bool first = true;
        for (std::size_t i = 1; i < fields.size(); ++i) {
            auto f = fields[i];
            if (!std::all_of(f.begin(), f.end(), valid_host_char)) {
                warn("bad name");
                continue;
            }
            auto wire = name_from_text(f);
            if (!wire || wire->size() <= 1) {
                warn("bad name");
                continue;
            }
            add(*wire, *address, first);
            first = false;
        }
    }
    return warnings;
}

void HostsTable::for_each(const std::function<void(const std::string&, const IpAddress&, bool)>& fn) const {
    for (const auto& [name, addresses] : forward_)
        for (const auto& a : addresses) {
            auto it = reverse_.find(reverse_name(a));
            fn(name, a, it != reverse_.end() && it->second == name);
        }
}

const std::vector<IpAddress>* HostsTable::addresses(std::string_view wire_name) const {
    auto it = forward_.find(wire_name);
    return it == forward_.end() ? nullptr : &it->second;
}

const std::string* HostsTable::reverse(std::string_view wire_reverse_name) const {
    auto it = reverse_.find(wire_reverse_name);
    return it == reverse_.end() ? nullptr : &it->second;
}

}  // namespace lanlord
