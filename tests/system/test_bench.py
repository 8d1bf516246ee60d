#!/usr/bin/python3
"""System tests of `lanlordctl bench` against resolvers the test starts itself.

The fake resolvers are this script in --serve mode (dnspython, UDP): known
names get A 192.0.2.1, anything else NXDOMAIN, or, in hijack mode, an address
(198.51.100.66): the lie the bench must flag. One may set AD when DO is asked.

Latency case (root): each fake runs in its own network namespace behind a
veth pair whose namespace side delays (and for one, drops) its replies with
netem, so the bench must report p50s near the configured delays, loss near
the configured loss, and the right order. Addresses are /30s from
198.18.0.0/15 (RFC 2544, reserved for benchmarks) that overlap no route of
the host; the neighbours are static so netem never drops an ARP reply.
Other cases use loopback addresses private to the case and a high port. No
packet leaves the machine: lanlordctl is only ever given these addresses.
Everything is undone at the end, also on failure; processes are stopped by
PID."""

import argparse
import csv
import io
import ipaddress
import json
import os
import random
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET

import lanlord_test as lt
from lanlord_test import IP, check, check_eq

PY = "/usr/bin/python3"
TC = "/usr/sbin/tc"
HIJACK_ADDRESS = "198.51.100.66"
NAMES = ["alpha.test", "bravo.test", "charlie.test", "delta.test", "echo.test", "foxtrot.test", "golf.test",
         "hotel.test", "india.test", "juliett.test"]
BENCH_NET = ipaddress.ip_network("198.18.0.0/15")
PORT = 10053  # unprivileged: the loopback cases need no root


# ---------------------------------------------------------------- the fake resolver

def serve(address, port, known, mode, ad, delay_ms=0.0, loss=0.0):
    """Answers until killed; with delay_ms/loss (no netem in the kernel) it
    holds each reply back and drops a share of them itself."""
    import heapq
    import select
    import time

    import dns.flags
    import dns.message
    import dns.rcode
    import dns.rdatatype
    import dns.rrset
    known = {n.lower().rstrip(".") + "." for n in known}
    rng = random.Random()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((address, port))
    held = []  # (due, sequence, wire, peer)
    sequence = 0
    while True:
        timeout = max(0.0, held[0][0] - time.monotonic()) if held else None
        readable, _, _ = select.select([s], [], [], timeout)
        while held and held[0][0] <= time.monotonic():
            _, _, wire, peer = heapq.heappop(held)
            s.sendto(wire, peer)
        if not readable:
            continue
        data, peer = s.recvfrom(65535)
        received = time.monotonic()
        try:
            q = dns.message.from_wire(data)
            question = q.question[0]
        except Exception:
            continue
        r = dns.message.make_response(q)
        name = question.name.to_text().lower()
        if name in known or mode == "hijack":
            if question.rdtype == dns.rdatatype.A:
                r.answer.append(dns.rrset.from_text(question.name, 300, "IN", "A",
                                                    "192.0.2.1" if name in known else HIJACK_ADDRESS))
        else:
            r.set_rcode(dns.rcode.NXDOMAIN)
        if ad and q.ednsflags & dns.flags.DO:
            r.flags |= dns.flags.AD
        if loss and rng.random() < loss:
            continue
        if delay_ms:
            sequence += 1
            heapq.heappush(held, (received + delay_ms / 1000.0, sequence, r.to_wire(), peer))
        else:
            s.sendto(r.to_wire(), peer)


def start_fake(env, name, address, port=PORT, mode="honest", ad=False, netns=None, delay_ms=0, loss=0.0):
    argv = [PY, "-B", os.path.abspath(__file__), "--serve", address, str(port), "--known", ",".join(NAMES),
            "--mode", mode, "--delay-ms", str(delay_ms), "--loss", str(loss)] + (["--ad"] if ad else [])
    if netns:
        argv = [IP, "netns", "exec", netns] + argv
    out = open(os.path.join(env.tmp, f"fake-{name}.log"), "w")
    proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    env.defer(out.close)
    env.defer(lt.stop_process_tree, proc)

    def answers():
        if proc.poll() is not None:
            raise lt.Failure(f"fake resolver {name} exited with {proc.returncode}")
        try:
            return lt.udp_query(address, NAMES[0], port=port, timeout=0.5).rcode() == 0
        except Exception:
            return False
    lt.wait_until(answers, 10, f"fake resolver {name} on {address}:{port}")
    lt.log(f"fake resolver {name} ({mode}{', AD' if ad else ''}, pid {proc.pid}) on {address}:{port}"
           f"{' in ' + netns if netns else ''}")
    return f"{address}:{port}"


# ---------------------------------------------------------------- running the bench

