#include "common/io/socket_activation.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace lanlord::io {

std::vector<InheritedSocket> inherited_sockets(std::vector<std::string>& ignored) {
    std::vector<InheritedSocket> out;
    char** names = nullptr;
    int n = sd_listen_fds_with_names(1, &names);  // 1: unset LISTEN_FDS, LISTEN_PID, LISTEN_FDNAMES
    for (int i = 0; i < n; ++i) {
        int fd = SD_LISTEN_FDS_START + i;
        InheritedSocket s;
        s.fd = fd;
        s.name = names && names[i] ? names[i] : "";
        sockaddr_storage ss{};
        socklen_t len = sizeof ss;
        int type = 0;
        socklen_t type_len = sizeof type;
        bool ok = ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) == 0 &&
                  (ss.ss_family == AF_INET || ss.ss_family == AF_INET6) &&
                  ::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &type_len) == 0;
        if (ok && type == SOCK_STREAM) {
            int listening = 0;
            socklen_t l = sizeof listening;
            ok = ::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &l) == 0 && listening;
            s.tcp = true;
        } else if (ok) {
            ok = type == SOCK_DGRAM;
        }
        if (ok) s.local = Endpoint::from_sockaddr(reinterpret_cast<const sockaddr*>(&ss));
        if (!ok) {
            ignored.push_back("fd " + std::to_string(fd) + (s.name.empty() ? "" : " (" + s.name + ")") +
                              ": not a UDP or listening TCP socket of IPv4/IPv6");
            ::close(fd);
        } else {
            out.push_back(s);
        }
        if (names) std::free(names[i]);
    }
    std::free(names);
    return out;
}

}  // namespace lanlord::io
