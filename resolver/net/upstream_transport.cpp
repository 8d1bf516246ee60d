#include "resolver/net/upstream_transport.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <cstring>
#include <random>

#include "common/byte_cursor.h"
#include "common/fault.h"

namespace lanlord {

namespace asio = boost::asio;
using SocketId = UpstreamSocketPool::SocketId;

namespace {
// Answers are at most edns_buffer_size (<= 4096) long from a server that keeps
// to what we advertise (RFC 6891 section 6.2.5); a longer one is cut and the
// engine finds it malformed, as it would a broken answer.
constexpr unsigned kBatch = 16;
constexpr std::size_t kDatagram = 4096;
// Batches taken in one go before other sockets get a turn.
constexpr int kRounds = 4;

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

std::uint64_t splitmix64(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

const std::string kNoInterface;
}  // namespace

struct UpstreamTransport::ReceiveBatch {
    mmsghdr msgs[kBatch];
    iovec iov[kBatch];
    sockaddr_storage from[kBatch];
    std::uint8_t data[kBatch][kDatagram];
};

struct UpstreamTransport::TcpAttempt {
    explicit TcpAttempt(asio::io_context& io) : tcp(io) {}
    std::uint64_t token = 0;
    Endpoint server;
    asio::ip::tcp::socket tcp;
    std::vector<std::uint8_t> buffer;
    std::uint8_t length[2] = {};
    bool closed = false;
};

UpstreamTransport::UpstreamTransport(asio::io_context& io, Callbacks callbacks, UpstreamSocketLimits limits)
    : io_(io),
      callbacks_(std::move(callbacks)),
      pool_(limits),
      expiry_timer_(io),
      random_state_((std::uint64_t{std::random_device{}()} << 32) | std::random_device{}()),
      // `new` (not make_unique): default-initialised, the 64 KiB cost memory only when used.
      batch_(new ReceiveBatch),
      dot_(io, {[this](std::uint64_t token, const Endpoint& from, std::span<const std::uint8_t> bytes) {
                    report_response(token, from, bytes);
                },
                [this](std::uint64_t token) { report_error(token); }}) {}

UpstreamTransport::~UpstreamTransport() {
    for (auto& [token, a] : tcp_) {
        a->closed = true;
        boost::system::error_code ec;
        a->tcp.close(ec);
    }
    for (auto& s : udp_)
        if (s) {
            boost::system::error_code ec;
            s->socket.close(ec);
        }
}

void UpstreamTransport::fail_later(std::uint64_t token) {
    // Never call back into the engine from inside its own send call.
    asio::post(io_, [this, token] {
        if (pool_.contains(token) || failed_.contains(token) || tcp_.contains(token)) report_error(token);
    });
}

void UpstreamTransport::report_response(std::uint64_t token, const Endpoint& from,
                                        std::span<const std::uint8_t> bytes) {
    guarded(FaultSite::upstream_response, [&] { callbacks_.response(token, from, bytes); });
}

void UpstreamTransport::report_error(std::uint64_t token) {
    guarded(FaultSite::upstream_error, [&] { callbacks_.error(token); });
}

void UpstreamTransport::send(const UpstreamRequest& r) {
    if (r.tls) return dot_.send(r);
    if (!r.tcp) return send_udp(r);
    auto a = std::make_shared<TcpAttempt>(io_);
    a->token = r.token;
    a->server = r.server;
    tcp_[r.token] = a;
    start_tcp(a, r);
}

void UpstreamTransport::send_udp(const UpstreamRequest& r) {
    if (r.query.size() < 2) {  // no ID to match an answer by: never happens with the engine's queries
        failed_.insert(r.token);
        return fail_later(r.token);
    }
    std::uint16_t id = load_u16(r.query.data());
    auto place = pool_.place(r.server, r.interface ? *r.interface : kNoInterface, id, r.token, Clock::now(),
                             static_cast<std::uint32_t>(splitmix64(random_state_) >> 32));
    if (place.released) close_udp(*place.released);
    if (place.fresh && !open_udp(place.socket, r)) {
        pool_.discard(place.socket);
        failed_.insert(r.token);
        return fail_later(r.token);
    }
    if (place.fresh) schedule_expiry();
    sockaddr_storage ss;
    unsigned len = r.server.to_sockaddr(ss);
    if (::sendto(udp_[place.socket]->socket.native_handle(), r.query.data(), r.query.size(), 0,
                 reinterpret_cast<sockaddr*>(&ss), len) < 0)
        fail_later(r.token);  // the attempt stays placed until the engine closes it
}

// A new socket for slot `id`: no bind(), the first sendto binds it to a random
// ephemeral port (Linux autobind picks the port at random). Registered with
// the reactor here, once for its whole life.
bool UpstreamTransport::open_udp(SocketId id, const UpstreamRequest& r) {
    int fd = open_socket(r.server, SOCK_DGRAM, r.interface);
    if (fd < 0) return false;
    if (id >= udp_.size()) udp_.resize(id + 1);
    auto& s = udp_[id];
    if (!s) s = std::make_unique<UdpSocket>(io_);
    boost::system::error_code ec;
    s->socket.assign(r.server.address.is_v4() ? asio::ip::udp::v4() : asio::ip::udp::v6(), fd, ec);
    if (ec) {
        ::close(fd);
        return false;
    }
    s->generation = next_generation_++;
    ++stats_.sockets_opened;
    arm(id);
    return true;
}

void UpstreamTransport::close_udp(SocketId id) {
    if (id >= udp_.size() || !udp_[id]) return;
    boost::system::error_code ec;
    udp_[id]->socket.close(ec);  // a pending wait completes with operation_aborted
    udp_[id]->generation = 0;
}

bool UpstreamTransport::alive(SocketId id, std::uint32_t generation) const {
    return id < udp_.size() && udp_[id] && udp_[id]->generation == generation && udp_[id]->socket.is_open();
}

void UpstreamTransport::arm(SocketId id) {
    std::uint32_t generation = udp_[id]->generation;
    udp_[id]->socket.async_wait(asio::ip::udp::socket::wait_read,
                                [this, id, generation](boost::system::error_code ec) {
                                    if (ec || !alive(id, generation)) return;
                                    drain(id, generation);
                                });
}

// Reads until the socket is empty (the reactor is edge-triggered: what is left
// would wait for the next datagram), a few batches at a time.
void UpstreamTransport::drain(SocketId id, std::uint32_t generation) {
    ReceiveBatch& b = *batch_;
    int fd = udp_[id]->socket.native_handle();
    for (int round = 0; round < kRounds; ++round) {
        for (unsigned i = 0; i < kBatch; ++i) {
            b.iov[i] = {b.data[i], kDatagram};
            msghdr& m = b.msgs[i].msg_hdr;
            m = {};
            m.msg_name = &b.from[i];
            m.msg_namelen = sizeof b.from[i];
            m.msg_iov = &b.iov[i];
            m.msg_iovlen = 1;
        }
        int n = ::recvmmsg(fd, b.msgs, kBatch, MSG_DONTWAIT, nullptr);
        if (n <= 0) {
            // Empty, or an error queued on the socket (e.g. ICMP): nothing to
            // hand over; the attempts wait for their answers or time out.
            if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) continue;
            return arm(id);
        }
        for (int i = 0; i < n; ++i) {
            // An answer may end the last attempt of a retired socket, which
            // then closes: the rest of the batch can only be late or stray.
            if (!alive(id, generation)) return;
            msghdr& m = b.msgs[i].msg_hdr;
            std::span<const std::uint8_t> bytes{b.data[i], b.msgs[i].msg_len};
            if (m.msg_flags & MSG_TRUNC) ++stats_.oversized;
            auto match =
                bytes.size() >= 2 ? pool_.match(id, load_u16(bytes.data())) : UpstreamSocketPool::Match{};
            if (match.verdict == UpstreamSocketPool::Verdict::late) {
                ++stats_.late;
            } else if (match.verdict == UpstreamSocketPool::Verdict::stray) {
                ++stats_.stray;
            } else {
                report_response(match.token, Endpoint::from_sockaddr(reinterpret_cast<sockaddr*>(&b.from[i])),
                                bytes);
            }
        }
        if (!alive(id, generation)) return;
        if (static_cast<unsigned>(n) < kBatch) return arm(id);
    }
    // Still more: continue after whatever else is ready.
    asio::post(io_, [this, id, generation] {
        if (alive(id, generation)) drain(id, generation);
    });
}

// Sockets past their lifetime take no new attempts; idle ones close. One
// timer for all of them, set to the earliest.
void UpstreamTransport::schedule_expiry() {
    auto next = pool_.next_expiry();
    if (!next || *next >= expiry_at_) return;
    expiry_at_ = *next;
    expiry_timer_.expires_at(*next);
    expiry_timer_.async_wait([this](boost::system::error_code ec) {
        if (ec) return;
        expiry_at_ = TimePoint::max();
        guarded(FaultSite::dns_timer, [this] {
            std::vector<SocketId> to_close;
            pool_.expire(Clock::now(), to_close);
            for (SocketId id : to_close) close_udp(id);
        });
        schedule_expiry();
    });
}

// RFC 7766 section 8: a two-byte length, then the message, each way. The
// attempt is reported failed (asynchronously, never from inside the engine's
// own send call) when the socket cannot be made or any step fails.
void UpstreamTransport::start_tcp(const std::shared_ptr<TcpAttempt>& a, const UpstreamRequest& r) {
    int fd = open_socket(r.server, SOCK_STREAM, r.interface);
    if (fd < 0) return fail_later(r.token);
    boost::system::error_code ec;
    a->tcp.assign(r.server.address.is_v4() ? asio::ip::tcp::v4() : asio::ip::tcp::v6(), fd, ec);
    if (ec) {
        ::close(fd);  // not adopted by the socket: ours to close
        return fail_later(r.token);
    }
    asio::ip::address address = asio::ip::make_address(r.server.address.to_string(), ec);
    if (ec) return fail_later(r.token);
    a->buffer.resize(r.query.size() + 2);
    store_u16(a->buffer.data(), static_cast<std::uint16_t>(r.query.size()));
    std::memcpy(a->buffer.data() + 2, r.query.data(), r.query.size());
    a->tcp.async_connect({address, r.server.port}, [this, a](boost::system::error_code step_ec) {
        on_tcp_step(a, TcpStep::connected, step_ec);
    });
}

void UpstreamTransport::on_tcp_step(const std::shared_ptr<TcpAttempt>& a, TcpStep done,
                                    boost::system::error_code ec) {
    if (a->closed) return;  // the engine closed the attempt meanwhile
    if (ec) return report_error(a->token);
    auto next = [this, a](TcpStep step) {
        return [this, a, step](boost::system::error_code step_ec, std::size_t) {
            on_tcp_step(a, step, step_ec);
        };
    };
    switch (done) {
        case TcpStep::connected:
            asio::async_write(a->tcp, asio::buffer(a->buffer), next(TcpStep::written));
            return;
        case TcpStep::written:
            asio::async_read(a->tcp, asio::buffer(a->length), next(TcpStep::length_read));
            return;
        case TcpStep::length_read: {
            std::size_t length = load_u16(a->length);
            if (length == 0) return report_error(a->token);  // no message can be empty
            a->buffer.resize(length);
            asio::async_read(a->tcp, asio::buffer(a->buffer), next(TcpStep::body_read));
            return;
        }
        case TcpStep::body_read:
            return report_response(a->token, a->server, a->buffer);
    }
}

void UpstreamTransport::close(std::uint64_t token) {
    if (dot_.close(token)) return;
    if (pool_.contains(token)) {
        if (auto idle = pool_.close(token)) close_udp(*idle);
        return;
    }
    if (failed_.erase(token)) return;
    auto it = tcp_.find(token);
    if (it == tcp_.end()) return;
    auto a = it->second;
    tcp_.erase(it);
    a->closed = true;
    boost::system::error_code ec;
    a->tcp.close(ec);
}

}  // namespace lanlord
