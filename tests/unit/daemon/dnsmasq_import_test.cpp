// lanlordctl import-dnsmasq: dnsmasq configurations (a Pi-hole style one, a
// home router's with several ranges and hosts, includes) become a
// lanlord.toml that loads and means the same; everything else is named with
// a reason. The Debian package's own example file is translated by the
// system test (tests/system/test_import.py), which has dnsmasq-base.
#include <catch2/catch.hpp>

#include <map>

#include "config/config.h"
#include "daemon/ctl/dnsmasq_import.h"
#include "dhcp/lease/journal_format.h"

namespace lanlord::ctl {
namespace {

struct Files {
    std::map<std::string, std::string> files;
    DnsmasqSources sources() {
        DnsmasqSources s;
        s.read = [this](const std::string& p) -> std::optional<std::string> {
            auto it = files.find(p);
            if (it == files.end()) return std::nullopt;
            return it->second;
        };
        s.list = [this](const std::string& dir) -> std::optional<std::vector<std::string>> {
            std::vector<std::string> out;
            for (const auto& [p, text] : files)
                if (p.rfind(dir + "/", 0) == 0) out.push_back(p);
            if (out.empty()) return std::nullopt;
            return out;
        };
        return s;
    }
};

Config load(const DnsmasqImport& r) {
    INFO(r.toml);
    ConfigResult c = load_config_text(r.toml, "imported.toml");
    for (const auto& e : c.errors) UNSCOPED_INFO(e.to_string());
    REQUIRE(c.errors.empty());
    return *c.config;
}

bool mentions(const std::vector<std::string>& v, const std::string& what) {
    for (const auto& s : v)
        if (s.find(what) != std::string::npos) return true;
    return false;
}

}  // namespace

TEST_CASE("import-dnsmasq: a home router with several ranges and hosts", "[import]") {
    Files f;
    f.files["/etc/dnsmasq.conf"] = R"(# home router
domain-needed
bogus-priv
no-resolv
server=9.9.9.9
server=149.112.112.112
server=/corp.example/10.8.0.1
server=/10.in-addr.arpa/10.8.0.1
local=/lan/
domain=lan
expand-hosts
interface=br-lan
cache-size=1000
dhcp-range=192.168.1.100,192.168.1.199,255.255.255.0,12h
dhcp-range=192.168.1.220,192.168.1.229,255.255.255.0,12h
dhcp-range=10.0.5.50,10.0.5.99,255.255.255.0,1h
dhcp-option=option:router,192.168.1.1
dhcp-option=6,192.168.1.1
dhcp-option=42,192.168.1.1
dhcp-host=02:00:00:00:00:07,192.168.1.50,printer
dhcp-host=02-00-00-00-00-08,nas,192.168.1.51,infinite
dhcp-host=id:01:02:00:00:00:00:09,192.168.1.52,tv
dhcp-host=02:00:00:00:00:0a,laptop
dhcp-host=02:00:00:00:00:0b,ignore
dhcp-authoritative
enable-tftp
tftp-root=/srv/tftp
log-queries
conf-dir=/etc/dnsmasq.d/,*.conf
)";
    f.files["/etc/dnsmasq.d/extra.conf"] = "address=/router.lan/192.168.1.1\naddress=/ads.example/\n";
    f.files["/etc/dnsmasq.d/README"] = "not a config\n";  // skipped: only *.conf
    DnsmasqImport r = import_dnsmasq("/etc/dnsmasq.conf", f.sources());
    CHECK(r.errors.empty());
    Config c = load(r);

    CHECK(c.dns.interfaces == std::vector<std::string>{"br-lan"});
    CHECK(c.dns.bogus_priv);
    CHECK(c.dns.domain_needed);
    CHECK(c.cache.size == 1000);
    CHECK(c.local.domain_text == "lan");
    CHECK(c.local.expand_hosts);
    REQUIRE(c.local.addresses.size() == 1);
    CHECK(c.local.addresses[0].addresses[0].to_string() == "192.168.1.1");
    // Groups: the two corp domains share a server, then the default.
    REQUIRE(c.upstreams.size() == 2);
    CHECK(c.upstreams[0].domains_text.size() == 2);
    CHECK(c.upstreams[0].servers.size() == 1);
    CHECK(c.upstreams[1].name == "default");
    CHECK(c.upstreams[1].servers.size() == 2);
    CHECK(c.upstreams[1].resolv_conf.empty());  // no-resolv

