#include "daemon/bench/dot_connection.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace lanlord::bench {

namespace {
double ms_between(TimePoint a, TimePoint b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
}
}  // namespace

DotConnection::DotConnection(TlsClientContext& context, const Endpoint& server, bool resume, TimePoint now,
                             Duration setup_timeout)
    : context_(context), server_(server), resume_(resume), started_(now), deadline_(now + setup_timeout) {
    sockaddr_storage ss{};
    unsigned len = server.to_sockaddr(ss);
    fd_ = ::socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
        fail(std::string("socket: ") + std::strerror(errno));
        return;
    }
    // Queries are small and each is wanted at once (RFC 7766 section 6.2.3
    // suggests it for pipelining): no Nagle delay behind the previous one.
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&ss), len) == 0) {
        tcp_ms_ = ms_between(started_, Clock::now());
        start_tls(now);
    } else if (errno != EINPROGRESS) {
        fail(std::string("connect: ") + std::strerror(errno));
    }
}

DotConnection::~DotConnection() {
    if (ssl_) {
        // A close_notify (RFC 8446 section 6.1) so the server sees an orderly
        // end and the session stays resumable; never waits for the reply.
        if (state_ == State::open) (void)SSL_shutdown(ssl_);
        // Closed by the server after a good exchange: the session stays
        // good. Without this OpenSSL takes a connection freed before its
        // shutdown for a broken one and marks the session not resumable.
        if (state_ == State::closed) SSL_set_shutdown(ssl_, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
        SSL_free(ssl_);
        ERR_clear_error();
    }
    if (fd_ >= 0) ::close(fd_);
}

short DotConnection::events() const {
    switch (state_) {
        case State::connecting:
            return POLLOUT;
        case State::handshaking:
            return want_write_ ? POLLOUT : POLLIN;
        case State::open:
            return static_cast<short>(POLLIN |
                                      (want_write_ || (!out_.empty() && !write_wants_read_) ? POLLOUT : 0));
        case State::failed:
        case State::closed:
            return 0;
    }
    return 0;
}

std::optional<TimePoint> DotConnection::deadline() const {
    if (state_ == State::connecting || state_ == State::handshaking) return deadline_;
    return std::nullopt;
}

void DotConnection::fail(std::string why) {
    if (done()) return;
    state_ = state_ == State::open ? State::closed : State::failed;
    error_ = std::move(why);
    ERR_clear_error();
}

void DotConnection::expire(TimePoint now) {
    if (state_ == State::connecting && now >= deadline_) fail("timed out connecting");
    if (state_ == State::handshaking && now >= deadline_) fail("timed out in the TLS handshake");
}

void DotConnection::start_tls(TimePoint now) {
    state_ = State::handshaking;
    ssl_ = SSL_new(context_.context().native_handle());
    if (!ssl_ || SSL_set_fd(ssl_, fd_) != 1 || !context_.prepare(ssl_, server_.address)) {
        fail("cannot set up TLS");
        return;
    }
    if (!resume_) SSL_set_session(ssl_, nullptr);  // a full handshake: nothing offered
    // Offered only when it can be resumed (one from a connection that broke
    // is kept but marked not resumable, and OpenSSL does not send it).
    SSL_SESSION* session = SSL_get0_session(ssl_);
    offered_session_ = session != nullptr && SSL_SESSION_is_resumable(session) == 1;
    SSL_set_mode(ssl_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    handshake(now);
}

void DotConnection::handshake(TimePoint now) {
    ERR_clear_error();
    errno = 0;  // SSL_ERROR_SYSCALL's reason, if any, is this call's
    want_write_ = false;
    int rc = SSL_connect(ssl_);
    if (rc == 1) {
        // Names and the chain were checked during the handshake, pins now.
        if (auto why = context_.check_peer(ssl_); !why.empty()) return fail(why);
        // Now, not the wake-up's time: the client's share of the handshake
        // (the key exchange, the chain's signatures) ran since.
        setup_ms_ = ms_between(started_, std::max(now, Clock::now()));
        version_ = TlsClientContext::version(ssl_);
        resumed_ = TlsClientContext::resumed(ssl_);
        want_write_ = false;
        state_ = State::open;
        return;
    }
    int e = SSL_get_error(ssl_, rc);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        want_write_ = e == SSL_ERROR_WANT_WRITE;
        return;
    }
    fail(TlsClientContext::failure_reason(ssl_, e == SSL_ERROR_SYSCALL && errno != 0
                                                    ? std::string("handshake: ") + std::strerror(errno)
                                                    : "the TLS handshake failed"));
}

void DotConnection::on_ready(TimePoint now, const OnMessage& on_message) {
    if (state_ == State::connecting) {
        int err = 0;
        socklen_t len = sizeof err;
        if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
        if (err != 0) return fail(std::string("connect: ") + std::strerror(err));
        tcp_ms_ = ms_between(started_, now);
        return start_tls(now);
    }
    if (state_ == State::handshaking) {
        handshake(now);
        if (state_ != State::open) return;
    }
    if (state_ == State::open) {
        flush(on_message);
        read(on_message);
    }
}

void DotConnection::send(std::span<const std::uint8_t> message, const OnMessage& on_message) {
    if (state_ != State::open) return;
    auto framed = frame_message(message);
    out_.insert(out_.end(), framed.begin(), framed.end());
    flush(on_message);
}

void DotConnection::flush(const OnMessage& on_message) {
    write_wants_read_ = false;
    while (state_ == State::open && !out_.empty()) {
        ERR_clear_error();
        int n = SSL_write(ssl_, out_.data(), static_cast<int>(std::min<std::size_t>(out_.size(), 1 << 20)));
        if (n > 0) {
            out_.erase(out_.begin(), out_.begin() + n);
            want_write_ = false;
            continue;
        }
        int e = SSL_get_error(ssl_, n);
        if (e == SSL_ERROR_WANT_WRITE) {
            want_write_ = true;
            return;
        }
        if (e == SSL_ERROR_WANT_READ) {  // a record to read first (TLS 1.2 only; no renegotiation here)
            write_wants_read_ = true;    // poll for input, not output, until then
            read(on_message);
            return;
        }
        return fail(e == SSL_ERROR_ZERO_RETURN ? "closed by the server" : "write failed");
    }
}

void DotConnection::read(const OnMessage& on_message) {
    std::array<std::uint8_t, 16384> buf;  // one TLS record's worth
    while (state_ == State::open) {
        ERR_clear_error();
        want_write_ = false;
        int n = SSL_read(ssl_, buf.data(), static_cast<int>(buf.size()));
        if (n > 0) {
            bool whole =
                framer_.append(std::span<const std::uint8_t>(buf.data(), static_cast<std::size_t>(n)),
                               [&](std::span<const std::uint8_t> msg) {
                                   ++answers_;
                                   on_message(msg);
                               });
            if (!whole) return fail("a zero-length message: the stream is broken");
            continue;
        }
        int e = SSL_get_error(ssl_, n);
        if (e == SSL_ERROR_WANT_READ) return;
        if (e == SSL_ERROR_WANT_WRITE) {
            want_write_ = true;
            return;
        }
        // A close_notify, or the TCP connection ending with or without one:
        // the server closed (an idle timeout, or a per-connection limit).
        return fail("closed by the server");
    }
}

}  // namespace lanlord::bench
