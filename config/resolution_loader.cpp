// [recursion] and [dnssec] of the configuration. See loader.h for the
// Loader conventions.
#include "common/dns_name.h"
#include "config/loader.h"

namespace lanlord::config_detail {

void Loader::read_recursion(const toml::table& table, RecursionConfig& r) {
    read_fields(
        table, "recursion",
        {
            {"root_hints",
             [&](auto& v, auto& p) { assign(r.root_hints, get_path(v, p, "the built-in hints")); }},
            {"ipv6",
             [&](auto& v, auto& p) {
                 auto text = get_string(v, p);
                 if (!text) return;
                 if (*text == "auto")
                     r.ipv6 = Ipv6Use::automatic;
                 else if (*text == "on")
                     r.ipv6 = Ipv6Use::on;
                 else if (*text == "off")
                     r.ipv6 = Ipv6Use::off;
                 else
                     error(v.source(), p, "expected \"auto\", \"on\" or \"off\", not " + quoted(*text));
             }},
            {"qname_minimisation", [&](auto& v, auto& p) { assign(r.qname_minimisation, get_bool(v, p)); }},
            {"case_randomisation", [&](auto& v, auto& p) { assign(r.case_randomisation, get_bool(v, p)); }},
            {"allow_private", [&](auto& v, auto& p) { r.allow_private = get_prefixes(v, p); }},
            {"cache_memory",
             [&](auto& v, auto& p) {
                 auto size = get_size(v, p);
                 if (size && *size < (64u << 10))
                     error(v.source(), p, "at least 64KiB");
                 else
                     assign(r.cache_memory, size);
             }},
            {"infra_cache_size",
             [&](auto& v, auto& p) { assign(r.infra_cache_size, get_integer(v, p, 16, 10'000'000)); }},
            {"max_queries", [&](auto& v, auto& p) { assign(r.max_queries, get_integer(v, p, 4, 1000)); }},
            {"time_limit",
             [&](auto& v, auto& p) { assign(r.time_limit, get_duration(v, p, seconds(1), seconds(60))); }},
        });
}

void Loader::read_dnssec(const toml::table& table, DnssecConfig& d) {
    read_fields(
        table, "dnssec",
        {
            {"validate", [&](auto& v, auto& p) { assign(d.validate, get_bool(v, p)); }},
            {"validate_forwarded", [&](auto& v, auto& p) { assign(d.validate_forwarded, get_bool(v, p)); }},
            {"trust_anchor_file",
             [&](auto& v, auto& p) {
                 assign(d.trust_anchor_file, get_path(v, p, "the built-in root anchors"));
             }},
            {"negative_trust_anchors",
             [&](auto& v, auto& p) {
                 d.negative_trust_anchors.clear();
                 for_each_string(v, p, [&](auto& text, auto& element, auto& element_path) {
                     auto wire = valid_domain_text(text) && !text.empty() && text != "."
                                     ? name_from_text(text)
                                     : std::nullopt;
                     if (!wire)
                         error(element.source(), element_path,
                               "invalid domain name " + quoted(text) + " (the root cannot be one)");
                     else
                         d.negative_trust_anchors.push_back(*wire);
                 });
             }},
            {"timestamp_file",
             [&](auto& v, auto& p) { assign(d.timestamp_file, get_path(v, p, "the state directory's")); }},
            {"key_cache_size",
             [&](auto& v, auto& p) { assign(d.key_cache_size, get_integer(v, p, 16, 1'000'000)); }},
            {"aggressive_nsec", [&](auto& v, auto& p) { assign(d.aggressive_nsec, get_bool(v, p)); }},
            {"rfc5011", [&](auto& v, auto& p) { assign(d.rfc5011, get_bool(v, p)); }},
        });
}

}  // namespace lanlord::config_detail
