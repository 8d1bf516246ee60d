// DNS over TLS to upstream servers (RFC 7858), the I/O edge around one
// StreamPipeline per server: it makes the TCP connections (from the group's
// egress interface, SO_BINDTODEVICE), runs the TLS handshakes
// (resolver/net/tls_context.h says how servers are authenticated), frames the
// messages both ways and keeps the pipeline's idle timer. The pipeline
// decides which connection carries which query (stream_pipeline.h).
//
// Strict profile (RFC 8310 section 5): an attempt to a DoT server goes over
// TLS or fails; it is never sent in clear. A failed handshake fails the
// attempts waiting on it at once, so the engine's server selection backs the
// server off and asks the next one, as it does for a dead plain server.
//
// Queries are padded to a multiple of 128 octets (RFC 8467 section 4.1) so
// their length says little about the name.
//
// Each DNS thread has its own DotClient and so its own connections (at most
// StreamPipelineLimits::max_connections per server each); the counters they
// keep (TlsServerStats) are the server's, shared by all threads.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>

#include "resolver/engine/engine_types.h"
#include "resolver/net/stream_pipeline.h"

namespace lanlord {

class DotClient {
  public:
    struct Callbacks {
        std::function<void(std::uint64_t token, const Endpoint& from, std::span<const std::uint8_t>)>
            response;
        std::function<void(std::uint64_t token)> error;
    };
    DotClient(boost::asio::io_context& io, Callbacks callbacks, StreamPipelineLimits limits = {});
    ~DotClient();
    DotClient(const DotClient&) = delete;
    DotClient& operator=(const DotClient&) = delete;

    // `request.tls` is set. Never calls back from inside this call.
    void send(const UpstreamRequest& request);
    // False: the token is not a DoT attempt (or is over already).
    bool close(std::uint64_t token);
    std::size_t open_attempts() const { return tokens_.size(); }
    std::size_t open_connections() const;

  private:
    class Server;
    struct ServerKey {
        Endpoint endpoint;
        std::string interface;
        TlsAuth auth;
        friend bool operator<(const ServerKey& a, const ServerKey& b) {
            return std::tie(a.endpoint, a.interface, a.auth.name, a.auth.pins, a.auth.ca_file) <
                   std::tie(b.endpoint, b.interface, b.auth.name, b.auth.pins, b.auth.ca_file);
        }
    };
    void report_response(std::uint64_t token, const Endpoint& from, std::span<const std::uint8_t> bytes);
    void report_error(std::uint64_t token);

    boost::asio::io_context& io_;
    Callbacks callbacks_;
    StreamPipelineLimits limits_;
    std::map<ServerKey, std::unique_ptr<Server>> servers_;
    std::unordered_map<std::uint64_t, Server*> tokens_;  // attempts not over yet
};

}  // namespace lanlord
