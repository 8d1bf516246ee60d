// Who holds a port lanlord cannot bind (issue 16: "port 53 conflicts
// explained, not suffered"). The kernel lists sockets in /proc/net/{udp,tcp}6?
// with their inode; /proc/PID/fd links name the process holding that inode.
// The usual culprit on Debian/Ubuntu is systemd-resolved's stub listener on
// 127.0.0.53:53 (and 127.0.0.54:53), then dnsmasq, unbound, named, Pi-hole's
// pihole-FTL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ip_address.h"

namespace lanlord::io {

struct ProcSocket {
    IpAddress local;
    std::uint16_t port = 0;
    std::uint64_t inode = 0;
    bool listening = false;  // TCP: state LISTEN; UDP: always
};

// The lines of /proc/net/udp, udp6, tcp or tcp6 (pure; `v6` for the *6 files).
std::vector<ProcSocket> parse_proc_net(std::string_view text, bool v6, bool tcp);

// "systemd-resolved (pid 512) holds 127.0.0.53:53/udp", or "" when nothing
// bound to that port and address (or the wildcard) could be found, or no
// process could be named (another user's, without the rights to look).
std::string port_owner(const Endpoint& endpoint);

// What to do about it, for the processes known to take port 53 (pure).
std::string port_conflict_advice(std::string_view process_name);

}  // namespace lanlord::io
