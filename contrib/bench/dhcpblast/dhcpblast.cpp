// dhcpblast - a single-threaded DHCPv4 load generator that stands in for ISC perfdhcp.
//
// It accepts the part of perfdhcp's command line that ../shared/bench/dhcp/load.sh uses and prints
// its statistics in perfdhcp's format, so load.sh runs it unchanged (put a symlink named perfdhcp
// first on PATH). It acts as a relay agent like `perfdhcp -l ADDR`: bound to ADDR:67, giaddr=ADDR,
// hops=1, DISCOVER/REQUEST sent to SERVER:67, OFFER/ACK received on ADDR:67.
//
// Why: perfdhcp saturates near 18,000 DORA/s on one core here; this sends and receives in batches
// (sendmmsg/recvmmsg) from one nonblocking socket and keeps every exchange in a table preallocated
// at start and indexed by xid, so it costs little more than the kernel's own UDP path.
//
// Semantics copied from perfdhcp 2.2 (see --help): sent/received/drops per exchange (drops = sent -
// received), a reply later than the drop time (-d) or matching nothing is an orphan, -W waits for
// outstanding replies after the send period, exit status 3 when any exchange was dropped.
// One deliberate difference: the -W wait ends as soon as nothing is outstanding (every exchange
// answered or older than -d), where perfdhcp would sit out the whole -W; counts are the same.
//
// POSIX/Linux only, no dependencies.

#include <arpa/inet.h>
#include <getopt.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

