// StreamPipeline against a recording StreamPipelineIo: the test plays both the
// I/O edge (connected, received, closed) and the server (answers what was
// written, in any order).
#include <catch2/catch.hpp>
#include <functional>
#include <set>
#include <utility>
#include <vector>

#include "common/byte_cursor.h"
#include "resolver/net/stream_pipeline.h"

using namespace lanlord;

namespace {

TimePoint at(int ms) {
    return TimePoint(milliseconds(100000 + ms));
}

// A 16-byte message: header with `id`, then a 4-byte tag that says whose it is
// (a server echoes it back in the answer).
std::vector<std::uint8_t> query(std::uint16_t id, std::uint32_t tag) {
    std::vector<std::uint8_t> q(16, 0);
    store_u16(q.data(), id);
    q[2] = 0x01;  // RD
    store_u32(q.data() + 12, tag);
    return q;
}

struct Write {
    std::uint64_t connection = 0;
    std::vector<std::uint8_t> framed;
    std::uint16_t wire_id() const { return load_u16(framed.data() + 2); }
    std::uint32_t tag() const { return load_u32(framed.data() + 14); }
    // What the server says back: the message as written, QR set.
    std::vector<std::uint8_t> answer() const {
        std::vector<std::uint8_t> m(framed.begin() + 2, framed.end());
        m[2] |= 0x80;
        return m;
    }
};

struct Delivered {
    std::uint64_t token = 0;
    std::vector<std::uint8_t> answer;
    std::uint16_t id() const { return load_u16(answer.data()); }
    std::uint32_t tag() const { return load_u32(answer.data() + 12); }
};

struct Recorder final : StreamPipelineIo {
    std::vector<std::uint64_t> opened, closed;
    std::vector<Write> writes;
    std::vector<Delivered> delivered;
    std::vector<std::uint64_t> failed;
    std::span<const std::uint8_t> delivering;  // the span deliver() was given, for the hooks
    // Hooks that call back into the pipeline from inside a callback.
    std::function<void(std::uint64_t)> on_open, on_write, on_deliver, on_fail;

    void open(std::uint64_t c) override {
        opened.push_back(c);
        if (on_open) on_open(c);
    }
    void write(std::uint64_t c, std::span<const std::uint8_t> framed) override {
        REQUIRE(framed.size() >= 14);
        CHECK(load_u16(framed.data()) == framed.size() - 2);  // RFC 7766 section 8 framing
        writes.push_back({c, {framed.begin(), framed.end()}});
        if (on_write) on_write(c);
    }
    void close(std::uint64_t c) override { closed.push_back(c); }
    void deliver(std::uint64_t token, std::span<const std::uint8_t> answer) override {
        delivered.push_back({token, {answer.begin(), answer.end()}});
        delivering = answer;
        if (on_deliver) on_deliver(token);
    }
    void fail(std::uint64_t token) override {
        failed.push_back(token);
        if (on_fail) on_fail(token);
    }

    // The last write of the query tagged `tag`.
    const Write& written(std::uint32_t tag) const {
        for (auto it = writes.rbegin(); it != writes.rend(); ++it)
            if (it->tag() == tag) return *it;
        FAIL("query " << tag << " was never written");
        return writes.front();
    }
    std::size_t writes_on(std::uint64_t c) const {
        std::size_t n = 0;
        for (const Write& w : writes) n += w.connection == c;
        return n;
    }
};

// Submits `n` queries, token i+first tagged i+first, ID `id(i)`.
void submit_n(
    StreamPipeline& p, std::uint32_t first, unsigned n, TimePoint now,
    const std::function<std::uint16_t(unsigned)>& id = [](unsigned i) {
        return static_cast<std::uint16_t>(0x1000 + i);
    }) {
    for (unsigned i = 0; i < n; ++i) p.submit(first + i, query(id(i), first + i), now);
}

void answer(StreamPipeline& p, const Recorder& r, std::uint32_t tag, TimePoint now) {
    const Write& w = r.written(tag);
    p.received(w.connection, w.answer(), now);
}

}  // namespace

