#include "resolver/dnssec/verified_denial.h"

#include <algorithm>

#include "resolver/wire/dns_constants.h"

namespace lanlord {

namespace {}  // namespace

VerifiedDenial verified_denial(std::span<const SignedRrset> authority, std::string_view zone,
                               std::span<const ByteView> keys, std::uint32_t wall, ValidationBudget& budget) {
    VerifiedDenial out;
    for (std::size_t i = 0; i < authority.size(); ++i) {
        const SignedRrset& s = authority[i];
        if (s.type != dns::type::NSEC && s.type != dns::type::NSEC3) continue;
        std::vector<ByteView> views;
        RrsetData data = s.data(views);
        std::vector<RrsigData> sigs = s.signatures();
        RrsetVerdict v = verify_rrset(data, sigs, ZoneKeys{zone, keys}, wall, budget);
        if (!v.verdict.is_secure()) {
            if (!out.any_failed) out.first_failure = v.verdict;
            out.any_failed = true;
            continue;
        }
        out.ttl = std::min(out.ttl, v.ttl);
        out.verified.push_back(i);
        for (const auto& rd : s.rdatas) {
            if (rd.size() > 65535) continue;
            if (s.type == dns::type::NSEC) {
                NsecRecord r{s.owner, zone, {}};
                if (decode_nsec(rd, standalone_rdata(rd, s.type), r.rdata) == RdataError::ok)
                    out.nsecs.push_back(r);
            } else {
                Nsec3Record r{s.owner, zone, {}};
                if (decode_nsec3(rd, standalone_rdata(rd, s.type), r.rdata) == RdataError::ok)
                    out.nsec3s.push_back(r);
            }
        }
    }
    return out;
}

Verdict prove_denial(const VerifiedDenial& d, std::string_view name, std::uint16_t qtype, bool nxdomain,
                     ValidationBudget& budget) {
    if (!d.nsecs.empty())
        return nxdomain ? prove_nxdomain_nsec(name, d.nsecs) : prove_nodata_nsec(name, qtype, d.nsecs);
    if (!d.nsec3s.empty())
        return nxdomain ? prove_nxdomain_nsec3(name, d.nsec3s, budget)
                        : prove_nodata_nsec3(name, qtype, d.nsec3s, budget);
    if (d.any_failed) return d.first_failure;
    return Verdict::bogus("no NSEC or NSEC3 in the negative answer", ede::nsec_missing);
}

}  // namespace lanlord

namespace lanlord {

bool denial_shows_delegation(const VerifiedDenial& d, std::string_view name, ValidationBudget& budget) {
    for (const NsecRecord& n : d.nsecs)
        if (n.owner == name) return n.rdata.types.covers(dns::type::NS);
    if (d.nsec3s.empty()) return false;
    const Nsec3Record& f = d.nsec3s.front();
    if (f.rdata.iterations > budget.limits.max_nsec3_iterations || !budget.take_nsec3_hash()) return false;
    Nsec3Hash h;
    nsec3_hash(name, f.rdata.salt, f.rdata.iterations, h);
    for (const Nsec3Record& n : d.nsec3s) {
        Nsec3Hash owner;
        if (nsec3_owner_hash(n.owner, owner) && owner == h) return n.rdata.types.covers(dns::type::NS);
    }
    return false;
}

}  // namespace lanlord
