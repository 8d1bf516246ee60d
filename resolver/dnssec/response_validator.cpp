#include "resolver/dnssec/response_validator.h"

#include <algorithm>

#include "common/dns_name.h"
#include "resolver/dnssec/answer_chain.h"
#include "resolver/dnssec/canonical_name.h"
#include "resolver/dnssec/signed_rrsets.h"
#include "resolver/dnssec/verified_denial.h"
#include "resolver/wire/dns_constants.h"
#include "resolver/wire/rdata_decode.h"

namespace lanlord {

namespace {

class Validation {
  public:
    Validation(const ParsedMessage& m, const ChainLookup& lookup, std::uint32_t wall,
               ValidationBudget& budget, bool keep_proofs)
        : lookup_(lookup), wall_(wall), budget_(budget), keep_proofs_(keep_proofs) {
        answer_ = signed_rrsets(m, Section::answer);
        authority_ = signed_rrsets(m, Section::authority);
    }

    ResponseVerdict run(const ParsedMessage& m, std::string_view qname, std::uint16_t qtype, bool continued) {
        std::string name(qname);
        for (unsigned link = 0; link <= kMaxAnswerChain && !stopped(); ++link) {
            const SignedRrset* data = find(name, qtype);
            if (data) {
                rrset(*data, name);
                return result();
            }
            // A DNAME above the name first: the CNAME that comes with it is
            // synthesised (RFC 6672 3.4: unsigned, so taking it as data
            // would make every DNAME answer of a signed zone bogus); we
            // follow the DNAME's own target instead. A zone cannot hold
            // both (nothing exists below a DNAME, RFC 6672 2.4).
            if (const SignedRrset* dname = find_dname_above(answer_, name)) {
                rrset(*dname, name);
                name = dname_substitute(name, *dname);
                if (name.empty()) break;
                continue;
            }
            if (const SignedRrset* cname = find(name, dns::type::CNAME); cname && qtype != dns::type::CNAME) {
                rrset(*cname, name);
                name = alias_target(*cname);
                if (name.empty()) break;
                continue;
            }
            if (continued && link > 0) return result();  // the next response answers `name`
            negative(m, name, qtype);
            return result();
        }
        if (!stopped()) combine(Verdict::bogus("the answer's alias chain is too long or broken"), "");
        return result();
    }

  private:
    bool stopped() const { return out_.verdict.is_bogus() && out_.needed.empty(); }

    ResponseVerdict result() {
        if (!out_.needed.empty()) out_.verdict = {Security::indeterminate, ede::none, "chains to walk"};
        return out_;
    }

    void combine(Verdict v, std::string_view zone) {
        if (v.is_bogus()) {
            if (!out_.verdict.is_bogus()) out_.verdict = v, out_.zone = std::string(zone);
        } else if (v.security == Security::insecure || v.security == Security::indeterminate) {
            if (out_.verdict.is_secure()) out_.verdict = Verdict::insecure(v.reason, v.ede);
        }
    }

    const ChainResult* chain(std::string_view name) {
        const ChainResult* c = lookup_(name);
        if (!c && std::find(out_.needed.begin(), out_.needed.end(), name) == out_.needed.end())
            out_.needed.emplace_back(name);
        return c;
    }

    const SignedRrset* find(std::string_view owner, std::uint16_t type) const {
        return find_rrset(answer_, owner, type);
    }

    // One RRset of the chain: its zone's security, then its signatures.
    void rrset(const SignedRrset& s, std::string_view qname_here) {
        std::string signer = s.signer();
        if (signer.empty()) {
            // Unsigned: fine only below an insecure cut (RFC 4035 5.2).
            const ChainResult* c = chain(s.owner);
            if (!c) return;
            if (c->verdict.is_secure())
                return combine(Verdict::bogus("unsigned data in a signed zone", ede::rrsigs_missing),
                               c->zone);
            return combine(
                c->verdict.is_bogus() ? c->verdict : Verdict::insecure(c->verdict.reason, c->verdict.ede),
                c->zone);
        }
        const ChainResult* c = chain(signer);
        if (!c) return;
        if (!c->verdict.is_secure()) {
            return combine(
                c->verdict.is_bogus() ? c->verdict : Verdict::insecure(c->verdict.reason, c->verdict.ede),
                c->zone);
        }
        if (c->zone != signer)
            return combine(Verdict::bogus("the RRSIG's signer is not a zone apex"), signer);
        std::vector<ByteView> keys(c->keys->keys.begin(), c->keys->keys.end());
        std::vector<ByteView> views;
        RrsetData data = s.data(views);
        std::vector<RrsigData> sigs = s.signatures();
        RrsetVerdict v = verify_rrset(data, sigs, ZoneKeys{signer, keys}, wall_, budget_);
        if (!v.verdict.is_secure()) return combine(v.verdict, signer);
        out_.ttl = std::min(out_.ttl, v.ttl);
        if (v.wildcard) {
            // RFC 4035 5.3.4: the expansion needs proof that no closer name exists.
            VerifiedDenial d = verified_denial(authority_, signer, keys, wall_, budget_);
            out_.ttl = std::min(out_.ttl, d.ttl);
            Verdict w = !d.nsecs.empty()
                            ? prove_wildcard_answer_nsec(qname_here, v.wildcard_labels, d.nsecs)
                            : prove_wildcard_answer_nsec3(qname_here, v.wildcard_labels, d.nsec3s, budget_);
            if (w.is_secure()) keep(signer, d);
            combine(w, signer);
        }
    }

