#include "resolver/dnssec/rrset_signature.h"

#include <algorithm>

#include "common/dns_name.h"
#include "resolver/dnssec/canonical_name.h"
#include "resolver/wire/dns_constants.h"

namespace lanlord {

namespace {

void put16(std::vector<std::uint8_t>& out, std::uint16_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
}
void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
    put16(out, static_cast<std::uint16_t>(v >> 16));
    put16(out, static_cast<std::uint16_t>(v));
}

// RFC 1982 serial arithmetic on 32 bits: a is at or before b.
bool serial_le(std::uint32_t a, std::uint32_t b) {
    return static_cast<std::int32_t>(b - a) >= 0;
}

}  // namespace

RecordView standalone_rdata(ByteView rdata, std::uint16_t type) {
    RecordView rr;
    rr.type = type;
    rr.klass = dns::kClassIN;
    rr.rdata_offset = 0;
    rr.rdata_length = static_cast<std::uint16_t>(rdata.size());
    rr.section = Section::answer;
    return rr;
}

bool decode_rrsig_rdata(ByteView rdata, RrsigData& out) {
    if (rdata.size() > 65535) return false;
    out.rdata = rdata;
    return decode_rrsig(rdata, standalone_rdata(rdata, dns::type::RRSIG), out.fields) == RdataError::ok;
}

bool decode_dnskey_rdata(ByteView rdata, DnskeyRdata& out) {
    if (rdata.size() > 65535) return false;
    return decode_dnskey(rdata, standalone_rdata(rdata, dns::type::DNSKEY), out) == RdataError::ok;
}

bool decode_ds_rdata(ByteView rdata, DsRdata& out) {
    if (rdata.size() > 65535) return false;
    return decode_ds(rdata, standalone_rdata(rdata, dns::type::DS), out) == RdataError::ok;
}

bool usable_zone_key(const DnskeyRdata& key) {
    return key.zone_key() && !key.revoked() && key.protocol == 3 && dnskey_algorithm_supported(key.algorithm);
}

void build_signed_data(const RrsetData& set, const RrsigData& sig, std::vector<std::uint8_t>& out) {
    out.clear();
    // RRSIG RDATA up to the signer (18 fixed bytes), the signer lower-cased.
    out.insert(out.end(), sig.rdata.begin(), sig.rdata.begin() + 18);
    std::string_view signer = sig.fields.signer.view();
    out.insert(out.end(), signer.begin(), signer.end());

    // RFC 4035 5.3.2: an owner with more labels than the RRSIG says was
    // expanded from the wildcard "*." + its rightmost `labels` labels.
    // The suffix has fewer labels than the owner, so "*." + it always fits.
    WildcardBuffer owner_buf{};
    std::string_view owner = set.owner;
    if (sig.fields.labels < name_label_count(set.owner))
        owner = wildcard_name(name_suffix_labels(set.owner, sig.fields.labels), owner_buf);

    // RFC 4034 6.3: canonical order = RDATA as left-justified octet strings;
    // 6.3 also says duplicates are removed before signing.
    std::vector<ByteView> order(set.rdatas.begin(), set.rdatas.end());
    auto less = [](ByteView a, ByteView b) {
        return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
    };
    auto same = [](ByteView a, ByteView b) { return std::equal(a.begin(), a.end(), b.begin(), b.end()); };
    std::sort(order.begin(), order.end(), less);
    order.erase(std::unique(order.begin(), order.end(), same), order.end());
    for (ByteView rdata : order) {
        out.insert(out.end(), owner.begin(), owner.end());
        put16(out, set.type);
        put16(out, set.klass);
        put32(out, sig.fields.original_ttl);
        put16(out, static_cast<std::uint16_t>(rdata.size()));
        out.insert(out.end(), rdata.begin(), rdata.end());
    }
}

