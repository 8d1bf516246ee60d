// The queries to ONE DNS-over-TLS (RFC 7858) or DNS-over-TCP (RFC 7766)
// server, spread over a few long-lived connections to it. Sans-I/O: no
// sockets, no TLS, no clock. The I/O edge opens, writes and closes
// connections when told to through StreamPipelineIo and reports back what
// happened (connected, a whole message received, closed); time comes in as a
// parameter, and the edge calls tick() by next_timer().
//
// Design, and the limits (StreamPipelineLimits, defaults in brackets):
// - Pipelining (RFC 7766 section 6.2.1.1, RFC 7858 section 3.4): a query is
//   written as soon as a connection has room, without waiting for earlier
//   answers; answers are matched by DNS ID in whatever order they come
//   (RFC 7766 section 7). Up to `max_in_flight` [100] queries are written and
//   unanswered on one connection.
// - Few connections (RFC 7766 sections 6.2.1 and 6.2.2): at most
//   `max_connections` [2] to the server, connecting ones included. A query
//   goes to the connected connection with the fewest in flight that has room;
//   else to one still connecting that has room (held there, written at
//   connected()); else to a new connection; else it waits at the server, in
//   FIFO order, up to `max_queued` [500]; beyond that it fails at once. Room
//   freed by an answer or a new connection goes to the waiting queries first.
// - IDs: each connection gives a query a wire ID of its own, unique among the
//   queries it has in flight (sequential, skipping IDs in use: an off-path
//   attacker cannot inject into a TCP or TLS stream without its sequence
//   numbers or keys, so the ID needs no entropy there), and puts the
//   submitted ID back into the answer before deliver(). Two submitted queries
//   with one ID never collide. The caller still checks the answer's question,
//   as for UDP (RFC 7766 section 7).
// - Cancel: a query not written yet is dropped. A written one keeps its wire
//   ID until its answer comes (then dropped silently, counted `late`) or its
//   connection goes, so a late answer can never be taken for a newer query.
// - Retry (RFC 7766 section 6.2.4: retry unanswered queries when the
//   connection closes under them): when a connected connection dies, its
//   unanswered queries are placed again, as new, once; a query whose one retry
//   was used fails. If the dead connection had delivered an answer, the retry
//   is free (servers that close after every answer make progress each time,
//   so this cannot loop).
// - A connection that dies before connected() (TCP or TLS handshake failure,
//   certificate refused) fails its queries at once, and the queries waiting at
//   the server too when no other connection is left to take them: the server
//   is unreachable or not who it must be, so the caller's server selection
//   moves on. Nothing is ever retried elsewhere or in clear text here.
//   Handshake timeouts are the I/O edge's: it reports them as closed().
// - Idle (RFC 7766 section 6.2.3, RFC 7858 section 3.4): a connected
//   connection with nothing in flight that a caller waits for (cancelled
//   queries do not count: their server is not answering) and nothing held is
//   closed by tick() `idle_timeout` [30 s] after its last write or answer.
// - Hostile input (short messages, unknown connections, stray IDs, closed()
//   twice) is counted and ignored; the connection stays.
//
// Reentrancy: the pipeline's state is consistent before every call into
// StreamPipelineIo, and the callee may call back into the pipeline (cancel
// from deliver(), submit from fail(), closed() from open() or write()). A
// span passed to write() or deliver() is valid until the call returns or the
// callee calls back into the pipeline, whichever comes first.
//
// Memory: a query's copy (needed for the retry) lives in a slot reused with
// its capacity, answers are rebuilt in one reused buffer, so steady traffic
// allocates nothing per query.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <vector>

#include "common/time.h"
#include "resolver/net/token_index.h"

namespace lanlord {

struct StreamPipelineLimits {
    unsigned max_connections = 2;         // per server, connecting ones included (at least 1)
    unsigned max_in_flight = 100;         // written and unanswered, per connection (1 to 65535)
    unsigned max_queued = 500;            // waiting for room, per server; beyond: fail at once
    Duration idle_timeout = seconds(30);  // a connection with nothing in flight closes after this
};

struct StreamPipelineStats {
    std::uint64_t connections_opened = 0;
    std::uint64_t connections_failed = 0;  // closed before connected()
    std::uint64_t connections_lost = 0;    // closed after connected()
    std::uint64_t queries_written = 0;     // retries included
    std::uint64_t answers = 0;             // delivered
    std::uint64_t retried = 0;
    std::uint64_t failed = 0;     // fail() calls
    std::uint64_t stray = 0;      // answer with an ID not in flight on its connection
    std::uint64_t late = 0;       // answer to a cancelled query, dropped
    std::uint64_t malformed = 0;  // message shorter than a DNS header
    std::uint64_t ignored = 0;    // event for an unknown connection, or connected() twice
    std::uint64_t idle_closed = 0;
    std::uint64_t max_answers_per_connection = 0;  // 1 when the server closes after each answer
    unsigned peak_in_flight = 0;                   // most in flight on one connection at once
    // Gauges, as of the stats() call.
    unsigned open_connections = 0;  // connecting ones included
    unsigned connecting = 0;
    unsigned in_flight = 0;  // written and unanswered, cancelled ones included
    unsigned held = 0;       // placed on a connection still connecting
    unsigned queued = 0;     // waiting at the server for room
};

class StreamPipelineIo {  // implemented by the I/O edge, and by a recorder in tests
  public:
    virtual ~StreamPipelineIo() = default;
    // Start TCP connect + TLS handshake; report with connected()/closed().
    virtual void open(std::uint64_t connection) = 0;
    // 2-byte length + message, RFC 7766 section 8; queue it in order.
    virtual void write(std::uint64_t connection, std::span<const std::uint8_t> framed) = 0;
    // Close it; the pipeline forgets it (no closed() call expected after this).
    virtual void close(std::uint64_t connection) = 0;
    // The answer to `token`, its DNS ID restored to the ID the query was submitted with.
    virtual void deliver(std::uint64_t token, std::span<const std::uint8_t> answer) = 0;
    // `token` will get no answer.
    virtual void fail(std::uint64_t token) = 0;
};

class StreamPipeline {
  public:
    explicit StreamPipeline(StreamPipelineIo& io, StreamPipelineLimits limits = {});

