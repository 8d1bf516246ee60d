// The cache key, built on the stack: lower-cased wire QNAME, QTYPE, QCLASS,
// the DO and CD bits (an answer with DNSSEC records is not the same answer;
// RFC 4035 3.2.2 / 4.6), and a tag for the upstream group (two groups may
// answer one name differently, e.g. a guest LAN with a filtering upstream).
// The name comes first and is self-delimiting, so "every entry of a name" is a
// prefix match.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#include "common/byte_cursor.h"
#include "common/dns_name.h"

namespace lanlord {

class CacheKey {
  public:
    static constexpr std::size_t kMaxSize = kMaxNameLength + 7;

    CacheKey(std::string_view qname, std::uint16_t qtype, std::uint16_t qclass, bool dnssec_ok,
             bool checking_disabled, std::uint16_t group_tag) {
        std::size_t n = qname.size() <= kMaxNameLength ? qname.size() : kMaxNameLength;
        std::memcpy(bytes_, qname.data(), n);
        store_u16(bytes_ + n, qtype);
        store_u16(bytes_ + n + 2, qclass);
        bytes_[n + 4] = static_cast<std::uint8_t>((dnssec_ok ? 1 : 0) | (checking_disabled ? 2 : 0));
        store_u16(bytes_ + n + 5, group_tag);
        size_ = n + 7;
    }
    std::string_view view() const { return {reinterpret_cast<const char*>(bytes_), size_}; }

  private:
    std::uint8_t bytes_[kMaxSize];
    std::size_t size_;
};

}  // namespace lanlord
