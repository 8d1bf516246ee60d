#!/usr/bin/python3
"""System tests of how lanlord follows the host's interfaces: by rtnetlink
events, not by polling.

  idle_dns, idle_dhcp   an idle lanlord (no queries; then with a DHCP subnet)
                        makes no system call at all for 60 s: every thread
                        stays in the call it blocks in (strace -f -p).
  pickup_dns            an address in a new subnet added to the interface
                        lanlord listens on: a client in that subnet is
                        answered, not REFUSED, within 1 s of `ip addr add`.
  pickup_dhcp           a DHCP subnet whose interface gets its address after
                        start is served within 1 s, before any client asked.

lanlord always runs in a network namespace of its own (made here, named with
the PID), so the link and address changes of tests running in parallel never
reach it; only TEST-NET addresses are used, only inside those namespaces.
Everything is removed at the end, also on failure; processes by PID."""

import os
import re
import signal
import subprocess
import sys
import time

import dns.exception
import dns.message
import dns.query
import dns.rcode

import dhcp_wire as w
import lanlord_test as lt
from lanlord_test import IP, check, check_eq

STRACE = "/usr/bin/strace"
IDLE_SECONDS = 60  # what "idle means idle" asks for; the cases run in parallel with others
SETTLE_SECONDS = 2  # after READY=1: start-up work (the second DNS thread, the first reads) is over
PICKUP_LIMIT = 1.0

# The calls an idle thread of lanlord sits in: the event loops (epoll_wait)
# and the journal writer's condition variable (futex). Seen in the trace only
# as "<unfinished ...>" / "<detached ...>": in progress when strace attached
# and still when it left. Any call that returns is a wake-up.
BLOCKING = {"epoll_wait", "epoll_pwait", "epoll_pwait2", "futex", "restart_syscall"}
TRACE_CALL = re.compile(r"(?:<\.\.\. )?([a-z_0-9]+)")


def prepare(env):
    env.require_root()
    if not os.access(STRACE, os.X_OK):
        raise lt.Failure(f"{STRACE} missing: contrib/dev.sh test installs it (TEST_DEPS)")


def wait_link_local(env, ns, devices):
    """Each device's IPv6 link-local address comes once the carrier is seen (linkwatch, up
    to a second) and its duplicate address detection ends with another address event: both
    are over before lanlord starts, so the idle window sees none."""
    def settled():
        for dev in devices:
            out = env.run(IP, "-n", ns, "-6", "addr", "show", "dev", dev, "scope", "link").stdout
            if "inet6" not in out or "tentative" in out:
                return False
        return True
    lt.wait_until(settled, 10, f"IPv6 link-local addresses in {ns} past DAD")


def trace_idle(env, ll, seconds):
    """Attaches strace to every thread of lanlord for `seconds`; returns the
    lines of calls that returned (wake-ups) and the whole trace."""
    out = os.path.join(env.tmp, "strace.out")  # env.tmp itself is watched by no one
    err_path = os.path.join(env.tmp, "strace.err")
    err = open(err_path, "w")
    env.defer(err.close)
    proc = subprocess.Popen([STRACE, "-f", "-tt", "-p", str(ll.pid), "-o", out], stdout=subprocess.DEVNULL,
                            stderr=err, start_new_session=True)
    env.defer(lt.stop_process_tree, proc, signal.SIGINT)

    def attached():
        if proc.poll() is not None:
            raise lt.Failure(f"strace exited with {proc.returncode}: {open(err_path).read()}")
        return "attached" in open(err_path).read()
    lt.wait_until(attached, 10, "strace to attach")
    threads = len(os.listdir(f"/proc/{ll.pid}/task"))
    lt.log(f"strace (pid {proc.pid}) attached to lanlord (pid {ll.pid}, {threads} threads) for {seconds} s")
    time.sleep(seconds)
    check(ll.proc.poll() is None, f"lanlord exited with {ll.proc.returncode} while traced")
    proc.send_signal(signal.SIGINT)  # strace detaches and leaves lanlord running
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        raise lt.Failure("strace did not detach within 10 s")
    with open(out) as fh:
        trace = fh.read().splitlines()
    wakeups = []
    for line in trace:
        in_progress = line.endswith("<unfinished ...>") or line.endswith("<detached ...>")
        if not (in_progress and call_of(line) in BLOCKING):
            wakeups.append(line)
    return wakeups, trace


def call_of(line):
    """"1234 07:14:35.362361 epoll_wait(9, ..." -> "epoll_wait" (also "<... futex resumed>")."""
    parts = line.split(None, 2)
    m = TRACE_CALL.match(parts[2]) if len(parts) == 3 else None
    return m.group(1) if m else ""


