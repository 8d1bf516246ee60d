#include <catch2/catch.hpp>
#include <set>

#include "resolver/net/upstream_socket_pool.h"

using namespace lanlord;
using Verdict = UpstreamSocketPool::Verdict;

namespace {
Endpoint ep(const char* s) {
    return *Endpoint::parse(s, 53);
}
TimePoint at(int ms) {
    return TimePoint(milliseconds(100000 + ms));
}
const std::string kNone;
}  // namespace

TEST_CASE("upstream_socket_pool: attempts to one server share its sockets, spread over the slots") {
    UpstreamSocketPool pool({.sockets_per_server = 4, .queries_per_socket = 100});
    std::set<UpstreamSocketPool::SocketId> sockets;
    unsigned fresh = 0;
    for (std::uint16_t i = 0; i < 40; ++i) {
        auto p = pool.place(ep("192.0.2.1"), kNone, static_cast<std::uint16_t>(1000 + i), i, at(0), i);
        sockets.insert(p.socket);
        fresh += p.fresh;
        CHECK_FALSE(p.released);
    }
    CHECK(sockets.size() == 4);  // several ports at once (RFC 5452 section 9.2), no more
    CHECK(fresh == 4);
    CHECK(pool.open_sockets() == 4);
    CHECK(pool.open_attempts() == 40);
}

TEST_CASE("upstream_socket_pool: no socket is shared between servers or egress interfaces") {
    UpstreamSocketPool pool({.sockets_per_server = 1});
    std::string wg0 = "wg0";
    auto a = pool.place(ep("192.0.2.1"), kNone, 1, 1, at(0), 0);
    auto b = pool.place(ep("192.0.2.2"), kNone, 2, 2, at(0), 0);
    auto c = pool.place(ep("192.0.2.1"), wg0, 3, 3, at(0), 0);
    auto d = pool.place(ep("192.0.2.1:5353"), kNone, 4, 4, at(0), 0);
    auto e = pool.place(ep("192.0.2.1"), kNone, 5, 5, at(0), 0);
    std::set<UpstreamSocketPool::SocketId> distinct{a.socket, b.socket, c.socket, d.socket};
    CHECK(distinct.size() == 4);
    CHECK(e.socket == a.socket);
    CHECK_FALSE(e.fresh);
}

TEST_CASE("upstream_socket_pool: an ID already sent on a socket never goes out on it again") {
    UpstreamSocketPool pool({.sockets_per_server = 1});
    auto first = pool.place(ep("192.0.2.1"), kNone, 0x4242, 1, at(0), 0);
    auto other = pool.place(ep("192.0.2.1"), kNone, 0x0001, 2, at(0), 0);
    REQUIRE(other.socket == first.socket);
    // The same ID while the first attempt is open: a fresh socket, or an
    // answer could be taken for the wrong attempt.
    auto clash = pool.place(ep("192.0.2.1"), kNone, 0x4242, 3, at(1), 0);
    CHECK(clash.fresh);
    CHECK(clash.socket != first.socket);
    CHECK(pool.match(first.socket, 0x4242).token == 1);
    CHECK(pool.match(clash.socket, 0x4242).token == 3);
    // The first socket is retired: it closes with its last attempt.
    CHECK_FALSE(pool.close(1));
    CHECK(pool.close(2) == first.socket);
    // Also once the earlier attempt is over: its late answer must not be
    // taken for the new one.
    CHECK_FALSE(pool.close(3));
    auto again = pool.place(ep("192.0.2.1"), kNone, 0x4242, 4, at(2), 0);
    CHECK(again.fresh);
    CHECK(again.released == clash.socket);  // retired and idle: close it now
}

TEST_CASE("upstream_socket_pool: a socket retires after queries_per_socket attempts") {
    UpstreamSocketPool pool({.sockets_per_server = 1, .queries_per_socket = 3});
    auto a = pool.place(ep("192.0.2.1"), kNone, 1, 1, at(0), 0);
    pool.place(ep("192.0.2.1"), kNone, 2, 2, at(0), 0);
    auto c = pool.place(ep("192.0.2.1"), kNone, 3, 3, at(0), 0);
    CHECK(c.socket == a.socket);
    auto d = pool.place(ep("192.0.2.1"), kNone, 4, 4, at(0), 0);
    CHECK(d.fresh);
    CHECK(d.socket != a.socket);
    CHECK_FALSE(d.released);  // still has attempts in flight
    // Answers for its attempts are still matched until each is closed.
    CHECK(pool.match(a.socket, 2).verdict == Verdict::attempt);
    CHECK_FALSE(pool.close(1));
    CHECK_FALSE(pool.close(2));
    CHECK(pool.close(3) == a.socket);
    CHECK(pool.open_sockets() == 1);
}

