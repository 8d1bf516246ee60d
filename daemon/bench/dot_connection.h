// One DNS-over-TLS connection of `lanlordctl bench` (RFC 7858): a
// non-blocking TCP connect, the TLS handshake and pipelined queries, driven
// by the runner's ppoll() loop (events() says what to wait for, on_ready()
// does what can be done). OpenSSL directly, not Asio: the bench's loop is a
// plain ppoll() over UDP sockets too, and one timestamp per wake-up keeps the
// targets' figures comparable (runner.h).
//
// Authentication is lanlord's own (resolver/net/tls_context.h: the CA store
// or tls_ca_file and the name, or SPKI pins; TLS 1.2 at least): a server that
// fails it is never sent a query, in TLS or in clear.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "common/ip_address.h"
#include "common/time.h"
#include "daemon/bench/stream_framer.h"
#include "resolver/net/tls_context.h"

namespace lanlord::bench {

class DotConnection {
  public:
    enum class State : std::uint8_t { connecting, handshaking, open, failed, closed };
    using OnMessage = std::function<void(std::span<const std::uint8_t>)>;

    // Starts connecting. `resume`: offer the context's last session (false: a
    // full handshake, whatever the context holds). A socket that cannot be
    // made leaves the connection failed at once.
    DotConnection(TlsClientContext& context, const Endpoint& server, bool resume, TimePoint now,
                  Duration setup_timeout);
    ~DotConnection();  // close_notify when open, then the socket closes
    DotConnection(const DotConnection&) = delete;
    DotConnection& operator=(const DotConnection&) = delete;

    State state() const { return state_; }
    bool usable() const { return state_ == State::open; }
    bool done() const { return state_ == State::failed || state_ == State::closed; }
    int fd() const { return fd_; }
    short events() const;  // POLLIN/POLLOUT for ppoll(); 0 once done
    // The setup deadline while connecting or handshaking.
    std::optional<TimePoint> deadline() const;

    // After ppoll(): finishes the connect or the handshake, writes what is
    // queued, reads and hands every whole answer to `on_message`.
    void on_ready(TimePoint now, const OnMessage& on_message);
    // A setup past its deadline fails ("timed out ...").
    void expire(TimePoint now);
    // Queues one DNS message (framed here) and writes what it can at once.
    // Only when usable().
    void send(std::span<const std::uint8_t> message, const OnMessage& on_message);

    // Set when the handshake completed.
    double tcp_ms() const { return tcp_ms_; }
    double setup_ms() const { return setup_ms_; }  // connect() to the end of the handshake
    bool offered_session() const { return offered_session_; }
    bool resumed() const { return resumed_; }
    const std::string& version() const { return version_; }
    // Why it failed, or why it closed ("closed by the server").
    const std::string& error() const { return error_; }
    unsigned answers() const { return answers_; }

  private:
    void fail(std::string why);
    void start_tls(TimePoint now);
    void handshake(TimePoint now);
    void flush(const OnMessage& on_message);
    void read(const OnMessage& on_message);

    TlsClientContext& context_;
    Endpoint server_;
    bool resume_;
    int fd_ = -1;
    SSL* ssl_ = nullptr;
    State state_ = State::connecting;
    TimePoint started_, deadline_;
    bool want_write_ = false;        // the last TLS call wants the socket writable
    bool write_wants_read_ = false;  // SSL_write waits for a record from the server
    std::vector<std::uint8_t> out_;
    StreamFramer framer_;
    double tcp_ms_ = 0, setup_ms_ = 0;
    bool offered_session_ = false, resumed_ = false;
    std::string version_, error_;
    unsigned answers_ = 0;
};

}  // namespace lanlord::bench
