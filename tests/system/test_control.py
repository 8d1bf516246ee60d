#!/usr/bin/python3
"""System tests of the control socket (lanlordctl) and the Prometheus
endpoint against a running lanlord with a real NSD upstream."""

import json
import os
import shutil
import socket
import subprocess
import sys
import urllib.error
import urllib.request

import lanlord_test as lt
from lanlord_test import check, check_eq, dig

ZONE = ["www IN A 192.0.2.1", "mail IN A 192.0.2.2", "other IN A 192.0.2.3"]


class Setup:
    def __init__(self, env, metrics=False, extra=""):
        self.env = env
        self.nsd = env.nsd("nsd", env.addr(11), {"a.test": lt.zone("a.test", ZONE)})
        self.listen = env.addr(1)
        self.socket = os.path.join(env.tmp, "control.sock")
        self.metrics = f"{env.addr(1)}:9153" if metrics else None
        self.extra = extra
        self.config_path = env.write("lanlord.toml", self.config_text())
        self.ll = env.start_lanlord(open(self.config_path).read())

    def config_text(self, records=()):
        text = lt.lanlord_config([f"{self.listen}:53"], [{"name": "main", "servers": [self.nsd.address]}],
                                 records=records, top={"threads": 2})
        text += f'\n[control]\nsocket = "{self.socket}"\n'
        if self.metrics:
            text += f'\n[metrics]\nlisten = "{self.metrics}"\n'
        return text + self.extra

    def ctl(self, *args, rc=0):
        return lt.lanlordctl(self.env, self.socket, *args, rc=rc)

    def ctl_json(self, *args):
        return lt.lanlordctl_json(self.env, self.socket, *args)


def case_commands(env):
    """status, stats, cache dump/flush (all and by name), log-level and reload, as tables and JSON."""
    s = Setup(env)
    q0 = s.nsd.queries()
    for name in ("www.a.test", "mail.a.test", "www.a.test", "www.a.test"):
        check_eq(dig(s.listen, name).status, "NOERROR", f"answer for {name}")
    check_eq(dig(s.listen, "nope.a.test").status, "NXDOMAIN", "answer for nope.a.test")
    check_eq(dig(s.listen, "www.a.test", "AAAA").status, "NOERROR", "AAAA answer")
    check_eq(s.nsd.queries() - q0, 4, "queries NSD saw (www, mail, nope, www AAAA)")

    status = s.ctl("status").stdout
    check("lanlord " in status and f"{s.listen}:53" in status, "status names the version and the listener")
    check(s.nsd.address in status and " up " in status, "status lists the upstream server as up")
    st = s.ctl_json("status")
    check_eq(st["threads"], 2, "threads in status")
    check_eq(st["config_file"], s.config_path, "config file in status")
    server = st["upstream_groups"][0]["servers"][0]
    check_eq(server["state"], "up", "upstream state")
    check(server["srtt_ms"] > 0, f"smoothed RTT measured ({server['srtt_ms']})")
    check_eq(server["answers"], 4, "answers from the upstream")

    stats = s.ctl_json("stats")
    dns = stats["dns"]
    check_eq(dns["queries"], 6, "queries counted")
    check_eq(dns["queries_by_type"], {"A": 5, "AAAA": 1}, "queries by type")
    check_eq(dns["answers_by_rcode"], {"NOERROR": 5, "NXDOMAIN": 1}, "answers by rcode")
    check_eq(stats["cache"]["hits"], 2, "cache hits")
    check_eq(stats["cache"]["misses"], 4, "cache misses")
    check_eq(stats["cache"]["inserts"], 4, "cache inserts")
    check_eq(dns["upstream_queries"], 4, "upstream queries")
    check_eq(dns["answer_latency"]["count"], 6, "every answer in the latency histogram")
    check("cache hits" in s.ctl("stats").stdout, "stats table")

    dump = s.ctl_json("cache", "dump")
    names = sorted((e["name"], e["type"]) for e in dump["entries"])
    check_eq(names, [("mail.a.test.", "A"), ("nope.a.test.", "A"), ("www.a.test.", "A"), ("www.a.test.", "AAAA")],
             "cache dump entries")
    www = [e for e in dump["entries"] if e["name"] == "www.a.test." and e["type"] == "A"][0]
    check(0 < www["ttl"] <= 300 and www["state"] == "fresh", f"TTL left of www ({www['ttl']})")
    check_eq(www["answers"], ["www.a.test. 300 IN A 192.0.2.1"], "answer of www in the dump")
    check_eq([e["rcode"] for e in dump["entries"] if e["name"] == "nope.a.test."], ["NXDOMAIN"], "negative entry")
    only = s.ctl_json("cache", "dump", "WWW.a.test")
    check_eq(sorted(e["type"] for e in only["entries"]), ["A", "AAAA"], "cache dump of one name")
    table = s.ctl("cache", "dump").stdout
    check("192.0.2.1" in table and "4 entries" in table, "cache dump table")
    check_eq(s.ctl_json("cache", "dump", "--limit", "1")["shown"], 1, "--limit")

    check_eq(s.ctl_json("cache", "flush", "www.a.test")["flushed"], 2, "entries flushed for www.a.test")
    q1 = s.nsd.queries()
    dig(s.listen, "www.a.test")
    dig(s.listen, "mail.a.test")
    check_eq(s.nsd.queries() - q1, 1, "after flushing www only www goes upstream again")
    check("flushed 3 entries" in s.ctl("cache", "flush").stdout, "flush of everything (mail, nope, www A)")
    check_eq(s.ctl_json("cache", "dump")["total"], 0, "cache empty after flush")

    # log-level: debug lines appear after it, and go away again.
    check_eq(st["log_level"], "info", "log level at start")
    s.ctl("log-level", "debug")
    s.ll.wait_log("log level set to debug", 5, "the change logged")
    check_eq(s.ctl_json("status")["log_level"], "debug", "log level after log-level debug")
    s.ctl("log-level", "warn")
    check_eq(s.ctl_json("status")["log_level"], "warning", "log level after log-level warn")
    s.ctl("log-level", "loud", rc=1)

    # reload: a valid new config is applied (a new local record answers) ...
    with open(s.config_path, "w") as fh:
        fh.write(s.config_text(records=[{"name": "added.lan", "type": "A", "data": "192.0.2.99"}]))
    check("reloaded" in s.ctl("reload").stdout, "reload reported")
    check_eq(dig(s.listen, "added.lan").rdatas("A"), ["192.0.2.99"], "record from the reloaded config")
    # ... an invalid one is refused with its errors, and the old one stays.
    with open(s.config_path, "w") as fh:
        fh.write(s.config_text() + "\n[cache]\nsize = \"many\"\n")
    bad = s.ctl("reload", rc=1)
    check("cache.size" in bad.stderr and "lanlord.toml:" in bad.stderr, f"reload errors listed: {bad.stderr}")
    check_eq(dig(s.listen, "added.lan").rdatas("A"), ["192.0.2.99"], "old configuration kept")
    check_eq(s.ll.proc.poll(), None, "lanlord still running")


