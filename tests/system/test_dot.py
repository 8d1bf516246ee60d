#!/usr/bin/python3
"""System tests of DNS over TLS (RFC 7858): lanlord forwarding to TLS
upstreams, and lanlord's own DoT listener.

Peers (dot_peers.py): unbound 1.17 serving DoT on ADDR@853 only (no UDP, no
port 53: an answer it gives came over TLS, and its num.query.tls counts
them), a Python DoT server that closes the connection after every answer,
a Python DoT client, kdig when knot-dnsutils is installed. Certificates are
made per case with the openssl command: a test CA, certificates it signs
(valid, expired, for another name), self-signed ones, SPKI pins.

`harness` checks the peers alone (no lanlord), the other cases lanlord:
  upstream    answers through an unbound DoT upstream, counted as TLS queries,
              and the server's tls status (handshakes, queries, version)
  reuse       200 names over one connection (threads = 1: one handshake)
  refused     self-signed, expired, wrong name, wrong pin: SERVFAIL, no query
              reaches the server, the failure counted and logged
  pin         a self-signed server with its pin and no CA: answers
  close_each  a server closing after every answer: 20 names answered
  listener    lanlord's DoT listener: answers, padding of padded queries to
              468 octets (RFC 8467), a denied client, a new certificate after
              SIGHUP
  bench       lanlordctl bench over DoT: unbound, lanlord's listener and a
              closing server; handshakes timed apart from the queries; a
              wrong pin and a wrong name given up with nothing sent

Only loopback addresses private to the case (127.A.B.0/24) are used; every
process started is stopped by PID at the end, also on failure."""

import concurrent.futures
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import sys

import dns.exception
import dns.message
import dns.query
import dns.rcode

import dot_peers as dp
import lanlord_test as lt
from lanlord_test import check, check_eq, dig

# What every unbound serves: names in a static zone, and a redirect zone in
# which every name has the same address (for many distinct names).
RECORDS = ["www.dot.test. 300 IN A 192.0.2.1", "mail.dot.test. 300 IN A 192.0.2.2",
           "ftp.dot.test. 300 IN A 192.0.2.3", 'txt.dot.test. 300 IN TXT "over tls"',
           "v6.dot.test. 300 IN AAAA 2001:db8::1", "wild.dot.test. 300 IN A 192.0.2.7"]
ZONES = {"dot.test.": "static", "wild.dot.test.": "redirect"}
EXPECTED = [("www.dot.test", "A", ["192.0.2.1"]), ("mail.dot.test", "A", ["192.0.2.2"]),
            ("ftp.dot.test", "A", ["192.0.2.3"]), ("txt.dot.test", "TXT", ['"over tls"']),
            ("v6.dot.test", "AAAA", ["2001:db8::1"])]
WILD_ADDRESS = "192.0.2.7"
FORBIDDEN = "192.0.2.66"  # served only by servers lanlord must refuse


# ---------------------------------------------------------------- helpers

def unbound(env, name, host, cert, records=RECORDS, zones=ZONES):
    return dp.UnboundDot(env, name, env.addr(host), cert, zones=zones, records=records)


def tls_group(name, address, ca=None, pins=None, port=None, domains=None, auth_name=dp.AUTH_NAME):
    """An [[upstream]] group with one DoT server."""
    server = f"tls://{address}{f':{port}' if port else ''}{f'#{auth_name}' if auth_name else ''}"
    g = {"name": name, "servers": [server]}
    if domains:
        g["domains"] = domains
    if ca is not None:
        g["tls_ca_file"] = ca.path
    if pins is not None:
        g["tls_pin_sha256"] = list(pins)
    return g


class Daemon:
    """lanlord listening on .1:53 with a control socket."""

    def __init__(self, env, upstreams, dns=None, top=None, name="lanlord"):
        self.env = env
        self.listen = env.addr(1)
        self.control = os.path.join(env.tmp, f"{name}.ctl")
        self.ll = env.start_lanlord(lt.lanlord_config([f"{self.listen}:53"], upstreams, dns=dns, top=top,
                                                      control={"socket": self.control}), name=name)

    def tls(self, address):
        return dp.server_tls_status(self.env, self.control, address)

    def wait_tls(self, address, predicate, what):
        return dp.wait_tls_status(self.env, self.control, address, predicate, what)


def check_plain_closed(address):
    """Nothing answers plain DNS at the DoT server's address: no port 53 over
    UDP or TCP, no UDP on 853."""
    check(not dp.port_open_tcp(address, 53), f"test setup: TCP port 53 open on {address}")
    check(not dp.udp_answers(address, 53), f"test setup: a UDP answer from {address}:53")
    check(not dp.udp_answers(address, dp.DOT_PORT), f"test setup: a UDP answer from {address}:853")


