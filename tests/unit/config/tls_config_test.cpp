// DNS over TLS keys: tls:// servers with the group's CA file and pins, and
// the [dns] listener's keys; every error names file, line and key.
#include <catch2/catch.hpp>

#include "common/base64.h"
#include "daemon/compose.h"
#include "support/config_helpers.h"

using namespace lanlord;
using lanlord::test::config_errors;
using lanlord::test::config_ok;

namespace {
bool has_error(const std::vector<std::string>& errors, const std::string& part) {
    for (const auto& e : errors)
        if (e.find(part) != std::string::npos) return true;
    return false;
}
const char* kPin = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
}  // namespace

TEST_CASE("config: tls servers with a name, a port, a CA file and pins", "[config][tls]") {
    Config c = config_ok(std::string(R"([[upstream]]
servers = ["192.0.2.1", "tls://9.9.9.9#dns.quad9.net", "tls://[2001:db8::1]:8853#DNS.Example.", "tls://192.0.2.7"]
tls_ca_file = "/etc/ssl/private-ca.pem"
tls_pin_sha256 = [")") + kPin +
                         "\"]\n");
    const UpstreamGroupConfig& g = c.upstreams.at(0);
    REQUIRE(g.servers.size() == 4);
    CHECK(g.servers[0] == *Endpoint::parse("192.0.2.1", 53));
    CHECK(g.servers[1] == *Endpoint::parse("9.9.9.9", 853));
    CHECK(g.servers[2] == *Endpoint::parse("[2001:db8::1]:8853", 53));
    REQUIRE(g.tls_servers.size() == 3);
    CHECK(g.tls_servers[0].first == g.servers[1]);
    CHECK(g.tls_servers[0].second.name == "dns.quad9.net");
    CHECK(g.tls_servers[1].second.name == "dns.example");  // lower case, no root dot
    CHECK(g.tls_servers[2].second.name.empty());           // the certificate must name 192.0.2.7
    for (const auto& [server, auth] : g.tls_servers) {
        CHECK(auth.ca_file == "/etc/ssl/private-ca.pem");
        REQUIRE(auth.pins.size() == 1);
        CHECK(auth.pins[0][0] == 0xE3);
    }
    // The engine gets them with the group.
    auto specs = group_specs(c);
    REQUIRE(specs.size() == 1);
    CHECK(specs[0].tls_servers == g.tls_servers);
}

TEST_CASE("config: tls servers without CA file or pins use the system store", "[config][tls]") {
    Config c = config_ok("[[upstream]]\nservers = [\"tls://1.1.1.1#one.one.one.one\"]\n");
    const auto& auth = c.upstreams.at(0).tls_servers.at(0).second;
    CHECK(auth.ca_file.empty());
    CHECK(auth.pins.empty());
}

TEST_CASE("config: bad tls servers, pins and CA files are errors with their key", "[config][tls]") {
    auto errors = config_errors("[[upstream]]\nservers = [\"tls://dns.quad9.net\"]\n");
    CHECK(has_error(errors, "t.toml:2:12: upstream[0].servers[0]: invalid DNS over TLS server"));
    errors = config_errors("[[upstream]]\nservers = [\"tls://192.0.2.1#bad name\"]\n");
    CHECK(has_error(errors, "upstream[0].servers[0]: invalid authentication name"));
    errors = config_errors("[[upstream]]\nservers = [\"tls://192.0.2.1#\"]\n");
    CHECK(errors.empty());  // "#" alone: no name, the address is checked
    errors =
        config_errors("[[upstream]]\nservers = [\"tls://192.0.2.1\", \"tls://192.0.2.1:853#x.example\"]\n");
    CHECK(has_error(errors, "upstream[0].servers[1]: server 192.0.2.1:853 is listed twice"));
    errors = config_errors("[[upstream]]\nservers = [\"192.0.2.1:853\", \"tls://192.0.2.1\"]\n");
    CHECK(has_error(errors, "upstream[0].servers[1]: server 192.0.2.1:853 is listed twice"));
    errors = config_errors("[[upstream]]\nservers = [\"tls://192.0.2.1\"]\ntls_pin_sha256 = [\"abcd\"]\n");
    CHECK(has_error(errors, "upstream[0].tls_pin_sha256[0]: invalid pin \"abcd\""));
    errors = config_errors("[[upstream]]\nservers = [\"tls://192.0.2.1\"]\ntls_pin_sha256 = []\n");
    CHECK(has_error(errors, "upstream[0].tls_pin_sha256: is empty"));
    errors = config_errors("[[upstream]]\nservers = [\"tls://192.0.2.1\"]\ntls_ca_file = \"ca.pem\"\n");
    CHECK(has_error(errors, "upstream[0].tls_ca_file: must be an absolute path"));
    errors = config_errors(std::string("[[upstream]]\nservers = [\"192.0.2.1\"]\ntls_pin_sha256 = [\"") +
                           kPin + "\"]\n");
    CHECK(has_error(errors, "upstream[0].tls_pin_sha256: applies to DNS over TLS servers only"));
}

TEST_CASE("config: the DoT listener's keys", "[config][tls]") {
    Config c = config_ok(R"([dns]
tls_listen = ["192.168.1.1", "[::1]:8853"]
tls_certificate = "/etc/lanlord/cert.pem"
tls_key = "/etc/lanlord/key.pem"
)");
    REQUIRE(c.dns.tls_listen.size() == 2);
    CHECK(c.dns.tls_listen[0] == *Endpoint::parse("192.168.1.1", 853));
    CHECK(c.dns.tls_listen[1] == *Endpoint::parse("[::1]:8853", 853));
    CHECK(c.dns.tls_certificate == "/etc/lanlord/cert.pem");
    CHECK(c.dns.tls_key == "/etc/lanlord/key.pem");
    CHECK(config_ok("").dns.tls_listen.empty());

    auto errors = config_errors("[dns]\ntls_listen = [\"192.168.1.1\"]\n");
    CHECK(has_error(errors, "dns.tls_certificate: dns.tls_listen needs a certificate and its key"));
    CHECK(has_error(errors, "dns.tls_key: dns.tls_listen needs a certificate and its key"));
    errors = config_errors("[dns]\ntls_certificate = \"/etc/lanlord/cert.pem\"\n");
    CHECK(has_error(errors, "t.toml:2:19: dns.tls_certificate: has no effect without dns.tls_listen"));
    errors = config_errors(
        "[dns]\ntls_listen = [\"192.168.1.1\", \"192.168.1.1:853\", \"nope\"]\ntls_certificate = "
        "\"/c\"\ntls_key = "
        "\"/k\"\n");
    CHECK(has_error(errors, "dns.tls_listen[1]: duplicate listen address 192.168.1.1:853"));
    CHECK(has_error(errors, "dns.tls_listen[2]: invalid address \"nope\""));
}