    void negative(const ParsedMessage& m, std::string_view name, std::uint16_t qtype) {
        bool nxdomain = m.rcode() == dns::rcode::NXDOMAIN;
        if (!nxdomain && m.rcode() != dns::rcode::NOERROR)
            return combine(Verdict::bogus("an error answer"), "");
        // The zone that denies: the signer of its NSEC/NSEC3 (or SOA) records.
        std::string zone;
        for (const SignedRrset& s : authority_)
            if (s.type == dns::type::SOA || s.type == dns::type::NSEC || s.type == dns::type::NSEC3)
                if (zone = s.signer(); !zone.empty()) break;
        if (zone.empty()) {
            // No signature in sight: fine below an insecure cut only.
            const ChainResult* c = chain(name);
            if (!c) return;
            if (c->verdict.is_secure())
                return combine(Verdict::bogus("an unsigned negative answer", ede::nsec_missing), c->zone);
            return combine(
                c->verdict.is_bogus() ? c->verdict : Verdict::insecure(c->verdict.reason, c->verdict.ede),
                c->zone);
        }
        if (!name_is_under(name, zone))
            return combine(Verdict::bogus("the denial is from another zone", ede::nsec_missing), zone);
        const ChainResult* c = chain(zone);
        if (!c) return;
        if (!c->verdict.is_secure())
            return combine(
                c->verdict.is_bogus() ? c->verdict : Verdict::insecure(c->verdict.reason, c->verdict.ede),
                c->zone);
        if (c->zone != zone) return combine(Verdict::bogus("the denial's signer is not a zone apex"), zone);
        std::vector<ByteView> keys(c->keys->keys.begin(), c->keys->keys.end());
        VerifiedDenial d = verified_denial(authority_, zone, keys, wall_, budget_);
        out_.ttl = std::min(out_.ttl, d.ttl);
        Verdict proof = prove_denial(d, name, qtype, nxdomain, budget_);
        if (proof.is_secure() && keep_proofs_) {
            // The SOA goes into answers made from these records later
            // (RFC 8198 5.4): verified like them, or none is kept.
            for (const SignedRrset& s : authority_) {
                if (s.type != dns::type::SOA || s.owner != zone) continue;
                std::vector<ByteView> views;
                std::vector<RrsigData> sigs = s.signatures();
                if (verify_rrset(s.data(views), sigs, ZoneKeys{zone, keys}, wall_, budget_)
                        .verdict.is_secure()) {
                    keep(zone, d);
                    out_.proofs.push_back({zone, s});  // after the records it goes with
                }
                break;
            }
        }
        combine(proof, zone);
    }

    void keep(const std::string& zone, const VerifiedDenial& d) {
        if (!keep_proofs_) return;
        for (std::size_t i : d.verified) out_.proofs.push_back({zone, authority_[i]});
    }

    const ChainLookup& lookup_;
    std::uint32_t wall_;
    ValidationBudget& budget_;
    bool keep_proofs_;
    std::vector<SignedRrset> answer_, authority_;
    ResponseVerdict out_{Verdict::secure(), {}, {}};
};

}  // namespace

ResponseVerdict validate_response(const ParsedMessage& m, std::string_view qname, std::uint16_t qtype,
                                  const ChainLookup& lookup, std::uint32_t wall, ValidationBudget& budget,
                                  bool continued, bool keep_proofs) {
    if (!m.ok()) return {Verdict::bogus("the response did not parse"), {}, {}};
    Validation v(m, lookup, wall, budget, keep_proofs);
    return v.run(m, qname, qtype, continued);
}

}  // namespace lanlord
