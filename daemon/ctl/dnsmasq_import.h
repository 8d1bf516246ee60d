// `lanlordctl import-dnsmasq`: a dnsmasq configuration (and lease file)
// turned into lanlord's (issue 16). Sans-I/O: files come through the
// callbacks, the result is text; lanlordctl writes it (never over an
// existing file without --force).
//
// Every option is either translated or named in a comment of the output
// saying why not (lanlord has no such feature, the option applies to tagged
// clients only, ...). Defaults that differ are written out, so the result
// behaves as dnsmasq did: dnsmasq answers single-label names upstream and
// private reverse names too unless domain-needed / bogus-priv are given;
// lanlord's defaults are the other way, so their absence is written as
// `domain_needed = false` / `bogus_priv = false`, with a comment.
//
// Options read (the long names, as in a dnsmasq.conf; `--x` and `x` alike):
//   server, local, address, domain, expand-hosts, addn-hosts, no-hosts,
//   bogus-priv, domain-needed, cache-size, min-cache-ttl, max-cache-ttl,
//   neg-ttl, local-ttl, no-negcache, interface, except-interface,
//   listen-address, port, bind-interfaces, bind-dynamic, no-resolv,
//   resolv-file, user, conf-file, conf-dir, dnssec, dhcp-range, dhcp-host,
//   dhcp-option, dhcp-authoritative, dhcp-leasefile, log-queries,
//   strict-order, all-servers, no-poll; anything else gets a comment.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace lanlord::ctl {

struct DnsmasqSources {
    // A file's text, or nullopt when it cannot be read.
    std::function<std::optional<std::string>(const std::string& path)> read;
    // The regular files of a directory (full paths, sorted), or nullopt.
    std::function<std::optional<std::vector<std::string>>(const std::string& dir)> list;
};

struct DnsmasqImport {
    std::string toml;                  // the whole lanlord.toml, comments included
    std::vector<std::string> skipped;  // "file:line: option: why" for every option not translated
    std::vector<std::string> errors;   // unreadable includes, malformed values (also in `toml` as comments)
};

// Translates the file at `path` and everything it includes.
DnsmasqImport import_dnsmasq(const std::string& path, const DnsmasqSources& sources);

struct LeaseImport {
    std::string journal;  // lanlord's journal lines (dhcp/lease/journal_format.h)
    std::size_t leases = 0;
    std::vector<std::string> skipped;  // "line N: why" (IPv6 leases, the DUID line, malformed lines)
};

// A dnsmasq lease file ("<expiry> <mac> <ip> <hostname|*> <client-id|*>" per
// line) as journal lines; leases already expired at `now` (unix seconds) are
// dropped, infinite ones (expiry 0) get a year.
LeaseImport import_dnsmasq_leases(const std::string& text, std::int64_t now);

}  // namespace lanlord::ctl
