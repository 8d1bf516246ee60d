#include "resolver/wire/answer_text.h"

#include <fmt/format.h>

#include "common/byte_cursor.h"
#include "common/dns_name.h"
#include "common/ip_address.h"
#include "common/text.h"

namespace lanlord {

namespace {

struct TypeName {
    std::uint16_t type;
    const char* name;
};
constexpr TypeName kTypes[] = {{1, "A"},       {2, "NS"},     {5, "CNAME"},  {6, "SOA"},    {12, "PTR"},
                               {13, "HINFO"},  {15, "MX"},    {16, "TXT"},   {28, "AAAA"},  {33, "SRV"},
                               {35, "NAPTR"},  {39, "DNAME"}, {43, "DS"},    {46, "RRSIG"}, {47, "NSEC"},
                               {48, "DNSKEY"}, {50, "NSEC3"}, {52, "TLSA"},  {64, "SVCB"},  {65, "HTTPS"},
                               {99, "SPF"},    {251, "IXFR"}, {252, "AXFR"}, {255, "ANY"},  {257, "CAA"}};

// Reads a name at `pos` (compression allowed) as text; nullopt when malformed.
std::optional<std::string> name_at(std::span<const std::uint8_t> msg, std::size_t& pos) {
    std::uint8_t buf[kMaxNameLength];
    std::size_t len = 0;
    if (read_name(msg, pos, buf, len) != NameError::ok) return std::nullopt;
    return name_to_text({reinterpret_cast<const char*>(buf), len});
}

std::string rdata_text(std::span<const std::uint8_t> msg, std::uint16_t type, std::size_t start,
                       std::size_t len) {
    const std::uint8_t* p = msg.data() + start;
    std::size_t pos = start;
    switch (type) {
        case 1:
            if (len == 4) return IpAddress::v4_bytes(p).to_string();
            break;
        case 28:
            if (len == 16) return IpAddress::v6_bytes(p).to_string();
            break;
        case 2:
        case 5:
        case 12:
        case 39:
            if (auto n = name_at(msg, pos); n && pos == start + len) return *n;
            break;
        case 15:
            if (len > 2) {
                pos += 2;
                if (auto n = name_at(msg, pos); n && pos == start + len)
                    return fmt::format("{} {}", load_u16(p), *n);
            }
            break;
        case 16: {  // <character-string>s, printable ASCII kept, the rest escaped
            std::string out;
            std::size_t i = 0;
            while (i < len) {
                std::size_t n = p[i++];
                if (i + n > len) return fmt::format("\\# {} {}", len, to_hex({p, len}));
                if (!out.empty()) out += ' ';
                out += '"';
                for (std::size_t k = 0; k < n; ++k, ++i) {
                    std::uint8_t c = p[i];
                    if (c == '"' || c == '\\') out += '\\';
                    if (c < 0x20 || c > 0x7e)
                        out += fmt::format("\\{:03}", c);
                    else
                        out += static_cast<char>(c);
                }
                out += '"';
            }
            return out;
        }
        default:
            break;
    }
    return fmt::format("\\# {} {}", len, to_hex({p, len}));  // RFC 3597 section 5
}

}  // namespace

std::string type_to_text(std::uint16_t qtype) {
    for (const auto& t : kTypes)
        if (t.type == qtype) return t.name;
    return fmt::format("TYPE{}", qtype);
}

std::optional<std::uint16_t> type_from_text(std::string_view text) {
    std::string upper(text);
    for (char& c : upper) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
    for (const TypeName& t : kTypes)
        if (upper == t.name) return t.type;
    if (upper.size() > 4 && upper.compare(0, 4, "TYPE") == 0) {
        unsigned v = 0;
        for (std::size_t i = 4; i < upper.size(); ++i) {
            if (upper[i] < '0' || upper[i] > '9') return std::nullopt;
            v = v * 10 + static_cast<unsigned>(upper[i] - '0');
            if (v > 65535) return std::nullopt;
        }
        return static_cast<std::uint16_t>(v);
    }
    return std::nullopt;
}

std::string rcode_to_text(std::uint8_t rcode) {
    static constexpr const char* kNames[] = {"NOERROR",  "FORMERR", "SERVFAIL",
                                             "NXDOMAIN", "NOTIMP",  "REFUSED"};
    if (rcode < std::size(kNames)) return kNames[rcode];
    return fmt::format("RCODE{}", rcode);
}

std::optional<CacheKeyFields> decode_cache_key(std::string_view key) {
    std::span<const std::uint8_t> bytes{reinterpret_cast<const std::uint8_t*>(key.data()), key.size()};
    std::size_t pos = 0;
    if (skip_name(bytes, pos) != NameError::ok || bytes.size() != pos + 7) return std::nullopt;
    CacheKeyFields f;
    f.name = name_to_text(key.substr(0, pos));
    f.qtype = load_u16(bytes.data() + pos);
    f.qclass = load_u16(bytes.data() + pos + 2);
    f.dnssec_ok = bytes[pos + 4] & 1;
    f.checking_disabled = bytes[pos + 4] & 2;
    f.group_tag = load_u16(bytes.data() + pos + 5);
    return f;
}

AnswerText describe_answer(std::span<const std::uint8_t> msg) {
    AnswerText out;
    if (msg.size() < 12) return out;
    out.rcode = msg[3] & 0x0F;
    std::uint16_t qdcount = load_u16(msg.data() + 4), ancount = load_u16(msg.data() + 6);
    std::size_t pos = 12;
    for (unsigned i = 0; i < qdcount; ++i) {
        if (skip_name(msg, pos) != NameError::ok || pos + 4 > msg.size()) return out;
        pos += 4;
    }
    for (unsigned i = 0; i < ancount; ++i) {
        auto owner = name_at(msg, pos);
        if (!owner || pos + 10 > msg.size()) return out;
        std::uint16_t type = load_u16(msg.data() + pos), klass = load_u16(msg.data() + pos + 2);
        std::uint32_t ttl = load_u32(msg.data() + pos + 4);
        std::uint16_t rdlen = load_u16(msg.data() + pos + 8);
        pos += 10;
        if (pos + rdlen > msg.size()) return out;
        out.answers.push_back(fmt::format("{} {} {} {} {}", *owner, ttl,
                                          klass == 1 ? "IN" : fmt::format("CLASS{}", klass),
                                          type_to_text(type), rdata_text(msg, type, pos, rdlen)));
        pos += rdlen;
    }
    return out;
}

}  // namespace lanlord