def ask(server, name, rtype="A", timeout=5.0):
    """One UDP query to lanlord: (rcode text or 'timeout', answer texts)."""
    q = dns.message.make_query(name, rtype, use_edns=0, payload=1232)
    try:
        r = dns.query.udp(q, server, timeout=timeout)
    except dns.exception.Timeout:
        return "timeout", []
    return dns.rcode.to_text(r.rcode()), sorted(rd.to_text() for rrset in r.answer for rd in rrset)


def ask_all(server, names, workers=8, timeout=5.0):
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        return list(pool.map(lambda n: ask(server, n, timeout=timeout), names))


# ---------------------------------------------------------------- harness (no lanlord)

def case_harness(env):
    """The peers alone: certificates, unbound answering a Python DoT client, pins, the closing server."""
    ca = dp.TestCa(env.tmp)
    good = ca.issue("good", ips=[env.addr(11)])
    self_signed = dp.self_signed(env.tmp, "selfsigned", ips=[env.addr(12)])
    expired = ca.issue_expired("expired", ips=[env.addr(13)])
    wrong_name = ca.issue("wrongname", dns_names=["other.test"])

    ub = unbound(env, "unbound", 11, good)
    check_plain_closed(ub.address)
    s0 = ub.stats()
    lt.log("unbound counters about TLS: " + ", ".join(f"{k}={v}" for k, v in s0.items() if "tls" in k))
    check("num.query.tls" in s0, f"no num.query.tls in unbound's stats_noreset: {sorted(s0)}")

    # Verified against the CA and the name dot.test, as lanlord will.
    r, wire, c = dp.dot_query(ub.address, "www.dot.test", cafile=ca.path)
    check_eq(dp.a_records(r), ["192.0.2.1"], "www.dot.test from unbound over TLS")
    check_eq(c.version, "TLSv1.3", "TLS version unbound negotiated")
    with dp.DotClient(ub.address, cafile=ca.path) as client:
        check_eq(client.peer_serial(), good.serial, "serial of unbound's certificate")
        check_eq(dp.spki_pin(good.path), good.pin, "pin")
        queries = [dns.message.make_query(n, "A", use_edns=0).to_wire()
                   for n in ("mail.dot.test", "x1.wild.dot.test", "x2.wild.dot.test")]
        answers = [dns.message.from_wire(w) for w in client.exchange_wire(queries)]
        check_eq([dp.a_records(a) for a in answers], [["192.0.2.2"], [WILD_ADDRESS], [WILD_ADDRESS]],
                 "three pipelined queries on one connection")
    r, _, _ = dp.dot_query(ub.address, "txt.dot.test", "TXT", cafile=ca.path)
    check_eq([rd.to_text() for rrset in r.answer for rd in rrset], ['"over tls"'], "txt.dot.test TXT")
    s1 = ub.stats()
    check_eq(s1["num.query.tls"] - s0["num.query.tls"], 5, "unbound's num.query.tls after 5 DoT queries")
    check_eq(s1["total.num.queries"] - s0["total.num.queries"], 5, "unbound's total.num.queries after 5")

    # The certificates lanlord must refuse, as a verifying client sees them.
    bad = {"selfsigned": (12, self_signed, r"self.signed"), "expired": (13, expired, r"expired"),
           "wrongname": (14, wrong_name, r"hostname mismatch|doesn't match|not match")}
    servers = {label: unbound(env, label, host, cert) for label, (host, cert, _) in bad.items()}
    for label, (host, cert, reason) in bad.items():
        try:
            dp.dot_query(env.addr(host), "www.dot.test", cafile=ca.path)
            raise lt.Failure(f"a verifying client accepted the {label} certificate")
        except ssl.SSLCertVerificationError as e:
            lt.log(f"{label}: {e.verify_message}")
            check(re.search(reason, str(e), re.I), f"{label}: verification error {e} does not say /{reason}/")
        check_eq(servers[label].stats()["num.query.tls"], 0, f"TLS queries at the {label} server")
    # Without verification, the self-signed server's key is the one pinned.
    with dp.DotClient(env.addr(12)) as client:
        der = client.peer_cert_der()
    check_eq(dp.spki_pin_der(der), self_signed.pin, "pin of the key the self-signed server presents")
    check(self_signed.pin != good.pin, "two keys with one pin")

    # The server that closes after each answer.
    py = dp.PyDotServer(env, env.addr(15), ca.issue("closing", ips=[env.addr(15)]), per_connection=1)
    with dp.DotClient(py.address, cafile=ca.path) as client:
        try:
            client.exchange_wire([dns.message.make_query(f"p{i}.dot.test", "A").to_wire() for i in range(2)])
            raise lt.Failure("the closing server answered two queries on one connection")
        except (ConnectionError, ssl.SSLError, OSError) as e:
            lt.log(f"closing server after one answer: {e}")
    r, _, _ = dp.dot_query(py.address, "p3.dot.test", cafile=ca.path)
    check_eq(dp.a_records(r), ["192.0.2.9"], "answer of the closing server on a new connection")
    lt.wait_until(lambda: py.answers == 2 and py.handshakes == 2, 2, "the closing server's counters")
    check_eq(py.queries[-1], "p3.dot.test.", "last name the closing server saw")

    used = dp.kdig(ub.address, "www.dot.test", ca.path)
    lt.log(f"kdig: {'used' if used else 'not installed (' + dp.KDIG + '), skipped'}")
    if used:
        check("192.0.2.1" in used[1], "kdig +tls answer from unbound")


