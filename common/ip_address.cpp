#include "common/ip_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>
#include <cstring>

namespace lanlord {

IpAddress IpAddress::v4(std::uint32_t h) {
    IpAddress a;
    a.family_ = Family::v4;
    a.bytes_[0] = static_cast<std::uint8_t>(h >> 24);
    a.bytes_[1] = static_cast<std::uint8_t>(h >> 16);
    a.bytes_[2] = static_cast<std::uint8_t>(h >> 8);
    a.bytes_[3] = static_cast<std::uint8_t>(h);
    return a;
}

IpAddress IpAddress::v4_bytes(const std::uint8_t* b) {
    IpAddress a;
    a.family_ = Family::v4;
    std::memcpy(a.bytes_.data(), b, 4);
    return a;
}

IpAddress IpAddress::v6_bytes(const std::uint8_t* b) {
    IpAddress a;
    a.family_ = Family::v6;
    std::memcpy(a.bytes_.data(), b, 16);
    return a;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
    if (text.empty() || text.size() > 45) return std::nullopt;
    char buf[64];
    std::memcpy(buf, text.data(), text.size());
    buf[text.size()] = '\0';
    std::uint8_t raw[16];
    if (inet_pton(AF_INET, buf, raw) == 1) return v4_bytes(raw);
    if (inet_pton(AF_INET6, buf, raw) == 1) return v6_bytes(raw);
    return std::nullopt;
}

std::uint32_t IpAddress::v4_host_order() const {
    return (std::uint32_t{bytes_[0]} << 24) | (std::uint32_t{bytes_[1]} << 16) |
           (std::uint32_t{bytes_[2]} << 8) | bytes_[3];
}

bool IpAddress::is_loopback() const {
    if (is_v4()) return bytes_[0] == 127;
    static const std::uint8_t lo[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    if (std::memcmp(bytes_.data(), lo, 16) == 0) return true;
    IpAddress u = unmapped();
    return u.is_v4() && u.is_loopback();
}

bool IpAddress::is_unspecified() const {
    for (std::size_t i = 0; i < size(); ++i)
        if (bytes_[i] != 0) return false;
    return true;
}

IpAddress IpAddress::unmapped() const {
    static const std::uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (!is_v4() && std::memcmp(bytes_.data(), prefix, 12) == 0) return v4_bytes(bytes_.data() + 12);
    return *this;
}

std::string IpAddress::to_string() const {
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(is_v4() ? AF_INET : AF_INET6, bytes_.data(), buf, sizeof buf);
    return buf;
}

std::optional<Prefix> Prefix::parse(std::string_view text) {
    auto slash = text.find('/');
    auto addr = IpAddress::parse(text.substr(0, slash));
    if (!addr) return std::nullopt;
    unsigned max = addr->is_v4() ? 32 : 128;
    unsigned len = max;
    if (slash != std::string_view::npos) {
        auto digits = text.substr(slash + 1);
        auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), len);
        if (ec != std::errc() || p != digits.data() + digits.size() || digits.empty() || len > max)
            return std::nullopt;
    }
    return Prefix{*addr, static_cast<std::uint8_t>(len)};
}

bool Prefix::contains(const IpAddress& raw) const {
    IpAddress a = raw.family() == address.family() ? raw : raw.unmapped();
    if (a.family() != address.family()) return false;
    unsigned full = length / 8, bits = length % 8;
    if (std::memcmp(a.bytes(), address.bytes(), full) != 0) return false;
    if (bits == 0) return true;
    std::uint8_t mask = static_cast<std::uint8_t>(0xff << (8 - bits));
    return (a.bytes()[full] & mask) == (address.bytes()[full] & mask);
}

std::string Prefix::to_string() const {
    return address.to_string() + "/" + std::to_string(length);
}

std::optional<Endpoint> Endpoint::parse(std::string_view text, std::uint16_t default_port) {
    std::string_view host = text, port_text;
    if (!text.empty() && text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        host = text.substr(1, close - 1);
        auto rest = text.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return std::nullopt;
            port_text = rest.substr(1);
            if (port_text.empty()) return std::nullopt;
        }
    } else if (auto colon = text.find(':');
               colon != std::string_view::npos && text.find(':', colon + 1) == std::string_view::npos) {
        host = text.substr(0, colon);  // exactly one colon: IPv4 with port
        port_text = text.substr(colon + 1);
        if (port_text.empty()) return std::nullopt;
    }
    auto addr = IpAddress::parse(host);
    if (!addr) return std::nullopt;
    unsigned port = default_port;
    if (!port_text.empty()) {
        auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
        if (ec != std::errc() || p != port_text.data() + port_text.size() || port == 0 || port > 65535)
            return std::nullopt;
    }
    return Endpoint{*addr, static_cast<std::uint16_t>(port)};
}

Endpoint Endpoint::from_sockaddr(const sockaddr* sa) {
    if (sa->sa_family == AF_INET) {
        auto* in = reinterpret_cast<const sockaddr_in*>(sa);
        return {IpAddress::v4_bytes(reinterpret_cast<const std::uint8_t*>(&in->sin_addr)),
                ntohs(in->sin_port)};
    }
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    return {IpAddress::v6_bytes(in6->sin6_addr.s6_addr), ntohs(in6->sin6_port)};
}

unsigned Endpoint::to_sockaddr(sockaddr_storage& out) const {
    std::memset(&out, 0, sizeof out);
    if (address.is_v4()) {
        auto* in = reinterpret_cast<sockaddr_in*>(&out);
        in->sin_family = AF_INET;
        in->sin_port = htons(port);
        std::memcpy(&in->sin_addr, address.bytes(), 4);
        return sizeof(sockaddr_in);
    }
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&out);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    std::memcpy(in6->sin6_addr.s6_addr, address.bytes(), 16);
    return sizeof(sockaddr_in6);
}

std::string Endpoint::to_string() const {
    if (address.is_v4()) return address.to_string() + ":" + std::to_string(port);
    return "[" + address.to_string() + "]:" + std::to_string(port);
}

}  // namespace lanlord
