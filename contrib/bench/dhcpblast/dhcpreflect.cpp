// dhcpreflect - the fastest possible "DHCP server" for measuring dhcpblast itself (not a server:
// no leases, no pools). Bound to ADDR:67, it answers every DISCOVER with an OFFER and every
// REQUEST with an ACK for the requested address, to giaddr:67 (or the sender), in batches.
//
//   dhcpreflect ADDR [--skip-discover N] [--skip-request N]
//
// --skip-discover N / --skip-request N leave every Nth DISCOVER / REQUEST unanswered, so a test
// knows exactly how many drops the generator must report. Runs until SIGINT/SIGTERM and then
// prints "discovers D requests R answered A skipped S" on stderr.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

constexpr unsigned kBatch = 256;
constexpr size_t kBufLen = 2048;
volatile sig_atomic_t g_stop = 0;

uint8_t buf[kBatch][kBufLen];
iovec iov[kBatch];
mmsghdr in[kBatch], out[kBatch];
sockaddr_in from[kBatch], to[kBatch];

// Rewrites the request in `p` into its reply; returns the reply's length, or 0 for no reply.
size_t reply(uint8_t* p, size_t len, in_addr self, uint8_t* type_out) {
    if (len < 244 || p[0] != 1 || memcmp(p + 236, "\x63\x82\x53\x63", 4) != 0) return 0;
    uint8_t type = 0;
    uint8_t requested[4] = {0, 0, 0, 0};
    for (size_t i = 240; i + 1 < len && p[i] != 255;) {
        if (p[i] == 0) {
            ++i;
            continue;
        }
        size_t olen = p[i + 1];
        if (i + 2 + olen > len) break;
        if (p[i] == 53 && olen == 1) type = p[i + 2];
        if (p[i] == 50 && olen == 4) memcpy(requested, p + i + 2, 4);
        i += 2 + olen;
    }
    *type_out = type;
    if (type != 1 && type != 3) return 0;
    p[0] = 2;
    if (type == 1) {  // 10.<chaddr[3..5]>: distinct for distinct chaddr tails
        uint8_t a[4] = {10, p[28 + 3], p[28 + 4], p[28 + 5]};
        memcpy(p + 16, a, 4);
    } else {
        memcpy(p + 16, requested, 4);
    }
    uint8_t* o = p + 240;
    *o++ = 53, *o++ = 1, *o++ = type == 1 ? 2 : 5;
    *o++ = 54, *o++ = 4, memcpy(o, &self.s_addr, 4), o += 4;
    *o++ = 51, *o++ = 4, *o++ = 0, *o++ = 0, *o++ = 0x0e, *o++ = 0x10;  // 3600 s
    *o++ = 1, *o++ = 4, *o++ = 255, *o++ = 0, *o++ = 0, *o++ = 0;
    *o++ = 255;
    size_t n = size_t(o - p);
    if (n < 300) {
        memset(o, 0, 300 - n);
        n = 300;
    }
    return n;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fprintf(stderr, "usage: dhcpreflect ADDR [--skip-discover N] [--skip-request N]\n");
        return argc < 2 ? 2 : 0;
    }
    unsigned long skip_discover = 0, skip_request = 0;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--skip-discover"))
            skip_discover = strtoul(argv[i + 1], nullptr, 10);
        else if (!strcmp(argv[i], "--skip-request"))
            skip_request = strtoul(argv[i + 1], nullptr, 10);
        else {
            fprintf(stderr, "dhcpreflect: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    sockaddr_in me{};
    me.sin_family = AF_INET;
    me.sin_port = htons(67);
    if (inet_pton(AF_INET, argv[1], &me.sin_addr) != 1) {
        fprintf(stderr, "dhcpreflect: bad address\n");
        return 2;
    }
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int one = 1, size = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size);
    if (bind(fd, reinterpret_cast<sockaddr*>(&me), sizeof me) < 0) {
        perror("dhcpreflect: bind");
        return 1;
    }
    struct sigaction sa {};
    sa.sa_handler = [](int) { g_stop = 1; };  // no SA_RESTART: recvmmsg returns EINTR
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    for (unsigned i = 0; i < kBatch; ++i) {
        iov[i] = {buf[i], kBufLen};
        in[i].msg_hdr.msg_iov = &iov[i];
        in[i].msg_hdr.msg_iovlen = 1;
        in[i].msg_hdr.msg_name = &from[i];
        out[i].msg_hdr.msg_name = &to[i];
        out[i].msg_hdr.msg_namelen = sizeof(sockaddr_in);
    }
    unsigned long long discovers = 0, requests = 0, answered = 0, skipped = 0;
    iovec out_iov[kBatch];
    while (!g_stop) {
        for (unsigned i = 0; i < kBatch; ++i) {
            in[i].msg_hdr.msg_namelen = sizeof(sockaddr_in);
            iov[i].iov_len = kBufLen;
        }
        int r = recvmmsg(fd, in, kBatch, MSG_WAITFORONE, nullptr);  // blocks for the first only
        if (r <= 0) continue;
        unsigned n = 0;
        for (int i = 0; i < r; ++i) {
            uint8_t type = 0;
            size_t len = reply(buf[i], in[i].msg_len, me.sin_addr, &type);
            if (!len) continue;
            unsigned long long k = type == 1 ? ++discovers : ++requests;
            unsigned long every = type == 1 ? skip_discover : skip_request;
            if (every && k % every == 0) {
                ++skipped;
                continue;
            }
            to[n] = from[i];
            uint32_t giaddr;
            memcpy(&giaddr, buf[i] + 24, 4);
            if (giaddr) to[n].sin_addr.s_addr = giaddr, to[n].sin_port = htons(67);
            out_iov[n] = {buf[i], len};
            out[n].msg_hdr.msg_iov = &out_iov[n];
            out[n].msg_hdr.msg_iovlen = 1;
            ++n;
        }
        for (unsigned done = 0; done < n;) {
            int s = sendmmsg(fd, out + done, n - done, 0);
            if (s < 0 && errno == EINTR) continue;
            if (s <= 0) break;  // a full buffer: the rest is lost, as a server's would be
            done += unsigned(s);
            answered += unsigned(s);
        }
    }
    fprintf(stderr, "discovers %llu requests %llu answered %llu skipped %llu\n", discovers, requests,
            answered, skipped);
    return 0;
}