# ---------------------------------------------------------------- lanlord as a DoT client

def case_upstream(env):
    """lanlord forwards over TLS to unbound: the answers, unbound's TLS counter, lanlord's tls status."""
    ca = dp.TestCa(env.tmp)
    ub = unbound(env, "unbound", 11, ca.issue("server", ips=[env.addr(11)]))
    check_plain_closed(ub.address)
    d = Daemon(env, [tls_group("dot", ub.address, ca=ca)])  # no port: 853
    t0, q0 = ub.tls_queries(), ub.queries()
    for name, rtype, want in EXPECTED:
        r = dig(d.listen, name, rtype)
        check_eq((r.status, r.rdatas(rtype)), ("NOERROR", want), f"{name} {rtype} through lanlord")
    n = len(EXPECTED)
    check_eq(ub.tls_queries() - t0, n, "queries unbound received over TLS (one per miss)")
    check_eq(ub.queries() - q0, n, "queries unbound received in all")
    for name, rtype, want in EXPECTED:  # cached now
        check_eq(dig(d.listen, name, rtype).rdatas(rtype), want, f"{name} {rtype} again")
    check_eq(ub.tls_queries() - t0, n, "TLS queries at unbound after the same names again (cache hits)")
    t = d.wait_tls(ub.address, lambda t: t.get("handshakes", 0) >= 1 and t.get("answers", 0) >= n,
                   f"handshakes >= 1 and answers >= {n}")
    lt.log(f"lanlord's tls status for {ub.address}: {t}")
    check(t["queries"] >= n, f"tls queries {t['queries']} < {n}")
    check_eq(t["auth_name"], dp.AUTH_NAME, "auth_name")
    check_eq(t["handshake_failures"], 0, "handshake_failures")
    check_eq(t["verified"], True, "verified")
    check_eq(t["version"], "TLSv1.3", "version")
    check_eq(t["last_error"], "", "last_error")


def case_reuse(env):
    """200 names with threads = 1: one handshake, every query on that connection."""
    ca = dp.TestCa(env.tmp)
    ub = unbound(env, "unbound", 11, ca.issue("server", ips=[env.addr(11)]))
    d = Daemon(env, [tls_group("dot", ub.address, ca=ca, port=853)], top={"threads": 1})
    t0 = ub.tls_queries()
    names = [f"n{i}.wild.dot.test" for i in range(200)]
    results = ask_all(d.listen, names)
    bad = [(n, r) for n, r in zip(names, results) if r != ("NOERROR", [WILD_ADDRESS])]
    check(not bad, f"{len(bad)} of 200 names not answered with {WILD_ADDRESS}: {bad[:5]}")
    check_eq(ub.tls_queries() - t0, 200, "queries unbound received over TLS")
    t = d.wait_tls(ub.address, lambda t: t.get("answers", 0) >= 200, "answers >= 200")
    lt.log(f"lanlord's tls status for {ub.address}: {t}")
    check_eq(t["handshakes"], 1, "TLS handshakes for 200 queries with one DNS thread")
    check(t["queries"] >= 200, f"tls queries {t['queries']} < 200")
    check(t["queries_per_connection"] >= 200, f"queries per connection {t['queries_per_connection']} < 200")
    check_eq(t["handshake_failures"], 0, "handshake_failures")


