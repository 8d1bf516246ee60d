#!/usr/bin/python3
"""Counters and one dnsperf pass for contrib/bench/dot.sh (runs inside the benchmark's network namespace, so
/proc/net/snmp is that namespace's own).

  measure.py snap --up-conf CONF [--ctl BIN --ctl-sock SOCK]
      one JSON object: the upstream's counters (unbound-control stats_noreset), the namespace's TCP counters and,
      for lanlord, the TLS counters of its first upstream server (lanlordctl --json status)
  measure.py pass --out RESULTS --fwd-pid PID --up-pid PID --up-conf CONF [--ctl BIN --ctl-sock SOCK]
                  [--latency] [--extra k=v ...] --log FILE -- dnsperf ARGS...
      snap, CPU counters, dnsperf, CPU counters, snap; appends one JSON record to RESULTS and prints it
  measure.py life --before JSON --after JSON [--extra k=v ...] --out RESULTS
      the counters over a forwarder's whole life (start, probe, both passes): queries per TLS connection

CPU: the sum of /proc/PID/task/*/schedstat (on-CPU ns of every thread) of the forwarder, and utime+stime of
/proc/PID/stat (clock ticks, all threads) as a cross-check; the same schedstat sum for the upstream; dnsperf's from getrusage(RUSAGE_CHILDREN). The CPU used over the
pass by every other process (utime+stime+cutime+cstime of /proc/*/stat, kernel threads left out) shows whether
something else competed for the CPUs. (The per-CPU lines of /proc/stat are tick-sampled and proved useless
for that here: 4 % busy reported for a CPU on which the forwarder alone ran 27 % of the time.)
Latency percentiles (--latency) come from dnsperf -v, whose "> RCODE NAME TYPE SECONDS" lines are parsed and
then left out of the saved log.
"""
import argparse
import json
import os
import re
import resource
import signal
import subprocess
import sys
import time

HZ = os.sysconf("SC_CLK_TCK")
CHILD = None


def on_term(signum, frame):
    if CHILD is not None and CHILD.poll() is None:
        CHILD.terminate()
        try:
            CHILD.wait(5)
        except subprocess.TimeoutExpired:
            CHILD.kill()
    sys.exit(128 + signum)


def sched_ns(pid):
    tot = 0
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return None
    for t in tids:
        try:
            with open(f"/proc/{pid}/task/{t}/schedstat") as f:
                tot += int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return tot


