#!/usr/bin/python3
"""System tests of the DHCP server with real clients (busybox udhcpc with and
without the broadcast flag, ISC dhclient, dhcpcd), each in a network
namespace of its own joined to lanlord's by a veth pair. TEST-NET-style
198.18.0.0/24 addresses only, inside namespaces this test creates."""

import os
import random
import signal
import sys
import time
import zlib

import dhcp_wire as w
import lanlord_test as lt
from lanlord_test import check, check_eq, dig

SUBNET = "198.18.0"
SERVER = f"{SUBNET}.1"

CLIENT_SCRIPT = """#!/bin/sh
# udhcpc / dhclient hook: record what the server gave, configure nothing else.
{ echo "reason=$1$reason"; env | grep -E '^(ip|mask|subnet|router|dns|domain|lease|serverid|new_[a-z_]+)='; } >> "$OUT"
if [ "$1" = bound ] || [ "$1" = renew ]; then ip addr replace "$ip/$mask" dev "$interface"; fi
if [ "$reason" = BOUND ] || [ "$reason" = REBOOT ]; then ip addr replace "$new_ip_address/24" dev "$interface"; fi
exit 0
"""


class Lan:
    """lanlord in namespace S serving 198.18.0.0/24 on its veth; clients in their own namespaces."""

    def __init__(self, env, pool="198.18.0.100-198.18.0.109", extra_subnet="", reservations="", state_dir=None,
                 prefix=24, bridge=True, dns_listen=f"{SERVER}:53", extra_env=None):
        """`extra_subnet` is TOML placed after the subnet's keys: more keys of it, or further tables.
        bridge=False: lanlord starts without its interface (make_bridge() adds it later)."""
        env.require_root()
        self.env = env
        self.prefix = prefix
        self.server_ns = env.netns("s")
        self.clients = 0
        if bridge:
            self.make_bridge(SERVER)
        self.journal = os.path.join(state_dir or env.tmp, "leases.journal")
        config = f"""log_level = "debug"
threads = 1
[dns]
listen = ["{dns_listen}"]
[local]
hosts = []
domain = "lan"
[dhcp]
journal = "{self.journal}"
[[dhcp.subnet]]
interface = "lanbr"
subnet = "{SUBNET}.0/{prefix}"
pools = ["{pool}"]
lease_time = "1h"
routers = ["{SERVER}"]
domain_name = "lan"
authoritative = true
{extra_subnet}
{reservations}
[[upstream]]
servers = ["{SUBNET}.254"]
"""
        self.config = config
        self.extra_env = extra_env
        self.ll = env.start_lanlord(config, netns=self.server_ns, extra_env=extra_env)

    def make_bridge(self, address):
        # A fixed MAC: a bridge without one takes its lowest port's, so it changed as client veths
        # joined, and a client that had ARPed the old one sent to a port's MAC, which the bridge
        # passes up as PACKET_OTHERHOST and IP drops (a 1-in-6 flake of the returning-client case).
        self.env.run(lt.IP, "-n", self.server_ns, "link", "add", "lanbr", "address", "02:ff:00:00:00:01",
                     "type", "bridge")
        self.env.run(lt.IP, "-n", self.server_ns, "addr", "add", f"{address}/{self.prefix}", "dev", "lanbr")
        self.env.run(lt.IP, "-n", self.server_ns, "link", "set", "lanbr", "up")

    def restart(self, sig=signal.SIGTERM):
        if self.ll.proc.poll() is None:
            os.killpg(self.ll.proc.pid, sig)
            self.ll.proc.wait(5)
        self.restarts = getattr(self, "restarts", 0) + 1
        self.ll = self.env.start_lanlord(self.config, name=f"lanlord-restart{self.restarts}", netns=self.server_ns,
                                         extra_env=self.extra_env)

    def client(self, mac):
        """A namespace with one interface on the LAN bridge, with MAC `mac`."""
        self.clients += 1
        tag = f"c{self.clients}"
        ns = self.env.netns(tag)
        root, peer = f"ll{self.env.uid}{tag}r", f"ll{self.env.uid}{tag}n"
        # Both ends created in the server namespace, one end moved to the client.
        self.env.run(lt.IP, "-n", self.server_ns, "link", "add", root, "type", "veth", "peer", "name", peer)
        self.env.run(lt.IP, "-n", self.server_ns, "link", "set", peer, "netns", ns)
        self.env.run(lt.IP, "-n", self.server_ns, "link", "set", root, "master", "lanbr", "up")
        self.env.run(lt.IP, "-n", ns, "link", "set", peer, "address", mac)
        self.env.run(lt.IP, "-n", ns, "link", "set", peer, "up")
        return ns, peer

    def run_client(self, ns, argv, timeout=15):
        out = os.path.join(self.env.tmp, f"client{self.clients}.env")
        # dhclient runs hooks with a clean environment: the output path is written in.
        script = self.env.write(f"hook{self.clients}.sh", CLIENT_SCRIPT.replace('"$OUT"', f'"{out}"'))
        os.chmod(script, 0o755)
        argv = [a.replace("@SCRIPT@", script) for a in argv]
        p = self.env.run(lt.IP, "netns", "exec", ns, *argv, check_rc=False)
        lt.log(f"client {' '.join(argv)}: rc={p.returncode} {p.stderr.strip()[-300:]}")
        values = {}
        if os.path.exists(out):
            for line in open(out):
                k, _, v = line.strip().partition("=")
                values[k] = v
        return values


