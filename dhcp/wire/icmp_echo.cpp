#include "dhcp/wire/icmp_echo.h"

#include <string_view>

namespace lanlord::dhcp {

namespace {
constexpr std::uint8_t kEchoReply = 0, kEchoRequest = 8, kProtocolIcmp = 1;
constexpr std::size_t kIcmpHeader = 8;
}  // namespace

std::uint16_t internet_checksum(std::span<const std::uint8_t> bytes) {
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i + 1 < bytes.size(); i += 2) sum += std::uint32_t(bytes[i]) << 8 | bytes[i + 1];
    if (bytes.size() % 2) sum += std::uint32_t(bytes.back()) << 8;
    while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum);
}

std::vector<std::uint8_t> build_echo_request(std::uint16_t identifier, std::uint16_t sequence) {
    std::vector<std::uint8_t> out = {kEchoRequest, 0, 0, 0};  // type, code, checksum
    for (std::uint16_t v : {identifier, sequence}) {
        out.push_back(static_cast<std::uint8_t>(v >> 8));
        out.push_back(static_cast<std::uint8_t>(v));
    }
    constexpr std::string_view payload = "lanlord dhcp probe";  // says who asks, to a tcpdump reader
    out.insert(out.end(), payload.begin(), payload.end());
    std::uint16_t sum = internet_checksum(out);
    out[2] = static_cast<std::uint8_t>(sum >> 8);
    out[3] = static_cast<std::uint8_t>(sum);
    return out;
}

std::optional<EchoReply> parse_echo_reply(std::span<const std::uint8_t> d) {
    if (d.size() < 20 || (d[0] >> 4) != 4) return std::nullopt;
    std::size_t header = (d[0] & 0x0F) * 4u;
    std::size_t total = std::size_t(d[2]) << 8 | d[3];
    if (header < 20 || total < header || total > d.size()) return std::nullopt;
    if (d[9] != kProtocolIcmp) return std::nullopt;
    // A fragment (more fragments set, or an offset) is not a whole echo reply.
    if ((d[6] & 0x20) || ((d[6] & 0x1F) | d[7])) return std::nullopt;
    auto icmp = d.subspan(header, total - header);
    if (icmp.size() < kIcmpHeader || icmp[0] != kEchoReply || icmp[1] != 0) return std::nullopt;
    if (internet_checksum(icmp) != 0) return std::nullopt;
    EchoReply r;
    r.source = IpAddress::v4_bytes(d.data() + 12);
    r.identifier = static_cast<std::uint16_t>(icmp[4] << 8 | icmp[5]);
    r.sequence = static_cast<std::uint16_t>(icmp[6] << 8 | icmp[7]);
    return r;
}

}  // namespace lanlord::dhcp
