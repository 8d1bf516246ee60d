#include "daemon/bench/runner.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <memory>
#include <utility>

#include "daemon/bench/dot_connection.h"
#include "resolver/wire/edns_padding.h"

namespace lanlord::bench {
namespace {

class Socket {
  public:
    Socket() = default;
    explicit Socket(int fd) : fd_(fd) {}
    Socket(Socket&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    Socket& operator=(Socket&& o) noexcept {
        std::swap(fd_, o.fd_);
        return *this;
    }
    ~Socket() {
        if (fd_ >= 0) ::close(fd_);
    }
    int fd() const { return fd_; }

  private:
    int fd_ = -1;
};

bool open_udp_socket(const Endpoint& target, Socket& out, std::string& error) {
    sockaddr_storage ss{};
    unsigned len = target.to_sockaddr(ss);
    int fd = ::socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error = "socket for " + target.to_string() + ": " + std::strerror(errno);
        return false;
    }
    Socket socket(fd);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&ss), len) != 0) {
        error = "connect to " + target.to_string() + ": " + std::strerror(errno);
        return false;
    }
    out = std::move(socket);
    return true;
}

timespec until(TimePoint now, TimePoint then) {
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(then - now).count();
    if (ns < 0) ns = 0;
    return timespec{static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)};
}

void earliest(std::optional<TimePoint>& wake, std::optional<TimePoint> t) {
    if (t && (!wake || *t < *wake)) wake = t;
}

// Between a failed connection and the next attempt.
constexpr Duration kReconnectPause = std::chrono::milliseconds(500);

// One DoT target's connections (runner.h, steps 1-4).
class DotChannel {
  public:
    DotChannel(TargetRun& run, std::unique_ptr<TlsClientContext> context, const BenchSettings& settings)
        : run_(run),
          context_(std::move(context)),
          settings_(settings),
          interval_(std::chrono::duration_cast<Duration>(std::chrono::duration<double>(1.0 / settings.rate))),
          full_left_(settings.tls_handshake_probes),
          resumed_left_(settings.tls_handshake_probes) {}

    TlsSamples& samples() { return samples_; }
    pollfd poll_entry() const { return conn_ ? pollfd{conn_->fd(), conn_->events(), 0} : pollfd{-1, 0, 0}; }

    // `all_queries_done`: every target's queries are settled; the timed
    // handshakes wait for that, so their crypto (on this one thread) never
    // delays another target's answers.
    void step(TimePoint now, bool stopping, bool all_queries_done) {
        if (conn_) {
            conn_->expire(now);
            if (conn_->usable() && !recorded_) record_handshake();
            if (conn_->done()) end_connection(now);
        }
        if (!probing_) {
            if (run_.finished()) {
                conn_.reset();  // close_notify: the queries are done
                if (all_queries_done) {
                    probing_ = true;
                    if (gave_up_) full_left_ = resumed_left_ = 0;
                }
            } else if (!conn_) {
                if (!gave_up_ && run_.send_due(now) && now >= next_connect_) open(now, true);
            } else if (conn_->usable()) {
                send_due_queries(now);
            }
        }
        if (probing_) {
            if (stopping) {
                full_left_ = resumed_left_ = 0;
                conn_.reset();
            } else if (conn_ && conn_->usable() &&
                       (context_->sessions_received() != sessions_at_open_ || now >= ticket_deadline_)) {
                // Timed, and its ticket is in (or none came): the next
                // resumed probe offers a fresh one, as a client should.
                conn_.reset();
                next_connect_ = now + interval_;
            } else if (!conn_ && probes_left() && now >= next_connect_) {
                // Alternate, full first: both kinds see the same moments.
                bool resume = resumed_left_ > full_left_ || full_left_ == 0;
                --(resume ? resumed_left_ : full_left_);
                open(now, resume);
            }
        }
    }

    void on_ready(TimePoint received) {
        if (!conn_) return;
        conn_->on_ready(received, [&](std::span<const std::uint8_t> msg) {
            run_.on_datagram(msg, run_.target().endpoint, received);
        });
    }

    bool finished() const { return probing_ && !conn_ && !probes_left(); }

