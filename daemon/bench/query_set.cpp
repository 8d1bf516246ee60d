#include "daemon/bench/query_set.h"

#include <algorithm>

#include "common/dns_name.h"
#include "common/text.h"
#include "daemon/bench/probe_wire.h"

namespace lanlord::bench {

const std::vector<std::string_view>& builtin_names() {
    // Sites most people reach every day, plus signed zones (ietf.org,
    // isc.org, debian.org, nic.cz, ...) so that a validating resolver's AD
    // shows in measured answers too. All are domains whose owners run
    // authoritative servers worldwide: the uncached phase asks them.
    static const std::vector<std::string_view> names = {
        "google.com",        "youtube.com",     "facebook.com",  "wikipedia.org",
        "amazon.com",        "instagram.com",   "whatsapp.com",  "x.com",
        "linkedin.com",      "reddit.com",      "netflix.com",   "microsoft.com",
        "apple.com",         "bing.com",        "yahoo.com",     "github.com",
        "stackoverflow.com", "twitch.tv",       "spotify.com",   "zoom.us",
        "office.com",        "live.com",        "ebay.com",      "paypal.com",
        "cloudflare.com",    "mozilla.org",     "debian.org",    "ietf.org",
        "isc.org",           "nic.cz",          "bbc.co.uk",     "nytimes.com",
        "cnn.com",           "theguardian.com", "weather.com",   "imdb.com",
        "pinterest.com",     "tiktok.com",      "discord.com",   "dropbox.com",
        "adobe.com",         "salesforce.com",  "wordpress.org", "archive.org",
        "python.org",        "kernel.org",      "ubuntu.com",    "steampowered.com",
        "booking.com",       "duckduckgo.com",
    };
    return names;
}

std::optional<std::vector<std::string>> parse_names(std::string_view text, std::string& error) {
    std::vector<std::string> out;
    unsigned line_no = 0;
    while (!text.empty()) {
        auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        ++line_no;
        if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
        auto fields = split_fields(line);
        if (fields.empty()) continue;
        auto wire = name_from_text(fields[0]);
        if (!wire || *wire == std::string(1, '\0')) {
            error = "line " + std::to_string(line_no) + ": not a domain name: " + std::string(fields[0]);
            return std::nullopt;
        }
        if (wire->size() > kMaxBaseNameLength) {
            error = "line " + std::to_string(line_no) + ": name too long to prefix a random label";
            return std::nullopt;
        }
        if (std::find(out.begin(), out.end(), *wire) == out.end()) out.push_back(std::move(*wire));
    }
    if (out.empty()) {
        error = "no names";
        return std::nullopt;
    }
    return out;
}

std::string random_label(const Random& random) {
    static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    std::string label;
    std::uint64_t bits = random();
    for (int i = 0; i < 12; ++i) {
        label += kAlphabet[bits % 36];
        bits /= 36;  // 36^12 < 2^64: one draw is enough
    }
    return label;
}

namespace {
std::string under(const std::string& label, std::string_view base_wire) {
    std::string wire(1, static_cast<char>(label.size()));
    wire += label;
    wire += base_wire;
    return wire;
}
}  // namespace

JobPlan make_plan(const std::vector<std::string>& names, unsigned count, const Random& random) {
    JobPlan plan;
    // NXDOMAIN hijacking: a random label under .com (hijackers rewrite what
    // the real TLD denies) and under .invalid (RFC 6761 6.4: a resolver
    // answers it NXDOMAIN itself). An address for either is a lie.
    plan.before.push_back(
        {JobKind::hijack_probe, under(random_label(random), std::string_view("\3com\0", 5))});
    plan.before.push_back(
        {JobKind::hijack_probe, under(random_label(random), std::string_view("\7invalid\0", 9))});
    // The root SOA is signed and every validating resolver has its trust
    // anchor, so AD here does not depend on which names the user chose.
    plan.before.push_back({JobKind::dnssec_probe, std::string(1, '\0'), kTypeSOA});
    if (names.empty() || count == 0) return plan;

    std::size_t warm = std::min<std::size_t>(count, names.size());
    for (std::size_t i = 0; i < warm; ++i) plan.before.push_back({JobKind::warmup, names[i]});
    for (unsigned i = 0; i < count; ++i) {
        const std::string& name = names[i % names.size()];
        plan.measured.push_back({JobKind::cached, name});
        plan.measured.push_back({JobKind::uncached, under(random_label(random), name)});
    }
    return plan;
}

}  // namespace lanlord::bench
