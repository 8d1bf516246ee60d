#include "support/dnssec_signer.h"

#include <stdexcept>

#include <ldns/ldns.h>

namespace lanlord::test {

namespace {

Blob rdata_of(const ldns_rr* rr) {
    ldns_buffer* buf = ldns_buffer_new(4096);
    ldns_rr_rdata2buffer_wire(buf, rr);
    Blob out(ldns_buffer_begin(buf), ldns_buffer_begin(buf) + ldns_buffer_position(buf));
    ldns_buffer_free(buf);
    return out;
}

ldns_rdf* dname(std::string_view wire) {
    return ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, wire.size(), wire.data());
}

}  // namespace

SigningKey make_key(std::uint8_t algorithm, std::string_view zone_text, std::uint16_t flags) {
    bool rsa = algorithm == LDNS_RSASHA256 || algorithm == LDNS_RSASHA512 || algorithm == LDNS_RSASHA1 ||
               algorithm == LDNS_RSASHA1_NSEC3;
    ldns_key* k = ldns_key_new_frm_algorithm(static_cast<ldns_signing_algorithm>(algorithm), rsa ? 1024 : 0);
    if (!k) throw std::runtime_error("ldns could not make a key of algorithm " + std::to_string(algorithm));
    ldns_rdf* owner = nullptr;
    ldns_str2rdf_dname(&owner, std::string(zone_text).c_str());
    ldns_dname2canonical(owner);
    SigningKey key;
    key.zone.assign(reinterpret_cast<const char*>(ldns_rdf_data(owner)), ldns_rdf_size(owner));
    ldns_key_set_pubkey_owner(k, owner);
    ldns_key_set_flags(k, flags);
    ldns_rr* rr = ldns_key2rr(k);
    key.dnskey = rdata_of(rr);
    key.tag = ldns_calc_keytag(rr);
    ldns_key_set_keytag(k, key.tag);
    ldns_rr_free(rr);
    key.algorithm = algorithm;
    key.flags = flags;
    key.ldns_key = std::shared_ptr<void>(k, [](void* p) { ldns_key_deep_free(static_cast<ldns_key*>(p)); });
    return key;
}

Blob sign_rrset(const SigningKey& key, std::string_view owner, std::uint16_t type, std::uint32_t ttl,
                const std::vector<Blob>& rdatas, std::uint32_t inception, std::uint32_t expiration) {
    ldns_rr_list* set = ldns_rr_list_new();
    for (const Blob& rd : rdatas) {
        // owner | type | class IN | ttl | rdlength | rdata, read back by ldns.
        Blob wire(owner.begin(), owner.end());
        for (std::uint32_t v : {std::uint32_t(type) << 16 | 1u, ttl}) {
            for (int s = 24; s >= 0; s -= 8) wire.push_back(static_cast<std::uint8_t>(v >> s));
        }
        wire.push_back(static_cast<std::uint8_t>(rd.size() >> 8));
        wire.push_back(static_cast<std::uint8_t>(rd.size()));
        wire.insert(wire.end(), rd.begin(), rd.end());
        ldns_rr* rr = nullptr;
        std::size_t pos = 0;
        if (ldns_wire2rr(&rr, wire.data(), wire.size(), &pos, LDNS_SECTION_ANSWER) != LDNS_STATUS_OK)
            throw std::runtime_error("ldns could not read a test record");
        ldns_rr_list_push_rr(set, rr);
    }
    auto* k = static_cast<ldns_key*>(key.ldns_key.get());
    ldns_key_set_inception(k, inception);
    ldns_key_set_expiration(k, expiration);
    ldns_key_list* keys = ldns_key_list_new();
    ldns_key_list_push_key(keys, k);
    ldns_rr_list* sigs = ldns_sign_public(set, keys);
    ldns_key_list_set_key_count(keys, 0);  // the key is not the list's to free
    ldns_key_list_free(keys);
    if (!sigs || ldns_rr_list_rr_count(sigs) != 1) throw std::runtime_error("ldns could not sign");
    Blob out = rdata_of(ldns_rr_list_rr(sigs, 0));
    ldns_rr_list_deep_free(sigs);
    ldns_rr_list_deep_free(set);
    return out;
}

Blob ds_for(const SigningKey& key, std::uint8_t digest_type) {
    ldns_rdf* owner = dname(key.zone);
    ldns_rr* rr = ldns_rr_new_frm_type(LDNS_RR_TYPE_DNSKEY);
    ldns_rr_set_owner(rr, owner);
    std::size_t pos = 0;
    // Rebuild the DNSKEY record from its RDATA.
    Blob wire(key.zone.begin(), key.zone.end());
    for (std::uint32_t v : {std::uint32_t(48) << 16 | 1u, 3600u})
        for (int s = 24; s >= 0; s -= 8) wire.push_back(static_cast<std::uint8_t>(v >> s));
    wire.push_back(static_cast<std::uint8_t>(key.dnskey.size() >> 8));
    wire.push_back(static_cast<std::uint8_t>(key.dnskey.size()));
    wire.insert(wire.end(), key.dnskey.begin(), key.dnskey.end());
    ldns_rr_free(rr);
    ldns_rr* dnskey = nullptr;
    if (ldns_wire2rr(&dnskey, wire.data(), wire.size(), &pos, LDNS_SECTION_ANSWER) != LDNS_STATUS_OK)
        throw std::runtime_error("ldns could not read the DNSKEY");
    ldns_rr* ds = ldns_key_rr2ds(dnskey, static_cast<ldns_hash>(digest_type));
    Blob out = rdata_of(ds);
    ldns_rr_free(ds);
    ldns_rr_free(dnskey);
    return out;
}

}  // namespace lanlord::test
