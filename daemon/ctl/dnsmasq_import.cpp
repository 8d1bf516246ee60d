#include "daemon/ctl/dnsmasq_import.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "common/ip_address.h"
#include "common/text.h"
#include "dhcp/lease/journal_format.h"

namespace lanlord::ctl {

namespace {

struct Option {
    std::string where;  // "file:line"
    std::string name;
    std::string value;
    bool has_value = false;
};

std::string trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return std::string(s);
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (;;) {
        auto at = s.find(sep, start);
        out.push_back(trim(
            std::string_view(s).substr(start, at == std::string::npos ? std::string::npos : at - start)));
        if (at == std::string::npos) break;
        start = at + 1;
    }
    return out;
}

std::string toml_string(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20 || u == 0x7f) {
            out += fmt::format("\\u{:04x}", u);
        } else {
            out += c;
        }
    }
    return out + "\"";
}

std::string toml_array(const std::vector<std::string>& v) {
    std::string out = "[";
    for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + toml_string(v[i]);
    return out + "]";
}

// The first line of a comment never holds a newline from the input.
std::string comment_text(std::string_view s) {
    std::string out;
    for (char c : s) out += (c == '\n' || c == '\r') ? ' ' : c;
    return out;
}

bool is_ipv4(const std::string& s) {
    auto a = IpAddress::parse(s);
    return a && a->is_v4() && s.find(':') == std::string::npos;
}

bool is_mac(const std::string& s) {
    // 6 hex pairs separated by ':' or '-'; dnsmasq's wildcards (*) are not reservations.
    if (s.size() != 17) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (i % 3 == 2) {
            if (s[i] != ':' && s[i] != '-') return false;
        } else if (!std::isxdigit(static_cast<unsigned char>(s[i]))) {
            return false;
        }
    }
    return true;
}

// dnsmasq's lease times: "45m", "12h", "1d", "2w", plain seconds, "infinite".
std::optional<std::uint64_t> lease_seconds(const std::string& s) {
    if (s.empty()) return std::nullopt;
    std::uint64_t mult = 1;
    std::string digits = s;
    switch (std::tolower(static_cast<unsigned char>(s.back()))) {
        case 's':
            mult = 1;
            digits.pop_back();
            break;
        case 'm':
            mult = 60;
            digits.pop_back();
            break;
        case 'h':
            mult = 3600;
            digits.pop_back();
            break;
        case 'd':
            mult = 86400;
            digits.pop_back();
            break;
        case 'w':
            mult = 7 * 86400;
            digits.pop_back();
            break;
        default:
            break;
    }
    if (digits.empty() || digits.size() > 9 || !std::all_of(digits.begin(), digits.end(), [](char c) {
            return std::isdigit(static_cast<unsigned char>(c));
        }))
        return std::nullopt;
    return std::stoull(digits) * mult;
}

std::optional<unsigned> netmask_length(const std::string& s) {
    auto a = IpAddress::parse(s);
    if (!a || !a->is_v4()) return std::nullopt;
    std::uint32_t m = 0;
    for (int i = 0; i < 4; ++i) m = m << 8 | a->bytes()[i];
    unsigned len = 0;
    while (len < 32 && (m & (0x80000000u >> len))) ++len;
    if (len < 32 && (m << len) != 0) return std::nullopt;  // not contiguous
    return len;
}

std::string network_of(const IpAddress& a, unsigned len) {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = v << 8 | a.bytes()[i];
    std::uint32_t mask = len == 0 ? 0 : ~0u << (32 - len);
    v &= mask;
    return fmt::format("{}.{}.{}.{}/{}", v >> 24, v >> 16 & 255, v >> 8 & 255, v & 255, len);
}