namespace {

constexpr int kExitOk = 0, kExitError = 1, kExitUsage = 2, kExitDrops = 3;
constexpr uint8_t kDiscover = 1, kOffer = 2, kRequest = 3, kAck = 5, kNak = 6;
constexpr size_t kPacketLen = 300;  // BOOTP minimum; options are padded to it
constexpr size_t kBatch = 256;      // messages per sendmmsg/recvmmsg
constexpr size_t kRecvBufLen = 2048;
constexpr int64_t kTickNs = 100'000;  // send at most every 100 us (small bursts, not 1 s ones)
constexpr uint32_t kMagic = 0x63825363;

volatile sig_atomic_t g_interrupted = 0;

int64_t now_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

const char kHelp[] =
    R"(dhcpblast [-4] [-l addr|iface] [-r rate] [-R num-clients] [-p test-period] [-d drop-time]
          [-W exit-wait-time] [-t report] [-i] [-n num-request] [-s seed] [-B] server

A fast DHCPv4 load generator with perfdhcp's options for the relayed "basic" scenario and perfdhcp
2.2's report format. Single thread, one UDP socket. A relay agent: bound to <addr>:67, it sends
DISCOVERs (options 53, 55) with giaddr = <addr>, hops = 1 to <server>:67, answers each OFFER with
a REQUEST (53, 50 = yiaddr, 54 = the OFFER's server identifier, same xid) and waits for the ACK.
Every exchange has its own xid; chaddr is one of <num-clients>, in a pseudo-random order without
repeats until all were used.

-4               DHCPv4 (the only mode).
-l <addr|iface>  Local address, or an interface's IPv4 address (default: the source address the
                 kernel picks for <server>).
-r <rate>        Start <rate> exchanges (DISCOVERs) per second, paced on the monotonic clock in
                 bursts every 100 us. Without -r: as fast as the exchange table allows.
-R <n>           Distinct client hardware addresses (default 1).
-p <seconds>     Send for this long: ceil(rate * seconds) DISCOVERs.
-n <n>           Send at most <n> DISCOVERs (with -p: whichever limit comes first).
-d <seconds>     Drop time (default 1): a later reply is an orphan and its exchange a drop.
-W <us>          Then wait up to <us> microseconds for outstanding replies (REQUESTs are still
                 sent for OFFERs); ends early once nothing is outstanding. Default 0.
-t <seconds>     Print "sent: ...; received: ...; drops: ..." this often.
-i               DISCOVER-OFFER only.     -s <seed>  Seed for xids and chaddrs.
-B               Set the broadcast flag.  -h, --help  This text.  -v  Version.

Per exchange: sent and received packets, drops (sent - received), drops ratio, orphans (replies
matching no outstanding exchange: unknown or repeated xid, wrong type or chaddr, later than -d,
NAK; malformed ones - short, op != 2, bad magic cookie - also count under "Malformed packets"),
min/avg/max delay and standard deviation. "Rate": completed exchanges per second of the run.
Exit status: 0 success, 1 error, 2 bad command line, 3 an exchange was not completed (perfdhcp's).
)";

struct Options {
    std::string local, server;
    double rate = 0, period = 0, drop_time = 1.0;
    uint64_t clients = 1, num_request = 0, wait_us = 0, seed = 0;
    int report = 0;
    bool two_way = false, broadcast = false, have_seed = false;
};

[[noreturn]] void usage_error(const char* fmt, const char* arg) {
    fprintf(stderr, "dhcpblast: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'dhcpblast --help'.\n");
    exit(kExitUsage);
}

double parse_double(const char* s, const char* what) {
    char* end;
    double v = (errno = 0, strtod(s, &end));
    if (errno || end == s || *end || !(v >= 0) || std::isinf(v)) usage_error("bad %s", what);
    return v;
}

uint64_t parse_u64(const char* s, const char* what) {
    char* end;
    unsigned long long v = (errno = 0, strtoull(s, &end, 10));
    if (errno || end == s || *end || *s == '-') usage_error("bad %s", what);
    return v;
}

Options parse_args(int argc, char** argv) {
    Options o;
    static const option longopts[] = {{"help", no_argument, nullptr, 'h'}, {nullptr, 0, nullptr, 0}};
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "46l:r:R:p:d:W:t:in:s:Bhv", longopts, nullptr)) != -1) {
        switch (c) {
            case '4':
                break;
            case '6':
                usage_error("%s", "-6 (DHCPv6) is not supported");
            case 'l':
                o.local = optarg;
                break;
            case 'r':
                o.rate = parse_double(optarg, "rate (-r)");
                break;
            case 'R':
                o.clients = parse_u64(optarg, "number of clients (-R)");
                break;
            case 'p':
                o.period = parse_double(optarg, "test period (-p)");
                break;
            case 'd':
                o.drop_time = parse_double(optarg, "drop time (-d)");
                break;
            case 'W':
                o.wait_us = parse_u64(optarg, "exit wait time (-W)");
                break;
            case 't':
                o.report = int(parse_u64(optarg, "report interval (-t)"));
                break;
            case 'i':
                o.two_way = true;
                break;
            case 'n':
                o.num_request = parse_u64(optarg, "number of requests (-n)");
                break;
            case 's':
                o.seed = parse_u64(optarg, "seed (-s)");
                o.have_seed = true;
                break;
            case 'B':
                o.broadcast = true;
                break;
            case 'h':
                fputs(kHelp, stdout);
                exit(kExitOk);
            case 'v':
                puts("dhcpblast 1 (perfdhcp 2.2 compatible output)");
                exit(kExitOk);
            default: {
                std::string bad = optopt ? std::string("-") + char(optopt) : std::string(argv[optind - 1]);
                usage_error("unsupported or incomplete option %s", bad.c_str());
            }
        }
    }
    if (optind != argc - 1) usage_error("%s", "exactly one server address expected");
    o.server = argv[optind];
    if (o.clients == 0 || o.clients > UINT32_MAX) usage_error("%s", "-R must be 1..4294967295");
    if (o.drop_time <= 0) usage_error("%s", "-d must be > 0");
    return o;
}

in_addr resolve_local(const Options& o, sockaddr_in server) {
    in_addr a{};
    if (o.local.empty()) {  // the source address the kernel picks for the server
        int s = socket(AF_INET, SOCK_DGRAM, 0);
        socklen_t len = sizeof server;
        if (s < 0 || connect(s, reinterpret_cast<sockaddr*>(&server), sizeof server) < 0 ||
            getsockname(s, reinterpret_cast<sockaddr*>(&server), &len) < 0) {
            fprintf(stderr, "dhcpblast: no route to %s: %s\n", o.server.c_str(), strerror(errno));
            exit(kExitError);
        }
        close(s);
        return server.sin_addr;
    }
    if (inet_pton(AF_INET, o.local.c_str(), &a) == 1) return a;
    ifaddrs* list = nullptr;
    for (ifaddrs* i = getifaddrs(&list) == 0 ? list : nullptr; i && !a.s_addr; i = i->ifa_next)
        if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET && o.local == i->ifa_name)
            a = reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr;
    if (list) freeifaddrs(list);
    if (!a.s_addr) usage_error("-l %s: neither an IPv4 address nor an interface with one", o.local.c_str());
    return a;
}

