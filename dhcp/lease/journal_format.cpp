#include "dhcp/lease/journal_format.h"

#include "common/text.h"

#include <charconv>
#include <cstdio>

namespace lanlord::dhcp {

std::uint32_t crc32(std::string_view data) {
    // IEEE 802.3 polynomial, bitwise: journal lines are short and rare.
    std::uint32_t crc = 0xFFFFFFFFu;
    for (unsigned char c : data) {
        crc ^= c;
        for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

namespace {

// "-" stands for no bytes (a client without an id cannot happen, but an empty
// field would break the line's shape).
std::string hex(const std::vector<std::uint8_t>& bytes) {
    return bytes.empty() ? "-" : to_hex(bytes);
}

bool unhex(std::string_view text, std::vector<std::uint8_t>& out) {
    out.clear();
    if (text == "-") return true;
    auto bytes = parse_hex(text, false);
    if (!bytes) return false;
    out = std::move(*bytes);
    return true;
}

std::string with_crc(const std::string& body) {
    char buf[16];
    std::snprintf(buf, sizeof buf, " %08x\n", crc32(body));
    return body + buf;
}

std::vector<std::string_view> fields(std::string_view line) {
    std::vector<std::string_view> out;
    std::size_t p = 0;
    while (p < line.size()) {
        auto sp = line.find(' ', p);
        if (sp == std::string_view::npos) sp = line.size();
        out.push_back(line.substr(p, sp - p));
        p = sp + 1;
    }
    return out;
}

bool valid_hostname(std::string_view h) {
    if (h.empty() || h.size() > 63) return false;
    for (char c : h)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    return true;
}

}  // namespace

std::string encode_grant(const Lease& l) {
    std::string host = valid_hostname(l.hostname) ? l.hostname : "-";
    return with_crc("L " + l.address.to_string() + " " + hex(l.client_id) + " " + hex(l.hardware) + " " +
                    std::to_string(l.expires) + " " + host);
}

std::string encode_free(const IpAddress& address) {
    return with_crc("F " + address.to_string());
}

ReplayResult replay_journal(std::string_view text) {
    ReplayResult r;
    std::size_t pos = 0;
    auto bad = [&](const std::string& why) {
        ++r.bad_lines;
        if (r.warnings.size() < 10) r.warnings.push_back("line " + std::to_string(r.lines) + ": " + why);
    };
    while (pos < text.size()) {
        auto nl = text.find('\n', pos);
        if (nl == std::string_view::npos) {  // torn by a crash mid-write
            r.torn_tail = true;
            ++r.lines;
            if (r.warnings.size() < 10)
                r.warnings.push_back("line " + std::to_string(r.lines) + ": incomplete last line ignored");
            break;
        }
        std::string_view line = text.substr(pos, nl - pos);
        pos = nl + 1;
        r.good_length = pos;
        ++r.lines;
        auto sp = line.rfind(' ');
        if (sp == std::string_view::npos) {
            bad("no checksum");
            continue;
        }
        std::uint32_t crc = 0;
        auto crc_text = line.substr(sp + 1);
        auto [cp, cec] = std::from_chars(crc_text.data(), crc_text.data() + crc_text.size(), crc, 16);
        if (cec != std::errc() || cp != crc_text.data() + crc_text.size() ||
            crc32(line.substr(0, sp)) != crc) {
            bad("checksum mismatch");
            continue;
        }
        auto f = fields(line.substr(0, sp));
        if (f.size() == 6 && f[0] == "L") {
            Lease l;
            auto a = IpAddress::parse(f[1]);
            std::int64_t expires = 0;
            auto [ep, eec] = std::from_chars(f[4].data(), f[4].data() + f[4].size(), expires);
            if (!a || !a->is_v4() || !unhex(f[2], l.client_id) || !unhex(f[3], l.hardware) ||
                eec != std::errc() || ep != f[4].data() + f[4].size() ||
                (f[5] != "-" && !valid_hostname(f[5]))) {
                bad("malformed lease");
                continue;
            }
            l.address = *a;
            l.expires = expires;
            if (f[5] != "-") l.hostname = std::string(f[5]);
            r.leases[l.address] = std::move(l);
        } else if (f.size() == 2 && f[0] == "F") {
            auto a = IpAddress::parse(f[1]);
            if (!a) {
                bad("malformed free");
                continue;
            }
            r.leases.erase(*a);
        } else {
            bad("unknown record");
        }
    }
    return r;
}

}  // namespace lanlord::dhcp