def case_refused(env):
    """Self-signed, expired, wrong name, wrong pin: SERVFAIL, nothing sent in clear, counted and logged."""
    ca = dp.TestCa(env.tmp)
    decoy = dp.self_signed(env.tmp, "decoy")  # its pin is not the server's
    servers = {  # label: (host, certificate, what lanlord is told, what the log or status should say)
        "selfsigned": (11, dp.self_signed(env.tmp, "selfsigned", ips=[env.addr(11)]), {"ca": ca},
                       r"self.signed|issuer|verif"),
        "expired": (12, ca.issue_expired("expired", ips=[env.addr(12)]), {"ca": ca}, r"expired|verif"),
        "wrongname": (13, ca.issue("wrongname", dns_names=["other.test"]), {"ca": ca},
                      r"hostname|name|mismatch|verif"),
        "wrongpin": (14, ca.issue("wrongpin", ips=[env.addr(14)]), {"pins": [decoy.pin]}, r"pin"),
    }
    records = RECORDS + [f"www.{label}.dot.test. 300 IN A {FORBIDDEN}" for label in servers]
    peers = {label: unbound(env, label, host, cert, records=records) for label, (host, cert, _, _) in servers.items()}
    groups = [tls_group(label, env.addr(host), domains=[f"{label}.dot.test"], **how)
              for label, (host, _, how, _) in servers.items()]
    d = Daemon(env, groups, dns={"upstream_timeout": "2s"})
    for label in servers:
        for attempt in range(2):
            r = dig(d.listen, f"www.{label}.dot.test", timeout=5)
            check(r.status in ("SERVFAIL", None), f"{label} (attempt {attempt + 1}): status {r.status}, "
                  f"expected SERVFAIL or no answer")
            check(FORBIDDEN not in r.rdatas("A"), f"{label}: the refused server's answer was used")
    text = d.ll.log_text()
    for label, (host, cert, _, reason) in servers.items():
        s = peers[label].stats()
        check_eq((s["num.query.tls"], s["total.num.queries"]), (0, 0),
                 f"(TLS queries, all queries) at the {label} server")
        t = d.wait_tls(env.addr(host), lambda t: t.get("handshake_failures", 0) >= 1, f"{label}: a handshake failure")
        lt.log(f"{label}: tls status {t}")
        check_eq(t["answers"], 0, f"{label}: answers over TLS")
        check_eq(t["verified"], False, f"{label}: verified")
        check(t["last_error"], f"{label}: no last_error in the tls status")
        lines = [x for x in text.splitlines() if env.addr(host) in x]
        lt.log(f"{label}: log lines naming {env.addr(host)}: {lines[:3]}")
        check(re.search(reason, t["last_error"] + "\n" + "\n".join(lines), re.I),
              f"{label}: neither last_error {t['last_error']!r} nor the log lines naming {env.addr(host)} "
              f"say /{reason}/")
    check(re.search(r"tls", text, re.I) and re.search(r"verif|certificate", text, re.I),
          "lanlord's log says nothing about TLS certificate verification")


def case_failover(env):
    """A group of a DoT server with a self-signed certificate and a good one: every name is answered by the
    good one, the bad one is backed off after its failure and costs a handshake or two per thread, not one per
    retry; the bad one's answers are never used."""
    ca = dp.TestCa(env.tmp)
    bad = unbound(env, "bad", 11, dp.self_signed(env.tmp, "bad", ips=[env.addr(11)]))
    good = unbound(env, "good", 12, ca.issue("good", ips=[env.addr(12)]))
    group = tls_group("dot", bad.address, ca=ca)
    group["servers"].append(f"tls://{good.address}#{dp.AUTH_NAME}")
    d = Daemon(env, [group], top={"threads": 1})
    names = [f"f{i}.wild.dot.test" for i in range(30)]
    results = [ask(d.listen, n) for n in names[:10]] + ask_all(d.listen, names[10:], workers=10)
    bad_results = [(n, r) for n, r in zip(names, results) if r != ("NOERROR", [WILD_ADDRESS])]
    check(not bad_results, f"{len(bad_results)} of 30 names not answered by the good server: {bad_results[:5]}")
    tb = d.wait_tls(bad.address, lambda t: t.get("handshake_failures", 0) >= 1, "the bad server failed")
    tg = d.wait_tls(good.address, lambda t: t.get("answers", 0) >= 30, "30 answers from the good server")
    lt.log(f"bad server: {tb}; good server: {tg}")
    check(tb["connections_opened"] <= 3, f"{tb['connections_opened']} connections to the refused server for 30 "
          "names: a handshake per retry")
    check_eq(bad.stats()["total.num.queries"], 0, "queries the refused server received")
    status = lt.lanlordctl_json(env, d.control, "status")
    states = {srv["address"]: srv["state"] for g in status["upstream_groups"] for srv in g["servers"]}
    lt.log(f"server states: {states}")
    check_eq([state for address, state in states.items() if bad.address + ":" in address], ["backed-off"],
             "the refused server's state in lanlordctl status")


