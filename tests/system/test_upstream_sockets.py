#!/usr/bin/python3
"""System tests of the upstream UDP sockets lanlord shares between attempts
(resolver/net/upstream_socket_pool.h): a few random ports per server in use
at once, none carrying more than 32 queries or living past 1 s, IDs never
repeated on a port, and answers that must come to the right port with the
right ID and question: forged, misdirected and late answers never reach a
client or the cache. The upstream is a scripted Python server, so the test
sees every port and ID and can answer as an attacker would."""

import os
import socket
import sys
import threading
import time

import dns.message
import dns.rrset

import lanlord_test as lt
from lanlord_test import check, check_eq

REAL = "192.0.2.10"
FORGED = "203.0.113.66"


class ScriptedUpstream(lt.FakeUpstream):
    """Receives queries on addr:53; `on_query(self, msg, src)` decides what
    to send back (nothing by default: the test answers by hand)."""

    def __init__(self, env, addr, on_query=None):
        # A second socket on the same address: answers from it come from the
        # wrong source port, as an off-path forger's would.
        self.other = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.other.bind((addr, 0))
        env.defer(self.other.close)
        self.addr = addr
        self.on_query = on_query
        super().__init__(env, addr, self._script)

    def _script(self, msg, src):
        if self.on_query:
            self.on_query(self, msg, src)
        return None  # answers, if any, were sent by on_query

    def snapshot(self):
        """(time, message, (ip, port)) of every query so far."""
        return [(t, msg, src) for t, src, msg in list(self.queries)]

    def answer(self, query, dest, address=REAL, qid=None, qname=None, via=None):
        """An A answer to `query` (its ID and question unless told otherwise)."""
        q = query if qname is None else dns.message.make_query(qname, "A")
        r = dns.message.make_response(q)
        r.id = query.id if qid is None else qid
        r.answer.append(dns.rrset.from_text(q.question[0].name, 300, "IN", "A", address))
        (via or self.sock).sendto(r.to_wire(), dest)


def answer_all(up, msg, src):
    up.answer(msg, src)


def start(env, upstream_addr, control=False):
    listen = env.addr(1)
    text = lt.lanlord_config([f"{listen}:53"], [{"name": "main", "servers": [upstream_addr]}],
                             dns={"upstream_timeout": "2s"}, top={"threads": 1})
    sock = os.path.join(env.tmp, "control.sock")
    if control:
        text += f'\n[control]\nsocket = "{sock}"\n'
    env.start_lanlord(text)
    return listen, sock


def spoof_count(env, control_socket):
    return lt.lanlordctl_json(env, control_socket, "stats")["dns"]["spoof_mismatches"]


