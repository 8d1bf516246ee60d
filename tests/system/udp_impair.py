#!/usr/bin/python3
"""A UDP impairment proxy for DNS: what netem would do to a link, in user space.

This machine's kernel (and, likely, CI's) has no sch_netem ("Specified qdisc
kind is unknown"), so loss and delay on the upstream link are made here:

    lanlord --> [listen] proxy [own socket] --> upstream (NSD)
            <--                             <--

Every datagram in either direction is dropped with its own probability and
otherwise held back for a fixed delay. The drop decision is not drawn from a
stream of random numbers (which datagram gets which number would depend on
timing) but hashed from (seed, direction, question, n), n counting the
datagrams seen so far for that question in that direction: each query meets
the same fate in every run, whatever the interleaving, so a test that passes
passes every time and a failure can be replayed.

Queries are forwarded with an ID of the proxy's own (restored on the way
back), so attempts of different clients never collide. Counters are written
as JSON to --stats (replaced atomically) whenever they change, at most every
100 ms. Runs until SIGTERM."""

import argparse
import hashlib
import heapq
import json
import os
import select
import signal
import socket
import struct
import sys
import time


def question(data):
    """(lower-cased name, qtype) of a DNS message, or None."""
    if len(data) < 12 or struct.unpack("!H", data[4:6])[0] != 1:
        return None
    pos, labels = 12, []
    while pos < len(data):
        n = data[pos]
        if n == 0:
            if pos + 5 > len(data):
                return None
            return b".".join(labels).lower().decode("ascii", "replace"), struct.unpack("!H", data[pos + 1:pos + 3])[0]
        if n & 0xC0 or pos + 1 + n > len(data):
            return None
        labels.append(data[pos + 1:pos + 1 + n])
        pos += 1 + n
    return None


class Fate:
    """Deterministic drop decisions (see the module comment)."""

    def __init__(self, seed):
        self.seed = str(seed).encode()
        self.seen = {}

    def dropped(self, direction, q, loss):
        if loss <= 0:
            return False
        key = (direction, q)
        n = self.seen.get(key, 0)
        self.seen[key] = n + 1
        h = hashlib.blake2b(b"%s|%s|%s|%d|%d" % (self.seed, direction.encode(), q[0].encode(), q[1], n),
                            digest_size=8).digest()
        return int.from_bytes(h, "big") / 2.0**64 < loss


def parse_endpoint(text):
    host, _, port = text.rpartition(":")
    return host, int(port)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", required=True, help="ADDRESS:PORT lanlord sends to")
    ap.add_argument("--upstream", required=True, help="ADDRESS:PORT of the real server")
    ap.add_argument("--loss-query", type=float, default=0.0)
    ap.add_argument("--loss-answer", type=float, default=0.0)
    ap.add_argument("--delay-query-ms", type=float, default=0.0)
    ap.add_argument("--delay-answer-ms", type=float, default=0.0)
    ap.add_argument("--seed", default="1")
    ap.add_argument("--stats", required=True)
    a = ap.parse_args()

    front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    front.bind(parse_endpoint(a.listen))
    back = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    upstream = parse_endpoint(a.upstream)
    back.bind(("127.0.0.1" if upstream[0].startswith("127.") else "0.0.0.0", 0))
    front.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    back.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    fate = Fate(a.seed)
    stats = {"queries": 0, "queries_dropped": 0, "answers": 0, "answers_dropped": 0, "unmatched": 0,
             "questions": 0}
    questions = set()
    pending = {}  # proxy ID -> (client endpoint, client ID, question, when)
    held = []     # (due, sequence, socket, data, destination)
    sequence = 0
    next_id = 1
    written, dirty = 0.0, True
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))

    def hold(sock, data, dest, delay_ms):
        nonlocal sequence
        sequence += 1
        heapq.heappush(held, (time.monotonic() + delay_ms / 1000.0, sequence, sock, data, dest))

    while not stop:
        now = time.monotonic()
        while held and held[0][0] <= now:
            _, _, sock, data, dest = heapq.heappop(held)
            try:
                sock.sendto(data, dest)
            except OSError:
                pass
        if dirty and now - written >= 0.1:
            stats["questions"] = len(questions)
            tmp = a.stats + ".tmp"
            with open(tmp, "w") as fh:
                json.dump(stats, fh)
            os.replace(tmp, a.stats)
            written, dirty = now, False
        timeout = 0.1
        if held:
            timeout = min(timeout, max(0.0, held[0][0] - now))
        try:
            readable, _, _ = select.select([front, back], [], [], timeout)
        except InterruptedError:
            continue
        for sock in readable:
            try:
                data, peer = sock.recvfrom(65535)
            except OSError:
                continue
            q = question(data)
            if q is None or len(data) < 12:
                continue
            dirty = True
            if sock is front:  # lanlord -> upstream
                stats["queries"] += 1
                questions.add(q)
                if fate.dropped("query", q, a.loss_query):
                    stats["queries_dropped"] += 1
                    continue
                for _ in range(65536):
                    next_id = (next_id + 1) & 0xFFFF
                    if next_id not in pending:
                        break
                pending[next_id] = (peer, data[:2], q, now)
                hold(back, struct.pack("!H", next_id) + data[2:], upstream, a.delay_query_ms)
            else:  # upstream -> lanlord
                entry = pending.pop(struct.unpack("!H", data[:2])[0], None)
                if entry is None or peer != upstream:
                    stats["unmatched"] += 1
                    continue
                client, client_id, asked, _ = entry
                stats["answers"] += 1
                if fate.dropped("answer", asked, a.loss_answer):
                    stats["answers_dropped"] += 1
                    continue
                hold(front, client_id + data[2:], client, a.delay_answer_ms)
        if len(pending) > 30000:  # forget queries the upstream never answered
            for k in [k for k, v in pending.items() if now - v[3] > 10]:
                del pending[k]
    stats["questions"] = len(questions)
    with open(a.stats + ".tmp", "w") as fh:
        json.dump(stats, fh)
    os.replace(a.stats + ".tmp", a.stats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
