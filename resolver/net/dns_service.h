// The DNS side of the daemon at run time: listeners, the upstream transport
// and the engine's timer around one ResolverEngine on one io_context. It is the
// engine's EngineIo: answers go back through the listener they came from.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "resolver/engine/resolver_engine.h"
#include "resolver/net/tcp_listener.h"
#include "resolver/net/udp_listener.h"
#include "resolver/net/upstream_transport.h"

namespace lanlord {

// A socket handed over by systemd (common/io/socket_activation.h).
struct InheritedListener {
    int fd = -1;
    Endpoint local;
    bool tcp = false;
};

class DnsService : public EngineIo {
  public:
    DnsService(boost::asio::io_context& io, PacketCache& cache, ResolverEngine::Random random,
               std::shared_ptr<UpstreamGroups> shared_groups = nullptr);
    ~DnsService() override;

    // Binds UDP and TCP on every address; returns "" or the first failure.
    // `reuse_port`: other threads bind the same addresses (SO_REUSEPORT).
    // `inherited`: sockets from systemd, used for the addresses they are
    // bound to instead of new ones (taken: the fds belong to this service).
    std::string listen(const std::vector<Endpoint>& addresses, bool reuse_port = false,
                       std::vector<InheritedListener>* inherited = nullptr);
    // DNS over TLS listeners (RFC 7858) on `addresses`, with `context`'s
    // certificate; the same limits as TCP.
    std::string listen_tls(const std::vector<Endpoint>& addresses, bool reuse_port,
                           const std::shared_ptr<boost::asio::ssl::context>& context);
    // A new certificate (SIGHUP): new connections use it.
    void set_tls_context(const std::shared_ptr<boost::asio::ssl::context>& context);
    void set_tcp_limits(unsigned max_connections, Duration idle_timeout);
    std::vector<Endpoint> listening() const;
    void close();

    ResolverEngine& engine() { return engine_; }
    // The engine's counters, with the datagrams the upstream transport threw
    // away before the engine saw them (an ID never sent on their socket)
    // counted as the spoof attempts they most likely are.
    EngineStats stats() const;
    const UpstreamTransport& transport() const { return transport_; }
    // Call after changing engine state from outside an event (e.g. reload).
    void reschedule();
    // For when nothing tells the daemon of interface changes (no netlink
    // subscription): a client about to be refused as not local makes the
    // engine's table be read again with `read`, at most once a second; a
    // null from `read` (it failed) keeps the old table. Empty (the default):
    // never.
    void set_interface_reader(std::function<std::optional<InterfaceTable>()> read) {
        read_interfaces_ = std::move(read);
    }

    // `lanlordctl trace`: `done` gets the result on this service's thread;
    // false (and `done` is not called): no recursive group.
    using TraceDone = std::function<void(const RecursionResult&)>;
    bool start_trace(std::string_view wire_name, std::uint16_t qtype, TraceDone done);

    // The query log ring this service's engine writes (answered()); null:
    // none. Set before the service's thread runs, not changed after.
    void set_query_log(QueryLogRing* ring) { query_log_ = ring; }

    void reply(const ClientRef& client, std::span<const std::uint8_t> answer) override;
    // Stamps the wall clock (when the query arrived) and appends to the ring.
    void answered(const ClientRef& client, std::span<const std::uint8_t> message, QueryOutcome outcome,
                  Duration answer_time) override;
    void trace_finished(std::uint64_t trace_id, const RecursionResult& result) override;
    void send_upstream(const UpstreamRequest& request) override;
    void close_upstream(std::uint64_t token) override;
    bool refresh_interfaces() override;

  private:
    void on_query(std::span<const std::uint8_t> bytes, const ClientRef& client);
    boost::asio::io_context& io_;
    ResolverEngine engine_;
    UpstreamTransport transport_;
    boost::asio::steady_timer timer_;
    TimePoint timer_at_ = TimePoint::max();
    std::function<std::optional<InterfaceTable>()> read_interfaces_;
    TimePoint interfaces_read_at_{};
    std::vector<std::unique_ptr<UdpListener>> udp_;
    std::vector<std::unique_ptr<TcpListener>> tcp_;
    std::map<std::uint64_t, TraceDone> traces_;
    QueryLogRing* query_log_ = nullptr;
    TimePoint event_now_{};      // the `now` given to the engine for the event being handled
    QueryLogRecord log_record_;  // built here for each answer: no allocation
    std::uint64_t next_trace_ = 1;
};

}  // namespace lanlord
