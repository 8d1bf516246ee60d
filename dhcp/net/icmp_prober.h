// The I/O half of the DHCP conflict probe: sends the ICMP echo the engine
// asks for (dhcp::Probe) from a raw IPPROTO_ICMP socket (CAP_NET_RAW, which
// the daemon keeps) and reports once per probe: an echo reply from the
// probed address with our identifier and the probe's sequence, or the
// timeout. The kernel filter (ICMP_FILTER) lets only echo replies through.
// A raw socket rather than a "ping" datagram socket: those depend on
// net.ipv4.ping_group_range, which is closed by default in a new namespace.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/icmp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "dhcp/engine/dhcp_server.h"

namespace lanlord::dhcp {

class IcmpProber {
  public:
    using Done = std::function<void(std::uint16_t id, const IpAddress& address, bool answered)>;
    IcmpProber(boost::asio::io_context& io, Done done);
    ~IcmpProber();
    // "" or why not (without CAP_NET_RAW: "Operation not permitted").
    std::string open();
    // Sends the echo; `done` follows exactly once, never from inside start().
    void start(const Probe& probe);
    std::size_t running() const { return running_.size(); }
    std::uint64_t send_errors() const { return send_errors_; }

  private:
    void arm();
    void finish(std::uint16_t id, bool answered);
    boost::asio::io_context& io_;
    boost::asio::ip::icmp::socket socket_;
    Done done_;
    std::uint16_t identifier_;
    struct Running {
        IpAddress address;
        std::unique_ptr<boost::asio::steady_timer> timer;
    };
    std::map<std::uint16_t, Running> running_;
    std::uint64_t send_errors_ = 0;
    std::uint8_t buffer_[1500];
};

}  // namespace lanlord::dhcp
