// DNS over TLS keys (RFC 7858): "tls://" servers of an [[upstream]] group with
// the group's tls_ca_file and tls_pin_sha256, and [dns] tls_listen,
// tls_certificate and tls_key. Only the text is checked here; the files are
// read by the TLS edge when the daemon starts (and the listener's again on
// SIGHUP), where a bad one is reported with its path.
#include <algorithm>

#include "config/loader.h"

namespace lanlord::config_detail {

// tls://ADDR[:PORT][#NAME] (common/tls_auth.h): unbound writes the same
// server as ADDR@PORT#NAME; the scheme makes a DoT server impossible to
// mistake for a plain one.
bool Loader::read_tls_server(const std::string& text, const toml::node& element, const std::string& path,
                             UpstreamGroupConfig& group) {
    if (!has_tls_scheme(text)) return false;
    std::string why;
    auto parsed = parse_tls_server(text, why);
    if (!parsed) {
        error(element.source(), path, why);
        return true;
    }
    const Endpoint& server = parsed->server;
    auto same = [&](const auto& entry) { return entry.first == server; };
    if (std::find(group.servers.begin(), group.servers.end(), server) != group.servers.end() ||
        std::any_of(group.tls_servers.begin(), group.tls_servers.end(), same)) {
        error(element.source(), path, "server " + server.to_string() + " is listed twice");
        return true;
    }
    TlsAuth auth;
    auth.name = std::move(parsed->name);
    group.servers.push_back(server);
    group.tls_servers.emplace_back(server, std::move(auth));
    return true;
}

void Loader::finish_group_tls(const toml::table& table, const std::string& path, UpstreamGroupConfig& group) {
    std::string ca_file;
    std::vector<SpkiPin> pins;
    const toml::node* ca_node = table.get("tls_ca_file");
    const toml::node* pins_node = table.get("tls_pin_sha256");
    if (ca_node) assign(ca_file, get_path(*ca_node, join_key(path, "tls_ca_file"), "the system's CA store"));
    if (pins_node) {
        auto written = for_each_string(
            *pins_node, join_key(path, "tls_pin_sha256"), [&](auto& text, auto& element, auto& element_path) {
                auto pin = parse_spki_pin(text);
                if (!pin) {
                    error(
                        element.source(), element_path,
                        "invalid pin " + quoted(text) +
                            ": expected the base64 SHA-256 of the server's SubjectPublicKeyInfo (44 "
                            "characters), as `openssl x509 -pubkey -noout | openssl pkey -pubin -outform der "
                            "| openssl dgst -sha256 -binary | base64` prints it");
                    return;
                }
                pins.push_back(*pin);
            });
        if (written == 0u)
            error(pins_node->source(), join_key(path, "tls_pin_sha256"),
                  "is empty: remove it to authenticate by the certificate's name");
    }
    for (const toml::node* node : {ca_node, pins_node})
        if (node && group.tls_servers.empty())
            error(node->source(), join_key(path, node == ca_node ? "tls_ca_file" : "tls_pin_sha256"),
                  "applies to DNS over TLS servers only, and the group has none (write them "
                  "tls://ADDRESS#NAME)");
    for (auto& [server, auth] : group.tls_servers) {
        auth.ca_file = ca_file;
        auth.pins = pins;
    }
}

void Loader::finish_dns_tls(const toml::table& table, DnsConfig& dns) {
    if (const toml::node* v = table.get("tls_listen")) {
        for_each_string(*v, "dns.tls_listen", [&](auto& text, auto& element, auto& element_path) {
            auto endpoint = Endpoint::parse(text, kDotPort);
            if (!endpoint)
                error(element.source(), element_path,
                      "invalid address " + quoted(text) +
                          ": expected an IP address with an optional port, e.g. 192.168.1.1 (port 853) or "
                          "[::1]:8853");
            else if (std::find(dns.tls_listen.begin(), dns.tls_listen.end(), *endpoint) !=
                     dns.tls_listen.end())
                error(element.source(), element_path, "duplicate listen address " + endpoint->to_string());
            else
                dns.tls_listen.push_back(*endpoint);
        });
    }
    const toml::node* certificate = table.get("tls_certificate");
    const toml::node* key = table.get("tls_key");
    if (certificate) assign(dns.tls_certificate, get_path(*certificate, "dns.tls_certificate", "none"));
    if (key) assign(dns.tls_key, get_path(*key, "dns.tls_key", "none"));
    if (!dns.tls_listen.empty()) {
        for (auto [node, value, name] : {std::tuple{certificate, &dns.tls_certificate, "dns.tls_certificate"},
                                         std::tuple{key, &dns.tls_key, "dns.tls_key"}})
            if (value->empty())
                error(
                    node ? node->source() : table.get("tls_listen")->source(), name,
                    "dns.tls_listen needs a certificate and its key (PEM files): set dns.tls_certificate and "
                    "dns.tls_key");
    } else {
        for (const toml::node* node : {certificate, key})
            if (node)
                error(node->source(), node == certificate ? "dns.tls_certificate" : "dns.tls_key",
                      "has no effect without dns.tls_listen (the DNS over TLS listeners)");
    }
}

}  // namespace lanlord::config_detail