def assert_idle(env, ll):
    time.sleep(SETTLE_SECONDS)
    wakeups, trace = trace_idle(env, ll, IDLE_SECONDS)
    lt.log(f"strace over {IDLE_SECONDS} s: {len(trace)} lines, {len(wakeups)} system calls that returned")
    for line in trace[:40]:
        lt.log(f"  {line}")
    check(not wakeups, f"{len(wakeups)} system calls in {IDLE_SECONDS} s of idleness (expected none):\n" +
          "\n".join(wakeups[:60]))
    check(ll.proc.poll() is None, "lanlord is still running")


def etc_files(env):
    """hosts and resolv.conf in a directory of their own: lanlord watches the
    directory (inotify), so the trace and logs must live elsewhere."""
    etc = os.path.join(env.tmp, "etc")
    os.makedirs(etc)
    hosts = os.path.join(etc, "hosts")
    with open(hosts, "w") as fh:
        fh.write("192.0.2.80 www.pickup.test\n")
    resolv = os.path.join(etc, "resolv.conf")
    with open(resolv, "w") as fh:
        fh.write("nameserver 192.0.2.53\n")
    return hosts, resolv


def control_section(env):
    return f'\n[control]\nsocket = "{os.path.join(env.tmp, "control.sock")}"\n'


def case_idle_dns(env):
    """The default configuration on loopback (both families, as many threads as cores, hosts and
    resolv.conf watched, a control socket): no system call for 60 s."""
    prepare(env)
    ns = env.netns("i")
    hosts, resolv = etc_files(env)
    config = lt.lanlord_config(["127.0.0.1:53", "[::1]:53"], [{"name": "default", "resolv_conf": resolv}],
                               local={"hosts": [hosts]}) + control_section(env)
    ll = env.start_lanlord(config, netns=ns)
    assert_idle(env, ll)


def case_idle_dhcp(env):
    """The same with a DHCP subnet on a veth (journal open, its writer thread waiting): no system
    call for 60 s. The veth's peer is in the same namespace, up, with nobody behind it."""
    prepare(env)
    ns = env.netns("d")
    env.run(IP, "-n", ns, "link", "add", "lan0", "type", "veth", "peer", "name", "lan0p")
    env.run(IP, "-n", ns, "addr", "add", "192.0.2.1/24", "dev", "lan0")
    env.run(IP, "-n", ns, "link", "set", "lan0p", "up")
    env.run(IP, "-n", ns, "link", "set", "lan0", "up")
    wait_link_local(env, ns, ["lan0", "lan0p"])
    hosts, resolv = etc_files(env)
    config = lt.lanlord_config(["127.0.0.1:53", "192.0.2.1:53"], [{"name": "default", "resolv_conf": resolv}],
                               local={"hosts": [hosts], "domain": "lan"}) + control_section(env) + f"""
[dhcp]
journal = "{os.path.join(env.tmp, 'leases.journal')}"
[[dhcp.subnet]]
interface = "lan0"
subnet = "192.0.2.0/24"
pools = ["192.0.2.100-192.0.2.199"]
routers = ["192.0.2.1"]
"""
    ll = env.start_lanlord(config, netns=ns)
    ll.wait_log("DHCP server on port 67", 5, "the DHCP server")
    assert_idle(env, ll)


def ns_socket(ns, source):
    s = w.socket_in_netns(ns)
    s.bind((source, 0))
    s.setblocking(False)
    return s


def ask(sock, server, name, timeout):
    """One A query from `sock`; the rcode text, or None for no answer within timeout."""
    q = dns.message.make_query(name, "A")
    try:
        r = dns.query.udp(q, server, timeout=timeout, sock=sock)
    except dns.exception.Timeout:
        return None
    return dns.rcode.to_text(r.rcode())


