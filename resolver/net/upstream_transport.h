// Sends upstream attempts for the engine: a fresh UDP socket per attempt (so
// every query leaves from a new random source port, chosen by the kernel,
// RFC 5452 section 9.2), bound to the group's egress interface with
// SO_BINDTODEVICE when one is set, or a TCP connection for truncated answers.
// Every datagram that arrives on an attempt's socket goes to the engine, which
// decides whether it is the answer or a forgery; the socket closes when the
// engine says the attempt is over.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

#include "resolver/engine/engine_types.h"

namespace lanlord {

class UpstreamTransport {
  public:
    struct Callbacks {
        std::function<void(std::uint64_t token, const Endpoint& from, std::span<const std::uint8_t>)>
            response;
        std::function<void(std::uint64_t token)> error;
    };
    UpstreamTransport(boost::asio::io_context& io, Callbacks callbacks);
    ~UpstreamTransport();

    void send(const UpstreamRequest& request);
    void close(std::uint64_t token);
    std::size_t open_attempts() const { return attempts_.size(); }

  private:
    struct Attempt;
    void fail_later(std::uint64_t token);
    void start_udp(const std::shared_ptr<Attempt>& a, const UpstreamRequest& r);
    void receive_udp(const std::shared_ptr<Attempt>& a);
    void start_tcp(const std::shared_ptr<Attempt>& a, const UpstreamRequest& r);
    boost::asio::io_context& io_;
    Callbacks callbacks_;
    std::unordered_map<std::uint64_t, std::shared_ptr<Attempt>> attempts_;
    // UDP answers are read here: the engine consumes each one before the next
    // read, so one buffer serves every attempt (a 64 KiB buffer per attempt
    // cost a page fault per miss and 32 MiB of heap at 500 in flight).
    std::vector<std::uint8_t> udp_buffer_ = std::vector<std::uint8_t>(65536);
};

}  // namespace lanlord