TEST_CASE("stream_pipeline: ten queries are pipelined on one connection before any answer") {
    Recorder r;
    StreamPipeline p(r);
    submit_n(p, 1, 10, at(0));
    // One connection, still connecting: the queries are held on it.
    CHECK(r.opened == std::vector<std::uint64_t>{1});
    CHECK(r.writes.empty());
    CHECK(p.stats().held == 10);
    CHECK(p.stats().connecting == 1);
    p.connected(1, at(5));
    REQUIRE(r.writes.size() == 10);
    std::set<std::uint16_t> wire_ids;
    for (unsigned i = 0; i < 10; ++i) {
        const Write& w = r.writes[i];
        CHECK(w.connection == 1);
        CHECK(w.tag() == i + 1);  // in submission order
        wire_ids.insert(w.wire_id());
        // The rest of the message goes out as submitted.
        auto q = query(0, i + 1);
        CHECK(std::equal(q.begin() + 2, q.end(), w.framed.begin() + 4));
    }
    CHECK(wire_ids.size() == 10);
    // More queries on a connected connection go out at once, no new connection.
    submit_n(p, 11, 5, at(6));
    CHECK(r.writes.size() == 15);
    CHECK(r.opened.size() == 1);
    const auto& s = p.stats();
    CHECK(s.queries_written == 15);
    CHECK(s.in_flight == 15);
    CHECK(s.peak_in_flight == 15);
    CHECK(s.held == 0);
    CHECK(s.connections_opened == 1);
    CHECK(r.delivered.empty());
    CHECK(p.pending() == 15);
}

TEST_CASE("stream_pipeline: answers out of order go to their own tokens with the submitted ID restored") {
    Recorder r;
    StreamPipeline p(r);
    submit_n(p, 1, 5, at(0), [](unsigned i) { return static_cast<std::uint16_t>(0xA000 + i); });
    p.connected(1, at(1));
    for (std::uint32_t tag : {4u, 2u, 5u, 1u, 3u}) answer(p, r, tag, at(2));
    REQUIRE(r.delivered.size() == 5);
    std::vector<std::uint64_t> order;
    for (const Delivered& d : r.delivered) {
        order.push_back(d.token);
        CHECK(d.tag() == d.token);
        CHECK(d.id() == 0xA000 + d.token - 1);
        CHECK((d.answer[2] & 0x80) != 0);
        CHECK(d.answer.size() == 16);
    }
    CHECK(order == std::vector<std::uint64_t>{4, 2, 5, 1, 3});
    const auto& s = p.stats();
    CHECK(s.answers == 5);
    CHECK(s.in_flight == 0);
    CHECK(s.stray == 0);
    CHECK(s.max_answers_per_connection == 5);
    CHECK(p.pending() == 0);
    CHECK(r.failed.empty());
}

TEST_CASE("stream_pipeline: two queries submitted with the same ID do not collide") {
    Recorder r;
    StreamPipeline p(r);
    p.submit(1, query(0x4242, 1), at(0));
    p.submit(2, query(0x4242, 2), at(0));
    p.connected(1, at(1));
    REQUIRE(r.writes.size() == 2);
    CHECK(r.writes[0].wire_id() != r.writes[1].wire_id());
    answer(p, r, 2, at(2));
    answer(p, r, 1, at(2));
    REQUIRE(r.delivered.size() == 2);
    CHECK(r.delivered[0].token == 2);
    CHECK(r.delivered[0].tag() == 2);
    CHECK(r.delivered[0].id() == 0x4242);
    CHECK(r.delivered[1].token == 1);
    CHECK(r.delivered[1].tag() == 1);
    CHECK(r.delivered[1].id() == 0x4242);
}