def case_pin(env):
    """A self-signed server, its SPKI pin (with a decoy) and no CA file: answers arrive over TLS."""
    cert = dp.self_signed(env.tmp, "selfsigned", ips=[env.addr(11)])
    decoy = dp.self_signed(env.tmp, "decoy")
    ub = unbound(env, "unbound", 11, cert)
    d = Daemon(env, [tls_group("dot", ub.address, pins=[decoy.pin, cert.pin])])
    t0 = ub.tls_queries()
    r = dig(d.listen, "www.dot.test")
    check_eq((r.status, r.rdatas("A")), ("NOERROR", ["192.0.2.1"]), "www.dot.test through a pinned server")
    check_eq(ub.tls_queries() - t0, 1, "TLS queries at the pinned server")
    t = d.wait_tls(ub.address, lambda t: t.get("answers", 0) >= 1, "answers >= 1")
    lt.log(f"tls status: {t}")
    check_eq(t["handshake_failures"], 0, "handshake_failures")


def case_close_each(env):
    """A DoT server that closes the connection after every answer: 20 names all answered."""
    ca = dp.TestCa(env.tmp)
    py = dp.PyDotServer(env, env.addr(11), ca.issue("server", ips=[env.addr(11)]), per_connection=1,
                        answer=dp.answer_a("192.0.2.9"))
    d = Daemon(env, [tls_group("dot", py.address, ca=ca)], dns={"upstream_timeout": "3s"})
    names = [f"c{i}.dot.test" for i in range(20)]
    results = [ask(d.listen, n) for n in names[:10]]  # one at a time
    results += ask_all(d.listen, names[10:], workers=10)  # at once: several queued on a connection that closes
    bad = [(n, r) for n, r in zip(names, results) if r != ("NOERROR", ["192.0.2.9"])]
    check(not bad, f"{len(bad)} of 20 names not answered: {bad[:5]}")
    lt.log(f"closing server: {py.connections} connections, {py.handshakes} handshakes, {py.answers} answers, "
           f"{len(py.queries)} queries, errors {py.errors[:3]}")
    check_eq(sorted(set(py.queries) & {n + "." for n in names}), sorted(n + "." for n in names),
             "names the closing server was asked")
    check(py.handshakes >= 20, f"{py.handshakes} handshakes for 20 answers at one answer per connection")
    t = d.wait_tls(py.address, lambda t: t.get("answers", 0) >= 20, "answers >= 20")
    lt.log(f"tls status: {t}")
    # Session resumption (RFC 7858 section 3.4): after the first connection,
    # reconnects offer the server's ticket. Connections opened at the same
    # moment have none yet, so not every one resumes.
    check(t["resumed"] >= t["handshakes"] // 2,
          f"{t['resumed']} of {t['handshakes']} handshakes resumed a session")


# ---------------------------------------------------------------- lanlord's DoT listener

