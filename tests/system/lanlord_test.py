"""Shared harness of lanlord's system tests: the real daemon against real peers.

Every test script defines cases (functions taking an Env) and calls main();
CTest runs one case per test:  test_x.py --lanlord PATH --case NAME.

The Env gives each case
  - a private temp dir (kept and named on failure),
  - a /24 of loopback addresses nobody else uses (127.A.B.0/24, checked free),
  - NSD instances with generated zones and query counters (nsd-control over a
    unix socket),
  - lanlord instances with a generated TOML file, stderr captured to a log,
  - dig and dnspython clients, a systemd notify listener, network namespaces,
and undoes everything it set up (processes by PID, namespaces, veths) in
reverse order, also on failure, timeout (SIGALRM) or SIGTERM.

Exit status: 0 pass, 1 fail, 77 skip (CTest SKIP_RETURN_CODE).
"""

import argparse
import contextlib
import ctypes
import json
import os
import queue
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback

import dns.message
import dns.name
import dns.query

SKIP = 77
NSD = "/usr/sbin/nsd"
NSD_CONTROL = "/usr/sbin/nsd-control"
DIG = "/usr/bin/dig"
IP = "/usr/sbin/ip"


class Failure(Exception):
    """An assertion about lanlord's behaviour did not hold."""


class Skip(Exception):
    """The case cannot run here (not root, port busy, ...)."""


class Timeout(BaseException):
    """The case's internal deadline (SIGALRM) or SIGTERM: not swallowed by
    `except Exception` in polling loops."""


def check(cond, message):
    if not cond:
        raise Failure(message)


def check_eq(actual, expected, what):
    if actual != expected:
        raise Failure(f"{what}: expected {expected!r}, got {actual!r}")