TEST_CASE("stream_pipeline: the connection cap queues the third query until an answer frees room") {
    Recorder r;
    StreamPipeline p(r, {.max_connections = 2, .max_in_flight = 1});
    submit_n(p, 1, 3, at(0));
    // The first connection is connecting but full: a second one, then the cap.
    CHECK(r.opened == std::vector<std::uint64_t>{1, 2});
    CHECK(p.stats().queued == 1);
    CHECK(p.stats().held == 2);
    p.connected(1, at(1));
    p.connected(2, at(1));
    REQUIRE(r.writes.size() == 2);
    CHECK(r.writes[0].connection == 1);
    CHECK(r.writes[0].tag() == 1);
    CHECK(r.writes[1].connection == 2);
    CHECK(r.writes[1].tag() == 2);
    CHECK(p.stats().queued == 1);
    answer(p, r, 1, at(2));
    REQUIRE(r.writes.size() == 3);
    CHECK(r.writes[2].connection == 1);
    CHECK(r.writes[2].tag() == 3);
    CHECK(r.writes[2].wire_id() != r.writes[0].wire_id());
    CHECK(p.stats().queued == 0);
    answer(p, r, 3, at(3));
    answer(p, r, 2, at(3));
    CHECK(r.delivered.size() == 3);
    CHECK(r.opened.size() == 2);
    CHECK(p.stats().connections_opened == 2);
    CHECK(p.stats().queries_written == 3);
    CHECK(p.stats().peak_in_flight == 1);
}

TEST_CASE("stream_pipeline: a query goes to the connected connection with the fewest in flight") {
    Recorder r;
    StreamPipeline p(r, {.max_connections = 2, .max_in_flight = 2});
    submit_n(p, 1, 3, at(0));  // 1 and 2 held on connection 1, 3 on connection 2
    p.connected(1, at(1));
    p.connected(2, at(1));
    CHECK(r.writes_on(1) == 2);
    CHECK(r.writes_on(2) == 1);
    answer(p, r, 1, at(2));  // connection 1 down to one in flight, like connection 2
    p.submit(4, query(4, 4), at(3));
    CHECK(r.written(4).connection == 1);  // a tie goes to the first
    p.submit(5, query(5, 5), at(3));
    CHECK(r.written(5).connection == 2);
    CHECK(p.stats().queued == 0);
    p.submit(6, query(6, 6), at(3));
    CHECK(p.stats().queued == 1);
}

TEST_CASE("stream_pipeline: beyond max_queued a query fails at once") {
    Recorder r;
    StreamPipeline p(r, {.max_connections = 1, .max_in_flight = 1, .max_queued = 2});
    submit_n(p, 1, 4, at(0));
    CHECK(r.failed == std::vector<std::uint64_t>{4});
    CHECK(p.stats().failed == 1);
    CHECK(p.stats().queued == 2);
    CHECK(p.pending() == 3);
    // The waiting ones go out in order as room frees.
    p.connected(1, at(1));
    answer(p, r, 1, at(2));
    answer(p, r, 2, at(3));
    answer(p, r, 3, at(4));
    REQUIRE(r.writes.size() == 3);
    CHECK(r.writes[1].tag() == 2);
    CHECK(r.writes[2].tag() == 3);
    CHECK(r.delivered.size() == 3);
    CHECK(p.stats().failed == 1);
    CHECK(p.stats().queued == 0);
}