    // When step() has something to do next (deadlines of queries out included).
    std::optional<TimePoint> wake_time(TimePoint now) const {
        std::optional<TimePoint> wake = run_.deadline_time();
        if (conn_) {
            earliest(wake, conn_->deadline());  // set up in time, or fail
            if (conn_->done() || (conn_->usable() && !recorded_))
                earliest(wake, now);  // to record it or end it
            else if (conn_->usable() && probing_)
                earliest(wake, ticket_deadline_);  // or its ticket, when it comes
            else if (conn_->usable())
                earliest(wake, run_.wake_time());  // the next query
        } else if (probing_) {
            if (probes_left()) earliest(wake, next_connect_);
        } else if (run_.finished()) {
            // On to the probes once every target is done (another target's
            // answer or deadline wakes the loop until then).
        } else if (!gave_up_) {
            if (auto send = run_.wake_time()) earliest(wake, std::max(*send, next_connect_));
        }
        return wake;
    }

  private:
    bool probes_left() const { return full_left_ + resumed_left_ > 0; }

    void open(TimePoint now, bool resume) {
        conn_ = std::make_unique<DotConnection>(*context_, run_.target().endpoint, resume, now,
                                                settings_.timeout);
        recorded_ = false;
        query_connection_ = !probing_;
        sessions_at_open_ = context_->sessions_received();
        if (conn_->done()) end_connection(now);
    }

    void record_handshake() {
        recorded_ = true;
        if (conn_->offered_session()) ++samples_.resumption_offered;
        (conn_->resumed() ? samples_.resumed_ms : samples_.full_ms).push_back(conn_->setup_ms());
        samples_.tcp_ms.push_back(conn_->tcp_ms());
        samples_.version = conn_->version();
        if (query_connection_) ++samples_.query_connections;
        failures_in_row_ = 0;
        // A TLS 1.3 server sends its tickets once it has the client's
        // Finished: about one round trip (the TCP connect's) after this.
        auto rtt = std::chrono::duration<double, std::milli>(conn_->tcp_ms());
        ticket_deadline_ = Clock::now() + std::min<Duration>(std::chrono::duration_cast<Duration>(3 * rtt) +
                                                                 std::chrono::milliseconds(50),
                                                             settings_.timeout);
    }

    void end_connection(TimePoint now) {
        if (!recorded_) {
            // It never became usable: refused, timed out, or not authenticated.
            ++samples_.failures;
            samples_.error = conn_->error();
            if (query_connection_ && ++failures_in_row_ >= settings_.tls_connect_attempts) {
                gave_up_ = samples_.gave_up = true;
                // Strict (RFC 8310): never asked in clear instead.
                samples_.unsent += static_cast<unsigned>(run_.stop_sending());
            }
            next_connect_ = now + kReconnectPause;
        } else if (query_connection_) {
            ++samples_.closed_by_server;  // the next query opens another at once
        }
        conn_.reset();
    }

    void send_due_queries(TimePoint now) {
        while (conn_->usable() && run_.send_due(now)) {
            auto query = run_.next_query(Clock::now());
            if (!query.empty()) {
                std::size_t len = query.size();
                query.resize(len + 4 + kQueryPaddingBlock);  // room for the Padding option
                query.resize(pad_message(query, len, kQueryPaddingBlock));
                conn_->send(query, [&](std::span<const std::uint8_t> msg) {
                    run_.on_datagram(msg, run_.target().endpoint, Clock::now());
                });
            }
            now = Clock::now();
        }
    }

    TargetRun& run_;
    std::unique_ptr<TlsClientContext> context_;
    BenchSettings settings_;
    Duration interval_;
    std::unique_ptr<DotConnection> conn_;
    bool recorded_ = false, query_connection_ = false, probing_ = false, gave_up_ = false;
    unsigned failures_in_row_ = 0, full_left_, resumed_left_;
    TimePoint next_connect_{}, ticket_deadline_{};
    unsigned sessions_at_open_ = 0;
    TlsSamples samples_;
};

}  // namespace

