#!/usr/bin/python3
"""Self-tests of contrib/bench/dhcpblast, the load generator that stands in for perfdhcp in
../shared/bench/dhcp/load.sh: its counts are checked against independent sources.

  counts     lanlord in a namespace of its own serves a relay subnet; dhcpblast, a relay agent
             in another namespace, runs 2 s at 2000 DORA/s: no drops, sent == received for both
             exchanges, and exactly as many distinct leases in lanlord's journal as ACKs counted.
  no_server  nobody on port 67: 100 % drops, exit status 3 (as perfdhcp), done within -p + -W.
  reflect    dhcpreflect leaves every 10th DISCOVER and every 7th REQUEST unanswered: the drops
             reported are exactly those; -n and -i are obeyed.

The binary comes from the environment (DHCPBLAST; dhcpreflect is next to it), set by CTest.
Addresses from 198.18.0.0/15 only, inside namespaces this test creates (root needed)."""

import os
import re
import subprocess
import sys
import time

import lanlord_test as lt
from lanlord_test import check, check_eq

SERVER = "198.18.0.1"
GEN_LINK = "198.18.0.2"
GIADDR = "198.18.64.1"        # the generator's relay address, in the relay subnet
RELAY_NET = "198.18.64.0/18"


def blast_path():
    path = os.environ.get("DHCPBLAST", "")
    if not os.access(path, os.X_OK):
        raise lt.Skip(f"DHCPBLAST={path!r} is not an executable (run through CTest)")
    return path


def parse(out):
    """The report, read the way load.sh's parse_perfdhcp awk reads it."""
    r = {"orphans": 0, "rate": None}
    section = None
    for line in out.splitlines():
        if line.startswith("Rate:"):
            r["rate"] = float(line.split()[1])
        elif "Statistics for: DISCOVER-OFFER" in line:
            section = "do"
        elif "Statistics for: REQUEST-ACK" in line:
            section = "ra"
        elif line.startswith("sent packets:"):
            r[f"{section}_sent"] = int(line.split()[2])
        elif line.startswith("received packets:"):
            r[f"{section}_recv"] = int(line.split()[2])
        elif line.startswith("orphans:"):
            r["orphans"] += int(line.split()[1])
        elif line.startswith("drops ratio:"):
            r[f"{section}_ratio"] = line.split()[2]
        elif line.startswith("avg delay:"):
            r[f"{section}_avg"] = line.split()[-2] if line.endswith(" ms") else line.split()[-1]
    return r


def blast(env, ns, args, timeout=20):
    argv = [lt.IP, "netns", "exec", ns, blast_path(), "-4"] + [str(a) for a in args]
    start = time.monotonic()
    p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    took = time.monotonic() - start
    lt.log(f"$ {' '.join(argv[4:])}\n  exit {p.returncode} after {took:.2f} s\n{p.stdout}{p.stderr}")
    return p.returncode, parse(p.stdout), took


def lanlord_with_relay_subnet(env):
    """Namespace S: lanlord on veth blsrv 198.18.0.1/24, serving 198.18.64.0/18 to relays (route via
    198.18.0.2). Namespace G: veth blgen 198.18.0.2/24 and the relay address 198.18.64.1 on lo."""
    s, g = env.netns("s"), env.netns("g")
    env.run(lt.IP, "-n", s, "link", "add", "blsrv", "address", "02:ff:00:00:00:01", "type", "veth",
            "peer", "name", "blgen", "address", "02:ff:00:00:00:02")
    env.run(lt.IP, "-n", s, "link", "set", "blgen", "netns", g)
    env.run(lt.IP, "-n", s, "addr", "add", f"{SERVER}/24", "dev", "blsrv")
    env.run(lt.IP, "-n", s, "link", "set", "blsrv", "up")
    env.run(lt.IP, "-n", g, "addr", "add", f"{GEN_LINK}/24", "dev", "blgen")
    env.run(lt.IP, "-n", g, "addr", "add", f"{GIADDR}/32", "dev", "lo")
    env.run(lt.IP, "-n", g, "link", "set", "blgen", "up")
    env.run(lt.IP, "-n", g, "route", "add", "default", "via", SERVER)
    env.run(lt.IP, "-n", s, "route", "add", RELAY_NET, "via", GEN_LINK)
    journal = os.path.join(env.tmp, "leases.journal")
    config = f"""log_level = "info"
threads = 1
[dns]
listen = ["127.0.0.1:5399"]
[local]
hosts = []
[dhcp]
journal = "{journal}"
[[dhcp.subnet]]
interface = "blsrv"
subnet = "198.18.0.0/24"
pools = ["198.18.0.100-198.18.0.109"]
[[dhcp.subnet]]
subnet = "{RELAY_NET}"
server_address = "{SERVER}"
pools = ["198.18.64.10-198.18.127.254"]
lease_time = "1h"
routers = ["{GIADDR}"]
[[upstream]]
servers = ["127.0.0.1:5398"]
"""
    ll = env.start_lanlord(config, netns=s)
    lt.wait_until(lambda: re.search(r":67\b", env.run(lt.IP, "netns", "exec", s, "ss", "-Hlun").stdout), 5,
                  "lanlord's DHCP socket")
    return g, ll, journal


