// DNSSEC for the fake authoritative servers: sign_zone() signs a FakeZone
// the way ldns-signzone or dnssec-signzone would (DNSKEYs at the apex, an
// RRSIG over every authoritative RRset, an NSEC or NSEC3 chain with opt-out
// if asked), and add_dnssec() adds to an answer what a signing server
// sends to a DO=1 query (RFC 4035 3.1): RRSIGs, the DS or the proof of no DS
// in referrals, and NSEC/NSEC3 denial proofs (RFC 4035 3.1.3, RFC 5155 7.2).
// Signatures come from ldns's signer (dnssec_signer.h). Test-only code.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "support/dnssec_signer.h"
#include "support/fake_zone.h"

namespace lanlord::test {

struct ZoneSigning {
    std::uint8_t algorithm = 13;  // ECDSAP256SHA256
    bool nsec3 = false;
    bool opt_out = false;  // NSEC3: unsigned delegations left out of the chain
    std::uint16_t iterations = 0;
    Bytes salt;
    std::uint32_t inception = 0, expiration = 0;  // seconds since 1970
};

struct ZoneDnssec {
    ZoneSigning spec;
    SigningKey ksk, zsk;
    std::map<std::pair<std::string, std::uint16_t>, std::vector<ZoneRecord>> rrsigs;  // (owner, covered type)
    std::vector<ZoneRecord> denial;  // the NSEC or NSEC3 records, in chain order
    std::vector<Bytes> hashes;       // NSEC3: the raw hash of each record of `denial`
};

// Signs `zone` (its delegations' DS records must be in it already) and
// returns the DS RDATA (SHA-256) of its KSK for the parent.
Bytes sign_zone(FakeZone& zone, const ZoneSigning& spec);

struct DnssecAnswer {  // the sections of an answer, to be completed
    std::vector<ZoneRecord>& answer;
    std::vector<ZoneRecord>& authority;
    std::uint8_t rcode;
    bool authoritative;
};
// Adds RRSIGs, DS/no-DS proofs of referrals and denial proofs for a DO=1
// query of (qname, qtype) answered from `zone`.
void add_dnssec(const FakeZone& zone, const std::string& qname, std::uint16_t qtype, DnssecAnswer a);

}  // namespace lanlord::test
