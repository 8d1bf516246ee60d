#include "resolver/net/upstream_transport.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <cstring>
#include <vector>

#include "common/byte_cursor.h"

namespace lanlord {

namespace asio = boost::asio;

struct UpstreamTransport::Attempt {
    explicit Attempt(asio::io_context& io) : udp(io), tcp(io) {}
    std::uint64_t token = 0;
    Endpoint server;
    asio::ip::udp::socket udp;
    asio::ip::tcp::socket tcp;
    std::vector<std::uint8_t> buffer;
    std::uint8_t length[2] = {};
    bool closed = false;
};

UpstreamTransport::UpstreamTransport(asio::io_context& io, Callbacks callbacks)
    : io_(io), callbacks_(std::move(callbacks)) {}

UpstreamTransport::~UpstreamTransport() {
    for (auto& [token, a] : attempts_) {
        a->closed = true;
        boost::system::error_code ec;
        a->udp.close(ec);
        a->tcp.close(ec);
    }
}

void UpstreamTransport::fail_later(std::uint64_t token) {
    // Never call back into the engine from inside its own send call.
    asio::post(io_, [this, token] {
        if (attempts_.contains(token)) callbacks_.error(token);
    });
}

namespace {
int open_socket(const Endpoint& server, int type, const std::string* interface) {
    int family = server.address.is_v4() ? AF_INET : AF_INET6;
    int fd = ::socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (interface && !interface->empty() &&
        setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, interface->c_str(),
                   static_cast<socklen_t>(interface->size())) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}
}  // namespace

void UpstreamTransport::send(const UpstreamRequest& r) {
    auto a = std::make_shared<Attempt>(io_);
    a->token = r.token;
    a->server = r.server;
    attempts_[r.token] = a;
    if (r.tcp)
        start_tcp(a, r);
    else
        start_udp(a, r);
}

void UpstreamTransport::start_udp(const std::shared_ptr<Attempt>& a, const UpstreamRequest& r) {
    int fd = open_socket(r.server, SOCK_DGRAM, r.interface);
    if (fd < 0) return fail_later(r.token);
    // No bind(): the first sendto binds the socket to a random ephemeral port
    // (Linux autobind picks the port at random), one system call fewer per miss.
    boost::system::error_code ec;
    a->udp.assign(r.server.address.is_v4() ? asio::ip::udp::v4() : asio::ip::udp::v6(), fd, ec);
    sockaddr_storage ss;
    unsigned len = r.server.to_sockaddr(ss);
    if (::sendto(fd, r.query.data(), r.query.size(), 0, reinterpret_cast<sockaddr*>(&ss), len) < 0)
        return fail_later(r.token);
    receive_udp(a);
}

void UpstreamTransport::receive_udp(const std::shared_ptr<Attempt>& a) {
    a->udp.async_wait(asio::ip::udp::socket::wait_read, [this, a](boost::system::error_code ec) {
        if (ec || a->closed) return;
        for (;;) {
            sockaddr_storage from;
            socklen_t fromlen = sizeof from;
            ssize_t n = ::recvfrom(a->udp.native_handle(), udp_buffer_.data(), udp_buffer_.size(), 0,
                                   reinterpret_cast<sockaddr*>(&from), &fromlen);
            if (n < 0) break;
            callbacks_.response(a->token, Endpoint::from_sockaddr(reinterpret_cast<sockaddr*>(&from)),
                                {udp_buffer_.data(), static_cast<std::size_t>(n)});
            if (a->closed) return;
        }
        receive_udp(a);
    });
}

void UpstreamTransport::start_tcp(const std::shared_ptr<Attempt>& a, const UpstreamRequest& r) {
    int fd = open_socket(r.server, SOCK_STREAM, r.interface);
    if (fd < 0) return fail_later(r.token);
    boost::system::error_code ec;
    a->tcp.assign(r.server.address.is_v4() ? asio::ip::tcp::v4() : asio::ip::tcp::v6(), fd, ec);
    a->buffer.resize(r.query.size() + 2);
    store_u16(a->buffer.data(), static_cast<std::uint16_t>(r.query.size()));
    std::memcpy(a->buffer.data() + 2, r.query.data(), r.query.size());
    asio::ip::tcp::endpoint ep(asio::ip::make_address(r.server.address.to_string()), r.server.port);
    a->tcp.async_connect(ep, [this, a](boost::system::error_code ec) {
        if (a->closed) return;
        if (ec) return callbacks_.error(a->token);
        asio::async_write(
            a->tcp, asio::buffer(a->buffer), [this, a](boost::system::error_code ec, std::size_t) {
                if (a->closed) return;
                if (ec) return callbacks_.error(a->token);
                asio::async_read(a->tcp, asio::buffer(a->length),
                                 [this, a](boost::system::error_code ec, std::size_t) {
                                     if (a->closed) return;
                                     if (ec) return callbacks_.error(a->token);
                                     a->buffer.resize(load_u16(a->length));
                                     asio::async_read(a->tcp, asio::buffer(a->buffer),
                                                      [this, a](boost::system::error_code ec, std::size_t) {
                                                          if (a->closed) return;
                                                          if (ec) return callbacks_.error(a->token);
                                                          callbacks_.response(a->token, a->server, a->buffer);
                                                      });
                                 });
            });
    });
}

void UpstreamTransport::close(std::uint64_t token) {
    auto it = attempts_.find(token);
    if (it == attempts_.end()) return;
    auto a = it->second;
    attempts_.erase(it);
    a->closed = true;
    boost::system::error_code ec;
    a->udp.close(ec);
    a->tcp.close(ec);
}

}  // namespace lanlord
