#!/usr/bin/python3
"""One bad packet costs one packet: a test-only hook (LANLORD_FAULT_INJECT,
common/fault.h) throws from inside an event handler on its Nth call; lanlord
logs it, counts it per entry point (lanlordctl stats --json, /metrics), drops
that one packet or request, and goes on answering with its cache intact."""

import os
import sys

import dns.exception
import dns.message
import dns.query

import lanlord_test as lt
from lanlord_test import check, check_eq, dig

ZONE = ["www IN A 192.0.2.1", "other IN A 192.0.2.2"]


class Setup:
    def __init__(self, env, inject):
        self.env = env
        self.nsd = env.nsd("nsd", env.addr(11), {"a.test": lt.zone("a.test", ZONE)})
        self.listen = env.addr(1)
        self.socket = os.path.join(env.tmp, "control.sock")
        text = lt.lanlord_config([f"{self.listen}:53"], [{"name": "main", "servers": [self.nsd.address]}],
                                 top={"threads": 1})
        text += f'\n[control]\nsocket = "{self.socket}"\n'
        self.ll = env.start_lanlord(text, extra_env={"LANLORD_FAULT_INJECT": inject})

    def caught(self, site):
        stats = lt.lanlordctl_json(self.env, self.socket, "stats")
        return stats["faults"]["exceptions_caught"][site]

    def alive(self):
        check(self.ll.proc.poll() is None, "lanlord is still running")


def case_udp_query(env):
    """The 3rd UDP query throws: it goes unanswered, the 4th is a cache hit."""
    s = Setup(env, "udp_query:3")
    q0 = s.nsd.queries()
    check_eq(dig(s.listen, "www.a.test").rdatas("A"), ["192.0.2.1"], "1st answer (forwarded)")
    check_eq(dig(s.listen, "www.a.test").rdatas("A"), ["192.0.2.1"], "2nd answer (cache)")
    lost = None
    try:
        lt.udp_query(s.listen, "www.a.test", timeout=1.0)
    except dns.exception.Timeout:
        lost = True
    check(lost, "the 3rd query (the one that threw) must go unanswered")
    s.ll.wait_log(r"udp_query: injected fault", 5, "the logged exception")
    r4 = dig(s.listen, "www.a.test")
    check_eq(r4.rdatas("A"), ["192.0.2.1"], "4th answer, after the exception")
    check_eq(s.nsd.queries() - q0, 1, "queries NSD saw (the 2nd and 4th answers come from the cache)")
    s.alive()
    check_eq(s.caught("udp_query"), 1, "exceptions caught at udp_query")
    text = lt.lanlordctl(env, s.socket, "stats").stdout
    check("FAULTS" in text and "udp_query" in text, "lanlordctl stats shows the fault")


def case_upstream_response(env):
    """The first upstream answer throws in the engine: that answer is lost,
    the retry after the RTO brings the name in."""
    s = Setup(env, "upstream_response:1")
    r = dig(s.listen, "other.a.test", timeout=4)
    check_eq(r.status, "NOERROR", "answer status after the lost upstream answer")
    check_eq(r.rdatas("A"), ["192.0.2.2"], "answer after the lost upstream answer")
    check(s.nsd.queries() >= 2, "NSD was asked again after the answer that threw")
    s.alive()
    check_eq(s.caught("upstream_response"), 1, "exceptions caught at upstream_response")
    check_eq(dig(s.listen, "other.a.test").rdatas("A"), ["192.0.2.2"], "cached answer afterwards")


def case_tcp_query(env):
    """A query over TCP that throws costs that query; the connection lives on."""
    s = Setup(env, "tcp_query:1")
    c = lt.TcpClient(s.listen, 53, timeout=1.0)
    try:
        answered = True
        try:
            c.exchange([dns.message.make_query("www.a.test", "A")])
        except lt.Failure:
            answered = False
        check(not answered, "the query that threw must go unanswered")
        second = c.exchange([dns.message.make_query("www.a.test", "A")])
        check_eq(len(second), 1, "answers to the next query on the same connection")
        check_eq([str(x) for rr in second[0].answer for x in rr], ["192.0.2.1"], "its A record")
    finally:
        c.close()
    s.alive()
    check_eq(s.caught("tcp_query"), 1, "exceptions caught at tcp_query")


def case_control(env):
    """A control request that throws gets an error reply; the next one works."""
    s = Setup(env, "control:2")  # the 1st accepted connection is the 1st pass; its request the 2nd
    p = lt.lanlordctl(env, s.socket, "status", rc=None)
    check(p.returncode != 0 and "internal error" in (p.stdout + p.stderr),
          f"the request that threw gets an error reply (rc {p.returncode})")
    lt.lanlordctl(env, s.socket, "status")
    check_eq(s.caught("control"), 1, "exceptions caught at control")
    check_eq(dig(s.listen, "www.a.test").rdatas("A"), ["192.0.2.1"], "DNS still answered")


if __name__ == "__main__":
    sys.exit(lt.main({"udp_query": case_udp_query, "upstream_response": case_upstream_response,
                      "tcp_query": case_tcp_query, "control": case_control}))