def ask_many(server, names, timeout=3.0):
    """Sends every query at once from one socket; returns {name: [addresses]}."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(0.2)
    want = {}
    for i, n in enumerate(names):
        q = dns.message.make_query(n, "A")
        q.id = 1000 + i  # distinct, so every answer finds its name
        want[q.id] = n
        s.sendto(q.to_wire(), (server, 53))
    got = {}
    until = time.monotonic() + timeout
    while len(got) < len(names) and time.monotonic() < until:
        try:
            data, _ = s.recvfrom(4096)
        except socket.timeout:
            continue
        r = dns.message.from_wire(data)
        if r.id in want:
            got[want[r.id]] = sorted(rd.address for rr in r.answer for rd in rr)
    s.close()
    return got


def case_shared_ports(env):
    """64 queries at once leave from 2..8 ports, none with more than 32 or a repeated ID; ports live <= 1 s."""
    up = ScriptedUpstream(env, env.addr(11), answer_all)
    listen, _ = start(env, up.addr)
    names = [f"n{i}.shared.test." for i in range(64)]
    got = ask_many(listen, names)
    check_eq(len(got), 64, "answers to 64 simultaneous queries")
    check(all(v == [REAL] for v in got.values()), f"answers other than {REAL}: {got}")
    by_port = {}
    for _, msg, src in up.snapshot():
        by_port.setdefault(src[1], []).append(msg.id)
    lt.log(f"queries per source port: {sorted(len(v) for v in by_port.values())}")
    check(2 <= len(by_port) <= 8, f"{len(by_port)} source ports for 64 queries (expected 2..8: shared sockets, "
          f"several ports at once)")
    check(max(len(v) for v in by_port.values()) <= 32, "a port carried more than 32 queries")
    for port, ids in by_port.items():
        check_eq(len(set(ids)), len(ids), f"distinct IDs among the {len(ids)} queries from port {port}")
    # After the sockets' lifetime (1 s) they are gone: new ports.
    time.sleep(1.3)
    got = ask_many(listen, [f"later{i}.shared.test." for i in range(8)])
    check_eq(len(got), 8, "answers after the sockets' lifetime")
    later = {src[1] for _, msg, src in up.snapshot() if str(msg.question[0].name).startswith("later")}
    # A new random port may equal an old one by chance (about 8 in 28,000
    # each); more than one means old sockets are still in use.
    check(len(later & set(by_port)) <= 1, f"ports {sorted(later & set(by_port))} still in use after 1.3 s")


def case_forged(env):
    """Forged answers (wrong port, wrong ID, wrong question, another attempt's ID and question) lose to the real one."""
    up = ScriptedUpstream(env, env.addr(11))
    listen, control = start(env, up.addr, control=True)
    spoof0 = spoof_count(env, control)
    # Enough queries at once that they use more than one port.
    names = [f"n{i}.forged.test." for i in range(40)]
    result = {}
    asker = threading.Thread(target=lambda: result.update(ask_many(listen, names, timeout=4)))
    asker.start()
    lt.wait_until(lambda: len(up.snapshot()) == 40, 3, "all 40 queries at the upstream")
    queries = up.snapshot()
    ports = {}
    for _, msg, src in queries:
        ports.setdefault(src[1], set()).add(msg.id)
    check(len(ports) >= 2, f"test setup: 40 queries left from only {len(ports)} port(s)")
    _, a_msg, a_src = queries[0]
    b_port = next(p for p in ports if p != a_src[1] and a_msg.id not in ports[p])
    b_dest = (a_src[0], b_port)
    # 1. A's ID and question, from the right server, to another attempt's port.
    up.answer(a_msg, b_dest, address=FORGED)
    # 2. The right port and ID from the wrong source port.
    up.answer(a_msg, a_src, address=FORGED, via=up.other)
    # 3. The right source, port and question, another ID (none other on that port has it).
    bad_id = next(i for i in range(1, 65536) if (a_msg.id ^ i) not in ports[a_src[1]]) ^ a_msg.id
    up.answer(a_msg, a_src, address=FORGED, qid=bad_id)
    # 4. The right source, port and ID, another question.
    up.answer(a_msg, a_src, address=FORGED, qname="other.forged.test.")
    time.sleep(0.1)
    for _, msg, src in queries:
        up.answer(msg, src)
    asker.join()
    check_eq(len(result), 40, "answers to the 40 queries")
    bad = {n: v for n, v in result.items() if v != [REAL]}
    check(not bad, f"forged answers reached clients: {bad}")
    spoofs = spoof_count(env, control) - spoof0
    check_eq(spoofs, 4, "spoof_mismatches after 4 forged answers")


def case_late(env):
    """An answer after the attempt is over is ignored (not cached, not counted as a spoof)."""
    up = ScriptedUpstream(env, env.addr(11), answer_all)
    listen, control = start(env, up.addr, control=True)
    spoof0 = spoof_count(env, control)
    check_eq(ask_many(listen, ["late.test."]), {"late.test.": [REAL]}, "first answer")
    _, msg, src = up.snapshot()[-1]
    # The same ID and question again on the same port (still open for other
    # attempts), with other data: the attempt is over, so it is dropped.
    up.answer(msg, src, address=FORGED)
    time.sleep(0.2)
    check_eq(ask_many(listen, ["late.test."]), {"late.test.": [REAL]}, "cached answer after a late one")
    check_eq(len(up.snapshot()), 1, "queries at the upstream (the second answer came from the cache)")
    check_eq(spoof_count(env, control) - spoof0, 0, "spoof_mismatches after a late answer")


CASES = {"shared_ports": case_shared_ports, "forged": case_forged, "late": case_late}

if __name__ == "__main__":
    sys.exit(lt.main(CASES))