def udhcpc(lan, ns, ifname, broadcast, hostname):
    argv = ["busybox", "udhcpc", "-i", ifname, "-n", "-q", "-f", "-t", "5", "-T", "1", "-s", "@SCRIPT@",
            "-x", f"hostname:{hostname}"]
    if broadcast:
        argv.append("-B")
    return lan.run_client(ns, argv)


def check_lease(values, what):
    ip = values.get("ip") or values.get("new_ip_address")
    check(ip is not None, f"{what}: no address obtained ({values})")
    last = int(ip.split(".")[-1])
    check(ip.startswith(SUBNET + ".") and 100 <= last <= 109, f"{what}: {ip} is not in the pool")
    mask = values.get("mask") or values.get("new_subnet_mask")
    check(mask in ("24", "255.255.255.0"), f"{what}: mask {mask}")
    check_eq(values.get("router") or values.get("new_routers"), SERVER, f"{what}: router")
    check_eq(values.get("dns") or values.get("new_domain_name_servers"), SERVER, f"{what}: DNS server")
    check_eq(values.get("domain") or values.get("new_domain_name"), "lan", f"{what}: domain")
    check_eq(values.get("lease") or values.get("new_dhcp_lease_time"), "3600", f"{what}: lease time")
    return ip


def case_udhcpc(env):
    """busybox udhcpc, with and without the broadcast flag: address, mask, router, DNS, domain, lease time;
    the names resolve forward and reverse through lanlord's DNS."""
    lan = Lan(env)
    ns1, if1 = lan.client("02:00:00:00:01:01")
    a = check_lease(udhcpc(lan, ns1, if1, True, "bcastbox"), "udhcpc -B")
    ns2, if2 = lan.client("02:00:00:00:01:02")
    b = check_lease(udhcpc(lan, ns2, if2, False, "unicastbox"), "udhcpc without -B")
    check(a != b, f"two clients got the same address {a}")
    r = dig(SERVER, "bcastbox.lan", netns=ns1)
    check_eq(r.rdatas("A"), [a], "bcastbox.lan from lanlord's DNS")
    r = dig(SERVER, ".".join(reversed(b.split("."))) + ".in-addr.arpa", "PTR", netns=ns2)
    check_eq(r.rdatas("PTR"), ["unicastbox.lan."], f"PTR of {b}")
    with open(lan.journal) as fh:
        journal = fh.read()
    check(a in journal and b in journal, "both leases are in the journal")


def case_dhclient(env):
    """ISC dhclient gets a lease, renews it (same address), and releases it (the name goes away)."""
    lan = Lan(env)
    ns, ifname = lan.client("02:00:00:00:02:01")
    lease_file = os.path.join(env.tmp, "dhclient.leases")
    pid_file = os.path.join(env.tmp, "dhclient.pid")
    conf = env.write("dhclient.conf", 'send host-name "dhclientbox";\n'
                     "request subnet-mask, broadcast-address, routers, domain-name, domain-name-servers;\n")
    base = ["dhclient", "-4", "-1", "-cf", conf, "-sf", "@SCRIPT@", "-lf", lease_file, "-pf", pid_file]

    def stop_dhclient():  # it went to the background once bound
        if os.path.exists(pid_file):
            try:
                os.kill(int(open(pid_file).read().strip()), signal.SIGTERM)
            except (ValueError, ProcessLookupError):
                pass
    env.defer(stop_dhclient)
    values = lan.run_client(ns, base + [ifname])
    ip = check_lease(values, "dhclient")
    check_eq(dig(SERVER, "dhclientbox.lan", netns=ns).rdatas("A"), [ip], "dhclientbox.lan")
    lan.run_client(ns, ["dhclient", "-4", "-x", "-cf", conf, "-sf", "@SCRIPT@", "-lf", lease_file, "-pf", pid_file,
                        ifname])
    again = lan.run_client(ns, base + [ifname])  # asks for its address again from its lease file
    check_eq(again.get("new_ip_address"), ip, "address after dhclient started again")
    lan.run_client(ns, ["dhclient", "-4", "-r", "-cf", conf, "-sf", "@SCRIPT@", "-lf", lease_file, "-pf", pid_file,
                        ifname])
    lt.wait_until(lambda: dig(SERVER, "dhclientbox.lan", netns=ns).status == "NXDOMAIN", 5,
                  "the name to go once the lease is released")
    with open(lan.journal) as fh:
        check(f"F {ip} " in fh.read(), "a free record for the released lease in the journal")


