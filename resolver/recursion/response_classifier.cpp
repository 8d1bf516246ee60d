#include "resolver/recursion/response_classifier.h"

#include <algorithm>

#include "common/dns_name.h"
#include "resolver/wire/dns_constants.h"
#include "resolver/wire/rdata_canonical.h"
#include "resolver/wire/rdata_decode.h"

namespace lanlord {

std::string_view parent_name(std::string_view name) {
    if (name.size() <= 1) return {};
    return name.substr(static_cast<std::uint8_t>(name[0]) + 1u);
}

std::string_view name_suffix(std::string_view name, unsigned labels) {
    unsigned total = name_label_count(name);
    while (total > labels) {
        name = parent_name(name);
        --total;
    }
    return name;
}

namespace {
const RRset* find_set(const RRsetGroups& groups, std::string_view owner, std::uint16_t type) {
    for (const RRset& s : groups.sets())
        if (s.type == type && s.owner == owner && s.klass == dns::kClassIN) return &s;
    return nullptr;
}

// RFC 6672 2.2: `name` below `owner` is rewritten to the DNAME's target.
bool synthesise(std::string_view name, std::string_view owner, std::string_view target, std::string& out) {
    std::size_t prefix = name.size() - owner.size();
    if (prefix + target.size() > kMaxNameLength) return false;  // YXDOMAIN territory: give up
    out.assign(name.substr(0, prefix));
    out.append(target);
    return true;
}
}  // namespace

bool ResponseClassifier::store_set(const ParsedMessage& msg, const RRset& set, const RRsetGroups& groups,
                                   Trust trust, RecordCache& cache, TimePoint now, unsigned max_rrset) {
    blob_.clear();
    std::uint16_t count = 0;
    auto records = msg.records();
    for (std::uint32_t index : groups.records(set)) {
        if (count >= max_rrset) break;
        std::size_t at = blob_.size();
        blob_.push_back(0);
        blob_.push_back(0);
        if (canonical_rdata(msg.bytes(), records[index], blob_) != RdataError::ok) {
            blob_.resize(at);
            continue;
        }
        std::size_t len = blob_.size() - at - 2;
        blob_[at] = static_cast<std::uint8_t>(len >> 8);
        blob_[at + 1] = static_cast<std::uint8_t>(len);
        ++count;
    }
    return cache.store_rrset(set.owner, set.type, set.min_ttl, trust, blob_, count, now);
}

// Addresses of the NS targets of `ns` from the additional section, for the
// targets within the zone that answered, at most limits.max_glue records.
void ResponseClassifier::store_glue(const ParsedMessage& msg, const RRset& ns, const RRsetGroups& groups,
                                    std::string_view zone, RecordCache& cache, TimePoint now,
                                    const ClassifyLimits& limits, Classification& c) {
    additional_.build(msg, Section::additional);
    WireName target;
    for (std::uint32_t index : groups.records(ns)) {
        if (decode_target_name(msg.bytes(), msg.records()[index], target) != RdataError::ok) continue;
        if (!name_is_under(target.view(), zone)) continue;
        for (std::uint16_t t : {dns::type::A, dns::type::AAAA})
            if (const RRset* g = find_set(additional_, target.view(), t);
                g && c.glue_cached + g->record_count <= limits.max_glue) {
                store_set(msg, *g, additional_, Trust::additional, cache, now, limits.max_rrset);
                c.glue_cached += g->record_count;
            }
    }
}

Classification ResponseClassifier::classify(const ParsedMessage& msg, std::string_view qname,
                                            std::uint16_t qtype, std::string_view zone, RecordCache& cache,
                                            TimePoint now, const ClassifyLimits& limits) {
    Classification c;
    c.authoritative = msg.header.has(dns::flag::AA);
    Trust answer_trust = c.authoritative ? Trust::answer_auth : Trust::answer_nonauth;
    answer_.build(msg, Section::answer);
    authority_.build(msg, Section::authority);
    auto bytes = msg.bytes();
    auto records = msg.records();

    // 1. The answer chain from the name asked.
    std::string cur(qname);
    bool answered = false;
    WireName target;
    while (name_is_under(cur, zone)) {  // out of bailiwick: ask its own servers
        if (qtype == dns::type::ANY) {
            for (const RRset& s : answer_.sets())
                if (s.owner == cur && s.klass == dns::kClassIN && s.type != dns::type::RRSIG &&
                    store_set(msg, s, answer_, answer_trust, cache, now, limits.max_rrset))
                    c.any_types.push_back(s.type);
            answered = !c.any_types.empty();
            if (answered) break;
        } else if (const RRset* s = find_set(answer_, cur, qtype)) {
            store_set(msg, *s, answer_, answer_trust, cache, now, limits.max_rrset);
            answered = true;
            break;
        }
        if (c.chain_links >= limits.max_chain) break;  // no more links from this message
        // A DNAME at an ancestor of `cur`, inside the zone.
        bool followed = false, give_up = false;
        for (const RRset& s : answer_.sets()) {
            if (s.type != dns::type::DNAME || s.klass != dns::kClassIN || s.record_count == 0) continue;
            if (s.owner == cur || !name_is_under(cur, s.owner) || !name_is_under(s.owner, zone)) continue;
            if (decode_target_name(bytes, records[answer_.records(s)[0]], target) != RdataError::ok) continue;
            std::string next;
            if (!synthesise(cur, s.owner, target.view(), next)) {
                give_up = true;  // too long: not the server's CNAME instead
                break;
            }
            // The DNAME is cached, not the CNAME: the iterator synthesises it
            // again from the cache for every name below the DNAME.
            store_set(msg, s, answer_, answer_trust, cache, now, limits.max_rrset);
            cur = std::move(next);
            ++c.chain_links;
            followed = true;
            break;
        }
        if (followed) continue;
        if (give_up) break;
        // A CNAME at the name; after the DNAME check, so that the server's
        // own synthesised CNAME is never what is cached (RFC 6672 3.2).
        if (qtype != dns::type::CNAME)
            if (const RRset* s = find_set(answer_, cur, dns::type::CNAME); s && s->record_count > 0) {
                if (decode_target_name(bytes, records[answer_.records(*s)[0]], target) != RdataError::ok)
                    break;
                store_set(msg, *s, answer_, answer_trust, cache, now, limits.max_rrset);
                cur.assign(target.view());
                ++c.chain_links;
                continue;
            }
        break;
    }
    c.target = cur;
    if (answered) {
        c.kind = ResponseClass::answer;
        if (qtype == dns::type::NS)
            store_glue(msg, *find_set(answer_, cur, qtype), answer_, zone, cache, now, limits, c);
        return c;
    }
    if (c.chain_links > 0 && !name_is_under(cur, zone)) {
        c.kind = ResponseClass::cname;  // the chain left the zone: ask the target's own servers
        return c;
    }

    // 2. A referral toward `cur`: an NS set strictly below the zone.
    const RRset* soa = nullptr;
    const RRset* delegation = nullptr;
    bool foreign_ns = false;
    for (const RRset& s : authority_.sets()) {
        if (s.klass != dns::kClassIN) continue;
        if (s.type == dns::type::SOA && !soa && name_is_under(s.owner, zone) && name_is_under(cur, s.owner))
            soa = &s;
        if (s.type == dns::type::NS) {
            if (s.owner != zone && name_is_under(s.owner, zone) && name_is_under(cur, s.owner))
                delegation = delegation ? delegation : &s;
            else
                foreign_ns = true;
        }
    }
    std::uint16_t rcode = msg.rcode();
    if (rcode == dns::rcode::NOERROR && c.chain_links == 0 && delegation && !soa) {
        c.kind = ResponseClass::referral;
        c.child.assign(delegation->owner);
        store_set(msg, *delegation, authority_, Trust::referral, cache, now, limits.max_rrset);
        store_glue(msg, *delegation, authority_, zone, cache, now, limits, c);
        return c;
    }
    if (c.chain_links > 0 && rcode == dns::rcode::NOERROR && !soa) {
        c.kind = ResponseClass::cname;  // the chain ended here with nothing more: ask for the target
        return c;
    }

    // 3. Negative answers, with the SOA that gives their TTL.
    bool negative = rcode == dns::rcode::NXDOMAIN || (rcode == dns::rcode::NOERROR && !foreign_ns);
    if (!negative || (!c.authoritative && !soa)) {
        c.kind = ResponseClass::lame;  // an upward referral, or not from an authority
        return c;
    }
    c.kind = rcode == dns::rcode::NXDOMAIN ? ResponseClass::nxdomain : ResponseClass::nodata;
    if (soa && soa->record_count > 0) {
        const RecordView& rr = records[authority_.records(*soa)[0]];
        SoaRdata fields;
        if (decode_soa(bytes, rr, fields) == RdataError::ok &&
            canonical_rdata(bytes, rr, c.soa_rdata) == RdataError::ok) {
            c.has_soa = true;
            c.soa_owner.assign(soa->owner);
            c.negative_ttl = std::min(soa->min_ttl, fields.minimum);
        }
    }
    return c;
}

}  // namespace lanlord
