// RFC 5011 (Automated Updates of DNSSEC Trust Anchors) for one trust point
// (the root, or any zone with a configured anchor), sans-I/O: the caller
// fetches the trust point's DNSKEY RRset when next_query_time() says,
// validates it against the anchors this object gives, and hands the result
// to observe(); it persists serialize() and reads it back with parse().
//
// Key states (RFC 5011 section 4), each key known by its DNSKEY RDATA with
// the REVOKE bit cleared (setting the bit changes the key tag, section 2.1
// and 7, so the tag is no identity):
//   AddPend  a new SEP key, trusted only once seen at a query after the add
//            hold-down (max(30 days, original TTL): 2.4.1) has passed; a
//            validated RRset without it sends it back to Start (forgotten);
//   Valid    trusted;
//   Missing  trusted, absent from the last RRset (section 4: only a
//            revocation ends the trust in a key); back to Valid when seen;
//   Revoked  published with the REVOKE bit and self-signed (2.1): never
//            trusted again; Removed after the remove hold-down (30 days);
//   Removed  kept as a tombstone, so the key never comes back even
//            without the bit (2.1: "MUST NOT use this key as a trust anchor
//            at any time in the future"); only when kMaxKeys keys are held
//            does the oldest tombstone give way to a new key.
// Only SEP zone keys (flags 257), protocol 3, of an algorithm lanlord
// validates (crypto.h) are tracked: a key it cannot verify with anchors
// nothing. Start is never stored: a key in Start is a key not in keys().
//
// How the caller uses it:
// 1. At start-up, parse() the state file; when there is none, or it does not
//    parse (the error names the line), or its zone is not the configured
//    one, create() from the configured anchors: DNSKEY anchors become Valid
//    keys; a DS anchor stays a DS anchor (pending_ds()) until a validated
//    RRset shows a SEP key it matches (ds_matches_key), which then becomes
//    a Valid key and the DS is dropped.
// 2. The trust point's anchors are trusted_keys() (TrustAnchors::add_dnskey)
//    plus pending_ds() (add_ds): add_to() adds both to a TrustAnchors that
//    has none for this zone yet (anchors of other zones are the caller's).
//    Rebuild them whenever observe() reports trusted_changed.
// 3. At next_query_time(), fetch the DNSKEY RRset with its RRSIGs, validate
//    it against those anchors (validate_key_set), then call
//    dnskey_signers() and observe(). A fetch that fails, or an RRset that
//    does not validate, is fail(). observe() must only ever see an RRset
//    that validated against the current anchors, with a wall clock the
//    caller trusts (clock_trust.h): a clock run ahead would shorten the
//    hold-downs. observe() still refuses (changing nothing) an RRset that no
//    trusted key signed, in case the caller got this wrong.
// 4. After any change, write serialize() to the state file atomically (a
//    temporary file, fsync, rename: that is the caller's job, this code
//    does no I/O).
//
// Where RFC 5011 leaves room (the reasons are at the code):
// - the remove hold-down runs from the revocation, not from the revoked
//   key's disappearance (Knot Resolver's reading); Removed keeps the key
//   distrusted either way;
// - a revoked AddPend key goes to Revoked (never trusted), a revoked key
//   never tracked is ignored, a revoked key without its own signature
//   counts as absent;
// - never zero anchors: a revocation that would leave the trust point with
//   no trusted key nor DS is held back and reported (RolloverReport::
//   held_back), where RFC 5011 section 5 (Trust Point Deletion) would delete
//   the trust point (insecure);
// - a DS anchor's key is trusted as soon as it shows up (no hold-down: the
//   configuration vouched for it);
// - before any successful query a failed one is retried after 1 hour.
//
// Times are wall-clock seconds since 1970 (std::int64_t: no 2038 or 2106
// problem in the state file; `now` is clamped to [0, 2^36], so a wild clock
// cannot write a file parse() refuses); RRSIG dates are the 32-bit serial
// numbers of RFC 4034 3.1.5, compared to `now` with serial arithmetic.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "resolver/dnssec/rrset_signature.h"
#include "resolver/dnssec/trust_anchors.h"

