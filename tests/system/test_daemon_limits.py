#!/usr/bin/python3
"""System tests of the daemon's own limits: privileges dropped after binding,
TCP idle timeout, and the TCP connection cap that never locks out new clients."""

import socket
import sys
import time

import dns.message

import lanlord_test as lt
from lanlord_test import check, check_eq, dig

CAP_NET_BIND_SERVICE, CAP_NET_ADMIN, CAP_NET_RAW = 10, 12, 13


def setup(env, dns=None, top=None):
    nsd = env.nsd("nsd", env.addr(11), {"a.test": lt.zone("a.test", ["www IN A 192.0.2.1"])})
    listen = env.addr(1)
    ll = env.start_lanlord(lt.lanlord_config([f"{listen}:53"], [{"name": "default", "servers": [nsd.address]}],
                                             dns=dns, local={"hosts": []}, top=top))
    return nsd, ll, listen


def status_fields(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            fields[key] = value.split()
    return fields


def case_privileges(env):
    """Started as root with user = "nobody": runs as nobody with only the three capabilities it needs."""
    env.require_root()
    nsd, ll, listen = setup(env, top={"user": "nobody"})
    st = status_fields(ll.pid)
    check_eq(st["Uid"], ["65534"] * 4, "real/effective/saved/fs uid after the drop")
    check_eq(st["Gid"], ["65534"] * 4, "real/effective/saved/fs gid after the drop")
    check_eq(st["Groups"], [], "supplementary groups after the drop")
    want = (1 << CAP_NET_BIND_SERVICE) | (1 << CAP_NET_ADMIN) | (1 << CAP_NET_RAW)
    check_eq(int(st["CapEff"][0], 16), want, "effective capabilities (NET_BIND_SERVICE, NET_ADMIN, NET_RAW)")
    check_eq(int(st["CapPrm"][0], 16), want, "permitted capabilities")
    r = dig(listen, "www.a.test")
    check_eq((r.status, r.rdatas("A")), ("NOERROR", ["192.0.2.1"]), "answer after dropping privileges")


def connect(listen):
    s = socket.create_connection((listen, 53), timeout=3)
    return s


def case_tcp_idle(env):
    """An idle TCP connection is closed after tcp_idle_timeout; a busy one is served."""
    nsd, ll, listen = setup(env, dns={"tcp_idle_timeout": "500ms"})
    s = connect(listen)
    start = time.monotonic()
    s.settimeout(5)
    data = s.recv(10)
    elapsed = time.monotonic() - start
    check_eq(data, b"", "what an idle connection reads (closed by the server)")
    check(0.4 <= elapsed <= 2.5, f"idle connection closed after {elapsed:.2f}s, expected about 0.5s")
    answers = lt.tcp_exchange(listen, 53, [dns.message.make_query("www.a.test", "A")])
    check_eq(len(answers), 1, "answers on a fresh connection")


def case_tcp_cap(env):
    """At the connection cap, idle connections make room: new TCP clients and UDP are still served."""
    nsd, ll, listen = setup(env, dns={"tcp_max_connections": 4, "tcp_idle_timeout": "30s"})
    idle = [connect(listen) for _ in range(12)]
    env.defer(lambda: [s.close() for s in idle])
    r = dig(listen, "www.a.test")
    check_eq((r.status, r.rdatas("A")), ("NOERROR", ["192.0.2.1"]), "UDP answer with 12 idle TCP connections open")
    for i in range(3):
        answers = lt.tcp_exchange(listen, 53, [dns.message.make_query("www.a.test", "A")])
        check_eq(len(answers), 1, f"answers for new TCP client {i} at the connection cap")
    closed = 0
    for s in idle:
        s.settimeout(0.5)
        try:
            if s.recv(10) == b"":
                closed += 1
        except (socket.timeout, ConnectionResetError):
            pass
    check(closed >= 8, f"idle connections closed to make room: {closed}, expected at least 8 of 12")


CASES = {"privileges": case_privileges, "tcp_idle": case_tcp_idle, "tcp_cap": case_tcp_cap}

if __name__ == "__main__":
    sys.exit(lt.main(CASES))
