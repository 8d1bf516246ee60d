#include "daemon/anchor_updater.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/io/atomic_write.h"
#include "common/io/read_file.h"
#include "resolver/dnssec/key_set.h"
#include "resolver/dnssec/signed_rrsets.h"
#include "resolver/wire/dns_constants.h"

namespace lanlord {

namespace {

const std::string kRoot(1, '\0');

// Does the state track a key (in any state) or a DS that the configuration names?
bool tracks_any(const AnchorRollover& r, const TrustAnchor& configured) {
    for (const auto& ds_rdata : configured.ds) {
        for (ByteView pending : r.pending_ds())
            if (std::equal(pending.begin(), pending.end(), ds_rdata.begin(), ds_rdata.end())) return true;
        DsRdata ds;
        if (!decode_ds_rdata(ds_rdata, ds)) continue;
        for (const TrackedKey& k : r.keys())
            if (ds_matches_key(kRoot, ds, k.dnskey)) return true;
    }
    return false;
}

}  // namespace

std::shared_ptr<const TrustAnchors> AnchorUpdater::anchors(const TrustAnchors& configured,
                                                           const std::string& state_path) {
    const TrustAnchor* root = nullptr;
    others_ = TrustAnchors{};
    std::string key;
    for (const TrustAnchor& a : configured.all()) {
        if (a.zone == kRoot) {
            root = &a;
            for (const auto& ds : a.ds) key.append(ds.begin(), ds.end()).push_back('|');
            continue;
        }
        for (ByteView ds : a.ds_views()) others_.add_ds(a.zone, ds);
    }
    if (!root) {  // no root anchor configured: nothing to keep up to date
        rollover_.reset();
        anchors_ = std::make_shared<const TrustAnchors>(configured);
        return anchors_;
    }
    if (rollover_ && state_path == state_path_ && key == configured_key_) {
        rebuild();
        return anchors_;
    }
    state_path_ = state_path;
    configured_key_ = key;
    rollover_.reset();
    std::int64_t now = wall_();
    if (auto text = io::read_file(state_path_)) {
        std::string error;
        if (auto parsed = AnchorRollover::parse(*text, error); !parsed) {
            spdlog::warn(
                "DNSSEC: RFC 5011 state {} is damaged ({}): starting again from the configured anchors",
                state_path_, error);
        } else if (parsed->zone() != kRoot || !tracks_any(*parsed, *root)) {
            spdlog::info(
                "DNSSEC: RFC 5011 state {} is about other anchors than the configured ones: "
                "starting again from the configuration",
                state_path_);
        } else {
            rollover_ = std::move(*parsed);
            spdlog::info(
                "DNSSEC: RFC 5011 state read from {}: {} trusted root keys, {} DS waiting for their key",
                state_path_, rollover_->trusted_keys().size(), rollover_->pending_ds().size());
        }
    }
    if (!rollover_) {
        std::string error;
        std::vector<ByteView> ds = root->ds_views();
        rollover_ = AnchorRollover::create(kRoot, ds, {}, now, error);
        if (!rollover_) {  // the anchors were checked when loaded: cannot happen, but never validate with
                           // none
            spdlog::error("DNSSEC: RFC 5011 off: {}", error);
            anchors_ = std::make_shared<const TrustAnchors>(configured);
            return anchors_;
        }
        persist();
    }
    rebuild();
    arm(std::max(rollover_->next_query_time(now), now + kFirstFetch.count()));
    return anchors_;
}

void AnchorUpdater::rebuild() {
    TrustAnchors out = others_;
    if (rollover_)
        if (std::string err = rollover_->add_to(out); !err.empty())
            spdlog::warn("DNSSEC: RFC 5011 anchors: {}", err);
    anchors_ = std::make_shared<const TrustAnchors>(std::move(out));
}

void AnchorUpdater::persist() {
    if (!rollover_) return;
    last_error_ = io::write_file_atomically(state_path_, rollover_->serialize());
    if (!last_error_.empty()) spdlog::warn("DNSSEC: RFC 5011 state not saved: {}", last_error_);
}

void AnchorUpdater::arm(std::int64_t at) {
    std::int64_t wait = std::max<std::int64_t>(at - wall_(), 1);
    timer_.expires_after(std::chrono::seconds(wait));
    timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) fire();
    });
}

void AnchorUpdater::fire() {
    if (!rollover_ || in_flight_) return;
    if (!clock_trusted_()) return arm(wall_() + kClockWait.count());
    in_flight_ = true;
    if (!fetch_([this](const RecursionResult& r) { on_result(r); })) {
        in_flight_ = false;
        arm(wall_() + kClockWait.count());  // no recursive group now (a reload may bring one back)
    }
}

void AnchorUpdater::on_result(const RecursionResult& r) {
    in_flight_ = false;
    if (!rollover_) return;
    std::int64_t now = wall_();
    if (!clock_trusted_()) return arm(now + kClockWait.count());
    auto failed = [&](const std::string& why) {
        std::int64_t next = rollover_->fail(now);
        spdlog::warn("DNSSEC: RFC 5011: the root's DNSKEY set could not be used ({}); next try in {} s", why,
                     next - now);
        persist();
        arm(next);
    };
    if (!r.ok || r.responses.empty()) return failed(r.ede_text.empty() ? "no answer" : r.ede_text);
    if (r.dnssec != "secure") return failed(r.dnssec + ": " + r.dnssec_why);
    ParsedMessage m = parse_message(r.responses.back().bytes);
    if (!m.ok()) return failed("the response did not parse");
    std::vector<SignedRrset> answer = signed_rrsets(m, Section::answer);
    auto set = std::find_if(answer.begin(), answer.end(), [](const SignedRrset& s) {
        return s.owner == kRoot && s.type == dns::type::DNSKEY;
    });
    if (set == answer.end()) return failed("no DNSKEY set in the answer");
    std::vector<ByteView> views;
    RrsetData data = set->data(views);
    std::vector<RrsigData> sigs = set->signatures();
    ValidationBudget budget;
    DnskeySigners signers = dnskey_signers(data, sigs, static_cast<std::uint32_t>(now), budget);
    DnskeyObservation seen{views, signers.keys, signers.original_ttl, signers.expiration};
    RolloverReport report = rollover_->observe(seen, now);
    if (!report.accepted) return failed("signed by no trusted key");
    for (const KeyEvent& e : report.events)
        spdlog::info("DNSSEC: RFC 5011: root key {} {} -> {}", e.key_tag, key_state_name(e.from),
                     key_state_name(e.to));
    for (std::uint16_t tag : report.held_back)
        spdlog::warn(
            "DNSSEC: RFC 5011: the revocation of root key {} is held back: it would leave no trust "
            "anchor (install a new one by hand)",
            tag);
    for (std::uint16_t tag : report.not_tracked)
        spdlog::warn("DNSSEC: RFC 5011: new root key {} not tracked: {} keys held already", tag,
                     AnchorRollover::kMaxKeys);
    persist();
    if (report.trusted_changed) {
        rebuild();
        spdlog::info("DNSSEC: RFC 5011: the root's trust anchors changed: {} trusted keys, {} DS",
                     rollover_->trusted_keys().size(), rollover_->pending_ds().size());
        if (on_changed_) on_changed_();
    }
    arm(rollover_->next_query_time(now));
}

}  // namespace lanlord
