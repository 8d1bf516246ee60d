#include "resolver/net/stream_pipeline.h"

#include <algorithm>
#include <cstring>

#include "common/byte_cursor.h"

namespace lanlord {

namespace {
constexpr std::size_t kHeaderSize = 12;      // a DNS header: nothing shorter is a message
constexpr std::size_t kMaxMessage = 0xffff;  // what a 2-byte length can frame (RFC 7766 section 8)
constexpr std::size_t kNotFound = ~std::size_t{0};

template <typename Slot>
void erase_slot(std::deque<Slot>& from, Slot s) {
    auto it = std::find(from.begin(), from.end(), s);
    if (it != from.end()) from.erase(it);
}
}  // namespace

StreamPipeline::StreamPipeline(StreamPipelineIo& io, StreamPipelineLimits limits) : io_(io), limits_(limits) {
    limits_.max_connections = std::max(1u, limits_.max_connections);
    // At most 65535 in flight, so a free 16-bit wire ID always exists.
    limits_.max_in_flight = std::clamp(limits_.max_in_flight, 1u, 65535u);
    limits_.idle_timeout = std::max(limits_.idle_timeout, Duration::zero());
}

StreamPipeline::Connection* StreamPipeline::find(std::uint64_t connection) {
    for (Connection& c : connections_)
        if (c.id == connection) return &c;
    return nullptr;
}

std::size_t StreamPipeline::index_of(std::uint64_t connection) const {
    for (std::size_t i = 0; i < connections_.size(); ++i)
        if (connections_[i].id == connection) return i;
    return kNotFound;
}

StreamPipeline::Slot StreamPipeline::new_slot() {
    if (!free_slots_.empty()) {
        Slot s = free_slots_.back();
        free_slots_.pop_back();
        return s;
    }
    queries_.emplace_back();
    return static_cast<Slot>(queries_.size() - 1);
}

// The buffer keeps its capacity for the next query in this slot.
void StreamPipeline::free_slot(Slot s) {
    Query& q = queries_[s];
    q.framed.clear();
    q.state = State::free;
    q.connection = 0;
    q.retried = false;
    free_slots_.push_back(s);
}

// The queries held or in flight on a connection, in submission order (the
// order they are retried in).
std::vector<StreamPipeline::Slot> StreamPipeline::slots_on(std::uint64_t connection) const {
    std::vector<Slot> out;
    for (Slot s = 0; s < queries_.size(); ++s) {
        const Query& q = queries_[s];
        if (q.connection == connection &&
            (q.state == State::held || q.state == State::in_flight || q.state == State::cancelled))
            out.push_back(s);
    }
    std::sort(out.begin(), out.end(),
              [this](Slot a, Slot b) { return queries_[a].order < queries_[b].order; });
    return out;
}

TimePoint StreamPipeline::idle_deadline(const Connection& c) const {
    // Saturating: a huge configured timeout must not overflow the clock.
    if (c.last_activity > TimePoint::max() - limits_.idle_timeout) return TimePoint::max();
    return c.last_activity + limits_.idle_timeout;
}

// RFC 7766 section 6.2.1: reuse before opening. A connected connection first,
// the least loaded, so answers are not stuck behind a long pipeline; then one
// still connecting (its handshake is already paid for).
std::uint64_t StreamPipeline::choose() const {
    const Connection* best = nullptr;
    for (const Connection& c : connections_)
        if (c.connected && c.load() < limits_.max_in_flight && (!best || c.load() < best->load())) best = &c;
    if (best) return best->id;
    for (const Connection& c : connections_)
        if (!c.connected && c.load() < limits_.max_in_flight && (!best || c.load() < best->load())) best = &c;
    return best ? best->id : 0;
}

bool StreamPipeline::can_place() const {
    return choose() != 0 || connections_.size() < limits_.max_connections;
}

void StreamPipeline::place(Slot s, TimePoint now) {
    std::uint64_t id = choose();
    bool fresh = false;
    if (id == 0) {
        Connection& c = connections_.emplace_back();
        c.id = next_connection_++;
        id = c.id;
        fresh = true;
        ++stats_.connections_opened;
    }
    Connection* c = find(id);
    if (c->connected) return write_on(*c, s, now);
    Query& q = queries_[s];
    q.state = State::held;
    q.connection = id;
    c->held.push_back(s);
    // Held before open(): should open() report closed() at once, the query
    // fails there instead of being placed again (and again).
    if (fresh) io_.open(id);
}

void StreamPipeline::write_on(Connection& c, Slot s, TimePoint now) {
    // Sequential, skipping IDs in flight; load() < max_in_flight <= 65535
    // guarantees a free one.
    std::uint16_t wire = c.next_id;
    while (c.in_flight.contains(wire)) ++wire;
    c.next_id = static_cast<std::uint16_t>(wire + 1);
    c.in_flight.insert(wire, s);
    ++c.live;
    c.last_activity = now;
    stats_.peak_in_flight = std::max(stats_.peak_in_flight, static_cast<unsigned>(c.in_flight.size()));
    Query& q = queries_[s];
    q.state = State::in_flight;
    q.connection = c.id;
    q.wire_id = wire;
    store_u16(q.framed.data() + 2, wire);
    ++stats_.queries_written;
    io_.write(c.id, q.framed);  // last: the callee may call back in
}

// One query at a time, deciding afresh each time: a write may call back in
// and change the connections or the queue.
void StreamPipeline::pump(TimePoint now) {
    while (!queue_.empty() && can_place()) {
        Slot s = queue_.front();
        queue_.pop_front();
        place(s, now);
    }
}

void StreamPipeline::fail_all(const std::vector<std::uint64_t>& tokens) {
    for (std::uint64_t token : tokens) {
        // Submitted again from an earlier fail(): the new query owns the token.
        if (tokens_.contains(token)) continue;
        ++stats_.failed;
        io_.fail(token);
    }
}

void StreamPipeline::submit(std::uint64_t token, std::span<const std::uint8_t> query, TimePoint now) {
    cancel(token);  // a token already pending: the new query takes it over
    if (query.size() < kHeaderSize || query.size() > kMaxMessage) {
        ++stats_.failed;
        return io_.fail(token);
    }
    // FIFO: nothing overtakes a waiting query.
    bool room = queue_.empty() && can_place();
    if (!room && queue_.size() >= limits_.max_queued) {
        ++stats_.failed;
        return io_.fail(token);
    }
    Slot s = new_slot();
    Query& q = queries_[s];
    q.framed.resize(2);
    store_u16(q.framed.data(), static_cast<std::uint16_t>(query.size()));
    q.framed.insert(q.framed.end(), query.begin(), query.end());
    q.token = token;
    q.order = next_order_++;
    q.id = load_u16(query.data());
    q.retried = false;
    tokens_.insert(token, s);
    if (room) return place(s, now);
    q.state = State::queued;
    queue_.push_back(s);
}

void StreamPipeline::cancel(std::uint64_t token) {
    auto found = tokens_.find(token);
    if (!found) return;
    Slot s = *found;
    tokens_.erase(token);
    Query& q = queries_[s];
    switch (q.state) {
        case State::queued:
            erase_slot(queue_, s);
            free_slot(s);
            return;
        case State::held:
            // Room on a connection still connecting: queued queries move on at
            // its connected(), which pumps.
            if (Connection* c = find(q.connection)) erase_slot(c->held, s);
            free_slot(s);
            return;
        case State::in_flight:
            // Its wire ID stays taken until the answer comes or the connection
            // goes: a late answer must not match a newer query.
            q.state = State::cancelled;
            if (Connection* c = find(q.connection)) --c->live;
            return;
        case State::cancelled:
        case State::free:
            return;
    }
}

void StreamPipeline::connected(std::uint64_t connection, TimePoint now) {
    Connection* c = find(connection);
    if (!c || c->connected) {
        ++stats_.ignored;
        return;
    }
    c->connected = true;
    c->last_activity = now;
    // Look the connection up again after every write: it may have closed.
    while ((c = find(connection)) && !c->held.empty()) {
        Slot s = c->held.front();
        c->held.pop_front();
        write_on(*c, s, now);
    }
    pump(now);
}

void StreamPipeline::received(std::uint64_t connection, std::span<const std::uint8_t> message,
                              TimePoint now) {
    Connection* c = find(connection);
    if (!c) {
        ++stats_.ignored;
        return;
    }
    if (message.size() < kHeaderSize) {
        ++stats_.malformed;
        return;
    }
    std::uint16_t wire = load_u16(message.data());
    auto found = c->in_flight.find(wire);
    if (!found) {
        ++stats_.stray;  // forged, duplicated or confused: the connection stays
        return;
    }
    Slot s = *found;
    c->in_flight.erase(wire);
    ++c->answers;
    c->last_activity = now;
    stats_.max_answers_per_connection = std::max(stats_.max_answers_per_connection, c->answers);
    Query& q = queries_[s];
    if (q.state == State::cancelled) {
        ++stats_.late;
        free_slot(s);
        return pump(now);
    }
    --c->live;
    std::uint64_t token = q.token;
    std::uint16_t id = q.id;
    tokens_.erase(token);
    free_slot(s);
    // A buffer of our own, reused: a nested received() from inside deliver()
    // takes a fresh one instead of overwriting this answer.
    std::vector<std::uint8_t> answer = std::move(answer_buffer_);
    answer.assign(message.begin(), message.end());
    store_u16(answer.data(), id);
    ++stats_.answers;
    pump(now);  // the freed room first, so a submit from deliver() cannot overtake the queue
    io_.deliver(token, answer);
    answer_buffer_ = std::move(answer);
}

void StreamPipeline::closed(std::uint64_t connection, TimePoint now) {
    std::size_t i = index_of(connection);
    if (i == kNotFound) {
        ++stats_.ignored;  // unknown, closed twice, or closed by us
        return;
    }
    bool was_connected = connections_[i].connected;
    std::uint64_t answers = connections_[i].answers;
    connections_.erase(connections_.begin() + static_cast<std::ptrdiff_t>(i));
    std::vector<std::uint64_t> to_fail;
    auto drop = [&](Slot s) {
        to_fail.push_back(queries_[s].token);
        tokens_.erase(queries_[s].token);
        free_slot(s);
    };
    if (!was_connected) {
        // Handshake or certificate failure: the server is unreachable or not
        // who it must be. Fail at once so the caller's server selection moves
        // on; no retry here, and never in clear text.
        ++stats_.connections_failed;
        for (Slot s : slots_on(connection)) {
            if (queries_[s].state == State::cancelled) {
                free_slot(s);
                continue;
            }
            drop(s);
        }
        // Waiting queries can still go out on another connection when there
        // is one; with none left, no new one is opened to this server for them.
        if (connections_.empty()) {
            std::deque<Slot> waiting = std::move(queue_);
            queue_.clear();
            for (Slot s : waiting) drop(s);
        }
        return fail_all(to_fail);
    }
    // RFC 7766 section 6.2.4: retry what was unanswered when a connection
    // closes. Once per query, unless this connection answered something:
    // then the server makes progress (some close after every answer) and the
    // retry is free.
    ++stats_.connections_lost;
    std::vector<Slot> retry;
    for (Slot s : slots_on(connection)) {
        Query& q = queries_[s];
        if (q.state == State::cancelled) {
            free_slot(s);
            continue;
        }
        if (answers == 0) {
            if (q.retried) {
                drop(s);
                continue;
            }
            q.retried = true;
        }
        ++stats_.retried;
        q.state = State::queued;
        q.connection = 0;
        retry.push_back(s);
    }
    // Ahead of the waiting queries: they were submitted earlier.
    queue_.insert(queue_.begin(), retry.begin(), retry.end());
    pump(now);
    fail_all(to_fail);
}

std::optional<TimePoint> StreamPipeline::next_timer() const {
    std::optional<TimePoint> next;
    for (const Connection& c : connections_)
        if (idle(c)) {
            TimePoint at = idle_deadline(c);
            if (!next || at < *next) next = at;
        }
    return next;
}

void StreamPipeline::tick(TimePoint now) {
    std::vector<std::uint64_t> to_close;
    for (std::size_t i = 0; i < connections_.size();) {
        const Connection& c = connections_[i];
        if (!idle(c) || idle_deadline(c) > now) {
            ++i;
            continue;
        }
        // Only cancelled queries can be left on it: nobody waits for them.
        for (Slot s : slots_on(c.id)) free_slot(s);
        to_close.push_back(c.id);
        ++stats_.idle_closed;
        connections_.erase(connections_.begin() + static_cast<std::ptrdiff_t>(i));
    }
    for (std::uint64_t id : to_close) io_.close(id);
    // A connection full of cancelled queries may have kept waiting ones out.
    if (!to_close.empty()) pump(now);
}

void StreamPipeline::close_all() {
    std::vector<std::uint64_t> to_close;
    to_close.reserve(connections_.size());
    for (const Connection& c : connections_) to_close.push_back(c.id);
    connections_.clear();
    queue_.clear();
    tokens_ = {};
    for (Slot s = 0; s < queries_.size(); ++s)
        if (queries_[s].state != State::free) free_slot(s);
    for (std::uint64_t id : to_close) io_.close(id);
}

const StreamPipelineStats& StreamPipeline::stats() const {
    stats_.open_connections = static_cast<unsigned>(connections_.size());
    stats_.connecting = 0;
    stats_.in_flight = 0;
    stats_.held = 0;
    for (const Connection& c : connections_) {
        stats_.connecting += c.connected ? 0 : 1;
        stats_.in_flight += static_cast<unsigned>(c.in_flight.size());
        stats_.held += static_cast<unsigned>(c.held.size());
    }
    stats_.queued = static_cast<unsigned>(queue_.size());
    return stats_;
}

}  // namespace lanlord
