// A signed hierarchy made at test time (root -> zz. -> example.zz., an
// unsigned delegation, a broken DS, stripped signatures) and the DS/DNSKEY
// answers each fetch of a chain walk gets: shared by the chain-walk and the
// response-validator tests.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "resolver/dnssec/chain_walk.h"
#include "resolver/dnssec/response_validator.h"
#include "support/dns_builder.h"
#include "support/dnssec_signer.h"
#include "unit/resolver/dnssec/dnssec_test_util.h"

namespace lanlord::test::signed_hierarchy {
namespace t = dns::type;

constexpr std::uint32_t kWall = 1'800'000'000;
inline const TimePoint kNow = TimePoint{} + seconds(1000);

inline std::string text_of(std::string_view wire_name) {
    return name_to_text(wire_name);
}

struct SignedZone {
    std::string origin;  // wire
    SigningKey ksk, zsk;
    SignedZone(const char* text, std::uint8_t alg)
        : origin(wire(text)), ksk(make_key(alg, text, 257)), zsk(make_key(alg, text, 256)) {}

    // The records of an RRset and the ZSK's RRSIG over them (the KSK's for DNSKEY).
    std::vector<Record> sign(std::string_view owner, std::uint16_t type, std::vector<Blob> rdatas,
                             bool with_sig = true, std::uint32_t ttl = 3600) const {
        std::vector<Record> out;
        for (const Blob& r : rdatas) out.push_back({text_of(owner), type, ttl, r});
        const SigningKey& k = type == t::DNSKEY ? ksk : zsk;
        if (with_sig)
            out.push_back({text_of(owner), t::RRSIG, ttl,
                           sign_rrset(k, owner, type, ttl, rdatas, kWall - 86400, kWall + 30 * 86400)});
        return out;
    }
    std::vector<Record> dnskeys() const { return sign(origin, t::DNSKEY, {ksk.dnskey, zsk.dnskey}); }
    Blob ds() const { return ds_for(ksk, digest::SHA256); }
    // An NSEC record from `owner` to `next` with `types`, signed.
    std::vector<Record> nsec(const char* owner, const char* next, std::vector<std::uint16_t> types) const {
        std::string next_wire = wire(next);
        Blob rd(next_wire.begin(), next_wire.end());
        Blob bm = bitmap(std::move(types));
        rd.insert(rd.end(), bm.begin(), bm.end());
        return sign(wire(owner), t::NSEC, {rd});
    }
};

inline Bytes answer_msg(const std::string& qname_wire, std::uint16_t qtype, std::vector<Record> answer,
                        std::vector<Record> authority = {}, std::uint8_t rcode = 0) {
    ResponseSpec s;
    s.qname = text_of(qname_wire);
    s.qtype = qtype;
    s.rcode = rcode;
    s.extra_flags = dns::flag::AA;
    s.answer = std::move(answer);
    s.authority = std::move(authority);
    return make_response(s);
}

inline void append(std::vector<Record>& a, std::vector<Record> b) {
    a.insert(a.end(), b.begin(), b.end());
}

// The hierarchy and what each fetch returns.
struct Hierarchy {
    SignedZone root{".", algorithm::RSASHA256};
    SignedZone zz{"zz.", algorithm::ECDSAP256};
    SignedZone example{"example.zz.", algorithm::ED25519};
    SignedZone bad{"bad.zz.", algorithm::ECDSAP256};
    SignedZone other{"bad.zz.", algorithm::ECDSAP256};  // the key bad.zz's DS really names
    TrustAnchors anchors;
    KeyCache cache;
    std::map<std::pair<std::uint16_t, std::string>, Bytes> answers;
    std::vector<std::string> fetched;

