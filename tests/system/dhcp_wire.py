"""A scripted DHCPv4 client for system tests: packets built and parsed with struct
(RFC 2131 section 2, options RFC 2132), UDP sockets opened inside a network
namespace the test created. Real clients (udhcpc, dhclient, dhcpcd) cannot be
told to send a foreign INIT-REBOOT, to act as a relay, or to hold hundreds of
leases at once; this can, and it needs nothing beyond Python's standard library.
"""

import ctypes
import os
import select
import socket
import struct
import time

DISCOVER, OFFER, REQUEST, DECLINE, ACK, NAK, RELEASE, INFORM = range(1, 9)
NAMES = {1: "DISCOVER", 2: "OFFER", 3: "REQUEST", 4: "DECLINE", 5: "ACK", 6: "NAK", 7: "RELEASE", 8: "INFORM"}
COOKIE = 0x63825363
BROADCAST = 0x8000
CLONE_NEWNET = 0x40000000

_libc = ctypes.CDLL(None, use_errno=True)


def socket_in_netns(netns, kind=socket.SOCK_DGRAM, proto=0):
    """A socket created in network namespace `netns` (this thread enters it for the
    socket() call only: a socket belongs to the namespace it was created in)."""
    home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    target = os.open(f"/var/run/netns/{netns}", os.O_RDONLY)
    try:
        if _libc.setns(target, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns {netns}")
        try:
            return socket.socket(socket.AF_INET, kind, proto)
        finally:
            if _libc.setns(home, CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "setns back")
    finally:
        os.close(target)
        os.close(home)


def mac_bytes(mac):
    return bytes(int(x, 16) for x in mac.split(":"))


def ip4(text):
    return socket.inet_aton(text)


def build(msg_type, mac, xid, ciaddr="0.0.0.0", giaddr="0.0.0.0", flags=BROADCAST, options=()):
    """A BOOTREQUEST; `options` is a list of (code, bytes) after option 53."""
    hw = mac_bytes(mac)
    fixed = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, len(hw), 1 if giaddr != "0.0.0.0" else 0, xid, 0,
                        flags, ip4(ciaddr), ip4("0.0.0.0"), ip4("0.0.0.0"), ip4(giaddr), hw, b"", b"")
    opts = bytes([53, 1, msg_type])
    for code, data in options:
        opts += bytes([code, len(data)]) + data
    return fixed + struct.pack("!I", COOKIE) + opts + b"\xff"


def parse(data):
    """A BOOTREPLY as a dict, or None when it is not a well-formed DHCP message."""
    if len(data) < 240 or struct.unpack("!I", data[236:240])[0] != COOKIE:
        return None
    op, htype, hlen, hops, xid, secs, flags = struct.unpack("!BBBBIHH", data[:12])
    addrs = [socket.inet_ntoa(data[i:i + 4]) for i in (12, 16, 20, 24)]
    options = {}
    i = 240
    while i < len(data) and data[i] != 255:
        if data[i] == 0:
            i += 1
            continue
        if i + 1 >= len(data) or i + 2 + data[i + 1] > len(data):
            return None
        options[data[i]] = options.get(data[i], b"") + data[i + 2:i + 2 + data[i + 1]]
        i += 2 + data[i + 1]
    return {"op": op, "xid": xid, "flags": flags, "ciaddr": addrs[0], "yiaddr": addrs[1], "giaddr": addrs[3],
            "chaddr": ":".join(f"{b:02x}" for b in data[28:28 + hlen]), "options": options,
            "type": options.get(53, b"\0")[0]}


def opt_ip(reply, code):
    v = reply["options"].get(code)
    return socket.inet_ntoa(v[:4]) if v and len(v) >= 4 else None


def opt_u32(reply, code):
    v = reply["options"].get(code)
    return struct.unpack("!I", v)[0] if v and len(v) == 4 else None


class Port:
    """A UDP socket in a namespace, bound to `port` (68 for a client, 67 for a relay),
    optionally to one device; sends requests and collects replies by xid."""

    def __init__(self, netns, port=68, device=None, address="0.0.0.0"):
        self.sock = socket_in_netns(netns)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        if device:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, device.encode())
        self.sock.bind((address, port))
        self.sock.setblocking(False)
        self.early = []  # replies read while waiting for another xid

    def close(self):
        self.sock.close()

    def send(self, packet, to=("255.255.255.255", 67)):
        self.sock.sendto(packet, to)

    def receive(self, timeout):
        """Every parseable reply that arrives within `timeout` seconds (at least one wait)."""
        out = []
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            r, _, _ = select.select([self.sock], [], [], max(remaining, 0))
            if not r:
                return out
            while True:
                try:
                    data = self.sock.recv(4096)
                except BlockingIOError:
                    break
                p = parse(data)
                if p and p["op"] == 2:
                    out.append(p)
            if out and remaining <= 0:
                return out

    def exchange(self, packet, xid, to=("255.255.255.255", 67), timeout=2.0, tries=2):
        """Sends and waits for the reply with `xid`; None when none comes."""
        for _ in range(tries):
            self.send(packet, to)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                for p in self.early:
                    if p["xid"] == xid:
                        self.early.remove(p)
                        return p
                got = self.receive(min(0.05, max(deadline - time.monotonic(), 0)))
                self.early += got
        return None


