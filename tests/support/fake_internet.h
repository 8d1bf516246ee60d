// A scripted DNS hierarchy for scenario tests of the recursive resolver:
// fake authoritative servers by address (fake_authority.h), a log of every
// query they receive, and a driver that plays the network for an engine
// talking through a FakeEngineIo, with a fake clock. No sockets, no threads:
// a whole resolution runs in microseconds and always the same way.
// Test-only code.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "common/dns_name.h"
#include "common/time.h"
#include "resolver/wire/dns_message.h"
#include "support/fake_authority.h"
#include "support/fake_engine_io.h"

namespace lanlord::test {

// One query as a fake server received it.
struct Received {
    IpAddress server;
    std::string qname_as_sent_text;  // "wWw.ExaMple.zz." (0x20 case kept)
    std::uint16_t qtype = 0;
    bool tcp = false;
    bool edns = false;
    bool dnssec_ok = false;
    friend bool operator==(const Received&, const Received&) = default;
};

// "192.0.2.1 wWw.example.zz. A udp edns" (types as answer_text.h names them, "TYPE65" otherwise).
std::string to_string(const Received& r);
inline std::ostream& operator<<(std::ostream& os, const Received& r) {
    return os << to_string(r);
}

// Why run_until_quiet returned.
struct RunResult {
    bool quiet = false;     // nothing left to send, no answer on the way, no timer: done
    std::size_t steps = 0;  // answers delivered + timer calls
    TimePoint finished_at{};
};

struct RunLimits {
    std::size_t max_steps = 10000;
    Duration max_time = seconds(60);  // of fake time since the call
};

class FakeInternet {
  public:
    // A server at `address` (port 53); several zones go into one server with
    // serve(). Throws on a bad or duplicate address.
    FakeServer& add_server(std::string_view address, Behaviour behaviour = Behaviour::normal);
    // The server at `address`; throws when there is none.
    FakeServer& server(std::string_view address);
    bool has_server(const IpAddress& address) const { return servers_.count(address) != 0; }

    // One query arriving at `to`: logged when a server is there (silent ones
    // too); the answer, or nothing (no server, silent, wrong port).
    std::optional<Bytes> deliver(const Endpoint& to, std::span<const std::uint8_t> query, bool tcp);

    // Plays the network for `engine`, which sends through `io` (a FakeEngineIo)
    // and has the calls of ResolverEngine:
    //   handle_upstream_response(std::uint64_t, const Endpoint&, std::span<const std::uint8_t>, TimePoint)
    //   handle_timers(TimePoint)  and  std::optional<TimePoint> next_timer() const.
    // Each attempt in io.sent not handled yet whose token is still open goes
    // to its server; an answer arrives `rtt` later. Events then happen in
    // time order: the earliest of the next arrival and engine.next_timer() is
    // played (ties: the answer first), `now` moving forward to it, so a
    // server slower than the engine's timeout loses to the timeout just as on
    // a real network. An answer to an attempt the engine has closed
    // meanwhile is dropped, like a datagram to a closed socket. Stops when
    // nothing is left, or at `limits` so that a looping engine fails the test
    // instead of hanging it. `now` is left at the last event.
    //
    // One FakeInternet drives one FakeEngineIo: it remembers how much of
    // io.sent it has handled across calls (reset_io() after clearing io.sent).
    template <class Engine>
    RunResult run_until_quiet(Engine& engine, FakeEngineIo& io, TimePoint& now, RunLimits limits = {});
    void reset_io() { handled_ = 0; }

    std::vector<Received> log;  // every query received, in order
    // The log as to_string lines, for compact asserts of a whole sequence.
    std::vector<std::string> log_lines() const;

  private:
    struct InFlight {
        std::uint64_t token;
        Endpoint from;
        Bytes bytes;
    };
    std::map<IpAddress, FakeServer> servers_;
    std::size_t handled_ = 0;
};

template <class Engine>
RunResult FakeInternet::run_until_quiet(Engine& engine, FakeEngineIo& io, TimePoint& now, RunLimits limits) {
    const TimePoint start = now;
    // Ordered by arrival, then by sending order (the sequence number).
    std::map<std::pair<TimePoint, std::uint64_t>, InFlight> in_flight;
    std::uint64_t sequence = 0;
    RunResult result;
    while (result.steps < limits.max_steps && now - start <= limits.max_time) {
        for (; handled_ < io.sent.size(); ++handled_) {
            const SentAttempt& a = io.sent[handled_];
            if (!io.open.count(a.token)) continue;  // closed before it left
            auto bytes = deliver(a.server, a.query, a.tcp);
            if (!bytes) continue;
            const Duration rtt = servers_.at(a.server.address).rtt;
            in_flight.emplace(std::pair{now + rtt, sequence++},
                              InFlight{a.token, a.server, std::move(*bytes)});
        }
        const std::optional<TimePoint> timer = engine.next_timer();
        if (in_flight.empty() && !timer) {
            result.quiet = true;
            break;
        }
        ++result.steps;
        if (!in_flight.empty() && (!timer || in_flight.begin()->first.first <= *timer)) {
            auto node = in_flight.extract(in_flight.begin());
            now = std::max(now, node.key().first);
            const InFlight& f = node.mapped();
            if (io.open.count(f.token)) engine.handle_upstream_response(f.token, f.from, f.bytes, now);
        } else {
            now = std::max(now, *timer);
            engine.handle_timers(now);
        }
    }
    result.finished_at = now;
    return result;
}

}  // namespace lanlord::test
