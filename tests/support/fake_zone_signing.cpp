#include "support/fake_zone_signing.h"

#include <algorithm>
#include <memory>
#include <set>

#include "common/dns_name.h"
#include "resolver/dnssec/canonical_name.h"
#include "resolver/dnssec/crypto.h"
#include "resolver/wire/dns_constants.h"

namespace lanlord::test {
namespace {
namespace t = dns::type;

std::string parent(std::string_view n) {
    return std::string(name_parent(n));
}

bool is_cut(const FakeZone& z, const std::string& n) {
    return n != z.origin() && z.has(n, t::NS);
}

// Below a delegation (glue or occluded data): not the zone's to sign.
bool below_cut(const FakeZone& z, const std::string& owner) {
    for (std::string a = owner; a != z.origin() && a.size() > 1;) {
        a = parent(a);
        if (a != z.origin() && is_cut(z, a)) return true;
    }
    return false;
}

Bytes type_bitmap(std::vector<std::uint16_t> types) {
    std::sort(types.begin(), types.end());
    types.erase(std::unique(types.begin(), types.end()), types.end());
    Bytes out;
    std::size_t i = 0;
    while (i < types.size()) {
        unsigned window = types[i] >> 8;
        std::uint8_t bits[32] = {};
        unsigned len = 0;
        for (; i < types.size() && (types[i] >> 8) == window; ++i) {
            unsigned low = types[i] & 0xFF;
            bits[low / 8] |= static_cast<std::uint8_t>(0x80 >> (low % 8));
            len = std::max(len, low / 8 + 1);
        }
        out.push_back(static_cast<std::uint8_t>(window));
        out.push_back(static_cast<std::uint8_t>(len));
        out.insert(out.end(), bits, bits + len);
    }
    return out;
}

std::string base32hex(const Bytes& h) {
    static const char* digits = "0123456789abcdefghijklmnopqrstuv";
    std::string out;
    unsigned acc = 0, bits = 0;
    for (std::uint8_t b : h) {
        acc = (acc << 8) | b;
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            out += digits[(acc >> bits) & 31];
        }
    }
    return out;
}

Bytes hash_of(const ZoneSigning& spec, const std::string& name) {
    Nsec3Hash h;
    nsec3_hash(name, spec.salt, spec.iterations, h);
    return Bytes(h.begin(), h.end());
}

std::uint32_t negative_ttl(const FakeZone& z) {
    for (const auto& soa : z.find(z.origin(), t::SOA))
        if (soa.rdata.size() >= 4) {
            const auto* p = soa.rdata.data() + soa.rdata.size() - 4;
            return std::min(soa.ttl,
                            std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | p[2] << 8 | p[3]);
        }
    return 300;
}

}  // namespace

