// UpstreamTransport over real loopback sockets: fake servers are plain UDP
// sockets on 127.0.0.1; the test plays them by hand.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <thread>
#include <vector>

#include "resolver/net/upstream_transport.h"

using namespace lanlord;

namespace {

// A UDP socket on 127.0.0.1 with a kernel-chosen port.
struct FakeServer {
    int fd = -1;
    Endpoint address;
    FakeServer() {
        fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
        socklen_t len = sizeof sa;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
        address = Endpoint::from_sockaddr(reinterpret_cast<sockaddr*>(&sa));
        timeval tv{2, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    ~FakeServer() { ::close(fd); }
    // The next query and where it came from.
    std::pair<std::vector<std::uint8_t>, Endpoint> receive() {
        std::vector<std::uint8_t> buf(4096);
        sockaddr_storage from{};
        socklen_t len = sizeof from;
        ssize_t n = ::recvfrom(fd, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
        REQUIRE(n >= 0);
        buf.resize(static_cast<std::size_t>(n));
        return {buf, Endpoint::from_sockaddr(reinterpret_cast<sockaddr*>(&from))};
    }
    void send_to(const Endpoint& to, std::vector<std::uint8_t> bytes) {
        sockaddr_storage ss;
        unsigned len = to.to_sockaddr(ss);
        REQUIRE(::sendto(fd, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&ss), len) ==
                static_cast<ssize_t>(bytes.size()));
    }
};

// Not a DNS message the engine would take; the transport only reads the ID.
std::vector<std::uint8_t> datagram(std::uint16_t id, std::uint8_t tag) {
    return {static_cast<std::uint8_t>(id >> 8), static_cast<std::uint8_t>(id), 0x80, 0, tag};
}

struct Received {
    std::uint64_t token;
    Endpoint from;
    std::vector<std::uint8_t> bytes;
};

struct Harness {
    boost::asio::io_context io;
    std::vector<Received> received;
    std::vector<std::uint64_t> errors;
    UpstreamTransport transport;
    explicit Harness(UpstreamSocketLimits limits)
        : transport(io,
                    {[this](std::uint64_t t, const Endpoint& from, std::span<const std::uint8_t> b) {
                         received.push_back({t, from, {b.begin(), b.end()}});
                     },
                     [this](std::uint64_t t) { errors.push_back(t); }},
                    limits) {}
    void send(std::uint64_t token, const Endpoint& server, std::uint16_t id) {
        auto q = datagram(id, 0);
        transport.send({token, server, nullptr, false, q});
    }
    // Runs the loop until `n` datagrams more were handled (or a second passed).
    void pump_until(std::function<bool()> done) {
        auto until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
        while (!done() && std::chrono::steady_clock::now() < until) {
            io.restart();
            io.run_for(std::chrono::milliseconds(5));
        }
    }
    void settle() {
        io.restart();
        io.run_for(std::chrono::milliseconds(50));
    }
    std::uint64_t seen() const {
        const auto& s = transport.stats();
        return received.size() + s.stray + s.late;
    }
};

}  // namespace

TEST_CASE("upstream_transport: attempts to one server share a port, each answer reaches its attempt") {
    Harness h({.sockets_per_server = 1});
    FakeServer server;
    h.send(1, server.address, 0x1111);
    h.send(2, server.address, 0x2222);
    auto [q1, from1] = server.receive();
    auto [q2, from2] = server.receive();
    CHECK(from1 == from2);  // one socket
    CHECK(h.transport.stats().sockets_opened == 1);
    server.send_to(from1, datagram(0x2222, 2));
    server.send_to(from1, datagram(0x1111, 1));
    h.pump_until([&] { return h.received.size() == 2; });
    REQUIRE(h.received.size() == 2);
    CHECK(h.received[0].token == 2);
    CHECK(h.received[0].from == server.address);
    CHECK(h.received[1].token == 1);
    CHECK(h.received[1].bytes == datagram(0x1111, 1));
}

TEST_CASE("upstream_transport: an answer with the right ID on another attempt's socket is rejected") {
    Harness h({.sockets_per_server = 1});
    FakeServer s1, s2;
    h.send(1, s1.address, 0x1111);
    h.send(2, s2.address, 0x2222);
    auto [q1, port1] = s1.receive();
    auto [q2, port2] = s2.receive();
    REQUIRE(port1 != port2);  // one server, one set of sockets
    // Attempt 1's ID, sent to attempt 2's port (by its own server or by anyone
    // who saw that port): matches nothing there.
    s2.send_to(port2, datagram(0x1111, 9));
    s1.send_to(port2, datagram(0x1111, 9));
    h.pump_until([&] { return h.seen() == 2; });
    CHECK(h.received.empty());
    CHECK(h.transport.stats().stray == 2);
    // Attempt 2's ID from the wrong server goes to attempt 2, whose engine
    // sees the wrong source and rejects it, as before sockets were shared.
    s1.send_to(port2, datagram(0x2222, 8));
    h.pump_until([&] { return h.received.size() == 1; });
    REQUIRE(h.received.size() == 1);
    CHECK(h.received[0].token == 2);
    CHECK(h.received[0].from == s1.address);
}

TEST_CASE("upstream_transport: an answer after close_upstream is ignored") {
    Harness h({.sockets_per_server = 1});
    FakeServer server;
    h.send(1, server.address, 0x1111);
    h.send(2, server.address, 0x2222);
    auto [q1, port] = server.receive();
    server.receive();
    h.transport.close(1);
    server.send_to(port, datagram(0x1111, 1));  // late: its attempt is over
    server.send_to(port, datagram(0x2222, 2));
    h.pump_until([&] { return h.seen() == 2; });
    REQUIRE(h.received.size() == 1);
    CHECK(h.received[0].token == 2);
    CHECK(h.transport.stats().late == 1);
    CHECK(h.transport.stats().stray == 0);
    h.transport.close(2);
    CHECK(h.transport.open_attempts() == 0);
}

TEST_CASE("upstream_transport: a socket is retired after its quota and closed with its last attempt") {
    Harness h({.sockets_per_server = 1, .queries_per_socket = 2});
    FakeServer server;
    h.send(1, server.address, 1);
    h.send(2, server.address, 2);
    h.send(3, server.address, 3);  // the first socket is full: a new port
    auto [qa, port1] = server.receive();
    auto [qb, port1b] = server.receive();
    auto [qc, port2] = server.receive();
    CHECK(port1 == port1b);
    CHECK(port2 != port1);
    CHECK(h.transport.stats().sockets_opened == 2);
    CHECK(h.transport.open_sockets() == 2);
    h.transport.close(1);
    CHECK(h.transport.open_sockets() == 2);
    h.transport.close(2);  // its last attempt: the socket closes
    CHECK(h.transport.open_sockets() == 1);
    // Its port is closed now: an answer there never arrives.
    server.send_to(port1, datagram(2, 2));
    server.send_to(port2, datagram(3, 3));
    h.pump_until([&] { return h.received.size() == 1; });
    h.settle();
    REQUIRE(h.received.size() == 1);
    CHECK(h.received[0].token == 3);
    CHECK(h.transport.stats().late == 0);
}

TEST_CASE("upstream_transport: an idle socket closes after its lifetime, the next attempt gets a new port") {
    Harness h({.sockets_per_server = 1, .lifetime = std::chrono::milliseconds(100)});
    FakeServer server;
    h.send(1, server.address, 1);
    auto [q1, port1] = server.receive();
    h.transport.close(1);
    CHECK(h.transport.open_sockets() == 1);  // kept for the next attempt
    h.pump_until([&] { return h.transport.open_sockets() == 0; });
    CHECK(h.transport.open_sockets() == 0);
    h.send(2, server.address, 2);
    auto [q2, port2] = server.receive();
    CHECK(port2 != port1);
    CHECK(h.transport.stats().sockets_opened == 2);
}

TEST_CASE("upstream_transport: many answers at once are all delivered (recvmmsg batches)") {
    Harness h({.sockets_per_server = 1, .queries_per_socket = 200});
    FakeServer server;
    for (std::uint16_t i = 0; i < 100; ++i) h.send(i, server.address, static_cast<std::uint16_t>(0x100 + i));
    Endpoint port;
    for (int i = 0; i < 100; ++i) port = server.receive().second;
    for (std::uint16_t i = 0; i < 100; ++i)
        server.send_to(port, datagram(static_cast<std::uint16_t>(0x100 + i), 0));
    h.pump_until([&] { return h.received.size() == 100; });
    CHECK(h.received.size() == 100);
    CHECK(h.transport.stats().sockets_opened == 1);
}
