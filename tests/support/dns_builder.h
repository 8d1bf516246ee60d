// Builds DNS messages for tests, including malformed ones: queries, upstream
// responses with arbitrary sections, and rdata helpers. Test-only code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/byte_cursor.h"
#include "common/dns_name.h"
#include "common/ip_address.h"
#include "resolver/wire/dns_constants.h"

namespace lanlord::test {

using Bytes = std::vector<std::uint8_t>;

struct Record {
    std::string name;  // text
    std::uint16_t type;
    std::uint32_t ttl;
    Bytes rdata;
};

inline void put16(Bytes& b, std::uint16_t v) {
    b.push_back(static_cast<std::uint8_t>(v >> 8));
    b.push_back(static_cast<std::uint8_t>(v));
}
inline void put32(Bytes& b, std::uint32_t v) {
    put16(b, static_cast<std::uint16_t>(v >> 16));
    put16(b, static_cast<std::uint16_t>(v));
}
inline void put_name(Bytes& b, const std::string& text) {
    auto wire = name_from_text(text);
    b.insert(b.end(), wire->begin(), wire->end());
}
// Keeps the letter case (name_from_text lower-cases).
inline void put_name_raw(Bytes& b, const std::string& text) {
    std::size_t start = 0;
    while (start < text.size()) {
        auto dot = text.find('.', start);
        if (dot == std::string::npos) dot = text.size();
        b.push_back(static_cast<std::uint8_t>(dot - start));
        b.insert(b.end(), text.begin() + static_cast<long>(start), text.begin() + static_cast<long>(dot));
        start = dot + 1;
    }
    b.push_back(0);
}

inline Bytes rdata_a(const char* text) {
    auto a = IpAddress::parse(text);
    return Bytes(a->bytes(), a->bytes() + a->size());
}
inline Bytes rdata_name(const std::string& text) {
    Bytes b;
    put_name(b, text);
    return b;
}
inline Bytes rdata_soa(std::uint32_t minimum, const std::string& mname = "ns.example.",
                       const std::string& rname = "host.example.") {
    Bytes b;
    put_name(b, mname);
    put_name(b, rname);
    put32(b, 1);
    put32(b, 3600);
    put32(b, 600);
    put32(b, 86400);
    put32(b, minimum);
    return b;
}
inline Bytes rdata_txt(std::size_t length) {
    Bytes b;
    while (length > 0) {
        std::size_t n = length > 255 ? 255 : length;
        b.push_back(static_cast<std::uint8_t>(n));
        b.insert(b.end(), n, 'x');
        length -= n;
    }
    return b;
}

struct QueryOptions {
    std::uint16_t id = 0x1234;
    std::uint16_t flags = dns::flag::RD;
    std::optional<std::uint16_t> edns_udp;  // set: add OPT
    bool dnssec_ok = false;
    std::uint16_t qclass = dns::kClassIN;
};

inline Bytes make_query(const std::string& name, std::uint16_t type, QueryOptions o = {}) {
    Bytes b;
    put16(b, o.id);
    put16(b, o.flags);
    put16(b, 1);
    put16(b, 0);
    put16(b, 0);
    put16(b, o.edns_udp ? 1 : 0);
    put_name_raw(b, name);
    put16(b, type);
    put16(b, o.qclass);
    if (o.edns_udp) {
        b.push_back(0);
        put16(b, dns::type::OPT);
        put16(b, *o.edns_udp);
        put32(b, o.dnssec_ok ? dns::kEdnsDoBit : 0);
        put16(b, 0);
    }
    return b;
}

struct ResponseSpec {
    std::string qname;
    std::uint16_t qtype = dns::type::A;
    std::uint16_t id = 0;
    std::uint8_t rcode = 0;
    std::uint16_t extra_flags = dns::flag::RD | dns::flag::RA;
    std::vector<Record> answer, authority, additional;
    bool opt = true;  // an OPT record at the end of the additional section
};

inline void put_record(Bytes& b, const Record& r) {
    put_name(b, r.name);
    put16(b, r.type);
    put16(b, dns::kClassIN);
    put32(b, r.ttl);
    put16(b, static_cast<std::uint16_t>(r.rdata.size()));
    b.insert(b.end(), r.rdata.begin(), r.rdata.end());
}

inline Bytes make_response(const ResponseSpec& s) {
    Bytes b;
    put16(b, s.id);
    put16(b, static_cast<std::uint16_t>(dns::flag::QR | s.extra_flags | s.rcode));
    put16(b, 1);
    put16(b, static_cast<std::uint16_t>(s.answer.size()));
    put16(b, static_cast<std::uint16_t>(s.authority.size()));
    put16(b, static_cast<std::uint16_t>(s.additional.size() + (s.opt ? 1 : 0)));
    put_name(b, s.qname);
    put16(b, s.qtype);
    put16(b, dns::kClassIN);
    for (const auto& r : s.answer) put_record(b, r);
    for (const auto& r : s.authority) put_record(b, r);
    for (const auto& r : s.additional) put_record(b, r);
    if (s.opt) {
        b.push_back(0);
        put16(b, dns::type::OPT);
        put16(b, 4096);
        put32(b, 0);
        put16(b, 0);
    }
    return b;
}

inline std::string wire(const std::string& text) {
    return *name_from_text(text);
}

}  // namespace lanlord::test
