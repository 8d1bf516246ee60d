#!/usr/bin/python3
"""The server's own names in class CHAOS (RFC 4892) answered by lanlord, other
CHAOS names REFUSED, and zone transfers REFUSED over UDP and TCP: none of
them ever reaches the upstream (checked with NSD's query counter)."""

import sys

import dns.message
import dns.query
import dns.rcode
import dns.rdataclass

import lanlord_test as lt
from lanlord_test import check, check_eq, dig


def setup(env, dns_keys=None):
    nsd = env.nsd("nsd", env.addr(11), {"a.test": lt.zone("a.test", ["www IN A 192.0.2.1"])})
    listen = env.addr(1)
    env.start_lanlord(lt.lanlord_config([f"{listen}:53"], [{"name": "main", "servers": [nsd.address]}],
                                        dns=dns_keys))
    return nsd, listen


def chaos(listen, name, rtype="TXT"):
    q = dns.message.make_query(name, rtype, rdclass=dns.rdataclass.CH)
    return dns.query.udp(q, listen, timeout=2)


def case_chaos(env):
    """id.server and version.bind answered (dig -c CH), other CH names REFUSED."""
    nsd, listen = setup(env, {"identity": "pi.test-lan"})
    q0 = nsd.queries()
    r = dig(listen, "id.server", "TXT", opts=("-c", "CH"))
    check_eq(r.status, "NOERROR", "dig -c CH id.server TXT")
    check_eq(r.rdatas("TXT"), ['"pi.test-lan"'], "id.server's TXT")
    r = dig(listen, "version.bind", "TXT", opts=("-c", "CH"))
    check_eq(r.status, "NOERROR", "dig -c CH version.bind TXT")
    check(r.rdatas("TXT") and r.rdatas("TXT")[0].startswith('"lanlord '), f"version.bind: {r.rdatas('TXT')}")
    check_eq(chaos(listen, "hostname.bind").rcode(), dns.rcode.NOERROR, "hostname.bind")
    check_eq(chaos(listen, "version.server").rcode(), dns.rcode.NOERROR, "version.server")
    check_eq(chaos(listen, "authors.bind").rcode(), dns.rcode.REFUSED, "authors.bind (not ours)")
    check_eq(chaos(listen, "www.a.test", "A").rcode(), dns.rcode.REFUSED, "www.a.test in class CH")
    check_eq(nsd.queries() - q0, 0, "queries NSD saw (class CH is never forwarded)")


def case_hidden(env):
    """hide_identity and hide_version REFUSE those names."""
    nsd, listen = setup(env, {"hide_identity": True, "hide_version": True})
    q0 = nsd.queries()
    for name in ("id.server", "hostname.bind", "version.bind", "version.server"):
        check_eq(chaos(listen, name).rcode(), dns.rcode.REFUSED, f"{name} when hidden")
    check_eq(nsd.queries() - q0, 0, "queries NSD saw")


def case_transfers(env):
    """AXFR and IXFR are REFUSED at once, over TCP and UDP, never forwarded."""
    nsd, listen = setup(env)
    q0 = nsd.queries()
    axfr = dns.message.make_query("a.test", "AXFR")
    ixfr = dns.message.make_query("a.test", "IXFR")
    check_eq(dns.query.tcp(axfr, listen, timeout=2).rcode(), dns.rcode.REFUSED, "AXFR over TCP")
    check_eq(dns.query.tcp(ixfr, listen, timeout=2).rcode(), dns.rcode.REFUSED, "IXFR over TCP")
    check_eq(dns.query.udp(axfr, listen, timeout=2).rcode(), dns.rcode.REFUSED, "AXFR over UDP")
    check_eq(dns.query.udp(ixfr, listen, timeout=2).rcode(), dns.rcode.REFUSED, "IXFR over UDP")
    r = dig(listen, "a.test", "AXFR")
    check("Transfer failed" in r.text or "REFUSED" in r.text, f"dig AXFR fails: {r.text[-300:]}")
    check_eq(nsd.queries() - q0, 0, "queries NSD saw (transfers are never forwarded)")
    check_eq(dig(listen, "www.a.test").rdatas("A"), ["192.0.2.1"], "an ordinary query still works")


if __name__ == "__main__":
    sys.exit(lt.main({"chaos": case_chaos, "hidden": case_hidden, "transfers": case_transfers}))
