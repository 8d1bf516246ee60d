// The optional Prometheus endpoint ([metrics] listen): GET /metrics over
// HTTP/1.1, parsed by Boost.Beast (a well-kept parser beats a hand-written
// one facing whatever reaches a TCP port). Requests are small: headers over
// 8 KiB, any body, or 10 s without a whole request close the connection; at
// most 16 connections at once. Handled on the main thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <string>

#include "common/ip_address.h"
#include "daemon/control/control_protocol.h"

namespace lanlord {

class MetricsHttp {
  public:
    MetricsHttp(boost::asio::io_context& io, ControlBackend& backend);
    ~MetricsHttp();
    std::string open(const Endpoint& listen);  // "" or why not
    void close();

  private:
    class Session;
    void accept();

    ControlBackend& backend_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::shared_ptr<std::size_t> sessions_ = std::make_shared<std::size_t>(0);
};

}  // namespace lanlord
