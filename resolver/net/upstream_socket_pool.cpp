#include "resolver/net/upstream_socket_pool.h"

#include <algorithm>

namespace lanlord {

bool UpstreamSocketPool::Pool::empty() const {
    return std::all_of(slots.begin(), slots.end(), [](SocketId s) { return s == kNone; });
}

// The pool of (server, interface); a pool left without sockets is reused for
// the next pair, so servers that come and go (resolv.conf) leave nothing behind.
std::uint32_t UpstreamSocketPool::find_pool(const Endpoint& server, const std::string& interface) {
    std::optional<std::uint32_t> unused;
    for (std::uint32_t i = 0; i < pools_.size(); ++i) {
        Pool& p = pools_[i];
        if (p.server == server && p.interface == interface) return i;
        if (!unused && p.empty()) unused = i;
    }
    if (!unused) {
        unused = static_cast<std::uint32_t>(pools_.size());
        pools_.emplace_back();
    }
    Pool& p = pools_[*unused];
    p.server = server;
    p.interface = interface;
    p.slots.assign(std::max(1u, limits_.sockets_per_server), kNone);
    return *unused;
}

UpstreamSocketPool::SocketId UpstreamSocketPool::new_socket(std::uint32_t pool, std::uint32_t slot,
                                                            TimePoint now) {
    SocketId id;
    if (!free_sockets_.empty()) {
        id = free_sockets_.back();
        free_sockets_.pop_back();
    } else {
        id = static_cast<SocketId>(sockets_.size());
        sockets_.emplace_back();
    }
    Socket& s = sockets_[id];
    s.in_use = true;
    s.retired = false;
    s.pool = pool;
    s.slot = slot;
    s.opened = now;
    s.open = 0;
    s.entries.clear();
    s.entries.reserve(std::max(1u, limits_.queries_per_socket));  // kept across reuse of the record
    pools_[pool].slots[slot] = id;
    return id;
}

// Takes a socket out of its slot: it carries no new attempts from now on.
void UpstreamSocketPool::retire(SocketId id) {
    Socket& s = sockets_[id];
    if (s.retired) return;
    s.retired = true;
    SocketId& slot = pools_[s.pool].slots[s.slot];
    if (slot == id) slot = kNone;
}

void UpstreamSocketPool::release(SocketId id) {
    Socket& s = sockets_[id];
    retire(id);
    for (const Entry& e : s.entries)
        if (e.open) token_socket_.erase(e.token);
    s.in_use = false;
    s.entries.clear();
    free_sockets_.push_back(id);
}

bool UpstreamSocketPool::has_id(const Socket& s, std::uint16_t id) const {
    return std::any_of(s.entries.begin(), s.entries.end(), [id](const Entry& e) { return e.id == id; });
}

UpstreamSocketPool::Placement UpstreamSocketPool::place(const Endpoint& server, const std::string& interface,
                                                        std::uint16_t id, std::uint64_t token, TimePoint now,
                                                        std::uint32_t random) {
    Placement out;
    std::uint32_t pool = find_pool(server, interface);
    auto slot = static_cast<std::uint32_t>(random % pools_[pool].slots.size());
    SocketId current = pools_[pool].slots[slot];
    if (current != kNone) {
        Socket& s = sockets_[current];
        // Too old, or this ID was already sent on it (two attempts to one
        // server on one port must never share an ID, or an answer could be
        // taken for the wrong one): a fresh port instead. The ID clash costs a
        // new socket about once in 65536 / queries_per_socket attempts.
        if (now - s.opened >= limits_.lifetime || has_id(s, id)) {
            retire(current);
            if (s.open == 0) {
                release(current);
                out.released = current;
            }
            current = kNone;
        }
    }
    if (current == kNone) {
        current = new_socket(pool, slot, now);
        out.fresh = true;
    }
    Socket& s = sockets_[current];
    s.entries.push_back({token, id, true});
    ++s.open;
    token_socket_.insert(token, current);
    if (s.entries.size() >= limits_.queries_per_socket) retire(current);
    out.socket = current;
    return out;
}

void UpstreamSocketPool::discard(SocketId id) {
    if (id < sockets_.size() && sockets_[id].in_use) release(id);
}

UpstreamSocketPool::Match UpstreamSocketPool::match(SocketId id, std::uint16_t query_id) const {
    if (id >= sockets_.size() || !sockets_[id].in_use) return {};
    for (const Entry& e : sockets_[id].entries)
        if (e.id == query_id) return {e.open ? Verdict::attempt : Verdict::late, e.token};
    return {};
}

std::optional<UpstreamSocketPool::SocketId> UpstreamSocketPool::close(std::uint64_t token) {
    auto found = token_socket_.find(token);
    if (!found) return std::nullopt;
    SocketId id = *found;
    token_socket_.erase(token);
    Socket& s = sockets_[id];
    for (Entry& e : s.entries)
        if (e.token == token && e.open) {
            e.open = false;
            --s.open;
            break;
        }
    if (s.retired && s.open == 0) {
        release(id);
        return id;
    }
    return std::nullopt;
}

void UpstreamSocketPool::expire(TimePoint now, std::vector<SocketId>& to_close) {
    for (Pool& p : pools_)
        for (SocketId id : p.slots) {
            if (id == kNone || now - sockets_[id].opened < limits_.lifetime) continue;
            retire(id);
            if (sockets_[id].open == 0) {
                release(id);
                to_close.push_back(id);
            }
        }
}

std::optional<TimePoint> UpstreamSocketPool::next_expiry() const {
    std::optional<TimePoint> next;
    for (const Pool& p : pools_)
        for (SocketId id : p.slots)
            if (id != kNone) {
                TimePoint at = sockets_[id].opened + limits_.lifetime;
                if (!next || at < *next) next = at;
            }
    return next;
}

std::vector<UpstreamSocketPool::SocketId> UpstreamSocketPool::all_sockets() const {
    std::vector<SocketId> out;
    for (SocketId id = 0; id < sockets_.size(); ++id)
        if (sockets_[id].in_use) out.push_back(id);
    return out;
}

}  // namespace lanlord
