// Everything answered locally from configuration and files: hosts(5) names,
// configured records ([[local.record]]), address rules ([[local.address]],
// dnsmasq's address=/domain/ip) and the local domain itself.
//
// A LocalZone is built whole and then never changed: a reload builds a new one
// and swaps it in (shared_ptr), so lookups never wait for a reload and a
// half-loaded state is never visible.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/ip_address.h"
#include "resolver/local/hosts_table.h"

namespace lanlord {

struct LocalRecord {
    std::uint16_t type = 0;
    std::uint32_t ttl = 0;
    std::vector<std::uint8_t> rdata;  // names inside are uncompressed wire form
};

struct LocalLookup {
    enum class Kind : std::uint8_t {
        none,      // not local: go on to the cache and upstreams
        found,     // the name exists here: `records` (maybe none of the asked type: NODATA)
        nxdomain,  // inside the local domain but unknown: NXDOMAIN, never forwarded
    };
    Kind kind = Kind::none;
    const std::vector<LocalRecord>* stored = nullptr;  // records held by the zone
    std::vector<LocalRecord> synthesized;              // address rules answer here
    std::string_view zone;                             // SOA owner for negative answers

    // The records of the name (nullptr when there are none). Never a pointer
    // into this object from outside it: a LocalLookup is returned by value.
    const std::vector<LocalRecord>* records() const {
        return stored ? stored : synthesized.empty() ? nullptr : &synthesized;
    }
};

class LocalZone {
  public:
    LocalZone() = default;
    LocalZone(std::string domain_wire, bool expand_hosts, std::uint32_t ttl)
        : domain_(std::move(domain_wire)), expand_hosts_(expand_hosts), ttl_(ttl) {}

    void add_record(const std::string& name, LocalRecord record);
    // A or AAAA; `canonical` also adds the PTR (the first name of a hosts line).
    void add_address(const std::string& name, const IpAddress& address, bool canonical);
    void add_hosts(const HostsTable& hosts);
    void add_rule(const std::string& domain, std::vector<IpAddress> addresses);

    LocalLookup find(std::string_view qname) const;
    // True when the name is held by hosts or configuration (DHCP may not take it).
    bool holds(std::string_view qname) const;
    const std::string& domain() const { return domain_; }
    std::uint32_t ttl() const { return ttl_; }
    std::size_t size() const { return names_.size(); }

  private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    const std::vector<LocalRecord>* exact(std::string_view name) const;
    std::string domain_;
    bool expand_hosts_ = false;
    std::uint32_t ttl_ = 60;
    std::unordered_map<std::string, std::vector<LocalRecord>, Hash, std::equal_to<>> names_;
    std::unordered_map<std::string, std::vector<IpAddress>, Hash, std::equal_to<>> rules_;
};

}  // namespace lanlord