def names_file(env):
    return env.write("names.txt", "# the names the fakes know\n" + "\n".join(NAMES) + "\n")


def bench(env, args, timeout=45):
    argv = [lt.lanlordctl_path(env), "bench", "--no-progress"] + list(args)
    lt.log("$ " + " ".join(argv))
    p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    lt.log(f"exit {p.returncode}; stderr:\n{p.stderr.rstrip()}")
    if p.returncode != 0:
        raise lt.Failure(f"lanlordctl bench exited with {p.returncode}:\n{p.stdout}{p.stderr}")
    return p.stdout


def bench_json(env, args, **kw):
    out = bench(env, list(args) + ["--json"], **kw)
    try:
        data = json.loads(out)
    except ValueError as e:
        raise lt.Failure(f"--json output is not JSON ({e}):\n{out}")
    for t in data["targets"]:
        lt.log(f"{t['name']}: uncached p50 {t['uncached']['p50_ms']} lost {t['uncached']['lost']}/"
               f"{t['uncached']['sent']}; cached p50 {t['cached']['p50_ms']} lost {t['cached']['lost']}/"
               f"{t['cached']['sent']}; hijack {t['nxdomain_hijack']}; AD {t['sets_ad']}")
    return data


def by_name(data):
    return {t["name"]: t for t in data["targets"]}


def check_svg(path, names):
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        raise lt.Failure(f"{path} is not well-formed XML: {e}")
    check_eq(root.tag, "{http://www.w3.org/2000/svg}svg", "SVG root element")
    texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    for n in names:
        check(n in texts, f"target {n!r} not among the chart's labels {texts}")


def check_between(value, low, high, what):
    check(value is not None and low <= value <= high, f"{what}: expected {low}..{high}, got {value}")


# ---------------------------------------------------------------- namespaces

def routed_nets():
    p = subprocess.run([IP, "-4", "route", "show", "table", "all"], capture_output=True, text=True, timeout=10)
    out = []
    for line in p.stdout.splitlines():
        for word in line.split()[:2]:
            try:
                out.append(ipaddress.ip_network(word, strict=False))
                break
            except ValueError:
                continue
    return out


