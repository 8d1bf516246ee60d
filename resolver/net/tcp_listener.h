// DNS over TCP (RFC 7766): several queries per connection, answered in any
// order as they are ready; an idle timeout; a connection cap. At the cap, the
// connection idle the longest (no query pending) is closed to make room, so a
// pile of idle connections cannot lock out new clients (RFC 7766 section 6.2.3).
//
// With a TLS context (set_tls) it is a DNS over TLS listener (RFC 7858): the
// same framing, limits and idle timeout after a TLS handshake (which the idle
// timeout also bounds), and responses that carry EDNS padded to a multiple of
// 468 octets (RFC 8467 section 4.1; RFC 7830 section 4 requires it when the
// query was padded and allows it otherwise). A new context (SIGHUP) is used
// by new connections; open ones keep theirs.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/time.h"
#include "resolver/engine/engine_types.h"

namespace boost::asio::ssl {
class context;
}

namespace lanlord {

class TcpListener {
  public:
    using Handler = std::function<void(std::span<const std::uint8_t>, const ClientRef&)>;
    TcpListener(boost::asio::io_context& io, std::uint32_t index, Handler handler);
    ~TcpListener();
    std::string open(const Endpoint& address, bool reuse_port = false);
    // A listening socket from systemd (socket activation).
    std::string adopt(int fd, const Endpoint& address);
    void set_limits(unsigned max_connections, Duration idle_timeout);
    void set_tls(std::shared_ptr<boost::asio::ssl::context> context) { tls_context_ = std::move(context); }
    bool tls() const { return tls_context_ != nullptr; }
    const Endpoint& address() const { return address_; }
    // Queues an answer on connection `client.connection`; dropped if it closed.
    void send(const ClientRef& client, std::span<const std::uint8_t> bytes);
    std::size_t connections() const { return connections_.size(); }
    void close();

    struct Connection;  // public for the read/write helpers only; defined in the .cpp

  private:
    void accept();
    void admit(const std::shared_ptr<Connection>& c);
    void handshake(const std::shared_ptr<Connection>& c);
    void read_length(std::shared_ptr<Connection> c);
    void read_body(std::shared_ptr<Connection> c, std::size_t len);
    void write_next(std::shared_ptr<Connection> c);
    void touch(const std::shared_ptr<Connection>& c);
    void drop(std::uint64_t id);
    void make_room();

    boost::asio::io_context& io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::uint32_t index_;
    Handler handler_;
    Endpoint address_;
    unsigned max_connections_ = 256;
    Duration idle_timeout_ = seconds(10);
    std::uint64_t next_id_ = 1;
    std::map<std::uint64_t, std::shared_ptr<Connection>> connections_;
    std::shared_ptr<boost::asio::ssl::context> tls_context_;
};

}  // namespace lanlord