// Reads `path` and its includes into `out` (conf-file, conf-dir), depth-limited.
void collect(const std::string& path, const DnsmasqSources& src, std::vector<Option>& out,
             std::vector<std::string>& errors, std::set<std::string>& seen, int depth) {
    if (depth > 8 || !seen.insert(path).second) {
        errors.push_back(path + ": included again (a loop?): skipped");
        return;
    }
    auto text = src.read(path);
    if (!text) {
        errors.push_back(path + ": cannot be read");
        return;
    }
    unsigned n = 0;
    std::size_t start = 0;
    while (start <= text->size()) {
        auto end = text->find('\n', start);
        if (end == std::string::npos) end = text->size();
        std::string line = trim(std::string_view(*text).substr(start, end - start));
        start = end + 1;
        ++n;
        if (line.empty() || line[0] == '#') continue;
        Option o;
        o.where = fmt::format("{}:{}", path, n);
        auto eq = line.find('=');
        o.name = trim(line.substr(0, eq));
        while (!o.name.empty() && o.name[0] == '-') o.name.erase(0, 1);
        if (eq != std::string::npos) {
            o.has_value = true;
            o.value = trim(line.substr(eq + 1));
            if (o.value.size() >= 2 && o.value.front() == '"' && o.value.back() == '"')
                o.value = o.value.substr(1, o.value.size() - 2);
        }
        if (o.name == "conf-file" && o.has_value) {
            collect(o.value, src, out, errors, seen, depth + 1);
        } else if (o.name == "conf-dir" && o.has_value) {
            // conf-dir=DIR[,.ext-to-skip...] or DIR,*.ext (only those).
            auto parts = split(o.value, ',');
            while (parts[0].size() > 1 && parts[0].back() == '/') parts[0].pop_back();
            auto files = src.list(parts[0]);
            if (!files) {
                errors.push_back(o.where + ": conf-dir " + parts[0] + " cannot be listed");
                continue;
            }
            for (const auto& f : *files) {
                std::string base = f.substr(f.rfind('/') + 1);
                if (base.empty() || base[0] == '.' || base.back() == '~' ||
                    (base.front() == '#' && base.back() == '#'))
                    continue;  // dnsmasq skips these too
                bool take = true;
                bool only = false;
                for (std::size_t i = 1; i < parts.size(); ++i) {
                    const std::string& p = parts[i];
                    if (p.size() > 1 && p[0] == '*') {
                        if (!only) take = false;
                        only = true;
                        std::string ext = p.substr(1);
                        if (base.size() >= ext.size() &&
                            base.compare(base.size() - ext.size(), ext.size(), ext) == 0)
                            take = true;
                    } else if (!p.empty() && base.size() >= p.size() &&
                               base.compare(base.size() - p.size(), p.size(), p) == 0) {
                        take = false;
                        break;
                    }
                }
                if (take) collect(f, src, out, errors, seen, depth + 1);
            }
        } else {
            out.push_back(std::move(o));
        }
    }
}

struct Range {
    std::string where, start, end, subnet, interface;
    std::optional<std::uint64_t> lease;
    bool pool = true;
};

struct Reservation {
    std::string where, mac, client_id, address, hostname;
};

struct SubnetOption {
    std::string where;
    int code = 0;
    std::vector<std::string> values;
};

class Translator {
  public:
    void take(const Option& o);
    std::string render(const std::vector<std::string>& errors);
    std::vector<std::string> skipped;

  private:
    void skip(const Option& o, const std::string& why) {
        skipped.push_back(
            fmt::format("{}: {}{}: {}", o.where, o.name, o.has_value ? "=" + o.value : "", why));
    }
    void server(const Option& o, bool local_only);
    void address(const Option& o);
    void dhcp_range(const Option& o);
    void dhcp_host(const Option& o);
    void dhcp_option(const Option& o);

    std::vector<std::string> listen_, interfaces_, hosts_{"/etc/hosts"}, extra_hosts_;
    bool no_hosts_ = false, bogus_priv_ = false, domain_needed_ = false, expand_hosts_ = false;
    bool no_resolv_ = false, dnssec_ = false, authoritative_ = false;
    std::optional<unsigned> port_;
    std::string domain_, resolv_file_ = "/etc/resolv.conf", user_, leasefile_;
    std::optional<std::uint64_t> cache_size_, min_ttl_, max_ttl_;
    std::vector<std::string> servers_;
    std::map<std::string, std::vector<std::string>> domain_servers_;  // domain -> servers (in order given)
    std::vector<std::string> local_only_;                             // domains never forwarded
    std::vector<std::pair<std::string, std::vector<std::string>>> addresses_;
    std::vector<std::string> nxdomain_;  // address=/d/ with no address
    std::vector<Range> ranges_;
    std::vector<Reservation> reservations_;
    std::vector<SubnetOption> options_;
    std::map<int, std::vector<std::string>> known_;  // 3, 6, 15, 42, 121: for every subnet
};

