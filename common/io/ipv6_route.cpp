#include "common/io/ipv6_route.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace lanlord::io {

bool ipv6_routable() {
    int fd = ::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_in6 sa{};
    sa.sin6_family = AF_INET6;
    sa.sin6_port = htons(53);
    // a.root-servers.net: any global unicast address would do.
    ::inet_pton(AF_INET6, "2001:503:ba3e::2:30", &sa.sin6_addr);
    bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) == 0;
    ::close(fd);
    return ok;
}

}  // namespace lanlord::io
