#include "resolver/dnssec/anchor_rollover.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <map>

#include "common/dns_name.h"
#include "common/text.h"
#include "resolver/dnssec/key_set.h"
#include "resolver/wire/dns_constants.h"

namespace lanlord {

namespace {

using Blob = std::vector<std::uint8_t>;

constexpr std::int64_t kHour = 3600;
constexpr std::int64_t kDay = 86400;
constexpr std::int64_t kMaxQueryInterval = 15 * kDay;  // RFC 5011 2.3
constexpr std::int64_t kMaxRetryInterval = kDay;       // RFC 5011 2.3
constexpr std::uint16_t kRevokeFlag = 0x0080;          // RFC 5011 section 3

// Times: `now` is clamped to [0, kMaxNow] (year 4147), so every time this
// code stores (now plus at most a 2^32-second TTL) stays below kMaxTime,
// the state file's bound (year 36812): what serialize() writes, parse()
// reads, whatever clock the caller passes.
constexpr std::int64_t kMaxNow = std::int64_t{1} << 36;
constexpr std::int64_t kMaxTime = std::int64_t{1} << 40;
std::int64_t clamp_now(std::int64_t now) {
    return std::clamp<std::int64_t>(now, 0, kMaxNow);
}

// State file bounds (hostile input): key and DS sizes well above any real
// one (an RSA-4096 DNSKEY is 520 bytes), one line, the whole file.
constexpr std::size_t kMaxDnskeyBytes = 2048;
constexpr std::size_t kMaxDsBytes = 255;
constexpr std::size_t kMaxLine = 8192;
constexpr std::size_t kMaxFile = 1 << 20;

constexpr std::string_view kMagic = "lanlord-rfc5011";
constexpr std::string_view kVersion = "1";

bool same(ByteView a, ByteView b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

// RFC 1982 serial arithmetic on 32 bits: a is at or before b.
bool serial_le(std::uint32_t a, std::uint32_t b) {
    return static_cast<std::int32_t>(b - a) >= 0;
}

// A key RFC 5011 may track (section 2: trust anchors are SEP keys): zone
// key and SEP bits, protocol 3, an algorithm lanlord can verify with. The
// REVOKE bit is looked at separately.
bool trackable(const DnskeyRdata& k) {
    return k.zone_key() && k.secure_entry_point() && k.protocol == 3 &&
           dnskey_algorithm_supported(k.algorithm);
}

// The key's identity: its RDATA with the REVOKE bit cleared (flags are the
// first two bytes, big-endian; the bit is 0x0080).
Blob identity_of(ByteView rdata) {
    Blob id(rdata.begin(), rdata.end());
    if (id.size() >= 2) id[1] = static_cast<std::uint8_t>(id[1] & ~kRevokeFlag);
    return id;
}

// What one validated RRset shows of a key (by identity).
struct Shown {
    std::uint16_t tag = 0;  // of the identity
    bool present = false;   // published without the REVOKE bit
    bool revoked = false;   // published with the REVOKE bit and self-signed (2.1)
};
using ShownKeys = std::map<Blob, Shown>;

ShownKeys shown_keys(const DnskeyObservation& seen) {
    ShownKeys shown;
    for (ByteView rd : seen.dnskeys) {
        DnskeyRdata k;
        if (!decode_dnskey_rdata(rd, k) || !trackable(k)) continue;
        // RFC 5011 2.1: a revocation counts only when the revoked key signed
        // the RRset itself; an unsigned revoked key is ignored (and the key
        // then counts as absent).
        if (k.revoked() &&
            std::none_of(seen.signers.begin(), seen.signers.end(), [&](ByteView s) { return same(s, rd); }))
            continue;
        Blob id = identity_of(rd);
        Shown& s = shown[id];
        s.tag = dnskey_key_tag(id);
        (k.revoked() ? s.revoked : s.present) = true;
    }
    return shown;
}

TrackedKey* find_key(std::vector<TrackedKey>& keys, ByteView id) {
    for (TrackedKey& k : keys)
        if (same(k.dnskey, id)) return &k;
    return nullptr;
}

// Room for one more key: below kMaxKeys, or by forgetting the oldest
// Removed tombstone (a revocation more than 30 days old: the least useful
// thing held).
bool make_room(std::vector<TrackedKey>& keys) {
    if (keys.size() < AnchorRollover::kMaxKeys) return true;
    auto oldest = keys.end();
    for (auto it = keys.begin(); it != keys.end(); ++it)
        if (it->state == KeyState::removed && (oldest == keys.end() || it->changed < oldest->changed))
            oldest = it;
    if (oldest == keys.end()) return false;
    keys.erase(oldest);
    return true;
}

void move_to(TrackedKey& k, KeyState to, std::int64_t now, std::int64_t hold_down_end,
             RolloverReport& report) {
    report.events.push_back(KeyEvent{k.key_tag, k.state, to});
    k.state = to;
    k.changed = now;
    k.hold_down_end = hold_down_end;
}

// The transitions of RFC 5011 section 4 for one accepted RRset. With
// `hold_revocations`, trusted keys are not revoked and DS anchors whose key
// is a tombstone are kept (the second pass of the never-zero rule).
void apply(std::string_view zone, std::vector<TrackedKey>& keys, std::vector<Blob>& pending_ds,
           const ShownKeys& shown, std::int64_t now, std::uint32_t original_ttl, bool hold_revocations,
           RolloverReport& report) {
    // 1. A configured DS anchor becomes its key once the key shows up: the
    // DS already vouched for it, so no hold-down (that guards against keys
    // nobody configured).
    for (auto it = pending_ds.begin(); it != pending_ds.end();) {
        DsRdata ds;
        const ShownKeys::value_type* match = nullptr;
        if (decode_ds_rdata(*it, ds))
            for (const auto& entry : shown)
                if (ds_matches_key(zone, ds, entry.first)) {
                    match = &entry;
                    break;
                }
        if (!match) {
            ++it;
            continue;
        }
        TrackedKey* k = find_key(keys, match->first);
        if (!k) {
            if (!make_room(keys)) {
                report.not_tracked.push_back(match->second.tag);
                ++it;
                continue;
            }
            keys.push_back(TrackedKey{match->first, match->second.tag, KeyState::start, now, now, 0});
            move_to(keys.back(), KeyState::valid, now, 0, report);
        } else if (k->state == KeyState::add_pend) {
            move_to(*k, KeyState::valid, now, 0, report);
        } else if (!k->trusted() && hold_revocations) {
            ++it;  // a tombstone: dropping the DS would lose the last anchor
            continue;
        }
        it = pending_ds.erase(it);
    }

    // 2. The keys already known.
    for (TrackedKey& k : keys) {
        auto it = shown.find(k.dnskey);
        const bool present = it != shown.end() && it->second.present;
        const bool revoked = it != shown.end() && it->second.revoked;
        switch (k.state) {
            case KeyState::add_pend:
                if (revoked)  // never trusted, and never to be (2.1)
                    move_to(k, KeyState::revoked, now, now + AnchorRollover::kRemoveHoldDown, report);
                else if (!present)  // KeyRem: back to Start, the hold-down restarts if it returns (2.4.1)
                    move_to(k, KeyState::start, now, 0, report);
                else if (now >= k.hold_down_end)  // AddTime, seen at a query after the hold-down
                    move_to(k, KeyState::valid, now, 0, report);
                break;
            case KeyState::valid:
            case KeyState::missing:
                if (revoked && hold_revocations)
                    report.held_back.push_back(k.key_tag);
                else if (revoked)  // RevBit
                    move_to(k, KeyState::revoked, now, now + AnchorRollover::kRemoveHoldDown, report);
                else if (present && k.state == KeyState::missing)  // KeyPres
                    move_to(k, KeyState::valid, now, 0, report);
                else if (!present && k.state == KeyState::valid)  // KeyRem: still trusted (section 4)
                    move_to(k, KeyState::missing, now, 0, report);
                break;
            case KeyState::revoked:
                // RemTime. RFC 5011 section 4 counts it from the key's
                // disappearance, Knot Resolver from the revocation; either
                // way the key stays distrusted (the tombstone below), so
                // the simpler clock is used: 30 days after RevBit.
                if (now >= k.hold_down_end) move_to(k, KeyState::removed, now, 0, report);
                break;
            case KeyState::removed:  // a tombstone: nothing brings it back
            case KeyState::start:
                break;
        }
    }
    std::erase_if(keys, [](const TrackedKey& k) { return k.state == KeyState::start; });

    // 3. NewKey: SEP keys never seen, published without the REVOKE bit (a
    // revoked key we never trusted revokes nothing).
    const std::int64_t hold_down = std::max<std::int64_t>(AnchorRollover::kAddHoldDown, original_ttl);
    for (const auto& [id, s] : shown) {
        if (!s.present || s.revoked || find_key(keys, id)) continue;
        if (!make_room(keys)) {
            report.not_tracked.push_back(s.tag);
            continue;
        }
        keys.push_back(TrackedKey{id, s.tag, KeyState::start, now, now, 0});
        move_to(keys.back(), KeyState::add_pend, now, now + hold_down, report);
    }
}

// The trust point's anchors, sorted, to tell whether they changed.
std::vector<Blob> anchor_snapshot(std::span<const TrackedKey> keys, std::span<const Blob> ds) {
    std::vector<Blob> out(ds.begin(), ds.end());
    for (const TrackedKey& k : keys)
        if (k.trusted()) out.push_back(k.dnskey);
    std::sort(out.begin(), out.end());
    return out;
}

bool zone_round_trips(std::string_view zone) {
    if (zone.empty() || zone.size() > kMaxNameLength) return false;
    std::string text = name_to_text(zone);
    if (text.find('\\') != std::string::npos) return false;  // name_from_text reads no escapes
    std::optional<std::string> back = name_from_text(text);
    return back && *back == zone;
}

// ---- state file helpers ----

template <typename T>
bool parse_number(std::string_view text, T min, T max, T& out) {
    T v{};
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || p != text.data() + text.size() || v < min || v > max) return false;
    out = v;
    return true;
}

// "name=value" with the expected name, value a number in [min, max].
template <typename T>
bool parse_field(std::string_view field, std::string_view name, T min, T max, T& out) {
    if (field.size() <= name.size() || field.substr(0, name.size()) != name || field[name.size()] != '=')
        return false;
    return parse_number(field.substr(name.size() + 1), min, max, out);
}

std::optional<KeyState> state_from_word(std::string_view w) {
    for (KeyState s :
         {KeyState::add_pend, KeyState::valid, KeyState::missing, KeyState::revoked, KeyState::removed})
        if (w == key_state_name(s)) return s;
    return std::nullopt;
}

}  // namespace

const char* key_state_name(KeyState s) {
    switch (s) {
        case KeyState::start:
            return "start";
        case KeyState::add_pend:
            return "addpend";
        case KeyState::valid:
            return "valid";
        case KeyState::missing:
            return "missing";
        case KeyState::revoked:
            return "revoked";
        case KeyState::removed:
            return "removed";
    }
    return "?";
}

DnskeySigners dnskey_signers(const RrsetData& set, std::span<const RrsigData> sigs, std::uint32_t now,
                             ValidationBudget& budget) {
    DnskeySigners out;
    if (set.type != dns::type::DNSKEY) return out;
    const unsigned owner_labels = name_label_count(set.owner);
    unsigned tried = 0;
    bool verified = false;  // some RRSIG verified: out.original_ttl and out.expiration are set
    std::vector<std::uint8_t> signed_data;
    for (const RrsigData& sig : sigs) {
        const RrsigRdata& f = sig.fields;
        // The apex DNSKEY RRset, signed by its own zone, never a wildcard expansion.
        if (f.type_covered != dns::type::DNSKEY || f.signer.view() != set.owner || f.labels != owner_labels ||
            !dnskey_algorithm_supported(f.algorithm))
            continue;
        if (tried == budget.limits.max_signatures_per_rrset) break;
        ++tried;
        if (budget.limits.check_signature_dates &&
            (!serial_le(f.inception, now) || !serial_le(now, f.expiration)))
            continue;
        unsigned keys_tried = 0;
        bool built = false;
        for (ByteView rd : set.rdatas) {
            DnskeyRdata key;
            if (!decode_dnskey_rdata(rd, key) || key.key_tag != f.key_tag || key.algorithm != f.algorithm)
                continue;
            // usable_zone_key() but for the REVOKE bit, which is the point here.
            if (!key.zone_key() || key.protocol != 3) continue;
            if (keys_tried == budget.limits.max_keys_per_tag) break;
            ++keys_tried;
            if (!budget.take_signature_check()) return out;
            if (!built) build_signed_data(set, sig, signed_data), built = true;
            if (verify_signature(f.algorithm, key.public_key, signed_data, f.signature) !=
                CryptoResult::valid)
                continue;
            if (std::none_of(out.keys.begin(), out.keys.end(), [&](ByteView k) { return same(k, rd); }))
                out.keys.push_back(rd);
            out.original_ttl = verified ? std::min(out.original_ttl, f.original_ttl) : f.original_ttl;
            if (!verified || serial_le(f.expiration, out.expiration)) out.expiration = f.expiration;
            verified = true;
            break;
        }
    }
    return out;
}

std::int64_t rfc5011_query_interval(std::uint32_t original_ttl, std::int64_t expiration_interval) {
    std::int64_t v = std::min<std::int64_t>(kMaxQueryInterval, original_ttl / 2);
    v = std::min(v, std::max<std::int64_t>(expiration_interval, 0) / 2);
    return std::max(kHour, v);
}

std::int64_t rfc5011_retry_interval(std::uint32_t original_ttl, std::int64_t expiration_interval) {
    std::int64_t v = std::min<std::int64_t>(kMaxRetryInterval, original_ttl / 10);
    v = std::min(v, std::max<std::int64_t>(expiration_interval, 0) / 10);
    return std::max(kHour, v);
}

std::optional<AnchorRollover> AnchorRollover::create(std::string_view zone,
                                                     std::span<const ByteView> ds_anchors,
                                                     std::span<const ByteView> dnskey_anchors,
                                                     std::int64_t now, std::string& error) {
    now = clamp_now(now);
    if (!zone_round_trips(zone)) {
        error = "the zone's name cannot be written to the state file";
        return std::nullopt;
    }
    AnchorRollover r;
    r.zone_.assign(zone);
    for (ByteView raw : ds_anchors) {
        DsRdata ds;
        if (!decode_ds_rdata(raw, ds) || raw.size() > kMaxDsBytes) {
            error = "malformed DS anchor";
            return std::nullopt;
        }
        if (std::any_of(r.pending_ds_.begin(), r.pending_ds_.end(),
                        [&](const Blob& d) { return same(d, raw); }))
            continue;
        if (r.pending_ds_.size() == kMaxDs) {
            error = "more than " + std::to_string(kMaxDs) + " DS anchors for one zone";
            return std::nullopt;
        }
        r.pending_ds_.emplace_back(raw.begin(), raw.end());
    }
    for (ByteView raw : dnskey_anchors) {
        DnskeyRdata key;
        if (!decode_dnskey_rdata(raw, key) || raw.size() > kMaxDnskeyBytes) {
            error = "malformed DNSKEY anchor";
            return std::nullopt;
        }
        if (key.revoked() || !trackable(key)) {
            error =
                "DNSKEY anchor " + std::to_string(key.key_tag) +
                " is not a SEP zone key of a supported algorithm without the REVOKE bit (give it as a DS)";
            return std::nullopt;
        }
        if (find_key(r.keys_, raw)) continue;
        if (r.keys_.size() == kMaxKeys) {
            error = "more than " + std::to_string(kMaxKeys) + " DNSKEY anchors for one zone";
            return std::nullopt;
        }
        r.keys_.push_back(
            TrackedKey{Blob(raw.begin(), raw.end()), key.key_tag, KeyState::valid, now, now, 0});
    }
    if (r.trusted_count() == 0) {
        error = "no trust anchor for the zone";
        return std::nullopt;
    }
    return r;
}

std::size_t AnchorRollover::trusted_count() const {
    return pending_ds_.size() +
           static_cast<std::size_t>(
               std::count_if(keys_.begin(), keys_.end(), [](const TrackedKey& k) { return k.trusted(); }));
}

RolloverReport AnchorRollover::observe(const DnskeyObservation& seen, std::int64_t now) {
    now = clamp_now(now);
    RolloverReport report;
    // Defence in depth for the caller's guarantee: a trusted key, or the key
    // of a pending DS anchor, must be among the signers (RFC 5011 2.4.1: a
    // new key counts only in an RRset the existing anchors validate).
    bool by_trusted = false;
    for (ByteView s : seen.signers) {
        DnskeyRdata k;
        if (!decode_dnskey_rdata(s, k) || k.revoked()) continue;
        for (const TrackedKey& t : keys_) by_trusted = by_trusted || (t.trusted() && same(t.dnskey, s));
        for (const Blob& raw : pending_ds_) {
            DsRdata ds;
            by_trusted = by_trusted || (decode_ds_rdata(raw, ds) && ds_matches_key(zone_, ds, s));
        }
    }
    if (!by_trusted) return report;
    report.accepted = true;

    const ShownKeys shown = shown_keys(seen);
    const std::vector<Blob> before = anchor_snapshot(keys_, pending_ds_);
    std::vector<TrackedKey> keys = keys_;
    std::vector<Blob> pending = pending_ds_;
    apply(zone_, keys, pending, shown, now, seen.original_ttl, false, report);

    // Never zero anchors. RFC 5011 section 5 reads "all trust anchors revoked" as
    // "trust point deleted": data below turns insecure. lanlord refuses to
    // get there by itself: the trust point keeps the keys it trusted (their
    // revocation is held back and reported), so validation fails closed
    // (bogus: a revoked key validates nothing, rrset_signature.h) and the
    // operator decides. The reasons: a single self-signed revocation is
    // all it takes, so whoever holds an old private key could otherwise
    // downgrade the whole tree to insecure without a sound; and with the
    // caller's guarantee (a trusted key signed the RRset) it takes an odd
    // RRset to get here at all (the only trusted key published both with
    // and without the bit), which deserves a human.
    const std::size_t trusted_after =
        pending.size() + static_cast<std::size_t>(std::count_if(
                             keys.begin(), keys.end(), [](const TrackedKey& k) { return k.trusted(); }));
    if (trusted_after == 0) {
        report.events.clear();
        report.not_tracked.clear();
        keys = keys_;
        pending = pending_ds_;
        apply(zone_, keys, pending, shown, now, seen.original_ttl, true, report);
    }
    keys_ = std::move(keys);
    pending_ds_ = std::move(pending);
    report.trusted_changed = anchor_snapshot(keys_, pending_ds_) != before;

    // Active refresh (2.3): the expiration interval runs from this retrieval.
    const auto to_expiry =
        static_cast<std::int32_t>(seen.signature_expiration - static_cast<std::uint32_t>(now));
    last_query_ = now;
    original_ttl_ = seen.original_ttl;
    expiration_interval_ = std::max<std::int64_t>(to_expiry, 0);
    next_query_ = now + rfc5011_query_interval(original_ttl_, expiration_interval_);
    last_failure_ = 0;
    failures_ = 0;
    return report;
}

std::int64_t AnchorRollover::fail(std::int64_t now) {
    now = clamp_now(now);
    if (failures_ < std::numeric_limits<std::uint32_t>::max()) ++failures_;
    last_failure_ = now;
    // Before any successful query nothing is known of the TTL or the
    // signatures: retry at the floor, once an hour.
    const std::int64_t retry =
        last_query_ ? rfc5011_retry_interval(original_ttl_, expiration_interval_) : kHour;
    next_query_ = now + retry;
    return next_query_;
}

std::int64_t AnchorRollover::next_query_time(std::int64_t now) const {
    if (next_query_ == 0) return now;
    return std::min(next_query_, clamp_now(now) + kMaxQueryInterval);
}

std::vector<ByteView> AnchorRollover::trusted_keys() const {
    std::vector<ByteView> out;
    for (const TrackedKey& k : keys_)
        if (k.trusted()) out.emplace_back(k.dnskey);
    return out;
}

std::vector<ByteView> AnchorRollover::pending_ds() const {
    return {pending_ds_.begin(), pending_ds_.end()};
}

std::string AnchorRollover::add_to(TrustAnchors& out) const {
    for (ByteView k : trusted_keys())
        if (std::string why = out.add_dnskey(zone_, k); !why.empty()) return why;
    for (const Blob& ds : pending_ds_)
        if (std::string why = out.add_ds(zone_, ds); !why.empty()) return why;
    return {};
}

std::string AnchorRollover::serialize() const {
    std::string out;
    out += std::string(kMagic) + " " + std::string(kVersion) + " zone=" + name_to_text(zone_) +
           " last-query=" + std::to_string(last_query_) + " next-query=" + std::to_string(next_query_) +
           " original-ttl=" + std::to_string(original_ttl_) +
           " expiration-interval=" + std::to_string(expiration_interval_) +
           " last-failure=" + std::to_string(last_failure_) + " failures=" + std::to_string(failures_) + "\n";
    out +=
        "# key STATE TAG FIRST-SEEN SINCE HOLD-DOWN-END DNSKEY-RDATA-HEX (seconds since 1970; REVOKE bit "
        "clear)\n";
    for (const TrackedKey& k : keys_)
        out += "key " + std::string(key_state_name(k.state)) + " " + std::to_string(k.key_tag) + " " +
               std::to_string(k.first_seen) + " " + std::to_string(k.changed) + " " +
               std::to_string(k.hold_down_end) + " " + to_hex(k.dnskey) + "\n";
    for (const Blob& ds : pending_ds_) {
        const unsigned tag = ds.size() >= 2 ? unsigned(ds[0]) << 8 | ds[1] : 0;
        out += "ds " + std::to_string(tag) + " " + to_hex(ds) + "\n";
    }
    out += "end " + std::to_string(keys_.size()) + " " + std::to_string(pending_ds_.size()) + "\n";
    return out;
}

std::optional<AnchorRollover> AnchorRollover::parse(std::string_view text, std::string& error) {
    std::size_t line_no = 0;
    auto refuse = [&](const std::string& why) {
        error = "line " + std::to_string(line_no) + ": " + why;
        return std::nullopt;
    };
    if (text.size() > kMaxFile) {
        line_no = 1;
        return refuse("the state file is larger than 1 MiB");
    }
    AnchorRollover r;
    bool have_header = false, have_end = false;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t eol = text.find('\n', pos);
        if (eol == std::string_view::npos) eol = text.size();
        const std::string_view line = text.substr(pos, eol - pos);
        pos = eol + 1;
        ++line_no;
        if (line.size() > kMaxLine) return refuse("line longer than " + std::to_string(kMaxLine) + " bytes");
        if (!have_header) {
            const std::vector<std::string_view> f = split_fields(line);
            if (f.size() < 2 || f[0] != kMagic) return refuse("not an RFC 5011 state file (no header line)");
            if (f[1] != kVersion) return refuse("unsupported state file version " + std::string(f[1]));
            if (f.size() != 9) return refuse("the header needs 9 fields, not " + std::to_string(f.size()));
            if (f[2].substr(0, 5) != "zone=") return refuse("expected zone=");
            std::optional<std::string> zone = name_from_text(f[2].substr(5));
            if (!zone || !zone_round_trips(*zone) || name_to_text(*zone) != f[2].substr(5))
                return refuse("bad zone name");
            r.zone_ = std::move(*zone);
            constexpr std::uint32_t u32 = std::numeric_limits<std::uint32_t>::max();
            if (!parse_field<std::int64_t>(f[3], "last-query", 0, kMaxTime, r.last_query_))
                return refuse("expected last-query=SECONDS");
            if (!parse_field<std::int64_t>(f[4], "next-query", 0, kMaxTime, r.next_query_))
                return refuse("expected next-query=SECONDS");
            if (!parse_field<std::uint32_t>(f[5], "original-ttl", 0, u32, r.original_ttl_))
                return refuse("expected original-ttl=SECONDS");
            if (!parse_field<std::int64_t>(f[6], "expiration-interval", 0,
                                           std::numeric_limits<std::int32_t>::max(), r.expiration_interval_))
                return refuse("expected expiration-interval=SECONDS");
            if (!parse_field<std::int64_t>(f[7], "last-failure", 0, kMaxTime, r.last_failure_))
                return refuse("expected last-failure=SECONDS");
            if (!parse_field<std::uint32_t>(f[8], "failures", 0, u32, r.failures_))
                return refuse("expected failures=COUNT");
            have_header = true;
            continue;
        }
        if (line.empty() || line[0] == '#') continue;
        const std::vector<std::string_view> f = split_fields(line);
        if (f.empty()) continue;
        if (have_end) return refuse("content after the end line");
        if (f[0] == "key") {
            if (f.size() != 7) return refuse("a key line has 7 fields, not " + std::to_string(f.size()));
            TrackedKey k;
            std::optional<KeyState> state = state_from_word(f[1]);
            if (!state) return refuse("unknown key state '" + std::string(f[1]) + "'");
            k.state = *state;
            if (!parse_number<std::uint16_t>(f[2], 0, 65535, k.key_tag)) return refuse("bad key tag");
            if (!parse_number<std::int64_t>(f[3], 0, kMaxTime, k.first_seen))
                return refuse("bad first-seen time");
            if (!parse_number<std::int64_t>(f[4], 0, kMaxTime, k.changed)) return refuse("bad state time");
            if (!parse_number<std::int64_t>(f[5], 0, kMaxTime, k.hold_down_end))
                return refuse("bad hold-down time");
            const bool timed = k.state == KeyState::add_pend || k.state == KeyState::revoked;
            if (timed != (k.hold_down_end != 0))
                return refuse(std::string("a key in state ") + key_state_name(k.state) +
                              (timed ? " needs a hold-down end" : " has no hold-down"));
            std::optional<Blob> rdata = parse_hex(f[6], false, kMaxDnskeyBytes);
            DnskeyRdata key;
            if (!rdata || !decode_dnskey_rdata(*rdata, key)) return refuse("malformed DNSKEY RDATA");
            if (key.revoked() || !trackable(key))
                return refuse(
                    "the DNSKEY is not a SEP zone key of a supported algorithm with the REVOKE bit clear");
            if (key.key_tag != k.key_tag)
                return refuse("key tag " + std::to_string(k.key_tag) + " does not match its DNSKEY (" +
                              std::to_string(key.key_tag) + "): corrupted");
            if (find_key(r.keys_, *rdata)) return refuse("the same key twice");
            if (r.keys_.size() == kMaxKeys) return refuse("more than " + std::to_string(kMaxKeys) + " keys");
            k.dnskey = std::move(*rdata);
            r.keys_.push_back(std::move(k));
        } else if (f[0] == "ds") {
            if (f.size() != 3) return refuse("a ds line has 3 fields, not " + std::to_string(f.size()));
            std::uint16_t tag = 0;
            if (!parse_number<std::uint16_t>(f[1], 0, 65535, tag)) return refuse("bad key tag");
            std::optional<Blob> rdata = parse_hex(f[2], false, kMaxDsBytes);
            DsRdata ds;
            if (!rdata || !decode_ds_rdata(*rdata, ds)) return refuse("malformed DS RDATA");
            if (ds.key_tag != tag) return refuse("key tag does not match the DS: corrupted");
            if (std::any_of(r.pending_ds_.begin(), r.pending_ds_.end(),
                            [&](const Blob& d) { return d == *rdata; }))
                return refuse("the same DS twice");
            if (r.pending_ds_.size() == kMaxDs)
                return refuse("more than " + std::to_string(kMaxDs) + " DS anchors");
            r.pending_ds_.push_back(std::move(*rdata));
        } else if (f[0] == "end") {
            std::size_t nkeys = 0, nds = 0;
            if (f.size() != 3 || !parse_number<std::size_t>(f[1], 0, kMaxKeys, nkeys) ||
                !parse_number<std::size_t>(f[2], 0, kMaxDs, nds))
                return refuse("expected 'end KEYS DS'");
            if (nkeys != r.keys_.size() || nds != r.pending_ds_.size())
                return refuse("the end line counts " + std::to_string(nkeys) + " keys and " +
                              std::to_string(nds) + " DS, the file has " + std::to_string(r.keys_.size()) +
                              " and " + std::to_string(r.pending_ds_.size()));
            if (r.trusted_count() == 0)
                return refuse("no trusted key and no DS anchor: nothing to validate with");
            have_end = true;
        } else {
            return refuse("unknown line '" + std::string(f[0].substr(0, 16)) + "'");
        }
    }
    if (!have_end) {
        ++line_no;
        return refuse(have_header ? "the file ends before its end line (truncated)" : "empty state file");
    }
    return r;
}

}  // namespace lanlord
