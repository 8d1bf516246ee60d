// What the DHCPv4 server is told (built from [[dhcp.subnet]] by config/ and
// the daemon): plain values, no TOML, no sockets.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/ip_address.h"
#include "dhcp/lease/lease_store.h"

namespace lanlord::dhcp {

struct OptionValue {
    std::uint8_t code = 0;
    std::vector<std::uint8_t> data;  // already encoded (config types: ip, ips, text, u8/u16/u32, bool, hex)
    friend bool operator==(const OptionValue&, const OptionValue&) = default;
};

struct Reservation {
    std::vector<std::uint8_t> hardware;   // MAC (empty: match by client id)
    std::vector<std::uint8_t> client_id;  // option 61 (empty: match by MAC)
    IpAddress address;
    std::string hostname;
    friend bool operator==(const Reservation&, const Reservation&) = default;
};

struct SubnetConfig {
    std::string interface;  // where its clients are (or "" for relayed-only subnets)
    Prefix subnet;
    IpAddress server_address;  // our address on it: the server identifier
    std::vector<AddressRange> pools;
    std::uint32_t lease_time = 43200;     // 12 h
    std::optional<std::uint32_t> t1, t2;  // default 50 % and 87.5 % (RFC 2131 4.4.5)
    std::vector<IpAddress> routers, dns_servers, ntp_servers;
    std::string domain_name;
    std::vector<std::pair<Prefix, IpAddress>> classless_routes;  // RFC 3442
    std::vector<OptionValue> options;                            // any other option by code
    bool authoritative = false;  // NAK foreign addresses instead of staying silent
    // ICMP echo to a candidate before offering it; unset: the [dhcp] default.
    std::optional<bool> ping_check;
    std::optional<std::uint32_t> ping_timeout_ms;
    friend bool operator==(const SubnetConfig&, const SubnetConfig&) = default;
};

struct ServerSettings {
    std::vector<SubnetConfig> subnets;
    std::vector<Reservation> reservations;
    std::uint32_t offer_hold = 60;          // seconds an offered address waits for its REQUEST
    std::uint32_t decline_probation = 600;  // seconds a declined address rests (10 min)
    // Conflict check before an offer (RFC 2131 2.2 "servers SHOULD check that
    // the offered network address is not already in use"). Off by default: see
    // lanlord.toml(5) for why.
    bool ping_check = false;
    std::uint32_t ping_timeout_ms = 500;
    friend bool operator==(const ServerSettings&, const ServerSettings&) = default;
};

}  // namespace lanlord::dhcp
