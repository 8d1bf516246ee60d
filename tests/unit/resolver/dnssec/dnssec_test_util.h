// Helpers of the DNSSEC unit tests: names, A RDATA, NSEC/NSEC3 records built
// by hand (the proofs take records that were already verified, so their
// signatures play no part there).
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <initializer_list>
#include <string>
#include <vector>

#include "common/dns_name.h"
#include "resolver/dnssec/nsec3_proof.h"
#include "resolver/dnssec/nsec_proof.h"

namespace lanlord::test {

inline std::string wire(const char* text) {
    return *name_from_text(text);
}

inline std::vector<std::uint8_t> a_rdata(std::uint8_t last) {
    return {192, 0, 2, last};
}

// Type bit map (RFC 4034 4.1.2) of `types`.
inline std::vector<std::uint8_t> bitmap(std::vector<std::uint16_t> types) {
    std::sort(types.begin(), types.end());
    std::vector<std::uint8_t> out;
    std::size_t i = 0;
    while (i < types.size()) {
        unsigned window = types[i] >> 8;
        std::uint8_t bits[32] = {};
        unsigned len = 0;
        for (; i < types.size() && (types[i] >> 8) == window; ++i) {
            unsigned low = types[i] & 0xFF;
            bits[low / 8] |= static_cast<std::uint8_t>(0x80 >> (low % 8));
            len = std::max(len, low / 8 + 1);
        }
        out.push_back(static_cast<std::uint8_t>(window));
        out.push_back(static_cast<std::uint8_t>(len));
        out.insert(out.end(), bits, bits + len);
    }
    return out;
}

// Owns the bytes NSEC/NSEC3 records point into.
class DenialRecords {
  public:
    void nsec(const char* owner, const char* next, std::vector<std::uint16_t> types, const char* zone) {
        names_.push_back(wire(owner));
        std::string_view o = names_.back();
        names_.push_back(wire(zone));
        std::string_view z = names_.back();
        blobs_.push_back(bitmap(std::move(types)));
        NsecRecord r{o, z, {}};
        std::string n = wire(next);
        std::copy(n.begin(), n.end(), r.rdata.next.bytes.begin());
        r.rdata.next.size = static_cast<std::uint8_t>(n.size());
        r.rdata.types = TypeBitmap(blobs_.back());
        nsecs.push_back(r);
    }

    // The NSEC3 chain of `zone` over `names` (each with its types),
    // hashed with `salt` and `iterations`; every record with `flags`.
    void nsec3_chain(const char* zone, std::vector<std::pair<const char*, std::vector<std::uint16_t>>> names,
                     std::vector<std::uint8_t> salt, std::uint16_t iterations, std::uint8_t flags = 0) {
        names_.push_back(wire(zone));
        std::string_view z = names_.back();
        blobs_.push_back(std::move(salt));
        ByteView s = blobs_.back();
        struct Entry {
            Nsec3Hash hash;
            std::vector<std::uint16_t> types;
        };
        std::vector<Entry> entries;
        for (auto& [name, types] : names) {
            Entry e;
            nsec3_hash(wire(name), s, iterations, e.hash);
            e.types = types;
            entries.push_back(e);
        }
        std::sort(entries.begin(), entries.end(),
                  [](const Entry& a, const Entry& b) { return a.hash < b.hash; });
        for (std::size_t i = 0; i < entries.size(); ++i) {
            const Entry& e = entries[i];
            const Entry& next = entries[(i + 1) % entries.size()];
            std::string owner(1, char(32));
            owner += base32hex(e.hash);
            owner += z;
            names_.push_back(owner);
            std::string_view o = names_.back();
            blobs_.emplace_back(next.hash.begin(), next.hash.end());
            ByteView nh = blobs_.back();
            blobs_.push_back(bitmap(e.types));
            Nsec3Record r{o, z, {}};
            r.rdata.hash_algorithm = 1;
            r.rdata.flags = flags;
            r.rdata.iterations = iterations;
            r.rdata.salt = s;
            r.rdata.next_hashed_owner = nh;
            r.rdata.types = TypeBitmap(blobs_.back());
            chain.push_back(r);
        }
    }

    // The chain's record that matches `name`, or covers it.
    const Nsec3Record& nsec3_for(const char* name) const {
        Nsec3Hash h;
        const Nsec3Record& f = chain.front();
        nsec3_hash(wire(name), f.rdata.salt, f.rdata.iterations, h);
        for (const Nsec3Record& r : chain) {
            Nsec3Hash o;
            nsec3_owner_hash(r.owner, o);
            if (o == h) return r;
        }
        for (const Nsec3Record& r : chain) {
            Nsec3Hash o;
            nsec3_owner_hash(r.owner, o);
            Nsec3Hash n;
            std::copy(r.rdata.next_hashed_owner.begin(), r.rdata.next_hashed_owner.end(), n.begin());
            bool wraps = n <= o;
            if (wraps ? (h > o || h < n) : (h > o && h < n)) return r;
        }
        return chain.front();
    }

    static std::string base32hex(const Nsec3Hash& h) {
        static const char* digits = "0123456789abcdefghijklmnopqrstuv";
        std::string out;
        unsigned acc = 0, bits = 0;
        for (std::uint8_t b : h) {
            acc = (acc << 8) | b;
            bits += 8;
            while (bits >= 5) {
                bits -= 5;
                out += digits[(acc >> bits) & 31];
            }
        }
        return out;
    }

    std::vector<NsecRecord> nsecs;
    std::vector<Nsec3Record> chain;

  private:
    std::deque<std::string> names_;
    std::deque<std::vector<std::uint8_t>> blobs_;
};

}  // namespace lanlord::test
