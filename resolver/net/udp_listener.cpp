#include "resolver/net/udp_listener.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace lanlord {

UdpListener::UdpListener(boost::asio::io_context& io, std::uint32_t index, Handler handler)
    : socket_(io), index_(index), handler_(std::move(handler)) {}

std::string UdpListener::open(const Endpoint& address) {
    address_ = address;
    int family = address.address.is_v4() ? AF_INET : AF_INET6;
    int fd = ::socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return std::strerror(errno);
    // No SO_REUSEADDR: for UDP it would let a second daemon bind the same
    // address and silently share (steal) its queries.
    int one = 1;
    if (family == AF_INET) {
        setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one);
    } else {
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
        setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one);
    }
    sockaddr_storage ss;
    unsigned len = address.to_sockaddr(ss);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
        std::string why = std::strerror(errno);
        ::close(fd);
        return why;
    }
    socket_.assign(family == AF_INET ? boost::asio::ip::udp::v4() : boost::asio::ip::udp::v6(), fd);
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
        drain();
        arm();
    });
}

void UdpListener::drain() {
    int fd = socket_.native_handle();
    // A bounded batch, then back to the event loop so TCP and upstream
    // sockets get their turn under a flood.
    for (int i = 0; i < 64; ++i) {
        sockaddr_storage peer;
        alignas(cmsghdr) char control[256];
        iovec iov{buffer_, sizeof buffer_};
        msghdr msg{};
        msg.msg_name = &peer;
        msg.msg_namelen = sizeof peer;
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        ssize_t n = ::recvmsg(fd, &msg, 0);
        if (n < 0) return;
        ClientRef client;
        client.peer = Endpoint::from_sockaddr(reinterpret_cast<sockaddr*>(&peer));
        client.listener = index_;
        client.local = address_.address;
        for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
            if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
                in_pktinfo info;
                std::memcpy(&info, CMSG_DATA(c), sizeof info);
                client.ifindex = static_cast<unsigned>(info.ipi_ifindex);
                client.local = IpAddress::v4_bytes(reinterpret_cast<const std::uint8_t*>(&info.ipi_addr));
            } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
                in6_pktinfo info;
                std::memcpy(&info, CMSG_DATA(c), sizeof info);
                client.ifindex = info.ipi6_ifindex;
                client.local = IpAddress::v6_bytes(info.ipi6_addr.s6_addr);
            }
        }
        handler_({buffer_, static_cast<std::size_t>(n)}, client);
    }
}

void UdpListener::send(const ClientRef& client, std::span<const std::uint8_t> bytes) {
    sockaddr_storage ss;
    unsigned len = client.peer.to_sockaddr(ss);
    // Answer from the address the query was sent to (matters when bound to a wildcard).
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(in6_pktinfo))] = {};
    iovec iov{const_cast<std::uint8_t*>(bytes.data()), bytes.size()};
    msghdr msg{};
    msg.msg_name = &ss;
    msg.msg_namelen = len;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    if (address_.address.is_unspecified()) {
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
    }
    if (::sendmsg(socket_.native_handle(), &msg, MSG_DONTWAIT) < 0) ++dropped_sends_;
}

}  // namespace lanlord
