#include <catch2/catch.hpp>

#include "resolver/wire/dns_message.h"
#include "resolver/wire/rdata_canonical.h"
#include "resolver/wire/rdata_decode.h"
#include "support/rdata_parts.h"

using namespace lanlord;
using namespace lanlord::test;

namespace {
namespace t = dns::type;

struct TypeCase {
    const char* label;
    std::uint16_t type;
    std::vector<Part> parts;
};

std::vector<TypeCase> every_type() {
    const Bytes sig_fixed{0, 1, 8, 3, 0, 0, 14, 16, 0x65, 0, 0, 0, 0x64, 0, 0, 0, 0x4E, 0x20};
    std::vector<TypeCase> cases = {
        {"A", t::A, {raw({192, 0, 2, 1})}},
        {"AAAA", t::AAAA, {raw(seq(16))}},
        {"NS", t::NS, {nm("NS1.Example.ORG")}},
        {"MD", t::MD, {nm("Mail.Example.ORG")}},
        {"MF", t::MF, {nm("Mail.Example.ORG")}},
        {"CNAME", t::CNAME, {nm("Web.Example.ORG")}},
        {"SOA", t::SOA, {nm("NS1.Example.ORG"), nm("HostMaster.Example.ORG"), raw(seq(20))}},
        {"MB", t::MB, {nm("Box.Example.ORG")}},
        {"MG", t::MG, {nm("Group.Example.ORG")}},
        {"MR", t::MR, {nm("Rename.Example.ORG")}},
        {"PTR", t::PTR, {nm("Host.Example.ORG")}},
        {"HINFO", t::HINFO, {raw(cat(text("Intel"), text("Linux")))}},
        {"MINFO", t::MINFO, {nm("Admin.Example.ORG"), nm("Errors.Example.ORG")}},
        {"MX", t::MX, {raw({0, 10}), nm("MX.Example.ORG")}},
        {"TXT", t::TXT, {raw(cat(text("Hello World"), text("")))}},
        {"RP", t::RP, {nm("Admin.Example.ORG"), nm("Info.Example.ORG")}},
        {"AFSDB", t::AFSDB, {raw({0, 1}), nm("AFS.Example.ORG")}},
        {"RT", t::RT, {raw({0, 10}), nm("Relay.Example.ORG")}},
        {"SIG", t::SIG, {raw(sig_fixed), nm("Example.ORG"), raw(seq(64))}},
        {"PX", t::PX, {raw({0, 10}), nm("Map822.Example.ORG"), nm("MapX400.Example.ORG")}},
        {"NXT", t::NXT, {nm("Next.Example.ORG"), raw({0x40, 0x01})}},
        {"SRV", t::SRV, {raw({0, 1, 0, 2, 0, 53}), nm("Server.Example.ORG")}},
        {"NAPTR",
         t::NAPTR,
         {raw(cat(cat(cat(Bytes{0, 100, 0, 10}, text("U")), text("E2U+sip")),
                  text("!^.*$!sip:Info@Example.ORG!"))),
          nm("Sip.Example.ORG")}},
        {"KX", t::KX, {raw({0, 10}), nm("KX.Example.ORG")}},
        {"A6 /64", t::A6, {raw(cat({64}, seq(8))), nm("Prefix.Example.ORG")}},
        {"A6 /0", t::A6, {raw(cat({0}, seq(16)))}},
        {"A6 /128", t::A6, {raw({128}), nm("Prefix.Example.ORG")}},
        {"DNAME", t::DNAME, {nm("Example.NET")}},
        {"DS", t::DS, {raw(cat({0x4E, 0x20, 8, 2}, seq(32)))}},
        {"RRSIG", t::RRSIG, {raw(sig_fixed), nm("Example.ORG"), raw(seq(64))}},
        {"NSEC", t::NSEC, {nm("Next.Example.ORG"), raw({0, 6, 0x62, 0, 0, 0, 0, 0x03})}},
        {"DNSKEY", t::DNSKEY, {raw(cat({1, 1, 3, 8}, seq(64)))}},
        {"NSEC3",
         t::NSEC3,
         {raw(cat(cat({1, 1, 0, 10, 4, 0xAA, 0xBB, 0xCC, 0xDD, 20}, seq(20)), {0, 1, 0x40}))}},
        {"NSEC3 empty salt and bitmap", t::NSEC3, {raw(cat({1, 0, 0, 0, 0, 20}, seq(20)))}},
        {"NSEC3PARAM", t::NSEC3PARAM, {raw({1, 0, 0, 10, 2, 0xAA, 0xBB})}},
        // RFC 3597: an unknown type is opaque, even if its bytes look like a name.
        {"unknown", 65280, {raw({3, 'W', 'W', 'W', 0xC0, 12})}},
    };
    return cases;
}
}  // namespace