Bytes sign_zone(FakeZone& zone, const ZoneSigning& spec) {
    auto d = std::make_shared<ZoneDnssec>();
    d->spec = spec;
    const std::string zone_text = name_to_text(zone.origin());
    d->ksk = make_key(spec.algorithm, zone_text, 257);
    d->zsk = make_key(spec.algorithm, zone_text, 256);
    zone.add_wire(zone_text, 3600, t::DNSKEY, d->ksk.dnskey);
    zone.add_wire(zone_text, 3600, t::DNSKEY, d->zsk.dnskey);
    if (spec.nsec3) {
        Bytes p{1, 0, static_cast<std::uint8_t>(spec.iterations >> 8),
                static_cast<std::uint8_t>(spec.iterations), static_cast<std::uint8_t>(spec.salt.size())};
        p.insert(p.end(), spec.salt.begin(), spec.salt.end());
        zone.add_wire(zone_text, 0, t::NSEC3PARAM, p);
    }

    // The authoritative RRsets, signed (not the NS set of a delegation).
    std::map<std::pair<std::string, std::uint16_t>, std::vector<ZoneRecord>> sets;
    for (const ZoneRecord& r : zone.records())
        if (!below_cut(zone, r.owner)) sets[{r.owner, r.type}].push_back(r);
    auto sign_set = [&](const std::string& owner, std::uint16_t type, const std::vector<ZoneRecord>& rrs) {
        std::vector<Blob> rdatas;
        for (const auto& r : rrs) rdatas.push_back(r.rdata);
        const SigningKey& key = type == t::DNSKEY ? d->ksk : d->zsk;
        Bytes sig = sign_rrset(key, owner, type, rrs.front().ttl, rdatas, spec.inception, spec.expiration);
        d->rrsigs[{owner, type}].push_back({owner, t::RRSIG, rrs.front().ttl, sig});
    };
    std::map<std::string, std::vector<std::uint16_t>> types;  // chain names and their types
    for (const auto& [key, rrs] : sets) {
        const auto& [owner, type] = key;
        types[owner].push_back(type);
        if (type == t::NS && is_cut(zone, owner)) continue;
        sign_set(owner, type, rrs);
        types[owner].push_back(t::RRSIG);
    }

    const std::uint32_t ttl = negative_ttl(zone);
    if (!spec.nsec3) {
        std::vector<std::string> names;
        for (const auto& [n, ts] : types) names.push_back(n);
        std::sort(names.begin(), names.end(),
                  [](const std::string& a, const std::string& b) { return canonical_compare(a, b) < 0; });
        for (std::size_t i = 0; i < names.size(); ++i) {
            std::vector<std::uint16_t> ts = types[names[i]];
            ts.push_back(t::NSEC);
            ts.push_back(t::RRSIG);
            const std::string& next = names[(i + 1) % names.size()];
            Bytes rd(next.begin(), next.end());
            Bytes bm = type_bitmap(ts);
            rd.insert(rd.end(), bm.begin(), bm.end());
            ZoneRecord nsec{names[i], t::NSEC, ttl, rd};
            d->denial.push_back(nsec);
            sign_set(names[i], t::NSEC, {nsec});
        }
    } else {
        // Empty non-terminals get NSEC3 records (RFC 5155 7.1); with opt-out,
        // delegations without DS get none.
        std::map<std::string, std::vector<std::uint16_t>> all = types;
        for (const auto& [n, ts] : types)
            for (std::string a = n; a != zone.origin();) {
                a = parent(a);
                (void)all[a];
            }
        if (spec.opt_out)
            for (auto it = all.begin(); it != all.end();)
                it = is_cut(zone, it->first) && !zone.has(it->first, t::DS) ? all.erase(it) : std::next(it);
        std::vector<std::pair<Bytes, std::string>> hashed;
        for (const auto& [n, ts] : all) hashed.emplace_back(hash_of(spec, n), n);
        std::sort(hashed.begin(), hashed.end());
        for (std::size_t i = 0; i < hashed.size(); ++i) {
            const Bytes& next = hashed[(i + 1) % hashed.size()].first;
            Bytes rd{1, static_cast<std::uint8_t>(spec.opt_out ? 1 : 0),
                     static_cast<std::uint8_t>(spec.iterations >> 8),
                     static_cast<std::uint8_t>(spec.iterations), static_cast<std::uint8_t>(spec.salt.size())};
            rd.insert(rd.end(), spec.salt.begin(), spec.salt.end());
            rd.push_back(static_cast<std::uint8_t>(next.size()));
            rd.insert(rd.end(), next.begin(), next.end());
            Bytes bm = type_bitmap(all[hashed[i].second]);
            rd.insert(rd.end(), bm.begin(), bm.end());
            std::string label = base32hex(hashed[i].first);
            std::string owner = std::string(1, static_cast<char>(label.size())) + label + zone.origin();
            ZoneRecord nsec3{owner, t::NSEC3, ttl, rd};
            d->denial.push_back(nsec3);
            d->hashes.push_back(hashed[i].first);
            sign_set(owner, t::NSEC3, {nsec3});
        }
    }
    zone.set_dnssec(d);
    return ds_for(d->ksk, 2);
}

namespace {

class Prover {
  public:
    Prover(const FakeZone& z, std::vector<ZoneRecord>& out) : z_(z), d_(*z.dnssec()), out_(out) {}

    void matching(const std::string& name) {
        if (d_.spec.nsec3) {
            Bytes h = hash_of(d_.spec, name);
            for (std::size_t i = 0; i < d_.denial.size(); ++i)
                if (d_.hashes[i] == h) add(i);
        } else {
            for (std::size_t i = 0; i < d_.denial.size(); ++i)
                if (d_.denial[i].owner == name) add(i);
        }
    }
    void covering(const std::string& name) {
        const std::size_t n = d_.denial.size();
        if (d_.spec.nsec3) {
            Bytes h = hash_of(d_.spec, name);
            for (std::size_t i = 0; i < n; ++i) {
                const Bytes& o = d_.hashes[i];
                const Bytes& next = d_.hashes[(i + 1) % n];
                bool wraps = next <= o;
                if (wraps ? (h > o || h < next) : (h > o && h < next)) add(i);
            }
        } else {
            for (std::size_t i = 0; i < n; ++i) {
                const std::string& o = d_.denial[i].owner;
                const std::string& next = d_.denial[(i + 1) % n].owner;
                bool after = canonical_compare(o, name) < 0;
                bool before = canonical_compare(name, next) < 0;
                bool wraps = canonical_compare(next, o) <= 0;
                if (wraps ? after : (after && before)) add(i);
            }
        }
    }
    bool in_chain(const std::string& name) const {
        if (!d_.spec.nsec3) return false;
        Bytes h = hash_of(d_.spec, name);
        return std::find(d_.hashes.begin(), d_.hashes.end(), h) != d_.hashes.end();
    }
    // RFC 5155 7.2.1: the closest encloser's matching NSEC3 and the next
    // closer's covering one. Returns the closest encloser.
    std::string closest_encloser_proof(const std::string& name) {
        std::string next_closer = name;
        std::string ce = parent(name);
        while (ce != z_.origin() && !in_chain(ce)) next_closer = ce, ce = parent(ce);
        matching(ce);
        covering(next_closer);
        return ce;
    }
    std::string closest_existing(const std::string& name) const {
        std::string a = parent(name);
        while (a != z_.origin() && !z_.name_exists(a) && !z_.has_descendant(a)) a = parent(a);
        return a;
    }

