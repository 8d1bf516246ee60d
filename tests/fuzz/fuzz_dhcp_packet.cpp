// Fuzz target: a DHCP packet: parse, then the server engine (allocation and
// every RFC 2131 state, with the conflict probe on), then building the reply.
// The same bytes also go through the ICMP echo reply parser (raw socket input).
#include <cstdint>
#include <vector>

#include "dhcp/engine/dhcp_server.h"
#include "dhcp/wire/icmp_echo.h"
#include "dhcp/wire/packet_builder.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace lanlord;
    using namespace lanlord::dhcp;
    static LeaseStore store;
    static DhcpServer* server = [] {
        SubnetConfig s;
        s.interface = "lan0";
        s.subnet = *Prefix::parse("192.0.2.0/24");
        s.server_address = *IpAddress::parse("192.0.2.1");
        s.pools = {{*IpAddress::parse("192.0.2.100"), *IpAddress::parse("192.0.2.110")}};
        ServerSettings settings{
            {s}, {{{2, 0, 0, 0, 0, 7}, {}, *IpAddress::parse("192.0.2.50"), "printer"}}, 60, 600};
        settings.ping_check = true;
        return new DhcpServer(settings, store);
    }();
    static std::int64_t now = 1'000'000;
    (void)parse_echo_reply({data, size});
    Received in;
    if (parse_packet({data, size}, in.packet) != ParseError::ok) return 0;
    in.interface = "lan0";
    Outcome o = server->handle(in, now++);
    // The probe ends at once, answered or not as the packet's xid says.
    while (o.probe) o = server->probe_result(o.probe->id, in.packet.xid & 1, now);
    if (o.grant) store.put(*o.grant);
    if (o.release) store.free(*o.release);
    if (o.reply) {
        std::vector<std::uint8_t> out(1500);
        build_packet(o.reply->packet, o.reply->order, o.reply->max_size, out);
    }
    return 0;
}
