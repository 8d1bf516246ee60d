#include "resolver/net/dns_service.h"

#include <algorithm>
#include <chrono>

#include "common/fault.h"

namespace lanlord {

DnsService::DnsService(boost::asio::io_context& io, PacketCache& cache, ResolverEngine::Random random,
                       std::shared_ptr<UpstreamGroups> shared_groups)
    : io_(io),
      engine_(*this, cache, std::move(random), std::move(shared_groups)),
      transport_(io, {[this](std::uint64_t token, const Endpoint& from, std::span<const std::uint8_t> bytes) {
                          engine_.handle_upstream_response(token, from, bytes, event_now_ = Clock::now());
                          reschedule();
                      },
                      [this](std::uint64_t token) {
                          engine_.handle_upstream_error(token, event_now_ = Clock::now());
                          reschedule();
                      }}),
      timer_(io) {}

DnsService::~DnsService() {
    close();
}

std::string DnsService::listen(const std::vector<Endpoint>& addresses, bool reuse_port,
                               std::vector<InheritedListener>* inherited) {
    // The inherited socket of this address and transport, taken out of the list; -1 when none.
    auto take = [&](const Endpoint& a, bool tcp) {
        if (!inherited) return -1;
        for (auto it = inherited->begin(); it != inherited->end(); ++it)
            if (it->tcp == tcp && it->local == a) {
                int fd = it->fd;
                inherited->erase(it);
                return fd;
            }
        return -1;
    };
    for (const auto& a : addresses) {
        auto index = static_cast<std::uint32_t>(udp_.size());
        auto handler = [this](std::span<const std::uint8_t> b, const ClientRef& c) { on_query(b, c); };
        auto u = std::make_unique<UdpListener>(io_, index, handler);
        int fd = take(a, false);
        if (auto err = fd >= 0 ? u->adopt(fd, a) : u->open(a, reuse_port); !err.empty())
            return "UDP " + a.to_string() + ": " + err;
        auto t = std::make_unique<TcpListener>(io_, static_cast<std::uint32_t>(tcp_.size()), handler);
        fd = take(a, true);
        if (auto err = fd >= 0 ? t->adopt(fd, a) : t->open(a, reuse_port); !err.empty())
            return "TCP " + a.to_string() + ": " + err;
        udp_.push_back(std::move(u));
        tcp_.push_back(std::move(t));
    }
    return "";
}

std::string DnsService::listen_tls(const std::vector<Endpoint>& addresses, bool reuse_port,
                                   const std::shared_ptr<boost::asio::ssl::context>& context) {
    for (const auto& a : addresses) {
        // Indices after the plain listeners': replies find their listener in tcp_.
        auto index = static_cast<std::uint32_t>(tcp_.size());
        auto handler = [this](std::span<const std::uint8_t> b, const ClientRef& c) { on_query(b, c); };
        auto t = std::make_unique<TcpListener>(io_, index, handler);
        t->set_tls(context);
        if (auto err = t->open(a, reuse_port); !err.empty())
            return "DNS over TLS " + a.to_string() + ": " + err;
        tcp_.push_back(std::move(t));
    }
    return "";
}

void DnsService::set_tls_context(const std::shared_ptr<boost::asio::ssl::context>& context) {
    for (auto& t : tcp_)
        if (t->tls()) t->set_tls(context);
}

EngineStats DnsService::stats() const {
    EngineStats s = engine_.stats();
    s.spoof_mismatches += transport_.stats().stray;
    if (const Iterator* it = engine_.iterator()) s.iterator = it->stats();
    return s;
}

void DnsService::set_tcp_limits(unsigned max_connections, Duration idle_timeout) {
    for (auto& t : tcp_) t->set_limits(max_connections, idle_timeout);
}

std::vector<Endpoint> DnsService::listening() const {
    std::vector<Endpoint> out;
    for (const auto& u : udp_) out.push_back(u->address());
    return out;
}

void DnsService::close() {
    for (auto& u : udp_) u->close();
    for (auto& t : tcp_) t->close();
    timer_.cancel();
}

void DnsService::on_query(std::span<const std::uint8_t> bytes, const ClientRef& client) {
    engine_.handle_query(bytes, client, event_now_ = Clock::now());
    reschedule();
}

void DnsService::reschedule() {
    auto next = engine_.next_timer();
    TimePoint at = next ? *next : TimePoint::max();
    if (at == timer_at_) return;
    timer_at_ = at;
    if (!next) {
        timer_.cancel();
        return;
    }
    timer_.expires_at(at);
    timer_.async_wait([this](boost::system::error_code ec) {
        if (ec) return;
        timer_at_ = TimePoint::max();
        guarded(FaultSite::dns_timer, [this] { engine_.handle_timers(event_now_ = Clock::now()); });
        reschedule();
    });
}

void DnsService::reply(const ClientRef& client, std::span<const std::uint8_t> answer) {
    if (client.tcp) {
        if (client.listener < tcp_.size()) tcp_[client.listener]->send(client, answer);
    } else if (client.listener < udp_.size()) {
        udp_[client.listener]->send(client, answer);
    }
}

void DnsService::answered(const ClientRef& client, std::span<const std::uint8_t> message,
                          QueryOutcome outcome, Duration answer_time) {
    if (!query_log_ || query_log_->privacy() == QueryLogPrivacy::off) return;
    using std::chrono::duration_cast;
    // The engine measures from the `now` of the query's own event; the work
    // of this event so far (all of a cache hit's) is added with one clock read.
    answer_time += Clock::now() - event_now_;
    auto us = duration_cast<std::chrono::microseconds>(answer_time).count();
    auto wall_ms =
        duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch() -
                                                 duration_cast<std::chrono::milliseconds>(answer_time))
            .count();
    record_answer(log_record_, message, client.peer.address, client.tcp, outcome,
                  static_cast<std::uint32_t>(std::clamp<long long>(us, 0, UINT32_MAX)), wall_ms);
    query_log_->append(log_record_);
}

void DnsService::send_upstream(const UpstreamRequest& request) {
    transport_.send(request);
}
bool DnsService::start_trace(std::string_view wire_name, std::uint16_t qtype, TraceDone done) {
    std::uint64_t id = next_trace_++;
    traces_[id] = std::move(done);
    if (!engine_.start_trace(id, wire_name, qtype, Clock::now())) {
        traces_.erase(id);
        return false;
    }
    reschedule();
    return true;
}

void DnsService::trace_finished(std::uint64_t trace_id, const RecursionResult& result) {
    auto it = traces_.find(trace_id);
    if (it == traces_.end()) return;
    TraceDone done = std::move(it->second);
    traces_.erase(it);
    done(result);
}

void DnsService::close_upstream(std::uint64_t token) {
    transport_.close(token);
}

// At most once a second: a non-local client sending a stream of queries must
// not turn each of them into an interface dump.
bool DnsService::refresh_interfaces() {
    if (!read_interfaces_) return false;
    TimePoint now = Clock::now();
    if (interfaces_read_at_ != TimePoint{} && now - interfaces_read_at_ < seconds(1)) return false;
    interfaces_read_at_ = now;
    std::optional<InterfaceTable> table = read_interfaces_();
    if (!table) return false;
    engine_.set_interfaces(std::move(*table));
    return true;
}

}  // namespace lanlord
