#include "dhcp/net/icmp_prober.h"

#include <linux/icmp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstring>

#include "common/fault.h"
#include "dhcp/wire/icmp_echo.h"

namespace lanlord::dhcp {

IcmpProber::IcmpProber(boost::asio::io_context& io, Done done)
    : io_(io), socket_(io), done_(std::move(done)), identifier_(static_cast<std::uint16_t>(::getpid())) {}

IcmpProber::~IcmpProber() {
    boost::system::error_code ec;
    socket_.close(ec);
}

std::string IcmpProber::open() {
    int fd = ::socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
    if (fd < 0) return std::strerror(errno);
    // Every ICMP message the host receives would reach a raw socket: only echo
    // replies are let through (the bit of each type set = filtered out).
    icmp_filter filter{~(1u << ICMP_ECHOREPLY)};
    setsockopt(fd, SOL_RAW, ICMP_FILTER, &filter, sizeof filter);
    boost::system::error_code ec;
    socket_.assign(boost::asio::ip::icmp::v4(), fd, ec);
    if (ec) {
        ::close(fd);
        return ec.message();
    }
    arm();
    return "";
}

void IcmpProber::start(const Probe& probe) {
    auto timer = std::make_unique<boost::asio::steady_timer>(io_);
    timer->expires_after(std::chrono::milliseconds(probe.timeout_ms));
    timer->async_wait([this, id = probe.id](boost::system::error_code ec) {
        if (!ec) guarded(FaultSite::dhcp_event, [&] { finish(id, false); });
    });
    running_[probe.id] = Running{probe.address, std::move(timer)};
    auto bytes = build_echo_request(identifier_, probe.id);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    std::memcpy(&to.sin_addr, probe.address.bytes(), 4);
    // A failed send (no route, neighbour table full) is like silence: the
    // timer ends the probe.
    if (::sendto(socket_.native_handle(), bytes.data(), bytes.size(), MSG_DONTWAIT,
                 reinterpret_cast<sockaddr*>(&to), sizeof to) < 0)
        ++send_errors_;
}

void IcmpProber::finish(std::uint16_t id, bool answered) {
    auto it = running_.find(id);
    if (it == running_.end()) return;
    IpAddress address = it->second.address;
    running_.erase(it);  // before the callback: it may start the next probe
    done_(id, address, answered);
}

void IcmpProber::arm() {
    socket_.async_wait(boost::asio::ip::icmp::socket::wait_read, [this](boost::system::error_code ec) {
        if (ec) return;
        for (int i = 0; i < 64; ++i) {
            ssize_t n = ::recv(socket_.native_handle(), buffer_, sizeof buffer_, MSG_DONTWAIT);
            if (n < 0) break;
            auto reply = parse_echo_reply({buffer_, static_cast<std::size_t>(n)});
            if (!reply || reply->identifier != identifier_) continue;  // someone else's ping
            auto it = running_.find(reply->sequence);
            if (it == running_.end() || it->second.address != reply->source) continue;
            it->second.timer->cancel();
            guarded(FaultSite::dhcp_event, [&] { finish(reply->sequence, true); });
        }
        arm();
    });
}

}  // namespace lanlord::dhcp
