#include "resolver/dnssec/nsec3_proof.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "common/dns_name.h"
#include "resolver/dnssec/canonical_name.h"
#include "resolver/wire/dns_constants.h"

namespace lanlord {

namespace {

constexpr std::size_t kMaxProofRecords = 8;
constexpr std::uint8_t kSha1 = 1;

int base32hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'v') return c - 'a' + 10;
    return -1;  // names are lower-cased already
}

// One proof's NSEC3s: those sharing the first record's zone and parameters,
// with their decoded owner hashes, and a memo of the names hashed.
class Nsec3Set {
  public:
    Nsec3Set(std::span<const Nsec3Record> all, ValidationBudget& budget) : budget_(budget) {
        for (const Nsec3Record& r : all) {
            if (count_ == kMaxProofRecords) break;
            if (count_ > 0) {
                const Nsec3Record& f = *records_[0];
                if (r.signer != f.signer || r.rdata.hash_algorithm != f.rdata.hash_algorithm ||
                    r.rdata.iterations != f.rdata.iterations ||
                    !std::equal(r.rdata.salt.begin(), r.rdata.salt.end(), f.rdata.salt.begin(),
                                f.rdata.salt.end()))
                    continue;
            }
            if (name_parent(r.owner) != r.signer) continue;  // RFC 5155 3: owner = hash label + zone
            if (!nsec3_owner_hash(r.owner, hashes_[count_])) continue;
            if (r.rdata.next_hashed_owner.size() != sizeof(Nsec3Hash)) continue;
            records_[count_++] = &r;
        }
    }

    bool empty() const { return count_ == 0; }
    const Nsec3Record& first() const { return *records_[0]; }
    std::string_view zone() const { return records_[0]->signer; }

    // Hashes `name` (memoised); false when the budget is spent.
    bool hash(std::string_view name, Nsec3Hash& out) {
        for (std::size_t i = 0; i < memo_count_; ++i)
            if (memo_names_[i] == name) return out = memo_hashes_[i], true;
        if (!budget_.take_nsec3_hash()) return false;
        nsec3_hash(name, first().rdata.salt, first().rdata.iterations, out);
        if (memo_count_ < memo_names_.size()) {
            memo_names_[memo_count_] = name;
            memo_hashes_[memo_count_++] = out;
        }
        return true;
    }

    const Nsec3Record* matching(const Nsec3Hash& h) const {
        for (std::size_t i = 0; i < count_; ++i)
            if (hashes_[i] == h) return records_[i];
        return nullptr;
    }

    // owner < h < next in hash order; the last NSEC3 (next <= owner) wraps.
    const Nsec3Record* covering(const Nsec3Hash& h) const {
        for (std::size_t i = 0; i < count_; ++i) {
            const Nsec3Hash& owner = hashes_[i];
            const std::uint8_t* next = records_[i]->rdata.next_hashed_owner.data();
            bool after_owner = std::memcmp(owner.data(), h.data(), h.size()) < 0;
            bool before_next = std::memcmp(h.data(), next, h.size()) < 0;
            bool wraps = std::memcmp(next, owner.data(), h.size()) <= 0;
            if (wraps ? (after_owner || before_next) : (after_owner && before_next)) return records_[i];
        }
        return nullptr;
    }

  private:
    ValidationBudget& budget_;
    std::array<const Nsec3Record*, kMaxProofRecords> records_{};
    std::array<Nsec3Hash, kMaxProofRecords> hashes_{};
    std::size_t count_ = 0;
    std::array<std::string_view, 32> memo_names_{};
    std::array<Nsec3Hash, 32> memo_hashes_{};
    std::size_t memo_count_ = 0;
};

Verdict missing(const char* why) {
    return Verdict::bogus(why, ede::nsec_missing);
}
Verdict work_limit() {
    return Verdict::bogus("NSEC3 hash limit reached");
}

// Checks that make the proof pointless before hashing anything: no usable
// record, an unknown hash, too many iterations.
bool unusable(const Nsec3Set& set, std::string_view qname, const ValidationBudget& budget, Verdict& out) {
    if (set.empty()) return out = missing("no usable NSEC3"), true;
    if (!name_is_under(qname, set.zone())) return out = missing("the NSEC3s are of another zone"), true;
    if (set.first().rdata.hash_algorithm != kSha1)
        return out = Verdict::insecure("NSEC3 of an unknown hash algorithm"), true;
    if (set.first().rdata.iterations > budget.limits.max_nsec3_iterations)
        return out = Verdict::insecure("NSEC3 iterations over the limit", ede::unsupported_nsec3_iterations),
               true;
    return false;
}

struct ClosestEncloser {
    std::string_view name;         // the closest encloser
    std::string_view next_closer;  // one label longer, toward qname
    const Nsec3Record* next_closer_cover = nullptr;
};