TEST_CASE("stream_pipeline: fifty queries on a dying connection are retried once on a new connection") {
    Recorder r;
    StreamPipeline p(r);
    submit_n(p, 1, 50, at(0));
    p.connected(1, at(1));
    REQUIRE(r.writes.size() == 50);
    p.closed(1, at(2));
    CHECK(r.opened == std::vector<std::uint64_t>{1, 2});
    CHECK(r.failed.empty());
    CHECK(p.stats().retried == 50);
    CHECK(p.stats().connections_lost == 1);
    CHECK(p.stats().held == 50);
    p.connected(2, at(3));
    REQUIRE(r.writes.size() == 100);
    for (unsigned i = 0; i < 50; ++i) {
        CHECK(r.writes[50 + i].connection == 2);
        CHECK(r.writes[50 + i].tag() == i + 1);  // retried in submission order
    }

    SECTION("answered on the new connection") {
        for (std::uint32_t tag = 50; tag >= 1; --tag) answer(p, r, tag, at(4));
        REQUIRE(r.delivered.size() == 50);
        for (const Delivered& d : r.delivered) {
            CHECK(d.tag() == d.token);
            CHECK(d.id() == 0x1000 + d.token - 1);
        }
        CHECK(p.stats().answers == 50);
        CHECK(p.stats().failed == 0);
        CHECK(p.stats().queries_written == 100);
        CHECK(p.pending() == 0);
    }
    SECTION("dying again fails them all") {
        p.closed(2, at(4));
        CHECK(r.failed.size() == 50);
        CHECK(std::set<std::uint64_t>(r.failed.begin(), r.failed.end()).size() == 50);
        CHECK(p.stats().failed == 50);
        CHECK(p.stats().retried == 50);
        CHECK(p.stats().connections_lost == 2);
        CHECK(r.opened.size() == 2);  // nothing left to open a connection for
        CHECK(p.stats().open_connections == 0);
        CHECK(p.pending() == 0);
        CHECK(r.delivered.empty());
    }
}

TEST_CASE("stream_pipeline: a retry is free when the dead connection had answered something") {
    Recorder r;
    StreamPipeline p(r);
    submit_n(p, 1, 3, at(0));
    p.connected(1, at(1));
    p.closed(1, at(2));  // no answer: each query uses its one retry
    CHECK(p.stats().retried == 3);
    p.connected(2, at(3));
    answer(p, r, 1, at(4));
    p.closed(2, at(5));  // it answered: progress, retried again for free
    CHECK(r.failed.empty());
    CHECK(p.stats().retried == 5);
    p.connected(3, at(6));
    answer(p, r, 2, at(7));
    answer(p, r, 3, at(7));
    CHECK(r.delivered.size() == 3);
    CHECK(p.stats().failed == 0);
}

TEST_CASE("stream_pipeline: a handshake failure fails its queries at once without retry") {
    Recorder r;
    StreamPipeline p(r, {.max_connections = 1, .max_in_flight = 2, .max_queued = 10});
    submit_n(p, 1, 4, at(0));  // 1 and 2 held on connection 1, 3 and 4 waiting at the server
    CHECK(p.stats().queued == 2);
    p.closed(1, at(1));
    CHECK(r.failed == std::vector<std::uint64_t>{1, 2, 3, 4});
    CHECK(r.writes.empty());  // nothing ever goes out, in clear text or otherwise
    CHECK(r.opened.size() == 1);
    const auto& s = p.stats();
    CHECK(s.connections_failed == 1);
    CHECK(s.connections_lost == 0);
    CHECK(s.retried == 0);
    CHECK(s.failed == 4);
    CHECK(s.queued == 0);
    CHECK(s.open_connections == 0);
    CHECK(p.pending() == 0);
    // The next query tries again with a new connection.
    p.submit(5, query(5, 5), at(2));
    CHECK(r.opened == std::vector<std::uint64_t>{1, 2});
}

TEST_CASE("stream_pipeline: a handshake failure leaves waiting queries to a working connection") {
    Recorder r;
    StreamPipeline p(r, {.max_connections = 2, .max_in_flight = 1});
    p.submit(1, query(1, 1), at(0));
    p.connected(1, at(0));
    submit_n(p, 2, 2, at(1));  // 2 held on connection 2, 3 waiting
    CHECK(p.stats().queued == 1);
    p.closed(2, at(2));
    CHECK(r.failed == std::vector<std::uint64_t>{2});
    CHECK(p.stats().queued == 1);
    CHECK(r.opened.size() == 2);  // no new connection after a failed handshake
    answer(p, r, 1, at(3));
    REQUIRE(r.writes.size() == 2);
    CHECK(r.writes[1].tag() == 3);
    CHECK(r.writes[1].connection == 1);
    answer(p, r, 3, at(4));
    CHECK(r.delivered.size() == 2);
    CHECK(p.stats().failed == 1);
}

