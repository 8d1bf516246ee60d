// The web page's HTTP/1.1 server ([web] listen), over Boost.Beast (a parser
// that has faced fuzzers beats a hand-written one on a LAN port). Bytes in
// and out only: what a request means is daemon/web/web_api.h's.
//
// Limits: headers over 8 KiB or a body over 64 KiB close the connection
// (431/413 first where Beast can tell); 30 s without a whole request, or a
// response not taken within 30 s, close it too; at most 32 connections at
// once (a new one beyond that is closed at once). Keep-alive is honoured.
// Plain HTTP: lanlord has no certificate for a LAN name; the README says to
// put the page on a trusted network or behind a TLS proxy.
// Handled on the main thread, like the control socket.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <string>

#include "common/ip_address.h"
#include "daemon/web/web_api.h"

namespace lanlord {

class WebServer {
  public:
    WebServer(boost::asio::io_context& io, WebApi& api);
    ~WebServer();
    std::string open(const Endpoint& listen);  // "" or why not
    void close();
    std::size_t connections() const { return *sessions_; }

  private:
    class Session;
    void accept();

    WebApi& api_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::shared_ptr<std::size_t> sessions_ = std::make_shared<std::size_t>(0);
};

}  // namespace lanlord
