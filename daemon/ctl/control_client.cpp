#include "daemon/ctl/control_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace lanlord::ctl {

namespace {

struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

using SteadyClock = std::chrono::steady_clock;

int remaining_ms(SteadyClock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now()).count();
    return left > 0 ? static_cast<int>(left) : 0;
}

}  // namespace

ClientResult call_control(const std::string& socket_path, const nlohmann::json& request,
                          std::chrono::milliseconds timeout) {
    ClientResult r;
    auto deadline = SteadyClock::now() + timeout;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (socket_path.size() >= sizeof(addr.sun_path)) {
        r.error = "socket path too long: " + socket_path;
        return r;
    }
    std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
    Fd s{::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)};
    if (s.fd < 0 || ::connect(s.fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
        r.error = "cannot connect to " + socket_path + ": " + std::strerror(errno) +
                  " (is lanlord running? see --socket and [control] socket)";
        return r;
    }
    std::string line = request.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    std::size_t sent = 0;
    while (sent < line.size()) {
        ssize_t n = ::send(s.fd, line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            r.error = std::string("cannot send the request: ") + std::strerror(errno);
            return r;
        }
        sent += static_cast<std::size_t>(n);
    }
    std::string reply;
    char buf[65536];
    while (reply.find('\n') == std::string::npos) {
        pollfd p{s.fd, POLLIN, 0};
        int ready = ::poll(&p, 1, remaining_ms(deadline));
        if (ready == 0) {
            r.error = "no reply within " + std::to_string(timeout.count()) + " ms";
            return r;
        }
        if (ready < 0) {
            if (errno == EINTR) continue;
            r.error = std::string("poll: ") + std::strerror(errno);
            return r;
        }
        ssize_t n = ::recv(s.fd, buf, sizeof(buf), 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            r.error = "the daemon closed the connection without a reply";
            return r;
        }
        reply.append(buf, static_cast<std::size_t>(n));
    }
    reply.resize(reply.find('\n'));
    r.reply = nlohmann::json::parse(reply, nullptr, false);
    if (r.reply.is_discarded() || !r.reply.is_object()) {
        r.error = "the reply is not a JSON object";
        return r;
    }
    r.ok = true;
    return r;
}

}  // namespace lanlord::ctl
