// The DHCP server's socket: UDP port 67 on every interface, IP_PKTINFO for
// the receiving interface, SO_BROADCAST for broadcast replies. Where a reply
// goes is the engine's decision (RFC 2131 4.1); this class carries it out:
// - relay: giaddr, port 67;
// - ciaddr: the client's address, port 68;
// - broadcast: 255.255.255.255:68, out of the interface the request came in;
// - client hardware: the offered address at the client's MAC, for a client
//   that has no address yet: an ARP entry (SIOCSARP, CAP_NET_ADMIN) maps
//   yiaddr to chaddr on that interface, then an ordinary unicast follows.
// Received datagrams are handed over inline; after each burst `after_burst`
// runs once (the daemon hands the burst's lease changes to the journal writer there).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "common/ip_address.h"
#include "dhcp/engine/dhcp_server.h"

namespace lanlord::dhcp {

class DhcpSocket {
  public:
    using Handler =
        std::function<void(std::span<const std::uint8_t>, unsigned ifindex, const Endpoint& from)>;
    DhcpSocket(boost::asio::io_context& io, Handler handler, std::function<void()> after_burst);
    // Binds 0.0.0.0:`port` (67; tests use others). "" or why not.
    std::string open(std::uint16_t server_port = 67, std::uint16_t client_port = 68);
    // Sends `bytes` as `reply` says; "" or why not.
    std::string send(std::span<const std::uint8_t> bytes, const Reply& reply, unsigned ifindex);
    // The interface's name now (SIOCGIFNAME on this socket: one syscall, where
    // glibc's if_indextoname opens and closes a socket each time). Asked per
    // packet, never cached, so a renamed interface is never served under its
    // old name's subnet. Empty when unknown.
    std::string interface_name(unsigned ifindex);
    void close();
    std::uint64_t send_errors() const { return send_errors_; }

  private:
    void arm();
    boost::asio::ip::udp::socket socket_;
    Handler handler_;
    std::function<void()> after_burst_;
    std::uint16_t server_port_ = 67, client_port_ = 68;
    std::uint64_t send_errors_ = 0;
    std::uint8_t buffer_[4096];
};

}  // namespace lanlord::dhcp
