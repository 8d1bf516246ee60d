// Keys made at test time and RRSIGs made by ldns's signer (ldns_sign_public):
// an implementation independent of lanlord's verifier, so a test that signs
// here and verifies with resolver/dnssec checks the two against each other.
// Test-only: ldns stays out of lanlord's own code but resolver/dnssec.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace lanlord::test {

using Blob = std::vector<std::uint8_t>;

struct SigningKey {
    std::string zone;  // lower-cased wire
    std::uint8_t algorithm = 0;
    std::uint16_t flags = 257;
    Blob dnskey;  // DNSKEY RDATA
    std::uint16_t tag = 0;
    std::shared_ptr<void> ldns_key;  // ldns_key*, freed with ldns_key_deep_free
};

// A fresh key of `algorithm` (8, 10, 13, 14, 15, 16; RSA keys are 1024
// bits, enough for a test and 10x faster to make) for `zone_text`.
// flags: 257 KSK, 256 ZSK, 385 revoked KSK, 0 not a zone key.
SigningKey make_key(std::uint8_t algorithm, std::string_view zone_text, std::uint16_t flags = 257);

// RRSIG RDATA over the RRset (owner as wire, canonical RDATA of each
// record), valid from `inception` to `expiration` (seconds since 1970).
Blob sign_rrset(const SigningKey& key, std::string_view owner, std::uint16_t type, std::uint32_t ttl,
                const std::vector<Blob>& rdatas, std::uint32_t inception, std::uint32_t expiration);

// DS RDATA for a key (digest 1, 2 or 4), computed by ldns.
Blob ds_for(const SigningKey& key, std::uint8_t digest_type);

}  // namespace lanlord::test
