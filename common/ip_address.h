// IPv4/IPv6 addresses, prefixes and endpoints as plain values.
//
// These are the address types of every layer (config, engines, I/O). They
// carry no socket state so that engines can compare and store them freely;
// the I/O layer converts to sockaddr at the edge.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct sockaddr;
struct sockaddr_storage;

namespace lanlord {

class IpAddress {
  public:
    enum class Family : std::uint8_t { v4, v6 };

    IpAddress() = default;
    static IpAddress v4(std::uint32_t host_order);
    static IpAddress v4_bytes(const std::uint8_t* b);
    static IpAddress v6_bytes(const std::uint8_t* b);
    static std::optional<IpAddress> parse(std::string_view text);

    Family family() const { return family_; }
    bool is_v4() const { return family_ == Family::v4; }
    // 4 bytes for IPv4, 16 for IPv6.
    const std::uint8_t* bytes() const { return bytes_.data(); }
    std::size_t size() const { return is_v4() ? 4 : 16; }
    std::uint32_t v4_host_order() const;
    bool is_loopback() const;
    bool is_unspecified() const;
    // ::ffff:a.b.c.d -> a.b.c.d; anything else unchanged.
    IpAddress unmapped() const;
    std::string to_string() const;

    friend bool operator==(const IpAddress&, const IpAddress&) = default;
    friend auto operator<=>(const IpAddress&, const IpAddress&) = default;

  private:
    Family family_ = Family::v4;
    std::array<std::uint8_t, 16> bytes_{};
};

struct Prefix {
    IpAddress address;
    std::uint8_t length = 0;

    // "192.0.2.0/24", "2001:db8::/32", or a bare address (full length).
    static std::optional<Prefix> parse(std::string_view text);
    bool contains(const IpAddress& a) const;
    std::string to_string() const;
    friend bool operator==(const Prefix&, const Prefix&) = default;
};

struct Endpoint {
    IpAddress address;
    std::uint16_t port = 0;

    // "192.0.2.1", "192.0.2.1:53", "2001:db8::1", "[2001:db8::1]:53"; missing
    // port -> default_port.
    static std::optional<Endpoint> parse(std::string_view text, std::uint16_t default_port);
    static Endpoint from_sockaddr(const sockaddr* sa);
    // Returns the sockaddr length.
    unsigned to_sockaddr(sockaddr_storage& out) const;
    std::string to_string() const;
    friend bool operator==(const Endpoint&, const Endpoint&) = default;
    friend auto operator<=>(const Endpoint&, const Endpoint&) = default;
};

}  // namespace lanlord
