// Opening a TCP listener for lanlord's HTTP servers (/metrics and the web
// page): bind with SO_REUSEADDR (a restart must not wait out TIME_WAIT), listen.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <string>

#include "common/ip_address.h"

namespace lanlord {

// "" or why not; the acceptor is closed again on failure.
std::string listen_tcp(boost::asio::ip::tcp::acceptor& acceptor, const Endpoint& listen, int backlog);

}  // namespace lanlord
