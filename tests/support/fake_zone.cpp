#include "support/fake_zone.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "common/dns_name.h"
#include "common/ip_address.h"

namespace lanlord::test {
namespace {

[[noreturn]] void fail(const std::string& what) {
    throw std::invalid_argument("FakeZone: " + what);
}

// Whitespace-separated fields; a double-quoted field keeps its spaces (TXT).
std::vector<std::string> split_fields(std::string_view text) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < text.size()) {
        if (std::isspace(static_cast<unsigned char>(text[i]))) {
            ++i;
        } else if (text[i] == '"') {
            auto end = text.find('"', i + 1);
            if (end == std::string_view::npos) fail("unterminated quote in: " + std::string(text));
            out.emplace_back(text.substr(i, end + 1 - i));  // quotes kept: TXT tells "" from nothing
            i = end + 1;
        } else {
            auto end = i;
            while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end]))) ++end;
            out.emplace_back(text.substr(i, end - i));
            i = end;
        }
    }
    return out;
}

std::string upper(std::string_view s) {
    std::string u(s);
    for (auto& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return u;
}

std::uint32_t number(const std::string& s) {
    if (s.empty() || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
        fail("not a number: " + s);
    return static_cast<std::uint32_t>(std::stoul(s));
}

bool is_number(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void append(Bytes& b, std::string_view wire) {
    b.insert(b.end(), wire.begin(), wire.end());
}

}  // namespace

namespace {
const std::pair<const char*, std::uint16_t> kTypes[] = {
    {"A", dns::type::A},         {"NS", dns::type::NS},     {"CNAME", dns::type::CNAME},
    {"SOA", dns::type::SOA},     {"PTR", dns::type::PTR},   {"MX", dns::type::MX},
    {"TXT", dns::type::TXT},     {"AAAA", dns::type::AAAA}, {"SRV", dns::type::SRV},
    {"DNAME", dns::type::DNAME}, {"DS", dns::type::DS},     {"ANY", dns::type::ANY}};
}  // namespace

std::uint16_t type_from_text(std::string_view type) {
    const std::string u = upper(type);
    for (const auto& [name, code] : kTypes)
        if (u == name) return code;
    fail("unknown type " + std::string(type));
}

FakeZone::FakeZone(std::string_view origin) {
    auto wire = name_from_text(origin);
    if (!wire) fail("bad origin " + std::string(origin));
    origin_ = *wire;
}

FakeZone::FakeZone(std::string_view origin, std::string_view text) : FakeZone(origin) {
    add_lines(text);
}

std::string FakeZone::origin_text() const {
    return name_to_text(origin_);
}

std::string FakeZone::resolve_name(std::string_view text, Names mode) const {
    std::string full;
    if (text == "@")
        full = origin_text();
    else if (mode == Names::absolute || text.ends_with('.'))
        full = std::string(text);
    else
        full = std::string(text) + "." + (origin_ == std::string(1, '\0') ? "" : origin_text());
    auto wire = name_from_text(full);
    if (!wire) fail("bad name " + std::string(text));
    return *wire;
}

Bytes FakeZone::rdata_from_text(std::uint16_t type, const std::vector<std::string>& fields,
                                Names mode) const {
    auto want = [&](std::size_t n) {
        if (fields.size() != n)
            fail("type " + std::to_string(type) + " wants " + std::to_string(n) + " fields");
    };
    Bytes b;
    switch (type) {
        case dns::type::A:
        case dns::type::AAAA: {
            want(1);
            auto a = IpAddress::parse(fields[0]);
            if (!a || a->is_v4() != (type == dns::type::A)) fail("bad address " + fields[0]);
            b.assign(a->bytes(), a->bytes() + a->size());
            return b;
        }
        case dns::type::NS:
        case dns::type::CNAME:
        case dns::type::DNAME:
        case dns::type::PTR:
            want(1);
            append(b, resolve_name(fields[0], mode));
            return b;
        case dns::type::MX:
            want(2);
            put16(b, static_cast<std::uint16_t>(number(fields[0])));
            append(b, resolve_name(fields[1], mode));
            return b;
        case dns::type::SOA: {
            if (fields.size() != 2) want(7);
            append(b, resolve_name(fields[0], mode));
            append(b, resolve_name(fields[1], mode));
            static const std::uint32_t kDefaults[] = {1, 3600, 600, 86400, 300};
            for (std::size_t i = 0; i < 5; ++i)
                put32(b, fields.size() == 7 ? number(fields[2 + i]) : kDefaults[i]);
            return b;
        }
        case dns::type::TXT:
            if (fields.empty()) fail("TXT wants a string");
            for (const auto& f : fields) {
                std::string_view s = f;
                if (s.size() >= 2 && s.front() == '"') s = s.substr(1, s.size() - 2);
                if (s.size() > 255) fail("TXT string over 255 bytes: use add_wire");
                b.push_back(static_cast<std::uint8_t>(s.size()));
                append(b, s);
            }
            return b;
        default:
            fail("no text form for type " + std::to_string(type) + ": use add_wire");
    }
}

void FakeZone::add_parsed(std::string_view owner, std::uint32_t ttl, std::uint16_t type,
                          const std::vector<std::string>& fields, Names mode) {
    add_wire(name_to_text(resolve_name(owner, mode)), ttl, type, rdata_from_text(type, fields, mode));
}

FakeZone& FakeZone::add(std::string_view owner, std::uint32_t ttl, std::string_view type,
                        std::string_view rdata) {
    add_parsed(owner, ttl, type_from_text(type), split_fields(rdata), Names::absolute);
    return *this;
}

FakeZone& FakeZone::add_wire(std::string_view owner, std::uint32_t ttl, std::uint16_t type, Bytes rdata) {
    const std::string wire = resolve_name(owner, Names::absolute);
    // A real server refuses to load data outside its zone (NSD does); out-of-zone
    // records in answers are the `poison` behaviour's job, not the zone's.
    if (!name_is_under(wire, origin_)) fail(std::string(owner) + " is outside zone " + origin_text());
    records_.push_back({wire, type, ttl, std::move(rdata)});
    return *this;
}

FakeZone& FakeZone::add_line(std::string_view line) {
    auto fields = split_fields(line);
    if (fields.size() < 2) fail("short line: " + std::string(line));
    std::size_t i = 1;
    std::uint32_t ttl = 3600;
    if (is_number(fields[i])) ttl = number(fields[i++]);
    if (i < fields.size() && upper(fields[i]) == "IN") ++i;
    if (i >= fields.size()) fail("no type in: " + std::string(line));
    const std::uint16_t type = type_from_text(fields[i]);
    add_parsed(fields[0], ttl, type, {fields.begin() + static_cast<long>(i) + 1, fields.end()},
               Names::relative);
    return *this;
}

FakeZone& FakeZone::add_lines(std::string_view text) {
    std::size_t start = 0;
    while (start <= text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(start, end - start);
        auto first = line.find_first_not_of(" \t\r");
        if (first != std::string_view::npos && line[first] != ';') add_line(line.substr(first));
        start = end + 1;
    }
    return *this;
}

FakeZone& FakeZone::remove(std::string_view owner, std::string_view type) {
    const std::string wire = resolve_name(owner, Names::absolute);
    const std::uint16_t t = type_from_text(type);
    std::erase_if(records_, [&](const ZoneRecord& r) {
        return r.owner == wire && (t == dns::type::ANY || r.type == t);
    });
    return *this;
}

std::vector<ZoneRecord> FakeZone::find(std::string_view owner, std::uint16_t type) const {
    std::vector<ZoneRecord> out;
    for (const auto& r : records_)
        if (r.owner == owner && (type == dns::type::ANY || r.type == type)) out.push_back(r);
    return out;
}

bool FakeZone::has(std::string_view owner, std::uint16_t type) const {
    return std::any_of(records_.begin(), records_.end(),
                       [&](const ZoneRecord& r) { return r.owner == owner && r.type == type; });
}

bool FakeZone::name_exists(std::string_view owner) const {
    return std::any_of(records_.begin(), records_.end(),
                       [&](const ZoneRecord& r) { return r.owner == owner; });
}

bool FakeZone::has_descendant(std::string_view owner) const {
    return std::any_of(records_.begin(), records_.end(), [&](const ZoneRecord& r) {
        return r.owner != owner && name_is_under(r.owner, owner);
    });
}

}  // namespace lanlord::test
