// Names from /etc/hosts-format files (hosts(5)): "address name [aliases...]",
// '#' comments. Answers A, AAAA and the matching PTR; the first name on a line
// is the canonical one for reverse lookups.
//
// Parsing is hostile-input safe: a bad line is skipped with a warning naming
// the file and line, never fatal. The rest of the local names layer
// (configured records, address rules, the local domain) is local_zone.h.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/ip_address.h"

namespace lanlord {

class HostsTable {
  public:
    // Adds every valid line of `text`; returns warnings "source:line: why".
    std::vector<std::string> parse(std::string_view text, std::string_view source);
    void add(const std::string& wire_name, const IpAddress& address, bool canonical);

    // Addresses of a name (lower-case wire form); empty if unknown.
    const std::vector<IpAddress>* addresses(std::string_view wire_name) const;
    // Canonical name (wire) for a reverse name, or nullptr.
    const std::string* reverse(std::string_view wire_reverse_name) const;
    std::size_t size() const { return forward_.size(); }
    // Every (name, address) pair; `canonical` when the name is the address's PTR target.
    void for_each(const std::function<void(const std::string&, const IpAddress&, bool canonical)>& fn) const;

  private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    std::unordered_map<std::string, std::vector<IpAddress>, Hash, std::equal_to<>> forward_;
    std::unordered_map<std::string, std::string, Hash, std::equal_to<>> reverse_;
};

}  // namespace lanlord
