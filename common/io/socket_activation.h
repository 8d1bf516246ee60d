// Sockets handed over by systemd (socket activation, sd_listen_fds(3)):
// contrib/lanlord.socket binds port 53 for lanlord, so the port is held while
// lanlord restarts and queries wait in the socket's buffer instead of being
// refused. Read once at start; LISTEN_* are unset so children never see them.
#pragma once

#include <string>
#include <vector>

#include "common/ip_address.h"

namespace lanlord::io {

struct InheritedSocket {
    int fd = -1;
    Endpoint local;  // getsockname
    bool tcp = false;
    std::string name;  // FileDescriptorName= of the socket unit ("" when none)
};

// The sockets passed to this process (none when not socket-activated). A
// socket that is neither an IPv4/IPv6 UDP socket nor a listening TCP one is
// reported in `ignored` and closed.
std::vector<InheritedSocket> inherited_sockets(std::vector<std::string>& ignored);

}  // namespace lanlord::io
