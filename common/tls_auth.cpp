#include "common/tls_auth.h"

#include <algorithm>

#include "common/base64.h"
#include "common/dns_name.h"

namespace lanlord {

namespace {
// A certificate's DNS names are host names (RFC 6125 section 6.4.2): letters,
// digits, hyphens and dots; no underscore, no wildcard here.
bool host_name_text(std::string_view text) {
    return !text.empty() && text != "." && std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
               c == '.';
    });
}
std::string quoted(std::string_view text) {
    return "\"" + std::string(text) + "\"";
}
}  // namespace

std::optional<TlsServerText> parse_tls_server(std::string_view text, std::string& error) {
    if (!has_tls_scheme(text)) {
        error = "invalid DNS over TLS server " + quoted(text) + ": it does not start with tls://";
        return std::nullopt;
    }
    std::string_view rest = text.substr(kTlsScheme.size()), address = rest, name;
    if (auto hash = rest.find('#'); hash != std::string_view::npos) {
        address = rest.substr(0, hash);
        name = rest.substr(hash + 1);
    }
    auto server = Endpoint::parse(address, kDotPort);
    if (!server || server->port == 0) {
        error = "invalid DNS over TLS server " + quoted(text) +
                ": expected tls://ADDRESS[:PORT][#NAME], e.g. tls://9.9.9.9#dns.quad9.net";
        return std::nullopt;
    }
    if (!name.empty() && (!host_name_text(name) || !name_from_text(name))) {
        error = "invalid authentication name " + quoted(name) + " in " + quoted(text) +
                ": expected the host name on the server's certificate, e.g. dns.quad9.net";
        return std::nullopt;
    }
    TlsServerText out{*server, std::string(name)};
    if (!out.name.empty() && out.name.back() == '.') out.name.pop_back();
    std::transform(out.name.begin(), out.name.end(), out.name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::optional<SpkiPin> parse_spki_pin(std::string_view text) {
    auto bytes = base64_decode(text);
    if (!bytes || bytes->size() != SpkiPin{}.size()) return std::nullopt;
    SpkiPin pin;
    std::copy(bytes->begin(), bytes->end(), pin.begin());
    return pin;
}

}  // namespace lanlord
