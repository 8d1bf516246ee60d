// Naming who holds port 53: /proc/net lines parsed, the advice for the usual
// holders. (The whole path, a real process holding a port, is in
// tests/system/test_systemd.py.)
#include <catch2/catch.hpp>

#include "common/io/port_owner.h"

namespace lanlord::io {

TEST_CASE("port owner: /proc/net/udp and tcp6 lines are read", "[io]") {
    // Captured from a Debian host with systemd-resolved (127.0.0.53:53, 127.0.0.54:53) and sshd.
    const char* udp =
        "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode "
        "ref "
        "pointer drops\n"
        " 1276: 3500007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000   991        0 18934 2 "
        "0000000000000000 0\n"
        " 1276: 3600007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000   991        0 18936 2 "
        "0000000000000000 0\n"
        "garbage line\n";
    auto s = parse_proc_net(udp, false, false);
    REQUIRE(s.size() == 2);
    CHECK(s[0].local.to_string() == "127.0.0.53");
    CHECK(s[0].port == 53);
    CHECK(s[0].inode == 18934);
    CHECK(s[0].listening);
    CHECK(s[1].local.to_string() == "127.0.0.54");

    const char* tcp6 =
        "  sl  local_address                         remote_address                        st tx_queue "
        "rx_queue "
        "tr tm->when retrnsmt   uid  timeout inode\n"
        "   0: 00000000000000000000000000000000:0016 00000000000000000000000000000000:0000 0A "
        "00000000:00000000 "
        "00:00000000 00000000     0        0 21022 1 0000000000000000 100 0 0 10 0\n"
        "   1: 0000000000000000FFFF00000100007F:0035 0000000000000000FFFF00000100007F:9C40 01 "
        "00000000:00000000 "
        "00:00000000 00000000     0        0 0 1 0000000000000000 20 4 30 10 -1\n";
    auto t = parse_proc_net(tcp6, true, true);
    REQUIRE(t.size() == 2);
    CHECK(t[0].local.to_string() == "::");
    CHECK(t[0].port == 22);
    CHECK(t[0].listening);
    CHECK(t[1].local.to_string() == "::ffff:127.0.0.1");
    CHECK_FALSE(t[1].listening);  // an established connection, not a listener
}

TEST_CASE("port owner: the advice names the change for the usual holders", "[io]") {
    CHECK(port_conflict_advice("systemd-resolve").find("DNSStubListener=no") != std::string::npos);
    CHECK(port_conflict_advice("dnsmasq").find("import-dnsmasq") != std::string::npos);
    CHECK(port_conflict_advice("pihole-FTL").find("pihole-FTL") != std::string::npos);
    CHECK(port_conflict_advice("python3").find("[dns] port") != std::string::npos);
}

}  // namespace lanlord::io
