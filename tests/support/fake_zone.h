// A zone of a fake authoritative server (fake_authority.h), written as text
// the way a zone file is, so scenario tests of the recursive resolver can
// script a DNS hierarchy in a few lines. Test-only code: a mistake in the
// text throws std::invalid_argument, so a test with a typo fails loudly
// instead of testing something else.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "support/dns_builder.h"

namespace lanlord::test {

// One record as the zone holds it: names lower-cased, uncompressed wire form.
struct ZoneRecord {
    std::string owner;
    std::uint16_t type = 0;
    std::uint32_t ttl = 0;
    Bytes rdata;
};

// "A", "aaaa", "NS", "CNAME", "DNAME", "SOA", "MX", "TXT", "PTR" (and a few
// more the parser knows, e.g. "DS", "SRV") -> type number; throws otherwise.
std::uint16_t type_from_text(std::string_view type);

struct ZoneDnssec;  // fake_zone_signing.h: what sign_zone() adds

class FakeZone {
  public:
    // "example.zz." ("example.zz" too); "." is the root.
    explicit FakeZone(std::string_view origin);
    // A whole zone: add_lines(text).
    FakeZone(std::string_view origin, std::string_view text);

    // Owner and names inside the RDATA are absolute ("www.example.zz.", the
    // trailing dot optional; "@" is the origin). RDATA as presentation text:
    //   A "192.0.2.1"   AAAA "2001:db8::1"   NS/CNAME/DNAME/PTR "target.zz."
    //   MX "10 mail.example.zz."   TXT "\"two words\" word"
    //   SOA "mname rname" or "mname rname serial refresh retry expire minimum"
    //   (the short form: 1 3600 600 86400 300).
    FakeZone& add(std::string_view owner, std::uint32_t ttl, std::string_view type, std::string_view rdata);
    // Any type with RDATA given in wire form (names uncompressed), e.g. a
    // large TXT from rdata_txt(3000) for truncation tests.
    FakeZone& add_wire(std::string_view owner, std::uint32_t ttl, std::uint16_t type, Bytes rdata);
    // One zone-file line relative to the origin, "owner [ttl] [IN] type rdata":
    //   "www 300 IN A 192.0.2.1", "@ SOA ns1 hostmaster", "sub NS ns1.sub",
    //   "mail MX 10 mx.other.zz." (a trailing dot: absolute; no TTL: 3600).
    FakeZone& add_line(std::string_view line);
    // Several lines; blank ones and ';' comments are skipped.
    FakeZone& add_lines(std::string_view text);
    // Removes the records of `type` ("ANY": all) at the absolute `owner`, so
    // a test can change the hierarchy between two resolutions.
    FakeZone& remove(std::string_view owner, std::string_view type);

    const std::string& origin() const { return origin_; }  // lower-cased wire form
    std::string origin_text() const;
    const std::vector<ZoneRecord>& records() const { return records_; }

    // Lookups by lower-cased wire name; `type` ANY: every type.
    std::vector<ZoneRecord> find(std::string_view owner, std::uint16_t type) const;
    bool has(std::string_view owner, std::uint16_t type) const;
    bool name_exists(std::string_view owner) const;
    // Some record lies strictly below `owner` (an empty non-terminal when
    // `owner` itself has none: NODATA, not NXDOMAIN, RFC 8020).
    bool has_descendant(std::string_view owner) const;

    // Set by sign_zone() (fake_zone_signing.h); nullptr: an unsigned zone.
    const ZoneDnssec* dnssec() const { return dnssec_.get(); }
    void set_dnssec(std::shared_ptr<const ZoneDnssec> d) { dnssec_ = std::move(d); }

  private:
    enum class Names : std::uint8_t { absolute, relative };
    std::string resolve_name(std::string_view text, Names mode) const;
    Bytes rdata_from_text(std::uint16_t type, const std::vector<std::string>& fields, Names mode) const;
    void add_parsed(std::string_view owner, std::uint32_t ttl, std::uint16_t type,
                    const std::vector<std::string>& fields, Names mode);

    std::string origin_;
    std::vector<ZoneRecord> records_;
    std::shared_ptr<const ZoneDnssec> dnssec_;
};

}  // namespace lanlord::test