  private:
    void add(std::size_t i) {
        const ZoneRecord& r = d_.denial[i];
        if (std::any_of(out_.begin(), out_.end(),
                        [&](const ZoneRecord& x) { return x.owner == r.owner && x.type == r.type; }))
            return;
        out_.push_back(r);
        auto it = d_.rrsigs.find({r.owner, r.type});
        if (it != d_.rrsigs.end()) out_.insert(out_.end(), it->second.begin(), it->second.end());
    }

    const FakeZone& z_;
    const ZoneDnssec& d_;
    std::vector<ZoneRecord>& out_;
};

void add_signatures(const ZoneDnssec& d, std::vector<ZoneRecord>& section) {
    std::set<std::pair<std::string, std::uint16_t>> seen;
    std::vector<ZoneRecord> sigs;
    for (const ZoneRecord& r : section) {
        if (r.type == t::RRSIG || !seen.insert({r.owner, r.type}).second) continue;
        auto it = d.rrsigs.find({r.owner, r.type});
        if (it != d.rrsigs.end()) sigs.insert(sigs.end(), it->second.begin(), it->second.end());
    }
    section.insert(section.end(), sigs.begin(), sigs.end());
}

std::string wildcard_at(const std::string& name) {
    return std::string("\1*") + name;
}

}  // namespace

void add_dnssec(const FakeZone& zone, const std::string& qname, std::uint16_t qtype, DnssecAnswer a) {
    const ZoneDnssec* d = zone.dnssec();
    if (!d) return;
    add_signatures(*d, a.answer);
    add_signatures(*d, a.authority);
    Prover proof(zone, a.authority);

    // A referral: the DS set, or the proof that there is none (RFC 4035 3.1.4).
    if (!a.authoritative) {
        for (const ZoneRecord& r : std::vector<ZoneRecord>(a.authority)) {
            if (r.type != t::NS || !is_cut(zone, r.owner)) continue;
            auto ds = zone.find(r.owner, t::DS);
            if (!ds.empty()) {
                if (std::none_of(a.authority.begin(), a.authority.end(),
                                 [&](const ZoneRecord& x) { return x.type == t::DS; })) {
                    a.authority.insert(a.authority.end(), ds.begin(), ds.end());
                    auto it = d->rrsigs.find({r.owner, t::DS});
                    if (it != d->rrsigs.end())
                        a.authority.insert(a.authority.end(), it->second.begin(), it->second.end());
                }
            } else if (d->spec.nsec3 && !proof.in_chain(r.owner)) {
                proof.closest_encloser_proof(r.owner);  // opt-out
            } else {
                proof.matching(r.owner);
            }
            break;
        }
        return;
    }
    // The last name of the answer's CNAME chain.
    std::string last = qname;
    for (bool moved = true; moved;) {
        moved = false;
        for (const ZoneRecord& r : a.answer)
            if (r.owner == last && r.type == t::CNAME && qtype != t::CNAME) {
                last.assign(r.rdata.begin(), r.rdata.end());
                moved = true;
                break;
            }
    }
    bool has_data = std::any_of(a.answer.begin(), a.answer.end(),
                                [&](const ZoneRecord& r) { return r.owner == last && r.type == qtype; });
    if (has_data || !name_is_under(last, zone.origin())) return;
    if (a.rcode == dns::rcode::NXDOMAIN) {
        if (d->spec.nsec3) {
            std::string ce = proof.closest_encloser_proof(last);
            proof.covering(wildcard_at(ce));
        } else {
            proof.covering(last);
            proof.covering(wildcard_at(proof.closest_existing(last)));
        }
    } else if (a.rcode == dns::rcode::NOERROR) {
        if (d->spec.nsec3) {
            if (proof.in_chain(last))
                proof.matching(last);
            else
                proof.closest_encloser_proof(last);
        } else if (zone.name_exists(last)) {
            proof.matching(last);
        } else {
            proof.covering(last);  // an empty non-terminal
        }
    }
}

}  // namespace lanlord::test
