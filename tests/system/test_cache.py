#!/usr/bin/python3
"""System tests of the DNS cache: hits, TTL countdown, negative caching
(RFC 2308) and serve-stale (RFC 8767), against a real NSD."""

import sys
import time

import lanlord_test as lt
from lanlord_test import check, check_eq, dig

ZONE_A = ["www IN A 192.0.2.1", "*.wild IN A 192.0.2.7"]


def setup(env, zone_text, dns=None, cache=None):
    nsd = env.nsd("nsd", env.addr(11), {"a.test": zone_text})
    listen = env.addr(1)
    ll = env.start_lanlord(lt.lanlord_config([f"{listen}:53"], [{"name": "default", "servers": [nsd.address]}],
                                             dns=dns, cache=cache))
    return nsd, ll, listen


def case_hit(env):
    """The first answer is forwarded, the second comes from the cache."""
    nsd, ll, listen = setup(env, lt.zone("a.test", ZONE_A))
    q0 = nsd.queries()
    r1 = dig(listen, "www.a.test")
    check_eq(r1.status, "NOERROR", "first answer status")
    check_eq(r1.rdatas("A"), ["192.0.2.1"], "first answer A records")
    check_eq(nsd.queries() - q0, 1, "queries NSD saw for the first (forwarded) answer")
    r2 = dig(listen, "www.a.test")
    check_eq(r2.status, "NOERROR", "second answer status")
    check_eq(r2.rdatas("A"), ["192.0.2.1"], "second answer A records")
    check_eq(nsd.queries() - q0, 1, "queries NSD saw after the second answer (must come from the cache)")
    # Case-insensitive cache key; the answer keeps the client's letter case.
    r3 = dig(listen, "WwW.A.tEsT")
    check_eq(r3.rdatas("A"), ["192.0.2.1"], "answer to WwW.A.tEsT")
    check_eq(nsd.queries() - q0, 1, "queries NSD saw after the mixed-case query")
    check_eq([x.name for x in r3.answer], ["WwW.A.tEsT."], "owner name case in the cached answer")


def case_ttl(env):
    """A zone TTL of 300 reads 296..298 two seconds later."""
    nsd, ll, listen = setup(env, lt.zone("a.test", ZONE_A, ttl=300))
    q0 = nsd.queries()
    r1 = dig(listen, "www.a.test")
    t1 = time.monotonic()
    check_eq(r1.rdatas("A"), ["192.0.2.1"], "first answer")
    check(r1.ttls("A") and 299 <= r1.ttls("A")[0] <= 300, f"first answer TTL {r1.ttls('A')} not 299..300")
    time.sleep(max(0.0, 2.05 - (time.monotonic() - t1)))
    r2 = dig(listen, "www.a.test")
    ttl = r2.ttls("A")
    check(ttl and 296 <= ttl[0] <= 298,
          f"TTL 2 s after caching a TTL of 300: expected 296..298, got {ttl} (aged {time.monotonic() - t1:.2f}s)")
    check_eq(nsd.queries() - q0, 1, "queries NSD saw (second answer must be a cache hit)")


def case_negative(env):
    """NXDOMAIN is cached for the SOA MINIMUM (4 s, SOA TTL 3600)."""
    nsd, ll, listen = setup(env, lt.zone("a.test", ZONE_A, ttl=300, soa_ttl=3600, minimum=4))
    q0 = nsd.queries()
    r1 = dig(listen, "nx.a.test")
    t0 = time.monotonic()
    check_eq(r1.status, "NXDOMAIN", "first answer status")
    check_eq(nsd.queries() - q0, 1, "queries NSD saw for the first NXDOMAIN")
    soa1 = [x for x in r1.authority if x.type == "SOA"]
    check(soa1 and soa1[0].ttl == 4, f"SOA TTL in the first NXDOMAIN: expected 4, got {soa1}")

    def soa_ttl_at(when, lo, hi):
        time.sleep(max(0.0, t0 + when - time.monotonic()))
        r = dig(listen, "nx.a.test")
        check_eq(r.status, "NXDOMAIN", f"status {when}s after caching")
        check_eq(nsd.queries() - q0, 1, f"queries NSD saw {when}s after caching the NXDOMAIN (inside its 4 s)")
        soa = [x for x in r.authority if x.type == "SOA"]
        check(soa, f"no SOA in the cached NXDOMAIN at {when}s: {r}")
        check(lo <= soa[0].ttl <= hi, f"SOA TTL {when}s after caching a 4 s negative answer: expected "
              f"{lo}..{hi}, got {soa[0].ttl}")

    soa_ttl_at(1.0, 2, 3)
    soa_ttl_at(2.5, 1, 2)
    time.sleep(max(0.0, t0 + 4.6 - time.monotonic()))
    r3 = dig(listen, "nx.a.test")
    check_eq(r3.status, "NXDOMAIN", "status after the negative TTL ran out")
    check_eq(nsd.queries() - q0, 2, "queries NSD saw 4.6 s after caching a 4 s NXDOMAIN (must be asked again)")
    soa3 = [x for x in r3.authority if x.type == "SOA"]
    check(soa3 and soa3[0].ttl >= 3, f"SOA TTL of the fresh NXDOMAIN: expected 3..4, got {soa3}")


def stale_setup(env, serve_stale):
    nsd, ll, listen = setup(env, lt.zone("a.test", ZONE_A, ttl=2),
                            dns={"upstream_timeout": "1s"}, cache={"serve_stale": serve_stale})
    r1 = dig(listen, "www.a.test")
    t0 = time.monotonic()
    check_eq(r1.rdatas("A"), ["192.0.2.1"], "answer while NSD runs")
    check(r1.ttls("A")[0] <= 2, f"TTL of the fresh answer: expected <= 2, got {r1.ttls('A')}")
    lt.log(f"stopping NSD (pid {nsd.proc.pid})")
    nsd.stop()

    def nsd_silent():
        try:
            lt.udp_query(nsd.address, "www.a.test", timeout=0.2)
            return False
        except Exception:
            return True
    lt.wait_until(nsd_silent, 5, "NSD to stop answering")
    time.sleep(max(0.0, t0 + 2.6 - time.monotonic()))  # the 2 s TTL has run out
    return listen


def case_stale(env):
    """Upstream dead, entry expired: the stale answer comes with TTL 30."""
    listen = stale_setup(env, True)
    r = dig(listen, "www.a.test", timeout=5)
    check_eq(r.status, "NOERROR", "status of the answer with the only upstream dead (serve_stale = true)")
    check_eq(r.rdatas("A"), ["192.0.2.1"], "stale answer A records")
    check_eq(r.ttls("A"), [30], "TTL of the stale answer (RFC 8767: 30)")
    check(r.query_time_ms is not None and r.query_time_ms <= 1000 + 300,
          f"stale answer took {r.query_time_ms} ms; upstream_timeout is 1s")


def case_stale_off(env):
    """serve_stale = false: the same situation gives SERVFAIL within upstream_timeout."""
    listen = stale_setup(env, False)
    r = dig(listen, "www.a.test", timeout=5)
    check_eq(r.status, "SERVFAIL", "status with the only upstream dead and serve_stale = false")
    check_eq(r.answer, [], "answer records with serve_stale = false")
    check(r.query_time_ms is not None and r.query_time_ms <= 1000 + 300,
          f"SERVFAIL took {r.query_time_ms} ms; upstream_timeout is 1s")


CASES = {"hit": case_hit, "ttl": case_ttl, "negative": case_negative, "stale": case_stale,
         "stale_off": case_stale_off}

if __name__ == "__main__":
    sys.exit(lt.main(CASES))