TEST_CASE("rdata: every type round-trips from wire bytes into canonical form", "[rdata]") {
    for (const auto& c : every_type()) {
        const RdataRules rules = rdata_rules(c.type, dns::kClassIN);
        // NSEC keeps the case of its next name (RFC 6840 5.1); the others of
        // RFC 4034 6.2's list lower-case theirs.
        const Bytes want = expected_canonical(c.parts, rules.lowercased);
        for (bool compress : {false, true}) {
            if (compress && !rules.compressible) continue;
            INFO(c.label << (compress ? ", compressed" : ""));
            auto bytes = message_with(c.type, c.parts, compress);
            ParsedMessage m;
            REQUIRE(parse_message(bytes, m) == ParseError::ok);
            const RecordView& rr = m.section(Section::answer)[0];
            CHECK(rr.type == c.type);
            CHECK(rr.ttl == 300);
            CHECK(m.owner(rr) == wire("host.example.org"));
            Bytes out{0xEE};  // appended to, never overwritten
            REQUIRE(canonical_rdata(bytes, rr, out) == RdataError::ok);
            CHECK(Bytes(out.begin() + 1, out.end()) == want);
        }
    }
}

TEST_CASE("rdata: the canonical lower-casing list is exactly RFC 4034 6.2 less NSEC (RFC 6840 5.1)",
          "[rdata]") {
    for (std::uint16_t type : {t::NS,  t::MD,    t::MF, t::CNAME, t::SOA,   t::MB, t::MG,   t::MR,
                               t::PTR, t::MINFO, t::MX, t::RP,    t::AFSDB, t::RT, t::SIG,  t::PX,
                               t::NXT, t::NAPTR, t::KX, t::SRV,   t::DNAME, t::A6, t::RRSIG}) {
        INFO("type " << type);
        auto r = rdata_rules(type, dns::kClassIN);
        CHECK(r.known);
        CHECK(r.has_names);
        CHECK(r.lowercased);
    }
    auto nsec = rdata_rules(t::NSEC, dns::kClassIN);
    CHECK(nsec.has_names);
    CHECK_FALSE(nsec.lowercased);
    CHECK_FALSE(nsec.compressible);
    // HINFO is on RFC 4034's list but holds no names: its text keeps its case.
    CHECK_FALSE(rdata_rules(t::HINFO, dns::kClassIN).has_names);
    for (std::uint16_t type : {t::A, t::AAAA, t::TXT, t::DS, t::DNSKEY, t::NSEC3, t::NSEC3PARAM}) {
        INFO("type " << type);
        CHECK(rdata_rules(type, dns::kClassIN).known);
        CHECK_FALSE(rdata_rules(type, dns::kClassIN).has_names);
    }
    CHECK_FALSE(rdata_rules(65280, dns::kClassIN).known);
    CHECK_FALSE(rdata_rules(t::A, dns::kClassCH).known);
    // RFC 3597 4: compression accepted for the RFC 1035 types and its SHOULD list only.
    for (std::uint16_t type :
         {t::NS, t::SOA, t::MX, t::RP, t::AFSDB, t::RT, t::SIG, t::PX, t::NXT, t::NAPTR, t::SRV})
        CHECK(rdata_rules(type, dns::kClassIN).compressible);
    for (std::uint16_t type : {t::KX, t::A6, t::DNAME, t::RRSIG, t::NSEC})
        CHECK_FALSE(rdata_rules(type, dns::kClassIN).compressible);
}