bool run_targets(std::vector<TargetRun>& runs, std::vector<TlsSamples>& tls, const ProgressFn& progress,
                 const std::function<bool()>& stop, std::string& error) {
    std::vector<Socket> sockets(runs.size());
    std::vector<std::unique_ptr<DotChannel>> channels(runs.size());
    for (std::size_t i = 0; i < runs.size(); ++i) {
        const Target& t = runs[i].target();
        if (t.transport == Transport::udp) {
            if (!open_udp_socket(t.endpoint, sockets[i], error)) return false;
            continue;
        }
        std::string why;
        auto context = TlsClientContext::make(t.tls, why);
        if (!context) {
            error = t.name + ": " + why;
            return false;
        }
        channels[i] = std::make_unique<DotChannel>(runs[i], std::move(context), runs[i].settings());
    }

    std::vector<pollfd> fds(runs.size());
    std::array<std::uint8_t, 65535> buf;
    TimePoint last_progress{};
    const Duration progress_every = std::chrono::milliseconds(100);
    bool stopping = false;

    for (;;) {
        if (!stopping && stop && stop()) {
            stopping = true;
            for (auto& run : runs) (void)run.stop_sending();
        }
        TimePoint now = Clock::now();
        bool all_done = true;
        const bool all_queries_done =
            std::all_of(runs.begin(), runs.end(), [](const TargetRun& r) { return r.finished(); });
        std::optional<TimePoint> wake;
        for (std::size_t i = 0; i < runs.size(); ++i) {
            TargetRun& run = runs[i];
            run.expire(now);
            if (channels[i]) {
                channels[i]->step(now, stopping, all_queries_done);
                now = Clock::now();
                if (!channels[i]->finished()) all_done = false;
                earliest(wake, channels[i]->wake_time(now));
                fds[i] = channels[i]->poll_entry();
                continue;
            }
            while (run.send_due(now)) {
                auto query = run.next_query(Clock::now());
                // A failed send (no route, ICMP error from an earlier
                // datagram) is left to time out: it is loss either way.
                if (!query.empty()) (void)::send(sockets[i].fd(), query.data(), query.size(), 0);
                now = Clock::now();
            }
            if (!run.finished()) all_done = false;
            earliest(wake, run.wake_time());
            fds[i] = {sockets[i].fd(), POLLIN, 0};
        }
        if (progress && (all_done || now - last_progress >= progress_every)) {
            progress(now, all_done);
            last_progress = now;
        }
        if (all_done) break;

        TimePoint deadline = wake ? *wake : now + progress_every;
        if (progress) deadline = std::min(deadline, now + progress_every);
        timespec ts = until(now, deadline);
        int n = ::ppoll(fds.data(), fds.size(), &ts, nullptr);
        if (n < 0 && errno != EINTR) {
            error = std::string("ppoll: ") + std::strerror(errno);
            return false;
        }
        if (n <= 0) continue;
        // One timestamp per wake-up, taken before any parsing: the answers
        // that woke us arrived no later than this.
        TimePoint received = Clock::now();
        for (std::size_t i = 0; i < runs.size(); ++i) {
            if (fds[i].revents == 0) continue;
            if (channels[i]) {
                channels[i]->on_ready(received);
                continue;
            }
            if (!(fds[i].revents & (POLLIN | POLLERR))) continue;
            for (;;) {
                sockaddr_storage from{};
                socklen_t from_len = sizeof from;
                ssize_t got = ::recvfrom(fds[i].fd, buf.data(), buf.size(), 0,
                                         reinterpret_cast<sockaddr*>(&from), &from_len);
                if (got < 0) {
                    if (errno == EINTR) continue;
                    // An ICMP error of an earlier send is reported once and
                    // cleared; that query just times out. Anything else ends
                    // this socket's turn.
                    if (errno == ECONNREFUSED || errno == EHOSTUNREACH || errno == ENETUNREACH) continue;
                    break;
                }
                runs[i].on_datagram({buf.data(), static_cast<std::size_t>(got)},
                                    Endpoint::from_sockaddr(reinterpret_cast<const sockaddr*>(&from)),
                                    received);
            }
        }
    }
    tls.assign(runs.size(), TlsSamples{});
    for (std::size_t i = 0; i < runs.size(); ++i)
        if (channels[i]) tls[i] = channels[i]->samples();
    return true;
}

}  // namespace lanlord::bench
