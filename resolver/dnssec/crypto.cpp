#include "resolver/dnssec/crypto.h"

#include <array>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

// ldns last: its C headers define macros (bool) that break C++ headers after them.
#include <ldns/ldns.h>

namespace lanlord {

bool dnskey_algorithm_supported(std::uint8_t alg) {
    switch (alg) {
        case algorithm::RSASHA1:
        case algorithm::RSASHA1_NSEC3:
        case algorithm::RSASHA256:
        case algorithm::RSASHA512:
        case algorithm::ECDSAP256:
        case algorithm::ECDSAP384:
        case algorithm::ED25519:
        case algorithm::ED448:
            return true;
        default:
            return false;
    }
}

bool ds_digest_supported(std::uint8_t type) {
    return type == digest::SHA1 || type == digest::SHA256 || type == digest::SHA384;
}

namespace {

// DER length of an INTEGER holding the unsigned big-endian `v` (leading zero
// bytes dropped, one 0x00 added when the top bit is set: X.690 8.3).
void append_der_integer(std::vector<std::uint8_t>& out, ByteView v) {
    std::size_t skip = 0;
    while (skip + 1 < v.size() && v[skip] == 0) ++skip;
    v = v.subspan(skip);
    bool pad = !v.empty() && (v[0] & 0x80) != 0;
    out.push_back(0x02);
    out.push_back(static_cast<std::uint8_t>(v.size() + (pad ? 1 : 0)));
    if (pad) out.push_back(0);
    out.insert(out.end(), v.begin(), v.end());
}

// RFC 6605 section 4: the signature is r | s, each the curve's size (32 or
// 48 bytes); OpenSSL wants SEQUENCE { INTEGER r, INTEGER s }.
bool ecdsa_signature_to_der(ByteView sig, std::size_t half, std::vector<std::uint8_t>& der) {
    if (sig.size() != 2 * half) return false;
    std::vector<std::uint8_t> body;
    body.reserve(2 * half + 6);
    append_der_integer(body, sig.subspan(0, half));
    append_der_integer(body, sig.subspan(half, half));
    der.clear();
    der.push_back(0x30);
    if (body.size() >= 0x80) der.push_back(0x81);  // long form: at most 2*49+4 bytes
    der.push_back(static_cast<std::uint8_t>(body.size()));
    der.insert(der.end(), body.begin(), body.end());
    return true;
}

// ECDSA verification straight through libcrypto (which ldns links anyway),
// with the parsed public key kept per thread: ldns parses the key again for
// every signature, and building an EC key checks its point against the
// curve. Measured on the CI machine, P-256: 119 us per verification through
// ldns_verify_rrsig_buffers_raw, 71 us with the key kept (a cold validated
// resolution makes about 0.6 of them). At most kMaxKeys keys per thread (a
// busy resolver's working set of zone keys is larger: the oldest set goes).
class EcdsaVerifier {
  public:
    static constexpr std::size_t kMaxKeys = 256;

    CryptoResult verify(std::uint8_t alg, ByteView key, ByteView signed_data, ByteView der_signature) {
        bool p256 = alg == algorithm::ECDSAP256;
        std::size_t half = p256 ? 32 : 48;
        if (key.size() != 2 * half) return CryptoResult::invalid;
        EVP_PKEY_CTX* ctx = context(p256, key);
        if (!ctx) return CryptoResult::invalid;
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int digest_len = 0;
        if (EVP_Digest(signed_data.data(), signed_data.size(), digest, &digest_len,
                       p256 ? EVP_sha256() : EVP_sha384(), nullptr) != 1)
            return CryptoResult::invalid;
        int r = EVP_PKEY_verify(ctx, der_signature.data(), der_signature.size(), digest, digest_len);
        return r == 1 ? CryptoResult::valid : CryptoResult::invalid;
    }

  private:
    struct FreeContext {
        void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
    };
    using Context = std::unique_ptr<EVP_PKEY_CTX, FreeContext>;

