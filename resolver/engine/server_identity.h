// The server's own names in class CHAOS (RFC 4892): what `dig -c CH
// id.server TXT` and `dig -c CH version.bind TXT` ask to learn which server
// answered and what it runs. lanlord answers them itself and never forwards
// class CH: a forwarder that passes them on reports its upstream's identity,
// or SERVFAIL, and neither is what the asker wanted.
//
// Names, as BIND, NSD and unbound answer them: id.server and hostname.bind
// give the identity (default: the host's name), version.server and
// version.bind give "lanlord <version>". Either can be hidden (unbound's
// hide-identity and hide-version): a hidden name, and every other CHAOS name,
// is REFUSED. A known name asked with a type other than TXT or ANY gets
// NOERROR with no records (NODATA).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lanlord {

struct ServerIdentity {
    std::string identity;  // id.server / hostname.bind
    std::string version;   // version.server / version.bind
    bool hide_identity = false;
    bool hide_version = false;
};

enum class ChaosAnswer : std::uint8_t { txt, nodata, refused };

struct ChaosVerdict {
    ChaosAnswer answer = ChaosAnswer::refused;
    std::string_view text;  // for txt: the string to put in the TXT record
};

// `wire_name`: the lower-cased question name in wire form.
ChaosVerdict answer_chaos(const ServerIdentity& self, std::string_view wire_name, std::uint16_t qtype);

// TXT RDATA for `text`: one character-string, cut at 255 bytes (RFC 1035 3.3.14).
std::vector<std::uint8_t> txt_rdata(std::string_view text);

}  // namespace lanlord
