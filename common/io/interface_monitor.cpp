#include "common/io/interface_monitor.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/fault.h"
#include "common/io/interfaces.h"
#include "common/io/netlink_scan.h"
#include "common/log.h"

namespace lanlord::io {

namespace {
// Datagrams read per wake-up before other work gets its turn.
constexpr int kReadsPerWake = 64;
// A link event carries the link's statistics; 16 KiB holds any we have seen,
// and a bigger one (MSG_TRUNC) still says "something changed".
constexpr std::size_t kBufferSize = 16384;
// Room for a burst of events (a bridge with many ports going up) before
// the kernel drops some (ENOBUFS, which costs a full re-read, nothing more).
constexpr int kReceiveBuffer = 256 * 1024;
// getifaddrs failed (its own netlink dump can run out of memory): try again.
constexpr std::chrono::seconds kRetryAfterFailedRead{1};
}  // namespace

InterfaceMonitor::InterfaceMonitor(boost::asio::io_context& io, OnChange on_change, OnLost on_lost,
                                   std::chrono::milliseconds debounce)
    : io_(io),
      on_change_(std::move(on_change)),
      on_lost_(std::move(on_lost)),
      debounce_(debounce),
      debounce_timer_(io) {}

InterfaceMonitor::~InterfaceMonitor() {
    if (stream_) stream_->close();
}

std::string InterfaceMonitor::start() {
    std::string error = subscribe();
    current_ = read_interfaces();
    return error;
}

std::string InterfaceMonitor::subscribe() {
    int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
    if (fd < 0) return std::string("netlink socket: ") + std::strerror(errno);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &kReceiveBuffer, sizeof kReceiveBuffer);  // best effort
    sockaddr_nl local{};
    local.nl_family = AF_NETLINK;
    local.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
        std::string error = std::string("netlink bind: ") + std::strerror(errno);
        ::close(fd);
        return error;
    }
    stream_ = std::make_unique<boost::asio::posix::stream_descriptor>(io_, fd);
    arm();
    return "";
}

void InterfaceMonitor::arm() {
    stream_->async_wait(boost::asio::posix::stream_descriptor::wait_read,
                        [this](boost::system::error_code ec) {
                            if (ec == boost::asio::error::operation_aborted || !stream_) return;
                            if (ec) return lost("netlink socket: " + ec.message());
                            // Behind the catch boundary: a throw here would
                            // leave the socket unarmed, so it counts as lost
                            // (interfaces are then read on demand).
                            if (!guarded(FaultSite::daemon_event, [this] { on_readable(); }))
                                lost("an exception while reading netlink");
                        });
}

void InterfaceMonitor::on_readable() {
    alignas(nlmsghdr) std::uint8_t buffer[kBufferSize];
    bool reread = false;
    int fd = stream_->native_handle();
    for (int i = 0; i < kReadsPerWake; ++i) {
        sockaddr_nl from{};
        iovec iov{buffer, sizeof buffer};
        msghdr msg{};
        msg.msg_name = &from;
        msg.msg_namelen = sizeof from;
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        ssize_t n = ::recvmsg(fd, &msg, MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            if (errno == EINTR) continue;
            if (errno == ENOBUFS) {  // the queue overflowed: events were lost, read everything
                spdlog::debug("netlink: events lost (ENOBUFS); re-reading the interfaces");
                reread = true;
                continue;
            }
            if (reread) changed();
            return lost(std::string("netlink receive: ") + std::strerror(errno));
        }
        // Only the kernel tells us of changes: a datagram another process
        // sent to our port (that takes CAP_NET_ADMIN) is dropped unread.
        if (msg.msg_namelen < sizeof from || from.nl_family != AF_NETLINK || from.nl_pid != 0) continue;
        if ((msg.msg_flags & MSG_TRUNC) || scan_netlink({buffer, static_cast<std::size_t>(n)}).reread())
            reread = true;
    }
    if (reread) changed();
    arm();
}

// Coalesces a burst: the first event arms the timer, later ones within the
// window ride along; an event after the read arms it again.
void InterfaceMonitor::changed() {
    if (reread_pending_) return;
    reread_pending_ = true;
    debounce_timer_.expires_after(debounce_);
    debounce_timer_.async_wait([this](boost::system::error_code ec) {
        if (ec) return;
        // A throw (out of memory) must not leave a re-read pending for ever.
        if (!guarded(FaultSite::daemon_event, [this] { reread(); })) reread_pending_ = false;
    });
}

void InterfaceMonitor::reread() {
    std::optional<InterfaceTable> table = try_read_interfaces();
    if (!table) {
        debounce_timer_.expires_after(kRetryAfterFailedRead);
        debounce_timer_.async_wait([this](boost::system::error_code retry_ec) {
            if (retry_ec) return;
            reread_pending_ = false;
            changed();
        });
        return;
    }
    reread_pending_ = false;
    if (*table == current_) return;  // e.g. a link's carrier or statistics: nothing we use
    current_ = std::move(*table);
    guarded(FaultSite::daemon_event, [this] { on_change_(current_); });
}

void InterfaceMonitor::lost(const std::string& why) {
    if (!stream_) return;
    boost::system::error_code ignored;
    stream_->close(ignored);
    stream_.reset();
    on_lost_(why);
}

}  // namespace lanlord::io