def case_dhcpcd(env):
    """dhcpcd (its --test mode prints what the server offered) gets a pool address with the options."""
    lan = Lan(env)
    ns, ifname = lan.client("02:00:00:00:03:01")
    # -T: report the offer and configure nothing; -d: print the variables. (dhcpcd 9.4
    # crashes on its way out of test mode; its exit code is not ours to judge.)
    # Output to a file: dhcpcd's privilege-separation helpers keep a pipe open after it exits.
    out_path = os.path.join(env.tmp, "dhcpcd.out")
    env.run(lt.IP, "netns", "exec", ns, "sh", "-c",
            f"timeout 15 dhcpcd -T -d -4 -1 -t 10 -f /dev/null {ifname} > {out_path} 2>&1", check_rc=False)
    with open(out_path) as fh:
        out = fh.read()
    lt.log(f"dhcpcd -T: {out[-600:]}")
    values = {}
    for line in out.splitlines():
        k, _, v = line.strip().partition("=")
        if k.startswith("new_"):
            values[k] = v.strip("'")
    check_lease(values, "dhcpcd")


def case_reservation_and_exhaustion(env):
    """A reserved MAC gets its fixed address (and its name before it asks); with a pool of 2, a third
    client gets nothing while the others keep theirs."""
    lan = Lan(env, pool="198.18.0.100-198.18.0.101",
              reservations='[[dhcp.reservation]]\nmac = "02:00:00:00:04:09"\naddress = "198.18.0.50"\n'
                           'hostname = "printer"\n')
    check_eq(dig(SERVER, "printer.lan", netns=lan.server_ns).rdatas("A"), ["198.18.0.50"],
             "reserved name before the client exists")
    ns, ifname = lan.client("02:00:00:00:04:09")
    values = udhcpc(lan, ns, ifname, True, "whatever")
    check_eq(values.get("ip"), "198.18.0.50", "the reserved client's address")
    got = []
    for i in range(3):
        ns, ifname = lan.client(f"02:00:00:00:04:0{i + 1}")
        got.append(udhcpc(lan, ns, ifname, True, f"host{i}").get("ip"))
    check_eq(sorted(x for x in got if x), ["198.18.0.100", "198.18.0.101"], "two pool addresses handed out")
    check(got.count(None) == 1, f"the third client got nothing: {got}")
    check(lan.ll.wait_log("pool exhausted", 5, "the pool exhaustion warning") is not None, "warning logged")


def case_durability(env):
    """kill -9 after leases were ACKed: after the restart every lease is back (the journal was fsync'ed
    before each ACK), and the names answer again."""
    lan = Lan(env)
    ips = {}
    for i in range(3):
        ns, ifname = lan.client(f"02:00:00:00:05:0{i + 1}")
        ips[f"durable{i}"] = check_lease(udhcpc(lan, ns, ifname, True, f"durable{i}"), f"client {i}")
    lan.restart(signal.SIGKILL)
    for name, ip in ips.items():
        check_eq(dig(SERVER, f"{name}.lan", netns=lan.server_ns).rdatas("A"), [ip],
                 f"{name}.lan after kill -9 and restart")
    check(lan.ll.wait_log("3 leases replayed", 5, "the replay line") is not None, "3 leases replayed")