def wait_until(predicate, timeout, what, interval=0.02):
    """Polls predicate() until it returns a true value, which is returned."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise Failure(f"timed out after {timeout:.1f}s waiting for {what}")
        time.sleep(interval)


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# ---------------------------------------------------------------- addresses

def _bound_local_addresses():
    """Every IPv4 address with a bound UDP or TCP socket (from /proc)."""
    out = set()
    for f in ("/proc/net/udp", "/proc/net/tcp"):
        try:
            with open(f) as fh:
                next(fh)
                for line in fh:
                    hexaddr = line.split()[1].split(":")[0]
                    out.add(socket.inet_ntoa(struct.pack("<I", int(hexaddr, 16))))
        except OSError:
            pass
    return out


def _free_loopback_net():
    """A 127.A.B.0/24 with no bound socket, A in 64..250 (avoids 127.0.x.x)."""
    rng = random.SystemRandom()
    bound = _bound_local_addresses()
    for _ in range(200):
        a, b = rng.randint(64, 250), rng.randint(1, 250)
        prefix = f"127.{a}.{b}."
        if not any(x.startswith(prefix) for x in bound):
            return prefix
    raise RuntimeError("no free 127.x.y.0/24 found")


def port_free(addr, port, family=socket.AF_INET):
    for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        s = socket.socket(family, kind)
        try:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((addr, port))
        except OSError:
            return False
        finally:
            s.close()
    return True


# ---------------------------------------------------------------- processes

def _children(pid):
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                out += [int(x) for x in fh.read().split()]
    except OSError:
        pass
    return out


def descendants(pid):
    out, todo = [], [pid]
    while todo:
        for c in _children(todo.pop()):
            out.append(c)
            todo.append(c)
    return out


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def stop_process_tree(proc, sig=signal.SIGTERM, timeout=5.0):
    """Stops a process we started and its descendants, by PID only."""
    if proc.poll() is not None:
        return proc.returncode
    kids = descendants(proc.pid)
    try:
        proc.send_signal(sig)
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout)
    deadline = time.monotonic() + timeout
    for k in kids:
        while _alive(k) and time.monotonic() < deadline:
            time.sleep(0.02)
        if _alive(k):
            try:
                os.kill(k, signal.SIGKILL)
            except ProcessLookupError:
                pass
    return proc.returncode


# ---------------------------------------------------------------- network namespaces, in-process

_CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)


def _setns(fd):
    if _libc.setns(fd, _CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"setns: {os.strerror(err)}")


def enter_netns(name):
    """Moves the calling thread (only it) into network namespace `name` for
    good: for helper threads whose sockets must live there."""
    fd = os.open(f"/run/netns/{name}", os.O_RDONLY)
    try:
        _setns(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def netns_entered(name):
    """Sockets created inside the block belong to network namespace `name`
    (and stay there); the calling thread returns to its own namespace after."""
    own = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    try:
        enter_netns(name)
        try:
            yield
        finally:
            _setns(own)
    finally:
        os.close(own)


# ---------------------------------------------------------------- DNS clients

class DigResult:
    """dig's text output, parsed: status, flags, sections, size, query time."""

    def __init__(self, argv, rc, out, err, elapsed):
        self.argv, self.rc, self.text, self.stderr, self.elapsed = argv, rc, out, err, elapsed
        self.status = None
        self.flags = set()
        self.sections = {"QUESTION": [], "ANSWER": [], "AUTHORITY": [], "ADDITIONAL": []}
        self.msg_size = None
        self.query_time_ms = None
        self.edns_udp = None
        section = None
        for line in out.splitlines():
            m = re.search(r"->>HEADER<<- opcode: \w+, status: (\w+), id: \d+", line)
            if m:
                self.status = m.group(1)
                continue
            m = re.match(r";; flags:([^;]*);", line)
            if m:
                self.flags = set(m.group(1).split())
                continue
            m = re.match(r";; (QUESTION|ANSWER|AUTHORITY|ADDITIONAL) SECTION:", line)
            if m:
                section = m.group(1)
                continue
            m = re.match(r"; EDNS: version: \d+, flags:.*; udp: (\d+)", line)
            if m:
                self.edns_udp = int(m.group(1))
            m = re.match(r";; Query time: (\d+) msec", line)
            if m:
                self.query_time_ms = int(m.group(1))
            m = re.match(r";; MSG SIZE\s+rcvd: (\d+)", line)
            if m:
                self.msg_size = int(m.group(1))
            if not line.strip():
                section = None
                continue
            if section and not line.startswith(";"):
                self.sections[section].append(Rr(line))
            elif section == "QUESTION":
                self.sections[section].append(line)

    @property
    def answer(self):
        return self.sections["ANSWER"]

    @property
    def authority(self):
        return self.sections["AUTHORITY"]

    def rdatas(self, rtype):
        return sorted(r.rdata for r in self.answer if r.type == rtype)

    def ttls(self, rtype):
        return [r.ttl for r in self.answer if r.type == rtype]

    def __str__(self):
        return f"$ {' '.join(self.argv)}  (exit {self.rc}, {self.elapsed * 1000:.0f} ms)\n{self.text}{self.stderr}"


class Rr:
    def __init__(self, line):
        parts = line.split(None, 4)
        self.name, self.ttl, self.cls, self.type = parts[0], int(parts[1]), parts[2], parts[3]
        self.rdata = parts[4] if len(parts) > 4 else ""

    def __repr__(self):
        return f"{self.name} {self.ttl} {self.cls} {self.type} {self.rdata}"


def dig(server, name, rtype="A", port=53, opts=(), source=None, netns=None, timeout=3):
    argv = [DIG, f"@{server}", "-p", str(port), name, rtype, f"+time={timeout}", "+tries=1"]
    if source:
        argv[1:1] = ["-b", source]
    argv += list(opts)
    if netns:
        argv = [IP, "netns", "exec", netns] + argv
    start = time.monotonic()
    p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout * 3 + 10)
    r = DigResult(argv, p.returncode, p.stdout, p.stderr, time.monotonic() - start)
    log(f"dig {name} {rtype} @{server}{' ' + ' '.join(opts) if opts else ''}: {r.status} "
        f"flags={' '.join(sorted(r.flags))} answer={[f'{x.ttl} {x.type} {x.rdata[:40]}' for x in r.answer]} "
        f"time={r.query_time_ms}ms")
    return r


def udp_query(server, name, rtype="A", port=53, timeout=0.3, device=None, payload=1232):
    """One dnspython UDP query; device binds the socket (SO_BINDTODEVICE)."""
    q = dns.message.make_query(name, rtype, use_edns=0, payload=payload)
    fam = socket.AF_INET6 if ":" in server else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.setblocking(False)  # dnspython waits with select() on a given socket
    try:
        if device:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, device.encode())
        return dns.query.udp(q, server, timeout=timeout, port=port, sock=s)
    finally:
        s.close()


