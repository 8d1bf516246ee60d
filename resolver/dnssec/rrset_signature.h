// Verifying an RRset's RRSIGs with the validated DNSKEYs of its zone (RFC
// 4035 section 5.3): the checks of 5.3.1, the signed data of RFC 4034
// 3.1.8.1 (canonical form, canonical order, duplicates removed: 6.2, 6.3),
// the wildcard owner of 5.3.2, the TTL of 5.3.3 and the work limits against
// KeyTrap (CVE-2023-50387). No time skew is allowed: a signature is valid
// from its inception to its expiration second, as Knot Resolver does;
// unbound's default skew would accept signatures up to a day out of range.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "resolver/dnssec/crypto.h"
#include "resolver/dnssec/validation_result.h"
#include "resolver/wire/rdata_decode.h"

namespace lanlord {

// An RRset apart from any message: lower-cased wire owner and canonical
// RDATA of each record (rdata_canonical.h).
struct RrsetData {
    std::string_view owner;
    std::uint16_t type = 0;
    std::uint16_t klass = 1;
    std::uint32_t ttl = 0;
    std::span<const ByteView> rdatas;
};

// One RRSIG: its canonical RDATA and the fields read from it.
struct RrsigData {
    ByteView rdata;
    RrsigRdata fields;
};
// A record view over a stand-alone RDATA blob (canonical, uncompressed):
// rdata_decode's decoders read RDATA at an offset into "the message",
// which here is the blob itself.
RecordView standalone_rdata(ByteView rdata, std::uint16_t type);

// Decodes canonical (uncompressed) RRSIG RDATA; false when malformed.
bool decode_rrsig_rdata(ByteView rdata, RrsigData& out);
bool decode_dnskey_rdata(ByteView rdata, DnskeyRdata& out);
bool decode_ds_rdata(ByteView rdata, DsRdata& out);

// A zone's DNSKEYs that may sign its data: those of a validated DNSKEY RRset
// (key_set.h), or the one key a DS pointed at while validating that set.
struct ZoneKeys {
    std::string_view zone;           // the signer name the RRSIGs must carry
    std::span<const ByteView> keys;  // DNSKEY RDATA
};

// RFC 4035 5.3.1: a key may verify RRSIGs when it is a zone key, protocol
// 3, not revoked (RFC 5011 section 3: a revoked key validates nothing but
// its own revocation), of an algorithm we implement.
bool usable_zone_key(const DnskeyRdata& key);

struct RrsetVerdict {
    Verdict verdict;
    std::uint32_t ttl = 0;  // secure: min(TTL, original TTL, seconds to expiration) (RFC 4035 5.3.3)
    // Secure and expanded from a wildcard (RRSIG labels < owner labels,
    // RFC 4035 5.3.4): the caller must also prove the next closer name
    // (the owner cut to wildcard_labels + 1 labels) does not exist.
    bool wildcard = false;
    std::uint8_t wildcard_labels = 0;
};

// `now` is the wall clock in seconds since 1970 (serial arithmetic, RFC 4034
// 3.1.5, so 2038 and 2106 are not special). Tries at most
// limits.max_signatures_per_rrset RRSIGs and, for each, at most
// limits.max_keys_per_tag keys with its tag and algorithm; every crypto
// operation is charged to `budget`.
RrsetVerdict verify_rrset(const RrsetData& set, std::span<const RrsigData> sigs, const ZoneKeys& keys,
                          std::uint32_t now, ValidationBudget& budget);

// The data RFC 4034 3.1.8.1 signs, for tests and the signer in the test
// support: RRSIG RDATA without the signature, then each record in canonical
// order with the owner the RRSIG's labels give and the original TTL.
void build_signed_data(const RrsetData& set, const RrsigData& sig, std::vector<std::uint8_t>& out);

}  // namespace lanlord