TEST_CASE("stream_pipeline: a server that closes after every answer still answers all twenty queries") {
    Recorder r;
    StreamPipeline p(r);
    submit_n(p, 1, 20, at(0));
    int t = 0;
    while (p.pending() > 0 && t < 100) {
        ++t;
        REQUIRE(!r.opened.empty());
        std::uint64_t c = r.opened.back();
        p.connected(c, at(t));
        // The server answers the first query written on it, then hangs up.
        const Write* first = nullptr;
        for (const Write& w : r.writes)
            if (w.connection == c) {
                first = &w;
                break;
            }
        REQUIRE(first);
        p.received(c, first->answer(), at(t));
        p.closed(c, at(t));
    }
    REQUIRE(r.delivered.size() == 20);
    for (unsigned i = 0; i < 20; ++i) {
        CHECK(r.delivered[i].token == i + 1);
        CHECK(r.delivered[i].id() == 0x1000 + i);
    }
    const auto& s = p.stats();
    CHECK(s.answers == 20);
    CHECK(s.failed == 0);
    CHECK(s.connections_opened == 20);
    CHECK(s.connections_lost == 20);
    CHECK(s.retried == 190);  // 19 + 18 + ... + 1
    CHECK(s.queries_written == 210);
    CHECK(s.max_answers_per_connection == 1);
    CHECK(s.open_connections == 0);
}

TEST_CASE("stream_pipeline: an idle connection closes after idle_timeout and not before") {
    Recorder r;
    StreamPipeline p(r, {.idle_timeout = seconds(30)});
    p.submit(1, query(1, 1), at(0));
    CHECK_FALSE(p.next_timer());  // connecting: the I/O edge times handshakes
    p.connected(1, at(0));
    CHECK_FALSE(p.next_timer());  // a query in flight
    answer(p, r, 1, at(1000));
    REQUIRE(p.next_timer());
    CHECK(*p.next_timer() == at(31000));
    // Activity pushes the deadline on.
    p.submit(2, query(2, 2), at(10000));
    CHECK_FALSE(p.next_timer());
    answer(p, r, 2, at(12000));
    CHECK(*p.next_timer() == at(42000));
    p.tick(at(41999));
    CHECK(r.closed.empty());
    CHECK(p.stats().open_connections == 1);
    p.tick(at(42000));
    CHECK(r.closed == std::vector<std::uint64_t>{1});
    CHECK(p.stats().idle_closed == 1);
    CHECK(p.stats().open_connections == 0);
    CHECK_FALSE(p.next_timer());
    // The I/O edge's late reports about it are ignored.
    p.closed(1, at(42001));
    p.received(1, r.written(2).answer(), at(42001));
    CHECK(p.stats().ignored == 2);
    CHECK(p.stats().connections_lost == 0);
    // The next query opens a new connection.
    p.submit(3, query(3, 3), at(50000));
    CHECK(r.opened == std::vector<std::uint64_t>{1, 2});
}

TEST_CASE("stream_pipeline: a connection with only cancelled queries in flight counts as idle") {
    Recorder r;
    StreamPipeline p(r, {.max_connections = 1, .max_in_flight = 1, .idle_timeout = seconds(5)});
    p.submit(1, query(1, 1), at(0));
    p.connected(1, at(0));
    p.submit(2, query(2, 2), at(100));  // waits: the connection is full
    CHECK_FALSE(p.next_timer());
    p.cancel(1);  // the server never answers it
    REQUIRE(p.next_timer());
    CHECK(*p.next_timer() == at(5000));
    p.tick(at(5000));
    CHECK(r.closed == std::vector<std::uint64_t>{1});
    // The waiting query goes out on a new connection.
    CHECK(r.opened == std::vector<std::uint64_t>{1, 2});
    p.connected(2, at(5001));
    CHECK(r.written(2).connection == 2);
    answer(p, r, 2, at(5002));
    REQUIRE(r.delivered.size() == 1);
    CHECK(r.delivered[0].token == 2);
    CHECK(p.stats().late == 0);
}