void Translator::take(const Option& o) {
    const std::string& n = o.name;
    const std::string& v = o.value;
    auto need_value = [&] {
        if (!o.has_value || v.empty()) {
            skip(o, "needs a value");
            return false;
        }
        return true;
    };
    auto number = [&](std::optional<std::uint64_t>& into) {
        if (!need_value()) return;
        auto s = lease_seconds(v);
        if (!s || v.find_first_not_of("0123456789") != std::string::npos)
            skip(o, "not a number");
        else
            into = *s;
    };
    if (n == "server" || n == "local") return server(o, n == "local");
    if (n == "address") return address(o);
    if (n == "dhcp-range") return dhcp_range(o);
    if (n == "dhcp-host") return dhcp_host(o);
    if (n == "dhcp-option" || n == "dhcp-option-force") return dhcp_option(o);
    if (n == "domain") {
        if (!need_value()) return;
        auto parts = split(v, ',');
        if (parts.size() > 1)
            skip(o, "a domain per subnet: lanlord has one local domain; " + parts[0] + " is used");
        domain_ = parts[0];
    } else if (n == "expand-hosts") {
        expand_hosts_ = true;
    } else if (n == "addn-hosts") {
        if (need_value()) extra_hosts_.push_back(v);
    } else if (n == "no-hosts") {
        no_hosts_ = true;
    } else if (n == "bogus-priv") {
        bogus_priv_ = true;
    } else if (n == "domain-needed") {
        domain_needed_ = true;
    } else if (n == "cache-size") {
        number(cache_size_);
    } else if (n == "min-cache-ttl") {
        number(min_ttl_);
    } else if (n == "max-cache-ttl") {
        number(max_ttl_);
    } else if (n == "interface") {
        if (need_value())
            for (const auto& i : split(v, ',')) interfaces_.push_back(i);
    } else if (n == "listen-address") {
        if (need_value())
            for (const auto& a : split(v, ',')) listen_.push_back(a);
    } else if (n == "port") {
        std::optional<std::uint64_t> p;
        number(p);
        if (p && *p == 0)
            skip(o, "port=0 turns dnsmasq's DNS off: lanlord always answers DNS");
        else if (p && *p < 65536)
            port_ = static_cast<unsigned>(*p);
    } else if (n == "no-resolv") {
        no_resolv_ = true;
    } else if (n == "resolv-file") {
        if (need_value()) resolv_file_ = v;
    } else if (n == "user") {
        if (need_value()) user_ = v;
    } else if (n == "dnssec") {
        dnssec_ = true;
    } else if (n == "dhcp-authoritative") {
        authoritative_ = true;
    } else if (n == "dhcp-leasefile" || n == "dhcp-lease-file") {
        leasefile_ = v;
        skip(o,
             "lanlord keeps its own journal: convert this file with lanlordctl import-dnsmasq --leases " + v);
    } else if (n == "bind-interfaces" || n == "bind-dynamic") {
        skip(o, "lanlord always binds each address it listens on, and follows interfaces itself");
    } else if (n == "log-queries") {
        skip(o, "lanlord keeps the newest queries in memory ([querylog], lanlordctl querylog, the web page)");
    } else if (n == "strict-order" || n == "all-servers") {
        skip(o, "lanlord picks the fastest server by RTT and fails over (no strict order, no racing)");
    } else if (n == "no-poll") {
        skip(o, "lanlord watches resolv.conf with inotify: nothing polls");
    } else if (n == "group") {
        skip(o, "lanlord takes the group of `user`");
    } else if (n == "neg-ttl" || n == "local-ttl" || n == "no-negcache" || n == "max-ttl") {
        skip(o, "no direct equivalent: see [cache] negative_max_ttl, [local] ttl");
    } else if (n == "except-interface" || n == "no-dhcp-interface") {
        skip(o, "lanlord listens only where [dns] listen/interfaces say; list the interfaces wanted");
    } else if (n == "trust-anchor") {
        skip(o, "lanlord has the root's keys built in ([dnssec] trust_anchor_file for others)");
    } else if (n == "enable-tftp" || n.rfind("tftp-", 0) == 0 || n.rfind("pxe-", 0) == 0 ||
               n == "dhcp-boot") {
        skip(o, "lanlord has no TFTP or PXE server");
    } else {
        skip(o, "no equivalent in lanlord");
    }
}