def case_counts(env):
    """2 s at 2000 DORA/s through lanlord: 4000 of each message both ways, no drops, no orphans, and the
    journal holds one lease per ACK counted (4000 distinct addresses and hardware addresses)."""
    env.require_root()
    g, ll, journal = lanlord_with_relay_subnet(env)
    rc, r, took = blast(env, g, ["-l", GIADDR, "-r", 2000, "-R", 1000000, "-p", 2, "-d", 1, "-W", 1500000,
                                 "-t", 1, SERVER])
    check_eq(rc, 0, "exit status (0: every exchange completed)")
    check_eq(r.get("do_sent"), 4000, "DISCOVERs sent (2000/s for 2 s)")
    check_eq(r.get("do_recv"), r["do_sent"], "OFFERs received")
    check_eq(r.get("ra_sent"), r["do_recv"], "REQUESTs sent (one per OFFER)")
    check_eq(r.get("ra_recv"), r["ra_sent"], "ACKs received")
    check_eq(r["orphans"], 0, "orphans")
    check_eq((r.get("do_ratio"), r.get("ra_ratio")), ("0", "0.000"), "drops ratios (perfdhcp's formatting)")
    check(took < 2 + 1.5 + 1, f"took {took:.2f} s")
    addresses, macs, lines = set(), set(), 0
    with open(journal) as fh:
        for line in fh:
            f = line.split()
            if f and f[0] == "L":
                lines += 1
                addresses.add(f[1])
                macs.add(f[3])
    lt.log(f"journal: {lines} lease lines, {len(addresses)} addresses, {len(macs)} hardware addresses")
    check_eq(len(addresses), r["ra_recv"], "distinct leased addresses in the journal vs ACKs counted")
    check_eq(len(macs), r["ra_recv"], "distinct hardware addresses in the journal vs ACKs counted")
    check(all(a.startswith("198.18.") and 64 <= int(a.split(".")[2]) < 128 for a in addresses),
          "every lease from the relay subnet")
    check(ll.proc.poll() is None, "lanlord still running")


def loopback_ns(env):
    """A namespace with the server's and the generator's addresses on lo."""
    ns = env.netns("b")
    env.run(lt.IP, "-n", ns, "addr", "add", f"{SERVER}/32", "dev", "lo")
    env.run(lt.IP, "-n", ns, "addr", "add", f"{GIADDR}/32", "dev", "lo")
    return ns


def case_no_server(env):
    """Nobody on port 67: every DISCOVER is a drop (100 %), nothing is received, exit status 3 like
    perfdhcp's ("exchanges not successfully completed"), and the run ends within -p + -W."""
    env.require_root()
    ns = loopback_ns(env)
    rc, r, took = blast(env, ns, ["-l", GIADDR, "-r", 500, "-R", 1000000, "-p", 2, "-d", 1, "-W", 1500000,
                                  "-t", 1, SERVER])
    check_eq(rc, 3, "exit status")
    check_eq(r.get("do_sent"), 1000, "DISCOVERs sent")
    check_eq(r.get("do_recv"), 0, "OFFERs received")
    check_eq(r.get("do_ratio"), "100", "DISCOVER-OFFER drops ratio")
    check_eq(r.get("ra_sent"), 0, "REQUESTs sent")
    check_eq(r.get("do_avg"), "n/a", "average delay")
    check(2.0 <= took < 2 + 1.5 + 0.5, f"took {took:.2f} s; -p 2 -W 1.5 s")


def case_reflect(env):
    """dhcpreflect answers all but every 10th DISCOVER and every 7th REQUEST: 2 s at 5000/s gives
    10000 DISCOVERs, 9000 OFFERs and REQUESTs, 9000 - 1285 ACKs, exactly; then -i -n 700 sends 700
    DISCOVERs and no REQUEST."""
    env.require_root()
    ns = loopback_ns(env)
    reflect = os.path.join(os.path.dirname(blast_path()), "dhcpreflect")
    log_path = os.path.join(env.tmp, "dhcpreflect.log")
    with open(log_path, "w") as log_file:
        proc = subprocess.Popen([lt.IP, "netns", "exec", ns, reflect, SERVER, "--skip-discover", "10",
                                 "--skip-request", "7"], stdout=log_file, stderr=subprocess.STDOUT)
    env.defer(lt.stop_process_tree, proc)
    lt.wait_until(lambda: re.search(r":67\b", env.run(lt.IP, "netns", "exec", ns, "ss", "-Hlun").stdout), 5,
                  "dhcpreflect's socket")
    rc, r, took = blast(env, ns, ["-l", GIADDR, "-r", 5000, "-R", 100000, "-p", 2, "-d", 1, "-W", 1500000,
                                  SERVER])
    check_eq(rc, 3, "exit status (drops)")
    check_eq((r.get("do_sent"), r.get("do_recv")), (10000, 9000), "DISCOVERs sent, OFFERs received")
    check_eq((r.get("ra_sent"), r.get("ra_recv")), (9000, 9000 - 9000 // 7), "REQUESTs sent, ACKs received")
    check_eq(r["orphans"], 0, "orphans")
    check_eq(r.get("do_ratio"), "10", "DISCOVER-OFFER drops ratio")
    check(took < 2 + 1 + 0.5, f"took {took:.2f} s: the wait ends once nothing is outstanding (-d 1)")
    rc, r, _ = blast(env, ns, ["-l", GIADDR, "-i", "-n", 700, "-r", 2000, "-R", 100000, "-W", 1500000, SERVER])
    check_eq(rc, 3, "exit status (drops)")
    check_eq((r.get("do_sent"), r.get("do_recv"), r.get("ra_sent")), (700, 630, None),
             "-i -n 700: DISCOVERs, OFFERs, no REQUEST section")
    lt.stop_process_tree(proc)
    with open(log_path) as fh:
        summary = fh.read()
    lt.log(f"dhcpreflect: {summary.strip()}")
    check_eq(re.search(r"discovers (\d+) requests (\d+)", summary).groups(), ("10700", "9000"),
             "what dhcpreflect saw")


CASES = {"counts": case_counts, "no_server": case_no_server, "reflect": case_reflect}

if __name__ == "__main__":
    sys.exit(lt.main(CASES))