uint64_t gcd(uint64_t a, uint64_t b) {
    return b ? gcd(b, a % b) : a;
}

uint64_t splitmix(uint64_t& x) {
    uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// One exchange; the table slot is xid & mask.
enum State : uint8_t { kFree, kWaitOffer, kRequestQueued, kWaitAck, kDone, kDead };
struct Exchange {
    uint32_t xid, client;
    uint32_t yiaddr, server_id;  // network order
    int64_t t_discover, t_request;
    State state;
};

struct Stats {
    uint64_t sent = 0, received = 0, orphans = 0, late = 0, send_errors = 0, naks = 0;
    double sum = 0, sumsq = 0, min = INFINITY, max = 0;  // delays in ms
    void delay(int64_t ns) {
        double ms = double(ns) / 1e6;
        sum += ms, sumsq += ms * ms, min = std::min(min, ms), max = std::max(max, ms);
    }
};

void put16(uint8_t* p, uint16_t v) {
    p[0] = uint8_t(v >> 8);
    p[1] = uint8_t(v);
}
void put32(uint8_t* p, uint32_t v) {
    put16(p, uint16_t(v >> 16));
    put16(p + 2, uint16_t(v));
}
uint32_t get32(const uint8_t* p) {
    return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}

// Offsets in the templates.
constexpr size_t kOffXid = 4, kOffChaddr = 28, kOffOptions = 240;
constexpr size_t kOffReqIp = kOffOptions + 3 + 2, kOffSrvId = kOffReqIp + 4 + 2;

class Blaster {
  public:
    Blaster(const Options& o, int fd, in_addr local, sockaddr_in server) : o_(o), fd_(fd), server_(server) {
        uint64_t seed = o.seed;
        if (!o.have_seed && getrandom(&seed, sizeof seed, 0) != sizeof seed)
            seed = uint64_t(now_ns()) ^ getpid();
        xid_base_ = uint32_t(splitmix(seed));
        mac_tag_ = uint8_t(splitmix(seed));
        client_off_ = splitmix(seed) % o.clients;
        client_step_ = 1;
        if (o.clients > 2) {  // a step coprime to R visits every client once per R exchanges
            client_step_ = splitmix(seed) % o.clients;
            while (client_step_ < 2 || gcd(client_step_, o.clients) != 1)
                client_step_ = (client_step_ + 1) % o.clients;
        }
        // Outstanding exchanges live at most 2 drop times (DISCOVER, then REQUEST); room for twice that.
        double need = o.rate > 0 ? o.rate * (2 * o.drop_time + 0.2) * 2 : 65536;
        size_t size = 1024;
        while (size < need && size < (size_t(1) << 23)) size <<= 1;
        table_.assign(size, Exchange{});
        mask_ = uint32_t(size - 1);
        build_templates(local);
        for (size_t i = 0; i < kBatch; ++i) {
            out_iov_[i] = {out_buf_[i], kPacketLen};
            out_msg_[i].msg_hdr = msghdr{&server_, sizeof server_, &out_iov_[i], 1, nullptr, 0, 0};
            in_iov_[i] = {in_buf_[i], kRecvBufLen};
            in_msg_[i].msg_hdr = msghdr{&in_from_[i], sizeof in_from_[i], &in_iov_[i], 1, nullptr, 0, 0};
        }
        req_queue_.assign(size, 0);
    }

    int run();

  private:
    void build_templates(in_addr local) {
        for (uint8_t* t : {discover_, request_}) {
            memset(t, 0, kPacketLen);
            t[0] = 1, t[1] = 1, t[2] = 6;  // BOOTREQUEST, Ethernet, 6-byte chaddr
            t[3] = 1;                      // hops: one relay (us)
            if (o_.broadcast) put16(t + 10, 0x8000);
            memcpy(t + 24, &local.s_addr, 4);  // giaddr
            put32(t + 236, kMagic);
        }
        static const uint8_t prl[] = {55, 6, 1, 3, 6, 15, 51, 54};
        uint8_t* p = discover_ + kOffOptions;
        *p++ = 53, *p++ = 1, *p++ = kDiscover;
        memcpy(p, prl, sizeof prl), p += sizeof prl;
        *p = 255;
        p = request_ + kOffOptions;
        *p++ = 53, *p++ = 1, *p++ = kRequest;
        *p++ = 50, *p++ = 4, p += 4;  // requested address (kOffReqIp)
        *p++ = 54, *p++ = 4, p += 4;  // server identifier (kOffSrvId)
        memcpy(p, prl, sizeof prl), p += sizeof prl;
        *p = 255;
    }

    uint32_t client_of(uint64_t seq) const {
        return uint32_t(((seq % o_.clients) * client_step_ + client_off_) % o_.clients);
    }
    void put_chaddr(uint8_t* pkt, uint32_t client) const {
        pkt[kOffChaddr] = 0x02;  // locally administered
        pkt[kOffChaddr + 1] = mac_tag_;
        put32(pkt + kOffChaddr + 2, client);
    }
    bool busy(const Exchange& e, int64_t now) const {
        if (e.state == kRequestQueued) return true;
        if (e.state == kWaitOffer) return now - e.t_discover <= drop_ns_;
        if (e.state == kWaitAck) return now - e.t_request <= drop_ns_;
        return false;
    }

    size_t send_batch(size_t n, Stats& st);
    void send_discovers(uint64_t due, int64_t now);
    void flush_requests();
    void receive(int64_t now);
    void handle(const uint8_t* p, size_t len, const sockaddr_in& from, int64_t now);
    bool outstanding(int64_t now) const {
        bool do_open = do_.sent > do_.received && now - last_discover_ <= drop_ns_;
        bool ra_open = ra_.sent > ra_.received && now - last_request_ <= drop_ns_;
        return do_open || ra_open || req_len_ > 0;
    }
    void periodic_report() const;
    void final_report(int64_t elapsed) const;

    const Options& o_;
    int fd_;
    sockaddr_in server_;
    int64_t drop_ns_ = 0;
    uint32_t xid_base_ = 0, mask_ = 0;
    uint8_t mac_tag_ = 0;
    uint64_t client_off_ = 0, client_step_ = 1;
    std::vector<Exchange> table_;
    std::vector<uint32_t> req_queue_;  // slots whose REQUEST is due, a ring
    size_t req_head_ = 0, req_len_ = 0;
    uint64_t seq_ = 0, malformed_ = 0, stalls_ = 0;
    int64_t last_discover_ = 0, last_request_ = 0;
    Stats do_, ra_;
    uint8_t discover_[kPacketLen], request_[kPacketLen];
    alignas(64) uint8_t out_buf_[kBatch][kPacketLen];
    iovec out_iov_[kBatch];
    mmsghdr out_msg_[kBatch];
    alignas(64) uint8_t in_buf_[kBatch][kRecvBufLen];
    iovec in_iov_[kBatch];
    mmsghdr in_msg_[kBatch];
    sockaddr_in in_from_[kBatch];
};

// Sends out_msg_[0..n); returns how many left the socket. A hard error on one message skips it
// (counted as sent: the exchange was started and will be a drop); a full socket buffer stops.
size_t Blaster::send_batch(size_t n, Stats& st) {
    size_t done = 0;
    while (done < n) {
        int r = sendmmsg(fd_, out_msg_ + done, unsigned(n - done), 0);
        if (r > 0 || (r < 0 && errno == EINTR)) {
            done += size_t(std::max(r, 0));
            continue;
        }
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)) break;
        ++st.send_errors;
        ++done;
    }
    return done;
}