class DnsLink:
    """lanlord in namespace S listening on 192.0.2.1 on a veth; the other end in namespace C with
    192.0.2.2 (near: on the interface's subnet) and 198.51.100.2 and 203.0.113.2 (far: answered
    only once lanlord's interface has an address in their subnet). S routes back to the far
    addresses from the start, so that a REFUSED reaches them; the connected route of an address
    added later takes over."""

    def __init__(self, env, extra_env=None, log_level="info"):
        self.env = env
        self.server_ns, self.client_ns = env.netns("s"), env.netns("c")
        self.s_if, c_if = f"ll{env.uid}pr", f"ll{env.uid}pn"
        env.run(IP, "-n", self.server_ns, "link", "add", self.s_if, "type", "veth", "peer", "name", c_if)
        env.defer(env.run, IP, "-n", self.server_ns, "link", "del", self.s_if, check_rc=False)
        env.run(IP, "-n", self.server_ns, "link", "set", c_if, "netns", self.client_ns)
        env.run(IP, "-n", self.server_ns, "addr", "add", "192.0.2.1/24", "dev", self.s_if)
        env.run(IP, "-n", self.server_ns, "link", "set", self.s_if, "up")
        for a in ("192.0.2.2/24", "198.51.100.2/24", "203.0.113.2/24"):
            env.run(IP, "-n", self.client_ns, "addr", "add", a, "dev", c_if)
        env.run(IP, "-n", self.client_ns, "link", "set", c_if, "up")
        for net in ("198.51.100.0/24", "203.0.113.0/24"):
            env.run(IP, "-n", self.server_ns, "route", "add", net, "dev", self.s_if, "metric", "1000")
        hosts, resolv = etc_files(env)
        self.ll = env.start_lanlord(
            lt.lanlord_config(["192.0.2.1:53"], [{"name": "default", "resolv_conf": resolv}],
                              local={"hosts": [hosts]}, top={"log_level": log_level}) + control_section(env),
            netns=self.server_ns, extra_env=extra_env)
        self.sockets = {}
        lt.wait_until(lambda: self.ask("192.0.2.2", 0.5) == "NOERROR", 10,
                      "an answer to the client on 192.0.2.0/24 (test setup)")

    def ask(self, source, timeout):
        if source not in self.sockets:
            self.sockets[source] = ns_socket(self.client_ns, source)
            self.env.defer(self.sockets[source].close)
        return ask(self.sockets[source], "192.0.2.1", "www.pickup.test", timeout)

    def check_refused(self, source):
        check_eq(self.ask(source, 2), "REFUSED", f"client {source} before lanlord has an address in its subnet")

    def add_and_ask(self, address, source, limit=PICKUP_LIMIT):
        """Adds `address` to lanlord's interface and asks from `source` (every 10 ms, each query
        waiting 200 ms) until answered; checks it took less than `limit` s; returns the queries."""
        start = time.monotonic()
        self.env.run(IP, "-n", self.server_ns, "addr", "add", address, "dev", self.s_if)
        added = time.monotonic()
        tries, answer = 0, None
        while time.monotonic() - start < limit + 2:
            tries += 1
            answer = self.ask(source, 0.2)
            if answer == "NOERROR":
                break
            time.sleep(0.01)
        took = time.monotonic() - start
        lt.log(f"client {source}: {answer} {took * 1000:.0f} ms after `ip addr add {address}` started "
               f"({(added - start) * 1000:.0f} ms in ip itself), {tries} queries")
        check_eq(answer, "NOERROR", f"the client {source}, {limit + 2} s after {address} was added")
        check(took < limit, f"{source} answered {took:.3f} s after `ip addr add`: not within {limit} s")
        return tries


def case_pickup_dns(env):
    """A client at 198.51.100.2 on the other end of lanlord's veth is REFUSED: not on a subnet of
    the receiving interface. 198.51.100.1/24 is added to lanlord's interface: the client is answered
    within 1 s of `ip addr add`."""
    prepare(env)
    link = DnsLink(env)
    link.check_refused("198.51.100.2")
    link.add_and_ask("198.51.100.1/24", "198.51.100.2")
    check("not followed" not in link.ll.log_text(), "lanlord says it does not follow interface changes")


def fault_env(mode):
    shim = os.environ.get("NETLINK_FAULT")
    if not shim or not os.path.exists(shim):
        raise lt.Skip("NETLINK_FAULT (the LD_PRELOAD shim) not given")
    return {"LD_PRELOAD": shim, "LANLORD_TEST_NETLINK": mode,
            "ASAN_OPTIONS": "verify_asan_link_order=0:" + os.environ.get("ASAN_OPTIONS", "")}


def case_no_netlink(env):
    """The netlink subscription cannot be made (bind fails: a sandbox): lanlord says so and runs.
    A client of a subnet added later is answered at its first query (the refusal about to be sent
    makes the engine read the interfaces), and a refused client reads them at most once a second."""
    prepare(env)
    link = DnsLink(env, extra_env=fault_env("bind"))
    link.ll.wait_log("interface changes are not followed", 1, "the warning that netlink is unavailable")
    link.check_refused("198.51.100.2")
    time.sleep(1.1)  # the refusal just read the interfaces: the next read is allowed 1 s later
    tries = link.add_and_ask("198.51.100.1/24", "198.51.100.2")
    check_eq(tries, 1, "queries until the client of the new subnet was answered")
    link.check_refused("203.0.113.2")  # reads the table: the refusal stands
    env.run(IP, "-n", link.server_ns, "addr", "add", "203.0.113.1/24", "dev", link.s_if)
    check_eq(link.ask("203.0.113.2", 2), "REFUSED", "a client within a second of the last read")
    time.sleep(1.0)
    check_eq(link.ask("203.0.113.2", 2), "NOERROR", "the same client a second later")
    check(link.ll.proc.poll() is None, "lanlord still running")