namespace lanlord {

enum class KeyState : std::uint8_t { start, add_pend, valid, missing, revoked, removed };

// "start", "addpend", "valid", "missing", "revoked", "removed" (the state file's words).
const char* key_state_name(KeyState s);

struct TrackedKey {
    std::vector<std::uint8_t> dnskey;  // RDATA, REVOKE bit cleared: the key's identity
    std::uint16_t key_tag = 0;         // of `dnskey` (the revoked key's tag is this + 128, mostly)
    KeyState state = KeyState::start;
    std::int64_t first_seen = 0;  // first seen in a validated RRset, or configured
    std::int64_t changed = 0;     // entered `state`
    // AddPend: the add hold-down ends; Revoked: the remove hold-down ends; else 0.
    std::int64_t hold_down_end = 0;

    bool trusted() const { return state == KeyState::valid || state == KeyState::missing; }
};

// The DNSKEY keys whose RRSIG over the trust point's DNSKEY RRset verifies,
// revoked keys included (verify_rrset refuses them as signers of data, RFC
// 5011 section 3, but a revocation counts only when the revoked key signed
// the RRset itself: section 2.1). Checks as verify_rrset: signer is the
// zone, dates (unless the limits say not to), tag and algorithm, the
// per-RRset and per-tag limits, every signature check charged to `budget`.
struct DnskeySigners {
    std::vector<ByteView> keys;      // DNSKEY RDATA, views into dnskeys.rdatas
    std::uint32_t original_ttl = 0;  // the smallest of the verified RRSIGs'
    std::uint32_t expiration = 0;    // the earliest of the verified RRSIGs'
};
DnskeySigners dnskey_signers(const RrsetData& dnskeys, std::span<const RrsigData> sigs, std::uint32_t now,
                             ValidationBudget& budget);

// One validated DNSKEY RRset of the trust point (see "How the caller uses it").
struct DnskeyObservation {
    std::span<const ByteView> dnskeys;       // RDATA of each DNSKEY of the RRset
    std::span<const ByteView> signers;       // DnskeySigners::keys
    std::uint32_t original_ttl = 0;          // DnskeySigners::original_ttl
    std::uint32_t signature_expiration = 0;  // DnskeySigners::expiration
};

struct KeyEvent {
    std::uint16_t key_tag = 0;
    KeyState from = KeyState::start;
    KeyState to = KeyState::start;
};

struct RolloverReport {
    // False: the RRset was signed by no trusted key (or named no key at all)
    // and changed nothing; the caller treats it as a failed fetch (fail()).
    bool accepted = false;
    std::vector<KeyEvent> events;  // every state change, in keys() order (DS anchors matched: start -> valid)
    bool trusted_changed = false;  // trusted_keys() or pending_ds() changed: rebuild the anchors
    // Keys whose revocation was not applied because it would have left the
    // trust point without any anchor (see AnchorRollover::observe); the
    // operator must look (install a new anchor by hand).
    std::vector<std::uint16_t> held_back;
    // New SEP keys not tracked: the table holds kMaxKeys keys and no
    // Removed tombstone could make room.
    std::vector<std::uint16_t> not_tracked;
};

// RFC 5011 section 2.3 "active refresh", in seconds:
//   queryInterval = max(1 hour, min(15 days, original TTL / 2, expiration interval / 2))
//   retryTime     = max(1 hour, min(1 day, original TTL / 10, expiration interval / 10))
// `expiration_interval`: from the retrieval to the RRSIG's expiration (0 when past).
std::int64_t rfc5011_query_interval(std::uint32_t original_ttl, std::int64_t expiration_interval);
std::int64_t rfc5011_retry_interval(std::uint32_t original_ttl, std::int64_t expiration_interval);

class AnchorRollover {
  public:
    static constexpr std::int64_t kAddHoldDown = 30 * 86400;     // RFC 5011 2.4.1 (at least)
    static constexpr std::int64_t kRemoveHoldDown = 30 * 86400;  // RFC 5011 2.4.2
    // Bounds on what a state file or a DNSKEY RRset can make this object
    // hold (RFC 5011 2.4.3 asks for at least 5 SEP keys per trust point).
    static constexpr std::size_t kMaxKeys = 64;
    static constexpr std::size_t kMaxDs = 16;

