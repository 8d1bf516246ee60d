// How lanlord authenticates one DNS-over-TLS server (RFC 7858 section 4.2,
// RFC 8310 strict profile). Plain data: the configuration fills it in, the
// engine hands it with each attempt, the TLS edge (resolver/net/tls_context)
// applies it. No TLS library here.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ip_address.h"

namespace lanlord {

constexpr std::uint16_t kDotPort = 853;  // RFC 7858 section 3.1

using SpkiPin = std::array<std::uint8_t, 32>;  // SHA-256 of a SubjectPublicKeyInfo (RFC 7469 section 2.4)

struct TlsAuth {
    // The authentication domain name: sent as SNI and matched against the
    // certificate (RFC 8310 section 8). Empty: the certificate must name the
    // server's IP address instead (an iPAddress subjectAltName).
    std::string name;
    // SPKI pins (RFC 7858 section 4.2). When any are given, a certificate in
    // the server's chain must carry one of these keys, and that is the whole
    // check: no CA, no name (a self-signed server can be pinned).
    std::vector<SpkiPin> pins;
    // PEM bundle of trusted CAs; empty: the system's store (Debian's
    // ca-certificates, OpenSSL's default paths).
    std::string ca_file;
    friend bool operator==(const TlsAuth&, const TlsAuth&) = default;
};

// A DoT server written as tls://ADDRESS[:PORT][#NAME] (port 853 by default;
// unbound writes the same server as ADDRESS@PORT#NAME): the configuration's
// `servers` and `lanlordctl bench --server` read it alike.
struct TlsServerText {
    Endpoint server;
    std::string name;  // lower case, no trailing dot; "" when none was given
};
constexpr std::string_view kTlsScheme = "tls://";
inline bool has_tls_scheme(std::string_view text) {
    return text.starts_with(kTlsScheme);
}
// nullopt and `error` (a sentence naming the text) when the address or the
// authentication name is not valid.
std::optional<TlsServerText> parse_tls_server(std::string_view text, std::string& error);

// A pin as written: the base64 of a 32-byte SHA-256 (44 characters);
// nullopt for anything else. The configuration and the bench read it alike.
std::optional<SpkiPin> parse_spki_pin(std::string_view text);

}  // namespace lanlord