def case_socket_lost(env):
    """The netlink socket fails when the first event comes (recvmsg: EIO): lanlord logs it, reads
    the table at once (the client of the new subnet is answered within 1 s) and from then on reads
    it on demand (a client of a second new subnet is answered at its first query)."""
    prepare(env)
    link = DnsLink(env, extra_env=fault_env("recv"))
    check("not followed" not in link.ll.log_text(), "lanlord gave up on netlink before anything failed")
    link.check_refused("198.51.100.2")
    link.add_and_ask("198.51.100.1/24", "198.51.100.2")
    link.ll.wait_log(r"interface changes are not followed \(netlink receive: ", 1, "the warning about the socket")
    link.check_refused("203.0.113.2")
    time.sleep(1.1)
    check_eq(link.add_and_ask("203.0.113.1/24", "203.0.113.2"), 1, "queries until the second client was answered")
    check(link.ll.proc.poll() is None, "lanlord still running")


def case_overrun(env):
    """Every netlink datagram is lost to an overflowing queue (recvmsg: ENOBUFS): lanlord cannot
    know what changed, reads the whole table, and the client of a new subnet is answered within 1 s;
    the subscription is kept (ENOBUFS is no failure)."""
    prepare(env)
    link = DnsLink(env, extra_env=fault_env("enobufs"), log_level="debug")
    link.check_refused("198.51.100.2")
    link.add_and_ask("198.51.100.1/24", "198.51.100.2")
    link.ll.wait_log(r"events lost \(ENOBUFS\)", 1, "the debug line about lost events")
    link.check_refused("203.0.113.2")
    link.add_and_ask("203.0.113.1/24", "203.0.113.2")
    check("not followed" not in link.ll.log_text(), "lanlord gave up on netlink after ENOBUFS")


def case_pickup_dhcp(env):
    """A DHCP subnet on a bridge that has no address in it at start: not served. The address is
    added: lanlord says it serves the subnet within 1 s, before any client sent a packet (the
    interface monitor, not the on-demand read a packet would cause), and a client's first DISCOVER
    gets an OFFER."""
    from test_dhcp_clients import SERVER, SUBNET, Lan
    prepare(env)
    lan = Lan(env, bridge=False, dns_listen="127.0.0.1:53")
    lan.ll.wait_log("no address of ours there yet", 5, "the warning about the subnet without an address")
    ns_s = lan.server_ns
    env.run(IP, "-n", ns_s, "link", "add", "lanbr", "address", "02:ff:00:00:00:01", "type", "bridge")
    env.run(IP, "-n", ns_s, "link", "set", "lanbr", "up")
    ns, ifname = lan.client("02:00:00:00:0f:01")
    port = w.Port(ns, 68, device=ifname)
    env.defer(port.close)
    time.sleep(1.5)  # the bridge's own events (and their re-read) are over
    served = re.compile(rf"DHCP subnet {re.escape(SUBNET)}\.0/24 on lanbr: served as {re.escape(SERVER)}")
    check(not served.search(lan.ll.log_text()), "the subnet is served before it has an address")
    offset = lan.ll.log_size()

    start = time.monotonic()
    env.run(IP, "-n", ns_s, "addr", "add", f"{SERVER}/24", "dev", "lanbr")
    lan.ll.wait_log(served, PICKUP_LIMIT + 2, "the subnet served", after=offset)
    took = time.monotonic() - start
    lt.log(f"subnet served {took * 1000:.0f} ms after `ip addr add` started")
    check(took < PICKUP_LIMIT, f"served {took:.3f} s after `ip addr add`: not within {PICKUP_LIMIT} s")
    check("DHCP 02:00:00:00:0f:01" not in lan.ll.log_text(), "a client packet came first: the test shows nothing")
    offer = w.Client(port, "02:00:00:00:0f:01").discover(timeout=1.0, tries=1)
    check(offer is not None and offer["type"] == w.OFFER, f"an OFFER for the first DISCOVER: {offer}")
    check_eq(w.opt_ip(offer, 54), SERVER, "server identifier")


CASES = {"idle_dns": case_idle_dns, "idle_dhcp": case_idle_dhcp, "pickup_dns": case_pickup_dns,
         "pickup_dhcp": case_pickup_dhcp, "no_netlink": case_no_netlink, "socket_lost": case_socket_lost,
         "overrun": case_overrun}
DEADLINES = {"idle_dns": IDLE_SECONDS + 40, "idle_dhcp": IDLE_SECONDS + 40}

if __name__ == "__main__":
    sys.exit(lt.main(CASES, deadlines=DEADLINES))
