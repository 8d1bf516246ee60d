// The cryptographic primitives of DNSSEC, and the only place (with
// trust_anchor_file.cpp) where lanlord calls ldns: signature verification
// (RFC 4034 section 3.1.8.1 data, the algorithms of RFC 8624 section 3.1),
// DS digests (RFC 4034 section 5.1.4, RFC 4509, RFC 6605) and the NSEC3
// hash (RFC 5155 section 5). The rest of DNSSEC (which data is signed, with
// which key, what a denial proves) is lanlord's own code: ldns's validator
// functions accept forged proofs (../shared/design/RECURSION.md 3.5).
//
// Why ldns here and not hand-written: it wraps OpenSSL's key formats for
// every algorithm (RSA exponent encodings, EC points, EdDSA keys) and is the
// library the project's card names; we call only its raw, stateless
// primitives, so its allocations and its 32-bit date comparison never apply.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace lanlord {

using ByteView = std::span<const std::uint8_t>;

// DNSKEY/RRSIG algorithm numbers (IANA "DNS Security Algorithm Numbers").
namespace algorithm {
inline constexpr std::uint8_t RSAMD5 = 1, DSA = 3, RSASHA1 = 5, DSA_NSEC3 = 6, RSASHA1_NSEC3 = 7,
                              RSASHA256 = 8, RSASHA512 = 10, ECCGOST = 12, ECDSAP256 = 13, ECDSAP384 = 14,
                              ED25519 = 15, ED448 = 16;
}
// DS digest types (IANA "Delegation Signer Digest Algorithms").
namespace digest {
inline constexpr std::uint8_t SHA1 = 1, SHA256 = 2, GOST = 3, SHA384 = 4;
}

// RFC 8624 section 3.1 "MUST/RECOMMENDED validate": 5, 7, 8, 10, 13, 14, 15,
// 16. Not RSAMD5 (MUST NOT), DSA (MUST NOT), GOST (MAY, and OpenSSL 3 has
// none): data signed only with those is insecure, not bogus (RFC 6840 5.2).
bool dnskey_algorithm_supported(std::uint8_t alg);
// SHA-1, SHA-256 and SHA-384 (RFC 8624 section 3.3); not GOST.
bool ds_digest_supported(std::uint8_t type);

enum class CryptoResult : std::uint8_t { valid, invalid, unsupported };

// Verifies `signature` (as in the RRSIG) over `signed_data` with the DNSKEY
// public key field `key`. ECDSA signatures (r|s, RFC 6605 section 4) are
// DER-encoded here for OpenSSL. A key that does not decode is invalid.
CryptoResult verify_signature(std::uint8_t alg, ByteView key, ByteView signed_data, ByteView signature);

// The DS digest of (owner | DNSKEY RDATA) (RFC 4034 5.1.4). Returns its
// length (20, 32 or 48), 0 for an unsupported type.
std::size_t ds_digest(std::uint8_t type, std::string_view owner, ByteView dnskey_rdata,
                      std::array<std::uint8_t, 48>& out);

// RFC 5155 section 5: IH(salt, x, 0) = H(x | salt), IH(salt, x, k) =
// H(IH(salt, x, k-1) | salt), SHA-1 (hash algorithm 1), over the lower-cased
// wire name. The caller caps `iterations` first (ValidationLimits).
using Nsec3Hash = std::array<std::uint8_t, 20>;
void nsec3_hash(std::string_view name, ByteView salt, std::uint16_t iterations, Nsec3Hash& out);

}  // namespace lanlord