// server=/d1/d2/ip[#port][@source], server=ip, server=/d/ (local only), server=/d/# (the default servers).
void Translator::server(const Option& o, bool local_only) {
    std::string v = o.value;
    std::vector<std::string> domains;
    if (!v.empty() && v[0] == '/') {
        auto last = v.rfind('/');
        for (const auto& d : split(v.substr(1, last - 1), '/'))
            if (!d.empty()) domains.push_back(d);
        v = v.substr(last + 1);
    }
    if (local_only || v.empty()) {
        if (domains.empty()) return skip(o, "no domain");
        for (const auto& d : domains) local_only_.push_back(d);
        return;
    }
    if (v == "#")
        return skip(o, "the default servers for these domains: lanlord's default group already does it");
    auto at = v.find('@');
    if (at != std::string::npos) {
        skip(o,
             "a source address or interface per server: lanlord binds a group to an interface ([[upstream]] "
             "interface); translated without it");
        v = v.substr(0, at);
    }
    std::string address = v;
    if (auto hash = v.find('#'); hash != std::string::npos) {
        std::string a = v.substr(0, hash), port = v.substr(hash + 1);
        address = a.find(':') != std::string::npos ? "[" + a + "]:" + port : a + ":" + port;
    }
    if (!Endpoint::parse(address, 53)) return skip(o, "not an address");
    if (domains.empty())
        servers_.push_back(address);
    else
        for (const auto& d : domains) domain_servers_[d].push_back(address);
}

void Translator::address(const Option& o) {
    std::string v = o.value;
    if (v.empty() || v[0] != '/') return skip(o, "expected /domain/address");
    auto last = v.rfind('/');
    auto domains = split(v.substr(1, last - 1), '/');
    std::string target = v.substr(last + 1);
    if (target.empty() || target == "#") {
        // NXDOMAIN (no address) or a null answer (#): what a blocklist does.
        for (const auto& d : domains)
            if (!d.empty()) nxdomain_.push_back(d);
        return;
    }
    if (!IpAddress::parse(target)) return skip(o, "not an address");
    for (const auto& d : domains)
        if (!d.empty()) addresses_.push_back({d, {target}});
}

void Translator::dhcp_range(const Option& o) {
    auto parts = split(o.value, ',');
    Range r;
    r.where = o.where;
    std::size_t i = 0;
    for (; i < parts.size(); ++i) {
        const std::string& p = parts[i];
        if (p.rfind("set:", 0) == 0 || p.rfind("tag:", 0) == 0) {
            if (p.rfind("tag:", 0) == 0)
                return skip(o, "a range for tagged clients only: lanlord has no tags");
            continue;  // set:tag: tags the clients; nothing to keep
        }
        if (p.rfind("interface:", 0) == 0) {
            r.interface = p.substr(10);
            continue;
        }
        break;
    }
    if (i >= parts.size()) return skip(o, "no addresses");
    if (parts[i].find(':') != std::string::npos)
        return skip(o, "DHCPv6 and router advertisements: lanlord is DHCPv4 only");
    r.start = parts[i++];
    if (!is_ipv4(r.start)) return skip(o, "not an IPv4 range");
    std::optional<unsigned> len;
    if (i < parts.size() && parts[i] == "static") {
        r.pool = false;
        ++i;
    } else if (i < parts.size() && (parts[i] == "proxy")) {
        return skip(o, "proxy DHCP: lanlord does not do it");
    } else if (i < parts.size() && is_ipv4(parts[i])) {
        r.end = parts[i++];
    }
    if (i < parts.size() && is_ipv4(parts[i])) {
        len = netmask_length(parts[i++]);
        if (!len) return skip(o, "a netmask that is not contiguous");
        if (i < parts.size() && is_ipv4(parts[i])) ++i;  // broadcast: derived by lanlord
    }
    if (i < parts.size()) {
        if (parts[i] == "infinite")
            skip(o, "infinite leases: lanlord's lease_time is at most what its loader allows; 12h kept");
        else if (auto s = lease_seconds(parts[i]))
            r.lease = *s;
        else
            skip(o, "lease time " + parts[i] + " not understood: lanlord's default (12h) kept");
    }
    if (!len) {
        len = 24;
        skipped.push_back(o.where + ": dhcp-range=" + o.value +
                          ": no netmask: dnsmasq takes it from the interface; /24 written, check it");
    }
    r.subnet = network_of(*IpAddress::parse(r.start), *len);
    ranges_.push_back(std::move(r));
}

