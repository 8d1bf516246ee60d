#!/usr/bin/python3
"""Writes the seeds of fuzz_recursion into tests/fuzz/corpus/recursion/ (the
input format is described at the top of tests/fuzz/fuzz_recursion.cpp). Each
seed is a whole scripted exchange: the client question, the settings, then
one step per query the iterator sends (a response in "question copied, ID
patched" mode: a 12-byte header followed by uncompressed records), so the
fuzzer starts from inputs that get past the spoofing checks and reach the
classifier. Standard library only. Run by hand when the format changes
(LANLORD_FUZZ_DEBUG=1 fuzz_recursion FILE shows what a seed does)."""
import ipaddress
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus", "recursion")

# Client questions (index into kQuestions) and flags.
WWW_A, WWW_AAAA, APEX_NS, ALIAS_CNAME, APEX_DS, WWW_ANY, APEX_MX, DEEP_A, SUB_A = range(9)
EDNS, TCP, DO, TWICE = 0x10, 0x20, 0x40, 0x80
NO_QMIN, NO_0X20, ALLOW_PRIVATE, IPV6, TIGHT, TINY_CACHE, TWO_ROOTS, TRACE = (1 << i for i in range(8))

A, NS, CNAME, SOA, MX, TXT, AAAA, DNAME, OPT = 1, 2, 5, 6, 15, 16, 28, 39, 41
AA, TC, QR = 0x0400, 0x0200, 0x8000
NOERROR, FORMERR, SERVFAIL, NXDOMAIN, NOTIMP, REFUSED = 0, 1, 2, 3, 4, 5


def name(text):
    out = b""
    for label in text.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def rdata(rtype, value):
    if rtype == A:
        return ipaddress.IPv4Address(value).packed
    if rtype == AAAA:
        return ipaddress.IPv6Address(value).packed
    if rtype in (NS, CNAME, DNAME):
        return name(value)
    if rtype == MX:
        pref, host = value
        return struct.pack("!H", pref) + name(host)
    if rtype == TXT:
        return bytes([len(value)]) + value.encode()
    if rtype == SOA:
        mname, rname, minimum = value
        return name(mname) + name(rname) + struct.pack("!IIIII", 1, 7200, 3600, 1209600, minimum)
    raise ValueError(rtype)


def rr(owner, rtype, value, ttl=3600):
    rd = rdata(rtype, value)
    return name(owner) + struct.pack("!HHIH", rtype, 1, ttl, len(rd)) + rd


def opt(size=1232):
    return b"\0" + struct.pack("!HHIH", OPT, size, 0, 0)


def response(answer=(), authority=(), additional=(), flags=AA, rcode=NOERROR, edns=True):
    """A 12-byte header and the records; the harness copies the question in."""
    extra = list(additional) + ([opt()] if edns else [])
    header = struct.pack("!HHHHHH", 0, QR | flags | rcode, 1, len(answer), len(authority), len(extra))
    return header + b"".join(answer) + b"".join(authority) + b"".join(extra)


def step(body, sel=0x18):
    """One response step: action 0, ID patched (0x08), question copied (0x10)."""
    return bytes([sel]) + struct.pack("!H", len(body)) + body


TIMEOUT, ERROR = bytes([5]), bytes([6])


def ask(question):
    return bytes([7, question])


def seed(question, flags, *steps):
    return bytes([question, flags]) + b"".join(steps)


# The fake hierarchy: root 198.51.100.1 -> zz. (198.51.100.10) -> example.zz. (192.0.2.1).
ROOT_SOA = rr(".", SOA, ("a.root-servers.test.", "nstld.test.", 86400), 86400)
PRIME = step(response(answer=[rr(".", NS, "a.root-servers.test.", 518400)],
                      additional=[rr("a.root-servers.test.", A, "198.51.100.1", 518400)]))
TO_ZZ = step(response(authority=[rr("zz.", NS, "ns1.nic.zz.", 172800)],
                      additional=[rr("ns1.nic.zz.", A, "198.51.100.10", 172800)], flags=0))
TO_EXAMPLE = step(response(authority=[rr("example.zz.", NS, "ns1.example.zz."), rr("example.zz.", NS, "ns2.example.zz.")],
                           additional=[rr("ns1.example.zz.", A, "192.0.2.1"), rr("ns2.example.zz.", A, "192.0.2.2")],
                           flags=0))
ZONE_SOA = rr("example.zz.", SOA, ("ns1.example.zz.", "hostmaster.example.zz.", 300))
WALK = (PRIME, TO_ZZ, TO_EXAMPLE)
WWW = step(response(answer=[rr("www.example.zz.", A, "192.0.2.80", 300)]))