    const auto& dhcp = c.dhcp.server;
    REQUIRE(dhcp.subnets.size() == 2);  // two ranges in one /24, one in another
    const auto& lan =
        dhcp.subnets[1].subnet.to_string() == "192.168.1.0/24" ? dhcp.subnets[1] : dhcp.subnets[0];
    CHECK(lan.subnet.to_string() == "192.168.1.0/24");
    CHECK(lan.interface == "br-lan");
    CHECK(lan.pools.size() == 2);
    CHECK(lan.lease_time == 43200);
    CHECK(lan.authoritative);
    REQUIRE(lan.routers.size() == 1);
    CHECK(lan.routers[0].to_string() == "192.168.1.1");
    CHECK(lan.ntp_servers.size() == 1);
    CHECK(lan.domain_name == "lan");
    REQUIRE(dhcp.reservations.size() == 3);
    CHECK(dhcp.reservations[0].hostname == "printer");
    CHECK(dhcp.reservations[1].address.to_string() ==
          "192.168.1.51");  // MAC with dashes, fields in any order
    CHECK(dhcp.reservations[2].client_id.size() == 7);

    CHECK(mentions(r.skipped, "dhcp-host=02:00:00:00:00:0a,laptop: a name without an address"));
    CHECK(mentions(r.skipped, "ignore"));
    CHECK(mentions(r.skipped, "enable-tftp: lanlord has no TFTP"));
    CHECK(mentions(r.skipped, "log-queries"));
    CHECK(mentions(r.skipped, "a lease time per host"));
    CHECK(r.toml.find("#   ads.example") != std::string::npos);  // NXDOMAIN names: for a blocklist
    CHECK(r.toml.find("/etc/dnsmasq.d/extra.conf:1") == std::string::npos);  // translated, so not listed
    CHECK(r.toml.find("README") == std::string::npos);
}

TEST_CASE("import-dnsmasq: a Pi-hole style configuration", "[import]") {
    Files f;
    f.files["/etc/dnsmasq.conf"] = "conf-dir=/etc/dnsmasq.d\n";
    f.files["/etc/dnsmasq.d/01-pihole.conf"] = R"(addn-hosts=/etc/pihole/local.list
addn-hosts=/etc/pihole/custom.list
localise-queries
no-resolv
log-queries
log-facility=/var/log/pihole/pihole.log
log-async
cache-size=10000
server=127.0.0.1#5335
domain-needed
expand-hosts
bogus-priv
dnssec
trust-anchor=.,20326,8,2,E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D
interface=eth0
except-interface=nonexisting
)";
    f.files["/etc/dnsmasq.d/02-pihole-dhcp.conf"] = R"(dhcp-authoritative
dhcp-range=192.168.0.201,192.168.0.251,255.255.255.0,24h
dhcp-option=option:router,192.168.0.1
dhcp-leasefile=/etc/pihole/dhcp.leases
domain=lan
dhcp-rapid-commit
)";
    f.files["/etc/dnsmasq.d/.hidden"] = "port=9999\n";
    f.files["/etc/dnsmasq.d/old.conf~"] = "port=9998\n";
    DnsmasqImport r = import_dnsmasq("/etc/dnsmasq.conf", f.sources());
    CHECK(r.errors.empty());
    Config c = load(r);
    CHECK(c.dns.port == 53);  // the hidden file and the backup are not read, as dnsmasq skips them
    CHECK(c.local.hosts ==
          std::vector<std::string>{"/etc/hosts", "/etc/pihole/local.list", "/etc/pihole/custom.list"});
    REQUIRE(c.upstreams.size() == 1);
    REQUIRE(c.upstreams[0].servers.size() == 1);
    CHECK(c.upstreams[0].servers[0].to_string() == "127.0.0.1:5335");  // unbound beside Pi-hole
    CHECK(c.dnssec.validate_forwarded);
    CHECK(c.dhcp.server.subnets.size() == 1);
    CHECK(c.dhcp.server.subnets[0].lease_time == 86400);
    CHECK(c.dhcp.server.subnets[0].interface == "eth0");
    CHECK(mentions(r.skipped, "localise-queries: no equivalent"));
    CHECK(mentions(r.skipped, "--leases /etc/pihole/dhcp.leases"));
    CHECK(mentions(r.skipped, "trust-anchor"));
}