def raw_exchange(path, payload, read=True, timeout=5):
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.connect(path)  # blocking: waits while the backlog is full
    c.settimeout(timeout)
    c.sendall(payload)
    if not read:
        return c
    data = b""
    while not data.endswith(b"\n"):
        chunk = c.recv(65536)
        if not chunk:
            break
        data += chunk
    c.close()
    return data


def case_hostile(env):
    """Bad requests get error replies; a client that disconnects mid-request, an oversized request and a
    crowd of idle connections do not stop the daemon, its DNS service, or the next lanlordctl."""
    s = Setup(env)
    for payload in (b"not json\n", b"{}\n", b"[1,2]\n", b'{"command":"format-disk"}\n', b"\xff\xfe\n",
                    b'{"command":"cache.flush","name":"a..b"}\n', b"[" * 5000 + b"\n"):
        reply = json.loads(raw_exchange(s.socket, payload))
        check(reply["ok"] is False and reply["error"], f"error reply to {payload[:30]!r}: {reply}")
    # Several requests on one connection, answered in order.
    data = raw_exchange(s.socket, b'{"command":"status"}\n{"command":"stats"}\n', read=False)
    data.settimeout(5)
    got = b""
    while got.count(b"\n") < 2:
        got += data.recv(65536)
    data.close()
    lines = [json.loads(x) for x in got.splitlines()]
    check("listeners" in lines[0]["result"] and "dns" in lines[1]["result"], "two replies in order")
    # Disconnect in the middle of a request.
    for _ in range(5):
        raw_exchange(s.socket, b'{"command":"sta', read=False).close()
    # Oversized: an error reply, then the connection is closed.
    reply = raw_exchange(s.socket, b"x" * (70 * 1024))
    check(b"request too long" in reply, f"oversized request refused: {reply[:100]!r}")
    # 20 idle connections (the cap is 16): the next lanlordctl still gets through.
    idle = [raw_exchange(s.socket, b"", read=False) for _ in range(20)]
    st = s.ctl_json("status")
    check("version" in st, "status with 20 idle connections open")
    for c in idle:
        c.close()
    check_eq(dig(s.listen, "www.a.test").status, "NOERROR", "DNS still answers")
    check_eq(s.ll.proc.poll(), None, "lanlord still running")


def scrape(url):
    with urllib.request.urlopen(url, timeout=5) as r:
        check_eq(r.status, 200, "HTTP status of /metrics")
        check("text/plain" in r.headers["Content-Type"], "content type")
        return r.read().decode()


def metric_values(text):
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            out[name] = float(value)
    return out