    // `zone`: lower-cased wire. `ds_anchors`, `dnskey_anchors`: RDATA. A
    // DNSKEY anchor must be a SEP zone key, protocol 3, not revoked, of an
    // algorithm lanlord validates; a DS anchor must decode. At least one
    // anchor. nullopt with `error` set otherwise.
    static std::optional<AnchorRollover> create(std::string_view zone, std::span<const ByteView> ds_anchors,
                                                std::span<const ByteView> dnskey_anchors, std::int64_t now,
                                                std::string& error);

    // Applies the transitions of RFC 5011 section 4 for one validated DNSKEY
    // RRset (see "How the caller uses it" for what the caller guarantees)
    // and sets the next query time (section 2.3).
    RolloverReport observe(const DnskeyObservation& seen, std::int64_t now);
    // A failed fetch or an RRset that did not validate: the next query is
    // retryTime later (section 2.3). Returns that time.
    std::int64_t fail(std::int64_t now);
    // When to fetch the DNSKEY RRset next: `now` before the first fetch;
    // never more than 15 days after `now` (a clock that went back, or a
    // state file written by a clock running ahead, cannot postpone it).
    std::int64_t next_query_time(std::int64_t now) const;

    // DNSKEY RDATA of the Valid and Missing keys.
    std::vector<ByteView> trusted_keys() const;
    // DS RDATA of the configured DS anchors no observed key matched yet.
    std::vector<ByteView> pending_ds() const;
    // Adds trusted_keys() and pending_ds() to `out` for zone(); returns an
    // error text (empty when all were added).
    std::string add_to(TrustAnchors& out) const;

    const std::string& zone() const { return zone_; }
    std::span<const TrackedKey> keys() const { return keys_; }
    std::int64_t last_query() const { return last_query_; }
    std::int64_t last_failure() const { return last_failure_; }
    std::uint32_t failures() const { return failures_; }

    // The state file: a header line (format, zone, query times, the last
    // TTL and expiration interval), one line per key (state, key tag,
    // times, DNSKEY RDATA in hex), one per pending DS, and an end line with
    // the counts (a truncated file is refused). Deterministic: parse() then
    // serialize() gives the same bytes.
    std::string serialize() const;
    // Reads serialize()'s format, treating the text as hostile: never
    // crashes, bounded (kMaxKeys, kMaxDs, sizes), every key re-checked (its
    // tag against its RDATA, the state's timers), and a state with no
    // trusted key nor DS is refused. On error: nullopt and
    // `error` = "line N: reason"; the caller keeps the state it had.
    static std::optional<AnchorRollover> parse(std::string_view text, std::string& error);

  private:
    AnchorRollover() = default;
    std::size_t trusted_count() const;

    std::string zone_;
    std::vector<TrackedKey> keys_;
    std::vector<std::vector<std::uint8_t>> pending_ds_;
    std::int64_t last_query_ = 0;    // the last accepted observe(); 0: never
    std::int64_t next_query_ = 0;    // 0: as soon as possible
    std::int64_t last_failure_ = 0;  // 0: none since the last accepted observe()
    std::uint32_t failures_ = 0;     // consecutive, since the last accepted observe()
    std::uint32_t original_ttl_ = 0;
    std::int64_t expiration_interval_ = 0;
};

}  // namespace lanlord
