#!/usr/bin/python3
"""System tests of answers that never leave lanlord (hosts file, private
reverse zones, single-label names), of access control on loopback, and of
several queries over one TCP connection."""

import sys

import dns.message
import dns.rcode

import lanlord_test as lt
from lanlord_test import check_eq, dig

HOSTS = """# test hosts file
192.0.2.10      myhost.lan myhost
2001:db8::10    myhost.lan
192.168.1.20    nas.lan
"""


def setup(env, dns=None):
    nsd = env.nsd("nsd", env.addr(11), {"a.test": lt.zone("a.test", ["www IN A 192.0.2.1", "mail IN A 192.0.2.2"])})
    hosts = env.write("hosts", HOSTS)
    listen = env.addr(1)
    ll = env.start_lanlord(lt.lanlord_config([f"{listen}:53"], [{"name": "default", "servers": [nsd.address]}],
                                             dns=dns, local={"hosts": [hosts]}))
    return nsd, ll, listen


def case_hosts(env):
    """hosts_file names: A, AAAA and PTR answered locally."""
    nsd, ll, listen = setup(env)
    q0 = nsd.queries()
    r = dig(listen, "myhost.lan", "A")
    check_eq((r.status, r.rdatas("A")), ("NOERROR", ["192.0.2.10"]), "A of myhost.lan from the hosts file")
    r = dig(listen, "MyHost.LAN", "AAAA")
    check_eq((r.status, r.rdatas("AAAA")), ("NOERROR", ["2001:db8::10"]), "AAAA of MyHost.LAN from the hosts file")
    r = dig(listen, "10.2.0.192.in-addr.arpa", "PTR")
    check_eq((r.status, r.rdatas("PTR")), ("NOERROR", ["myhost.lan."]), "PTR of 192.0.2.10")
    r = dig(listen, "0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", "PTR")
    check_eq((r.status, r.rdatas("PTR")), ("NOERROR", ["myhost.lan."]), "PTR of 2001:db8::10")
    # A private address the hosts file knows: answered although bogus_priv is on.
    r = dig(listen, "20.1.168.192.in-addr.arpa", "PTR")
    check_eq((r.status, r.rdatas("PTR")), ("NOERROR", ["nas.lan."]), "PTR of 192.168.1.20 (hosts file)")
    # A single-label name from the hosts file: answered although domain_needed is on.
    r = dig(listen, "myhost", "A")
    check_eq((r.status, r.rdatas("A")), ("NOERROR", ["192.0.2.10"]), "A of the single-label hosts name myhost")
    check_eq(nsd.queries() - q0, 0, "queries NSD saw for names of the hosts file")
    r = dig(listen, "www.a.test")  # and the rest is still forwarded
    check_eq(r.rdatas("A"), ["192.0.2.1"], "www.a.test (forwarded)")
    check_eq(nsd.queries() - q0, 1, "queries NSD saw after a forwarded name")


def case_private(env):
    """Private reverse names and single-label names: NXDOMAIN from lanlord, nothing forwarded."""
    nsd, ll, listen = setup(env)
    q0 = nsd.queries()
    for name, rtype in (("1.1.168.192.in-addr.arpa", "PTR"), ("5.0.0.10.in-addr.arpa", "PTR"),
                        ("9.1.16.172.in-addr.arpa", "PTR"), ("printer", "A"), ("printer", "AAAA")):
        r = dig(listen, name, rtype)
        check_eq(r.status, "NXDOMAIN", f"{name} {rtype} (bogus_priv / domain_needed)")
        check_eq(r.answer, [], f"answer records for {name} {rtype}")
    check_eq(nsd.queries() - q0, 0, "queries NSD saw for private reverse and single-label names")


def case_tcp_pipeline(env):
    """Several queries over one TCP connection, sent at once, are all answered."""
    nsd, ll, listen = setup(env)
    queries = [dns.message.make_query("www.a.test", "A"), dns.message.make_query("myhost.lan", "A"),
               dns.message.make_query("mail.a.test", "A")]
    conn = lt.TcpClient(listen, 53)
    env.defer(conn.close)
    answers = conn.exchange(queries)
    check_eq(len(answers), 3, "answers on the TCP connection")
    by_id = {a.id: a for a in answers}
    check_eq(sorted(by_id), sorted(q.id for q in queries), "IDs of the answers")
    expect = {"www.a.test.": "192.0.2.1", "myhost.lan.": "192.0.2.10", "mail.a.test.": "192.0.2.2"}
    for q in queries:
        a = by_id[q.id]
        name = q.question[0].name.to_text()
        check_eq(a.rcode(), dns.rcode.NOERROR, f"rcode for {name} over TCP")
        got = sorted(rd.to_text() for rr in a.answer for rd in rr)
        check_eq(got, [expect[name]], f"answer to {name} over the shared TCP connection")
        check_eq(a.question[0].name.to_text(), name, "question echoed")
    # The same connection keeps serving: a second pipelined pair on it.
    answers = conn.exchange([dns.message.make_query("www.a.test", "A"),
                             dns.message.make_query("1.1.168.192.in-addr.arpa", "PTR")])
    check_eq(sorted(dns.rcode.to_text(a.rcode()) for a in answers), ["NOERROR", "NXDOMAIN"],
             "rcodes of a cached and a local answer, second round on the same TCP connection")


def case_acl_deny(env):
    """deny = ["127.0.0.3/32"]: that client gets REFUSED, another loopback client an answer."""
    nsd, ll, listen = setup(env, dns={"deny": ["127.0.0.3/32"]})
    q0 = nsd.queries()
    r = dig(listen, "www.a.test", source="127.0.0.3")
    check_eq(r.status, "REFUSED", "status for the denied client 127.0.0.3")
    check_eq(r.answer, [], "answer records for the denied client")
    r = dig(listen, "myhost.lan", source="127.0.0.3")
    check_eq(r.status, "REFUSED", "status for the denied client asking a hosts-file name")
    check_eq(nsd.queries() - q0, 0, "queries NSD saw for the denied client")
    other = env.addr(5)
    r = dig(listen, "www.a.test", source=other)
    check_eq((r.status, r.rdatas("A")), ("NOERROR", ["192.0.2.1"]), f"answer for loopback client {other}")
    r = dig(listen, "www.a.test", source="127.0.0.4")
    check_eq((r.status, r.rdatas("A")), ("NOERROR", ["192.0.2.1"]), "answer for loopback client 127.0.0.4")
    r = dig(listen, "www.a.test", source="127.0.0.3", opts=["+tcp"])
    check_eq(r.status, "REFUSED", "status for the denied client over TCP")


CASES = {"hosts": case_hosts, "private": case_private, "tcp_pipeline": case_tcp_pipeline,
         "acl_deny": case_acl_deny}

if __name__ == "__main__":
    sys.exit(lt.main(CASES))
