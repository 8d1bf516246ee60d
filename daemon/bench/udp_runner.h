// The I/O edge of the bench: one connected UDP socket per target and a
// ppoll() loop that feeds the sans-I/O TargetRuns (target_run.h).
//
// Why connected sockets: the kernel then delivers only datagrams from the
// target's address and port, and reports ICMP port unreachable as an error
// we can ignore (the query is lost, as for a real stub). Why one thread and
// no Asio: a few queries per second per target need no more, and timestamps
// taken in one loop right after ppoll() returns are comparable across
// targets. ppoll() rather than poll() for sub-millisecond sleeps, so the
// pacing and the receive timestamps are not rounded to whole milliseconds.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/time.h"
#include "daemon/bench/target_run.h"

namespace lanlord::bench {

// Called at most every 100 ms while the run lasts, and once at its end.
using ProgressFn = std::function<void(TimePoint now, bool final)>;

// Runs every target to completion, or, once `stop` turns true (Ctrl-C),
// until the queries already sent are answered or timed out. false and
// `error` when a socket cannot be set up (nothing is sent then).
bool run_udp(std::vector<TargetRun>& runs, const ProgressFn& progress, const std::function<bool()>& stop,
             std::string& error);

}  // namespace lanlord::bench
