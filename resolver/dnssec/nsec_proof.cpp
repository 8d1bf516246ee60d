#include "resolver/dnssec/nsec_proof.h"

#include <array>

#include "common/dns_name.h"
#include "resolver/dnssec/canonical_name.h"
#include "resolver/wire/dns_constants.h"

namespace lanlord {

namespace {

Verdict missing(const char* why) {
    return Verdict::bogus(why, ede::nsec_missing);
}

// The closest encloser of `name` that a covering NSEC implies: the longer of
// its common ancestors with the owner and with the next name.
std::string_view closest_encloser(const NsecRecord& nsec, std::string_view name) {
    std::string_view a = common_ancestor(name, nsec.owner);
    std::string_view b = common_ancestor(name, nsec.rdata.next.view());
    return a.size() >= b.size() ? a : b;
}

// A covering NSEC that cannot speak for `name`: its owner is an ancestor of
// the name and is a delegation (NS without SOA) or a DNAME, so the name
// belongs to another zone (unbound val_nsec.c, the "parent-side" check).
bool delegation_above(const NsecRecord& nsec, std::string_view name) {
    if (nsec.owner == name || !name_is_under(name, nsec.owner)) return false;
    const TypeBitmap& t = nsec.rdata.types;
    return (t.covers(dns::type::NS) && !t.covers(dns::type::SOA)) || t.covers(dns::type::DNAME);
}

const NsecRecord* matching(std::span<const NsecRecord> nsecs, std::string_view name) {
    for (const NsecRecord& n : nsecs)
        if (n.owner == name) return &n;
    return nullptr;
}

const NsecRecord* covering(std::span<const NsecRecord> nsecs, std::string_view name) {
    for (const NsecRecord& n : nsecs)
        if (nsec_covers(n, name) && !delegation_above(n, name)) return &n;
    return nullptr;
}

}  // namespace

bool nsec_covers(const NsecRecord& nsec, std::string_view name) {
    if (!name_is_under(name, nsec.signer) || !name_is_under(nsec.owner, nsec.signer)) return false;
    std::string_view next = nsec.rdata.next.view();
    int after_owner = canonical_compare(nsec.owner, name);
    if (after_owner >= 0) return false;  // name <= owner
    // The chain's last NSEC: next is the apex (at or before the owner).
    if (canonical_compare(next, nsec.owner) <= 0) return true;
    return canonical_compare(name, next) < 0;
}

Verdict prove_nxdomain_nsec(std::string_view qname, std::span<const NsecRecord> nsecs) {
    if (matching(nsecs, qname)) return missing("an NSEC says the name exists");
    const NsecRecord* cover = covering(nsecs, qname);
    if (!cover) return missing("no NSEC covers the name");
    std::string_view ce = closest_encloser(*cover, qname);
    if (!name_is_under(ce, cover->signer)) return missing("the closest encloser is outside the zone");
    WildcardBuffer buf{};
    std::string_view wildcard = wildcard_name(ce, buf);
    if (wildcard.empty()) return missing("no wildcard can exist");
    if (matching(nsecs, wildcard)) return missing("the wildcard at the closest encloser exists");
    if (!covering(nsecs, wildcard)) return missing("no NSEC covers the wildcard at the closest encloser");
    return Verdict::secure();
}

Verdict prove_nodata_nsec(std::string_view qname, std::uint16_t qtype, std::span<const NsecRecord> nsecs) {
    if (const NsecRecord* m = matching(nsecs, qname)) {
        const TypeBitmap& t = m->rdata.types;
        if (t.covers(qtype)) return missing("the NSEC says the type exists");
        if (t.covers(dns::type::CNAME)) return missing("the NSEC says the name is an alias");
        bool parent_side = t.covers(dns::type::NS) && !t.covers(dns::type::SOA);
        if (qtype == dns::type::DS) {
            // The DS lives in the parent: the child's apex NSEC (SOA) is the
            // wrong side, except at the root, which has no parent.
            if (t.covers(dns::type::SOA) && qname.size() > 1)
                return missing("the child's NSEC cannot deny a DS");
        } else if (parent_side) {
            return missing("the parent's NSEC of a delegation denies only DS");
        }
        return Verdict::secure();
    }
    // An empty non-terminal: it is covered and the next name lies below it.
    for (const NsecRecord& n : nsecs) {
        std::string_view next = n.rdata.next.view();
        if (nsec_covers(n, qname) && next != qname && name_is_under(next, qname)) return Verdict::secure();
    }
    // Wildcard NODATA (RFC 4035 3.1.3.4): the name is covered and the
    // wildcard at its closest encloser exists without the type.
    if (const NsecRecord* cover = covering(nsecs, qname)) {
        WildcardBuffer buf{};
        std::string_view wildcard = wildcard_name(closest_encloser(*cover, qname), buf);
        const NsecRecord* w = wildcard.empty() ? nullptr : matching(nsecs, wildcard);
        if (w && !w->rdata.types.covers(qtype) && !w->rdata.types.covers(dns::type::CNAME))
            return Verdict::secure();
    }
    return missing("no NSEC proves that the type does not exist");
}

Verdict prove_wildcard_answer_nsec(std::string_view qname, unsigned wildcard_labels,
                                   std::span<const NsecRecord> nsecs) {
    std::string_view source_parent = name_suffix_labels(qname, wildcard_labels);
    for (const NsecRecord& n : nsecs) {
        if (!nsec_covers(n, qname) || delegation_above(n, qname)) continue;
        if (closest_encloser(n, qname) == source_parent) return Verdict::secure();
    }
    return missing("no NSEC proves the wildcard's expansion");
}

}  // namespace lanlord
