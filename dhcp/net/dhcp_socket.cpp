#include "dhcp/net/dhcp_socket.h"

#include "common/fault.h"
#include "common/io/pktinfo.h"

#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace lanlord::dhcp {

DhcpSocket::DhcpSocket(boost::asio::io_context& io, Handler handler, std::function<void()> after_burst)
    : socket_(io), handler_(std::move(handler)), after_burst_(std::move(after_burst)) {}

std::string DhcpSocket::open(std::uint16_t server_port, std::uint16_t client_port) {
    server_port_ = server_port;
    client_port_ = client_port;
    int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return std::strerror(errno);
    int one = 1;
    setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one);
    // Room for bursts: the default 208 KiB held ~250 packets, and at 16,000
    // DORA/s the load test saw receive-buffer drops at 57 % CPU (when the
    // fsync still ran on this loop). 4 MiB holds seconds of a LAN's worst storm.
    io::set_receive_buffer(fd, 4 << 20);
    sockaddr_in any{};
    any.sin_family = AF_INET;
    any.sin_port = htons(server_port);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&any), sizeof any) != 0) {
        std::string why = std::strerror(errno);
        ::close(fd);
        return why;
    }
    boost::system::error_code ec;
    socket_.assign(boost::asio::ip::udp::v4(), fd, ec);
    if (ec) {
        ::close(fd);
        return ec.message();
    }
    arm();
    return "";
}

void DhcpSocket::close() {
    boost::system::error_code ec;
    socket_.close(ec);
}

void DhcpSocket::arm() {
    socket_.async_wait(boost::asio::ip::udp::socket::wait_read, [this](boost::system::error_code ec) {
        if (ec) return;
        for (int i = 0; i < 64; ++i) {
            sockaddr_in peer{};
            alignas(cmsghdr) char control[128];
            iovec iov{buffer_, sizeof buffer_};
            msghdr msg{};
            msg.msg_name = &peer;
            msg.msg_namelen = sizeof peer;
            msg.msg_iov = &iov;
            msg.msg_iovlen = 1;
            msg.msg_control = control;
            msg.msg_controllen = sizeof control;
            ssize_t n = ::recvmsg(socket_.native_handle(), &msg, 0);
            if (n < 0) break;
            unsigned ifindex = io::read_pktinfo(msg).ifindex;
            if (msg.msg_flags & MSG_TRUNC) continue;  // larger than any DHCP message we take
            // One bad packet costs one packet (common/fault.h).
            guarded(FaultSite::dhcp_packet, [&] {
                handler_({buffer_, static_cast<std::size_t>(n)}, ifindex,
                         Endpoint::from_sockaddr(reinterpret_cast<sockaddr*>(&peer)));
            });
        }
        guarded(FaultSite::dhcp_event, [this] { after_burst_(); });
        arm();
    });
}

std::string DhcpSocket::send(std::span<const std::uint8_t> bytes, const Reply& reply, unsigned ifindex) {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    switch (reply.destination) {
        case Destination::relay:
            to.sin_port = htons(server_port_);
            std::memcpy(&to.sin_addr, reply.to.bytes(), 4);
            break;
        case Destination::ciaddr:
            to.sin_port = htons(client_port_);
            std::memcpy(&to.sin_addr, reply.to.bytes(), 4);
            break;
        case Destination::broadcast:
            to.sin_port = htons(client_port_);
            to.sin_addr.s_addr = htonl(INADDR_BROADCAST);
            break;
        case Destination::client_hardware: {
            to.sin_port = htons(client_port_);
            std::memcpy(&to.sin_addr, reply.to.bytes(), 4);
            // The client has no address yet and will not answer ARP: tell the
            // kernel its hardware address, like ISC dhcpd does.
            arpreq req{};
            auto* pa = reinterpret_cast<sockaddr_in*>(&req.arp_pa);
            pa->sin_family = AF_INET;
            pa->sin_addr = to.sin_addr;
            req.arp_ha.sa_family = ARPHRD_ETHER;
            std::memcpy(req.arp_ha.sa_data, reply.packet.chaddr.data(),
                        std::min<std::size_t>(reply.packet.hlen, 14));
            req.arp_flags = ATF_COM;
            std::strncpy(req.arp_dev, reply.interface.c_str(), sizeof req.arp_dev - 1);
            if (::ioctl(socket_.native_handle(), SIOCSARP, &req) != 0) {
                // Without the ARP entry the unicast cannot reach it: broadcast instead.
                to.sin_addr.s_addr = htonl(INADDR_BROADCAST);
            }
            break;
        }
    }
    // Out of the interface the request came in (matters for broadcasts).
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(in_pktinfo))] = {};
    iovec iov{const_cast<std::uint8_t*>(bytes.data()), bytes.size()};
    msghdr msg{};
    msg.msg_name = &to;
    msg.msg_namelen = sizeof to;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    if (ifindex && reply.destination != Destination::relay) {
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        cmsghdr* c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = IPPROTO_IP;
        c->cmsg_type = IP_PKTINFO;
        c->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
        in_pktinfo info{};
        info.ipi_ifindex = static_cast<int>(ifindex);
        std::memcpy(CMSG_DATA(c), &info, sizeof info);
    }
    if (::sendmsg(socket_.native_handle(), &msg, MSG_DONTWAIT) < 0) {
        ++send_errors_;
        return std::strerror(errno);
    }
    return "";
}

std::string DhcpSocket::interface_name(unsigned ifindex) {
    if (ifindex == 0) return {};
    ifreq req{};
    req.ifr_ifindex = static_cast<int>(ifindex);
    if (::ioctl(socket_.native_handle(), SIOCGIFNAME, &req) != 0) return {};
    return std::string(req.ifr_name, strnlen(req.ifr_name, IFNAMSIZ));
}

}  // namespace lanlord::dhcp
