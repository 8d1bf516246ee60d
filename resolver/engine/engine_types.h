// What the resolver engine exchanges with the I/O layer around it.
//
// The engine never touches a socket: the I/O layer hands it bytes with a
// ClientRef saying where they came from, and the engine answers through the
// EngineIo interface (reply to a client, send or stop an upstream attempt).
// Tests implement EngineIo with a recorder and script the upstreams.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "common/ip_address.h"
#include "common/time.h"
#include "common/tls_auth.h"
#include "resolver/engine/query_log.h"

namespace lanlord {

// Where a query came from; opaque to the engine except for the fields it uses
// for access control, routing (the interface) and the size limit (tcp).
struct ClientRef {
    Endpoint peer;
    IpAddress local;             // the address the query was sent to
    unsigned ifindex = 0;        // receiving interface (IP_PKTINFO)
    std::uint32_t listener = 0;  // I/O layer's own bookkeeping
    std::uint64_t connection = 0;
    bool tcp = false;
};

struct TlsServerStats;  // resolver/engine/upstream_group.h

// One upstream attempt: the I/O layer sends `query` from a random source port
// bound to `interface` when not empty, and reports with the same token every
// datagram that arrives on that port with the query's ID (or the TCP answer).
// A port may carry other attempts to the same server, never one with the same
// ID (resolver/net/upstream_socket_pool.h); the engine still checks source,
// ID and question.
struct UpstreamRequest {
    std::uint64_t token = 0;
    Endpoint server;
    const std::string* interface = nullptr;  // egress device for SO_BINDTODEVICE; may be empty
    bool tcp = false;
    std::span<const std::uint8_t> query;
    // DNS over TLS (then tcp is true too): how to authenticate the server, and
    // where its connections count what they do. Null: plain UDP or TCP.
    std::shared_ptr<const TlsAuth> tls = nullptr;
    std::shared_ptr<TlsServerStats> tls_stats = nullptr;
};

struct RecursionResult;

class EngineIo {
  public:
    virtual ~EngineIo() = default;
    virtual void reply(const ClientRef& client, std::span<const std::uint8_t> answer) = 0;
    // After every reply (and for a query dropped by the rate limit, with the
    // query as `message`): how it was answered and how long it took since the
    // query arrived. The query log's hook; the host stamps the wall clock.
    virtual void answered(const ClientRef& client, std::span<const std::uint8_t> message,
                          QueryOutcome outcome, Duration answer_time) {
        (void)client;
        (void)message;
        (void)outcome;
        (void)answer_time;
    }
    virtual void send_upstream(const UpstreamRequest& request) = 0;
    // The attempt is over: close its socket, ignore anything that arrives.
    virtual void close_upstream(std::uint64_t token) = 0;
    // Access control is about to refuse a client that is on no subnet of the
    // receiving interface, as the engine's table has it. A host whose table
    // may be out of date (nothing tells it of changes) can read the
    // interfaces now and set_interfaces(); true: it did, ask again.
    virtual bool refresh_interfaces() { return false; }
    // A trace (ResolverEngine::start_trace) is over.
    virtual void trace_finished(std::uint64_t trace_id, const RecursionResult& result) {
        (void)trace_id;
        (void)result;
    }
};

}  // namespace lanlord