TEST_CASE("stream_pipeline: answers with an ID not in flight are counted as stray") {
    Recorder r;
    StreamPipeline p(r);
    p.submit(1, query(1, 1), at(0));
    // On a connection still connecting nothing is in flight.
    p.received(1, query(7, 7), at(0));
    CHECK(p.stats().stray == 1);
    p.connected(1, at(0));
    std::vector<std::uint8_t> forged = r.written(1).answer();
    store_u16(forged.data(), static_cast<std::uint16_t>(r.written(1).wire_id() + 1));
    p.received(1, forged, at(1));
    CHECK(p.stats().stray == 2);
    CHECK(r.delivered.empty());
    CHECK(p.stats().open_connections == 1);  // the connection stays
    answer(p, r, 1, at(2));
    CHECK(r.delivered.size() == 1);
    answer(p, r, 1, at(3));  // a duplicate
    CHECK(p.stats().stray == 3);
    CHECK(r.delivered.size() == 1);
    CHECK(p.stats().answers == 1);
    CHECK(r.closed.empty());
}

TEST_CASE("stream_pipeline: cancel before the write drops the query") {
    Recorder r;
    StreamPipeline p(r, {.max_connections = 1, .max_in_flight = 2});
    submit_n(p, 1, 3, at(0));  // 1 and 2 held, 3 waiting
    SECTION("waiting at the server") {
        p.cancel(3);
        CHECK(p.stats().queued == 0);
        p.connected(1, at(1));
        answer(p, r, 1, at(2));
        CHECK(r.writes.size() == 2);
        CHECK(p.pending() == 1);
    }
    SECTION("held on a connection still connecting") {
        p.cancel(1);
        CHECK(p.stats().held == 1);
        p.connected(1, at(1));
        REQUIRE(r.writes.size() == 2);  // 2, then 3 into the room 1 left
        CHECK(r.writes[0].tag() == 2);
        CHECK(r.writes[1].tag() == 3);
        answer(p, r, 2, at(2));
        answer(p, r, 3, at(2));
        CHECK(r.delivered.size() == 2);
        CHECK(p.pending() == 0);
    }
    p.closed(1, at(9));  // whatever was left is retried, never a cancelled one
    CHECK(p.stats().retried == p.pending());
    p.close_all();
    CHECK(r.failed.empty());
}

TEST_CASE("stream_pipeline: cancel after the write keeps the wire ID until the late answer") {
    Recorder r;
    StreamPipeline p(r, {.max_connections = 1, .max_in_flight = 2});
    p.submit(1, query(0x1111, 1), at(0));
    p.connected(1, at(0));
    std::uint16_t cancelled_id = r.written(1).wire_id();
    std::vector<std::uint8_t> late = r.written(1).answer();
    p.cancel(1);
    CHECK(p.stats().in_flight == 1);
    CHECK(p.pending() == 0);
    // Every wire ID comes round again, except the cancelled one's.
    unsigned reused = 0;
    std::set<std::uint16_t> wire_ids;
    for (std::uint32_t i = 0; i < 70000; ++i) {
        p.submit(2, query(0x2222, i), at(1));
        const Write& w = r.writes.back();
        REQUIRE(w.tag() == i);
        reused += w.wire_id() == cancelled_id;
        wire_ids.insert(w.wire_id());
        p.received(1, w.answer(), at(1));
    }
    CHECK(reused == 0);
    CHECK(wire_ids.size() == 65535);
    CHECK(r.delivered.size() == 70000);
    CHECK(p.stats().stray == 0);
    r.delivered.clear();
    SECTION("the late answer is dropped silently") {
        p.received(1, late, at(2));
        CHECK(p.stats().late == 1);
        CHECK(p.stats().stray == 0);
        CHECK(r.delivered.empty());
        CHECK(p.stats().in_flight == 0);
    }
    SECTION("a dying connection does not retry it") {
        p.closed(1, at(2));
        CHECK(p.stats().retried == 0);
        CHECK(r.failed.empty());
        CHECK(r.opened.size() == 1);
    }
    CHECK(r.failed.empty());
}