void Translator::dhcp_host(const Option& o) {
    Reservation r;
    r.where = o.where;
    for (const auto& p : split(o.value, ',')) {
        if (p.empty()) continue;
        if (p == "ignore")
            return skip(o, "ignoring a client: lanlord has no such rule (a [dns] deny is DNS only)");
        if (p.rfind("set:", 0) == 0 || p.rfind("tag:", 0) == 0) continue;
        if (p.rfind("id:", 0) == 0) {
            if (p == "id:*") continue;
            std::string id = p.substr(3);
            if (!parse_hex(id, true, 255)) {
                r.client_id = "";
                skip(o, "a client id as text: lanlord takes hex bytes; translated without it");
            } else {
                r.client_id = id;
            }
            continue;
        }
        if (is_mac(p)) {
            if (!r.mac.empty()) skip(o, "several MACs for one host: the first is kept");
            if (r.mac.empty()) {
                r.mac = p;
                std::replace(r.mac.begin(), r.mac.end(), '-', ':');
            }
            continue;
        }
        if (p.find('*') != std::string::npos) return skip(o, "a wildcard MAC: not a reservation");
        if (is_ipv4(p)) {
            r.address = p;
            continue;
        }
        if (p.front() == '[') {
            skip(o, "an IPv6 address: lanlord is DHCPv4 only; the rest is translated");
            continue;
        }
        if (p == "infinite" || lease_seconds(p)) {
            skip(o, "a lease time per host: lanlord's is per subnet; the rest is translated");
            continue;
        }
        r.hostname = p;
    }
    if (r.mac.empty() && r.client_id.empty()) return skip(o, "no MAC or client id to reserve for");
    if (r.address.empty())
        return skip(o, "a name without an address: lanlord names a client after the hostname it sends" +
                           (r.hostname.empty() ? std::string() : " (" + r.hostname + ")"));
    reservations_.push_back(std::move(r));
}

void Translator::dhcp_option(const Option& o) {
    auto parts = split(o.value, ',');
    std::size_t i = 0;
    while (i < parts.size() && (parts[i].rfind("tag:", 0) == 0 || parts[i].rfind("encap:", 0) == 0 ||
                                parts[i].rfind("vendor:", 0) == 0 || parts[i].rfind("vi-encap:", 0) == 0 ||
                                parts[i].rfind("set:", 0) == 0)) {
        if (parts[i].rfind("set:", 0) != 0)
            return skip(o, "an option for tagged clients or vendor classes: lanlord has no tags");
        ++i;
    }
    if (i >= parts.size()) return skip(o, "no option");
    std::string opt = parts[i++];
    static const std::map<std::string, int> kNames = {{"router", 3},
                                                      {"dns-server", 6},
                                                      {"domain-name", 15},
                                                      {"ntp-server", 42},
                                                      {"classless-static-route", 121},
                                                      {"netmask", 1},
                                                      {"broadcast", 28},
                                                      {"domain-search", 119},
                                                      {"mtu", 26},
                                                      {"T1", 58},
                                                      {"T2", 59},
                                                      {"lease-time", 51}};
    int code = 0;
    if (opt.rfind("option:", 0) == 0) {
        auto it = kNames.find(opt.substr(7));
        if (it == kNames.end())
            return skip(o, "option " + opt.substr(7) +
                               ": not known to the importer; add it as a [[dhcp.subnet.option]]");
        code = it->second;
    } else if (opt.rfind("option6:", 0) == 0) {
        return skip(o, "DHCPv6: lanlord is DHCPv4 only");
    } else if (!opt.empty() && std::all_of(opt.begin(), opt.end(), [](char c) {
                   return std::isdigit(static_cast<unsigned char>(c));
               })) {
        code = std::stoi(opt.substr(0, 3));
    } else {
        return skip(o, "not an option");
    }
    std::vector<std::string> values(parts.begin() + static_cast<std::ptrdiff_t>(i), parts.end());
    for (const auto& v : values)
        if (v == "0.0.0.0" && (code == 3 || code == 6 || code == 42))
            return skip(
                o, "0.0.0.0 (this server): lanlord sends its own address for DNS by default; write it out");
    switch (code) {
        case 3:
        case 6:
        case 42:
            if (values.empty()) {  // "dhcp-option=3": send no router
                known_[code] = {};
                return;
            }
            for (const auto& v : values)
                if (!is_ipv4(v)) return skip(o, "not IPv4 addresses");
            known_[code] = values;
            return;
        case 15:
            if (values.size() != 1) return skip(o, "expected one domain");
            known_[15] = values;
            return;
        case 121: {
            if (values.size() % 2) return skip(o, "expected net/len,router pairs");
            std::vector<std::string> routes;
            for (std::size_t k = 0; k < values.size(); k += 2)
                routes.push_back(values[k] + " via " + values[k + 1]);
            known_[121] = routes;
            return;
        }
        case 1:
        case 28:
        case 51:
        case 58:
        case 59:
            return skip(o, "lanlord derives it from the subnet and lease_time/t1/t2");
        default:
            break;
    }
    if (values.empty()) return skip(o, "no value");
    if (std::all_of(values.begin(), values.end(), is_ipv4)) {
        options_.push_back({o.where, code, values});
        return;
    }
    if (values.size() == 1 && values[0].find_first_not_of("0123456789") != std::string::npos) {
        options_.push_back({o.where, -code, values});  // text
        return;
    }
    skip(o,
         "a number or list whose width the importer cannot know: add a [[dhcp.subnet.option]] with its type");
}