void Blaster::send_discovers(uint64_t due, int64_t now) {
    while (due > 0) {
        size_t n = 0;
        while (n < kBatch && n < due) {
            uint32_t xid = xid_base_ + uint32_t(seq_ + n);
            Exchange& e = table_[xid & mask_];
            if (busy(e, now)) {  // table full of live exchanges: wait (only without -r or at huge -d)
                ++stalls_;
                due = n;
                break;
            }
            uint8_t* pkt = out_buf_[n];
            memcpy(pkt, discover_, kPacketLen);
            put32(pkt + kOffXid, xid);
            put_chaddr(pkt, client_of(seq_ + n));
            ++n;
        }
        if (n == 0) return;
        int64_t t = now_ns();  // delays are measured from just before the send
        size_t sent = send_batch(n, do_);
        for (size_t i = 0; i < sent; ++i) {
            uint32_t xid = xid_base_ + uint32_t(seq_);
            Exchange& e = table_[xid & mask_];
            e.xid = xid;
            e.client = client_of(seq_);
            e.state = kWaitOffer;
            e.t_discover = t;
            ++seq_;
        }
        do_.sent += sent;
        if (sent) last_discover_ = t;
        if (sent < n) return;  // socket buffer full; the rest is still due next time
        due -= n;
    }
}

