// The fake authoritative servers signing their zones (fake_zone_signing.h)
// and the validator (resolver/dnssec) end to end: every DS and DNSKEY a
// chain walk needs is asked of the fake server that holds it, with DO=1,
// and the answers of a signed hierarchy come out secure, insecure or bogus
// as RFC 4035 and RFC 5155 say. The recursion scenario tests build on these
// fakes when the iterator validates.
#include <catch2/catch.hpp>

#include <map>

#include "resolver/dnssec/canonical_name.h"
#include "resolver/dnssec/chain_walk.h"
#include "resolver/dnssec/response_validator.h"
#include "support/dns_builder.h"
#include "support/fake_authority.h"
#include "support/fake_zone_signing.h"

using namespace lanlord;
using namespace lanlord::test;

namespace {
namespace t = dns::type;

constexpr std::uint32_t kWall = 1'800'000'000;
const TimePoint kNow = TimePoint{} + seconds(100);

ZoneSigning signing(std::uint8_t alg, bool nsec3 = false, bool opt_out = false) {
    ZoneSigning s;
    s.algorithm = alg;
    s.nsec3 = nsec3;
    s.opt_out = opt_out;
    s.inception = kWall - 86400;
    s.expiration = kWall + 30 * 86400;
    return s;
}

// root (RSASHA256, NSEC) -> zz. (ECDSA, NSEC3 opt-out) -> example.zz.
// (Ed25519, NSEC), n3.zz. (ECDSA, NSEC3), insecure.zz. (unsigned),
// expired.zz. (signatures expired a day ago).
struct SignedFakes {
    std::vector<FakeServer> servers;
    TrustAnchors anchors;
    KeyCache cache;
    std::vector<std::string> asked;

    SignedFakes() {
        FakeZone example("example.zz.", R"(
            @ SOA ns hostmaster
            @ NS ns
            ns A 198.51.100.30
            www A 192.0.2.1
            www A 192.0.2.2
            alias CNAME www.insecure.zz.
            a.b TXT "below an empty non-terminal"
        )");
        FakeZone n3("n3.zz.", R"(
            @ SOA ns hostmaster
            @ NS ns
            ns A 198.51.100.31
            www A 192.0.2.3
            a.b TXT "below an empty non-terminal"
        )");
        FakeZone insecure("insecure.zz.", R"(
            @ SOA ns hostmaster
            @ NS ns
            ns A 198.51.100.32
            www A 192.0.2.4
        )");
        FakeZone expired("expired.zz.", R"(
            @ SOA ns hostmaster
            @ NS ns
            ns A 198.51.100.33
            www A 192.0.2.5
        )");
        FakeZone zz("zz.", R"(
            @ SOA ns hostmaster
            @ NS ns
            ns A 198.51.100.20
            example NS ns.example
            ns.example A 198.51.100.30
            n3 NS ns.n3
            ns.n3 A 198.51.100.31
            insecure NS ns.insecure
            ns.insecure A 198.51.100.32
            expired NS ns.expired
            ns.expired A 198.51.100.33
        )");
        FakeZone root(".", R"(
            @ SOA a.root-servers.test. hostmaster.test.
            @ NS a.root-servers.test.
            a.root-servers.test. A 198.51.100.1
            zz. NS ns.zz.
            ns.zz. A 198.51.100.20
        )");
        auto ds_line = [](FakeZone& parent, const char* child, const Bytes& ds) {
            parent.add_wire(child, 3600, t::DS, ds);
        };
        ds_line(zz, "example.zz.", sign_zone(example, signing(algorithm::ED25519)));
        ds_line(zz, "n3.zz.", sign_zone(n3, signing(algorithm::ECDSAP256, true)));
        ZoneSigning old = signing(algorithm::ECDSAP256);
        old.inception = kWall - 30 * 86400;
        old.expiration = kWall - 86400;
        ds_line(zz, "expired.zz.", sign_zone(expired, old));
        ds_line(root, "zz.", sign_zone(zz, signing(algorithm::ECDSAP256, true, true)));
        anchors.add_ds(root.origin(), sign_zone(root, signing(algorithm::RSASHA256)));
        for (FakeZone* z : {&root, &zz, &example, &n3, &insecure, &expired}) {
            FakeServer s;
            s.serve(*z);
            servers.push_back(std::move(s));
        }
    }

    // The answer of the server whose zone is the deepest one holding
    // `name` (for DS: holding its parent, RFC 4035 3.1.4.1), asked with DO=1.
    Bytes ask(const std::string& name, std::uint16_t type) {
        std::string holder = type == t::DS && name.size() > 1 ? std::string(name_parent(name)) : name;
        const FakeServer* best = nullptr;
        std::size_t depth = 0;
        for (const FakeServer& s : servers)
            for (const FakeZone& z : s.zones)
                if (name_is_under(holder, z.origin()) && (!best || z.origin().size() > depth))
                    best = &s, depth = z.origin().size();
        REQUIRE(best);
        asked.push_back(name_to_text(name) + " " + std::to_string(type));
        QueryOptions o;
        o.flags = 0;
        o.edns_udp = 1232;
        o.dnssec_ok = true;
        // make_query writes its text label by label: the root is "", not ".".
        auto reply = best->answer(make_query(name.size() == 1 ? "" : name_to_text(name), type, o), true);
        REQUIRE(reply);
        return *reply;
    }