TEST_CASE("upstream_socket_pool: a socket takes no attempts after its lifetime, idle ones expire") {
    UpstreamSocketPool pool({.sockets_per_server = 2, .lifetime = milliseconds(1000)});
    auto a = pool.place(ep("192.0.2.1"), kNone, 1, 1, at(0), 0);
    auto b = pool.place(ep("192.0.2.1"), kNone, 2, 2, at(500), 1);
    REQUIRE(a.socket != b.socket);
    CHECK(pool.next_expiry() == at(1000));
    std::vector<UpstreamSocketPool::SocketId> to_close;
    pool.expire(at(999), to_close);
    CHECK(to_close.empty());
    pool.close(1);
    pool.expire(at(1000), to_close);
    CHECK(to_close == std::vector<UpstreamSocketPool::SocketId>{a.socket});  // idle and old: closed
    CHECK(pool.next_expiry() == at(1500));
    // A busy socket past its lifetime is retired, and closes with its last attempt.
    auto c = pool.place(ep("192.0.2.1"), kNone, 3, 3, at(1600), 1);
    CHECK(c.fresh);
    CHECK(c.socket != b.socket);
    CHECK(pool.match(b.socket, 2).verdict == Verdict::attempt);
    CHECK(pool.close(2) == b.socket);
    to_close.clear();
    pool.close(3);
    pool.expire(at(5000), to_close);
    CHECK(to_close.size() == 1);
    CHECK(pool.open_sockets() == 0);
    CHECK_FALSE(pool.next_expiry());
}

TEST_CASE("upstream_socket_pool: a datagram matches only an attempt sent on its own socket") {
    UpstreamSocketPool pool({.sockets_per_server = 1});
    auto a = pool.place(ep("192.0.2.1"), kNone, 0x1111, 1, at(0), 0);
    auto b = pool.place(ep("192.0.2.2"), kNone, 0x2222, 2, at(0), 0);
    auto match_a = pool.match(a.socket, 0x1111);
    CHECK(match_a.verdict == Verdict::attempt);
    CHECK(match_a.token == 1);
    // The right ID for attempt 1, on the socket of attempt 2: forged.
    CHECK(pool.match(b.socket, 0x1111).verdict == Verdict::stray);
    CHECK(pool.match(a.socket, 0x2222).verdict == Verdict::stray);
    // After close_upstream: a late answer, ignored.
    pool.close(1);
    CHECK(pool.match(a.socket, 0x1111).verdict == Verdict::late);
    CHECK(pool.match(a.socket, 0x1112).verdict == Verdict::stray);
    CHECK_FALSE(pool.contains(1));
    CHECK(pool.contains(2));
}

TEST_CASE("upstream_socket_pool: a socket that could not be opened is forgotten with its attempt") {
    UpstreamSocketPool pool({.sockets_per_server = 1});
    auto a = pool.place(ep("192.0.2.1"), kNone, 1, 1, at(0), 0);
    REQUIRE(a.fresh);
    pool.discard(a.socket);
    CHECK_FALSE(pool.contains(1));
    CHECK(pool.open_sockets() == 0);
    CHECK_FALSE(pool.close(1));
    auto b = pool.place(ep("192.0.2.1"), kNone, 2, 2, at(0), 0);
    CHECK(b.fresh);
}

TEST_CASE("upstream_socket_pool: pools of servers no longer used are reused, not piled up") {
    UpstreamSocketPool pool({.sockets_per_server = 1, .queries_per_socket = 1});
    for (int i = 0; i < 50; ++i) {
        std::string server = "192.0.2." + std::to_string(i + 1);
        auto p = pool.place(ep(server.c_str()), kNone, 7, static_cast<std::uint64_t>(i), at(i), 0);
        CHECK(p.fresh);
        CHECK(pool.close(static_cast<std::uint64_t>(i)) == p.socket);  // one query per socket: closed at once
    }
    CHECK(pool.open_sockets() == 0);
    CHECK(pool.all_sockets().empty());
}