void Blaster::flush_requests() {
    while (req_len_ > 0) {
        size_t n = req_len_ < kBatch ? req_len_ : kBatch;
        for (size_t i = 0; i < n; ++i) {
            const Exchange& e = table_[req_queue_[(req_head_ + i) & mask_]];
            uint8_t* pkt = out_buf_[i];
            memcpy(pkt, request_, kPacketLen);
            put32(pkt + kOffXid, e.xid);
            put_chaddr(pkt, e.client);
            memcpy(pkt + kOffReqIp, &e.yiaddr, 4);
            memcpy(pkt + kOffSrvId, &e.server_id, 4);
        }
        int64_t t = now_ns();
        size_t sent = send_batch(n, ra_);
        for (size_t i = 0; i < sent; ++i) {
            Exchange& e = table_[req_queue_[(req_head_ + i) & mask_]];
            e.state = kWaitAck;
            e.t_request = t;
        }
        ra_.sent += sent;
        if (sent) last_request_ = t;
        req_head_ = (req_head_ + sent) & mask_;
        req_len_ -= sent;
        if (sent < n) return;
    }
}

void Blaster::handle(const uint8_t* p, size_t len, const sockaddr_in& from, int64_t now) {
    if (len < kOffOptions + 3 || p[0] != 2 || get32(p + 236) != kMagic) {
        ++malformed_, ++do_.orphans;
        return;
    }
    uint8_t type = 0;
    uint32_t server_id = from.sin_addr.s_addr;
    for (size_t i = kOffOptions; i < len;) {
        uint8_t code = p[i];
        if (code == 255) break;
        if (code == 0) {
            ++i;
            continue;
        }
        if (i + 2 > len || i + 2 + p[i + 1] > len) break;
        uint8_t olen = p[i + 1];
        if (code == 53 && olen == 1) type = p[i + 2];
        if (code == 54 && olen == 4) memcpy(&server_id, p + i + 2, 4);
        i += 2 + size_t(olen);
    }
    Stats& st = (type == kAck || type == kNak) ? ra_ : do_;
    uint32_t xid = get32(p + kOffXid);
    Exchange& e = table_[xid & mask_];
    uint8_t want[6] = {0x02, mac_tag_};
    put32(want + 2, e.client);
    bool match = e.xid == xid && memcmp(p + kOffChaddr, want, 6) == 0;
    bool offer = type == kOffer && match && e.state == kWaitOffer;
    if (offer || ((type == kAck || type == kNak) && match && e.state == kWaitAck)) {
        int64_t delay = now - (offer ? e.t_discover : e.t_request);
        if (type == kNak || delay > drop_ns_) {  // the exchange failed; the reply is an orphan
            ++(type == kNak ? st.naks : st.late), ++st.orphans;
            e.state = kDead;
            return;
        }
        ++st.received;
        st.delay(delay);
        e.state = kDone;
        if (offer && !o_.two_way) {
            memcpy(&e.yiaddr, p + 16, 4);
            e.server_id = server_id;
            e.state = kRequestQueued;
            req_queue_[(req_head_ + req_len_++) & mask_] = xid & mask_;
        }
        return;
    }
    ++st.orphans;  // unknown xid, repeated answer, wrong type or chaddr
}