RrsetVerdict verify_rrset(const RrsetData& set, std::span<const RrsigData> sigs, const ZoneKeys& keys,
                          std::uint32_t now, ValidationBudget& budget) {
    RrsetVerdict result;
    const unsigned owner_labels = name_label_count(set.owner);
    const bool owner_is_wildcard = is_wildcard_name(set.owner);
    // The most telling failure seen, reported when no RRSIG verifies, in the
    // order an operator would look: a bad signature beats a date problem,
    // which beats a missing key, which beats having no RRSIG at all.
    Verdict failure = Verdict::bogus("no RRSIG covers the RRset", ede::rrsigs_missing);
    int failure_rank = 0;
    auto fail = [&](int rank, Verdict v) {
        if (rank > failure_rank) failure_rank = rank, failure = v;
    };

    unsigned tried = 0;
    std::vector<std::uint8_t> signed_data;
    for (const RrsigData& sig : sigs) {
        const RrsigRdata& f = sig.fields;
        if (f.type_covered != set.type) continue;
        if (f.signer.view() != keys.zone || !name_is_under(set.owner, keys.zone)) {
            fail(1, Verdict::bogus("RRSIG signer is not the zone", ede::rrsigs_missing));
            continue;
        }
        // The labels field counts the owner's labels less a leading "*"
        // (RFC 4034 3.1.3); more than the owner has is malformed.
        if (f.labels > owner_labels - (owner_is_wildcard ? 1u : 0u)) {
            fail(1, Verdict::bogus("RRSIG labels exceed the owner's"));
            continue;
        }
        if (!dnskey_algorithm_supported(f.algorithm)) {
            fail(1, Verdict::bogus("RRSIG of an unsupported algorithm", ede::unsupported_dnskey_algorithm));
            continue;
        }
        if (tried == budget.limits.max_signatures_per_rrset) break;
        ++tried;
        const bool dates = budget.limits.check_signature_dates;
        if (dates && !serial_le(f.inception, now)) {
            fail(3, Verdict::bogus("signature not yet valid", ede::signature_not_yet_valid));
            continue;
        }
        if (dates && !serial_le(now, f.expiration)) {
            fail(3, Verdict::bogus("signature expired", ede::signature_expired));
            continue;
        }
        unsigned keys_tried = 0;
        bool key_found = false;
        bool built = false;  // the signed data depends on the RRSIG only: built once for its keys
        for (ByteView key_rdata : keys.keys) {
            DnskeyRdata key;
            if (!decode_dnskey_rdata(key_rdata, key)) continue;
            if (key.key_tag != f.key_tag || key.algorithm != f.algorithm) continue;
            if (!key.zone_key()) {
                fail(2, Verdict::bogus("the signing DNSKEY has no zone key bit", ede::no_zone_key_bit));
                continue;
            }
            if (!usable_zone_key(key)) {
                fail(2,
                     Verdict::bogus("the signing DNSKEY is revoked or not protocol 3", ede::dnskey_missing));
                continue;
            }
            if (keys_tried == budget.limits.max_keys_per_tag) break;
            ++keys_tried;
            key_found = true;
            if (!budget.take_signature_check()) {
                result.verdict = Verdict::bogus("validation work limit reached");
                return result;
            }
            if (!built) build_signed_data(set, sig, signed_data), built = true;
            CryptoResult c = verify_signature(f.algorithm, key.public_key, signed_data, f.signature);
            if (c == CryptoResult::valid) {
                std::uint32_t ttl = std::min(set.ttl, f.original_ttl);
                if (serial_le(now, f.expiration)) ttl = std::min(ttl, f.expiration - now);
                result.verdict = Verdict::secure();
                result.ttl = ttl;
                if (f.labels < owner_labels && !owner_is_wildcard) {
                    result.wildcard = true;
                    result.wildcard_labels = f.labels;
                }
                return result;
            }
            fail(4, Verdict::bogus("signature does not verify"));
        }
        if (!key_found) fail(2, Verdict::bogus("no DNSKEY matches the RRSIG's key tag", ede::dnskey_missing));
    }
    result.verdict = failure;
    return result;
}

}  // namespace lanlord
