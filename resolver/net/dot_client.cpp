#include "resolver/net/dot_client.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <cstring>
#include <vector>

#include "common/byte_cursor.h"
#include "common/fault.h"
#include "resolver/engine/upstream_group.h"
#include "resolver/net/tls_context.h"
#include "resolver/wire/edns_padding.h"

namespace lanlord {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {
// A TCP connect and TLS handshake that take longer than this are given up
// (the engine has moved on to another server long before: its attempt's
// timeout is a few RTTs).
constexpr Duration kHandshakeTimeout = seconds(5);
// After a connection fails before the server was authenticated (refused,
// unreachable, bad certificate), new attempts fail at once, without a
// connection, for this long, doubling per failure in a row up to the most:
// otherwise every retry of the engine (it has a budget of 24 per query) would
// cost the server, and us, a TCP and TLS handshake. The engine's own backoff
// of the server (1 s doubling to 60 s) is the same shape.
constexpr Duration kFirstHold = seconds(1);
// Received bytes are read this much at a time (a TLS record holds up to 16 KiB).
constexpr std::size_t kReadChunk = 16384;
constexpr Duration kMostHold = seconds(60);
}  // namespace

class DotClient::Server final : public StreamPipelineIo {
  public:
    Server(DotClient& owner, asio::io_context& io, const UpstreamRequest& r, StreamPipelineLimits limits)
        : owner_(owner),
          io_(io),
          endpoint_(r.server),
          interface_(r.interface ? *r.interface : std::string()),
          stats_(r.tls_stats ? r.tls_stats : std::make_shared<TlsServerStats>()),
          pipeline_(*this, limits),
          timer_(io) {
        tls_ = TlsClientContext::make(*r.tls, context_error_);
        name_ = r.tls->name.empty() ? endpoint_.to_string() : endpoint_.to_string() + "#" + r.tls->name;
    }

    ~Server() override {
        for (auto& [id, c] : connections_) shut(*c);
    }

    void submit(std::uint64_t token, std::span<const std::uint8_t> query) {
        if (Clock::now() < hold_until_) {
            stats_->failed.fetch_add(1, std::memory_order_relaxed);
            failures_.push_back(token);
            asio::post(io_, [this] { guarded(FaultSite::upstream_error, [this] { dispatch(); }); });
            return;
        }
        stats_->queries.fetch_add(1, std::memory_order_relaxed);
        // RFC 8467 section 4.1: queries padded to a multiple of 128 octets.
        query_.assign(query.begin(), query.end());
        query_.resize(query.size() + kQueryPaddingBlock + 4);
        query_.resize(pad_message(query_, query.size(), kQueryPaddingBlock));
        pipeline_.submit(token, query_, Clock::now());
        // Inside the engine's send: failures are reported from the reactor.
        if (!failures_.empty() || !answers_.empty())
            asio::post(io_, [this] { guarded(FaultSite::upstream_error, [this] { dispatch(); }); });
        schedule();
    }

    void cancel(std::uint64_t token) {
        pipeline_.cancel(token);
        schedule();
    }

    std::size_t connections() const { return connections_.size(); }

    // StreamPipelineIo: the pipeline's decisions.
    void open(std::uint64_t id) override;
    void write(std::uint64_t id, std::span<const std::uint8_t> framed) override;
    void close(std::uint64_t id) override;
    void deliver(std::uint64_t token, std::span<const std::uint8_t> answer) override {
        answers_.emplace_back(token, std::vector<std::uint8_t>(answer.begin(), answer.end()));
    }
    void fail(std::uint64_t token) override { failures_.push_back(token); }

  private:
    struct Connection {
        Connection(asio::io_context& io, asio::ssl::context& context) : stream(io, context), deadline(io) {}
        std::uint64_t id = 0;
        asio::ssl::stream<tcp::socket> stream;
        asio::steady_timer deadline;
        std::vector<std::uint8_t> in, out, writing;  // in: received, in_used bytes of it not taken yet
        std::size_t in_used = 0;
        bool connected = false, closed = false, writing_now = false;
    };
    using ConnectionPtr = std::shared_ptr<Connection>;

