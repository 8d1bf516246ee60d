// One upstream group at run time: its servers with their measured health, and
// the choice of which server to ask next.
//
// Selection (in the spirit of unbound's infra cache and TCP's RTO, RFC 6298):
// - each server keeps a smoothed RTT and RTT variance; its retransmission
//   timeout is srtt + 4 * rttvar, clamped to [min_rto, max_rto], so a LAN
//   upstream is given up on after tens of milliseconds, not a fixed second;
// - a server never measured is tried first (its RTO is initial_rto);
// - a failure (SERVFAIL, REFUSED, unusable answer) backs the server off for
//   1 s, doubling per consecutive failure up to 60 s; a backed-off server is
//   used only when nothing else is left (then the one free soonest);
// - a timeout counts as such a failure only when the server has neither
//   answered nor been held responsible for another timeout since the attempt
//   was sent (unbound's infra_rtt_update does the same with its orig_rtt):
//   on a lossy path the server keeps answering other queries, so a lost
//   datagram is the path's fault, and a burst of queries lost together is one
//   failure, not fifty (each would double the backoff);
// - when a backoff has run out the server is probed by sending it one real
//   query in parallel with the best server's, so recovery costs no wait.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <atomic>

#include "common/histogram.h"
#include "common/ip_address.h"
#include "common/time.h"
#include "common/tls_auth.h"

namespace lanlord {

// What the DNS over TLS edge learns of one server, for lanlordctl status and
// /metrics. Shared by every DNS thread's connections to it (each thread keeps
// its own), hence atomics; the texts behind a mutex.
struct TlsServerStats {
    std::atomic<std::uint64_t> connections_opened{0}, handshakes{0}, resumed{0}, handshake_failures{0};
    std::atomic<std::uint64_t> queries{0}, answers{0}, retried{0}, failed{0};
    std::atomic<std::int64_t> open_connections{0};
    std::atomic<bool> verified{false};  // the last handshake authenticated the server
    struct Texts {
        std::string version;     // of the last handshake, e.g. "TLSv1.3"
        std::string last_error;  // why the last failed handshake failed
    };
    Texts texts() const {
        std::lock_guard lock(mu);
        return texts_;
    }
    void set_version(std::string v) {
        std::lock_guard lock(mu);
        texts_.version = std::move(v);
    }
    // True when `e` is news: not the failure already logged since the
    // server last worked (the caller logs it then).
    bool set_error(std::string e) {
        std::lock_guard lock(mu);
        texts_.last_error = e;
        if (logged_ == e) return false;
        logged_ = std::move(e);
        return true;
    }
    // The server worked: true when a failure had been logged.
    bool clear_logged_error() {
        std::lock_guard lock(mu);
        bool had = !logged_.empty();
        logged_.clear();
        return had;
    }

  private:
    mutable std::mutex mu;
    Texts texts_;
    std::string logged_;
};

struct ServerHealth {
    Endpoint endpoint;
    bool from_resolv_conf = false;
    Duration srtt{};  // zero until measured
    Duration rttvar{};
    unsigned consecutive_failures = 0;
    std::uint64_t queries = 0, answers = 0, failures = 0, timeouts = 0;
    std::uint64_t held_failures = 0;  // failures that counted against it (backoff)
    TimePoint backoff_until{};
    bool probe_in_flight = false;
    LatencyHistogram rtt_histogram;  // every answer's RTT (lanlordctl stats, /metrics)
    // DNS over TLS servers only (RFC 7858): how to authenticate it, and what
    // its connections did. Null for a plain server.
    std::shared_ptr<const TlsAuth> tls;
    std::shared_ptr<TlsServerStats> tls_stats;
};

// The server's record when an attempt was sent (see on_timeout).
struct SendStamp {
    std::uint64_t answers = 0, held_failures = 0;
};

struct SelectionTuning {
    Duration initial_rto = milliseconds(250);
    Duration min_rto = milliseconds(40);
    Duration max_rto = milliseconds(1500);
    Duration first_backoff = seconds(1);
    Duration max_backoff = seconds(60);
};

// Thread-safe: with several DNS threads every engine shares one UpstreamGroup
// per group, so a dead server learned by one thread is avoided by all. The
// lock is taken on the miss path only.
class UpstreamGroup {
  public:
    UpstreamGroup(std::string name, std::string egress_interface, SelectionTuning tuning = {});

    const std::string& name() const { return name_; }
    const std::string& egress_interface() const { return interface_; }
    std::uint16_t cache_tag() const { return tag_; }
    std::vector<ServerHealth> servers() const;  // a snapshot
    std::size_t size() const;
    Endpoint endpoint(std::size_t server) const;
    // The server's current index (the list may have changed since `hint`).
    std::optional<std::size_t> find(const Endpoint& ep, std::size_t hint) const;

    // Replaces the server list, keeping the health of servers that stay.
    // Endpoints in `self` (our own listeners) are left out: forwarding to
    // ourselves would loop (dnsmasq does the same with its resolv.conf).
    // `tls`: the configured servers spoken to over TLS (DoT), with their
    // authentication; a server keeps its TLS counters while that stays.
    void set_servers(const std::vector<Endpoint>& configured, const std::vector<Endpoint>& from_resolv_conf,
                     const std::vector<Endpoint>& self,
                     const std::vector<std::pair<Endpoint, TlsAuth>>& tls = {});
    // A DoT server's authentication and counters; null for a plain server.
    std::shared_ptr<const TlsAuth> tls(std::size_t server, std::shared_ptr<TlsServerStats>& stats) const;

    // Best server not in `tried` (a bitmask over indices < 64), preferring
    // servers not backed off; nullopt when all were tried.
    std::optional<std::size_t> pick(TimePoint now, std::uint64_t tried) const;
    // A server whose backoff has run out and that is not being probed yet.
    std::optional<std::size_t> probe_candidate(TimePoint now, std::uint64_t tried) const;

    // The retransmission timeout of a query to `server`: srtt + 4 rttvar
    // (RFC 6298 2.3), clamped to [min_rto, max_rto]. Not doubled per failure:
    // see ResolverEngine::advance for why retries keep this spacing.
    Duration rto(std::size_t server) const;
    // A probe of a server that failed waits longer: the RTO doubled per
    // consecutive failure (RFC 6298 5.5), up to max_rto; nobody waits on it.
    Duration probe_rto(std::size_t server) const;
    SendStamp on_sent(std::size_t server, bool probe);
    void on_answer(std::size_t server, Duration rtt, bool probe);
    // A failure held against the server: SERVFAIL, REFUSED, unusable answer,
    // or a timeout that on_timeout attributes to it.
    void on_failure(std::size_t server, TimePoint now, bool timeout, bool probe);
    // An attempt sent with `stamp` timed out.
    void on_timeout(std::size_t server, TimePoint now, bool probe, SendStamp stamp);
    // A probe that was still unanswered when its transaction ended: no verdict.
    void on_abandoned(std::size_t server);

  private:
    std::string name_;
    std::string interface_;
    std::uint16_t tag_;
    SelectionTuning tuning_;
    mutable std::mutex mu_;
    std::vector<ServerHealth> servers_;
};

// The groups all engines share, by name and egress interface; a group keeps
// its servers' health across reloads as long as both stay the same.
class UpstreamGroups {
  public:
    std::shared_ptr<UpstreamGroup> obtain(const std::string& name, const std::string& interface,
                                          const SelectionTuning& tuning);

  private:
    std::mutex mu_;
    std::map<std::pair<std::string, std::string>, std::shared_ptr<UpstreamGroup>> groups_;
};

}  // namespace lanlord