// RFC 5155 8.3: walk up from qname to the zone; the first ancestor with a
// matching NSEC3 is the closest encloser, and its child on the way (the
// next closer) must be covered. Returns false with `out` set on failure.
bool find_closest_encloser(Nsec3Set& set, std::string_view qname, ClosestEncloser& ce, Verdict& out) {
    std::string_view next_closer = qname;
    std::string_view candidate = qname;
    for (;;) {
        Nsec3Hash h;
        if (!set.hash(candidate, h)) return out = work_limit(), false;
        if (const Nsec3Record* m = set.matching(h)) {
            // A delegation's NSEC3 (NS without SOA) or a DNAME above qname
            // means qname is in another zone: RFC 5155 8.3's last paragraph.
            const TypeBitmap& t = m->rdata.types;
            bool cut = (t.covers(dns::type::NS) && !t.covers(dns::type::SOA)) || t.covers(dns::type::DNAME);
            if (candidate != qname && cut)
                return out = missing("the closest encloser is a delegation"), false;
            if (candidate == qname) return out = missing("an NSEC3 says the name exists"), false;
            Nsec3Hash nh;
            if (!set.hash(next_closer, nh)) return out = work_limit(), false;
            ce.name = candidate;
            ce.next_closer = next_closer;
            ce.next_closer_cover = set.covering(nh);
            if (!ce.next_closer_cover) return out = missing("no NSEC3 covers the next closer name"), false;
            return true;
        }
        if (candidate == set.zone()) return out = missing("no NSEC3 matches a closest encloser"), false;
        next_closer = candidate;
        candidate = name_parent(candidate);
    }
}

}  // namespace

bool nsec3_owner_hash(std::string_view owner, Nsec3Hash& out) {
    // 20 bytes = 32 base32 digits, no padding.
    if (owner.size() < 33 || static_cast<std::uint8_t>(owner[0]) != 32) return false;
    std::uint64_t acc = 0;
    unsigned bits = 0;
    std::size_t n = 0;
    for (std::size_t i = 1; i <= 32; ++i) {
        int v = base32hex_value(owner[i]);
        if (v < 0) return false;
        acc = (acc << 5) | static_cast<unsigned>(v);
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = static_cast<std::uint8_t>(acc >> bits);
        }
    }
    return n == out.size();
}

Verdict prove_nxdomain_nsec3(std::string_view qname, std::span<const Nsec3Record> nsec3s,
                             ValidationBudget& budget) {
    Nsec3Set set(nsec3s, budget);
    Verdict v;
    if (unusable(set, qname, budget, v)) return v;
    ClosestEncloser ce;
    if (!find_closest_encloser(set, qname, ce, v)) return v;
    WildcardBuffer buf{};
    std::string_view wildcard = wildcard_name(ce.name, buf);
    Nsec3Hash wh;
    if (wildcard.empty()) return missing("no wildcard can exist");
    if (!set.hash(wildcard, wh)) return work_limit();
    if (set.matching(wh)) return missing("the wildcard at the closest encloser exists");
    if (!set.covering(wh)) return missing("no NSEC3 covers the wildcard at the closest encloser");
    if (ce.next_closer_cover->rdata.opt_out())
        return Verdict::insecure("NXDOMAIN from an opt-out NSEC3 span");  // RFC 5155 9.2
    return Verdict::secure();
}

Verdict prove_nodata_nsec3(std::string_view qname, std::uint16_t qtype, std::span<const Nsec3Record> nsec3s,
                           ValidationBudget& budget) {
    Nsec3Set set(nsec3s, budget);
    Verdict v;
    if (unusable(set, qname, budget, v)) return v;
    Nsec3Hash h;
    if (!set.hash(qname, h)) return work_limit();
    if (const Nsec3Record* m = set.matching(h)) {  // RFC 5155 8.5 and 8.6
        const TypeBitmap& t = m->rdata.types;
        if (t.covers(qtype)) return missing("the NSEC3 says the type exists");
        if (t.covers(dns::type::CNAME)) return missing("the NSEC3 says the name is an alias");
        if (qtype == dns::type::DS) {
            if (t.covers(dns::type::SOA) && qname.size() > 1)
                return missing("the child's NSEC3 cannot deny a DS");
        } else if (t.covers(dns::type::NS) && !t.covers(dns::type::SOA)) {
            return missing("the parent's NSEC3 of a delegation denies only DS");
        }
        return Verdict::secure();
    }
    // No NSEC3 at the name: a closest-encloser proof, then either DS under
    // opt-out (8.6) or a wildcard without the type (8.7).
    ClosestEncloser ce;
    if (!find_closest_encloser(set, qname, ce, v)) return v;
    if (qtype == dns::type::DS && ce.next_closer_cover->rdata.opt_out())
        return Verdict::insecure("no DS: an unsigned delegation in an opt-out span");
    WildcardBuffer buf{};
    std::string_view wildcard = wildcard_name(ce.name, buf);
    Nsec3Hash wh;
    if (wildcard.empty()) return missing("no wildcard can exist");
    if (!set.hash(wildcard, wh)) return work_limit();
    const Nsec3Record* w = set.matching(wh);
    if (w && !w->rdata.types.covers(qtype) && !w->rdata.types.covers(dns::type::CNAME))
        return Verdict::secure();
    return missing("no NSEC3 proves that the type does not exist");
}

Verdict prove_wildcard_answer_nsec3(std::string_view qname, unsigned wildcard_labels,
                                    std::span<const Nsec3Record> nsec3s, ValidationBudget& budget) {
    Nsec3Set set(nsec3s, budget);
    Verdict v;
    if (unusable(set, qname, budget, v)) return v;
    // RFC 5155 8.8: the next closer name (the wildcard's parent plus one
    // label of qname) must be covered.
    std::string_view next_closer = name_suffix_labels(qname, wildcard_labels + 1);
    Nsec3Hash h;
    if (!set.hash(next_closer, h)) return work_limit();
    const Nsec3Record* cover = set.covering(h);
    if (!cover) return missing("no NSEC3 proves the wildcard's expansion");
    return Verdict::secure();
}

}  // namespace lanlord