def seeds():
    yield "walk_a", seed(WWW_A, 0, *WALK, WWW)
    yield "walk_no_qmin_no_0x20", seed(WWW_A, NO_QMIN | NO_0X20, *WALK, WWW)
    yield "walk_tcp_edns_twice_trace", seed(WWW_A | TCP | EDNS | TWICE, TRACE, *WALK, WWW, *WALK, WWW)
    yield "cname_in_zone", seed(WWW_A, 0, *WALK, step(response(answer=[
        rr("www.example.zz.", CNAME, "web.example.zz."), rr("web.example.zz.", A, "192.0.2.81")])))
    yield "cname_out_of_zone", seed(WWW_A, 0, *WALK, step(response(answer=[
        rr("www.example.zz.", CNAME, "www.other.test.")])),
        step(response(authority=[rr("test.", NS, "ns.test.")], additional=[rr("ns.test.", A, "198.51.100.20")], flags=0)),
        step(response(authority=[rr("other.test.", NS, "ns.other.test.")],
                      additional=[rr("ns.other.test.", A, "192.0.2.30")], flags=0)),
        step(response(answer=[rr("www.other.test.", A, "192.0.2.31")])))
    yield "nxdomain_soa", seed(SUB_A, 0, *WALK, step(response(authority=[ZONE_SOA], rcode=NXDOMAIN)),
                               step(response(authority=[ZONE_SOA], rcode=NXDOMAIN)))
    yield "nodata_soa", seed(WWW_AAAA | EDNS, 0, *WALK, step(response(authority=[ZONE_SOA])))
    yield "truncated_then_tcp", seed(WWW_A, 0, *WALK, step(response(flags=AA | TC)), WWW)
    yield "formerr_no_edns", seed(WWW_A, 0, *WALK, step(response(rcode=FORMERR, edns=False)),
                                  step(response(answer=[rr("www.example.zz.", A, "192.0.2.80")], edns=False)))
    yield "referral_glueless", seed(WWW_A, 0, PRIME, TO_ZZ,
        step(response(authority=[rr("example.zz.", NS, "ns.hosting.test.")], flags=0)),
        step(response(authority=[rr("test.", NS, "ns.test.")], additional=[rr("ns.test.", A, "198.51.100.20")], flags=0)),
        step(response(authority=[rr("hosting.test.", NS, "ns.hosting.test.")],
                      additional=[rr("ns.hosting.test.", A, "192.0.2.40")], flags=0)),
        step(response(answer=[rr("ns.hosting.test.", A, "192.0.2.40")])),
        WWW)
    yield "servfail_timeout_two_roots", seed(WWW_A, TWO_ROOTS, step(response(rcode=SERVFAIL)), TIMEOUT, PRIME,
                                             TO_ZZ, ERROR, TO_EXAMPLE, WWW)
    yield "dname", seed(WWW_A, 0, *WALK, step(response(answer=[
        rr("example.zz.", DNAME, "example.net."), rr("www.example.zz.", CNAME, "www.example.net."),
        rr("www.example.net.", A, "192.0.2.90")])))
    yield "refused_lame", seed(WWW_A, 0, PRIME, TO_ZZ, TO_EXAMPLE, step(response(rcode=REFUSED, flags=0)), WWW)
    yield "upward_referral", seed(WWW_A, 0, PRIME, TO_ZZ,
                                  step(response(authority=[rr(".", NS, "a.root-servers.test.")], flags=0)), WWW)
    yield "deep_name", seed(DEEP_A, 0, *WALK, step(response(authority=[ZONE_SOA])),
                            step(response(answer=[rr("a.b.c.d.e.f.g.h.i.j.k.l.m.example.zz.", A, "192.0.2.7")])))
    yield "any_mx_ns", seed(WWW_ANY | EDNS | DO, 0, *WALK, step(response(answer=[
        rr("www.example.zz.", A, "192.0.2.80"), rr("www.example.zz.", TXT, "v=hello")])),
        ask(APEX_MX), step(response(answer=[rr("example.zz.", MX, (10, "mail.example.zz."))])),
        ask(APEX_NS | TCP))
    yield "ds_at_parent", seed(APEX_DS, TIGHT, PRIME, TO_ZZ, step(response(authority=[
        rr("zz.", SOA, ("ns1.nic.zz.", "hostmaster.nic.zz.", 900))])))
    # The question lower-case in the message (0x08: ID patched, question not
    # copied): a 0x20 mismatch, then the same over TCP.
    lower = TO_EXAMPLE[3:]
    with_question = lower[:12] + name("example.zz.") + struct.pack("!HH", A, 1) + lower[12:]
    yield "case_mismatch", seed(WWW_A, 0, PRIME, TO_ZZ, step(with_question, sel=0x08), TO_EXAMPLE, WWW)
    yield "spoofed_then_real", seed(ALIAS_CNAME, ALLOW_PRIVATE | IPV6, step(response(), sel=0x10), PRIME,
                                    bytes([0x0F]) + struct.pack("!H", 12) + response()[:12], TO_ZZ,
        step(response(authority=[rr("example.zz.", NS, "ns1.example.zz.")],
                      additional=[rr("ns1.example.zz.", A, "10.0.0.53"), rr("ns1.example.zz.", AAAA, "2001:db8::1"),
                                  rr("ns1.example.zz.", A, "127.0.0.1")], flags=0)),
        step(response(answer=[rr("alias.example.zz.", CNAME, "www.example.zz.")])), WWW)
    yield "tiny_cache", seed(WWW_A, TINY_CACHE, *WALK, WWW, ask(WWW_AAAA), step(response(authority=[ZONE_SOA])))


def main():
    os.makedirs(OUT, exist_ok=True)
    for fname, data in seeds():
        with open(os.path.join(OUT, fname), "wb") as fh:
            fh.write(data)


if __name__ == "__main__":
    main()
