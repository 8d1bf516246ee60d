#include "resolver/dnssec/aggressive_denial.h"

#include <algorithm>
#include <array>

#include "common/dns_name.h"
#include "resolver/dnssec/canonical_name.h"
#include "resolver/dnssec/nsec3_proof.h"
#include "resolver/dnssec/nsec_proof.h"
#include "resolver/dnssec/rrset_signature.h"
#include "resolver/wire/dns_constants.h"
#include "resolver/wire/rdata_decode.h"

namespace lanlord {

namespace {

constexpr std::uint32_t kMaxTtl = 86400;

// The entry before `key` in a chain kept in order, wrapping to the last one
// (the chain's last record covers everything after its owner).
template <class Map, class Key>
const typename Map::mapped_type* predecessor(const Map& m, const Key& key, TimePoint now) {
    if (m.empty()) return nullptr;
    auto it = m.lower_bound(key);
    it = it == m.begin() ? std::prev(m.end()) : std::prev(it);
    return it->second.expires > now ? &it->second : nullptr;
}

}  // namespace

bool AggressiveDenial::CanonicalLess::operator()(const std::string& a, const std::string& b) const {
    return canonical_compare(a, b) < 0;
}

void AggressiveDenial::store(std::string_view zone_name, std::uint16_t type, std::string_view owner,
                             ByteView rdata, std::uint32_t ttl, TimePoint now, const ValidationLimits& limits,
                             std::span<const std::vector<std::uint8_t>> rrsigs) {
    if (rdata.size() > 65535 || !name_is_under(owner, zone_name)) return;
    Stored s{std::string(owner),
             {rdata.begin(), rdata.end()},
             now + seconds(std::min(ttl, kMaxTtl)),
             {rrsigs.begin(), rrsigs.end()}};
    std::lock_guard lock(mutex_);
    if (type == dns::type::NSEC) {
        NsecRdata d;
        if (decode_nsec(rdata, standalone_rdata(rdata, type), d) != RdataError::ok) return;
        Zone& z = zones_[std::string(zone_name)];
        auto [it, added] = z.nsec.insert_or_assign(s.owner, s);
        records_ += added ? 1 : 0;
    } else if (type == dns::type::NSEC3) {
        Nsec3Rdata d;
        Nsec3Hash h;
        if (decode_nsec3(rdata, standalone_rdata(rdata, type), d) != RdataError::ok ||
            !nsec3_owner_hash(owner, h) || name_parent(owner) != zone_name || d.hash_algorithm != 1 ||
            d.iterations > limits.max_nsec3_iterations)
            return;
        std::vector<std::uint8_t> params{d.hash_algorithm, static_cast<std::uint8_t>(d.iterations >> 8),
                                         static_cast<std::uint8_t>(d.iterations)};
        params.insert(params.end(), d.salt.begin(), d.salt.end());
        Zone& z = zones_[std::string(zone_name)];
        if (z.nsec3_params != params) {  // a new chain (resalted): the old one proves nothing now
            records_ -= z.nsec3.size();
            z.nsec3.clear();
            z.nsec3_params = std::move(params);
        }
        auto [it, added] = z.nsec3.insert_or_assign(h, s);
        records_ += added ? 1 : 0;
    } else {
        return;
    }
    order_.emplace_back(std::string(zone_name), std::string(owner));
    evict_locked();
}

void AggressiveDenial::store_set(std::string_view zone_name, const SignedRrset& set, std::uint32_t ttl_cap,
                                 TimePoint now, const ValidationLimits& limits) {
    if (set.rdatas.size() != 1) return;  // NSEC, NSEC3 and SOA sets hold one record each
    std::uint32_t ttl = std::min(set.ttl, ttl_cap);
    if (set.type != dns::type::SOA)
        return store(zone_name, set.type, set.owner, set.rdatas[0], ttl, now, limits, set.rrsigs);
    SoaRdata soa;
    const auto& rd = set.rdatas[0];
    if (set.owner != zone_name || decode_soa(rd, standalone_rdata(rd, set.type), soa) != RdataError::ok)
        return;
    ttl = std::min({ttl, soa.minimum, kMaxTtl});  // RFC 2308 5: the negative TTL
    std::lock_guard lock(mutex_);
    auto z = zones_.find(std::string(zone_name));
    if (z == zones_.end()) return;  // kept only beside the zone's proofs (store them first)
    z->second.soa = Stored{set.owner, rd, now + seconds(ttl), set.rrsigs};
}

void AggressiveDenial::evict_locked() {
    while (records_ > max_records_ && !order_.empty()) {
        auto [zone_name, owner] = std::move(order_.front());
        order_.pop_front();
        auto z = zones_.find(zone_name);
        if (z == zones_.end()) continue;
        Nsec3Hash h;
        bool erased =
            z->second.nsec.erase(owner) != 0 || (nsec3_owner_hash(owner, h) && z->second.nsec3.erase(h) != 0);
        if (erased) --records_;
        if (z->second.nsec.empty() && z->second.nsec3.empty()) zones_.erase(z);
    }
}

const AggressiveDenial::Zone* AggressiveDenial::zone_for(std::string_view name, std::string& zone) const {
    for (std::string_view n = name;; n = name_parent(n)) {
        auto it = zones_.find(std::string(n));
        if (it != zones_.end()) {
            zone = it->first;
            return &it->second;
        }
        if (n.size() <= 1) return nullptr;
    }
}

Synthesised AggressiveDenial::prove(std::string_view name, std::uint16_t qtype, TimePoint now,
                                    ValidationBudget& budget, std::string& zone_name) const {
    std::lock_guard lock(mutex_);
    return prove_locked(name, qtype, now, budget, zone_name, nullptr);
}

SynthesisedAnswer AggressiveDenial::synthesise(std::string_view name, std::uint16_t qtype, TimePoint now,
                                               ValidationBudget& budget) const {
    SynthesisedAnswer out;
    std::vector<const Stored*> used;
    std::lock_guard lock(mutex_);
    Synthesised kind = prove_locked(name, qtype, now, budget, out.zone, &used);
    if (kind == Synthesised::none) return out;
    const Zone& z = zones_.at(out.zone);
    if (!z.soa || z.soa->expires <= now) return out;
    auto left = [&](const Stored& s) {
        return static_cast<std::uint32_t>(std::chrono::duration_cast<seconds>(s.expires - now).count());
    };
    auto set_of = [&](const Stored& s, std::uint16_t type) {
        return SignedRrset{s.owner, type, dns::kClassIN, left(s), {s.rdata}, s.rrsigs};
    };
    out.records.push_back(set_of(*z.soa, dns::type::SOA));
    std::uint16_t type = z.nsec.empty() ? dns::type::NSEC3 : dns::type::NSEC;
    for (const Stored* s : used) {
        bool seen =
            false;  // the same record may prove two things (NSEC3 of the closest encloser and the wildcard)
        for (const SignedRrset& r : out.records) seen = seen || (r.owner == s->owner && r.type == type);
        if (seen) continue;
        out.records.push_back(set_of(*s, type));
        out.records.front().ttl = std::min(out.records.front().ttl, out.records.back().ttl);
    }
    out.kind = kind;
    return out;
}

Synthesised AggressiveDenial::prove_locked(std::string_view name, std::uint16_t qtype, TimePoint now,
                                           ValidationBudget& budget, std::string& zone_name,
                                           std::vector<const Stored*>* used) const {
    const Zone* z = zone_for(name, zone_name);
    if (!z) return Synthesised::none;
    auto use = [&](const Stored* s) {
        if (used && s) used->push_back(s);
    };

    if (!z->nsec.empty()) {
        auto record = [&](const Stored* s, NsecRecord& out) {
            if (!s) return false;
            use(s);
            out = NsecRecord{s->owner, zone_name, {}};
            return decode_nsec(s->rdata, standalone_rdata(s->rdata, dns::type::NSEC), out.rdata) ==
                   RdataError::ok;
        };
        NsecRecord r[2];
        auto exact = z->nsec.find(std::string(name));
        if (exact != z->nsec.end() && exact->second.expires > now && record(&exact->second, r[0]))
            return prove_nodata_nsec(name, qtype, std::span(r, 1)).is_secure() ? Synthesised::nodata
                                                                               : Synthesised::none;
        if (!record(predecessor(z->nsec, std::string(name), now), r[0])) return Synthesised::none;
        if (prove_nodata_nsec(name, qtype, std::span(r, 1)).is_secure()) return Synthesised::nodata;  // ENT
        std::string_view a = common_ancestor(name, r[0].owner);
        std::string_view b = common_ancestor(name, r[0].rdata.next.view());
        WildcardBuffer wbuf{};
        std::string wildcard(wildcard_name(a.size() >= b.size() ? a : b, wbuf));
        if (wildcard.empty() || !record(predecessor(z->nsec, wildcard, now), r[1])) return Synthesised::none;
        return prove_nxdomain_nsec(name, std::span(r, 2)).is_secure() ? Synthesised::nxdomain
                                                                      : Synthesised::none;
    }

    if (z->nsec3.empty() || z->nsec3_params.size() < 3) return Synthesised::none;
    const std::uint16_t iterations = static_cast<std::uint16_t>(z->nsec3_params[1] << 8 | z->nsec3_params[2]);
    const ByteView salt = ByteView(z->nsec3_params).subspan(3);
    auto hash = [&](std::string_view n, Nsec3Hash& h) {
        if (!budget.take_nsec3_hash()) return false;
        nsec3_hash(n, salt, iterations, h);
        return true;
    };
    std::vector<Nsec3Record> proof;
    auto add = [&](const Stored* s) {
        if (!s) return false;
        use(s);
        Nsec3Record r{s->owner, zone_name, {}};
        if (decode_nsec3(s->rdata, standalone_rdata(s->rdata, dns::type::NSEC3), r.rdata) != RdataError::ok)
            return false;
        proof.push_back(r);
        return true;
    };
    Nsec3Hash h;
    if (!hash(name, h)) return Synthesised::none;
    if (auto it = z->nsec3.find(h); it != z->nsec3.end() && it->second.expires > now) {
        add(&it->second);
        return prove_nodata_nsec3(name, qtype, proof, budget).is_secure() ? Synthesised::nodata
                                                                          : Synthesised::none;
    }
    // NXDOMAIN: the closest encloser kept, the next closer and the wildcard covered.
    std::string_view next_closer = name;
    for (std::string_view ce = name_parent(name);; next_closer = ce, ce = name_parent(ce)) {
        Nsec3Hash ch;
        if (!hash(ce, ch)) return Synthesised::none;
        auto it = z->nsec3.find(ch);
        if (it != z->nsec3.end() && it->second.expires > now) {
            Nsec3Hash nh, wh;
            WildcardBuffer wbuf{};
            std::string wildcard(wildcard_name(ce, wbuf));
            if (wildcard.empty() || !hash(next_closer, nh) || !hash(wildcard, wh)) return Synthesised::none;
            const Stored* nc = predecessor(z->nsec3, nh, now);
            if (!add(&it->second) || !add(nc) || !add(predecessor(z->nsec3, wh, now)))
                return Synthesised::none;
            if (proof[1].rdata.opt_out()) return Synthesised::none;  // RFC 8198 4.2: not from opt-out spans
            return prove_nxdomain_nsec3(name, proof, budget).is_secure() ? Synthesised::nxdomain
                                                                         : Synthesised::none;
        }
        if (ce == zone_name || ce.size() <= 1) return Synthesised::none;
    }
}

std::size_t AggressiveDenial::size() const {
    std::lock_guard lock(mutex_);
    return records_;
}

void AggressiveDenial::clear() {
    std::lock_guard lock(mutex_);
    zones_.clear();
    order_.clear();
    records_ = 0;
}

}  // namespace lanlord
