// Trust anchors (RFC 4033 section 2, RFC 4035 section 4.4): the keys
// validation starts from, kept as DS records (a DNSKEY anchor becomes the
// SHA-256 DS of that key, so one code path checks both).
//
// Built in: the root KSKs KSK-2017 (key tag 20326) and KSK-2024 (38696),
// as Debian's dns-root-data ships them in /usr/share/dns/root.ds. KSK-2024
// signs the root since 2026-10-11; KSK-2017 stays trusted until the root
// stops publishing it, and once published with the REVOKE bit (from
// 2027-01-11) it has another key tag and matches no anchor, and
// usable_zone_key() refuses revoked keys in any case (RFC 5011 section 3).
//
// A trust anchor file (trust_anchor_file, e.g. /usr/share/dns/root.key)
// holds DS or DNSKEY records in zone-file syntax, any number, several
// zones; it replaces the built-in root anchors when it has any for the root.
// A revoked DNSKEY or a DNSKEY without the zone key bit in the file is an
// error (line named): it could never validate anything.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "resolver/dnssec/crypto.h"

namespace lanlord {

struct TrustAnchor {
    std::string zone;                           // lower-cased wire
    std::vector<std::vector<std::uint8_t>> ds;  // DS RDATA
    std::vector<ByteView> ds_views() const;
};

class TrustAnchors {
  public:
    static TrustAnchors builtin();

    // Adds a DS (RDATA) or a DNSKEY (RDATA, converted to its SHA-256 DS).
    // Returns an error text, empty when added.
    std::string add_ds(std::string_view zone, ByteView ds_rdata);
    std::string add_dnskey(std::string_view zone, ByteView dnskey_rdata);

    // The anchor at `name` or its closest ancestor that has one.
    const TrustAnchor* closest(std::string_view name) const;
    std::span<const TrustAnchor> all() const { return anchors_; }
    bool empty() const { return anchors_.empty(); }

  private:
    TrustAnchor& at(std::string_view zone);
    std::vector<TrustAnchor> anchors_;
};

// Reads a trust anchor file (see above) into `out`. On error returns
// "FILE:LINE: reason" and leaves `out` as it was.
std::string load_trust_anchor_file(const std::string& path, TrustAnchors& out);

}  // namespace lanlord
