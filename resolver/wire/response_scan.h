// One pass over an upstream response: validates it, checks that it answers the
// question we asked, classifies it (positive, NXDOMAIN, NODATA, error) and
// produces the "stored form" that both the cache and the miss path serve from.
//
// Stored form: the message with ID 0, the upstream's OPT record removed (we
// add our own per client), TTLs clamped, and the offset of every TTL field
// recorded so that an answer can be re-aged with a few stores and no parsing.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace lanlord {

struct TtlPolicy {
    std::uint32_t min_ttl = 0;  // clamp at insertion (seconds)
    std::uint32_t max_ttl = 86400;
    std::uint32_t negative_max_ttl = 3600;  // cap for RFC 2308 negative TTLs
};

enum class ResponseKind : std::uint8_t {
    positive,      // NOERROR with answer records
    nxdomain,      // NXDOMAIN with an SOA (RFC 2308 section 5)
    nodata,        // NOERROR, no answer, SOA in authority (RFC 2308 section 5)
    server_error,  // SERVFAIL, REFUSED, FORMERR, NOTIMP...: try the next server
    uncacheable,   // a valid answer we pass on but do not keep (no SOA, referral, TTL 0)
};

struct ScannedResponse {
    std::uint16_t id = 0;
    std::uint16_t flags = 0;
    std::uint8_t rcode = 0;
    bool truncated = false;
    ResponseKind kind = ResponseKind::uncacheable;
    std::uint32_t lifetime = 0;  // seconds: the smallest TTL after clamping
    std::vector<std::uint8_t> stored;
    std::vector<std::uint16_t> ttl_offsets;

    bool cacheable() const {
        return lifetime > 0 && (kind == ResponseKind::positive || kind == ResponseKind::nxdomain ||
                                kind == ResponseKind::nodata);
    }
};

enum class ScanStatus : std::uint8_t { ok, malformed, not_a_response, question_mismatch };

// `qname` is the lower-cased wire name we asked for.
ScanStatus scan_response(std::span<const std::uint8_t> msg, std::string_view qname, std::uint16_t qtype,
                         std::uint16_t qclass, const TtlPolicy& policy, ScannedResponse& out);

// Lowers every TTL of a scanned response, and its lifetime, to at most
// `cap` (a validated answer's signatures expire: RFC 4035 5.3.3). Applied
// after the [cache] min_ttl clamp: an expiring signature wins over it.
void cap_ttls(ScannedResponse& r, std::uint32_t cap);

// RFC 2181 section 8: a TTL with the top bit set is treated as zero.
inline std::uint32_t sanitize_ttl(std::uint32_t ttl) {
    return ttl & 0x80000000u ? 0 : ttl;
}

}  // namespace lanlord