def case_listener(env):
    """tls_listen: answers over TLS (Python, kdig), padding to 468, a denied client, new certificate on SIGHUP."""
    ca = dp.TestCa(env.tmp)
    listen, denied = env.addr(1), env.addr(200)
    first = ca.issue("listener1", ips=[listen])
    tls_dir = os.path.join(env.tmp, "tls")
    os.makedirs(tls_dir)
    cert_path, key_path = os.path.join(tls_dir, "cert.pem"), os.path.join(tls_dir, "key.pem")

    def install(cert):
        for src, dst in ((cert.path, cert_path), (cert.key, key_path)):
            with open(src, "rb") as fh:
                data = fh.read()
            with open(dst + ".new", "wb") as fh:
                fh.write(data)
            os.replace(dst + ".new", dst)
    install(first)
    nsd = env.nsd("nsd", env.addr(11), {"a.test": lt.zone("a.test", ["www IN A 192.0.2.1", "* IN A 192.0.2.7"])})
    # Loopback clients are always answered (man lanlord.toml, dns.allow): the
    # denied client is a second loopback address in `deny`.
    d = Daemon(env, [{"name": "default", "servers": [nsd.address]}],
               dns={"tls_listen": [f"{listen}:853"], "tls_certificate": cert_path, "tls_key": key_path,
                    "deny": [f"{denied}/32"]})
    lt.wait_until(lambda: dp.port_open_tcp(listen, 853), 5, f"lanlord's DoT listener on {listen}:853")

    r, wire, c = dp.dot_query(listen, "www.a.test", cafile=ca.path)
    check_eq((dns.rcode.to_text(r.rcode()), dp.a_records(r)), ("NOERROR", ["192.0.2.1"]), "www.a.test over DoT")
    check_eq(c.version, "TLSv1.3", "TLS version of lanlord's listener")
    with dp.DotClient(listen, cafile=ca.path) as client:
        check_eq(client.peer_serial(), first.serial, "serial of the listener's certificate")
        wires = [dns.message.make_query(f"p{i}.a.test", "A", use_edns=0).to_wire() for i in range(5)]
        answers = [dns.message.from_wire(w) for w in client.exchange_wire(wires)]
        check_eq([dp.a_records(a) for a in answers], [["192.0.2.7"]] * 5, "five pipelined queries")
        # Each answer leaves at once (RFC 7766 section 6.2.1.1): Nagle off on the accepted connection, else
        # an answer written behind unacknowledged session tickets waits for the client's delayed ACK.
        port = client.tls.getsockname()[1]
        check_eq(dp.tcp_option_of_peer(d.ll.proc.pid, 853, port, socket.IPPROTO_TCP, socket.TCP_NODELAY), 1,
                 "TCP_NODELAY on lanlord's side of a DoT connection")
    with socket.create_connection((listen, 53), timeout=3) as plain:
        port = plain.getsockname()[1]
        lt.wait_until(lambda: dp.tcp_option_of_peer(d.ll.proc.pid, 53, port, socket.IPPROTO_TCP,
                                                    socket.TCP_NODELAY) is not None, 3, "lanlord to accept")
        check_eq(dp.tcp_option_of_peer(d.ll.proc.pid, 53, port, socket.IPPROTO_TCP, socket.TCP_NODELAY), 1,
                 "TCP_NODELAY on lanlord's side of a plain TCP connection")

    # RFC 7830 section 4, RFC 8467: a padded query gets a response padded to a multiple of 468.
    for name in ("www.a.test", "padded-with-a-longer-name.a.test"):
        r, wire, _ = dp.dot_query(listen, name, cafile=ca.path, pad=128)
        check(dp.has_padding(r), f"no Padding option in the response to a padded query for {name}")
        check_eq(len(wire) % 468, 0, f"length {len(wire)} of the response to a padded query, modulo 468")
    r, wire, _ = dp.dot_query(listen, "www.a.test", cafile=ca.path)
    lt.log(f"response to an unpadded query: {len(wire)} bytes, padded: {dp.has_padding(r)}")

    used = dp.kdig(listen, "www.a.test", ca.path)
    lt.log(f"kdig: {'used' if used else 'not installed (' + dp.KDIG + '), skipped'}")
    if used:
        check_eq(used[0], 0, "kdig +tls exit code")
        check("192.0.2.1" in used[1] and "NOERROR" in used[1], "kdig +tls answer")
        used = dp.kdig(listen, "www.a.test", ca.path, opts=["+padding"])
        check(used[0] == 0 and "192.0.2.1" in used[1], "kdig +tls +padding answer")

    # A denied client: REFUSED, or the connection refused or closed; never the answer.
    check_eq(dig(listen, "www.a.test", source=denied).status, "REFUSED", f"plain DNS from {denied} (test setup)")
    try:
        r, _, _ = dp.dot_query(listen, "www.a.test", cafile=ca.path, source=denied)
        check_eq(dns.rcode.to_text(r.rcode()), "REFUSED", f"DoT answer to {denied}")
        check_eq(dp.a_records(r), [], f"addresses in the DoT answer to {denied}")
    except (ConnectionError, ssl.SSLError, OSError) as e:
        lt.log(f"DoT from {denied}: connection refused or closed ({e})")

    # SIGHUP after the files were replaced: new connections see the new certificate.
    second = ca.issue("listener2", ips=[listen])
    check(second.serial != first.serial, "test setup: two certificates with one serial")
    install(second)
    d.ll.signal(signal.SIGHUP)

    def new_serial():
        with dp.DotClient(listen, cafile=ca.path) as client:
            return client.peer_serial() == second.serial
    lt.wait_until(new_serial, 5, "a new connection to see the new certificate after SIGHUP", interval=0.2)
    with dp.DotClient(listen, cafile=ca.path) as client:
        check(second.subject.endswith("CN=listener2"), f"test setup: subject {second.subject}")
        r, _ = client.query("www.a.test")
        check_eq(dp.a_records(r), ["192.0.2.1"], "answer on a connection with the new certificate")


