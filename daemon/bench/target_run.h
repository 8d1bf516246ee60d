// The sans-I/O bench of one target: which query to send when, which
// datagram answers which query, and what it all adds up to.
//
// The caller owns the socket and the clock: it asks wake_time(), sends what
// next_query() returns when send_due(), hands every datagram to
// on_datagram() and calls expire() when deadlines pass. Order of work:
//   1. probes and warm-up (unmeasured; lost ones asked again a few times),
//   2. a barrier: nothing is measured while one of them is still out, so
//      the cached phase really finds the warm-up's answers in the cache,
//   3. the measured queries, cached and uncached interleaved.
// Pacing: one query per 1/rate seconds, never in bursts (after a stall the
// next query waits a full interval), so a resolver sees a stub's pace.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <vector>

#include "common/time.h"
#include "daemon/bench/bench_types.h"
#include "daemon/bench/probe_wire.h"
#include "daemon/bench/query_set.h"

namespace lanlord::bench {

enum class DatagramVerdict : std::uint8_t { answered, malformed, unmatched, wrong_source };

class TargetRun {
  public:
    // `start`: the first query's time (the command staggers targets so their
    // sends do not coincide).
    TargetRun(Target target, JobPlan plan, const BenchSettings& settings, Random random, TimePoint start);

    const Target& target() const { return target_; }
    const BenchSettings& settings() const { return settings_; }
    bool send_due(TimePoint now) const { return can_send() && now >= next_send_; }
    // The wire query to send now; the caller sends it at once.
    std::vector<std::uint8_t> next_query(TimePoint now);
    DatagramVerdict on_datagram(std::span<const std::uint8_t> msg, const Endpoint& from, TimePoint now);
    // Gives up on queries past their deadline (loss, or a retry for probes).
    void expire(TimePoint now);
    // Ctrl-C, or a DoT target given up: nothing more is sent (no retries
    // either); the queries still out are awaited, so the partial results
    // stay honest. Returns how many measured queries were never sent.
    std::size_t stop_sending();
    // The earliest time something happens: a send or a deadline; nullopt once finished.
    std::optional<TimePoint> wake_time() const;
    // The earliest deadline of a query still out (a DoT target whose
    // connection is not up yet waits for this, not for its next send).
    std::optional<TimePoint> deadline_time() const;
    bool finished() const { return before_.empty() && measured_.empty() && outstanding_.empty(); }

    std::size_t planned() const { return planned_; }
    std::size_t settled() const { return settled_; }  // jobs answered or given up
    std::size_t sent_total() const { return sent_total_; }
    std::size_t answered_total() const { return answered_total_; }  // every kind: probes and warm-up too
    TargetResult result() const;

  private:
    struct Outstanding {
        std::uint16_t id;
        Job job;
        TimePoint sent_at, deadline;
    };
    bool can_send() const;
    std::uint16_t fresh_id();
    PhaseSamples& samples_for(JobKind kind) { return kind == JobKind::cached ? cached_ : uncached_; }
    void record_answer(const Outstanding& q, const ParsedResponse& r, TimePoint now);

    Target target_;
    BenchSettings settings_;
    Random random_;
    Duration interval_;
    TimePoint next_send_;
    std::deque<Job> before_, measured_;
    std::vector<Outstanding> outstanding_;  // a handful (rate x timeout): a linear scan is fastest
    unsigned before_outstanding_ = 0;
    bool stopped_ = false;
    std::size_t planned_ = 0, settled_ = 0, sent_total_ = 0, answered_total_ = 0;

    PhaseSamples cached_, uncached_;
    Tri hijack_ = Tri::unknown;
    std::string hijack_address_;
    bool any_ad_ = false, dnssec_probe_answered_ = false;
};

}  // namespace lanlord::bench
