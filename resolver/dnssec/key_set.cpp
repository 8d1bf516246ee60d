#include "resolver/dnssec/key_set.h"

#include <algorithm>

namespace lanlord {

bool ds_matches_key(std::string_view owner, const DsRdata& ds, ByteView dnskey) {
    DnskeyRdata key;
    if (!decode_dnskey_rdata(dnskey, key)) return false;
    if (key.key_tag != ds.key_tag || key.algorithm != ds.algorithm) return false;
    std::array<std::uint8_t, 48> digest{};
    std::size_t len = ds_digest(ds.digest_type, owner, dnskey, digest);
    return len != 0 && len == ds.digest.size() &&
           std::equal(ds.digest.begin(), ds.digest.end(), digest.begin());
}

KeySetVerdict validate_key_set(std::string_view zone, const RrsetData& dnskeys,
                               std::span<const RrsigData> sigs, std::span<const ByteView> ds_records,
                               std::uint32_t now, ValidationBudget& budget) {
    KeySetVerdict result;
    // Which DS records count (RFC 4035 5.2, RFC 4509 3).
    // A DS counts when both its algorithm and its digest type are ours.
    bool strong_digest = false, usable = false, any_supported_alg = false;
    for (ByteView raw : ds_records) {
        DsRdata ds;
        if (!decode_ds_rdata(raw, ds)) continue;
        if (!dnskey_algorithm_supported(ds.algorithm)) continue;
        any_supported_alg = true;
        if (!ds_digest_supported(ds.digest_type)) continue;
        usable = true;
        if (ds.digest_type != digest::SHA1) strong_digest = true;
    }
    if (!usable) {
        result.verdict =
            any_supported_alg
                ? Verdict::insecure("no DS of a supported digest type", ede::unsupported_ds_digest)
                : Verdict::insecure("no DS of a supported algorithm", ede::unsupported_dnskey_algorithm);
        return result;
    }

    Verdict failure = Verdict::bogus("no DNSKEY matches the DS", ede::dnskey_missing);
    unsigned looked_at = 0;
    for (ByteView raw : ds_records) {
        DsRdata ds;
        if (!decode_ds_rdata(raw, ds)) continue;
        if (!dnskey_algorithm_supported(ds.algorithm) || !ds_digest_supported(ds.digest_type)) continue;
        if (strong_digest && ds.digest_type == digest::SHA1) continue;
        if (looked_at == budget.limits.max_ds_records) break;
        ++looked_at;
        for (ByteView key_rdata : dnskeys.rdatas) {
            if (!ds_matches_key(zone, ds, key_rdata)) continue;
            DnskeyRdata key;
            decode_dnskey_rdata(key_rdata, key);
            if (!usable_zone_key(key)) {
                failure = Verdict::bogus(
                    key.revoked() ? "the DS names a revoked DNSKEY" : "the DS names a non-zone key",
                    key.zone_key() ? ede::dnskey_missing : ede::no_zone_key_bit);
                continue;
            }
            // The DNSKEY RRset must be signed by the key the DS vouches for.
            ByteView one[1] = {key_rdata};
            RrsetVerdict v = verify_rrset(dnskeys, sigs, ZoneKeys{zone, one}, now, budget);
            if (!v.verdict.is_secure()) {
                failure = v.verdict;
                if (budget.signature_checks >= budget.limits.max_signature_checks) {
                    result.verdict = failure;
                    return result;
                }
                continue;
            }
            result.verdict = Verdict::secure();
            result.ttl = v.ttl;
            for (ByteView k : dnskeys.rdatas) {
                DnskeyRdata d;
                if (decode_dnskey_rdata(k, d) && usable_zone_key(d)) result.keys.push_back(k);
            }
            return result;
        }
    }
    result.verdict = failure;
    return result;
}

}  // namespace lanlord
