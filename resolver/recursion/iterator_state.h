// The state of one resolution (internal to the iterator's two source files).
#pragma once

#include <string>
#include <vector>

#include "common/dns_name.h"
#include "resolver/recursion/iterator.h"

namespace lanlord {

inline const std::string kRootName(1, '\0');

struct Iterator::Goal {
    enum class Kind : std::uint8_t { main, ns_address, prime };
    Kind kind = Kind::main;
    std::string name;  // the current target: CNAMEs move it
    std::uint16_t qtype = 0;
    std::string zone;  // the zone cut asked; valid when has_zone
    bool has_zone = false;
    bool qmin = true;
    unsigned min_labels = 0;  // labels of `name` sent while minimising
    unsigned rounds = 0;
    std::vector<IpAddress> tried;          // at this zone
    std::vector<std::string> looked_up;    // NS names fetched for this zone
    std::vector<std::uint16_t> any_types;  // qtype ANY: what the answer held
    bool answered_here = false;            // trace: an answer for `name` arrived in this resolution
    // Refresh and validation: the names whose data the last answering
    // response held (its answer section's owners and the name it answered):
    // the cache may give these, the rest of a chain comes from its servers.
    std::vector<std::string> fresh;
    // The last answer could not have put anything for `name` in the cache (a
    // referral, a minimisation step): the next advance skips the cache
    // lookups for it (about 7 of the 30 a cold resolution makes).
    bool skip_cache_once = false;
    // A minimised query's NXDOMAIN, not yet believed (relaxed RFC 9156): when
    // the full name's answer confirms it, the ancestor's NXDOMAIN is cached
    // too, so that other names below it cost nothing (RFC 8020).
    std::string nx_probe, nx_probe_zone, nx_soa_owner;
    std::vector<std::uint8_t> nx_soa_rdata;
    std::uint32_t nx_ttl = 0;
    bool direct_negative = false;  // a negative answer without SOA (not cacheable)
    std::uint8_t direct_rcode = 0;
    std::string direct_name;

    void enter_zone(const std::string& z) {
        zone = z;
        has_zone = true;
        tried.clear();
        looked_up.clear();
        rounds = 0;
        min_labels = name_label_count(z) + 1;
    }
    void retarget(std::string target, bool minimise) {
        name = std::move(target);
        has_zone = false;
        qmin = minimise;
        answered_here = false;
    }
};

struct Iterator::Attempt {
    std::uint64_t token = 0;
    bool active = false;
    IpAddress server;
    std::uint16_t id = 0;
    std::string sent;        // QNAME as sent (0x20 case)
    std::string sent_lower;  // the same, lower-case
    std::uint16_t qtype = 0;
    bool tcp = false, edns = true, x20 = false, minimised = false;
    TimePoint sent_at{}, rto_at{};
};

struct Iterator::Resolution {
    std::uint64_t id = 0;
    std::string qname;
    std::uint16_t qtype = 0;
    std::vector<Goal> goals;
    std::vector<ResultRRset> answer;
    ResultRRset soa;
    bool has_soa = false;
    std::uint8_t rcode = 0;
    unsigned queries = 0, ns_lookups = 0, referrals = 0, links = 0;
    bool primed = false;
    bool trace = false;
    bool refresh = false;  // a prefetch: the answer from its servers, not the record cache
    bool keep = false;     // validation: the answering responses kept whole (also from its servers)
    std::vector<KeptResponse> kept;
    std::vector<KeptResponse> kept_referrals;  // keep: the referrals followed (their DS or no-DS proofs)
    std::vector<TraceStep> steps;
    std::vector<std::string> trace_cuts;  // trace: zones learned in this resolution
    Attempt attempt;
    TimePoint deadline{};
    bool done = false;
};

}  // namespace lanlord
