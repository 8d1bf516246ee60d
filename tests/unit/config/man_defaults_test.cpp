// The defaults are written in one place: the initialisers of config/config.h.
// man/lanlord.toml.5 shows them in its DEFAULTS block ("a file that sets
// nothing is the same as"); these tests read that block from the man page at
// test time, so the page cannot drift from the code unnoticed:
// - loaded, the block must equal an empty file over the whole Config;
// - every member of the main config structs must be named in the block by
//   its TOML key.
#include <catch2/catch.hpp>

#include <cctype>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "config/config.h"

using namespace lanlord;

namespace {

std::string read_man_page() {
    std::ifstream in(std::string(LANLORD_SOURCE_DIR) + "/man/lanlord.toml.5");
    REQUIRE(in.good());
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// One line of roff text in TOML: the escapes the page uses undone. An escape
// not known here fails the test instead of turning into wrong TOML.
std::string unescape_roff(const std::string& line) {
    std::string out;
    for (std::size_t i = 0; i < line.size(); ++i) {
        if (line[i] != '\\') {
            out += line[i];
            continue;
        }
        std::string rest = line.substr(i + 1);
        if (rest.starts_with("(dq")) {
            out += '"';
            i += 3;
        } else if (rest.starts_with("-")) {
            out += '-';
            i += 1;
        } else if (rest.starts_with("e")) {
            out += '\\';
            i += 1;
        } else if (rest.starts_with("&")) {  // zero-width: nothing
            i += 1;
        } else {
            FAIL("unknown roff escape in the DEFAULTS block: " << line);
        }
    }
    return out;
}

// The example between .EX and .EE in the ".SH DEFAULTS" section, as TOML.
// Roff request lines (starting with '.') are dropped.
std::string defaults_block_as_toml(const std::string& roff) {
    std::istringstream in(roff);
    std::string line, toml;
    bool in_section = false, in_example = false, found = false;
    while (std::getline(in, line)) {
        if (line.starts_with(".SH")) {
            in_section = line == ".SH DEFAULTS";
            in_example = false;
            continue;
        }
        if (!in_section) continue;
        if (line == ".EX") {
            in_example = found = true;
            continue;
        }
        if (line == ".EE") {
            in_example = false;
            continue;
        }
        if (in_example && !line.starts_with(".")) toml += unescape_roff(line) + "\n";
    }
    REQUIRE(found);
    REQUIRE_FALSE(toml.empty());
    return toml;
}

const std::string& defaults_toml() {
    static const std::string toml = defaults_block_as_toml(read_man_page());
    return toml;
}

Config load_or_fail(const std::string& text, const std::string& name) {
    ConfigResult r = load_config_text(text, name);
    for (const auto& e : r.errors) UNSCOPED_INFO(e.to_string());
    REQUIRE(r.config);
    return *r.config;
}

// What the block documents, by table: "key = value" lines and "# key: ..."
// comments (a key with no value by default, such as metrics.listen). A table
// header also counts as a key of the top level ("[dns]" documents "dns",
// "[[upstream]]" documents "upstream").
std::map<std::string, std::set<std::string>> documented_keys(const std::string& toml) {
    std::map<std::string, std::set<std::string>> keys;
    std::istringstream in(toml);
    std::string line, table;
    auto word_end = [](const std::string& s, std::size_t from) {
        std::size_t i = from;
        while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_')) ++i;
        return i;
    };
    while (std::getline(in, line)) {
        if (line.starts_with("[")) {
            std::size_t open = line.find_first_not_of('[');
            table = line.substr(open, line.find(']') - open);
            keys[""].insert(table);
        } else if (line.starts_with("# ")) {
            std::size_t end = word_end(line, 2);
            if (end > 2 && end < line.size() && line[end] == ':') keys[table].insert(line.substr(2, end - 2));
        } else if (std::size_t end = word_end(line, 0); end > 0 && line.substr(end).starts_with(" =")) {
            keys[table].insert(line.substr(0, end));
        }
    }
    return keys;
}

std::vector<std::string> split_names(std::string_view list) {
    std::vector<std::string> names;
    std::string name;
    for (char c : list) {
        if (c == ',') {
            names.push_back(name);
            name.clear();
        } else if (c != ' ' && c != '\n') {
            name += c;
        }
    }
    names.push_back(name);
    return names;
}

// The names of a struct's members, in order. A structured binding must name
// every member, so a member added to config.h stops this file from compiling
// until it is named in the list below, and from then on its TOML key is looked
// for in the DEFAULTS block. (A static_assert on sizeof would also notice a
// new member, but sizes differ between ABIs, e.g. on a 32-bit Raspberry Pi.)
#define MEMBER_NAMES(Type, ...)                        \
    ([] {                                              \
        Type object{};                                 \
        [[maybe_unused]] auto& [__VA_ARGS__] = object; \
        return split_names(#__VA_ARGS__);              \
    }())

struct Table {
    std::string name;                                // in the block; "" for the top level
    std::vector<std::string> members;                // MEMBER_NAMES of its struct
    std::map<std::string, std::string> key_of = {};  // member -> TOML key, where they differ
    std::set<std::string> not_keys = {};             // members without a default line (why: at the list)
};

}  // namespace

TEST_CASE("config: the DEFAULTS of lanlord.toml.5 equal an empty file", "[config]") {
    const std::string& toml = defaults_toml();
    INFO("the DEFAULTS block as TOML:\n" << toml);
    // Every line of the block is a key the loader knows with a valid value: an
    // unknown key or a bad value makes loading fail.
    Config written = load_or_fail(toml, "lanlord.toml.5 DEFAULTS");
    Config empty = load_or_fail("", "empty.toml");

    // Provenance, not configuration, differs by construction: which file the
    // Config came from, and whether control.socket was written in it (that
    // only makes a failure to create the socket fatal instead of a warning).
    written.source = empty.source;
    written.control.socket_written = empty.control.socket_written;

    // Table by table, to say which one differs; then the whole Config, so a
    // table added to Config later is compared too.
    CHECK(written.log_level == empty.log_level);
    CHECK(written.user == empty.user);
    CHECK(written.threads == empty.threads);
    CHECK(written.dns == empty.dns);
    CHECK(written.cache == empty.cache);
    CHECK(written.local == empty.local);
    CHECK(written.blocklist == empty.blocklist);
    CHECK(written.dhcp == empty.dhcp);
    CHECK(written.control == empty.control);
    CHECK(written.metrics == empty.metrics);
    CHECK(written.querylog == empty.querylog);
    CHECK(written.web == empty.web);
    CHECK(written.recursion == empty.recursion);
    CHECK(written.dnssec == empty.dnssec);
    CHECK(written.upstreams == empty.upstreams);
    CHECK(written == empty);
}

TEST_CASE("config: every key with a default is in the DEFAULTS of lanlord.toml.5", "[config]") {
    // Not listed as tables: [[upstream]] (the block shows the group used when
    // none is written; per-key defaults of a group are in the page's
    // [[upstream]] section), and [[dhcp.subnet]], [[dhcp.reservation]],
    // [[local.record]], [[local.address]], of which there are none by default.
    const std::vector<Table> tables = {
        {"",
         MEMBER_NAMES(Config, source, log_level, user, threads, dns, cache, local, blocklist, dhcp, control,
                      metrics, querylog, web, recursion, dnssec, upstreams),
         {{"upstreams", "upstream"}},
         {"source"}},  // the file it came from
        {"dns",
         MEMBER_NAMES(DnsConfig, listen, interfaces, port, allow, deny, edns_buffer_size, tcp_idle_timeout,
                      tcp_max_connections, upstream_timeout, bogus_priv, domain_needed, client_rate_limit,
                      client_rate_burst, identity, hide_identity, hide_version, tls_listen, tls_certificate,
                      tls_key),
         {},
         {"tls_certificate", "tls_key"}},  // no default: needed with tls_listen only
        {"cache", MEMBER_NAMES(CacheConfig, size, max_memory, min_ttl, max_ttl, negative_max_ttl, serve_stale,
                               stale_max, prefetch)},
        {"local",
         MEMBER_NAMES(LocalConfig, hosts, domain, domain_text, expand_hosts, ttl, records, addresses),
         {},
         {"domain_text",             // `domain` as written
          "records", "addresses"}},  // [[local.record]], [[local.address]]: none
        {"blocklist", MEMBER_NAMES(BlocklistConfig, files, allow, allow_files, answer)},
        {"dhcp",
         MEMBER_NAMES(DhcpConfig, journal, server, server_address_given),
         {},
         {"server",                  // its members are keys of [dhcp]: the next entry
          "server_address_given"}},  // per [[dhcp.subnet]]: none
        {"dhcp",
         MEMBER_NAMES(dhcp::ServerSettings, subnets, reservations, offer_hold, decline_probation, ping_check,
                      ping_timeout_ms),
         {{"ping_timeout_ms", "ping_timeout"}},
         {"subnets", "reservations"}},  // [[dhcp.subnet]], [[dhcp.reservation]]: none
        {"control",
         MEMBER_NAMES(ControlConfig, socket, socket_written, group),
         {},
         {"socket_written"}},  // whether `socket` was written: provenance
        {"metrics", MEMBER_NAMES(MetricsConfig, listen)},
        {"querylog", MEMBER_NAMES(QueryLogConfig, size, privacy)},
        {"web", MEMBER_NAMES(WebConfig, listen, session_timeout)},
        {"recursion", MEMBER_NAMES(RecursionConfig, root_hints, ipv6, qname_minimisation, case_randomisation,
                                   allow_private, cache_memory, infra_cache_size, max_queries, time_limit)},
        {"dnssec",
         MEMBER_NAMES(DnssecConfig, validate, validate_forwarded, trust_anchor_file, negative_trust_anchors,
                      timestamp_file, key_cache_size, aggressive_nsec, rfc5011)},
    };

    auto documented = documented_keys(defaults_toml());
    for (const Table& t : tables) {
        for (const std::string& member : t.members) {
            if (t.not_keys.contains(member)) continue;
            auto renamed = t.key_of.find(member);
            std::string key = renamed == t.key_of.end() ? member : renamed->second;
            INFO("table [" << t.name << "], key " << key);
            CHECK(documented[t.name].contains(key));
        }
    }
}
