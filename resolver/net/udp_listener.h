// A UDP DNS listener on one address. When the socket is readable it takes up
// to 32 datagrams with one recvmmsg (IP_PKTINFO / IPV6_RECVPKTINFO tell the
// receiving interface), hands each to the handler inline (no coroutine, no
// allocation per packet), collects the answers the handler gives back during
// the batch and sends them with one sendmmsg. Answers that come later (after
// an upstream round trip) leave at once with sendmsg. Answers leave from the
// address the query was sent to.
#pragma once

#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "resolver/engine/engine_types.h"

namespace lanlord {

class UdpListener {
  public:
    using Handler = std::function<void(std::span<const std::uint8_t>, const ClientRef&)>;
    UdpListener(boost::asio::io_context& io, std::uint32_t index, Handler handler);
    ~UdpListener();
    // Returns "" or the reason it failed. `reuse_port`: one socket per thread
    // on the same address, the kernel spreads clients over them.
    std::string open(const Endpoint& address, bool reuse_port = false);
    // A bound socket from systemd (socket activation), `address` its own.
    std::string adopt(int fd, const Endpoint& address);
    void send(const ClientRef& client, std::span<const std::uint8_t> bytes);
    const Endpoint& address() const { return address_; }
    void close();
    std::uint64_t dropped_sends() const { return dropped_sends_; }
    std::uint64_t truncated_queries() const { return truncated_; }

  private:
    static constexpr unsigned kBatch = 32;
    static constexpr std::size_t kQueryBuffer = 4096;   // bigger queries are cut and dropped
    static constexpr std::size_t kAnswerBuffer = 4096;  // edns_buffer_size is at most 4096
    struct Batch;
    void arm();
    void drain();
    void flush();
    void send_now(const ClientRef& client, std::span<const std::uint8_t> bytes);
    unsigned fill_header(msghdr& msg, const ClientRef& client, sockaddr_storage& peer, char* control);

    boost::asio::ip::udp::socket socket_;
    std::uint32_t index_;
    Handler handler_;
    Endpoint address_;
    std::unique_ptr<Batch> batch_;
    bool in_batch_ = false;
    std::uint64_t dropped_sends_ = 0, truncated_ = 0;
};

}  // namespace lanlord
