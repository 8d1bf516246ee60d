// Presentation text -> wire RDATA for configured records (RFC 1035 section 3.3
// and 5.1 for the formats; RFC 2782 for SRV). Only what [[local.record]]
// offers: A, AAAA, CNAME, PTR, MX, SRV, TXT.
#include <charconv>
#include <string>
#include <vector>

#include "common/dns_name.h"
#include "common/text.h"
#include "config/config.h"

namespace lanlord {

namespace {

bool number(std::string_view text, unsigned max, unsigned& out) {
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && p == text.data() + text.size() && out <= max;
}

void put16(std::vector<std::uint8_t>& b, unsigned v) {
    b.push_back(static_cast<std::uint8_t>(v >> 8));
    b.push_back(static_cast<std::uint8_t>(v));
}

bool put_name(std::vector<std::uint8_t>& b, std::string_view text, std::string& why) {
    auto wire = name_from_text(text);
    if (!wire) {
        why = "invalid domain name \"" + std::string(text) + "\"";
        return false;
    }
    b.insert(b.end(), wire->begin(), wire->end());
    return true;
}

}  // namespace

std::optional<std::vector<std::uint8_t>> encode_record_data(std::string_view type_text, std::string_view data,
                                                            std::uint16_t& type, std::string& why) {
    std::string t;
    for (char c : type_text) t.push_back(static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c));
    std::vector<std::uint8_t> out;
    auto w = split_fields(data);
    if (t == "A" || t == "AAAA") {
        type = t == "A" ? 1 : 28;
        auto a = w.size() == 1 ? IpAddress::parse(w[0]) : std::nullopt;
        if (!a || a->is_v4() != (type == 1)) {
            why = "expected an " + std::string(type == 1 ? "IPv4" : "IPv6") + " address";
            return std::nullopt;
        }
        out.assign(a->bytes(), a->bytes() + a->size());
    } else if (t == "CNAME" || t == "PTR") {
        type = t == "CNAME" ? 5 : 12;
        if (w.size() != 1) {
            why = "expected one domain name";
            return std::nullopt;
        }
        if (!put_name(out, w[0], why)) return std::nullopt;
    } else if (t == "MX") {
        type = 15;
        unsigned pref;
        if (w.size() != 2 || !number(w[0], 65535, pref)) {
            why = "expected \"PREFERENCE EXCHANGE\", e.g. \"10 mail.lan\"";
            return std::nullopt;
        }
        put16(out, pref);
        if (!put_name(out, w[1], why)) return std::nullopt;
    } else if (t == "SRV") {
        type = 33;
        unsigned prio, weight, port;
        if (w.size() != 4 || !number(w[0], 65535, prio) || !number(w[1], 65535, weight) ||
            !number(w[2], 65535, port)) {
            why = "expected \"PRIORITY WEIGHT PORT TARGET\", e.g. \"10 60 5060 sip.lan\"";
            return std::nullopt;
        }
        put16(out, prio);
        put16(out, weight);
        put16(out, port);
        if (!put_name(out, w[3], why)) return std::nullopt;
    } else if (t == "TXT") {
        type = 16;
        if (data.size() > 4000) {
            why = "TXT data longer than 4000 bytes";
            return std::nullopt;
        }
        // One or more character-strings of at most 255 bytes (RFC 1035 3.3.14).
        std::size_t p = 0;
        do {
            std::size_t n = std::min<std::size_t>(255, data.size() - p);
            out.push_back(static_cast<std::uint8_t>(n));
            out.insert(out.end(), data.begin() + static_cast<long>(p),
                       data.begin() + static_cast<long>(p + n));
            p += n;
        } while (p < data.size());
    } else {
        type = 0;
        why = "unsupported record type \"" + std::string(type_text) +
              "\": expected A, AAAA, CNAME, MX, SRV, TXT or PTR";
        return std::nullopt;
    }
    return out;
}

}  // namespace lanlord
