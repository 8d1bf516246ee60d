// RFC 5011 automated trust-anchor updates for the root, run by the daemon
// ([dnssec] rfc5011, README "DNSSEC"); the state machine is
// resolver/dnssec/anchor_rollover.h, this is its edge: the state file, the
// timer and the fetch.
//
// - The state lives in `$STATE_DIRECTORY/root-anchors.state`, written
//   atomically (atomic_write.h) after every change. It is used at start when
//   it tracks one of the configured root anchors (in any state): then it is
//   the continuation of those anchors, and what it learned (a new key past
//   its hold-down, a revocation) wins. A state that tracks none of them
//   (another trust_anchor_file was configured) is started again from the
//   configuration; a state file that does not parse is logged with its line
//   and replaced.
// - The root's DNSKEY RRset is fetched with `lanlordctl trace`'s machinery
//   (an iterator resolution from the root with its responses kept, then the
//   validator with the anchors in force), at the times RFC 5011 2.3 gives
//   (between 1 hour and 15 days; the first 5 s after start, as unbound probes at start). Only an
//   RRset that validated as secure, with a trusted clock, reaches the state
//   machine; anything else is a failed query (retry between 1 hour and a
//   day). While the clock is not trusted nothing is observed: hold-downs are
//   counted in wall time and a wrong clock would cut them short.
// - When the trusted keys change, the engines get new anchors at once
//   (`on_anchors_changed`); every key event is logged.
// - Recursive mode only: in forwarding mode the DNSKEY RRset would come
//   through an upstream, and dnsmasq (the forwarding peer) does no RFC 5011
//   either; the configured anchors are used as they are.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "resolver/dnssec/anchor_rollover.h"
#include "resolver/dnssec/trust_anchors.h"
#include "resolver/recursion/iterator.h"

namespace lanlord {

class AnchorUpdater {
  public:
    static constexpr std::chrono::seconds kFirstFetch{5};   // after start: the root primed first
    static constexpr std::chrono::seconds kClockWait{600};  // clock not trusted: look again then
    using Done = std::function<void(const RecursionResult&)>;
    // Starts a validated resolution of ". DNSKEY"; false when it cannot (no recursive group).
    using Fetch = std::function<bool(Done)>;

    AnchorUpdater(boost::asio::io_context& io, Fetch fetch, std::function<bool()> clock_trusted,
                  std::function<std::int64_t()> wall_clock, std::function<void()> on_anchors_changed)
        : timer_(io),
          fetch_(std::move(fetch)),
          clock_trusted_(std::move(clock_trusted)),
          wall_(std::move(wall_clock)),
          on_changed_(std::move(on_anchors_changed)) {}

    // `configured`, its root anchors replaced by the RFC 5011 state's (read
    // from `state_path` when that changes, else made from `configured`).
    // Arms the first fetch.
    std::shared_ptr<const TrustAnchors> anchors(const TrustAnchors& configured,
                                                const std::string& state_path);
    // The same anchors again (after on_anchors_changed).
    std::shared_ptr<const TrustAnchors> current() const { return anchors_; }

    // For lanlordctl status.
    const AnchorRollover* rollover() const { return rollover_ ? &*rollover_ : nullptr; }
    const std::string& state_path() const { return state_path_; }
    const std::string& last_error() const { return last_error_; }

    // One fetch's result (public for the timer's callback and for tests).
    void on_result(const RecursionResult& r);

  private:
    void rebuild();
    void persist();
    void arm(std::int64_t at);
    void fire();

    boost::asio::steady_timer timer_;
    Fetch fetch_;
    std::function<bool()> clock_trusted_;
    std::function<std::int64_t()> wall_;
    std::function<void()> on_changed_;
    std::optional<AnchorRollover> rollover_;
    TrustAnchors others_;  // configured anchors of other zones than the root
    std::shared_ptr<const TrustAnchors> anchors_;
    std::string state_path_, last_error_;
    std::string configured_key_;  // the configured root anchors, to notice a change
    bool in_flight_ = false;
};

}  // namespace lanlord