TEST_CASE("rdata: typed decoders for the iterator", "[rdata]") {
    SECTION("SOA") {
        Bytes counters;
        for (std::uint32_t v : {2024061101u, 7200u, 3600u, 1209600u, 300u}) put32(counters, v);
        auto b =
            message_with(t::SOA, {nm("NS1.Example.ORG"), nm("HostMaster.Example.ORG"), raw(counters)}, true);
        auto m = parse_message(b);
        REQUIRE(m.ok());
        SoaRdata soa;
        REQUIRE(decode_soa(b, m.section(Section::answer)[0], soa) == RdataError::ok);
        CHECK(soa.mname.view() == wire("ns1.example.org"));
        CHECK(soa.rname.view() == wire("hostmaster.example.org"));
        CHECK(soa.serial == 2024061101u);
        CHECK(soa.refresh == 7200);
        CHECK(soa.retry == 3600);
        CHECK(soa.expire == 1209600);
        CHECK(soa.minimum == 300);
    }
    SECTION("MX and SRV") {
        auto b = message_with(t::MX, {raw({0, 10}), nm("MX.Example.ORG")}, true);
        auto m = parse_message(b);
        MxRdata mx;
        REQUIRE(decode_mx(b, m.section(Section::answer)[0], mx) == RdataError::ok);
        CHECK(mx.preference == 10);
        CHECK(mx.exchange.view() == wire("mx.example.org"));
        auto s = message_with(t::SRV, {raw({0, 1, 0, 2, 0x13, 0xC4}), nm("Sip.Example.ORG")}, false);
        auto ms = parse_message(s);
        SrvRdata srv;
        REQUIRE(decode_srv(s, ms.section(Section::answer)[0], srv) == RdataError::ok);
        CHECK(srv.priority == 1);
        CHECK(srv.weight == 2);
        CHECK(srv.port == 5060);
        CHECK(srv.target.view() == wire("sip.example.org"));
    }
    SECTION("targets of NS, CNAME, DNAME, PTR") {
        for (std::uint16_t type : {t::NS, t::CNAME, t::DNAME, t::PTR}) {
            auto b = message_with(type, {nm("Target.Example.NET")}, false);
            auto m = parse_message(b);
            WireName n;
            REQUIRE(decode_target_name(b, m.section(Section::answer)[0], n) == RdataError::ok);
            CHECK(n.view() == wire("target.example.net"));
        }
    }
    SECTION("a decoder refuses another type") {
        auto b = message_with(t::MX, {raw({0, 10}), nm("MX.Example.ORG")}, false);
        auto m = parse_message(b);
        const auto& rr = m.section(Section::answer)[0];
        WireName n;
        SoaRdata soa;
        IpAddress a;
        RrsigRdata sig;
        CHECK(decode_target_name(b, rr, n) == RdataError::wrong_type);
        CHECK(decode_soa(b, rr, soa) == RdataError::wrong_type);
        CHECK(decode_address(b, rr, a) == RdataError::wrong_type);
        CHECK(decode_rrsig(b, rr, sig) == RdataError::wrong_type);
    }
    SECTION("a hand-made view with a bad RDATA is refused, not read past") {
        auto b = message_with(t::A, {raw({192, 0, 2, 1})}, false);
        auto m = parse_message(b);
        RecordView rr = m.section(Section::answer)[0];
        rr.rdata_length = 40;  // past the end
        IpAddress a;
        CHECK(decode_address(b, rr, a) == RdataError::truncated);
        rr.rdata_length = 3;
        CHECK(decode_address(b, rr, a) == RdataError::truncated);
        Bytes out;
        CHECK(canonical_rdata(b, rr, out) == RdataError::truncated);
        CHECK(out.empty());
    }
}

