#include "resolver/dnssec/trust_anchors.h"

#include <cstdio>
#include <memory>

#include "common/dns_name.h"
#include "resolver/dnssec/rrset_signature.h"

// ldns last: its C headers define macros (bool) that break C++ headers after them.
#include <ldns/ldns.h>

namespace lanlord {

namespace {

std::vector<std::uint8_t> hex_bytes(std::string_view hex) {
    std::vector<std::uint8_t> out;
    auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        out.push_back(static_cast<std::uint8_t>(nibble(hex[i]) << 4 | nibble(hex[i + 1])));
    return out;
}

std::vector<std::uint8_t> ds_rdata(std::uint16_t tag, std::uint8_t alg, std::uint8_t type,
                                   std::string_view hex) {
    std::vector<std::uint8_t> out{static_cast<std::uint8_t>(tag >> 8), static_cast<std::uint8_t>(tag), alg,
                                  type};
    std::vector<std::uint8_t> d = hex_bytes(hex);
    out.insert(out.end(), d.begin(), d.end());
    return out;
}

}  // namespace

std::vector<ByteView> TrustAnchor::ds_views() const {
    std::vector<ByteView> v;
    v.reserve(ds.size());
    for (const auto& d : ds) v.emplace_back(d);
    return v;
}

TrustAnchors TrustAnchors::builtin() {
    TrustAnchors t;
    std::string root(1, '\0');
    // /usr/share/dns/root.ds (dns-root-data 2024071801): KSK-2017, KSK-2024.
    t.at(root).ds.push_back(
        ds_rdata(20326, 8, 2, "E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D"));
    t.at(root).ds.push_back(
        ds_rdata(38696, 8, 2, "683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16"));
    return t;
}

TrustAnchor& TrustAnchors::at(std::string_view zone) {
    for (TrustAnchor& a : anchors_)
        if (a.zone == zone) return a;
    anchors_.push_back(TrustAnchor{std::string(zone), {}});
    return anchors_.back();
}

std::string TrustAnchors::add_ds(std::string_view zone, ByteView rdata) {
    DsRdata ds;
    if (!decode_ds_rdata(rdata, ds)) return "malformed DS";
    at(zone).ds.emplace_back(rdata.begin(), rdata.end());
    return {};
}

std::string TrustAnchors::add_dnskey(std::string_view zone, ByteView rdata) {
    DnskeyRdata key;
    if (!decode_dnskey_rdata(rdata, key)) return "malformed DNSKEY";
    if (!key.zone_key()) return "DNSKEY without the zone key bit";
    if (key.revoked()) return "DNSKEY with the REVOKE bit (RFC 5011): it can validate nothing";
    std::array<std::uint8_t, 48> digest{};
    std::size_t len = ds_digest(digest::SHA256, zone, rdata, digest);
    std::vector<std::uint8_t> ds{static_cast<std::uint8_t>(key.key_tag >> 8),
                                 static_cast<std::uint8_t>(key.key_tag), key.algorithm, digest::SHA256};
    ds.insert(ds.end(), digest.begin(), digest.begin() + static_cast<std::ptrdiff_t>(len));
    at(zone).ds.push_back(std::move(ds));
    return {};
}

const TrustAnchor* TrustAnchors::closest(std::string_view name) const {
    const TrustAnchor* best = nullptr;
    for (const TrustAnchor& a : anchors_)
        if (name_is_under(name, a.zone) && (!best || a.zone.size() > best->zone.size())) best = &a;
    return best;
}

std::string load_trust_anchor_file(const std::string& path, TrustAnchors& out) {
    std::unique_ptr<FILE, int (*)(FILE*)> fp(std::fopen(path.c_str(), "r"), &std::fclose);
    if (!fp) return path + ": cannot open";
    TrustAnchors loaded;
    std::uint32_t default_ttl = 3600;
    ldns_rdf* origin = nullptr;
    ldns_rdf* prev = nullptr;
    int line = 1;
    std::string error;
    // ldns_read_anchor_file reads one RR only; ldns_rr_new_frm_fp_l returns
    // SYNTAX_EMPTY at the end of the file forever, so feof ends the loop.
    while (error.empty() && !std::feof(fp.get())) {
        ldns_rr* rr = nullptr;
        ldns_status st = ldns_rr_new_frm_fp_l(&rr, fp.get(), &default_ttl, &origin, &prev, &line);
        // ldns counts the newline that ended the record: the record's (last) line is one less.
        const int at = line > 1 ? line - 1 : 1;
        if (st == LDNS_STATUS_SYNTAX_EMPTY || st == LDNS_STATUS_SYNTAX_TTL ||
            st == LDNS_STATUS_SYNTAX_ORIGIN || st == LDNS_STATUS_SYNTAX_INCLUDE)
            continue;
        if (st != LDNS_STATUS_OK) {
            error = path + ":" + std::to_string(at) + ": ";
            error += ldns_get_errorstr_by_id(st);
            break;
        }
        ldns_dname2canonical(ldns_rr_owner(rr));
        ldns_rdf* owner = ldns_rr_owner(rr);
        std::string zone(reinterpret_cast<const char*>(ldns_rdf_data(owner)), ldns_rdf_size(owner));
        ldns_buffer* buf = ldns_buffer_new(512);
        std::vector<std::uint8_t> rdata;
        if (buf && ldns_rr_rdata2buffer_wire(buf, rr) == LDNS_STATUS_OK)
            rdata.assign(ldns_buffer_begin(buf), ldns_buffer_begin(buf) + ldns_buffer_position(buf));
        if (buf) ldns_buffer_free(buf);
        ldns_rr_type type = ldns_rr_get_type(rr);
        ldns_rr_free(rr);
        std::string why;
        if (type == LDNS_RR_TYPE_DS)
            why = loaded.add_ds(zone, rdata);
        else if (type == LDNS_RR_TYPE_DNSKEY)
            why = loaded.add_dnskey(zone, rdata);
        else
            why = "only DS and DNSKEY records can be trust anchors";
        if (!why.empty()) error = path + ":" + std::to_string(at) + ": " + std::move(why);
    }
    if (origin) ldns_rdf_deep_free(origin);
    if (prev) ldns_rdf_deep_free(prev);
    if (!error.empty()) return error;
    if (loaded.empty()) return path + ": no DS or DNSKEY record";
    out = std::move(loaded);
    return {};
}

}  // namespace lanlord
