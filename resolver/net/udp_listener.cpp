#include "resolver/net/udp_listener.h"

#include <fcntl.h>

#include "common/fault.h"
#include "common/io/pktinfo.h"

#include <netinet/in.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace lanlord {

namespace {
constexpr std::size_t kControlSize = CMSG_SPACE(sizeof(in6_pktinfo)) + 16;
}

struct UdpListener::Batch {
    // receive side
    mmsghdr in[kBatch];
    iovec in_iov[kBatch];
    sockaddr_storage in_peer[kBatch];
    alignas(cmsghdr) char in_control[kBatch][kControlSize];
    std::uint8_t in_data[kBatch][kQueryBuffer];
    // send side: answers produced while the batch is handled
    mmsghdr out[kBatch];
    iovec out_iov[kBatch];
    sockaddr_storage out_peer[kBatch];
    alignas(cmsghdr) char out_control[kBatch][kControlSize];
    std::uint8_t out_data[kBatch][kAnswerBuffer];
    unsigned out_count = 0;
};

UdpListener::UdpListener(boost::asio::io_context& io, std::uint32_t index, Handler handler)
    // `new Batch` (not make_unique): default-initialised, so the 256 KiB of
    // buffers are not zeroed and cost resident memory only when used.
    : socket_(io), index_(index), handler_(std::move(handler)), batch_(new Batch) {}

UdpListener::~UdpListener() = default;

std::string UdpListener::open(const Endpoint& address, bool reuse_port) {
    int family = address.address.is_v4() ? AF_INET : AF_INET6;
    int fd = ::socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return std::strerror(errno);
    // No SO_REUSEADDR: for UDP it would let a second daemon bind the same
    // address and silently share (steal) its queries. SO_REUSEPORT only
    // joins sockets of the same user, which is how our threads share one.
    int one = 1;
    if (reuse_port) setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    if (family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    sockaddr_storage ss;
    unsigned len = address.to_sockaddr(ss);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
        std::string why = std::strerror(errno);
        ::close(fd);
        return why;
    }
    return adopt(fd, address);
}

std::string UdpListener::adopt(int fd, const Endpoint& address) {
    address_ = address;
    int family = address.address.is_v4() ? AF_INET : AF_INET6;
    int one = 1;
    // A socket from systemd may come blocking and without our options.
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    // Room for bursts (a LAN waking up, a benchmark's 500 outstanding queries).
    io::set_receive_buffer(fd, 4 << 20);
    if (family == AF_INET)
        setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one);
    else
        setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one);
    boost::system::error_code ec;
    socket_.assign(family == AF_INET ? boost::asio::ip::udp::v4() : boost::asio::ip::udp::v6(), fd, ec);
    if (ec) {
        ::close(fd);
        return ec.message();
    }
    arm();
    return "";
}

void UdpListener::close() {
    boost::system::error_code ec;
    socket_.close(ec);
}

void UdpListener::arm() {
    socket_.async_wait(boost::asio::ip::udp::socket::wait_read, [this](boost::system::error_code ec) {
        if (ec) return;
        // Each packet has its own boundary (below); this one only guards the
        // batch machinery, so the socket is always armed again.
        guarded(FaultSite::event_loop, [this] { drain(); });
        if (in_batch_) {  // a throw inside the batch: send what was answered
            in_batch_ = false;
            flush();
        }
        arm();
    });
}