class TcpClient:
    """One DNS-over-TCP connection (RFC 7766): length-prefixed messages."""

    def __init__(self, server, port, timeout=3.0):
        self.timeout = timeout
        self.sock = socket.create_connection((server, port), timeout=timeout)
        self.buf = b""

    def close(self):
        self.sock.close()

    def exchange(self, messages):
        """Sends every message at once (pipelined) and returns the responses
        in the order they arrive."""
        wire = b"".join(struct.pack("!H", len(m)) + m for m in (x.to_wire() for x in messages))
        self.sock.sendall(wire)
        out = []
        deadline = time.monotonic() + self.timeout
        while len(out) < len(messages):
            if len(self.buf) >= 2 and len(self.buf) >= 2 + struct.unpack("!H", self.buf[:2])[0]:
                n = struct.unpack("!H", self.buf[:2])[0]
                out.append(dns.message.from_wire(self.buf[2:2 + n]))
                self.buf = self.buf[2 + n:]
                continue
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Failure(f"TCP: {len(out)} of {len(messages)} answers within {self.timeout}s")
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            if not chunk:
                raise Failure(f"TCP connection closed by the server after {len(out)} of {len(messages)} answers")
            self.buf += chunk
        return out


def tcp_exchange(server, port, messages, timeout=3.0):
    c = TcpClient(server, port, timeout)
    try:
        return c.exchange(messages)
    finally:
        c.close()


# ---------------------------------------------------------------- zones

def zone(origin, records, ttl=300, soa_ttl=None, minimum=300):
    """A zone file: SOA (MINIMUM `minimum`, own TTL `soa_ttl`), NS and records."""
    soa_ttl = ttl if soa_ttl is None else soa_ttl
    lines = [f"$ORIGIN {origin}.", f"$TTL {ttl}",
             f"@ {soa_ttl} IN SOA ns.{origin}. hostmaster.{origin}. 1 3600 900 604800 {minimum}",
             "@ IN NS ns", "ns IN A 192.0.2.254"]
    return "\n".join(lines + list(records)) + "\n"


# ---------------------------------------------------------------- lanlord config

def _toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'


def lanlord_config(listen, upstreams, dns=None, cache=None, local=None, top=None, records=(), addresses=(),
                   blocklist=None, recursion=None, control=None, dnssec=None):
    """A TOML file: [dns] listen (+ `dns` keys), [cache] keys, [local] keys
    (hosts = [] unless given: no test reads /etc/hosts unless it says so),
    one [[local.record]] / [[local.address]] table per dict in `records` /
    `addresses`, [blocklist], [recursion], [control] and [dnssec] keys (each when
    given), and one [[upstream]] table per dict in `upstreams` (a recursive
    group is {"recursive": True, ...} without "servers")."""
    lines = [f"{k} = {_toml_value(v)}" for k, v in (top or {}).items()]
    d = {"listen": list(listen)}
    d.update(dns or {})
    lines += ["", "[dns]"] + [f"{k} = {_toml_value(v)}" for k, v in d.items()]
    if cache:
        lines += ["", "[cache]"] + [f"{k} = {_toml_value(v)}" for k, v in cache.items()]
    loc = {"hosts": []}
    loc.update(local or {})
    lines += ["", "[local]"] + [f"{k} = {_toml_value(v)}" for k, v in loc.items()]
    for table, entries in (("local.record", records), ("local.address", addresses)):
        for e in entries:
            lines += ["", f"[[{table}]]"] + [f"{k} = {_toml_value(v)}" for k, v in e.items()]
    if blocklist is not None:
        lines += ["", "[blocklist]"] + [f"{k} = {_toml_value(v)}" for k, v in blocklist.items()]
    for table, keys in (("recursion", recursion), ("control", control), ("dnssec", dnssec)):
        if keys is not None:
            lines += ["", f"[{table}]"] + [f"{k} = {_toml_value(v)}" for k, v in keys.items()]
    for g in upstreams:
        lines += ["", "[[upstream]]"] + [f"{k} = {_toml_value(v)}" for k, v in g.items()]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- lanlordctl

def lanlordctl_path(env):
    return os.path.join(os.path.dirname(env.lanlord), "lanlordctl")