TEST_CASE("stream_pipeline: hostile inputs are counted and ignored") {
    Recorder r;
    StreamPipeline p(r);
    // Queries that are not a DNS message, or too long to frame.
    p.submit(1, {}, at(0));
    p.submit(2, std::vector<std::uint8_t>(11, 0), at(0));
    p.submit(3, std::vector<std::uint8_t>(65536, 0), at(0));
    CHECK(r.failed == std::vector<std::uint64_t>{1, 2, 3});
    CHECK(r.opened.empty());
    p.submit(4, std::vector<std::uint8_t>(65535, 0), at(0));  // the largest that frames
    CHECK(r.opened.size() == 1);
    // Events for connections that do not exist.
    p.connected(99, at(0));
    p.received(99, query(1, 1), at(0));
    p.closed(99, at(0));
    p.closed(0, at(0));
    CHECK(p.stats().ignored == 4);
    p.connected(1, at(1));
    p.connected(1, at(1));  // twice
    CHECK(p.stats().ignored == 5);
    CHECK(r.writes.size() == 1);
    // Messages too short to have an ID.
    p.received(1, {}, at(2));
    p.received(1, std::vector<std::uint8_t>(11, 0), at(2));
    CHECK(p.stats().malformed == 2);
    CHECK(p.stats().open_connections == 1);
    // Cancel of tokens never submitted or already over.
    p.cancel(12345);
    p.cancel(1);
    // closed() twice, received() after close.
    p.closed(1, at(3));
    CHECK(p.stats().retried == 1);
    p.closed(1, at(3));
    p.received(1, r.writes[0].answer(), at(3));
    CHECK(p.stats().ignored == 7);
    p.tick(at(4));
    p.tick(TimePoint::max());
    CHECK(r.delivered.empty());
    CHECK(p.stats().failed == 3);
    CHECK(p.pending() == 1);
}

TEST_CASE("stream_pipeline: a huge idle_timeout does not overflow the deadline") {
    Recorder r;
    StreamPipeline p(r, {.idle_timeout = Duration::max()});
    p.submit(1, query(1, 1), at(0));
    p.connected(1, at(0));
    answer(p, r, 1, at(1));
    CHECK(p.next_timer() == TimePoint::max());
    p.tick(at(2));
    CHECK(r.closed.empty());
}

TEST_CASE("stream_pipeline: a token submitted again replaces its earlier query") {
    Recorder r;
    StreamPipeline p(r);
    p.submit(7, query(1, 100), at(0));
    p.connected(1, at(0));
    p.submit(7, query(2, 200), at(1));
    CHECK(p.pending() == 1);
    answer(p, r, 100, at(2));  // the first one's answer: late
    answer(p, r, 200, at(2));
    REQUIRE(r.delivered.size() == 1);
    CHECK(r.delivered[0].token == 7);
    CHECK(r.delivered[0].tag() == 200);
    CHECK(r.delivered[0].id() == 2);
    CHECK(p.stats().late == 1);
}