    // `query` is one DNS message (12 to 65535 bytes, else fail(token) at
    // once). A token already pending is cancelled first: the new query takes it.
    void submit(std::uint64_t token, std::span<const std::uint8_t> query, TimePoint now);
    // The caller no longer wants it: never deliver/fail it.
    void cancel(std::uint64_t token);
    // Handshake done.
    void connected(std::uint64_t connection, TimePoint now);
    // One whole DNS message (framing already removed).
    void received(std::uint64_t connection, std::span<const std::uint8_t> message, TimePoint now);
    // It died: error, EOF, handshake or certificate failure.
    void closed(std::uint64_t connection, TimePoint now);
    // When tick() has idle connections to close.
    std::optional<TimePoint> next_timer() const;
    void tick(TimePoint now);
    // Shutdown / server removed: close every connection, fail nothing (callers are gone).
    void close_all();

    const StreamPipelineStats& stats() const;
    const StreamPipelineLimits& limits() const { return limits_; }
    // Queries that will still get deliver() or fail().
    std::size_t pending() const { return tokens_.size(); }
    bool contains(std::uint64_t token) const { return tokens_.contains(token); }

  private:
    using Slot = std::uint32_t;
    enum class State : std::uint8_t { free, queued, held, in_flight, cancelled };
    struct Query {
        std::vector<std::uint8_t> framed;  // length + message, the submitted ID in place until written
        std::uint64_t token = 0;
        std::uint64_t order = 0;       // submission order, kept by a retry
        std::uint64_t connection = 0;  // held or in flight on it; 0: queued or free
        std::uint16_t id = 0;          // as submitted
        std::uint16_t wire_id = 0;     // as written on `connection`
        State state = State::free;
        bool retried = false;  // its one retry is used
    };
    struct Connection {
        std::uint64_t id = 0;
        bool connected = false;
        TokenIndex<Slot> in_flight;  // wire ID -> query, cancelled ones included
        std::deque<Slot> held;       // placed before connected(), written then in order
        unsigned live = 0;           // in flight and not cancelled
        std::uint16_t next_id = 0;
        TimePoint last_activity{};
        std::uint64_t answers = 0;
        unsigned load() const { return static_cast<unsigned>(in_flight.size() + held.size()); }
    };

    Connection* find(std::uint64_t connection);
    std::size_t index_of(std::uint64_t connection) const;
    bool idle(const Connection& c) const { return c.connected && c.live == 0 && c.held.empty(); }
    TimePoint idle_deadline(const Connection& c) const;
    Slot new_slot();
    void free_slot(Slot s);
    std::vector<Slot> slots_on(std::uint64_t connection) const;
    // A connection with room for one more query, or 0.
    std::uint64_t choose() const;
    bool can_place() const;
    // Puts query `s` on the connection choose() picks, or on a new one (the
    // caller checked can_place()).
    void place(Slot s, TimePoint now);
    // Records `s` as in flight on `c` and writes it: the last thing it does.
    void write_on(Connection& c, Slot s, TimePoint now);
    // Moves waiting queries to connections with room, in order.
    void pump(TimePoint now);
    void fail_all(const std::vector<std::uint64_t>& tokens);

    StreamPipelineIo& io_;
    StreamPipelineLimits limits_;
    std::vector<Query> queries_;
    std::vector<Slot> free_slots_;
    TokenIndex<Slot> tokens_;  // pending (not cancelled) queries
    std::deque<Slot> queue_;   // waiting at the server, FIFO
    std::vector<Connection> connections_;
    std::uint64_t next_connection_ = 1;
    std::uint64_t next_order_ = 0;
    std::vector<std::uint8_t> answer_buffer_;
    mutable StreamPipelineStats stats_;
};

}  // namespace lanlord