    EVP_PKEY_CTX* context(bool p256, ByteView key) {
        std::string id(1, p256 ? '\x0d' : '\x0e');
        id.append(reinterpret_cast<const char*>(key.data()), key.size());
        if (auto it = keys_.find(id); it != keys_.end()) return it->second.get();
        Context made = make(p256, key);
        if (!made) return nullptr;
        if (keys_.size() >= kMaxKeys) keys_.clear();
        return keys_.emplace(std::move(id), std::move(made)).first->second.get();
    }

    static Context make(bool p256, ByteView key) {
        // RFC 6605 section 4: the key is x | y; OpenSSL wants the uncompressed point 04 | x | y.
        std::vector<unsigned char> point(1 + key.size());
        point[0] = 0x04;
        std::memcpy(point.data() + 1, key.data(), key.size());
        char group[] = "prime256v1";
        char group384[] = "secp384r1";
        OSSL_PARAM params[] = {
            OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, p256 ? group : group384, 0),
            OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
            OSSL_PARAM_construct_end()};
        std::unique_ptr<EVP_PKEY_CTX, FreeContext> from(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
        EVP_PKEY* pkey = nullptr;
        if (!from || EVP_PKEY_fromdata_init(from.get()) != 1 ||
            EVP_PKEY_fromdata(from.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1 || !pkey)
            return nullptr;
        Context ctx(EVP_PKEY_CTX_new(pkey, nullptr));
        EVP_PKEY_free(pkey);  // the context holds its own reference
        if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1) return nullptr;
        return ctx;
    }

    std::unordered_map<std::string, Context> keys_;
};

// Signatures already found valid, by the SHA-256 of everything the check
// read (algorithm, key, signature, signed data), per thread: the same RRset
// and RRSIG come back again and again (a TLD's NSEC3 records prove "no DS"
// for every unsigned delegation under it; a zone's DNSKEY set for every
// chain walk after its key cache entry expired), and one digest costs about
// 1 us against 70-120 for a verification. A cryptographic digest, so that
// no crafted input can pass for a verified one; only "valid" is kept, and
// dates are checked by the caller every time (rrset_signature.cpp).
class VerifiedSignatures {
  public:
    static constexpr std::size_t kMaxEntries = 4096;
    using Digest = std::array<std::uint8_t, 32>;

    static Digest digest(std::uint8_t alg, ByteView key, ByteView signed_data, ByteView signature) {
        std::vector<std::uint8_t> buf;
        buf.reserve(1 + 4 + key.size() + signature.size() + signed_data.size());
        buf.push_back(alg);
        for (std::size_t n : {key.size(), signature.size()}) {
            buf.push_back(static_cast<std::uint8_t>(n >> 8));
            buf.push_back(static_cast<std::uint8_t>(n));
        }
        buf.insert(buf.end(), key.begin(), key.end());
        buf.insert(buf.end(), signature.begin(), signature.end());
        buf.insert(buf.end(), signed_data.begin(), signed_data.end());
        Digest d{};
        ldns_sha256(buf.data(), static_cast<unsigned>(buf.size()), d.data());
        return d;
    }
    bool contains(const Digest& d) const { return set_.contains(d); }
    void add(const Digest& d) {
        if (set_.size() >= kMaxEntries) set_.clear();
        set_.insert(d);
    }

