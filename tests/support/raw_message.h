// Writes DNS messages byte by byte for the RR parser's tests: names with the
// letter case given, compression pointers placed by hand, records whose
// RDLENGTH is patched afterwards (or left wrong on purpose). Test-only code.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "support/dns_builder.h"

namespace lanlord::test {

class RawMessage {
  public:
    explicit RawMessage(std::uint16_t qd = 1, std::uint16_t an = 0, std::uint16_t ns = 0,
                        std::uint16_t ar = 0, std::uint16_t flags = dns::flag::QR) {
        put16(b, 0xBEEF);
        put16(b, flags);
        put16(b, qd);
        put16(b, an);
        put16(b, ns);
        put16(b, ar);
    }
    std::size_t pos() const { return b.size(); }

    // "www.Example.org" keeps its case; "." is the root.
    RawMessage& name(const std::string& text) {
        if (text == "." || text.empty())
            b.push_back(0);
        else
            put_name_raw(b, text);
        return *this;
    }
    // Labels in place, then a pointer: label("www").pointer(12).
    RawMessage& label(const std::string& l) {
        b.push_back(static_cast<std::uint8_t>(l.size()));
        b.insert(b.end(), l.begin(), l.end());
        return *this;
    }
    RawMessage& pointer(std::size_t target) { return u16(static_cast<std::uint16_t>(0xC000 | target)); }
    RawMessage& u8(std::uint8_t v) {
        b.push_back(v);
        return *this;
    }
    RawMessage& u16(std::uint16_t v) {
        put16(b, v);
        return *this;
    }
    RawMessage& u32(std::uint32_t v) {
        put32(b, v);
        return *this;
    }
    RawMessage& bytes(const Bytes& v) {
        b.insert(b.end(), v.begin(), v.end());
        return *this;
    }
    RawMessage& text(const std::string& s) {  // one <character-string>
        b.push_back(static_cast<std::uint8_t>(s.size()));
        b.insert(b.end(), s.begin(), s.end());
        return *this;
    }
    RawMessage& question(const std::string& qname, std::uint16_t type, std::uint16_t klass = dns::kClassIN) {
        return name(qname).u16(type).u16(klass);
    }
    // Type, class, TTL and an RDLENGTH placeholder after an owner written by
    // the caller; end_rdata() patches the length.
    RawMessage& rr_header(std::uint16_t type, std::uint32_t ttl = 3600, std::uint16_t klass = dns::kClassIN) {
        u16(type).u16(klass).u32(ttl);
        rdlength_at_ = b.size();
        return u16(0);
    }
    RawMessage& rr(const std::string& owner, std::uint16_t type, std::uint32_t ttl = 3600,
                   std::uint16_t klass = dns::kClassIN) {
        return name(owner).rr_header(type, ttl, klass);
    }
    RawMessage& end_rdata() {
        store_u16(b.data() + rdlength_at_, static_cast<std::uint16_t>(b.size() - rdlength_at_ - 2));
        return *this;
    }
    RawMessage& record(const std::string& owner, std::uint16_t type, const Bytes& rdata,
                       std::uint32_t ttl = 3600) {
        return rr(owner, type, ttl).bytes(rdata).end_rdata();
    }
    // The root-owned OPT (RFC 6891 6.1.2): UDP size, TTL word, options.
    RawMessage& opt(std::uint16_t udp_size, std::uint32_t ttl_word, const Bytes& options = {}) {
        return name(".").rr_header(dns::type::OPT, ttl_word, udp_size).bytes(options).end_rdata();
    }

    Bytes b;

  private:
    std::size_t rdlength_at_ = 0;
};

}  // namespace lanlord::test