std::string Translator::render(const std::vector<std::string>& errors) {
    std::string t;
    t += "# lanlord.toml written by `lanlordctl import-dnsmasq` from a dnsmasq configuration.\n"
         "# Check it with `lanlord --check-config FILE`; see lanlord.toml(5).\n";
    if (!user_.empty()) t += "user = " + toml_string(user_) + "\n";

    t += "\n[dns]\n";
    if (!listen_.empty()) t += "listen = " + toml_array(listen_) + "\n";
    if (!interfaces_.empty()) t += "interfaces = " + toml_array(interfaces_) + "\n";
    if (listen_.empty() && interfaces_.empty())
        t += "# dnsmasq listened on every interface; lanlord listens on loopback unless told:\n"
             "# set listen = [...] or interfaces = [...] for the LAN.\n";
    if (port_) t += fmt::format("port = {}\n", *port_);
    if (!bogus_priv_) t += "bogus_priv = false     # dnsmasq's default (no bogus-priv); lanlord's is true\n";
    if (!domain_needed_)
        t += "domain_needed = false  # dnsmasq's default (no domain-needed); lanlord's is true\n";

    t += "\n[cache]\n";
    if (cache_size_)
        t += fmt::format("size = {}\n", *cache_size_);
    else
        t += "# no cache-size: dnsmasq's default is 150 entries; lanlord's (10000) is kept\n";
    if (min_ttl_) t += fmt::format("min_ttl = {}\n", *min_ttl_);
    if (max_ttl_) t += fmt::format("max_ttl = {}\n", *max_ttl_);

    t += "\n[local]\n";
    std::vector<std::string> hosts = no_hosts_ ? std::vector<std::string>{} : hosts_;
    hosts.insert(hosts.end(), extra_hosts_.begin(), extra_hosts_.end());
    t += "hosts = " + toml_array(hosts) + "\n";
    if (!domain_.empty()) t += "domain = " + toml_string(domain_) + "\n";
    if (expand_hosts_) t += "expand_hosts = true\n";
    for (const auto& d : local_only_)
        if (d != domain_)
            t += "# local=/" + comment_text(d) +
                 "/: lanlord answers one local domain from its own data (domain above); add its names as "
                 "[[local.record]]s\n";
    for (const auto& [domain, addrs] : addresses_)
        t += "\n[[local.address]]\ndomain = " + toml_string(domain) + "\naddresses = " + toml_array(addrs) +
             "\n";

    if (!nxdomain_.empty()) {
        t += "\n# address=/domain/ without an address (NXDOMAIN) is what a blocklist does in lanlord:\n"
             "# put these names in a file and name it in [blocklist] files:\n";
        for (const auto& d : nxdomain_) t += "#   " + comment_text(d) + "\n";
    }

    // Upstream groups: one per distinct server list of server=/domain/ip lines, then the default.
    std::map<std::vector<std::string>, std::vector<std::string>> groups;
    for (const auto& [domain, servers] : domain_servers_) groups[servers].push_back(domain);
    unsigned n = 0;
    for (const auto& [servers, domains] : groups) {
        t += fmt::format("\n[[upstream]]\nname = \"domains{}\"\nservers = {}\ndomains = {}\n", ++n,
                         toml_array(servers), toml_array(domains));
    }
    if (no_resolv_ && servers_.empty()) {
        t += "\n# no-resolv and no server=: nothing is forwarded but the domains above (as in dnsmasq); "
             "other\n"
             "# names are REFUSED. A default group would be [[upstream]] servers = [...].\n";
    } else {
        t += "\n[[upstream]]\nname = \"default\"\n";
        if (!servers_.empty()) t += "servers = " + toml_array(servers_) + "\n";
        if (!no_resolv_) t += "resolv_conf = " + toml_string(resolv_file_) + "\n";
    }
    if (dnssec_) t += "\n[dnssec]\nvalidate_forwarded = true  # dnssec\n";

    // DHCP: one subnet per network of the ranges.
    std::map<std::string, std::vector<const Range*>> subnets;
    for (const auto& r : ranges_) subnets[r.subnet].push_back(&r);
    for (const auto& [subnet, ranges] : subnets) {
        std::string interface;
        for (const Range* r : ranges)
            if (!r->interface.empty()) interface = r->interface;
        if (interface.empty() && interfaces_.empty()) {
            // dnsmasq found the interface by the range's address; lanlord must be told. A subnet
            // without one would not load: it is written commented out, to fill in.
            t += "\n# FILL IN the interface of this subnet (dnsmasq found it by address), then uncomment:\n"
                 "# [[dhcp.subnet]]\n# interface = \"...\"\n# subnet = " +
                 toml_string(subnet) + "\n";
            for (const Range* r : ranges)
                if (r->pool && !r->end.empty())
                    t += "# pools = [" + toml_string(r->start + "-" + r->end) + "]\n";
            continue;
        }
        t += "\n[[dhcp.subnet]]\n";
        if (interface.empty()) {
            interface = interfaces_[0];
            if (interfaces_.size() > 1)
                t += "# dnsmasq matched this range to an interface by address: check that it is " +
                     comment_text(interface) + "\n";
        }
        t += "interface = " + toml_string(interface) + "\n";
        t += "subnet = " + toml_string(subnet) + "\n";
        std::vector<std::string> pools;
        std::optional<std::uint64_t> lease;
        for (const Range* r : ranges) {
            if (r->pool && !r->end.empty()) pools.push_back(r->start + "-" + r->end);
            if (r->lease) lease = r->lease;
        }
        t += "pools = " + toml_array(pools) + "\n";
        if (lease) t += fmt::format("lease_time = {}\n", *lease);
        if (known_.count(3)) t += "routers = " + toml_array(known_[3]) + "\n";
        if (known_.count(6)) t += "dns_servers = " + toml_array(known_[6]) + "\n";
        if (known_.count(42)) t += "ntp_servers = " + toml_array(known_[42]) + "\n";
        if (known_.count(15))
            t += "domain_name = " + toml_string(known_[15][0]) + "\n";
        else if (!domain_.empty())
            t += "domain_name = " + toml_string(domain_) + "\n";
        if (known_.count(121)) t += "classless_routes = " + toml_array(known_[121]) + "\n";
        if (authoritative_) t += "authoritative = true\n";
        for (const auto& opt : options_) {
            bool text = opt.code < 0;
            int code = text ? -opt.code : opt.code;
            t += fmt::format(
                "\n[[dhcp.subnet.option]]\ncode = {}\ntype = \"{}\"\nvalue = {}\n", code,
                text ? "text" : (opt.values.size() == 1 ? "ip" : "ips"),
                text || opt.values.size() == 1 ? toml_string(opt.values[0]) : toml_array(opt.values));
        }
    }
    std::set<std::string> reserved_addresses, reserved_clients;
    for (const auto& r : reservations_) {
        std::string client = r.mac.empty() ? "id:" + r.client_id : r.mac;
        if (!reserved_addresses.insert(r.address).second || !reserved_clients.insert(client).second) {
            skipped.push_back(r.where + ": dhcp-host for " + r.address +
                              ": that address or client is reserved " +
                              "already (dnsmasq would use the first); skipped");
            continue;
        }
        t += "\n[[dhcp.reservation]]\n";
        if (!r.mac.empty()) t += "mac = " + toml_string(r.mac) + "\n";
        if (!r.client_id.empty()) t += "client_id = " + toml_string(r.client_id) + "\n";
        t += "address = " + toml_string(r.address) + "\n";
        if (!r.hostname.empty()) t += "hostname = " + toml_string(r.hostname) + "\n";
    }
    if (!reservations_.empty() && ranges_.empty())
        t += "# dhcp-host lines without a dhcp-range: dnsmasq ignores them, and so does lanlord without a "
             "subnet\n";

    if (!skipped.empty() || !errors.empty()) {
        t += "\n# ---- Not translated, and why ----\n";
        for (const auto& e : errors) t += "# ERROR " + comment_text(e) + "\n";
        for (const auto& s : skipped) t += "# " + comment_text(s) + "\n";
    }
    return t;
}

}  // namespace

