// A UDP DNS listener on one address. Reads every datagram that is ready
// (recvmsg in a loop, with IP_PKTINFO / IPV6_RECVPKTINFO for the receiving
// interface) and hands it to the handler inline: no coroutine, no allocation
// per packet. Answers leave from the address the query was sent to.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "resolver/engine/engine_types.h"

namespace lanlord {

class UdpListener {
public:
    using Handler = std::function<void(std::span<const std::uint8_t>, const ClientRef&)>;
    UdpListener(boost::asio::io_context& io, std::uint32_t index, Handler handler);
    // Returns "" or the reason it failed.
    std::string open(const Endpoint& address);
    void send(const ClientRef& client, std::span<const std::uint8_t> bytes);
    const Endpoint& address() const { return address_; }
    void close();

private:
    void arm();
    void drain();
    boost::asio::ip::udp::socket socket_;
    std::uint32_t index_;
    Handler handler_;
    Endpoint address_;
    std::uint64_t dropped_sends_ = 0;
    std::uint8_t buffer_[65536];
};

}  // namespace lanlord