def stat_ticks(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            s = f.read()
    except OSError:
        return None
    fl = s[s.rfind(")") + 2:].split()
    return int(fl[11]) + int(fl[12])


def nthreads(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/task"))
    except OSError:
        return None


def proc_cpu():
    """pid -> (ppid, utime+stime+cutime+cstime ticks) of every process (the kernel keeps these exact: the sums
    are scaled from the scheduler's runtime, unlike the per-CPU lines of /proc/stat, which are tick-sampled)"""
    out = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                s = f.read()
        except OSError:
            continue
        fl = s[s.rfind(")") + 2:].split()
        out[int(d)] = (int(fl[1]), int(fl[11]) + int(fl[12]) + int(fl[13]) + int(fl[14]))
    return out


def others_ticks(st0, st1, ours):
    """CPU ticks used over the pass by every other process (not kernel threads), the noise indicator"""
    tot = 0
    for pid, (ppid, t) in st1.items():
        if pid in ours or pid == 2 or ppid == 2:
            continue
        if pid in st0:   # (a process born during the pass is left out: its start would be a guess)
            tot += max(0, t - st0[pid][1])
    return tot


def snmp():
    rows = {}
    with open("/proc/net/snmp") as f:
        lines = f.read().splitlines()
    for i in range(0, len(lines) - 1, 2):
        k = lines[i].split()
        v = lines[i + 1].split()
        if k[0] != v[0]:
            continue
        for name, val in zip(k[1:], v[1:]):
            try:
                rows[k[0].rstrip(":") + "." + name] = int(val)
            except ValueError:
                pass
    return {k: rows.get(k, 0) for k in ("Tcp.PassiveOpens", "Tcp.ActiveOpens", "Tcp.CurrEstab", "Tcp.RetransSegs",
                                        "Udp.RcvbufErrors", "Udp.SndbufErrors", "Udp.InErrors")}


UP_KEYS = ("total.num.queries", "num.query.tls", "num.query.tls.resume", "num.query.tcp", "num.query.udpout",
           "num.query.tcpout", "num.query.tlsout")


def upstream(conf):
    try:
        r = subprocess.run(["unbound-control", "-c", conf, "stats_noreset"], capture_output=True, text=True,
                           timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return {}
    d = {}
    for line in r.stdout.splitlines():
        k, _, v = line.partition("=")
        if k in UP_KEYS or k == "total.recursion.time.avg":
            try:
                d[k] = float(v) if "." in v else int(v)
            except ValueError:
                pass
    return d


def lanlord_tls(ctl, sock):
    if not ctl or not sock:
        return None
    try:
        r = subprocess.run([ctl, "--json", "--socket", sock, "status"], capture_output=True, text=True, timeout=20)
        j = json.loads(r.stdout)
        j = j.get("result", j)   # {"ok": true, "result": {...}}
        srv = j["upstream_groups"][0]["servers"][0]
    except (OSError, subprocess.TimeoutExpired, ValueError, KeyError, IndexError, TypeError):
        return None
    tls = srv.get("tls")
    out = {}
    if isinstance(tls, dict):
        for k, v in tls.items():
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                out["tls_" + k] = v
    for k, v in srv.items():
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            out["srv_" + k] = v
    return out


def snap(args):
    d = {"up": upstream(args.up_conf), "net": snmp()}
    if args.ctl:
        d["lanlord"] = lanlord_tls(args.ctl, args.ctl_sock)
    return d


def pct(sv, p):
    if not sv:
        return None
    k = min(len(sv) - 1, max(0, int(round(p / 100.0 * len(sv) + 0.5)) - 1))
    return sv[k]


def parse_dnsperf(text):
    r = {}

    def grab(key, rx, conv=float):
        m = re.search(rx, text, re.M)
        if m:
            r[key] = conv(m.group(1))

    grab("sent", r"Queries sent:\s+(\d+)", int)
    grab("completed", r"Queries completed:\s+(\d+)", int)
    grab("lost", r"Queries lost:\s+(\d+)", int)
    grab("run_s", r"Run time \(s\):\s+([\d.]+)")
    grab("qps", r"Queries per second:\s+([\d.]+)")
    grab("lat_sd_ms", r"Latency StdDev \(s\):\s+([\d.]+)")
    if "lat_sd_ms" in r:
        r["lat_sd_ms"] *= 1000
    m = re.search(r"Average Latency \(s\):\s+([\d.]+) \(min ([\d.]+), max ([\d.]+)\)", text)
    if m:
        r["lat_avg_ms"], r["lat_min_ms"], r["lat_max_ms"] = (float(x) * 1000 for x in m.groups())
    m = re.search(r"Response codes:\s+(.*)$", text, re.M)
    if m:
        r["rcodes"] = m.group(1).strip()
        for code, n in re.findall(r"([A-Z]+) (\d+) \(", r["rcodes"]):
            r["rc_" + code.lower()] = int(n)
    if r.get("sent"):
        r["lost_pct"] = 100.0 * r.get("lost", 0) / r["sent"]
    return r


def diff(a, b):
    out = {}
    for k, v in b.items():
        if isinstance(v, (int, float)) and isinstance(a.get(k), (int, float)):
            out[k] = v - a[k]
    return out


def counters(before, after, prefix=""):
    """upstream/net/lanlord deltas as flat keys"""
    r = {}
    du = diff(before.get("up", {}), after.get("up", {}))
    r["up_queries"] = du.get("total.num.queries")
    r["up_tls"] = du.get("num.query.tls")
    r["up_tls_resume"] = du.get("num.query.tls.resume")
    r["up_tcp"] = du.get("num.query.tcp")
    dn = diff(before.get("net", {}), after.get("net", {}))
    r["tcp_accepted"] = dn.get("Tcp.PassiveOpens")   # connections accepted in the namespace: the upstream's
    r["tcp_opened"] = dn.get("Tcp.ActiveOpens")
    r["tcp_retrans"] = dn.get("Tcp.RetransSegs")
    r["udp_rcvbuf_err"] = dn.get("Udp.RcvbufErrors")
    if r["up_tls"] and r["tcp_accepted"]:
        r["up_q_per_conn"] = r["up_tls"] / r["tcp_accepted"]
    lb, la = before.get("lanlord"), after.get("lanlord")
    if lb is None and isinstance(la, dict):   # life: "before" was taken before lanlord started
        lb = {k: 0 for k in la}
    if isinstance(lb, dict) and isinstance(la, dict):
        for k, v in diff(lb, la).items():
            if not k.endswith("per_connection") and not k.startswith("srv_"):
                r["ll_" + k] = v
        for k in ("tls_queries_per_connection", "tls_handshakes", "tls_resumed", "tls_queries",
                  "tls_connections_opened"):
            if k in la:
                r["ll_total_" + k[4:]] = la[k]
        h = r.get("ll_tls_handshakes")
        if h:
            r["ll_q_per_handshake"] = r.get("ll_tls_queries", 0) / h
        if la.get("tls_handshakes"):
            r["ll_total_q_per_handshake"] = la.get("tls_queries", 0) / la["tls_handshakes"]
    return {prefix + k: v for k, v in r.items() if v is not None}


def kv_list(items):
    d = {}
    for kv in items or []:
        k, _, v = kv.partition("=")
        try:
            d[k] = int(v)
        except ValueError:
            try:
                d[k] = float(v)
            except ValueError:
                d[k] = v
    return d


def run_pass(args, cmd):
    global CHILD
    s0 = snap(args)
    p0 = proc_cpu()
    ch0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    f0, t0, u0, w0 = sched_ns(args.fwd_pid), stat_ticks(args.fwd_pid), sched_ns(args.up_pid), time.monotonic()
    CHILD = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out, _ = CHILD.communicate()
    rc = CHILD.returncode
    CHILD = None
    f1, t1, u1, w1 = sched_ns(args.fwd_pid), stat_ticks(args.fwd_pid), sched_ns(args.up_pid), time.monotonic()
    ch1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    p1 = proc_cpu()
    s1 = snap(args)
    lat = []
    kept = []
    for line in out.splitlines():
        if line.startswith("> "):
            p = line.split()
            try:
                lat.append(float(p[-1]) * 1000)
            except (ValueError, IndexError):
                pass
        else:
            kept.append(line)
    if args.log:
        with open(args.log, "w") as f:
            f.write(" ".join(cmd) + "\n" + "\n".join(kept) + "\n")
    r = kv_list(args.extra)
    r["ts"] = time.strftime("%H:%M:%S")
    r["dnsperf_rc"] = rc
    r.update(parse_dnsperf(out))
    wall = w1 - w0
    r["wall_s"] = round(wall, 3)
    if f0 is not None and f1 is not None:
        r["fwd_cpu_s"] = (f1 - f0) / 1e9
    if t0 is not None and t1 is not None:
        r["fwd_ticks_s"] = (t1 - t0) / HZ
    r["fwd_threads"] = nthreads(args.fwd_pid)
    if u0 is not None and u1 is not None:
        r["up_cpu_s"] = (u1 - u0) / 1e9
    perf_s = (ch1.ru_utime + ch1.ru_stime) - (ch0.ru_utime + ch0.ru_stime)
    r["dnsperf_cpu_s"] = round(perf_s, 3)
    r["dnsperf_util_pct"] = round(100.0 * perf_s / wall, 1)
    if "up_cpu_s" in r:
        r["up_util_pct"] = round(100.0 * r["up_cpu_s"] / wall, 1)
        r["cpu0_ours_pct"] = round(r["up_util_pct"] + r["dnsperf_util_pct"], 1)
    ours = {os.getpid(), args.fwd_pid, args.up_pid}
    r["others_cpu_pct"] = round(100.0 * others_ticks(p0, p1, ours) / HZ / wall, 1)
    comp = r.get("completed") or 0
    if comp and "fwd_cpu_s" in r:
        r["us_per_miss"] = r["fwd_cpu_s"] * 1e6 / comp
        r["fwd_util_pct"] = round(100.0 * r["fwd_cpu_s"] / wall, 1)
    if comp and "up_cpu_s" in r:
        r["up_us_per_q"] = r["up_cpu_s"] * 1e6 / comp
    if lat:
        lat.sort()
        r["lat_n"] = len(lat)
        for p in (50, 90, 99, 99.9):
            r[f"lat_p{str(p).replace('.', '_')}_ms"] = round(pct(lat, p), 3)
    r.update(counters(s0, s1))
    if comp and r.get("up_queries") is not None:
        r["up_per_miss"] = r["up_queries"] / comp
    r["fwd_alive"] = os.path.isdir(f"/proc/{args.fwd_pid}")
    return r


def main():
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    signal.signal(signal.SIGHUP, on_term)
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=("snap", "pass", "life"))
    ap.add_argument("--up-conf")
    ap.add_argument("--up-pid", type=int)
    ap.add_argument("--fwd-pid", type=int)
    ap.add_argument("--ctl")
    ap.add_argument("--ctl-sock")
    ap.add_argument("--out")
    ap.add_argument("--log")
    ap.add_argument("--before")
    ap.add_argument("--after")
    ap.add_argument("--extra", action="append")
    argv = sys.argv[1:]
    cmd = []
    if "--" in argv:
        i = argv.index("--")
        argv, cmd = argv[:i], argv[i + 1:]
    args = ap.parse_args(argv)
    if args.what == "snap":
        print(json.dumps(snap(args)))
        return
    if args.what == "life":
        r = kv_list(args.extra)
        r["ts"] = time.strftime("%H:%M:%S")
        r.update(counters(json.loads(args.before), json.loads(args.after)))
    else:
        r = run_pass(args, cmd)
    line = json.dumps(r)
    if args.out:
        with open(args.out, "a") as f:
            f.write(line + "\n")
    print(line)


if __name__ == "__main__":
    main()