    Hierarchy() {
        anchors.add_ds(root.origin, root.ds());
        auto key = [](std::uint16_t type, const char* name) { return std::make_pair(type, wire(name)); };
        answers[key(t::DNSKEY, ".")] = answer_msg(root.origin, t::DNSKEY, root.dnskeys());
        answers[key(t::DS, "zz.")] = answer_msg(wire("zz."), t::DS, root.sign(wire("zz."), t::DS, {zz.ds()}));
        answers[key(t::DNSKEY, "zz.")] = answer_msg(zz.origin, t::DNSKEY, zz.dnskeys());
        answers[key(t::DS, "example.zz.")] =
            answer_msg(wire("example.zz."), t::DS, zz.sign(wire("example.zz."), t::DS, {example.ds()}));
        answers[key(t::DNSKEY, "example.zz.")] = answer_msg(example.origin, t::DNSKEY, example.dnskeys());
        // insecure.zz: an unsigned delegation, proven by zz.'s NSEC (NS, no DS).
        std::vector<Record> proof = zz.nsec("insecure.zz.", "zzz.zz.", {t::NS, t::RRSIG, t::NSEC});
        answers[key(t::DS, "insecure.zz.")] = answer_msg(wire("insecure.zz."), t::DS, {}, proof);
        // example.zz.'s names (the NSEC chain below): b.example.zz holds a
        // TXT, a.b.example.zz an A; neither is a zone cut.
        answers[key(t::DS, "b.example.zz.")] =
            answer_msg(wire("b.example.zz."), t::DS, {}, example_nsec("b.example.zz."));
        answers[key(t::DS, "a.b.example.zz.")] =
            answer_msg(wire("a.b.example.zz."), t::DS, {}, example_nsec("a.b.example.zz."));
        answers[key(t::DS, "www.example.zz.")] =
            answer_msg(wire("www.example.zz."), t::DS, {}, example_nsec("www.example.zz."));
        std::vector<Record> nx = example_nsec("a.b.example.zz.");
        append(nx, example_nsec("example.zz."));
        answers[key(t::DS, "nope.example.zz.")] =
            answer_msg(wire("nope.example.zz."), t::DS, {}, nx, dns::rcode::NXDOMAIN);
        // bad.zz: its DS names a key it does not publish.
        answers[key(t::DS, "bad.zz.")] =
            answer_msg(wire("bad.zz."), t::DS, zz.sign(wire("bad.zz."), t::DS, {other.ds()}));
        answers[key(t::DNSKEY, "bad.zz.")] = answer_msg(bad.origin, t::DNSKEY, bad.dnskeys());
        // stripped.zz: a DS without its RRSIG (a forwarder that strips them).
        answers[key(t::DS, "stripped.zz.")] = answer_msg(
            wire("stripped.zz."), t::DS, zz.sign(wire("stripped.zz."), t::DS, {example.ds()}, false));
        // forged.zz: NODATA for DS with no proof at all.
        answers[key(t::DS, "forged.zz.")] = answer_msg(wire("forged.zz."), t::DS, {});
    }

    // example.zz.'s NSEC chain: example.zz -> alias -> b -> a.b -> *.w -> www -> example.zz.
    std::vector<Record> example_nsec(const char* owner) const {
        static const std::map<std::string, std::pair<const char*, std::vector<std::uint16_t>>> chain = {
            {"example.zz.", {"alias.example.zz.", {t::SOA, t::NS, t::DNSKEY, t::RRSIG, t::NSEC}}},
            {"alias.example.zz.", {"b.example.zz.", {t::CNAME, t::RRSIG, t::NSEC}}},
            {"b.example.zz.", {"a.b.example.zz.", {t::TXT, t::RRSIG, t::NSEC}}},
            {"a.b.example.zz.", {"*.w.example.zz.", {t::A, t::RRSIG, t::NSEC}}},
            {"*.w.example.zz.", {"www.example.zz.", {t::A, t::RRSIG, t::NSEC}}},
            {"www.example.zz.", {"example.zz.", {t::A, t::RRSIG, t::NSEC}}},
        };
        const auto& [next, types] = chain.at(owner);
        return example.nsec(owner, next, types);
    }

    ChainWalk walk(const char* target) {
        ChainWalk w(anchors, cache, wire(target));
        ValidationBudget budget;
        for (int steps = 0; steps < 20; ++steps) {
            ChainFetch f = w.next(kNow);
            if (f.kind == ChainFetch::Kind::none) break;
            std::uint16_t type = f.kind == ChainFetch::Kind::ds ? t::DS : t::DNSKEY;
            fetched.push_back((type == t::DS ? "DS " : "DNSKEY ") + text_of(f.name));
            auto it = answers.find({type, f.name});
            if (it == answers.end()) {
                w.supply_failure(kNow);
                continue;
            }
            ParsedMessage m = parse_message(it->second);
            w.supply(m, kNow, kWall, budget);
        }
        return w;
    }
};

}  // namespace lanlord::test::signed_hierarchy
