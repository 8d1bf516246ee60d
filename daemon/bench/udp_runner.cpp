#include "daemon/bench/udp_runner.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace lanlord::bench {
namespace {

class Socket {
  public:
    explicit Socket(int fd) : fd_(fd) {}
    Socket(Socket&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
    Socket(const Socket&) = delete;
    ~Socket() {
        if (fd_ >= 0) ::close(fd_);
    }
    int fd() const { return fd_; }

  private:
    int fd_;
};

bool open_socket(const Endpoint& target, std::vector<Socket>& out, std::string& error) {
    sockaddr_storage ss{};
    unsigned len = target.to_sockaddr(ss);
    int fd = ::socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error = "socket for " + target.to_string() + ": " + std::strerror(errno);
        return false;
    }
    out.emplace_back(fd);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&ss), len) != 0) {
        error = "connect to " + target.to_string() + ": " + std::strerror(errno);
        return false;
    }
    return true;
}

timespec until(TimePoint now, TimePoint then) {
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(then - now).count();
    if (ns < 0) ns = 0;
    return timespec{static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)};
}

}  // namespace

bool run_udp(std::vector<TargetRun>& runs, const ProgressFn& progress, const std::function<bool()>& stop,
             std::string& error) {
    std::vector<Socket> sockets;
    for (const auto& run : runs)
        if (!open_socket(run.target().endpoint, sockets, error)) return false;

    std::vector<pollfd> fds(runs.size());
    for (std::size_t i = 0; i < runs.size(); ++i) fds[i] = {sockets[i].fd(), POLLIN, 0};
    std::array<std::uint8_t, 65535> buf;
    TimePoint last_progress{};
    const Duration progress_every = std::chrono::milliseconds(100);
    bool stopping = false;

    for (;;) {
        if (!stopping && stop && stop()) {
            stopping = true;
            for (auto& run : runs) run.stop_sending();
        }
        TimePoint now = Clock::now();
        bool all_done = true;
        std::optional<TimePoint> wake;
        for (std::size_t i = 0; i < runs.size(); ++i) {
            TargetRun& run = runs[i];
            run.expire(now);
            while (run.send_due(now)) {
                auto query = run.next_query(Clock::now());
                // A failed send (no route, ICMP error from an earlier
                // datagram) is left to time out: it is loss either way.
                if (!query.empty()) (void)::send(sockets[i].fd(), query.data(), query.size(), 0);
                now = Clock::now();
            }
            if (!run.finished()) all_done = false;
            if (auto t = run.wake_time(); t && (!wake || *t < *wake)) wake = t;
        }
        if (progress && (all_done || now - last_progress >= progress_every)) {
            progress(now, all_done);
            last_progress = now;
        }
        if (all_done) return true;

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
}

}  // namespace lanlord::bench