    void start(const ConnectionPtr& c);
    void handshake(const ConnectionPtr& c);
    void established(const ConnectionPtr& c);
    void read_more(const ConnectionPtr& c);
    void flush(const ConnectionPtr& c);
    // The connection is gone (error, EOF, a failed handshake): the pipeline
    // retries or fails what was on it.
    void lost(const ConnectionPtr& c, const std::string& handshake_failure);
    void lost_later(std::uint64_t id, std::string reason);
    void shut(Connection& c) {
        if (c.closed) return;
        c.closed = true;
        // Freed without this, OpenSSL takes the connection for a broken one
        // and marks its session not resumable: no reconnect could resume.
        if (c.connected)
            SSL_set_shutdown(c.stream.native_handle(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
        boost::system::error_code ec;
        c.deadline.cancel();
        c.stream.next_layer().close(ec);
        stats_->open_connections.fetch_sub(1, std::memory_order_relaxed);
    }
    // Hands what the pipeline decided to the engine, after the pipeline's
    // call returned (the engine may call back into us).
    void dispatch();
    void schedule();
    void note_failure(const std::string& reason);

    DotClient& owner_;
    asio::io_context& io_;
    Endpoint endpoint_;
    std::string interface_;
    std::string name_;  // for logs: address#name
    std::shared_ptr<TlsServerStats> stats_;
    std::unique_ptr<TlsClientContext> tls_;
    std::string context_error_;
    StreamPipeline pipeline_;
    std::map<std::uint64_t, ConnectionPtr> connections_;
    asio::steady_timer timer_;
    TimePoint timer_at_ = TimePoint::max();
    std::vector<std::uint8_t> query_;
    std::vector<std::pair<std::uint64_t, std::vector<std::uint8_t>>> answers_;
    std::vector<std::uint64_t> failures_;
    std::uint64_t retried_seen_ = 0, failed_seen_ = 0;
    TimePoint hold_until_{};  // no new connection before (kFirstHold)
    Duration hold_{};
};

void DotClient::Server::open(std::uint64_t id) {
    stats_->connections_opened.fetch_add(1, std::memory_order_relaxed);
    if (!tls_) return lost_later(id, context_error_);
    auto c = std::make_shared<Connection>(io_, tls_->context());
    c->id = id;
    connections_[id] = c;
    stats_->open_connections.fetch_add(1, std::memory_order_relaxed);
    start(c);
}

void DotClient::Server::lost_later(std::uint64_t id, std::string reason) {
    // Never inside the pipeline's own call: from the reactor.
    asio::post(io_, [this, id, reason = std::move(reason)] {
        guarded(FaultSite::upstream_error, [&] {
            note_failure(reason);
            pipeline_.closed(id, Clock::now());
            dispatch();
            schedule();
        });
    });
}

void DotClient::Server::start(const ConnectionPtr& c) {
    int family = endpoint_.address.is_v4() ? AF_INET : AF_INET6;
    int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd >= 0 && !interface_.empty() &&
        setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, interface_.c_str(),
                   static_cast<socklen_t>(interface_.size())) != 0) {
        ::close(fd);
        fd = -1;
    }
    boost::system::error_code ec;
    if (fd >= 0) c->stream.next_layer().assign(family == AF_INET ? tcp::v4() : tcp::v6(), fd, ec);
    if (fd < 0 || ec) {
        if (fd >= 0 && ec) ::close(fd);
        shut(*c);
        connections_.erase(c->id);
        return lost_later(c->id, "cannot open a socket: " + std::string(std::strerror(errno)));
    }
    if (!tls_->prepare(c->stream.native_handle(), endpoint_.address)) {
        shut(*c);
        connections_.erase(c->id);
        return lost_later(c->id, "cannot set up the TLS session");
    }
    c->deadline.expires_after(kHandshakeTimeout);
    std::weak_ptr<Connection> weak = c;
    c->deadline.async_wait([weak](boost::system::error_code wait_ec) {
        auto conn = weak.lock();
        if (wait_ec || !conn || conn->connected || conn->closed) return;
        boost::system::error_code close_ec;
        conn->stream.next_layer().close(close_ec);  // the pending step fails: lost() runs there
    });
    auto address = asio::ip::make_address(endpoint_.address.to_string(), ec);
    c->stream.next_layer().async_connect({address, endpoint_.port}, [this,
                                                                     c](boost::system::error_code step_ec) {
        if (c->closed) return;
        guarded(FaultSite::upstream_error, [&] {
            if (step_ec) return lost(c, "cannot connect: " + step_ec.message());
            int one = 1;  // queries are small and latency-bound (RFC 7766 section 10)
            setsockopt(c->stream.next_layer().native_handle(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            handshake(c);
        });
    });
}

void DotClient::Server::handshake(const ConnectionPtr& c) {
    c->stream.async_handshake(asio::ssl::stream_base::client, [this, c](boost::system::error_code ec) {
        if (c->closed) return;
        guarded(FaultSite::upstream_error, [&] {
            if (ec)
                return lost(c, TlsClientContext::failure_reason(c->stream.native_handle(),
                                                                "TLS handshake failed: " + ec.message()));
            std::string refused = tls_->check_peer(c->stream.native_handle());
            if (!refused.empty()) return lost(c, refused);
            established(c);
        });
    });
}

void DotClient::Server::established(const ConnectionPtr& c) {
    SSL* ssl = c->stream.native_handle();
    c->connected = true;
    c->deadline.cancel();
    stats_->handshakes.fetch_add(1, std::memory_order_relaxed);
    if (TlsClientContext::resumed(ssl)) stats_->resumed.fetch_add(1, std::memory_order_relaxed);
    stats_->verified.store(true, std::memory_order_relaxed);
    stats_->set_version(TlsClientContext::version(ssl));
    hold_ = Duration::zero();
    hold_until_ = {};
    if (stats_->clear_logged_error())
        spdlog::info("DNS over TLS to {}: authenticated again ({})", name_, TlsClientContext::version(ssl));
    read_more(c);
    pipeline_.connected(c->id, Clock::now());  // writes what waited for it
    dispatch();
    schedule();
}

void DotClient::Server::write(std::uint64_t id, std::span<const std::uint8_t> framed) {
    auto it = connections_.find(id);
    if (it == connections_.end()) return;
    auto& c = it->second;
    c->out.insert(c->out.end(), framed.begin(), framed.end());
    if (c->connected && !c->writing_now) flush(c);
}

// Everything queued goes out in one write (one TLS record when it fits):
// pipelined queries cost one system call, not one each.
void DotClient::Server::flush(const ConnectionPtr& c) {
    if (c->out.empty() || c->closed) return;
    c->writing.swap(c->out);
    c->out.clear();
    c->writing_now = true;
    asio::async_write(c->stream, asio::buffer(c->writing),
                      [this, c](boost::system::error_code ec, std::size_t) {
                          c->writing_now = false;
                          if (c->closed) return;
                          guarded(FaultSite::upstream_error, [&] {
                              if (ec) return lost(c, "");
                              c->writing.clear();
                              flush(c);
                          });
                      });
}

// Reads whatever has arrived into one buffer and takes every whole message
// out of it: under load one read (one TLS record or several) carries many
// answers, where reading each length and body separately cost two reads,
// two handler dispatches and two trips through the TLS layer per answer.
void DotClient::Server::read_more(const ConnectionPtr& c) {
    if (c->in.size() - c->in_used < kReadChunk / 2) c->in.resize(c->in_used + kReadChunk);
    auto room = asio::buffer(c->in.data() + c->in_used, c->in.size() - c->in_used);
    c->stream.async_read_some(room, [this, c](boost::system::error_code ec, std::size_t n) {
        if (c->closed) return;
        guarded(FaultSite::upstream_response, [&] {
            if (ec) return lost(c, "");  // EOF or reset: the server closed it
            c->in_used += n;
            std::size_t at = 0;
            while (c->in_used - at >= 2 && !c->closed) {
                std::size_t length = load_u16(c->in.data() + at);
                if (length == 0) return lost(c, "");  // no message is empty: a broken stream
                if (c->in_used - at < 2 + length) {
                    if (c->in.size() < 2 + length) c->in.resize(2 + length + kReadChunk);
                    break;
                }
                pipeline_.received(c->id, std::span(c->in).subspan(at + 2, length), Clock::now());
                at += 2 + length;
            }
            if (c->closed) return dispatch();
            std::memmove(c->in.data(), c->in.data() + at, c->in_used - at);
            c->in_used -= at;
            dispatch();
            schedule();
            if (!c->closed) read_more(c);
        });
    });
}

void DotClient::Server::close(std::uint64_t id) {
    auto it = connections_.find(id);
    if (it == connections_.end()) return;
    // TCP closed without a TLS close_notify: the server sees the end of the
    // stream either way, and no DNS message is lost by it (RFC 7766 6.2.3).
    shut(*it->second);
    connections_.erase(it);
}

void DotClient::Server::lost(const ConnectionPtr& c, const std::string& handshake_failure) {
    bool was_connected = c->connected;
    shut(*c);
    connections_.erase(c->id);
    if (!was_connected)
        note_failure(handshake_failure.empty() ? "the connection closed during the handshake"
                                               : handshake_failure);
    pipeline_.closed(c->id, Clock::now());
    dispatch();
    schedule();
}

void DotClient::Server::note_failure(const std::string& reason) {
    stats_->handshake_failures.fetch_add(1, std::memory_order_relaxed);
    stats_->verified.store(false, std::memory_order_relaxed);
    hold_ = hold_ == Duration::zero() ? kFirstHold : std::min(2 * hold_, kMostHold);
    hold_until_ = Clock::now() + hold_;
    // Logged once per reason (over all DNS threads), not per connection: a
    // server that keeps failing the same way says so once, and again when
    // the reason changes or after it worked in between.
    if (stats_->set_error(reason))
        spdlog::warn("DNS over TLS to {}: {}; not used in clear (strict profile, RFC 8310)", name_, reason);
}

void DotClient::Server::dispatch() {
    const StreamPipelineStats& s = pipeline_.stats();
    stats_->retried.fetch_add(s.retried - retried_seen_, std::memory_order_relaxed);
    stats_->failed.fetch_add(s.failed - failed_seen_, std::memory_order_relaxed);
    retried_seen_ = s.retried;
    failed_seen_ = s.failed;
    while (!answers_.empty() || !failures_.empty()) {
        auto answers = std::move(answers_);
        auto failures = std::move(failures_);
        answers_.clear();
        failures_.clear();
        for (auto& [token, bytes] : answers) {
            stats_->answers.fetch_add(1, std::memory_order_relaxed);
            owner_.report_response(token, endpoint_, bytes);
        }
        for (std::uint64_t token : failures) owner_.report_error(token);
    }
}

void DotClient::Server::schedule() {
    auto next = pipeline_.next_timer();
    if (!next || *next >= timer_at_) return;
    timer_at_ = *next;
    timer_.expires_at(*next);
    timer_.async_wait([this](boost::system::error_code ec) {
        if (ec) return;
        timer_at_ = TimePoint::max();
        guarded(FaultSite::dns_timer, [this] {
            pipeline_.tick(Clock::now());
            dispatch();
        });
        schedule();
    });
}

DotClient::DotClient(asio::io_context& io, Callbacks callbacks, StreamPipelineLimits limits)
    : io_(io), callbacks_(std::move(callbacks)), limits_(limits) {}

DotClient::~DotClient() = default;

void DotClient::send(const UpstreamRequest& r) {
    ServerKey key{r.server, r.interface ? *r.interface : std::string(), *r.tls};
    auto it = servers_.find(key);
    if (it == servers_.end())
        it = servers_.emplace(key, std::make_unique<Server>(*this, io_, r, limits_)).first;
    tokens_[r.token] = it->second.get();
    it->second->submit(r.token, r.query);
}

bool DotClient::close(std::uint64_t token) {
    auto it = tokens_.find(token);
    if (it == tokens_.end()) return false;
    Server* server = it->second;
    tokens_.erase(it);
    server->cancel(token);
    return true;
}

std::size_t DotClient::open_connections() const {
    std::size_t n = 0;
    for (const auto& [key, server] : servers_) n += server->connections();
    return n;
}

void DotClient::report_response(std::uint64_t token, const Endpoint& from,
                                std::span<const std::uint8_t> bytes) {
    if (!tokens_.contains(token)) return;  // closed meanwhile
    guarded(FaultSite::upstream_response, [&] { callbacks_.response(token, from, bytes); });
}

void DotClient::report_error(std::uint64_t token) {
    if (!tokens_.erase(token)) return;
    guarded(FaultSite::upstream_error, [&] { callbacks_.error(token); });
}

}  // namespace lanlord