void Blaster::receive(int64_t now) {
    for (;;) {
        for (size_t i = 0; i < kBatch; ++i) in_msg_[i].msg_hdr.msg_namelen = sizeof(sockaddr_in);
        int r = recvmmsg(fd_, in_msg_, kBatch, MSG_DONTWAIT, nullptr);
        if (r <= 0) break;
        now = now_ns();
        for (int i = 0; i < r; ++i) handle(in_buf_[i], in_msg_[i].msg_len, in_from_[i], now);
        if (req_len_ >= kBatch) flush_requests();
        if (size_t(r) < kBatch) break;
    }
    flush_requests();
}

void Blaster::periodic_report() const {
    auto drops = [](const Stats& s) { return s.sent - s.received; };
    if (o_.two_way)
        printf("sent: %llu; received: %llu; drops: %llu; rejected: 0\n", (unsigned long long)do_.sent,
               (unsigned long long)do_.received, (unsigned long long)drops(do_));
    else
        printf("sent: %llu/%llu; received: %llu/%llu; drops: %llu/%llu; rejected: 0/0\n",
               (unsigned long long)do_.sent, (unsigned long long)ra_.sent, (unsigned long long)do_.received,
               (unsigned long long)ra_.received, (unsigned long long)drops(do_),
               (unsigned long long)drops(ra_));
    fflush(stdout);
}

// perfdhcp writes with an ostream: the first drops ratio in default (%g-like) notation; once a
// delay has been printed the stream is std::fixed with precision 3, and stays so.
void Blaster::final_report(int64_t elapsed) const {
    double secs = double(elapsed) / 1e9;
    const Stats& done = o_.two_way ? do_ : ra_;
    printf("***Rate statistics***\n");
    printf("Rate: %g %s/second", secs > 0 ? double(done.received) / secs : 0.0,
           o_.two_way ? "DISCOVER-OFFER" : "4-way exchanges");
    if (o_.rate > 0) printf(", expected rate: %.10g\n", o_.rate);
    printf("\n***Malformed Packets***\nMalformed packets: %llu\n", (unsigned long long)malformed_);
    bool fixed = false;
    auto section = [&](const char* name, const Stats& s) {
        auto u = [](uint64_t v) { return (unsigned long long)v; };
        printf("***Statistics for: %s***\n", name);
        printf("sent packets: %llu\nreceived packets: %llu\ndrops: %llu\n", u(s.sent), u(s.received),
               u(s.sent - s.received));
        double ratio = 100.0 * double(s.sent - s.received) / double(s.sent);
        printf(fixed ? "drops ratio: %.3f %%\n" : "drops ratio: %g %%\n", ratio);
        printf("orphans: %llu\nrejected leases: 0\nnon unique addresses: 0\n", u(s.orphans));
        printf("late replies (counted as orphans): %llu\n", u(s.late));
        if (s.naks) printf("NAKs (counted as orphans): %llu\n", u(s.naks));
        if (s.send_errors) printf("send errors (counted as sent): %llu\n", u(s.send_errors));
        printf("\n");
        if (s.received == 0) {
            printf("min delay: n/a\navg delay: n/a\nmax delay: n/a\nstd deviation: n/a\n\n");
            return;
        }
        double n = double(s.received), avg = s.sum / n, var = s.sumsq / n - avg * avg;
        printf("min delay: %.3f ms\navg delay: %.3f ms\nmax delay: %.3f ms\nstd deviation: %.3f ms\n\n",
               s.min, avg, s.max, var > 0 ? std::sqrt(var) : 0.0);
        fixed = true;
    };
    section("DISCOVER-OFFER", do_);
    if (!o_.two_way) section("REQUEST-ACK", ra_);
    if (stalls_) printf("sending stalled %llu times: exchange table full\n", (unsigned long long)stalls_);
    fflush(stdout);
}