    ResponseVerdict validate(const char* qname_text, std::uint16_t qtype, std::uint8_t* rcode = nullptr) {
        std::string qname = wire(qname_text);
        Bytes bytes = ask(qname, qtype);
        ParsedMessage m = parse_message(bytes);
        REQUIRE(m.ok());
        if (rcode) *rcode = static_cast<std::uint8_t>(m.rcode());
        std::map<std::string, ChainResult> chains;
        ChainLookup lookup = [&](std::string_view n) -> const ChainResult* {
            auto it = chains.find(std::string(n));
            return it == chains.end() ? nullptr : &it->second;
        };
        ValidationBudget budget;
        for (int pass = 0; pass < 4; ++pass) {
            ResponseVerdict v = validate_response(m, qname, qtype, lookup, kWall, budget);
            if (v.needed.empty()) {
                UNSCOPED_INFO("verdict " << security_name(v.verdict.security) << ": " << v.verdict.reason
                                         << " zone " << name_to_text(v.zone));
                return v;
            }
            for (const std::string& n : v.needed) {
                ChainWalk w(anchors, cache, n);
                for (int step = 0; step < 20; ++step) {
                    ChainFetch f = w.next(kNow);
                    if (f.kind == ChainFetch::Kind::none) break;
                    Bytes r = ask(f.name, f.kind == ChainFetch::Kind::ds ? t::DS : t::DNSKEY);
                    w.supply(parse_message(r), kNow, kWall, budget);
                }
                UNSCOPED_INFO("chain " << name_to_text(n) << ": " << security_name(w.verdict().security)
                                       << " " << w.verdict().reason << " at " << name_to_text(w.zone()));
                chains[n] = ChainResult{w.verdict(), std::string(w.zone()), w.keys()};
            }
        }
        FAIL("the validator kept asking for chains");
        return {};
    }
};

}  // namespace

TEST_CASE("signed fakes: answers and denials of an NSEC zone are secure", "[dnssec][scenario]") {
    SignedFakes f;
    std::uint8_t rcode = 0;
    CHECK(f.validate("www.example.zz.", t::A, &rcode).verdict.is_secure());
    CHECK(rcode == dns::rcode::NOERROR);
    CHECK(f.validate("nope.example.zz.", t::A, &rcode).verdict.is_secure());
    CHECK(rcode == dns::rcode::NXDOMAIN);
    CHECK(f.validate("www.example.zz.", t::AAAA).verdict.is_secure());  // NODATA
    CHECK(f.validate("b.example.zz.", t::A).verdict.is_secure());       // an empty non-terminal
}

TEST_CASE("signed fakes: answers and denials of an NSEC3 zone are secure", "[dnssec][scenario]") {
    SignedFakes f;
    std::uint8_t rcode = 0;
    CHECK(f.validate("www.n3.zz.", t::A).verdict.is_secure());
    CHECK(f.validate("nope.n3.zz.", t::A, &rcode).verdict.is_secure());
    CHECK(rcode == dns::rcode::NXDOMAIN);
    CHECK(f.validate("www.n3.zz.", t::TXT).verdict.is_secure());
    CHECK(f.validate("b.n3.zz.", t::A).verdict.is_secure());
}

TEST_CASE("signed fakes: an unsigned delegation in an opt-out span, and a CNAME into it, are insecure",
          "[dnssec][scenario]") {
    SignedFakes f;
    CHECK(f.validate("www.insecure.zz.", t::A).verdict.security == Security::insecure);
    CHECK(f.validate("alias.example.zz.", t::A).verdict.security == Security::insecure);
    // RFC 5155 9.2: an NXDOMAIN resting on an opt-out span proves nothing more.
    CHECK(f.validate("nope.zz.", t::A).verdict.security == Security::insecure);
}

TEST_CASE("signed fakes: expired signatures are bogus with EDE 7, and the chain is walked once",
          "[dnssec][scenario]") {
    SignedFakes f;
    ResponseVerdict v = f.validate("www.expired.zz.", t::A);
    CHECK(v.verdict.is_bogus());
    CHECK(v.verdict.ede == ede::signature_expired);
    f.asked.clear();
    CHECK(f.validate("www.example.zz.", t::A).verdict.is_secure());
    // root and zz. keys are cached: only the leaf's DS and DNSKEY are asked.
    CHECK(f.asked == std::vector<std::string>{"www.example.zz. 1", "example.zz. 43", "example.zz. 48"});
}