def free_links(count):
    """`count` /30s of 198.18.0.0/15 that overlap nothing routed here."""
    taken = routed_nets()
    rng = random.SystemRandom()
    out = []
    for _ in range(1000):
        if len(out) == count:
            return out
        net = ipaddress.ip_network((int(BENCH_NET.network_address) + 4 * rng.randrange(BENCH_NET.num_addresses // 4),
                                    30))
        if not any(net.overlaps(t) for t in taken + out):
            out.append(net)
    raise lt.Skip("198.18.0.0/15 is routed on this host; not adding routes that would shadow it")


def mac_of(dev, netns=None):
    argv = [IP] + (["-n", netns] if netns else []) + ["-o", "link", "show", "dev", dev]
    words = subprocess.run(argv, capture_output=True, text=True, timeout=10, check=True).stdout.split()
    return words[words.index("link/ether") + 1]


def delayed_resolver(env, tag, net, delay_ms, loss=0.0):
    """A fake resolver in namespace ll<pid><tag> whose replies are delayed by
    `delay_ms` and dropped with probability `loss`: by netem on the
    namespace's veth, or, on a kernel without sch_netem, by the fake itself
    (the bench cannot tell the difference; the test says which it used)."""
    root_addr, ns_addr = (str(h) for h in net.hosts())
    ns = env.netns(tag)
    r, n = env.veth(tag, ns)
    env.run(IP, "addr", "add", f"{root_addr}/30", "dev", r)
    env.run(IP, "link", "set", r, "up")
    env.run(IP, "-n", ns, "addr", "add", f"{ns_addr}/30", "dev", n)
    env.run(IP, "-n", ns, "link", "set", n, "up")
    env.run(IP, "neigh", "replace", ns_addr, "lladdr", mac_of(n, ns), "dev", r, "nud", "permanent")
    env.run(IP, "-n", ns, "neigh", "replace", root_addr, "lladdr", mac_of(r), "dev", n, "nud", "permanent")
    netem = f"delay {delay_ms}ms" + (f" loss {loss * 100:g}%" if loss else "")
    p = env.run(IP, "netns", "exec", ns, TC, "qdisc", "add", "dev", n, "root", "netem", *netem.split(),
                check_rc=False)
    if p.returncode == 0:
        lt.log(f"{tag}: {ns_addr} in {ns} behind {r}, replies through netem {netem}")
        return start_fake(env, tag, ns_addr, port=53, netns=ns)
    lt.log(f"{tag}: {ns_addr} in {ns} behind {r}; tc netem failed ({p.stderr.strip()}): "
           f"the fake itself applies {netem}")
    return start_fake(env, tag, ns_addr, port=53, netns=ns, delay_ms=delay_ms, loss=loss)


# ---------------------------------------------------------------- cases

def case_latency(env):
    """20 ms, 45 ms with 30 % loss, and 80 ms resolvers: p50s near the netem
    delays, the loss seen, the order right in JSON and in the table, every
    target in the chart."""
    env.require_root()
    p = subprocess.run([IP, "netns", "list"], capture_output=True, text=True)
    if p.returncode != 0:
        raise lt.Skip(f"ip netns unavailable: {p.stderr.strip()}")
    nets = free_links(3)
    fast = delayed_resolver(env, "f", nets[0], 20)
    lossy = delayed_resolver(env, "l", nets[1], 45, loss=0.3)
    slow = delayed_resolver(env, "s", nets[2], 80)
    svg = os.path.join(env.tmp, "chart.svg")
    # 3 probes + 10 warm-ups + 2 x 60 measured at 20/s: about 7 s per target,
    # all three at once, plus the retries of the lossy one's lost warm-ups.
    data = bench_json(env, ["--no-self", "--server", f"slow={slow}", "--server", f"lossy={lossy}", "--server", f"fast={fast}",
                            "--names", names_file(env), "--count", "60", "--rate", "20", "--timeout", "2s",
                            "--svg", svg])
    check_eq([t["name"] for t in data["targets"]], ["fast", "lossy", "slow"], "JSON order (by uncached p50)")
    t = by_name(data)
    for name, low, high in (("fast", 18, 35), ("lossy", 43, 65), ("slow", 78, 100)):
        for phase in ("uncached", "cached"):
            check_between(t[name][phase]["p50_ms"], low, high, f"{name} {phase} p50 (ms)")
            check_eq(t[name][phase]["sent"], 60, f"{name} {phase} queries sent")
    for name in ("fast", "slow"):
        for phase in ("uncached", "cached"):
            check_eq(t[name][phase]["lost"], 0, f"{name} {phase} lost")
            check_eq(t[name][phase]["answered"], 60, f"{name} {phase} answered")
        check_eq(t[name]["cached"]["rcodes"], {"NOERROR": 60}, f"{name} cached RCODEs")
        check_eq(t[name]["uncached"]["rcodes"], {"NXDOMAIN": 60}, f"{name} uncached RCODEs (random labels)")
        check_eq(t[name]["nxdomain_hijack"], False, f"{name} flagged as hijacking")
    lost = t["lossy"]["cached"]["lost"] + t["lossy"]["uncached"]["lost"]
    check_between(100.0 * lost / 120, 12, 50, "lossy: lost % over both phases (netem loss 30 %)")
    check(t["lossy"]["uncached"]["lost"] > 0 and t["lossy"]["cached"]["lost"] > 0,
          "lossy: loss in both phases")
    check_between(t["lossy"]["uncached"]["max_ms"], 43, 1000, "lossy: a timeout never counts as latency")
    check(t["lossy"]["nxdomain_hijack"] is not True, "lossy flagged as hijacking")
    check_svg(svg, ["fast", "lossy", "slow"])

    # The table, shorter: the same order, one row per phase.
    out = bench(env, ["--no-self", "--server", f"slow={slow}", "--server", f"fast={fast}", "--names", names_file(env),
                      "--count", "10", "--rate", "40"])
    lt.log("table:\n" + out)
    rows = [line.split()[0] for line in out.splitlines()[1:] if line and not line[0].isspace()
            and not line.startswith(("Latency", "HIJACK", "Sorted"))]
    check_eq(rows[:2], ["fast", "slow"], "table order")


def case_hijack(env):
    """NXDOMAIN hijacking and AD: flagged in JSON, CSV, table and chart; a dead
    server is all loss; names that need escaping survive every format."""
    honest_name = 'honest, "quoted" <&>'
    honest = start_fake(env, "honest", env.addr(11))
    liar = start_fake(env, "hijacker", env.addr(12), mode="hijack")
    validator = start_fake(env, "validator", env.addr(13), ad=True)
    dead = f"{env.addr(14)}:{PORT}"  # nothing listens: ICMP port unreachable, every query lost
    svg = os.path.join(env.tmp, "chart.svg")
    args = ["--no-self", "--server", f"{honest_name}={honest}", "--server", f"hijacker={liar}", "--server",
            f"validator={validator}", "--server", f"dead={dead}", "--names", names_file(env), "--count", "5",
            "--rate", "50", "--timeout", "500ms"]
    data = bench_json(env, args + ["--svg", svg])
    t = by_name(data)
    check_eq(sorted(t), sorted([honest_name, "hijacker", "validator", "dead"]), "targets")
    check_eq((t["hijacker"]["nxdomain_hijack"], t["hijacker"]["hijack_address"]), (True, HIJACK_ADDRESS),
             "hijacker flagged, with the address it made up")
    for name in (honest_name, "validator"):
        check_eq(t[name]["nxdomain_hijack"], False, f"{name} flagged as hijacking")
    check_eq(t["validator"]["sets_ad"], True, "validator sets AD")
    check_eq(t[honest_name]["sets_ad"], False, "honest sets AD")
    check_eq(t["validator"]["cached"]["ad"], 5, "validator: AD in every cached answer")
    d = t["dead"]
    check_eq((d["nxdomain_hijack"], d["sets_ad"]), (None, None), "dead: hijack and AD unknown")
    check_eq((d["uncached"]["sent"], d["uncached"]["answered"], d["uncached"]["lost_pct"]), (5, 0, 100.0),
             "dead: uncached sent, answered, lost %")
    check_eq((d["uncached"]["p50_ms"], d["cached"]["p50_ms"]), (None, None), "dead: no latency")
    check_eq(data["targets"][-1]["name"], "dead", "the silent target is listed last")
    check_svg(svg, [honest_name, "hijacker", "validator", "dead"])

    out = bench(env, args + ["--csv"])
    rows = list(csv.DictReader(io.StringIO(out)))
    check_eq(len(rows), 8, "CSV rows (two per target)")
    csv_t = {(r["target"], r["phase"]): r for r in rows}
    check((honest_name, "cached") in csv_t, f"CSV keeps the name {honest_name!r}: {list(csv_t)}")
    check_eq(csv_t[("hijacker", "uncached")]["nxdomain_hijack"], "yes", "CSV hijacker flag")
    check_eq(csv_t[(honest_name, "uncached")]["nxdomain_hijack"], "no", "CSV honest flag")
    check_eq((csv_t[("dead", "cached")]["lost_pct"], csv_t[("dead", "cached")]["p50_ms"]), ("100.000", ""),
             "CSV dead: lost %, empty p50")
    check_eq(csv_t[("validator", "cached")]["noerror"], "5", "CSV validator NOERROR count")

    out = bench(env, args)
    lt.log("table:\n" + out)
    hijack_rows = [line for line in out.splitlines() if line.startswith("hijacker ")]
    check(len(hijack_rows) == 1 and " yes " in hijack_rows[0], f"table row of the hijacker: {hijack_rows}")
    check(f"warning: hijacker answers nonexistent names with an address ({HIJACK_ADDRESS})" in out,
          "table warning about the hijacker")


def case_self_upstreams(env):
    """lanlord itself (found from its --config) and its upstreams (--upstreams)."""
    upstream = start_fake(env, "upstream", env.addr(2))
    listen = f"{env.addr(1)}:{PORT}"
    ll = env.start_lanlord(lt.lanlord_config([listen], [{"name": "fake", "servers": [upstream]}]))
    data = bench_json(env, ["--config", ll.config_path, "--upstreams", "--names", names_file(env), "--count", "10",
                            "--rate", "50", "--timeout", "1s"])
    t = by_name(data)
    check_eq(sorted(t), ["fake", "lanlord"], "targets from the configuration")
    check_eq((t["lanlord"]["kind"], f"{t['lanlord']['address']}:{t['lanlord']['port']}"), ("self", listen),
             "lanlord's kind and address")
    check_eq((t["fake"]["kind"], f"{t['fake']['address']}:{t['fake']['port']}"), ("upstream", upstream),
             "upstream's kind and address")
    for name in ("lanlord", "fake"):
        check_eq(t[name]["cached"]["rcodes"], {"NOERROR": 10}, f"{name} cached RCODEs")
        check_eq(t[name]["uncached"]["rcodes"], {"NXDOMAIN": 10}, f"{name} uncached RCODEs")
        check_eq(t[name]["nxdomain_hijack"], False, f"{name} flagged as hijacking")
    check_between(t["lanlord"]["cached"]["p50_ms"], 0, 50, "lanlord cached p50 (ms, from its cache)")


CASES = {"latency": case_latency, "hijack": case_hijack, "self_upstreams": case_self_upstreams}

if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        ap = argparse.ArgumentParser()
        ap.add_argument("--serve", nargs=2, metavar=("ADDRESS", "PORT"), required=True)
        ap.add_argument("--known", default="")
        ap.add_argument("--mode", choices=("honest", "hijack"), default="honest")
        ap.add_argument("--ad", action="store_true")
        ap.add_argument("--delay-ms", type=float, default=0.0)
        ap.add_argument("--loss", type=float, default=0.0)
        a = ap.parse_args()
        serve(a.serve[0], int(a.serve[1]), [n for n in a.known.split(",") if n], a.mode, a.ad, a.delay_ms, a.loss)
    sys.exit(lt.main(CASES))