TEST_CASE("import-dnsmasq: dnsmasq's defaults are written where lanlord's differ", "[import]") {
    Files f;
    f.files["/c"] = "server=192.0.2.1\n";
    DnsmasqImport r = import_dnsmasq("/c", f.sources());
    Config c = load(r);
    CHECK_FALSE(c.dns.bogus_priv);
    CHECK_FALSE(c.dns.domain_needed);
    CHECK(c.upstreams[0].resolv_conf == "/etc/resolv.conf");  // dnsmasq reads it unless no-resolv
    CHECK(c.upstreams[0].servers.size() == 1);
    CHECK(r.toml.find("listens on loopback unless told") != std::string::npos);
}

TEST_CASE("import-dnsmasq: hostile and broken input gives comments, never a broken file", "[import]") {
    Files f;
    f.files["/c"] =
        "conf-file=/c\n"        // includes itself
        "conf-file=/missing\n"  // unreadable
        "server=not-an-address\n"
        "dhcp-range=tag:guest,10.0.0.10,10.0.0.20\n"
        "dhcp-range=1234::2,1234::500,64,12h\n"
        "dhcp-range=10.1.0.10,10.1.0.20,255.0.255.0\n"
        "dhcp-host=02:00:00:00:00:01,10.1.0.5,\"quoted\\\"name\n"
        "domain=\"evil\nnewline\n"
        "address=/x\"y.example/192.0.2.1\n"
        "cache-size=lots\n"
        "dhcp-option=tag:green,3,10.0.0.1\n"
        "dhcp-option=3,0.0.0.0\n"
        "dhcp-option=26,1500\n"
        "some-future-option=1\n";
    DnsmasqImport r = import_dnsmasq("/c", f.sources());
    CHECK(r.errors.size() == 2);
    // Whatever the values, the result parses (strings escaped, comments one line each).
    ConfigResult c = load_config_text(r.toml, "imported.toml");
    INFO(r.toml);
    for (const auto& e : c.errors) UNSCOPED_INFO(e.to_string());
    CHECK(mentions(r.skipped, "not an address"));
    CHECK(mentions(r.skipped, "tagged clients only"));
    CHECK(mentions(r.skipped, "DHCPv4 only"));
    CHECK(mentions(r.skipped, "not contiguous"));
    CHECK(mentions(r.skipped, "not a number"));
    CHECK(mentions(r.skipped, "some-future-option=1: no equivalent"));
    CHECK(mentions(r.skipped, "width"));
}

TEST_CASE("import-dnsmasq: a lease file becomes journal lines that replay to the same leases", "[import]") {
    const std::int64_t now = 1800000000;
    std::string leases =
        "1800003600 02:00:00:00:00:01 192.168.1.101 phone 01:02:00:00:00:00:01\n"
        "1800007200 02:00:00:00:00:02 192.168.1.102 * *\n"
        "0 02:00:00:00:00:03 192.168.1.103 nas *\n"
        "1700000000 02:00:00:00:00:04 192.168.1.104 old *\n"
        "1800003600 1234 2001:db8::5 v6host 00:01:00:01\n"
        "duid 00:01:00:01:2a:2b:2c:2d:02:00:00:00:00:99\n"
        "garbage\n";
    LeaseImport l = import_dnsmasq_leases(leases, now);
    CHECK(l.leases == 3);
    CHECK(l.skipped.size() == 4);
    auto replay = dhcp::replay_journal(l.journal);
    CHECK(replay.bad_lines == 0);
    REQUIRE(replay.leases.size() == 3);
    const auto& phone = replay.leases.at(*IpAddress::parse("192.168.1.101"));
    CHECK(phone.hostname == "phone");
    CHECK(phone.expires == 1800003600);
    CHECK(phone.client_id == std::vector<std::uint8_t>{1, 2, 0, 0, 0, 0, 1});
    const auto& anonymous = replay.leases.at(*IpAddress::parse("192.168.1.102"));
    CHECK(anonymous.hostname.empty());
    CHECK(anonymous.client_id ==
          std::vector<std::uint8_t>{1, 2, 0, 0, 0, 0, 2});  // htype 1 + MAC, as the server keys it
    CHECK(replay.leases.at(*IpAddress::parse("192.168.1.103")).expires == now + 365 * 86400);
}

}  // namespace lanlord::ctl
