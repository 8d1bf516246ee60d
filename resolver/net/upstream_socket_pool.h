// Which UDP socket an upstream attempt leaves from, and which attempt a
// datagram arriving on a socket belongs to. Sans-I/O: it hands out socket
// numbers and says when to open or close one; UpstreamTransport owns the file
// descriptors. Time and randomness come from the caller.
//
// Why sockets are shared. Opening a socket per attempt (socket, autobind,
// reactor registration, close) was most of the CPU a cache miss cost. Each
// (server, egress interface) now has a few sockets in rotation, each bound to
// its own kernel-random port, each carrying at most `queries_per_socket`
// attempts sent within `lifetime` of its opening; then it takes no more and
// closes when its last attempt is over.
//
// The security trade-off (RFC 5452 section 9.2: port and ID together are the
// entropy a blind spoofer must guess):
// - A blind off-path attacker gains nothing: with Q attempts in flight spread
//   over S sockets (Q/S IDs on each), a forged datagram hits with probability
//   S/ports * (Q/S)/65536 = Q/(ports * 65536), exactly as with one socket per
//   attempt. Every socket still gets an unpredictable port of its own, several
//   ports are in use at once (9.2's "multiple different source ports
//   simultaneously"), and the ID stays a full random 16 bits per attempt.
// - What is lost: an attacker who has learnt one socket's port (a side channel
//   such as SAD DNS's ICMP probing, or seeing one query) can aim at every
//   attempt that socket carries, not just one: at most `queries_per_socket`
//   queries, all sent within `lifetime`, after which the port is thrown away.
//   The bounds keep that small (32 queries, 1 s by default; 128 measured no
//   cheaper, contrib/bench/results/2026-11-22-dns-misses.md). For comparison,
//   dnsmasq 2.7x shared at most 64 random sockets among all queries and
//   servers once 64 were open, with no bound on count or time (forward.c,
//   allocate_rfd).
// - A socket talks to one server only, so a server (say the guest group's
//   third-party resolver) never learns a port that carries queries to another
//   server; and the answer still has to come from that server's address.
//
// Matching: an attempt's ID is unique among every attempt its socket has
// carried (open or closed), so a datagram maps to at most one attempt by its
// ID; the engine then checks source, ID and question as it always did. A
// datagram whose ID belongs to a closed attempt is a late answer (ignored, as a
// closed socket would have done); one whose ID was never sent on this socket
// is stray (forged or misdirected) and counted with the spoof attempts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/ip_address.h"
#include "common/time.h"
#include "resolver/net/token_index.h"

namespace lanlord {

struct UpstreamSocketLimits {
    unsigned sockets_per_server = 8;  // ports in use at once per (server, interface)
    unsigned queries_per_socket = 32;
    Duration lifetime = std::chrono::seconds(1);  // no new attempts on a socket older than this
};

class UpstreamSocketPool {
  public:
    using SocketId = std::uint32_t;
    explicit UpstreamSocketPool(UpstreamSocketLimits limits = {}) : limits_(limits) {}

    struct Placement {
        SocketId socket = 0;
        bool fresh = false;                // a new socket: open it (and register it) before sending
        std::optional<SocketId> released;  // a socket that is now retired and idle: close it
    };
    // Records attempt `token` with query ID `id` to `server` through
    // `interface` ("" for none) on a socket of that pair, chosen with `random`.
    Placement place(const Endpoint& server, const std::string& interface, std::uint16_t id,
                    std::uint64_t token, TimePoint now, std::uint32_t random);
    // A fresh socket could not be opened: forget it and what was placed on it.
    void discard(SocketId socket);

    enum class Verdict { attempt, late, stray };
    struct Match {
        Verdict verdict = Verdict::stray;
        std::uint64_t token = 0;
    };
    // Which attempt on `socket` a datagram with this ID belongs to.
    Match match(SocketId socket, std::uint16_t id) const;

    // The attempt is over; returns the socket to close if that left it retired and idle.
    std::optional<SocketId> close(std::uint64_t token);
    // Retires sockets past their lifetime; the idle ones among them go into
    // `to_close`. Call by next_expiry().
    void expire(TimePoint now, std::vector<SocketId>& to_close);
    std::optional<TimePoint> next_expiry() const;

    // Every socket the caller should close at shutdown.
    std::vector<SocketId> all_sockets() const;
    bool contains(std::uint64_t token) const { return token_socket_.contains(token); }
    std::size_t open_attempts() const { return token_socket_.size(); }
    std::size_t open_sockets() const { return sockets_.size() - free_sockets_.size(); }
    const UpstreamSocketLimits& limits() const { return limits_; }

  private:
    static constexpr SocketId kNone = ~SocketId{0};
    struct Entry {
        std::uint64_t token;
        std::uint16_t id;
        bool open;
    };
    struct Socket {
        bool in_use = false;
        bool retired = false;  // out of its slot: no new attempts
        std::uint32_t pool = 0, slot = 0;
        TimePoint opened{};
        unsigned open = 0;           // attempts not yet closed
        std::vector<Entry> entries;  // every attempt it carried, at most queries_per_socket
    };
    struct Pool {
        Endpoint server;
        std::string interface;
        std::vector<SocketId> slots;  // kNone when empty
        bool empty() const;
    };
    std::uint32_t find_pool(const Endpoint& server, const std::string& interface);
    SocketId new_socket(std::uint32_t pool, std::uint32_t slot, TimePoint now);
    void retire(SocketId s);
    void release(SocketId s);
    bool has_id(const Socket& s, std::uint16_t id) const;

    UpstreamSocketLimits limits_;
    std::vector<Pool> pools_;
    std::vector<Socket> sockets_;
    std::vector<SocketId> free_sockets_;
    TokenIndex<SocketId> token_socket_;
};

}  // namespace lanlord
