#include "daemon/dnssec_setup.h"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "common/io/clock_status.h"
#include "daemon/compose.h"
#include "resolver/dnssec/clock_trust.h"

namespace lanlord {

std::string timestamp_path(const DnssecConfig& config) {
    return config.timestamp_file.empty() ? state_file("dnssec-timestamp") : config.timestamp_file;
}

std::string DnssecSetup::load_anchors(const DnssecConfig& config,
                                      std::shared_ptr<const TrustAnchors>& anchors) {
    if (config.trust_anchor_file.empty()) {
        anchors = std::make_shared<const TrustAnchors>(TrustAnchors::builtin());
        return "";
    }
    TrustAnchors loaded;
    if (auto err = load_trust_anchor_file(config.trust_anchor_file, loaded); !err.empty()) return err;
    if (loaded.empty()) return config.trust_anchor_file + ": no trust anchor in the file";
    anchors = std::make_shared<const TrustAnchors>(std::move(loaded));
    return "";
}

DnssecPolicy DnssecSetup::policy(const DnssecConfig& config, std::shared_ptr<const TrustAnchors> anchors) {
    DnssecPolicy p;
    if (!config.validate) return p;
    if (!keys_ || key_cache_size_ != config.key_cache_size) {
        keys_ = std::make_shared<KeyCache>(config.key_cache_size);
        key_cache_size_ = config.key_cache_size;
    }
    anchor_count_ = anchors ? anchors->all().size() : 0;
    auto ctx = std::make_shared<DnssecContext>();
    ctx->anchors = std::move(anchors);
    ctx->keys = keys_;
    if (config.aggressive_nsec) {
        // 10,000 records: a home network's worth (pdns keeps 100,000 for an ISP).
        if (!aggressive_) aggressive_ = std::make_shared<AggressiveDenial>(10000);
        ctx->aggressive = aggressive_;
    }
    p.context = std::move(ctx);
    p.negative_anchors = config.negative_trust_anchors;
    p.clock_trusted = clock_;
    p.wall_clock = [] {
        return std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    };
    std::string path = lanlord::timestamp_path(config);
    if (!started_ || path != timestamp_path_) {
        timestamp_path_ = std::move(path);
        started_ = true;
        rejudge_clock();
    }
    return p;
}

// clock_trust.h's rules with this machine's evidence; while untrusted, again
// every kClockRecheck; once trusted, the timestamp file moves forward hourly.
void DnssecSetup::rejudge_clock() {
    ClockEvidence e;
    e.wall =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    e.kernel_synchronised = io::kernel_clock_synchronised();
    e.timestamp_mtime = io::file_mtime(timestamp_path_);
    ClockJudgement j = lanlord::judge_clock(e);
    bool was = clock_->exchange(j.trusted);
    if (j.trusted && !was && clock_reason_ != "not judged yet") {
        // What was validated without dates (keys, answers without AD) is
        // validated again now.
        if (keys_) keys_->clear();
        if (aggressive_) aggressive_->clear();
        if (on_trusted_) on_trusted_();
    }
    if (j.trusted != was || clock_reason_ != j.why) {
        if (j.trusted)
            spdlog::info("DNSSEC: the clock is trusted ({})", j.why);
        else
            spdlog::warn(
                "DNSSEC: the clock is not trusted yet ({}): signatures are checked without their dates and "
                "no "
                "answer gets AD until it is",
                j.why);
    }
    clock_reason_ = j.why;
    if (j.touch_timestamp && !io::touch_forward(timestamp_path_, e.wall))
        spdlog::warn("DNSSEC: cannot update the timestamp file {}: {}", timestamp_path_,
                     std::strerror(errno));
    arm(j.trusted ? std::chrono::seconds(kTimestampInterval) : kClockRecheck);
}

void DnssecSetup::arm(std::chrono::seconds after) {
    timer_.expires_after(after);
    timer_.async_wait([this](boost::system::error_code ec) {
        if (!ec) rejudge_clock();
    });
}

}  // namespace lanlord
