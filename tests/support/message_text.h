// A section of a parsed DNS message as lines of text, so a test asserts a
// whole answer, referral or negative response in one readable comparison:
//   CHECK(section_text(m, Section::authority) == Lines{"example.zz. 3600 NS ns1.example.zz."});
// Test-only code.
#pragma once

#include <string>
#include <vector>

#include "common/dns_name.h"
#include "resolver/wire/answer_text.h"
#include "resolver/wire/dns_constants.h"
#include "resolver/wire/dns_message.h"
#include "resolver/wire/rdata_decode.h"

namespace lanlord::test {

using Lines = std::vector<std::string>;

// "owner TTL TYPE data": A/AAAA address, NS/CNAME/DNAME/PTR target, "MX 10
// mx.zz.", SOA's seven fields, TXT as quoted strings; other types "\# LENGTH".
inline std::string record_text(const ParsedMessage& m, const RecordView& rr) {
    std::string data;
    const auto msg = m.bytes();
    WireName name;
    IpAddress address;
    SoaRdata soa;
    MxRdata mx;
    if (decode_address(msg, rr, address) == RdataError::ok) {
        data = address.to_string();
    } else if (decode_target_name(msg, rr, name) == RdataError::ok) {
        data = name_to_text(name.view());
    } else if (decode_mx(msg, rr, mx) == RdataError::ok) {
        data = std::to_string(mx.preference) + " " + name_to_text(mx.exchange.view());
    } else if (decode_soa(msg, rr, soa) == RdataError::ok) {
        data = name_to_text(soa.mname.view()) + " " + name_to_text(soa.rname.view());
        for (auto v : {soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum})
            data += " " + std::to_string(v);
    } else if (rr.type == dns::type::TXT) {
        for (std::size_t i = rr.rdata_offset; i < std::size_t{rr.rdata_offset} + rr.rdata_length;) {
            const std::size_t n = msg[i];
            data += (data.empty() ? "\"" : " \"") +
                    std::string(reinterpret_cast<const char*>(msg.data()) + i + 1, n) + "\"";
            i += 1 + n;
        }
    } else {
        data = "\\# " + std::to_string(rr.rdata_length);
    }
    return name_to_text(m.owner(rr)) + " " + std::to_string(rr.ttl) + " " + type_to_text(rr.type) + " " +
           data;
}

// Every record of `s` (the OPT pseudo-record left out: it is m.edns).
inline Lines section_text(const ParsedMessage& m, Section s) {
    Lines lines;
    for (const auto& rr : m.section(s))
        if (rr.type != dns::type::OPT) lines.push_back(record_text(m, rr));
    return lines;
}

}  // namespace lanlord::test