DnsmasqImport import_dnsmasq(const std::string& path, const DnsmasqSources& sources) {
    DnsmasqImport out;
    std::vector<Option> options;
    std::set<std::string> seen;
    collect(path, sources, options, out.errors, seen, 0);
    Translator t;
    for (const auto& o : options) t.take(o);
    out.toml = t.render(out.errors);
    out.skipped = t.skipped;
    return out;
}

LeaseImport import_dnsmasq_leases(const std::string& text, std::int64_t now) {
    LeaseImport out;
    unsigned n = 0;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string line = trim(std::string_view(text).substr(start, end - start));
        start = end + 1;
        ++n;
        if (line.empty()) continue;
        auto fields = split_fields(line);
        auto why = [&](const std::string& reason) {
            out.skipped.push_back(fmt::format("line {}: {}", n, reason));
        };
        if (fields.size() >= 1 && fields[0] == "duid") {
            why("the server's DUID (DHCPv6): not needed");
            continue;
        }
        if (fields.size() < 4) {
            why("expected: expiry MAC address hostname [client-id]");
            continue;
        }
        std::string expiry(fields[0]), mac(fields[1]), address(fields[2]), host(fields[3]);
        std::string id = fields.size() >= 5 ? std::string(fields[4]) : "*";
        auto ip = IpAddress::parse(address);
        if (!ip || !ip->is_v4()) {
            why("not an IPv4 lease (DHCPv6 leases are not imported)");
            continue;
        }
        auto hw = parse_hex(mac, true, 16);
        if (!hw || hw->empty()) {
            why("hardware address " + mac + " not understood");
            continue;
        }
        std::int64_t expires = 0;
        if (expiry.empty() || expiry.find_first_not_of("0123456789") != std::string::npos ||
            expiry.size() > 12) {
            why("expiry time not understood");
            continue;
        }
        expires = std::stoll(expiry);
        if (expires == 0) expires = now + 365 * 86400;  // dnsmasq writes 0 for an infinite lease
        if (expires <= now) {
            why("expired");
            continue;
        }
        dhcp::Lease lease;
        lease.address = *ip;
        lease.expires = expires;
        lease.hardware = *hw;
        if (id != "*") {
            auto cid = parse_hex(id, true, 255);
            if (!cid) {
                why("client id " + id + " not understood");
                continue;
            }
            lease.client_id = *cid;
        } else {
            // What the server keys a client without option 61 by: htype 1 (Ethernet), then chaddr.
            lease.client_id.push_back(1);
            lease.client_id.insert(lease.client_id.end(), hw->begin(), hw->end());
        }
        if (host != "*") {
            // The journal keeps names as the server does: lower case; one it cannot keep is dropped.
            for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            lease.hostname = host;
        }
        out.journal += dhcp::encode_grant(lease);
        ++out.leases;
    }
    return out;
}

}  // namespace lanlord::ctl
