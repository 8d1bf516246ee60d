#include "daemon/control/tcp_listen.h"

#include <boost/asio/ip/address.hpp>

namespace lanlord {

std::string listen_tcp(boost::asio::ip::tcp::acceptor& acceptor, const Endpoint& listen, int backlog) {
    using boost::asio::ip::tcp;
    boost::system::error_code ec;
    auto address = boost::asio::ip::make_address(listen.address.to_string(), ec);
    if (ec) return "bad address " + listen.to_string();
    tcp::endpoint ep(address, listen.port);
    acceptor.open(ep.protocol(), ec);
    if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor.bind(ep, ec);
    if (!ec) acceptor.listen(backlog, ec);
    if (ec) {
        boost::system::error_code close_ec;
        acceptor.close(close_ec);
        return "cannot listen on " + listen.to_string() + ": " + ec.message();
    }
    return "";
}

}  // namespace lanlord