TEST_CASE("rdata: DNSSEC decoders", "[rdata]") {
    SECTION("RRSIG: every field, signer lower-cased and kept lower in canonical form") {
        Bytes fixed;
        put16(fixed, t::AAAA);
        fixed.push_back(13);  // ECDSAP256SHA256
        fixed.push_back(3);
        put32(fixed, 3600);
        put32(fixed, 1700000000);
        put32(fixed, 1690000000);
        put16(fixed, 12345);
        auto b = message_with(t::RRSIG, {raw(fixed), nm("Example.ORG"), raw(seq(64))}, false);
        auto m = parse_message(b);
        REQUIRE(m.ok());
        RrsigRdata sig;
        REQUIRE(decode_rrsig(b, m.section(Section::answer)[0], sig) == RdataError::ok);
        CHECK(sig.type_covered == t::AAAA);
        CHECK(sig.algorithm == 13);
        CHECK(sig.labels == 3);
        CHECK(sig.original_ttl == 3600);
        CHECK(sig.expiration == 1700000000u);
        CHECK(sig.inception == 1690000000u);
        CHECK(sig.key_tag == 12345);
        CHECK(sig.signer.view() == wire("example.org"));
        CHECK(Bytes(sig.signature.begin(), sig.signature.end()) == seq(64));
    }
    SECTION("DNSKEY: flags and the key tag of RFC 4034 Appendix B (the root KSK-2017 is 20326)") {
        const std::string hex =
            "0101030803010001acffb409bcc939f831f7a1e5ec88f7a59255ec53040be432027390a4ce896d6f9086f3c5e177fbfe"
            "118163aaec7af1462c47945944c4e2c026be5e98bbcded25978272e1e3e079c5094d573f0e83c92f02b32d3513b1550b"
            "826929c80dd0f92cac966d17769fd5867b647c3f38029abdc48152eb8f207159ecc5d232c7c1537c79f4b7ac28ff1168"
            "2f21681bf6d6aba555032bf6f9f036beb2aaa5b3778d6eebfba6bf9ea191be4ab0caea759e2f773a1f9029c73ecb8d57"
            "35b9321db085f1b8e2d8038fe2941992548cee0d67dd4547e11dd63af9c9fc1c5466fb684cf009d7197c2cf79e792ab5"
            "01e6a8a1ca519af2cb9b5f6367e94c0d47502451357be1b5";
        Bytes key;
        for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
            key.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
        auto b = message_with(t::DNSKEY, {raw(key)}, false);
        auto m = parse_message(b);
        REQUIRE(m.ok());
        DnskeyRdata k;
        REQUIRE(decode_dnskey(b, m.section(Section::answer)[0], k) == RdataError::ok);
        CHECK(k.flags == 257);
        CHECK(k.zone_key());
        CHECK(k.secure_entry_point());
        CHECK_FALSE(k.revoked());
        CHECK(k.protocol == 3);
        CHECK(k.algorithm == 8);
        CHECK(k.public_key.size() == key.size() - 4);
        CHECK(k.key_tag == 20326);
        // Algorithm 1 (B.1): the 16 bits before the last octet of the key.
        CHECK(dnskey_key_tag(Bytes{1, 0, 3, 1, 9, 9, 0xAB, 0xCD, 0xEF}) == 0xABCD);
    }
    SECTION("DS") {
        auto b = message_with(t::DS, {raw(cat({0x4F, 0x66, 8, 2}, seq(32)))}, false);
        auto m = parse_message(b);
        DsRdata ds;
        REQUIRE(decode_ds(b, m.section(Section::answer)[0], ds) == RdataError::ok);
        CHECK(ds.key_tag == 0x4F66);
        CHECK(ds.algorithm == 8);
        CHECK(ds.digest_type == 2);
        CHECK(Bytes(ds.digest.begin(), ds.digest.end()) == seq(32));
    }
    SECTION("NSEC: next name, bitmap, covers()") {
        // A NS SOA RRSIG NSEC in window 0, CAA (257) in window 1.
        auto b = message_with(
            t::NSEC, {nm("Next.Example.ORG"), raw({0, 6, 0x62, 0, 0, 0, 0, 0x03, 1, 1, 0x40})}, false);
        auto m = parse_message(b);
        REQUIRE(m.ok());
        NsecRdata nsec;
        REQUIRE(decode_nsec(b, m.section(Section::answer)[0], nsec) == RdataError::ok);
        CHECK(nsec.next.view() == wire("next.example.org"));
        for (std::uint16_t type : {t::A, t::NS, t::SOA, t::RRSIG, t::NSEC, std::uint16_t{257}})
            CHECK(nsec.types.covers(type));
        for (std::uint16_t type :
             {t::AAAA, t::MX, t::DS, t::CNAME, std::uint16_t{256}, std::uint16_t{258}, std::uint16_t{65535}})
            CHECK_FALSE(nsec.types.covers(type));
        std::vector<std::uint16_t> all;
        nsec.types.for_each([&](std::uint16_t type) { all.push_back(type); });
        CHECK(all == std::vector<std::uint16_t>{1, 2, 6, 46, 47, 257});
    }
    SECTION("NSEC3 and NSEC3PARAM") {
        auto b = message_with(
            t::NSEC3, {raw(cat(cat({1, 1, 0, 10, 4, 0xAA, 0xBB, 0xCC, 0xDD, 20}, seq(20)), {0, 1, 0x20}))},
            false);
        auto m = parse_message(b);
        REQUIRE(m.ok());
        Nsec3Rdata n3;
        REQUIRE(decode_nsec3(b, m.section(Section::answer)[0], n3) == RdataError::ok);
        CHECK(n3.hash_algorithm == 1);
        CHECK(n3.opt_out());
        CHECK(n3.iterations == 10);
        CHECK(Bytes(n3.salt.begin(), n3.salt.end()) == Bytes{0xAA, 0xBB, 0xCC, 0xDD});
        CHECK(Bytes(n3.next_hashed_owner.begin(), n3.next_hashed_owner.end()) == seq(20));
        CHECK(n3.types.covers(t::NS));
        CHECK_FALSE(n3.types.covers(t::DS));

        auto p = message_with(t::NSEC3PARAM, {raw({1, 0, 0, 0, 0})}, false);
        auto mp = parse_message(p);
        REQUIRE(mp.ok());
        Nsec3ParamRdata param;
        REQUIRE(decode_nsec3param(p, mp.section(Section::answer)[0], param) == RdataError::ok);
        CHECK(param.hash_algorithm == 1);
        CHECK(param.iterations == 0);
        CHECK(param.salt.empty());
    }
}

