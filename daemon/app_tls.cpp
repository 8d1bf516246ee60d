// The DNS over TLS listeners of [dns] tls_listen (RFC 7858): opened at start
// with the certificate and key files; SIGHUP reads the files again, so a
// renewed certificate (certbot, a deploy hook) is used by the next
// connection without a restart. A file that fails to load at start stops
// lanlord (as a busy port does); at reload it is logged and the certificate
// in force is kept.
#include <spdlog/spdlog.h>

#include "daemon/app.h"
#include "resolver/net/tls_context.h"

namespace lanlord {

std::string App::open_tls_listeners() {
    const DnsConfig& dns = config_.dns;
    if (dns.tls_listen.empty()) return "";
    std::string error;
    auto context = make_tls_server_context(dns.tls_certificate, dns.tls_key, error);
    if (!context) return error;
    if (auto err = dns_->listen_tls(dns.tls_listen, context); !err.empty()) return err;
    tls_listening_ = true;
    for (const auto& ep : dns.tls_listen)
        spdlog::info("listening on {} (DNS over TLS, certificate {})", ep.to_string(), dns.tls_certificate);
    return "";
}

void App::reload_tls_certificate() {
    const DnsConfig& dns = config_.dns;
    if (!tls_listening_) return;
    if (dns.tls_certificate.empty() || dns.tls_key.empty()) {
        spdlog::warn("dns.tls_listen was removed: the DNS over TLS listeners stay until restart");
        return;
    }
    std::string error;
    auto context = make_tls_server_context(dns.tls_certificate, dns.tls_key, error);
    if (!context) {
        spdlog::error("DNS over TLS certificate not reloaded, the one in force is kept: {}", error);
        return;
    }
    dns_->each([context](DnsService& d) { d.set_tls_context(context); });
    spdlog::info("DNS over TLS certificate reloaded from {}", dns.tls_certificate);
}

}  // namespace lanlord
