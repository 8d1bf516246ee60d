// Fuzz target: an upstream response: one-pass scan, cache insert, then a
// cache hit that ages and patches it (the path forged answers would take).
#include <cstdint>
#include <vector>

#include "resolver/cache/cache_key.h"
#include "resolver/cache/packet_cache.h"
#include "resolver/wire/message_builder.h"
#include "resolver/wire/query_view.h"
#include "resolver/wire/response_scan.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace lanlord;
    static PacketCache cache({.max_entries = 64}, 1);
    static std::vector<std::uint8_t> out(65535);
    // The question the response claims to answer, taken from itself.
    QueryView q;
    std::vector<std::uint8_t> copy(data, data + size);
    if (size >= 12) copy[2] &= 0x7f;  // read the question as if it were a query
    if (parse_query(copy, q) == QueryStatus::drop || !q.has_question()) return 0;
    ScannedResponse r;
    if (scan_response({data, size}, q.name(), q.qtype, q.qclass, {}, r) != ScanStatus::ok) return 0;
    CacheKey key(q.name(), q.qtype, q.qclass, false, false, 0);
    if (r.cacheable()) cache.insert(key.view(), r.stored, r.ttl_offsets, r.lifetime, TimePoint(seconds(100)));
    CacheLookup hit = cache.lookup(key.view(), TimePoint(seconds(101)), out, true);
    if (hit.state != CacheState::miss) finish_answer(out, hit.length, q, copy, {}, 512);
    return 0;
}