def case_metrics(env):
    """/metrics passes promtool check metrics; counters, histograms and upstream metrics move after known
    traffic; other paths get 404."""
    s = Setup(env, metrics=True)
    url = f"http://{s.metrics}/metrics"
    before = metric_values(scrape(url))
    for name in ("www.a.test", "www.a.test", "www.a.test", "nope.a.test"):
        dig(s.listen, name)
    text = scrape(url)
    promtool = shutil.which("promtool")
    if promtool:
        p = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True, timeout=20)
        check_eq(p.returncode, 0, f"promtool check metrics: {p.stdout}{p.stderr}")
    else:
        lt.log("promtool not installed (Debian package prometheus): exposition checked by this test only")
    after = metric_values(text)

    def moved(name):
        return after.get(name, 0) - before.get(name, 0)
    check_eq(moved("lanlord_dns_queries_total"), 4, "queries counter moved by 4")
    check_eq(moved("lanlord_cache_hits_total"), 2, "cache hits moved by 2")
    check_eq(moved('lanlord_dns_answers_total{rcode="NXDOMAIN"}'), 1, "NXDOMAIN answers moved by 1")
    check_eq(moved('lanlord_dns_queries_by_type_total{type="A"}'), 4, "A queries moved by 4")
    check_eq(moved('lanlord_dns_answer_duration_seconds_bucket{le="+Inf"}'), 4, "latency histogram count")
    check_eq(moved("lanlord_dns_answer_duration_seconds_count"), 4, "latency histogram _count")
    server = f'group="main",server="{s.nsd.address}:53"'
    check_eq(moved(f"lanlord_upstream_answers_total{{{server}}}"), 2, "upstream answers")
    check_eq(moved(f"lanlord_upstream_rtt_seconds_count{{{server}}}"), 2, "upstream RTT histogram count")
    check_eq(after.get(f"lanlord_upstream_up{{{server}}}"), 1.0, "upstream up")
    check(after["lanlord_cache_entries"] == 2, "two cache entries (www, nope)")
    try:
        urllib.request.urlopen(f"http://{s.metrics}/other", timeout=5)
        check(False, "/other should be 404")
    except urllib.error.HTTPError as e:
        check_eq(e.code, 404, "status for /other")
    # A raw garbage request is dropped without harm.
    c = socket.create_connection((s.metrics.split(":")[0], 9153), timeout=5)
    c.sendall(b"\x00\x01garbage\r\n\r\n")
    c.close()
    check("lanlord_dns_queries_total" in scrape(url), "still serving after garbage")


def case_leases(env):
    """A real client's lease (busybox udhcpc) shows in lanlordctl leases and in status's pool use."""
    import test_dhcp_clients as dc
    socket_path = os.path.join(env.tmp, "control.sock")
    lan = dc.Lan(env, extra_subnet=f'\n[control]\nsocket = "{socket_path}"\n')
    ns, ifname = lan.client("02:00:00:00:0c:01")
    ip = dc.check_lease(dc.udhcpc(lan, ns, ifname, False, "ctlbox"), "udhcpc")

    def run(*args):
        return lt.lanlordctl(env, socket_path, *args).stdout
    leases = json.loads(run("--json", "leases"))["result"]["leases"]
    check_eq([(x["address"], x["hardware"], x["hostname"], x["state"]) for x in leases],
             [(ip, "02:00:00:00:0c:01", "ctlbox", "active")], "leases")
    check(3000 < leases[0]["expires_in_s"] <= 3600, f"expires in {leases[0]['expires_in_s']} s")
    table = run("leases")
    check(ip in table and "ctlbox" in table, "leases table")
    subnet = json.loads(run("--json", "status"))["result"]["dhcp"]["subnets"][0]
    check_eq((subnet["pool_size"], subnet["active_leases"]), (10, 1), "pool size and use")
    stats = json.loads(run("--json", "stats"))["result"]["dhcp"]
    check(stats["discover"] >= 1 and stats["ack"] >= 1 and stats["offer"] >= 1, f"DHCP counters {stats}")


def case_no_daemon(env):
    """lanlordctl without a daemon: a clear error and exit code 3, no hang."""
    ctl = lt.lanlordctl_path(env)
    p = subprocess.run([ctl, "--socket", os.path.join(env.tmp, "none.sock"), "status"], capture_output=True,
                       text=True, timeout=20)
    check_eq(p.returncode, 3, "exit code")
    check("cannot connect" in p.stderr, f"message: {p.stderr}")
    p = subprocess.run([ctl, "frobnicate"], capture_output=True, text=True, timeout=20)
    check_eq(p.returncode, 2, "usage error exit code")


if __name__ == "__main__":
    sys.exit(lt.main({"commands": case_commands, "hostile": case_hostile, "metrics": case_metrics,
                      "leases": case_leases, "no_daemon": case_no_daemon}))
