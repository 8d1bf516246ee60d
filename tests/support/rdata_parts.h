// RDATA written as pieces (bytes, or names in mixed case) into a one-answer
// message, with the names compressed against the question on request, and the
// canonical form expected of it: the RR parser's tests build every type so.
// Test-only code.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "support/raw_message.h"

namespace lanlord::test {

// The question "Host.Example.ORG" starts at 12; "Example.ORG" is at 17.
inline constexpr std::size_t kExampleOrg = 17;
inline const std::string kSuffix = ".Example.ORG";

// RDATA as a list of pieces: bytes as they are, or a name (mixed case).
struct Part {
    Bytes bytes;
    std::string name;  // set: a name
};
inline Part raw(Bytes b) {
    return {std::move(b), {}};
}
inline Part nm(std::string n) {
    return {{}, std::move(n)};
}
inline Bytes text(const std::string& s) {
    Bytes b{static_cast<std::uint8_t>(s.size())};
    b.insert(b.end(), s.begin(), s.end());
    return b;
}
inline Bytes seq(std::size_t n, std::uint8_t first = 1) {
    Bytes b;
    for (std::size_t i = 0; i < n; ++i) b.push_back(static_cast<std::uint8_t>(first + i));
    return b;
}
inline Bytes cat(Bytes a, const Bytes& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}
inline Bytes name_bytes(const std::string& n, bool lower) {
    Bytes b;
    if (n == ".") return {0};
    if (lower)
        put_name(b, n);
    else
        put_name_raw(b, n);
    return b;
}

// A message whose only answer has owner Host.Example.ORG and this RDATA;
// names ending in Example.ORG are compressed against the question when asked.
inline Bytes message_with(std::uint16_t type, const std::vector<Part>& parts, bool compress) {
    RawMessage m(1, 1, 0, 0);
    m.question("Host.Example.ORG", dns::type::A);
    m.pointer(12).rr_header(type, 300);
    for (const auto& p : parts) {
        if (p.name.empty()) {
            m.bytes(p.bytes);
        } else if (compress && p.name.size() > kSuffix.size() &&
                   p.name.compare(p.name.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0) {
            m.label(p.name.substr(0, p.name.size() - kSuffix.size())).pointer(kExampleOrg);
        } else {
            m.name(p.name);
        }
    }
    m.end_rdata();
    return m.b;
}

inline Bytes expected_canonical(const std::vector<Part>& parts, bool lower) {
    Bytes b;
    for (const auto& p : parts) b = cat(std::move(b), p.name.empty() ? p.bytes : name_bytes(p.name, lower));
    return b;
}

}  // namespace lanlord::test
