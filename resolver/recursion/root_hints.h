// Root hints: the root servers' names and addresses the iterator starts from
// before priming (RFC 8109) replaces them with what a root server says.
//
// Built in: the 13 root servers (IANA's named.root of 2023-11, with
// b.root-servers.net's 2023 renumbering), IPv4 and IPv6. A file in the
// named.root format overrides them (Debian's dns-root-data ships one at
// /usr/share/dns/root.hints; tests point it at a fake root). Format: one
// record per line, `owner [ttl] [IN] type rdata`, ';' starts a comment; the
// NS records of "." name the servers, their A and AAAA records the
// addresses. Other records are ignored; a file with no NS for "." or no
// address for any of its servers is an error.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ip_address.h"

namespace lanlord {

struct RootServer {
    std::string name;  // wire form
    std::vector<IpAddress> addresses;
    // Without it RootHints' defaulted == would be deleted.
    friend bool operator==(const RootServer&, const RootServer&) = default;
};

struct RootHints {
    std::vector<RootServer> servers;
    friend bool operator==(const RootHints&, const RootHints&) = default;
};

const RootHints& builtin_root_hints();

struct RootHintsError {
    unsigned line = 0;  // 0: the file as a whole
    std::string message;
};

// Parses named.root text. On error, `error` says where and why.
std::optional<RootHints> parse_root_hints(std::string_view text, RootHintsError& error);

}  // namespace lanlord
