// The I/O edge of the bench: one connected UDP socket per UDP target, one
// DNS-over-TLS connection at a time per DoT target (dot_connection.h), and a
// ppoll() loop that feeds the sans-I/O TargetRuns (target_run.h).
//
// Why connected UDP sockets: the kernel then delivers only datagrams from the
// target's address and port, and reports ICMP port unreachable as an error
// we can ignore (the query is lost, as for a real stub). Why one thread and
// no Asio: a few queries per second per target need no more, and timestamps
// taken in one loop right after ppoll() returns are comparable across
// targets. ppoll() rather than poll() for sub-millisecond sleeps, so the
// pacing and the receive timestamps are not rounded to whole milliseconds.
//
// A DoT target (RFC 7858) works as Android's Private DNS or stubby does:
//   1. one connection, opened when the first query is due; a query is sent
//      only once the handshake is done, so its latency never includes the
//      handshake, which is timed apart (TlsSamples). Queries are padded to
//      128 octets (RFC 8467 section 4.1) and pipelined: the next one does not
//      wait for the previous answer (RFC 7766 section 6.2.1.1);
//   2. when the server closes it, the queries still out time out (lost, as a
//      stub would see them) and a new connection is opened for the next one,
//      resuming the session;
//   3. `tls_connect_attempts` failed connections in a row (refused, timed
//      out, a certificate or pin that does not verify) give the target up:
//      nothing is ever sent to it in clear, and the report says why and how
//      many measured queries were never sent;
//   4. once every target's queries are done (their crypto on this thread
//      must not delay another target's answers), `tls_handshake_probes` full
//      and as many resumed handshakes, one connection at a time, 1/rate
//      apart, each closed once its session ticket is in: what a new
//      connection costs, with and without resumption.
// A server that ends a connection, with close_notify or without (an end of
// stream is a normal end for DNS: SSL_OP_IGNORE_UNEXPECTED_EOF), leaves its
// session resumable; only failed connections wait 500 ms before the next.
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
// until the queries already sent are answered or timed out (no handshake
// probes then). `tls` gets one entry per run (empty for UDP targets). false
// and `error` when a socket or a TLS context cannot be set up (nothing is
// sent then).
bool run_targets(std::vector<TargetRun>& runs, std::vector<TlsSamples>& tls, const ProgressFn& progress,
                 const std::function<bool()>& stop, std::string& error);

}  // namespace lanlord::bench
