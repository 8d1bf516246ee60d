#!/usr/bin/python3
"""Socket activation (issue 16): lanlord answers on sockets it inherits as systemd passes them (LISTEN_FDS,
LISTEN_PID, LISTEN_FDNAMES; this test plays systemd, as systemd-socket-activate would, with a UDP and a TCP
socket at once), and since the sockets outlive lanlord, a restart refuses no query: the ones sent while no
lanlord runs wait in the socket and are answered by the next one."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time

import dns.message
import dns.query

import lanlord_test as lt
from lanlord_test import check, check_eq

ZONE = ["www IN A 192.0.2.1"]


class FakeSystemd:
    """Holds the sockets of a lanlord.socket unit (ReusePort=yes) and starts lanlord with them as fds 3, 4."""

    def __init__(self, env, address, config):
        self.env, self.config = env, config
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        for s in (self.udp, self.tcp):
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            s.bind((address, 53))
        self.tcp.listen(64)
        env.defer(self.udp.close)
        env.defer(self.tcp.close)
        self.runs = 0

    def start(self):
        self.runs += 1
        log = open(os.path.join(self.env.tmp, f"lanlord{self.runs}.log"), "w")
        udp, tcp = self.udp.fileno(), self.tcp.fileno()
        environ = dict(os.environ, LISTEN_FDS="2", LISTEN_FDNAMES="dns-udp:dns-tcp",
                       STATE_DIRECTORY=os.path.join(self.env.tmp, "state"), LANLORD_ABORT_ON_CHECK="1")
        # The shell moves the sockets to fds 3 and 4 (through 8 and 9: they may be 3 and 4 already,
        # either way round; dash takes one-digit fds only) and sets LISTEN_PID to its own PID, which exec
        # keeps for lanlord.
        check(udp < 8 and tcp < 8, f"socket fds {udp}, {tcp} below 8")
        script = (f"exec 8<&{udp} 9<&{tcp}; exec 3<&8 4<&9 8<&- 9<&-; "
                  'LISTEN_PID=$$; export LISTEN_PID; exec "$0" "$@"')
        argv = ["/bin/sh", "-c", script, self.env.lanlord, "--config", self.config]
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=environ, pass_fds=(udp, tcp),
                                start_new_session=True)
        self.env.defer(lt.stop_process_tree, proc)
        self.proc, self.log_path = proc, log.name
        lt.wait_until(lambda: "ready in" in open(log.name).read(), 10, "lanlord ready")
        return proc

    def log_text(self):
        return open(self.log_path).read()


def case_restart(env):
    """Answers on the inherited sockets; a restart under a steady stream of queries refuses none."""
    nsd = env.nsd("nsd", env.addr(11), {"a.test": lt.zone("a.test", ZONE)})
    listen = env.addr(1)
    state = os.path.join(env.tmp, "state")
    os.makedirs(state)
    config = env.write("lanlord.toml", lt.lanlord_config([f"{listen}:53"], [{"servers": [nsd.address]}],
                                                          top={"threads": 2}))
    systemd = FakeSystemd(env, listen, config)
    systemd.start()
    check("2 of the 2 sockets from systemd in use" in systemd.log_text(), "both sockets taken over")
    check_eq(lt.dig(listen, "www.a.test").rdatas("A"), ["192.0.2.1"], "UDP answer")
    check_eq(lt.dig(listen, "www.a.test", opts=("+tcp",)).rdatas("A"), ["192.0.2.1"], "TCP answer")

    # A stub asking every 20 ms (3 s timeout, no retry) while lanlord restarts.
    results, stop = [], threading.Event()

    def ask():
        while not stop.is_set():
            q = dns.message.make_query("www.a.test", "A")
            t0 = time.monotonic()
            try:
                r = dns.query.udp(q, listen, timeout=3)
                results.append(("ok" if r.rcode() == 0 else f"rcode {r.rcode()}", time.monotonic() - t0))
            except Exception as e:  # timeout, ICMP refused (ConnectionRefusedError)
                results.append((type(e).__name__, time.monotonic() - t0))
            time.sleep(0.02)
    t = threading.Thread(target=ask)
    t.start()
    try:
        time.sleep(0.3)
        old = systemd.proc
        old.send_signal(signal.SIGTERM)
        check_eq(old.wait(5), 0, "the old lanlord's exit")
        time.sleep(0.5)  # nobody answers: queries wait in the socket
        systemd.start()
        time.sleep(0.5)
    finally:
        stop.set()
        t.join(10)
    failures = [r for r in results if r[0] != "ok"]
    slow = max(d for _, d in results)
    lt.log(f"{len(results)} queries across the restart, slowest {slow * 1000:.0f} ms, failures: {failures}")
    check(len(results) >= 20, f"queries were sent throughout ({len(results)})")
    check_eq(failures, [], "no query refused or lost across the restart")
    check(slow > 0.3, f"some queries waited for the new lanlord (slowest {slow * 1000:.0f} ms)")
    check_eq(lt.dig(listen, "www.a.test", opts=("+tcp",)).rdatas("A"), ["192.0.2.1"], "TCP after the restart")


if __name__ == "__main__":
    sys.exit(lt.main({"restart": case_restart}))
