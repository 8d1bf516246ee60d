#!/usr/bin/python3
"""System tests that need network namespaces (root): per-group egress
interface (SO_BINDTODEVICE) and refusal of non-local clients.

Only TEST-NET addresses are used, only on the veth pairs and in the
namespaces created here (names carry the PID), and only TEST-NET subnets that
overlap no route of the host (a VM may itself sit on 192.0.2.0/24): the
routes added never shadow a real destination. lanlord runs in the root
namespace as it would on a router. Everything is removed at the end, also on
failure; processes are stopped by PID."""

import ipaddress
import os
import random
import subprocess
import sys

import lanlord_test as lt
from lanlord_test import IP, check_eq, dig


TEST_NETS = [ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")]
ROUTE_TYPES = {"unicast", "local", "broadcast", "multicast", "anycast", "blackhole", "unreachable", "prohibit",
               "throw", "nat"}


def routed_nets():
    """Every IPv4 prefix in any routing table of this namespace (default excluded)."""
    p = subprocess.run([IP, "-4", "route", "show", "table", "all"], capture_output=True, text=True, timeout=10)
    out = []
    for line in p.stdout.splitlines():
        t = line.split()
        if not t:
            continue
        pfx = t[1] if t[0] in ROUTE_TYPES and len(t) > 1 else t[0]
        if pfx == "default":
            continue
        try:
            out.append(ipaddress.ip_network(pfx, strict=False))
        except ValueError:
            pass
    return out


class Allocator:
    """Hands out TEST-NET subnets that overlap nothing routed here: the host's
    own networks (which may well be TEST-NET, e.g. in a VM) and other runs'."""

    def __init__(self):
        self.taken = routed_nets()
        self.pools = [n for n in TEST_NETS if not any(n.overlaps(t) for t in self.taken)]
        if not self.pools:
            raise lt.Skip("every TEST-NET /24 is routed on this host; not adding routes that would shadow it")

    def subnet(self, prefixlen):
        rng = random.SystemRandom()
        cands = [s for pool in self.pools for s in pool.subnets(new_prefix=prefixlen)]
        rng.shuffle(cands)
        for s in cands:
            if not any(s.overlaps(t) for t in self.taken):
                self.taken.append(s)
                return s
        raise lt.Skip(f"no free TEST-NET /{prefixlen}")

    def link(self):
        """(root address, namespace address) of a fresh /28."""
        hosts = list(self.subnet(28).hosts())
        return str(hosts[0]), str(hosts[1])

    def host(self):
        return str(self.subnet(32).network_address)


def prepare(env):
    env.require_root()
    try:
        with open("/proc/sys/net/ipv4/conf/all/rp_filter") as fh:
            if fh.read().strip() == "1":
                raise lt.Skip("net.ipv4.conf.all.rp_filter = 1 (strict) drops the replies of the second veth; "
                              "not changing a host-wide setting")
    except OSError:
        pass
    p = subprocess.run([IP, "netns", "list"], capture_output=True, text=True)
    if p.returncode != 0:
        raise lt.Skip(f"ip netns unavailable: {p.stderr.strip()}")


def no_rp_filter(dev):
    path = f"/proc/sys/net/ipv4/conf/{dev}/rp_filter"
    if os.path.exists(path):
        with open(path, "w") as fh:
            fh.write("0\n")


def link(env, tag, ns, root_addr, ns_addrs, plen):
    """veth pair root <-> ns with root_addr/plen and ns_addrs (first /plen, rest /32)."""
    r, n = env.veth(tag, ns)
    env.run(IP, "addr", "add", f"{root_addr}/{plen}", "dev", r)
    env.run(IP, "link", "set", r, "up")
    env.run(IP, "-n", ns, "addr", "add", f"{ns_addrs[0]}/{plen}", "dev", n)
    for a in ns_addrs[1:]:
        env.run(IP, "-n", ns, "addr", "add", f"{a}/32", "dev", n)
    env.run(IP, "-n", ns, "link", "set", n, "up")
    no_rp_filter(r)
    return r, n


def case_egress(env):
    """Two upstreams with the same address behind two veths: corp.test goes out of the
    vpn veth only, everything else out of the lan veth (group `interface`)."""
    prepare(env)
    alloc = Allocator()
    v_root, v_ns = alloc.link()
    l_root, l_ns = alloc.link()
    svc = alloc.host()
    ns_vpn, ns_lan = env.netns("v"), env.netns("l")
    vr, _ = link(env, "v", ns_vpn, v_root, [v_ns, svc], 28)
    lr, _ = link(env, "l", ns_lan, l_root, [l_ns, svc], 28)
    # The same host route out of both veths; without SO_BINDTODEVICE the vpn one wins.
    env.run(IP, "route", "add", f"{svc}/32", "dev", vr, "src", v_root)
    env.defer(env.run, IP, "route", "del", f"{svc}/32", "dev", vr, check_rc=False)
    env.run(IP, "route", "add", f"{svc}/32", "dev", lr, "src", l_root, "metric", "200")
    env.defer(env.run, IP, "route", "del", f"{svc}/32", "dev", lr, "metric", "200", check_rc=False)
    lt.log(f"upstreams {svc} in {ns_vpn} (via {vr}) and {ns_lan} (via {lr})")

    vpn = env.nsd("vpn", svc, {"corp.test": lt.zone("corp.test", ["www IN A 192.0.2.101", "mail IN A 192.0.2.111"]),
                               "example.test": lt.zone("example.test", ["www IN A 203.0.113.201"])},
                  netns=ns_vpn, device=vr)
    lan = env.nsd("lan", svc, {"corp.test": lt.zone("corp.test", ["www IN A 192.0.2.102", "mail IN A 192.0.2.112"]),
                               "example.test": lt.zone("example.test", ["www IN A 203.0.113.202"])},
                  netns=ns_lan, device=lr)
    # Test setup: routing alone sends to the vpn namespace.
    r = lt.udp_query(svc, "www.example.test", timeout=2)
    check_eq(sorted(rd.to_text() for rr in r.answer for rd in rr), ["203.0.113.201"],
             "test setup: an unbound socket reaches the vpn upstream")

    listen = env.addr(1)
    env.start_lanlord(lt.lanlord_config([f"{listen}:53"], [
        {"name": "lan", "servers": [svc], "interface": lr, "domains": ["."]},
        {"name": "vpn", "servers": [svc], "interface": vr, "domains": ["corp.test"]}],
        dns={"upstream_timeout": "2s"}))
    v0, l0 = vpn.queries(), lan.queries()
    r = dig(listen, "www.corp.test")
    check_eq((r.status, r.rdatas("A")), ("NOERROR", ["192.0.2.101"]),
             f"www.corp.test (must come from the vpn upstream via {vr})")
    r = dig(listen, "MAIL.Corp.Test")
    check_eq((r.status, r.rdatas("A")), ("NOERROR", ["192.0.2.111"]), "MAIL.Corp.Test (vpn upstream)")
    r = dig(listen, "www.example.test")
    check_eq((r.status, r.rdatas("A")), ("NOERROR", ["203.0.113.202"]),
             f"www.example.test (must come from the lan upstream via {lr}, although routing prefers {vr})")
    check_eq((vpn.queries() - v0, lan.queries() - l0), (2, 1), "(queries at vpn, queries at lan)")


def case_acl_nonlocal(env):
    """By default a client on the subnet of the receiving interface is answered and a
    client from elsewhere is refused."""
    prepare(env)
    alloc = Allocator()
    server, near = alloc.link()
    far = alloc.host()
    nsd = env.nsd("nsd", env.addr(11), {"a.test": lt.zone("a.test", ["www IN A 192.0.2.1"])})
    ns = env.netns("c")
    cr, _ = link(env, "c", ns, server, [near, far], 28)
    env.run(IP, "route", "add", f"{far}/32", "dev", cr)
    env.defer(env.run, IP, "route", "del", f"{far}/32", "dev", cr, check_rc=False)
    env.start_lanlord(lt.lanlord_config([f"{server}:53", f"{env.addr(1)}:53"],
                                        [{"name": "default", "servers": [nsd.address]}]))
    r = dig(server, "www.a.test", source=near, netns=ns)
    check_eq((r.status, r.rdatas("A")), ("NOERROR", ["192.0.2.1"]), f"client {near} on the interface's subnet")
    q0 = nsd.queries()
    r = dig(server, "www.a.test", source=far, netns=ns)
    check_eq(r.status, "REFUSED", f"client {far}, not on any local subnet")
    r = dig(server, "nx.a.test", source=far, netns=ns, opts=["+tcp"])
    check_eq(r.status, "REFUSED", f"client {far} over TCP")
    check_eq(nsd.queries() - q0, 0, "queries forwarded for the refused client")
    r = dig(env.addr(1), "www.a.test", source=env.addr(7))
    check_eq(r.status, "NOERROR", "loopback client")


CASES = {"egress": case_egress, "acl_nonlocal": case_acl_nonlocal}

if __name__ == "__main__":
    sys.exit(lt.main(CASES))
