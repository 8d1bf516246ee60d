// A fake authoritative DNS server for scenario tests of the recursive
// resolver: it answers query bytes with response bytes from its zones the
// way NSD does (RFC 1034 4.3.2), or misbehaves the way real servers do, so a
// test can script a whole hierarchy (fake_internet.h) without sockets.
// Test-only code.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/ip_address.h"
#include "common/time.h"
#include "support/fake_zone.h"

namespace lanlord::test {

enum class Behaviour : std::uint8_t {
    normal,
    silent,            // never answers
    refused,           // REFUSED to everything
    servfail,          // SERVFAIL to everything
    formerr_on_edns,   // FORMERR without OPT to a query with OPT; normal without
    tcp_only,          // over UDP: TC=1 with empty sections; normal over TCP
    lame,              // not authoritative: an upward referral to the root, for any name
    no_0x20,           // normal, but the question comes back lower-cased
    poison,            // normal plus the out-of-bailiwick records below in every section
    wrong_name,        // the answer for another name: the first label replaced by "wrong"
    nxdomain_for_ent,  // an empty non-terminal answered NXDOMAIN (RFC 9156 2.3's broken servers)
    strips_dnssec,     // answers DO=1 as if DO were clear: no RRSIG, NSEC, NSEC3 (a stripping proxy)
};

// What `poison` adds to every answer: an A for a name outside any test zone
// (answer section), an NS for the parent of the zone answered from (the
// root for a TLD) naming the attacker's server (authority section), and glue
// for that out-of-zone server plus the A again (additional section).
inline constexpr const char* kPoisonName = "www.victim.test.";
inline constexpr const char* kAttackerNs = "ns.attacker.test.";
inline constexpr const char* kAttackerAddress = "203.0.113.66";
inline constexpr std::uint16_t kFakeServerUdpSize = 1232;  // the OPT of every answer (DNS flag day 2020)

struct FakeServer {
    IpAddress address;
    Behaviour behaviour = Behaviour::normal;
    Duration rtt = milliseconds(10);
    std::vector<FakeZone> zones;
    // The NS target of a lame server's upward referral to ".".
    std::string lame_root_ns = "a.root-servers.net.";

    FakeServer& serve(FakeZone zone) {
        zones.push_back(std::move(zone));
        return *this;
    }
    FakeServer& set_rtt(Duration d) {
        rtt = d;
        return *this;
    }
    FakeServer& set_behaviour(Behaviour b) {
        behaviour = b;
        return *this;
    }
    // The zone served with this origin ("example.zz."); throws when there is none.
    FakeZone& zone(std::string_view origin);

    // The response to `query` arriving over UDP (tcp false) or TCP; nullopt:
    // no response (silent, or not a query at all).
    //
    // Answers follow RFC 1034 4.3.2 as NSD does: the deepest zone held that
    // encloses QNAME answers (none: REFUSED); a delegation on the way down
    // gives a referral (no AA, the NS in authority, A/AAAA glue for NS names
    // inside that zone, below the cut too); a DNAME on the way down gives the
    // DNAME and a synthesized CNAME (RFC 6672 3.1); at QNAME: the records of
    // QTYPE, or the CNAME followed inside the zone (the RCODE is that of the
    // last name, RFC 6604), or NODATA; no such name: NXDOMAIN, except for an
    // empty non-terminal (NODATA). Negative answers carry the SOA with TTL
    // min(SOA TTL, MINIMUM) (RFC 2308 3). NS and MX answers get in-zone
    // A/AAAA as additional data. No wildcards, no NS in the authority of
    // positive answers (minimal responses).
    //
    // The ID and the question come back as sent (letter case kept), RD is
    // copied, QR set. A query with OPT gets an OPT (UDP size 1232, DO copied).
    // Over UDP, an answer larger than the query's advertised size (512
    // without EDNS) is replaced by TC=1 with empty sections (OPT kept), which
    // forces the resolver to TCP rather than guessing what a server trims.
    std::optional<Bytes> answer(std::span<const std::uint8_t> query, bool tcp) const;
};

}  // namespace lanlord::test