def lanlordctl(env, socket_path, *args, rc=0):
    """Runs `lanlordctl --socket socket_path args...`; checks the exit code unless rc is None."""
    p = subprocess.run([lanlordctl_path(env), "--socket", socket_path, *args], capture_output=True, text=True,
                       timeout=20)
    log(f"lanlordctl {' '.join(args)} -> {p.returncode}\n{p.stdout[-1500:]}{p.stderr[-500:]}")
    if rc is not None:
        check_eq(p.returncode, rc, f"exit code of lanlordctl {' '.join(args)} ({p.stderr.strip()})")
    return p


def lanlordctl_json(env, socket_path, *args):
    """The `result` of `lanlordctl --json args...`."""
    return json.loads(lanlordctl(env, socket_path, "--json", *args).stdout)["result"]


# ---------------------------------------------------------------- a scripted upstream

class FakeUpstream:
    """A UDP DNS server in a thread of this process. `answer(query, peer)`
    returns the response message (or None for silence) and is called on the
    server thread; `delay` holds every response back. Every query is kept in
    `queries` as (time, peer, message) and put on `arrivals`."""

    def __init__(self, env, address, answer, delay=0.0, port=53):
        self.address, self.port, self.respond, self.delay = address, port, answer, delay
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((address, port))
        self.sock.settimeout(0.05)
        self.queries = []
        self.arrivals = queue.Queue()
        self.stop = threading.Event()
        self.timers = []
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()
        env.defer(self.close)

    def run(self):
        while not self.stop.is_set():
            try:
                data, peer = self.sock.recvfrom(65535)
            except socket.timeout:
                continue
            except OSError:
                return
            try:
                q = dns.message.from_wire(data)
            except Exception:
                continue
            self.queries.append((time.monotonic(), peer, q))
            self.arrivals.put((peer, q))
            r = self.respond(q, peer)
            if r is None:
                continue
            wire = r.to_wire()
            if self.delay:
                t = threading.Timer(self.delay, self.send, (wire, peer))
                self.timers.append(t)
                t.start()
            else:
                self.send(wire, peer)

    def send(self, wire, peer):
        if not self.stop.is_set():
            try:
                self.sock.sendto(wire, peer)
            except OSError:
                pass

    def asked(self, name):
        want = dns.name.from_text(name)
        return sum(1 for _, _, q in self.queries if q.question and q.question[0].name == want)

    def close(self):
        self.stop.set()
        for t in self.timers:
            t.cancel()
        self.thread.join(2)
        self.sock.close()


# ---------------------------------------------------------------- peers

def control_stats(tool, conf):
    """`nsd-control` or `unbound-control` stats_noreset as {name: number}."""
    p = subprocess.run([tool, "-c", conf, "stats_noreset"], capture_output=True, text=True, timeout=10)
    if p.returncode != 0:
        raise RuntimeError(f"{os.path.basename(tool)} stats_noreset failed: {p.stdout}{p.stderr}")
    out = {}
    for line in p.stdout.splitlines():
        k, _, v = line.partition("=")
        try:
            out[k] = float(v) if "." in v else int(v)
        except ValueError:
            pass
    return out


