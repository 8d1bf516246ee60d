// What an authoritative server's answer means for the iterator, and which
// of its records may be cached (the scrubber). Pure logic over a parsed
// message: no clock beyond `now` for the cache, no I/O.
//
// The bailiwick rule (RFC 1034 5.3.3 item 4, the Kaminsky-class defence):
// a server asked as an authority for `zone` is believed only about names
// at or below `zone`. Records outside it are never cached, whatever section
// they arrive in; NS sets in the authority section count only as a referral
// strictly below `zone` toward the name asked (anything else is an upward or
// sideways "referral": the server is lame); glue is cached only for the NS
// targets of that referral, only when the target is itself below `zone`,
// and at most kMaxGlue records (Knot's GLUE_COUNT_THROTTLE is 26).
//
// In the answer section only the chain that starts at the name asked is
// read: the RRset of the type asked, or a CNAME (RFC 1034 3.6.2) or a DNAME
// (RFC 6672: the CNAME is synthesised here, never taken from the server)
// leading on, each link within `zone`; everything else in the answer section
// is ignored. Ranks (RFC 2181 5.4.1): answers with AA at answer_auth, without
// at answer_nonauth; the referral's NS set at referral; glue at additional.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/time.h"
#include "resolver/recursion/record_cache.h"
#include "resolver/wire/dns_message.h"
#include "resolver/wire/rrset_group.h"

namespace lanlord {

enum class ResponseClass : std::uint8_t {
    answer,    // the chain reached the type asked (qtype ANY: anything at the end of the chain)
    cname,     // the chain left `zone` (or this message): go on at `target`
    referral,  // a delegation to `child`
    nxdomain,  // `target` (the end of the chain) does not exist
    nodata,    // `target` exists, not with this type
    lame,      // not authoritative for what it was asked, or an upward referral
};

struct Classification {
    ResponseClass kind = ResponseClass::lame;
    std::string target;  // where the chain ended (the name asked when there was no chain)
    std::string child;   // referral: the delegated zone
    unsigned chain_links = 0;
    // Negative answers: the SOA (RFC 2308 section 3), when it was there and
    // in bailiwick; `negative_ttl` = min(SOA TTL, SOA MINIMUM) (section 5).
    bool has_soa = false;
    std::string soa_owner;
    std::vector<std::uint8_t> soa_rdata;  // canonical
    std::uint32_t negative_ttl = 0;
    bool authoritative = false;  // AA
    unsigned glue_cached = 0;
    // qtype ANY: the RRsets found at the end of the chain (they are cached too).
    std::vector<std::uint16_t> any_types;
};

struct ClassifyLimits {
    unsigned max_chain = 12;  // CNAME/DNAME links read from one message
    unsigned max_glue = 26;
    unsigned max_rrset = 256;  // records per RRset kept (pdns's max-rrset-size)
};

class ResponseClassifier {
  public:
    // `msg` parsed ok, its question already checked against what was sent;
    // `qname` lower-cased wire form. Caches what the rules allow.
    Classification classify(const ParsedMessage& msg, std::string_view qname, std::uint16_t qtype,
                            std::string_view zone, RecordCache& cache, TimePoint now,
                            const ClassifyLimits& limits = {});

  private:
    bool store_set(const ParsedMessage& msg, const RRset& set, const RRsetGroups& groups, Trust trust,
                   RecordCache& cache, TimePoint now, unsigned max_rrset);
    void store_glue(const ParsedMessage& msg, const RRset& ns, const RRsetGroups& groups,
                    std::string_view zone, RecordCache& cache, TimePoint now, const ClassifyLimits& limits,
                    Classification& c);
    RRsetGroups answer_, authority_, additional_;
    std::vector<std::uint8_t> blob_;
};

// Wire-name helpers the iterator shares.
std::string_view parent_name(std::string_view name);  // "" for the root
// The last `labels` labels of `name` (all of it when it has fewer).
std::string_view name_suffix(std::string_view name, unsigned labels);

}  // namespace lanlord