void UdpListener::drain() {
    int fd = socket_.native_handle();
    Batch& b = *batch_;
    // A few batches, then back to the event loop so TCP and upstream sockets
    // get their turn under a flood.
    for (int round = 0; round < 4; ++round) {
        for (unsigned i = 0; i < kBatch; ++i) {
            b.in_iov[i] = {b.in_data[i], kQueryBuffer};
            msghdr& m = b.in[i].msg_hdr;
            m.msg_name = &b.in_peer[i];
            m.msg_namelen = sizeof b.in_peer[i];
            m.msg_iov = &b.in_iov[i];
            m.msg_iovlen = 1;
            m.msg_control = b.in_control[i];
            m.msg_controllen = kControlSize;
            m.msg_flags = 0;
        }
        int n = ::recvmmsg(fd, b.in, kBatch, MSG_DONTWAIT, nullptr);
        if (n <= 0) return;
        in_batch_ = true;
        for (int i = 0; i < n; ++i) {
            msghdr& m = b.in[i].msg_hdr;
            if (m.msg_flags & MSG_TRUNC) {  // longer than any sane query: drop, counted
                ++truncated_;
                continue;
            }
            ClientRef client;
            client.peer = Endpoint::from_sockaddr(reinterpret_cast<sockaddr*>(&b.in_peer[i]));
            client.listener = index_;
            client.local = address_.address;
            io::PacketInfo info = io::read_pktinfo(m);
            client.ifindex = info.ifindex;
            if (info.destination) client.local = *info.destination;
            // One bad packet costs one packet (common/fault.h).
            guarded(FaultSite::udp_query, [&] { handler_({b.in_data[i], b.in[i].msg_len}, client); });
        }
        in_batch_ = false;
        flush();
        if (static_cast<unsigned>(n) < kBatch) return;
    }
}

// Fills name and, when bound to a wildcard, the source address (pktinfo).
unsigned UdpListener::fill_header(msghdr& msg, const ClientRef& client, sockaddr_storage& peer,
                                  char* control) {
    msg.msg_name = &peer;
    msg.msg_namelen = client.peer.to_sockaddr(peer);
    msg.msg_control = nullptr;
    msg.msg_controllen = 0;
    msg.msg_flags = 0;
    if (!address_.address.is_unspecified()) return 0;
    std::memset(control, 0, kControlSize);
    msg.msg_control = control;
    cmsghdr* c = reinterpret_cast<cmsghdr*>(control);
    if (client.peer.address.is_v4()) {
        c->cmsg_level = IPPROTO_IP;
        c->cmsg_type = IP_PKTINFO;
        c->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
        in_pktinfo info{};
        std::memcpy(&info.ipi_spec_dst, client.local.bytes(), 4);
        std::memcpy(CMSG_DATA(c), &info, sizeof info);
        msg.msg_controllen = CMSG_SPACE(sizeof(in_pktinfo));
    } else {
        c->cmsg_level = IPPROTO_IPV6;
        c->cmsg_type = IPV6_PKTINFO;
        c->cmsg_len = CMSG_LEN(sizeof(in6_pktinfo));
        in6_pktinfo info{};
        std::memcpy(info.ipi6_addr.s6_addr, client.local.bytes(), 16);
        std::memcpy(CMSG_DATA(c), &info, sizeof info);
        msg.msg_controllen = CMSG_SPACE(sizeof(in6_pktinfo));
    }
    return 0;
}

void UdpListener::send(const ClientRef& client, std::span<const std::uint8_t> bytes) {
    Batch& b = *batch_;
    if (!in_batch_ || bytes.size() > kAnswerBuffer) return send_now(client, bytes);
    if (b.out_count == kBatch) flush();
    unsigned i = b.out_count++;
    std::memcpy(b.out_data[i], bytes.data(), bytes.size());
    b.out_iov[i] = {b.out_data[i], bytes.size()};
    msghdr& m = b.out[i].msg_hdr;
    fill_header(m, client, b.out_peer[i], b.out_control[i]);
    m.msg_iov = &b.out_iov[i];
    m.msg_iovlen = 1;
}

void UdpListener::flush() {
    Batch& b = *batch_;
    unsigned done = 0;
    while (done < b.out_count) {
        int n = ::sendmmsg(socket_.native_handle(), b.out + done, b.out_count - done, MSG_DONTWAIT);
        if (n <= 0) {  // buffer full or peer gone: the rest of this batch is lost, counted
            dropped_sends_ += b.out_count - done;
            break;
        }
        done += static_cast<unsigned>(n);
    }
    b.out_count = 0;
}

void UdpListener::send_now(const ClientRef& client, std::span<const std::uint8_t> bytes) {
    sockaddr_storage peer;
    alignas(cmsghdr) char control[kControlSize];
    msghdr msg{};
    iovec iov{const_cast<std::uint8_t*>(bytes.data()), bytes.size()};
    fill_header(msg, client, peer, control);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    if (::sendmsg(socket_.native_handle(), &msg, MSG_DONTWAIT) < 0) ++dropped_sends_;
}

}  // namespace lanlord