int Blaster::run() {
    drop_ns_ = int64_t(o_.drop_time * 1e9);
    const int64_t start = now_ns();
    const int64_t send_end = o_.period > 0 ? start + int64_t(o_.period * 1e9) : INT64_MAX;
    // The k-th DISCOVER (from 0) is due at start + k/rate, for k/rate < period: ceil(rate * period).
    uint64_t limit = o_.num_request > 0 ? o_.num_request : UINT64_MAX;
    if (o_.rate > 0 && o_.period > 0)
        limit = std::min(limit, uint64_t(std::ceil(o_.rate * o_.period - 1e-9)));
    const int64_t report_ns = int64_t(o_.report) * 1'000'000'000;
    int64_t next_report = report_ns > 0 ? start + report_ns : INT64_MAX;
    int64_t wait_end = INT64_MAX;
    bool sending = true;
    pollfd pfd{fd_, POLLIN, 0};
    for (;;) {
        int64_t now = now_ns();
        if (sending) {
            bool last = now >= send_end || g_interrupted;  // the period's last ones are at most a tick late
            uint64_t target = o_.rate > 0 ? uint64_t(double(now - start) * o_.rate / 1e9) + 1 : seq_ + kBatch;
            if (target > limit) target = limit;
            if ((last && o_.rate <= 0) || g_interrupted) target = seq_;
            if (target > seq_) send_discovers(target - seq_, now);
            if (last || seq_ >= limit) {
                sending = false;
                wait_end = g_interrupted ? now : now + int64_t(o_.wait_us) * 1000;
            }
        }
        receive(now);
        now = now_ns();
        if (now >= next_report) {
            periodic_report();
            next_report += report_ns;
        }
        if (!sending && (now >= wait_end || !outstanding(now) || g_interrupted)) break;
        // Sleep until the next burst is due (at most one tick early), a reply or a report.
        int64_t wake = sending ? now + kTickNs : wait_end;
        if (sending && o_.rate > 0) {
            int64_t due = start + int64_t(double(seq_) * 1e9 / o_.rate);
            if (due > wake) wake = due;
            if (send_end < wake) wake = send_end;
        } else if (sending && o_.rate <= 0) {
            wake = now;  // as fast as possible
        }
        if (!sending && now + 10'000'000 < wake) wake = now + 10'000'000;  // re-check outstanding
        if (next_report < wake) wake = next_report;
        int64_t d = wake - now;
        if (d <= 0 && sending) continue;
        timespec ts{time_t(d / 1'000'000'000), long(d % 1'000'000'000)};
        if (ts.tv_sec < 0) ts = timespec{0, 0};
        ppoll(&pfd, 1, &ts, nullptr);
    }
    final_report(now_ns() - start);
    return (do_.sent > do_.received || ra_.sent > ra_.received) ? kExitDrops : kExitOk;
}

void set_buf(int fd, int opt_force, int opt, int bytes) {
    if (setsockopt(fd, SOL_SOCKET, opt_force, &bytes, sizeof bytes) < 0)  // root: above rmem_max
        setsockopt(fd, SOL_SOCKET, opt, &bytes, sizeof bytes);
}

}  // namespace

int main(int argc, char** argv) {
    Options o = parse_args(argc, argv);
    sockaddr_in server{};
    server.sin_family = AF_INET;
    server.sin_port = htons(67);
    if (inet_pton(AF_INET, o.server.c_str(), &server.sin_addr) != 1)
        usage_error("server %s: not an IPv4 address", o.server.c_str());
    in_addr local = resolve_local(o, server);

    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        perror("dhcpblast: socket");
        return kExitError;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    set_buf(fd, SO_RCVBUFFORCE, SO_RCVBUF, 4 << 20);
    set_buf(fd, SO_SNDBUFFORCE, SO_SNDBUF, 4 << 20);
    sockaddr_in me{};
    me.sin_family = AF_INET;
    me.sin_port = htons(67);  // a relay agent's port: the server answers giaddr:67
    me.sin_addr = local;
    if (bind(fd, reinterpret_cast<sockaddr*>(&me), sizeof me) < 0) {
        fprintf(stderr, "dhcpblast: bind %s:67: %s\n", inet_ntoa(local), strerror(errno));
        return kExitError;
    }
    prctl(PR_SET_TIMERSLACK, 1UL);  // 100 us ticks need better than the default 50 us slack

    struct sigaction sa {};
    sa.sa_handler = [](int) { g_interrupted = 1; };
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);

    printf("Running: dhcpblast");
    for (int i = 1; i < argc; ++i) printf(" %s", argv[i]);
    printf("\nScenario: basic.\nSingle-thread mode (dhcpblast, a perfdhcp stand-in).\n");
    fflush(stdout);
    auto* b = new Blaster(o, fd, local, server);  // large: keep it off the stack
    int rc = b->run();
    delete b;
    close(fd);
    return rc;
}
