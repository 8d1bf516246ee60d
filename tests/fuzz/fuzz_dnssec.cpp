// Fuzz target: the validator on hostile responses. The first byte picks
// what the rest (a DNS message, as an authority or an upstream sends it)
// is fed to:
//   0: validate_response for the message's own question, with example. a
//      secure zone whose keys are the DNSKEYs the message carries (so key
//      matching and signed-data building run; signatures fail);
//   1: a chain walk toward www.example. under a root anchor made of the
//      message's DS records, the message answering every fetch;
//   2: the NSEC and NSEC3 proofs over every NSEC/NSEC3 record of the
//      message, as if verified (the proof logic itself);
//   3: the aggressive NSEC cache storing them, then proving the question.
// Invariants checked: the work limits hold (signature checks, NSEC3 hashes).
#include <cstdint>
#include <string>
#include <vector>

#include "common/dns_name.h"
#include "resolver/dnssec/aggressive_denial.h"
#include "resolver/dnssec/canonical_name.h"
#include "resolver/dnssec/chain_walk.h"
#include "resolver/dnssec/nsec3_proof.h"
#include "resolver/dnssec/nsec_proof.h"
#include "resolver/dnssec/response_validator.h"
#include "resolver/dnssec/signed_rrsets.h"
#include "resolver/wire/dns_constants.h"
#include "resolver/wire/rdata_decode.h"

namespace {

using namespace lanlord;
namespace t = dns::type;

constexpr std::uint32_t kWall = 1'800'000'000;
const TimePoint kNow = TimePoint{} + seconds(1000);
const std::string kExample("\7example\0", 9);

void check(const ValidationBudget& b) {
    if (b.signature_checks > b.limits.max_signature_checks || b.nsec3_hashes > b.limits.max_nsec3_hashes)
        __builtin_trap();
}

void validate(const ParsedMessage& m, std::string_view qname, std::uint16_t qtype) {
    std::vector<SignedRrset> answer = signed_rrsets(m, Section::answer);
    auto entry = std::make_shared<ZoneKeyEntry>();
    entry->kind = ZoneKeyEntry::Kind::secure;
    for (const SignedRrset& s : answer)
        if (s.type == t::DNSKEY)
            for (const auto& k : s.rdatas) entry->keys.push_back(k);
    ChainResult secure{Verdict::secure(), kExample, entry};
    ChainResult insecure{Verdict::insecure("test"), {}, nullptr};
    ChainLookup lookup = [&](std::string_view name) -> const ChainResult* {
        if (name == kExample) return &secure;
        return name.size() % 3 == 0 ? nullptr : &insecure;  // some names "still to walk"
    };
    ValidationBudget budget;
    ResponseVerdict v = validate_response(m, qname, qtype, lookup, kWall, budget);
    (void)security_name(v.verdict.security);
    check(budget);
}

void walk(const ParsedMessage& m) {
    TrustAnchors anchors;
    for (const SignedRrset& s : signed_rrsets(m, Section::answer))
        if (s.type == t::DS)
            for (const auto& d : s.rdatas) (void)anchors.add_ds(std::string(1, '\0'), d);
    if (anchors.empty()) (void)anchors.add_ds(std::string(1, '\0'), std::vector<std::uint8_t>{1, 2, 8, 2, 0});
    KeyCache cache(16);
    ChainWalk w(anchors, cache, std::string("\3www\7example\0", 13));
    ValidationBudget budget;
    for (int i = 0; i < 8 && !w.done(); ++i) {
        if (w.next(kNow).kind == ChainFetch::Kind::none) break;
        w.supply(m, kNow, kWall, budget);
    }
    check(budget);
}

void proofs(const ParsedMessage& m, std::string_view qname, std::uint16_t qtype, bool aggressive) {
    std::vector<NsecRecord> nsecs;
    std::vector<Nsec3Record> nsec3s;
    std::vector<std::string> names;  // owners and signers, kept alive
    names.reserve(2 * m.records().size());
    AggressiveDenial cache(64);
    for (const RecordView& rr : m.records()) {
        if (rr.section == Section::question) continue;
        std::string owner(m.owner(rr));
        std::string zone(name_parent(owner));
        names.push_back(owner);
        names.push_back(zone);
        std::string_view o = names[names.size() - 2], z = names.back();
        if (rr.type == t::NSEC) {
            NsecRecord r{o, z, {}};
            if (decode_nsec(m.bytes(), rr, r.rdata) == RdataError::ok) nsecs.push_back(r);
        } else if (rr.type == t::NSEC3) {
            Nsec3Record r{o, z, {}};
            if (decode_nsec3(m.bytes(), rr, r.rdata) == RdataError::ok) nsec3s.push_back(r);
        } else {
            continue;
        }
        if (aggressive && rr.rdata_offset + rr.rdata_length <= m.bytes().size())
            cache.store(z, rr.type, o, m.bytes().subspan(rr.rdata_offset, rr.rdata_length), rr.ttl, kNow);
    }
    ValidationBudget budget;
    if (aggressive) {
        std::string zone;
        (void)cache.prove(qname, qtype, kNow, budget, zone);
    } else {
        (void)prove_nxdomain_nsec(qname, nsecs);
        (void)prove_nodata_nsec(qname, qtype, nsecs);
        (void)prove_wildcard_answer_nsec(qname, name_label_count(qname) / 2, nsecs);
        (void)prove_nxdomain_nsec3(qname, nsec3s, budget);
        (void)prove_nodata_nsec3(qname, qtype, nsec3s, budget);
        (void)prove_wildcard_answer_nsec3(qname, name_label_count(qname) / 2, nsec3s, budget);
    }
    check(budget);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::uint8_t mode = data[0] & 3;
    std::span<const std::uint8_t> bytes(data + 1, size - 1);
    ParsedMessage m;
    if (parse_message(bytes, m) != ParseError::ok || m.questions().empty()) return 0;
    const RecordView& q = m.questions()[0];
    std::string qname(m.owner(q));
    switch (mode) {
        case 0:
            validate(m, qname, q.type);
            break;
        case 1:
            walk(m);
            break;
        default:
            proofs(m, qname, q.type, mode == 3);
    }
    return 0;
}