TEST_CASE("rdata: malformed DNSSEC RDATA gives its reason", "[rdata]") {
    auto error_of = [](std::uint16_t type, const std::vector<Part>& parts) {
        auto m = parse_message(message_with(type, parts, false));
        CHECK((m.ok() || m.error == ParseError::bad_rdata));
        return m.rdata_error;
    };
    const Part next = nm("next.example.org");
    CHECK(error_of(t::NSEC, {next, raw({})}) == RdataError::ok);  // empty bitmap: syntactically fine
    CHECK(error_of(t::NSEC, {next, raw({1, 1, 0x40, 0, 1, 0x40})}) == RdataError::bitmap_window_order);
    CHECK(error_of(t::NSEC, {next, raw({0, 1, 0x40, 0, 1, 0x40})}) == RdataError::bitmap_window_order);
    CHECK(error_of(t::NSEC, {next, raw({0, 0})}) == RdataError::bitmap_window_length);
    CHECK(error_of(t::NSEC, {next, raw(cat({0, 33}, Bytes(33, 0xFF)))}) == RdataError::bitmap_window_length);
    CHECK(error_of(t::NSEC, {next, raw(cat({0, 32}, Bytes(32, 0xFF)))}) == RdataError::ok);
    CHECK(error_of(t::NSEC, {next, raw({0, 2, 0x40, 0})}) == RdataError::bitmap_trailing_zero);
    CHECK(error_of(t::NSEC, {next, raw({0, 3, 0x40})}) == RdataError::bitmap_truncated);
    CHECK(error_of(t::NSEC, {next, raw({0})}) == RdataError::bitmap_truncated);
    CHECK(error_of(t::NSEC, {}) == RdataError::name_truncated);
    CHECK(error_of(t::NSEC3, {raw({1, 0, 0, 0, 0, 0, 0, 1, 0x40})}) == RdataError::empty_hash);
    CHECK(error_of(t::NSEC3, {raw({1, 0, 0, 0, 9, 1})}) == RdataError::truncated);
    CHECK(error_of(t::NSEC3, {raw(cat({1, 0, 0, 0, 0, 20}, seq(19)))}) == RdataError::truncated);
    CHECK(error_of(t::NSEC3, {raw({1, 0, 0, 0, 0, 1, 7, 0, 0})}) == RdataError::bitmap_window_length);
    CHECK(error_of(t::RRSIG, {raw(Bytes(18, 0))}) == RdataError::name_truncated);  // no signer
    CHECK(error_of(t::RRSIG, {raw(Bytes(18, 0)), nm(".")}) ==
          RdataError::ok);  // empty signature: the validator's call
}

TEST_CASE("rdata: canonical form keeps NSEC's case, lower-cases RRSIG's signer, leaves unknown types alone",
          "[rdata]") {
    auto canonical = [](std::uint16_t type, const std::vector<Part>& parts) {
        auto b = message_with(type, parts, false);
        auto m = parse_message(b);
        REQUIRE(m.ok());
        Bytes out;
        REQUIRE(canonical_rdata(b, m.section(Section::answer)[0], out) == RdataError::ok);
        return out;
    };
    CHECK(canonical(t::NSEC, {nm("NeXt.Example.ORG"), raw({0, 1, 0x40})}) ==
          cat(name_bytes("NeXt.Example.ORG", false), {0, 1, 0x40}));
    CHECK(canonical(t::RRSIG, {raw(Bytes(18, 0)), nm("Example.ORG")}) ==
          cat(Bytes(18, 0), name_bytes("example.org", true)));
    CHECK(canonical(t::CNAME, {nm("WWW.Example.ORG")}) == name_bytes("www.example.org", true));
    CHECK(canonical(t::HINFO, {raw(cat(text("CPU"), text("OS")))}) == cat(text("CPU"), text("OS")));
    CHECK(canonical(65280, {raw({3, 'W', 'W', 'W', 0})}) == Bytes{3, 'W', 'W', 'W', 0});
}
