#include "resolver/net/tcp_listener.h"

#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>

#include <sys/socket.h>

#include "common/byte_cursor.h"
#include "common/fault.h"
#include "resolver/wire/edns_padding.h"

namespace lanlord {

namespace asio = boost::asio;
using asio::ip::tcp;

struct TcpListener::Connection {
    explicit Connection(asio::io_context& io) : socket(io), idle(io) {}
    std::uint64_t id = 0;
    tcp::socket socket;
    asio::steady_timer idle;
    ClientRef client;
    std::uint8_t length[2] = {};
    std::vector<std::uint8_t> body;
    std::deque<std::vector<std::uint8_t>> out;
    bool writing = false;
    unsigned pending = 0;  // queries handed to the engine and not answered yet
    TimePoint last_activity{};
    // DNS over TLS: the context it started with (kept across a SIGHUP swap)
    // and the TLS layer over `socket`.
    std::shared_ptr<asio::ssl::context> context;
    std::unique_ptr<asio::ssl::stream<tcp::socket&>> tls;
};

namespace {
// Reads and writes go through TLS when the connection has it.
template <class Buffer, class Handler>
void read_exactly(TcpListener::Connection& c, const Buffer& buffer, Handler&& handler) {
    if (c.tls)
        asio::async_read(*c.tls, buffer, std::forward<Handler>(handler));
    else
        asio::async_read(c.socket, buffer, std::forward<Handler>(handler));
}
template <class Buffer, class Handler>
void write_all(TcpListener::Connection& c, const Buffer& buffer, Handler&& handler) {
    if (c.tls)
        asio::async_write(*c.tls, buffer, std::forward<Handler>(handler));
    else
        asio::async_write(c.socket, buffer, std::forward<Handler>(handler));
}
}  // namespace

TcpListener::TcpListener(asio::io_context& io, std::uint32_t index, Handler handler)
    : io_(io), acceptor_(io), index_(index), handler_(std::move(handler)) {}

TcpListener::~TcpListener() {
    close();
}

std::string TcpListener::open(const Endpoint& address, bool reuse_port) {
    address_ = address;
    boost::system::error_code ec;
    tcp::endpoint ep(address.address.is_v4()
                         ? asio::ip::address(asio::ip::make_address_v4(address.address.to_string()))
                         : asio::ip::address(asio::ip::make_address_v6(address.address.to_string())),
                     address.port);
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec && reuse_port) {
        int one = 1;
        if (setsockopt(acceptor_.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
            return "SO_REUSEPORT failed";
    }
    if (!ec && !address.address.is_v4()) acceptor_.set_option(asio::ip::v6_only(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return ec.message();
    accept();
    return "";
}

std::string TcpListener::adopt(int fd, const Endpoint& address) {
    address_ = address;
    boost::system::error_code ec;
    acceptor_.assign(address.address.is_v4() ? tcp::v4() : tcp::v6(), fd, ec);
    if (ec) {
        ::close(fd);
        return ec.message();
    }
    acceptor_.non_blocking(true, ec);
    accept();
    return "";
}

void TcpListener::set_limits(unsigned max_connections, Duration idle_timeout) {
    max_connections_ = std::max(1u, max_connections);
    idle_timeout_ = idle_timeout;
}

void TcpListener::close() {
    boost::system::error_code ec;
    acceptor_.close(ec);
    for (auto& [id, c] : connections_) {
        c->socket.close(ec);
        c->idle.cancel();
    }
    connections_.clear();
}

void TcpListener::make_room() {
    std::shared_ptr<Connection> victim;
    for (auto& [id, c] : connections_)
        if (c->pending == 0 && (!victim || c->last_activity < victim->last_activity)) victim = c;
    if (!victim && !connections_.empty()) victim = connections_.begin()->second;
    if (victim) drop(victim->id);
}

void TcpListener::accept() {
    auto c = std::make_shared<Connection>(io_);
    acceptor_.async_accept(c->socket, [this, c](boost::system::error_code ec) {
        if (ec == asio::error::operation_aborted) return;
        // Whatever happens to this connection, the acceptor goes on.
        if (!ec) guarded(FaultSite::tcp_session, [&] { admit(c); });
        accept();
    });
}

// A new connection: registered and read from, or (no peer address: it is
// already gone) dropped by going out of scope.
void TcpListener::admit(const std::shared_ptr<Connection>& c) {
    if (connections_.size() >= max_connections_) make_room();
    c->id = next_id_++;
    boost::system::error_code ec;
    auto peer = c->socket.remote_endpoint(ec);
    if (ec) return;
    auto local = c->socket.local_endpoint(ec);
    if (ec) return;
    auto peer_ip = IpAddress::parse(peer.address().to_string());
    auto local_ip = IpAddress::parse(local.address().to_string());
    if (!LANLORD_CHECK(peer_ip && local_ip)) return;
    c->client.peer = {*peer_ip, peer.port()};
    c->client.local = *local_ip;
    c->client.tcp = true;
    c->client.listener = index_;
    c->client.connection = c->id;
    // Each answer leaves at once: with Nagle, an answer written while an
    // earlier one (or TLS 1.3's session tickets, sent after the handshake)
    // is unacknowledged waits for the client's delayed ACK, 40 ms on Linux,
    // on every pipelined connection (RFC 7766 section 6.2.1.1).
    c->socket.set_option(tcp::no_delay(true), ec);
    connections_[c->id] = c;
    touch(c);
    if (!tls_context_) return read_length(c);
    c->context = tls_context_;
    c->tls = std::make_unique<asio::ssl::stream<tcp::socket&>>(c->socket, *c->context);
    handshake(c);
}

// The idle timer runs meanwhile: a client that never finishes its handshake
// is dropped after the idle timeout like one that sends nothing.
void TcpListener::handshake(const std::shared_ptr<Connection>& c) {
    c->tls->async_handshake(asio::ssl::stream_base::server, [this, c](boost::system::error_code ec) {
        if (ec) return drop(c->id);
        if (!guarded(FaultSite::tcp_session, [&] {
                touch(c);
                read_length(c);
            }))
            drop(c->id);
    });
}

void TcpListener::touch(const std::shared_ptr<Connection>& c) {
    c->last_activity = Clock::now();
    c->idle.expires_after(idle_timeout_);
    std::weak_ptr<Connection> weak = c;
    c->idle.async_wait([this, weak](boost::system::error_code ec) {
        auto conn = weak.lock();
        if (ec || !conn) return;
        if (!guarded(FaultSite::tcp_session, [&] {
                if (conn->pending > 0 || conn->writing) return touch(conn);  // busy, not idle
                drop(conn->id);
            }))
            drop(conn->id);
    });
}

void TcpListener::drop(std::uint64_t id) {
    auto it = connections_.find(id);
    if (it == connections_.end()) return;
    boost::system::error_code ec;
    it->second->socket.shutdown(tcp::socket::shutdown_both, ec);
    it->second->socket.close(ec);
    it->second->idle.cancel();
    connections_.erase(it);
}

void TcpListener::read_length(std::shared_ptr<Connection> c) {
    read_exactly(*c, asio::buffer(c->length), [this, c](boost::system::error_code ec, std::size_t) {
        if (ec) return drop(c->id);
        std::size_t len = load_u16(c->length);
        if (len == 0) return drop(c->id);
        if (!guarded(FaultSite::tcp_session, [&] { read_body(c, len); })) drop(c->id);
    });
}

void TcpListener::read_body(std::shared_ptr<Connection> c, std::size_t len) {
    c->body.resize(len);
    read_exactly(*c, asio::buffer(c->body), [this, c](boost::system::error_code ec, std::size_t) {
        if (ec) return drop(c->id);
        // A query that throws costs that query (its client times out on it);
        // the connection and its other queries go on.
        guarded(FaultSite::tcp_query, [&] {
            touch(c);
            ++c->pending;
            handler_(c->body, c->client);
        });
        if (!connections_.contains(c->id)) return;
        if (!guarded(FaultSite::tcp_session, [&] { read_length(c); }))  // pipelining: read the next one now
            drop(c->id);
    });
}

void TcpListener::send(const ClientRef& client, std::span<const std::uint8_t> bytes) {
    auto it = connections_.find(client.connection);
    if (it == connections_.end()) return;
    auto& c = it->second;
    if (c->pending > 0) --c->pending;
    std::vector<std::uint8_t> framed(bytes.size() + 2);
    std::copy(bytes.begin(), bytes.end(), framed.begin() + 2);
    std::size_t length = bytes.size();
    if (c->tls) {
        // Room for the padding, within the 64 KiB a length prefix can say.
        framed.resize(std::min<std::size_t>(bytes.size() + kResponsePaddingBlock + 4, 65535) + 2);
        length = pad_message(std::span(framed).subspan(2), bytes.size(), kResponsePaddingBlock);
        framed.resize(length + 2);
    }
    store_u16(framed.data(), static_cast<std::uint16_t>(length));
    c->out.push_back(std::move(framed));
    if (!c->writing) write_next(c);
}

void TcpListener::write_next(std::shared_ptr<Connection> c) {
    if (c->out.empty()) {
        c->writing = false;
        return;
    }
    c->writing = true;
    write_all(*c, asio::buffer(c->out.front()), [this, c](boost::system::error_code ec, std::size_t) {
        if (ec) return drop(c->id);
        bool ok = guarded(FaultSite::tcp_session, [&] {
            c->out.pop_front();
            touch(c);
            write_next(c);
        });
        if (!ok) drop(c->id);
    });
}

}  // namespace lanlord