class Client:
    """One scripted client identified by its MAC (no option 61: chaddr is its identity)."""

    _xid = int.from_bytes(os.urandom(3), "big") << 8

    def __init__(self, port, mac, hostname=None, server_to=("255.255.255.255", 67)):
        self.port, self.mac, self.hostname, self.to = port, mac, hostname, server_to

    @classmethod
    def next_xid(cls):
        cls._xid = (cls._xid + 1) & 0xFFFFFFFF
        return cls._xid

    def _opts(self, extra=()):
        o = [(55, bytes([1, 3, 6, 15, 51, 54]))]
        if self.hostname:
            o.append((12, self.hostname.encode()))
        return o + list(extra)

    def send(self, msg_type, ciaddr="0.0.0.0", extra=(), giaddr="0.0.0.0", flags=BROADCAST, to=None,
             timeout=2.0, tries=2):
        xid = self.next_xid()
        packet = build(msg_type, self.mac, xid, ciaddr=ciaddr, giaddr=giaddr, flags=flags,
                       options=self._opts(extra))
        return self.port.exchange(packet, xid, to or self.to, timeout, tries)

    def discover(self, **kw):
        return self.send(DISCOVER, **kw)

    def request_selecting(self, offer, **kw):
        return self.send(REQUEST, extra=[(50, ip4(offer["yiaddr"])), (54, offer["options"][54])], **kw)

    def init_reboot(self, address, **kw):
        return self.send(REQUEST, extra=[(50, ip4(address))], **kw)

    def dora(self, **kw):
        """(offer, ack): ack is None when the exchange did not finish."""
        offer = self.discover(**kw)
        if not offer or offer["type"] != OFFER:
            return offer, None
        return offer, self.request_selecting(offer, **kw)

    def release(self, address, server):
        xid = self.next_xid()
        self.port.send(build(RELEASE, self.mac, xid, ciaddr=address, flags=0, options=[(54, ip4(server))]),
                       (server, 67))


class Job:
    """One client's exchange for Pipeline: `first()` gives the first packet; `on_reply(reply)` the next
    packet or None when the job is done. `result` says how it ended."""

    def __init__(self, mac):
        self.mac = mac
        self.result = None
        self.xid = Client.next_xid()

    def packet(self, msg_type, **kw):
        self.xid = Client.next_xid()
        return build(msg_type, self.mac, self.xid, **kw)


class Dora(Job):
    """DISCOVER, OFFER, REQUEST, ACK; result: the acked address, or None."""

    def first(self):
        return self.packet(DISCOVER)

    def on_reply(self, r):
        if r["type"] == OFFER:
            self.offer = r
            return self.packet(REQUEST, options=[(50, ip4(r["yiaddr"])), (54, r["options"][54])])
        if r["type"] == ACK:
            self.result = r["yiaddr"]
        return None


class InitReboot(Job):
    """A REQUEST in INIT-REBOOT for `address`; result: the reply's type name, or None (silence)."""

    def __init__(self, mac, address):
        super().__init__(mac)
        self.address = address

    def first(self):
        return self.packet(REQUEST, options=[(50, ip4(self.address))])

    def on_reply(self, r):
        self.result = (NAMES.get(r["type"]), r["yiaddr"])
        return None


def pipeline(port, jobs, to=("255.255.255.255", 67), window=32, timeout=0.5, tries=3, stop=None, ramp=4):
    """Runs `jobs` with up to `window` of them waiting for a reply at once; a job whose reply does not
    come within `timeout` is sent again, up to `tries` times, then given up. `stop()` true: no new job
    starts (it is asked after every packet sent, so it may act while exchanges are in flight).
    At most `ramp` jobs start per round of the loop, so new DISCOVERs and REQUESTs of older
    jobs interleave instead of moving in lockstep. Returns the jobs that ran."""
    waiting = {}  # xid -> (job, packet, sent at, tries left)
    todo = list(reversed(jobs))
    started = []
    while todo or waiting:
        starting = ramp
        while todo and starting and len(waiting) < window and not (stop and stop()):
            starting -= 1
            job = todo.pop()
            started.append(job)
            packet = job.first()
            port.send(packet, to)
            waiting[job.xid] = (job, packet, time.monotonic(), tries - 1)
        if stop and stop():
            todo = []
        for r in port.receive(0.002 if todo else 0.02):
            entry = waiting.pop(r["xid"], None)
            if not entry:
                continue
            job = entry[0]
            nxt = job.on_reply(r)
            if nxt is not None:
                port.send(nxt, to)
                waiting[job.xid] = (job, nxt, time.monotonic(), tries - 1)
                if stop:
                    stop()
        now = time.monotonic()
        for xid, (job, packet, sent, left) in list(waiting.items()):
            if now - sent >= timeout:
                del waiting[xid]
                if left > 0:
                    port.send(packet, to)
                    waiting[xid] = (job, packet, now, left - 1)
    return started
