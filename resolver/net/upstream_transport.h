// Sends upstream attempts for the engine. UDP attempts leave from a small
// rotating set of sockets per (server, egress interface), each bound to its own
// kernel-random source port (RFC 5452 section 9.2) and to the group's egress
// interface with SO_BINDTODEVICE when one is set; UpstreamSocketPool decides
// which socket an attempt uses, how long a socket lives and which attempt an
// arriving datagram belongs to (its header says why sockets are shared and
// what that costs). Truncated answers are asked again over a TCP connection of
// their own. Attempts to DNS over TLS servers go to the DotClient
// (resolver/net/dot_client.h), which keeps connections to reuse.
//
// A socket is registered with the reactor once, for its whole life; when it
// is readable, its datagrams are taken with recvmmsg into one buffer owned
// here and each goes to the engine, which decides whether it is the answer or
// a forgery. Nothing is allocated per UDP attempt but the token's map entry.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "resolver/engine/engine_types.h"
#include "resolver/net/dot_client.h"
#include "resolver/net/upstream_socket_pool.h"

namespace lanlord {

struct UpstreamTransportStats {
    std::uint64_t sockets_opened = 0;
    std::uint64_t stray = 0;      // datagrams with an ID never sent on their socket: forged or misdirected
    std::uint64_t late = 0;       // answers to attempts already over
    std::uint64_t oversized = 0;  // datagrams longer than the receive buffer (cut, then judged by the engine)
};

class UpstreamTransport {
  public:
    struct Callbacks {
        std::function<void(std::uint64_t token, const Endpoint& from, std::span<const std::uint8_t>)>
            response;
        std::function<void(std::uint64_t token)> error;
    };
    UpstreamTransport(boost::asio::io_context& io, Callbacks callbacks, UpstreamSocketLimits limits = {});
    ~UpstreamTransport();

    void send(const UpstreamRequest& request);
    void close(std::uint64_t token);
    std::size_t open_attempts() const {
        return pool_.open_attempts() + tcp_.size() + failed_.size() + dot_.open_attempts();
    }
    std::size_t open_sockets() const { return pool_.open_sockets() + tcp_.size() + dot_.open_connections(); }
    const UpstreamTransportStats& stats() const { return stats_; }

  private:
    struct TcpAttempt;
    struct UdpSocket {
        explicit UdpSocket(boost::asio::io_context& io) : socket(io) {}
        boost::asio::ip::udp::socket socket;
        std::uint32_t generation = 0;  // tells a stale completion from the socket now in this slot
    };
    struct ReceiveBatch;
    void fail_later(std::uint64_t token);
    void send_udp(const UpstreamRequest& r);
    bool open_udp(UpstreamSocketPool::SocketId id, const UpstreamRequest& r);
    void close_udp(UpstreamSocketPool::SocketId id);
    void arm(UpstreamSocketPool::SocketId id);
    void drain(UpstreamSocketPool::SocketId id, std::uint32_t generation);
    bool alive(UpstreamSocketPool::SocketId id, std::uint32_t generation) const;
    void schedule_expiry();
    void start_tcp(const std::shared_ptr<TcpAttempt>& a, const UpstreamRequest& r);
    // The TCP exchange as a flat state machine: each step's completion comes
    // back here with the step it completed.
    enum class TcpStep : std::uint8_t { connected, written, length_read, body_read };
    void on_tcp_step(const std::shared_ptr<TcpAttempt>& a, TcpStep done, boost::system::error_code ec);
    // Hand-overs to the engine, each behind its catch boundary (common/fault.h).
    void report_response(std::uint64_t token, const Endpoint& from, std::span<const std::uint8_t> bytes);
    void report_error(std::uint64_t token);

    boost::asio::io_context& io_;
    Callbacks callbacks_;
    UpstreamSocketPool pool_;
    std::vector<std::unique_ptr<UdpSocket>> udp_;  // by SocketId; null when closed
    std::uint32_t next_generation_ = 1;
    boost::asio::steady_timer expiry_timer_;
    TimePoint expiry_at_ = TimePoint::max();
    std::uint64_t random_state_;  // slot choice only; ports and IDs come from the kernel and the engine
    std::unique_ptr<ReceiveBatch> batch_;
    std::unordered_map<std::uint64_t, std::shared_ptr<TcpAttempt>> tcp_;
    std::unordered_set<std::uint64_t> failed_;  // UDP attempts whose error is posted
    UpstreamTransportStats stats_;
    DotClient dot_;  // last: destroyed first, while what it reports to is still here
};

}  // namespace lanlord