  private:
    struct Hash {
        std::size_t operator()(const Digest& d) const {
            std::size_t h;
            std::memcpy(&h, d.data(), sizeof h);  // already uniform: a SHA-256
            return h;
        }
    };
    std::unordered_set<Digest, Hash> set_;
};

CryptoResult verify_uncached(std::uint8_t alg, ByteView key, ByteView signed_data, ByteView signature);

}  // namespace

CryptoResult verify_signature(std::uint8_t alg, ByteView key, ByteView signed_data, ByteView signature) {
    if (!dnskey_algorithm_supported(alg)) return CryptoResult::unsupported;
    if (key.empty() || signature.empty()) return CryptoResult::invalid;
    thread_local VerifiedSignatures verified;
    VerifiedSignatures::Digest d = VerifiedSignatures::digest(alg, key, signed_data, signature);
    if (verified.contains(d)) return CryptoResult::valid;
    CryptoResult r = verify_uncached(alg, key, signed_data, signature);
    if (r == CryptoResult::valid) verified.add(d);
    return r;
}

namespace {
CryptoResult verify_uncached(std::uint8_t alg, ByteView key, ByteView signed_data, ByteView signature) {
    if (!dnskey_algorithm_supported(alg)) return CryptoResult::unsupported;
    if (key.empty() || signature.empty()) return CryptoResult::invalid;
    std::vector<std::uint8_t> der;
    ByteView sig = signature;
    if (alg == algorithm::ECDSAP256 || alg == algorithm::ECDSAP384) {
        if (!ecdsa_signature_to_der(signature, alg == algorithm::ECDSAP256 ? 32 : 48, der))
            return CryptoResult::invalid;
        thread_local EcdsaVerifier ecdsa;
        return ecdsa.verify(alg, key, signed_data, der);
    }
    // A read-only ldns_buffer over our bytes: the verifier reads
    // [begin, position). No copy, nothing for ldns to free.
    ldns_buffer data{};
    data._data = const_cast<std::uint8_t*>(signed_data.data());
    data._position = signed_data.size();
    data._limit = data._capacity = signed_data.size();
    data._fixed = 1;
    data._status = LDNS_STATUS_OK;
    std::vector<std::uint8_t> key_copy(key.begin(), key.end());  // ldns's signature takes non-const
    std::vector<std::uint8_t> sig_copy(sig.begin(), sig.end());
    ldns_status st = ldns_verify_rrsig_buffers_raw(sig_copy.data(), sig_copy.size(), &data, key_copy.data(),
                                                   key_copy.size(), alg);
    if (st == LDNS_STATUS_OK) return CryptoResult::valid;
    if (st == LDNS_STATUS_CRYPTO_UNKNOWN_ALGO || st == LDNS_STATUS_CRYPTO_ALGO_NOT_IMPL)
        return CryptoResult::unsupported;
    return CryptoResult::invalid;
}

}  // namespace

std::size_t ds_digest(std::uint8_t type, std::string_view owner, ByteView dnskey_rdata,
                      std::array<std::uint8_t, 48>& out) {
    if (!ds_digest_supported(type)) return 0;
    std::vector<std::uint8_t> data(owner.begin(), owner.end());
    data.insert(data.end(), dnskey_rdata.begin(), dnskey_rdata.end());
    auto len = static_cast<unsigned>(data.size());
    switch (type) {
        case digest::SHA1:
            ldns_sha1(data.data(), len, out.data());
            return 20;
        case digest::SHA256:
            ldns_sha256(data.data(), len, out.data());
            return 32;
        default:
            ldns_sha384(data.data(), len, out.data());
            return 48;
    }
}

void nsec3_hash(std::string_view name, ByteView salt, std::uint16_t iterations, Nsec3Hash& out) {
    // name (<= 255) | salt (<= 255) fits one stack buffer; so does hash | salt.
    std::array<std::uint8_t, 512> buf{};
    std::memcpy(buf.data(), name.data(), name.size());
    if (!salt.empty()) std::memcpy(buf.data() + name.size(), salt.data(), salt.size());
    ldns_sha1(buf.data(), static_cast<unsigned>(name.size() + salt.size()), out.data());
    for (unsigned k = 0; k < iterations; ++k) {
        std::memcpy(buf.data(), out.data(), out.size());
        if (!salt.empty()) std::memcpy(buf.data() + out.size(), salt.data(), salt.size());
        ldns_sha1(buf.data(), static_cast<unsigned>(out.size() + salt.size()), out.data());
    }
}

}  // namespace lanlord