# ---------------------------------------------------------------- lanlordctl bench over DoT

def run_bench(env, names_file, *args, json_out=True):
    """`lanlordctl bench` without lanlord itself: the JSON targets by name (or the table's text)."""
    cmd = [lt.lanlordctl_path(env), "bench", "--no-self", "--no-progress", "--names", names_file, "--count", "20",
           "--rate", "40", "--handshakes", "2", *args] + (["--json"] if json_out else [])
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    lt.log(f"{' '.join(cmd[1:])} -> {p.returncode}\n{p.stdout[-2500:]}{p.stderr[-800:]}")
    check_eq(p.returncode, 0, f"exit code of lanlordctl bench ({p.stderr.strip()})")
    if not json_out:
        return p.stdout
    return {t["name"]: t for t in json.loads(p.stdout)["targets"]}


def check_answered(t, what, at_least=20):
    for phase in ("uncached", "cached"):
        check(t[phase]["answered"] >= at_least, f"{what}: {t[phase]['answered']} {phase} answers of "
                                                f"{t[phase]['sent']} sent, wanted at least {at_least}")


def case_bench(env):
    """lanlordctl bench compares DoT servers: unbound and lanlord's listener beside UDP, handshakes timed apart
    (full and resumed), a server closing after every answer, a wrong pin and a wrong name refused."""
    ca = dp.TestCa(env.tmp)
    ub = unbound(env, "unbound", 11, ca.issue("server", ips=[env.addr(11)]))
    check_plain_closed(ub.address)
    listen = env.addr(1)
    listener = ca.issue("listener", ips=[listen])
    d = Daemon(env, [tls_group("dot", ub.address, ca=ca)],
               dns={"tls_listen": [f"{listen}:853"], "tls_certificate": listener.path, "tls_key": listener.key})
    lt.wait_until(lambda: dp.port_open_tcp(listen, 853), 5, f"lanlord's DoT listener on {listen}:853")
    closer = dp.PyDotServer(env, env.addr(12), ca.issue("closer", ips=[env.addr(12)]), per_connection=1,
                            answer=dp.answer_a("192.0.2.9"))
    # The same without close_notify: the TCP connection just ends (lanlord's own listener on idle, many
    # others). An end of stream, not an error: the session stays resumable.
    abrupt = dp.PyDotServer(env, env.addr(13), ca.issue("abrupt", ips=[env.addr(13)]), per_connection=1,
                            answer=dp.answer_a("192.0.2.9"), close_notify=False)
    names = os.path.join(env.tmp, "names.txt")
    with open(names, "w") as fh:
        fh.write("wild.dot.test\n")  # uncached: random labels below it, all in unbound's redirect zone

    # 1. unbound alone: every query of the run reached it over TLS, on one connection.
    t0, q0 = ub.tls_queries(), ub.queries()
    r = run_bench(env, names, "--tls-ca", ca.path, "--server", f"unbound=tls://{ub.address}#{dp.AUTH_NAME}")
    u = r["unbound"]
    check_eq((u["transport"], u["port"], u["tls_name"]), ("tls", 853, dp.AUTH_NAME), "unbound target")
    check_answered(u, "unbound over DoT")
    check_eq(u["uncached"]["lost"] + u["cached"]["lost"], 0, "queries lost by unbound over DoT")
    tls = u["tls"]
    check_eq((tls["version"], tls["failures"], tls["query_connections"], tls["closed_by_server"], tls["error"]),
             ("TLSv1.3", 0, 1, 0, None), "unbound: version, failures, query connections, closed, error")
    check_eq(tls["handshakes"], 1 + 2 + 2, "handshakes: the query connection, 2 full and 2 resumed probes")
    check_eq(tls["resumption_offered"], 2, "sessions offered by the resumed probes")
    sent_tls = ub.tls_queries() - t0
    check_eq(ub.queries() - q0, sent_tls, "queries unbound received in all (all over TLS)")
    check_eq(sent_tls, round(tls["queries_per_connection"]), "unbound's TLS queries = answers on the connection")
    check(tls["full_handshake"]["p50_ms"] > 0 and tls["tcp_connect"]["p50_ms"] <= tls["full_handshake"]["max_ms"],
          f"handshake figures {tls}")
    lt.log(f"unbound DoT: full {tls['full_handshake']}, resumed {tls['resumed_handshake']} "
           f"({tls['resumed']}/{tls['resumption_offered']}), query p50 uncached {u['uncached']['p50_ms']} ms, "
           f"cached {u['cached']['p50_ms']} ms")

    # 2. lanlord's DoT listener and its plain UDP side by side, and a server that closes after every answer.
    r = run_bench(env, names, "--tls-ca", ca.path, "--server", f"lanlord DoT=tls://{listen}#{dp.AUTH_NAME}",
                  "--server", f"lanlord UDP={listen}", "--server", f"closer=tls://{closer.address}#{dp.AUTH_NAME}",
                  "--server", f"abrupt=tls://{abrupt.address}#{dp.AUTH_NAME}")
    ld, lu, cl = r["lanlord DoT"], r["lanlord UDP"], r["closer"]
    check_answered(ld, "lanlord over DoT")
    check_answered(lu, "lanlord over UDP")
    check_eq(lu["transport"], "udp", "transport of the plain target")
    check("tls" not in lu, "a UDP target has no tls figures")
    lt_tls = ld["tls"]
    check_eq((lt_tls["version"], lt_tls["handshakes"], lt_tls["query_connections"], lt_tls["failures"]),
             ("TLSv1.3", 5, 1, 0), "lanlord's listener: version, handshakes, query connections, failures")
    # lanlord's listener resumes TLS 1.3 sessions: each resumed probe offers the ticket of the one before.
    check_eq((lt_tls["resumption_offered"], lt_tls["resumed"]), (2, 2), "lanlord's listener: sessions resumed")
    check(lt_tls["resumed_handshake"] is not None, "a resumed handshake time for lanlord's listener")
    ctls = cl["tls"]
    lt.log(f"closing server: {closer.connections} connections, {closer.handshakes} handshakes, "
           f"{closer.answers} answers; bench: {ctls}")
    # One answer per connection: every query needs a connection of its own,
    # opened when it is due; a query never waits for the handshake in its
    # latency, so the closer's latencies stay those of one exchange.
    check_answered(cl, "the closing server", at_least=18)
    check(ctls["query_connections"] >= 36, f"{ctls['query_connections']} query connections to the closing server")
    check(ctls["closed_by_server"] >= 36, f"{ctls['closed_by_server']} connections closed by the closing server")
    check(ctls["resumed"] >= ctls["query_connections"] // 2, f"reconnects resumed: {ctls}")
    check(closer.handshakes >= ctls["handshakes"], f"closer saw {closer.handshakes} handshakes, bench "
                                                   f"{ctls['handshakes']}")
    ab = r["abrupt"]
    atls = ab["tls"]
    lt.log(f"abrupt server: {abrupt.connections} connections, {abrupt.answers} answers; bench: {atls}")
    check_answered(ab, "the server closing without close_notify", at_least=18)
    check(atls["closed_by_server"] >= 36 and atls["failures"] == 0, f"abrupt closes counted as closes: {atls}")
    check(atls["resumed"] >= atls["query_connections"] // 2, f"sessions resumed after abrupt closes: {atls}")

    # 3. A wrong pin: three failed connections, the target given up, not a query sent (over TLS or in clear).
    other = dp.self_signed(env.tmp, "other", ips=[ub.address])
    t0, q0 = ub.tls_queries(), ub.queries()
    r = run_bench(env, names, "--tls-pin", other.pin, "--server", f"pinned=tls://{ub.address}")
    p = r["pinned"]["tls"]
    check_eq((p["handshakes"], p["failures"], r["pinned"]["uncached"]["sent"], r["pinned"]["cached"]["sent"]),
             (0, 3, 0, 0), "wrong pin: handshakes, failures, queries sent")
    check("pinned key" in (p["error"] or ""), f"wrong pin: error {p['error']}")
    check_eq((ub.tls_queries() - t0, ub.queries() - q0), (0, 0), "queries unbound received with a wrong pin")

    # 4. A wrong authentication name, in the table: the warning says why.
    text = run_bench(env, names, "--tls-ca", ca.path, "--server", f"wrong=tls://{ub.address}#other.example",
                     json_out=False)
    check("warning: wrong: no DoT connection (nothing was sent): certificate verify failed" in text,
          "the table's warning for a wrong name")
    check_eq(ub.queries() - q0, 0, "queries unbound received with a wrong name")


CASES = {"harness": case_harness, "upstream": case_upstream, "reuse": case_reuse, "refused": case_refused,
         "failover": case_failover, "pin": case_pin, "close_each": case_close_each, "listener": case_listener,
         "bench": case_bench}

if __name__ == "__main__":
    sys.exit(lt.main(CASES))