TEST_CASE("stream_pipeline: the io may call back into the pipeline from its callbacks") {
    Recorder r;
    StreamPipeline p(r);

    SECTION("cancel from inside deliver") {
        submit_n(p, 1, 3, at(0));
        p.connected(1, at(0));
        r.on_deliver = [&](std::uint64_t token) {
            if (token == 1) p.cancel(2);
        };
        answer(p, r, 1, at(1));
        answer(p, r, 2, at(1));
        answer(p, r, 3, at(1));
        REQUIRE(r.delivered.size() == 2);
        CHECK(r.delivered[0].token == 1);
        CHECK(r.delivered[1].token == 3);
        CHECK(p.stats().late == 1);
    }
    SECTION("received from inside deliver does not overwrite the answer being delivered") {
        submit_n(p, 1, 2, at(0));
        p.connected(1, at(0));
        std::vector<std::uint8_t> outer_after;
        r.on_deliver = [&](std::uint64_t token) {
            if (token != 1) return;
            std::span<const std::uint8_t> outer = r.delivering;
            answer(p, r, 2, at(1));
            outer_after.assign(outer.begin(), outer.end());
        };
        answer(p, r, 1, at(1));
        REQUIRE(r.delivered.size() == 2);
        CHECK(outer_after == r.delivered[0].answer);
        CHECK(r.delivered[0].tag() == 1);
        CHECK(r.delivered[1].tag() == 2);
    }
    SECTION("submit from inside fail") {
        p.submit(1, query(1, 1), at(0));
        r.on_fail = [&](std::uint64_t token) {
            if (token == 1) p.submit(2, query(2, 2), at(1));
        };
        p.closed(1, at(1));  // handshake failure
        CHECK(r.failed == std::vector<std::uint64_t>{1});
        CHECK(r.opened == std::vector<std::uint64_t>{1, 2});
        p.connected(2, at(2));
        answer(p, r, 2, at(3));
        CHECK(r.delivered.size() == 1);
    }
    SECTION("closed from inside open: the queries fail, nothing loops") {
        StreamPipeline q(r, {.max_connections = 2, .max_in_flight = 1});
        r.on_open = [&](std::uint64_t c) { q.closed(c, at(0)); };
        submit_n(q, 1, 3, at(0));
        CHECK(r.failed == std::vector<std::uint64_t>{1, 2, 3});
        CHECK(r.opened == std::vector<std::uint64_t>{1, 2, 3});
        CHECK(q.stats().connections_failed == 3);
        CHECK(q.stats().open_connections == 0);
        CHECK(q.pending() == 0);
    }
    SECTION("connected from inside open") {
        r.on_open = [&](std::uint64_t c) { p.connected(c, at(0)); };
        submit_n(p, 1, 2, at(0));
        CHECK(r.writes.size() == 2);
        answer(p, r, 1, at(1));
        answer(p, r, 2, at(1));
        CHECK(r.delivered.size() == 2);
    }
    SECTION("closed from inside write: the queries are retried on a new connection") {
        submit_n(p, 1, 3, at(0));
        r.on_write = [&](std::uint64_t c) {
            if (c == 1 && r.writes.size() == 2) p.closed(1, at(1));
        };
        p.connected(1, at(1));
        // 1 and 2 were written on connection 1, 3 was still held: all three retried.
        CHECK(r.writes.size() == 2);
        CHECK(p.stats().retried == 3);
        CHECK(r.opened == std::vector<std::uint64_t>{1, 2});
        p.connected(2, at(2));
        CHECK(r.writes_on(2) == 3);
        for (std::uint32_t tag = 1; tag <= 3; ++tag) answer(p, r, tag, at(3));
        CHECK(r.delivered.size() == 3);
        CHECK(r.failed.empty());
    }
}

TEST_CASE("stream_pipeline: close_all closes every connection and fails nothing") {
    Recorder r;
    StreamPipeline p(r, {.max_connections = 2, .max_in_flight = 1});
    submit_n(p, 1, 4, at(0));
    p.connected(1, at(0));
    p.cancel(1);
    p.close_all();
    CHECK(r.closed == std::vector<std::uint64_t>{1, 2});
    CHECK(r.failed.empty());
    CHECK(r.delivered.empty());
    CHECK(p.pending() == 0);
    const auto& s = p.stats();
    CHECK(s.open_connections == 0);
    CHECK(s.in_flight == 0);
    CHECK(s.queued == 0);
    CHECK(s.idle_closed == 0);
    CHECK_FALSE(p.next_timer());
    // Reports for the closed connections are ignored; the pipeline still works.
    p.closed(1, at(1));
    p.received(1, r.writes[0].answer(), at(1));
    CHECK(p.stats().ignored == 2);
    p.submit(5, query(5, 5), at(2));
    CHECK(r.opened == std::vector<std::uint64_t>{1, 2, 3});
}