class Nsd:
    """`address`: one address or a list of them (NSD listens on each; `address`
    is then the first); `extra`: more lines for the server: clause."""

    def __init__(self, env, name, address, zones, port=53, netns=None, extra=()):
        addresses = [address] if isinstance(address, str) else list(address)
        self.env, self.name, self.address, self.port, self.netns = env, name, addresses[0], port, netns
        self.addresses = addresses
        self.zones = zones
        self.dir = os.path.join(env.tmp, name)
        os.makedirs(self.dir)
        self.conf = os.path.join(self.dir, "nsd.conf")
        self.log_path = os.path.join(self.dir, "nsd.log")
        text = [
            "server:",
            *(f"  ip-address: {a}" for a in addresses),
            f"  port: {port}",
            '  username: ""', '  chroot: ""', '  database: ""',
            f'  zonesdir: "{self.dir}"',
            f'  pidfile: "{self.dir}/nsd.pid"',
            f'  xfrdfile: "{self.dir}/xfrd.state"',
            f'  xfrdir: "{self.dir}"',
            f'  zonelistfile: "{self.dir}/zone.list"',
            f'  logfile: "{self.log_path}"',
            "  server-count: 1", "  do-ip6: no", "  verbosity: 1", "  round-robin: no",
            *(f"  {line}" for line in extra),
            "remote-control:",
            "  control-enable: yes",
            f'  control-interface: "{self.dir}/nsd.ctl"',
        ]
        for zname, ztext in zones.items():
            fname = f"{zname}.zone"
            with open(os.path.join(self.dir, fname), "w") as fh:
                fh.write(ztext)
            text += ["zone:", f"  name: {zname}", f"  zonefile: {fname}"]
        with open(self.conf, "w") as fh:
            fh.write("\n".join(text) + "\n")
        argv = [NSD, "-d", "-c", self.conf]
        if netns:
            argv = [IP, "netns", "exec", netns] + argv
        self.stderr = open(os.path.join(self.dir, "nsd.stderr"), "w")
        self.proc = subprocess.Popen(argv, stdout=self.stderr, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        env.defer(self.stop)

    def wait_ready(self, device=None, timeout=10):
        first = next(iter(self.zones))

        def answers():
            if self.proc.poll() is not None:
                raise Failure(f"NSD {self.name} exited with {self.proc.returncode}:\n{self.logs()}")
            try:
                # Without a device to reach it through (test_netns.py), the
                # address is only reachable inside the namespace: ask from there.
                if self.netns and not device:
                    with netns_entered(self.netns):
                        r = udp_query(self.address, first, "SOA", port=self.port, device=device)
                else:
                    r = udp_query(self.address, first, "SOA", port=self.port, device=device)
                return r.rcode() == 0
            except Exception:
                return False
        wait_until(answers, timeout, f"NSD {self.name} on {self.address}:{self.port} to answer")
        log(f"NSD {self.name} (pid {self.proc.pid}) serves {', '.join(self.zones)} on {self.address}:{self.port}"
            f"{' in netns ' + self.netns if self.netns else ''}")
        return self

    def stats(self):
        return control_stats(NSD_CONTROL, self.conf)

    def queries(self):
        return self.stats()["num.queries"]

    def stop(self):
        if self.proc.poll() is None:
            log(f"stopping NSD {self.name} (pid {self.proc.pid})")
        stop_process_tree(self.proc)
        self.stderr.close()

    def logs(self):
        out = ""
        for f in ("nsd.stderr", "nsd.log"):
            try:
                with open(os.path.join(self.dir, f)) as fh:
                    out += fh.read()
            except OSError:
                pass
        return out


class Lanlord:
    READY = re.compile(r"lanlord \S+ ready in \d+ ms")

    def __init__(self, env, name, config, args=(), extra_env=None, watchdog_pid_wrapper=False, netns=None,
                 wait_ready=True):
        self.env, self.name = env, name
        self.config_path = None
        argv = [env.lanlord]
        if config is not None:
            self.config_path = os.path.join(env.tmp, f"{name}.toml")
            with open(self.config_path, "w") as fh:
                fh.write(config)
            argv += ["--config", self.config_path]
        argv += list(args)
        if watchdog_pid_wrapper:
            # WATCHDOG_PID must be lanlord's own PID: the shell exports its
            # PID and execs lanlord, which keeps it.
            argv = ["/bin/sh", "-c", 'WATCHDOG_PID=$$; export WATCHDOG_PID; exec "$0" "$@"'] + argv
        if netns:
            argv = [IP, "netns", "exec", netns] + argv
        self.argv = argv
        environ = dict(os.environ)
        environ.pop("NOTIFY_SOCKET", None)
        environ.pop("WATCHDOG_USEC", None)
        environ.pop("WATCHDOG_PID", None)
        environ.pop("JOURNAL_STREAM", None)
        # A failed internal check (common/fault.h) aborts under test, so it
        # cannot pass unnoticed; the daemon's default is to log and go on.
        environ["LANLORD_ABORT_ON_CHECK"] = "1"
        # State files (the lease journal's default, the DNSSEC timestamp and RFC 5011 state) go to the
        # test's own directory, never to /var/lib/lanlord.
        environ["STATE_DIRECTORY"] = os.path.join(env.tmp, f"{name}-state")
        os.makedirs(environ["STATE_DIRECTORY"], exist_ok=True)
        environ.update(extra_env or {})
        self.state_dir = environ["STATE_DIRECTORY"]
        self.log_path = os.path.join(env.tmp, f"{name}.log")
        self.log_file = open(self.log_path, "w")
        log(f"starting {name}: {' '.join(argv)}")
        self.proc = subprocess.Popen(argv, stdout=self.log_file, stderr=subprocess.STDOUT, env=environ,
                                     start_new_session=True)
        env.defer(self.stop)
        env.lanlords.append(self)
        if wait_ready:
            self.wait_log(self.READY, 10, "the 'ready' log line")

    @property
    def pid(self):
        return self.proc.pid

    def log_text(self):
        with open(self.log_path, errors="replace") as fh:
            return fh.read()

    def wait_log(self, pattern, timeout, what, after=0):
        """Waits for `pattern` in the log past offset `after`; returns the match."""
        rx = re.compile(pattern) if isinstance(pattern, str) else pattern

        def found():
            m = rx.search(self.log_text(), after)
            if m:
                return m
            if self.proc.poll() is not None:
                raise Failure(f"lanlord exited with {self.proc.returncode} while waiting for {what}")
            return None
        return wait_until(found, timeout, f"{what} in lanlord's log")

    def log_size(self):
        return len(self.log_text())

    def signal(self, sig):
        os.kill(self.proc.pid, sig)

    def stop(self, timeout=5.0):
        if self.proc.poll() is None:
            log(f"stopping {self.name} (pid {self.proc.pid})")
        rc = stop_process_tree(self.proc, timeout=timeout)
        self.log_file.close()
        return rc

    def wait_exit(self, timeout):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise Failure(f"lanlord did not exit within {timeout}s")


class NotifyListener:
    """A unix datagram socket standing in for systemd's NOTIFY_SOCKET."""

    def __init__(self, env):
        self.path = os.path.join(env.tmp, "notify.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.messages = []  # (monotonic time received, {key: value}, raw)
        env.defer(self.sock.close)

    def _poll(self, timeout):
        self.sock.settimeout(max(timeout, 0.001))
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return None
        text = data.decode(errors="replace")
        fields = dict(line.split("=", 1) for line in text.split("\n") if "=" in line)
        self.messages.append((time.monotonic(), fields, text))
        log(f"notify: {text!r}")
        return fields

    def wait_for(self, key, value=None, timeout=10.0):
        """Returns the first message not yet consumed that has key(=value)."""
        deadline = time.monotonic() + timeout
        while True:
            for i in range(getattr(self, "_next", 0), len(self.messages)):
                f = self.messages[i][1]
                if key in f and (value is None or f[key] == value):
                    self._next = i + 1
                    return f
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Failure(f"no {key}{'=' + value if value else ''} notification within {timeout}s; "
                              f"got {[m[2] for m in self.messages]}")
            self._poll(remaining)

    def collect(self, duration):
        end = time.monotonic() + duration
        while time.monotonic() < end:
            self._poll(end - time.monotonic())


# ---------------------------------------------------------------- the environment

class Env:
    def __init__(self, lanlord_path, case):
        self.lanlord = lanlord_path
        self.case = case
        self.tmp = tempfile.mkdtemp(prefix="llst-", dir="/tmp")
        self.net = _free_loopback_net()
        self._cleanups = []
        self.lanlords = []
        self.nsds = []
        self.uid = os.getpid()

    def addr(self, host):
        """127.A.B.host: loopback addresses private to this case."""
        return f"{self.net}{host}"

    def defer(self, fn, *args, **kwargs):
        """Runs fn(*args, **kwargs) at cleanup (last deferred, first run)."""
        self._cleanups.append((fn, args, kwargs))

    def cleanup(self):
        while self._cleanups:
            fn, args, kwargs = self._cleanups.pop()
            try:
                fn(*args, **kwargs)
            except Exception as e:  # keep cleaning up
                print(f"cleanup {getattr(fn, '__name__', fn)} failed: {e}", file=sys.stderr)

    def nsd(self, name, address, zones, port=53, netns=None, device=None):
        n = Nsd(self, name, address, zones, port, netns)
        self.nsds.append(n)
        return n.wait_ready(device=device)

    def start_lanlord(self, config, name="lanlord", **kw):
        return Lanlord(self, name, config, **kw)

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as fh:
            fh.write(text)
        return path

    # -- network namespaces (root only)

    def require_root(self):
        if os.geteuid() != 0:
            raise Skip("needs root (network namespaces)")

    def run(self, *argv, check_rc=True):
        p = subprocess.run(list(argv), capture_output=True, text=True, timeout=20)
        if check_rc and p.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed ({p.returncode}): {p.stderr.strip()}")
        return p

    def netns(self, tag):
        """Creates netns ll<pid><tag> (deleted at cleanup); returns its name."""
        name = f"ll{self.uid}{tag}"
        self.run(IP, "netns", "add", name)
        self.defer(self.run, IP, "netns", "del", name)
        self.defer(self._kill_netns_pids, name)  # runs first: nothing the test started may outlive it
        self.run(IP, "-n", name, "link", "set", "lo", "up")
        return name

    def veth(self, tag, netns):
        """A veth pair: ll<pid><tag>r in this namespace, ll<pid><tag>n in
        `netns`. Returns (root_side, ns_side)."""
        root, peer = f"ll{self.uid}{tag}r", f"ll{self.uid}{tag}n"
        check(len(root) <= 15, f"interface name {root} too long")
        self.run(IP, "link", "add", root, "type", "veth", "peer", "name", peer, "netns", netns)
        self.defer(self._del_link, root)
        return root, peer

    def _kill_netns_pids(self, name):
        """SIGKILLs every process left in a namespace this test created (DHCP
        clients leave helpers behind, e.g. dhcpcd's privilege separation)."""
        p = self.run(IP, "netns", "pids", name, check_rc=False)
        for pid in p.stdout.split():
            try:
                os.kill(int(pid), signal.SIGKILL)
            except (ValueError, ProcessLookupError):
                pass

    def _del_link(self, name):
        if os.path.exists(f"/sys/class/net/{name}"):
            self.run(IP, "link", "del", name, check_rc=False)


def main(cases, argv=None, deadlines=None):
    """`deadlines`: the internal deadline of cases that need more than 50 s
    (their CTest TIMEOUT must be above it)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--lanlord", required=True)
    ap.add_argument("--case", required=True, choices=sorted(cases))
    ap.add_argument("--timeout", type=int, default=None, help="internal deadline (below CTest's TIMEOUT)")
    a = ap.parse_args(argv)
    if a.timeout is None:
        a.timeout = (deadlines or {}).get(a.case, 50)
    if not os.access(a.lanlord, os.X_OK):
        print(f"lanlord binary {a.lanlord} not executable", file=sys.stderr)
        return 1

    def on_alarm(signum, frame):
        raise Timeout(f"case '{a.case}' exceeded its internal deadline of {a.timeout}s")

    def on_term(signum, frame):
        raise Timeout(f"case '{a.case}' got signal {signum}")
    signal.signal(signal.SIGALRM, on_alarm)
    signal.signal(signal.SIGTERM, on_term)
    signal.alarm(a.timeout)

    env = Env(os.path.abspath(a.lanlord), a.case)
    log(f"case {a.case}: temp dir {env.tmp}, loopback net {env.addr('0')}/24")
    rc = 1
    try:
        cases[a.case](env)
        # A sanitizer report in any lanlord's log fails the case, even when
        # every answer was right (a race or leak found at shutdown counts).
        for ll in env.lanlords:
            ll.stop()
            report = re.search(r"(ThreadSanitizer|AddressSanitizer|LeakSanitizer|runtime error):.*",
                               ll.log_text())
            if report:
                raise Failure(f"{ll.name}: sanitizer report: {report.group(0)[:300]}")
        rc = 0
        log(f"PASS {a.case}")
    except Skip as e:
        rc = SKIP
        log(f"SKIP {a.case}: {e}")
    except Failure as e:
        log(f"FAIL {a.case}: {e}")
    except BaseException:
        log(f"ERROR {a.case}:\n{traceback.format_exc()}")
    finally:
        signal.alarm(0)
        env.cleanup()
        if rc == 1:
            for ll in env.lanlords:
                print(f"----- {ll.name} log ({ll.log_path}) -----\n{ll.log_text()}", flush=True)
            for n in env.nsds:
                print(f"----- NSD {n.name} log -----\n{n.logs()}", flush=True)
            print(f"temp dir kept: {env.tmp}")
        else:
            shutil.rmtree(env.tmp, ignore_errors=True)
    return rc
