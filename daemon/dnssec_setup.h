// The daemon's side of DNSSEC ([dnssec], README "DNSSEC"): the trust anchors
// (built in, or from trust_anchor_file), the key cache shared by every
// thread, and the clock-trust rules of resolver/dnssec/clock_trust.h run at
// the edge: the kernel's synchronisation flag and the timestamp file.
//
// Timers: while the clock is not trusted it is judged again every
// kClockRecheck (NTP usually fixes it within a minute of the network coming
// up); once trusted, the timestamp file moves forward every
// kTimestampInterval (an hour). Nothing else wakes the daemon up.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <string>

#include "config/config.h"
#include "resolver/engine/dnssec_policy.h"

namespace lanlord {

class DnssecSetup {
  public:
    static constexpr std::chrono::seconds kClockRecheck{10};

    // `on_trusted`: called when a clock that was not trusted becomes so; the
    // answers cached meanwhile (without AD, their dates unjudged) must go.
    DnssecSetup(boost::asio::io_context& io, std::function<void()> on_trusted)
        : timer_(io), on_trusted_(std::move(on_trusted)) {}

    // Reads the anchors of `config` into `anchors`: "" or the error, with the
    // file and line (the configuration is then refused).
    static std::string load_anchors(const DnssecConfig& config, std::shared_ptr<const TrustAnchors>& anchors);
    // The policy the engines get; `anchors` from load_anchors. Starts the
    // clock judgement the first time.
    DnssecPolicy policy(const DnssecConfig& config, std::shared_ptr<const TrustAnchors> anchors);

    bool clock_trusted() const { return clock_->load(); }
    const std::string& clock_reason() const { return clock_reason_; }
    const std::string& timestamp_path() const { return timestamp_path_; }
    std::size_t anchors() const { return anchor_count_; }
    std::size_t key_cache_entries() const { return keys_ ? keys_->size() : 0; }
    std::shared_ptr<const KeyCache> key_cache() const { return keys_; }
    // The keys of one zone go (a trust point whose anchors changed): its
    // DNSKEY set is validated again with the new anchors. Zones below keep
    // theirs: their DS sets were signed by the zone's ZSK, which a KSK
    // rollover or revocation does not touch.
    void forget_keys(std::string_view zone) {
        if (keys_) keys_->erase(zone);
    }
    std::size_t aggressive_records() const { return aggressive_ ? aggressive_->size() : 0; }

  private:
    void rejudge_clock();
    void arm(std::chrono::seconds after);

    boost::asio::steady_timer timer_;
    std::function<void()> on_trusted_;
    std::shared_ptr<std::atomic<bool>> clock_ = std::make_shared<std::atomic<bool>>(false);
    std::string clock_reason_ = "not judged yet";
    std::string timestamp_path_;
    std::shared_ptr<KeyCache> keys_;
    std::shared_ptr<AggressiveDenial> aggressive_;  // RFC 8198 records; kept across reloads
    std::size_t key_cache_size_ = 0;
    std::size_t anchor_count_ = 0;
    bool started_ = false;
};

// Where the timestamp file lives: the config's, else $STATE_DIRECTORY
// (systemd's StateDirectory=), else /var/lib/lanlord.
std::string timestamp_path(const DnssecConfig& config);

}  // namespace lanlord
