/* LD_PRELOAD shim for system tests of the interface monitor's fault paths
 * (common/io/interface_monitor). It acts only on the netlink socket bound to
 * multicast groups (the monitor's; getifaddrs binds none), as
 * LANLORD_TEST_NETLINK says:
 *   bind     bind() fails with EPERM: a sandbox without netlink events
 *   recv     the first recvmsg() fails with EIO: the socket broke
 *   enobufs  every recvmsg() takes the datagram and reports ENOBUFS instead:
 *            events lost to an overflowing queue, only the error is seen */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <linux/netlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static int monitor_fd = -1;

static const char* mode(void) {
    const char* m = getenv("LANLORD_TEST_NETLINK");
    return m ? m : "";
}

int bind(int fd, const struct sockaddr* addr, socklen_t len) {
    static int (*real)(int, const struct sockaddr*, socklen_t);
    if (!real) real = (int (*)(int, const struct sockaddr*, socklen_t))dlsym(RTLD_NEXT, "bind");
    if (addr && len >= sizeof(struct sockaddr_nl) && addr->sa_family == AF_NETLINK &&
        ((const struct sockaddr_nl*)addr)->nl_groups != 0) {
        if (strcmp(mode(), "bind") == 0) {
            errno = EPERM;
            return -1;
        }
        monitor_fd = fd;
    }
    return real(fd, addr, len);
}

ssize_t recvmsg(int fd, struct msghdr* msg, int flags) {
    static ssize_t (*real)(int, struct msghdr*, int);
    static int failed;
    if (!real) real = (ssize_t(*)(int, struct msghdr*, int))dlsym(RTLD_NEXT, "recvmsg");
    if (fd != monitor_fd || monitor_fd < 0) return real(fd, msg, flags);
    if (strcmp(mode(), "recv") == 0 && !failed) {
        failed = 1;
        errno = EIO;
        return -1;
    }
    if (strcmp(mode(), "enobufs") == 0) {
        ssize_t n = real(fd, msg, flags);
        if (n < 0) return n; /* EAGAIN: the queue is empty */
        errno = ENOBUFS;
        return -1;
    }
    return real(fd, msg, flags);
}