def journal_leases(path):
    """The journal replayed as lanlord does (lines with a bad CRC and a torn tail skipped):
    {address: MAC in hex}."""
    leases = {}
    with open(path, "rb") as fh:
        for raw in fh.read().split(b"\n")[:-1]:
            line = raw.decode(errors="replace")
            body, _, crc = line.rpartition(" ")
            if f"{zlib.crc32(body.encode()):08x}" != crc:
                continue
            f = body.split(" ")
            if f[0] == "L" and len(f) == 6:
                leases[f[1]] = f[3]
            elif f[0] == "F" and len(f) == 2:
                leases.pop(f[1], None)
    return leases


def case_durability_load(env):
    """kill -9 five times while a client loop (32 exchanges in flight) is taking leases. After each kill
    every lease a client got an ACK for is in the journal with its MAC; after each restart lanlord
    still holds every one of them: a stranger asking for it (INIT-REBOOT) is NAKed, its owner is ACKed
    the same address, and no new client is ever given an address acked to another."""
    subnet_pool = f"{SUBNET}.10-198.18.3.250"
    lan = Lan(env, pool=subnet_pool, prefix=22)
    ns, ifname = lan.client("02:00:00:00:0b:00")
    env.run(lt.IP, "-n", ns, "addr", "add", f"{SUBNET}.5/22", "dev", ifname)
    port = w.Port(ns, 68, device=ifname)
    env.defer(port.close)
    acked = {}  # address -> MAC of every ACK ever received
    rounds, per_round = 5, 150
    stranger = "02:00:00:00:0b:ff"
    total_unacked = [0]

    def record(jobs, what):
        for j in jobs:
            if j.result:
                owner = acked.get(j.result)
                check(owner in (None, j.mac), f"{what}: {j.result} acked to {j.mac}, but it was acked to {owner}")
                acked[j.result] = j.mac

    for n in range(rounds):
        jobs = [w.Dora(f"02:00:00:{n:02x}:{i >> 8:02x}:{i & 0xff:02x}") for i in range(per_round)]
        # kill -9 from inside the loop right after a random REQUEST went out: the REQUESTs just sent
        # are in flight, some ACKed before lanlord dies, some not.
        threshold, pid, killed = random.randint(40, 140), lan.ll.proc.pid, []

        def stop():
            if not killed and sum(1 for j in jobs if hasattr(j, "offer")) >= threshold:
                os.killpg(pid, signal.SIGKILL)
                killed.append(time.monotonic())
            return bool(killed)
        ran = w.pipeline(port, jobs, window=32, timeout=0.3, tries=3, stop=stop)
        if not killed:
            os.killpg(pid, signal.SIGKILL)
        lan.ll.proc.wait(5)
        got = sum(1 for j in ran if j.result)
        requested = sum(1 for j in ran if hasattr(j, "offer"))
        record(ran, f"round {n}")
        lt.log(f"round {n}: {len(ran)} clients started, {requested} REQUESTs sent, {got} ACKs received "
               f"(kill -9 after REQUEST {threshold}); {len(acked)} leases so far")
        total_unacked[0] += requested - got
        on_disk = journal_leases(lan.journal)
        for address, mac in acked.items():
            check_eq(on_disk.get(address), mac.replace(":", ""), f"journal after kill -9 #{n + 1}: lease {address}")
        lan.restart()
        lan.ll.wait_log(r"\d+ leases replayed", 5, "the replay line")
        nak = w.pipeline(port, [w.InitReboot(stranger, a) for a in acked], window=32)
        for j in nak:
            check_eq(j.result, ("NAK", "0.0.0.0"), f"after restart #{n + 1}: a stranger asking for {j.address}")
        own = w.pipeline(port, [w.InitReboot(mac, a) for a, mac in acked.items()], window=32)
        for j in own:
            check_eq(j.result, ("ACK", j.address), f"after restart #{n + 1}: {j.mac} asking for its {j.address}")
    fresh = w.pipeline(port, [w.Dora(f"02:00:00:ee:00:{i:02x}") for i in range(40)], window=32)
    check(all(j.result for j in fresh), "40 new clients after the last restart all got a lease")
    record(fresh, "new clients after the last restart")
    lt.log(f"{len(acked) - 40} acked leases checked after each of {rounds} kill -9 restarts; "
           f"{total_unacked[0]} REQUESTs were cut off by a kill")
    check(len(acked) - 40 >= 50, f"too few leases acked under load to prove much: {len(acked) - 40}")


CASES = {"udhcpc": case_udhcpc, "dhclient": case_dhclient, "dhcpcd": case_dhcpcd,
         "reservation_exhaustion": case_reservation_and_exhaustion, "durability": case_durability,
         "durability_load": case_durability_load}

if __name__ == "__main__":
    sys.exit(lt.main(CASES))
