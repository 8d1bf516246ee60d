#!/usr/bin/python3
"""The DNSSEC-signed fake Internet (signed_internet.py) checked with two reference validators.

signed_internet.py builds, in a network namespace of its own (ll<pid>s), a
signed root, two signed TLDs (zz. NSEC3 with opt-out, yy. NSEC) and leaf
zones that are secure (NSEC, NSEC3, wildcard), insecure (an unsigned
delegation in zz.'s opt-out span) and bogus (expired signatures; a DS that
names no key of the zone), one NSD per zone level on TEST-NET addresses, a
root hints file and a trust-anchor file (see its docstring for the topology
and for the expectations that differ from a first guess). Its EXPECT table
says, per question, the RCODE, the security (secure / insecure / bogus) and
the EDE code; later tests point lanlord at the same fixture and the same
table.

Case `reference` proves the fixture and its table right without lanlord:
  - Unbound (Debian's unbound, started here, not as a service) runs inside the
    namespace on 127.0.0.1:53 as a validating recursive resolver: root hints
    and a copy of the fixture's anchor (trust-anchor-file, DS lines),
    module-config "validator iterator", val-log-level 2, ede: yes, IPv4 only,
    no remote control, every file in the temp dir;
  - every EXPECT row is asked of Unbound with dnspython (RD, DO, EDNS 1232):
    RCODE as expected; AD set for "secure", clear for "insecure"; SERVFAIL for
    "bogus" with the expected EDE code; the answer data of ANSWERS;
  - delv (bind9-dnsutils, its own validator; it asks Unbound with CD set, so
    it sees the bogus data too) with the anchor converted to a trust-anchors
    { . static-ds ...; } file gives, for every row, the verdict that matches
    the security column: "fully validated" = secure, "unsigned answer" =
    insecure, "resolution failed" = bogus. One exception, on purpose: an
    NXDOMAIN proven only by an opt-out NSEC3 (signed_internet.OPTOUT_DENIALS,
    nope.zz.) is "insecure" in EXPECT (no AD; Unbound: "nc has optout" ->
    insecure) but delv says "negative response, fully validated": delv prints
    BIND's trust level, and BIND keeps such a proof at trust "secure" with an
    opt-out mark, which named turns into a cleared AD bit only when it renders
    the answer (lib/dns/message.c, OPTOUT(rdataset) clears AD). For those rows
    delv must say "fully validated" and show an NSEC3 with the opt-out flag.
A table of name, type, RCODE, AD, EDE and delv's verdict is printed. The
tools are installed by contrib/dev.sh: a missing one (or not being root) is a
failure here, not a skip.
"""

import os
import re
import shutil
import sys
import time

import dns.flags
import dns.name
import dns.rcode
import dns.rdatatype

import lanlord_test as lt
import signed_internet as si
from lanlord_test import check

UNBOUND = "/usr/sbin/unbound"
DELV = "/usr/bin/delv"
LISTEN = "127.0.0.1"
QUERY_TIMEOUT = 10


def require_tools():
    missing = si.missing_tools() + [f"{t} ({p})" for t, p in ((UNBOUND, "unbound"), (DELV, "bind9-dnsutils"))
                                    if not os.access(t, os.X_OK)]
    check(not missing, f"tools missing (contrib/dev.sh installs them): {', '.join(missing)}")
    check(os.geteuid() == 0, "needs root (network namespaces)")


def start_unbound(env, net):
    d = os.path.join(env.tmp, "unbound")
    os.makedirs(d)
    anchor = os.path.join(d, "root.ds")
    shutil.copy(net.anchor, anchor)
    conf = os.path.join(d, "unbound.conf")
    with open(conf, "w") as fh:
        fh.write(f"""server:
    verbosity: 1
    interface: {LISTEN}
    port: 53
    do-ip6: no
    num-threads: 1
    username: ""
    chroot: ""
    directory: "{d}"
    pidfile: "{d}/unbound.pid"
    logfile: "{d}/unbound.log"
    use-syslog: no
    do-daemonize: no
    root-hints: "{net.hints}"
    trust-anchor-file: "{anchor}"
    module-config: "validator iterator"
    val-log-level: 2
    ede: yes
    log-servfail: yes
remote-control:
    control-enable: no
""")
    proc = net.spawn("unbound", [UNBOUND, "-d", "-c", conf])
    log_path = os.path.join(d, "unbound.log")

    def answers():
        check(proc.poll() is None, f"unbound exited with {proc.returncode}:\n{read(log_path)}"
                                   f"{read(os.path.join(net.dir, 'unbound.out'))}")
        try:
            return net.query(LISTEN, ".", "SOA", timeout=0.5).rcode() == dns.rcode.NOERROR
        except Exception:
            return False
    lt.wait_until(answers, 15, "unbound to answer . SOA")
    lt.log(f"unbound (pid {proc.pid}) validating on {LISTEN}:53 in netns {net.ns}")
    return log_path


def read(path):
    try:
        with open(path, errors="replace") as fh:
            return fh.read()
    except OSError:
        return ""


def final_rdatas(msg, qname, qtype):
    """The rdatas of qtype at the end of qname's CNAME chain in the answer section."""
    name = dns.name.from_text(qname)
    want = dns.rdatatype.from_text(qtype)
    for _ in range(10):
        direct = [x for x in msg.answer if x.name == name and x.rdtype == want]
        if direct:
            return {rd.to_text() for rd in direct[0]}
        cname = [x for x in msg.answer if x.name == name and x.rdtype == dns.rdatatype.CNAME]
        if not cname:
            return set()
        name = cname[0][0].target
    return set()


def ask_unbound(net, row):
    """(rcode, AD, EDE codes, problems, the message) of Unbound's answer to one EXPECT row."""
    r = net.query(LISTEN, row.qname, row.qtype, timeout=QUERY_TIMEOUT)
    rcode = dns.rcode.to_text(r.rcode())
    ad = bool(r.flags & dns.flags.AD)
    edes = si.ede_codes(r)
    bad = []
    if rcode != row.rcode:
        bad.append(f"RCODE {rcode}, expected {row.rcode}")
    if row.security == "secure" and not ad:
        bad.append("AD clear on a secure answer")
    if row.security != "secure" and ad:
        bad.append(f"AD set on a {row.security} answer")
    if row.ede is not None and row.ede not in edes:
        bad.append(f"EDE {edes}, expected {row.ede}")
    if row.ede is None and edes:
        bad.append(f"EDE {edes} on a {row.security} answer")
    want = si.ANSWERS.get((row.qname, row.qtype))
    if want is not None and final_rdatas(r, row.qname, row.qtype) != want:
        bad.append(f"answer data {sorted(final_rdatas(r, row.qname, row.qtype))}, expected {sorted(want)}")
    if (row.qname, row.qtype) in si.WILDCARD_EXPANDED:
        labels = [rd.labels for x in r.answer if x.rdtype == dns.rdatatype.RRSIG for rd in x]
        owner = len(dns.name.from_text(row.qname)) - 1
        if not labels or any(n >= owner for n in labels):
            bad.append(f"not a wildcard expansion: RRSIG labels {labels}, owner {owner} labels")
    if want is None and row.rcode == "NOERROR" and row.security != "bogus" and final_rdatas(r, row.qname, row.qtype):
        bad.append("records of the type in what should be NODATA")
    return rcode, ad, edes, bad, r


def delv_verdict(text):
    """delv's output -> ("secure" / "insecure" / "bogus" / None, what it said). delv prints one verdict
    line per RRset (a CNAME chain has several): the chain is insecure when any link is unsigned."""
    said = []
    for line in text.splitlines():
        s = line.strip()
        # NXDOMAIN and NODATA come as "resolution failed: ncache ..." besides their verdict line
        if s.startswith(";; resolution failed") and "ncache" not in s:
            return "bogus", s
        if re.match(r";\s*(negative response, )?(fully validated|unsigned answer)$", s):
            said.append(s.lstrip("; "))
    if not said:
        return None, text.strip().splitlines()[-1] if text.strip() else "(no output)"
    return ("insecure" if any("unsigned" in x for x in said) else "secure"), " / ".join(said)


def ask_delv(net, anchor, row):
    p = net.run_in_ns([DELV, f"@{LISTEN}", "-4", "-a", anchor, "+root=.", row.qname, row.qtype], timeout=30)
    return delv_verdict(p.stdout + p.stderr), p


def case_reference(env):
    """Unbound and delv, both validating inside the namespace, give every
    EXPECT row its RCODE, AD bit, EDE and verdict."""
    require_tools()
    net = si.SignedInternet(env.tmp)
    env.defer(net.stop)
    net.start()
    unbound_log = start_unbound(env, net)
    delv_anchor = env.write("delv-anchor.conf", si.bind_trust_anchors(net.anchor))
    lt.log(f"trust anchor {net.anchor}:\n{read(net.anchor)}delv's:\n{read(delv_anchor)}")

    rows, failures = [], []
    t0 = time.monotonic()
    for row in si.EXPECT:
        rcode, ad, edes, bad, msg = ask_unbound(net, row)
        rows.append([row, rcode, ad, edes, bad])
        if bad:
            failures.append(f"unbound {row.qname} {row.qtype}: {'; '.join(bad)}\n{msg}")
    t1 = time.monotonic()
    for entry in rows:
        row = entry[0]
        (verdict, why), p = ask_delv(net, delv_anchor, row)
        want = row.security
        if (row.qname, row.qtype) in si.OPTOUT_DENIALS:
            # delv prints BIND's trust level, not the AD bit: see the docstring
            want = "secure"
            why += " (opt-out)"
            if not re.search(r"\bNSEC3\s+1\s+1\s+\d+\s", p.stdout):
                failures.append(f"delv {row.qname} {row.qtype}: no opt-out NSEC3 in the proof:\n{p.stdout}")
        entry.append((verdict, why))
        if verdict != want:
            failures.append(f"delv {row.qname} {row.qtype}: {verdict}, expected {want} "
                            f"(exit {p.returncode}):\n{p.stdout}{p.stderr}")
    t2 = time.monotonic()

    head = f"{'name':<22} {'type':<5} {'rcode':<9} {'AD':<3} {'EDE':<5} {'expect':<9} {'delv':<9} delv says"
    lines = [head, "-" * len(head)]
    for row, rcode, ad, edes, bad, (verdict, why) in rows:
        ok = "" if not bad and (verdict == row.security or why.endswith("(opt-out)")) else "  <-- MISMATCH"
        lines.append(f"{row.qname:<22} {row.qtype:<5} {rcode:<9} {'ad' if ad else '-':<3} "
                     f"{','.join(map(str, edes)) or '-':<5} {row.security:<9} {verdict or '?':<9} {why[:60]}{ok}")
    print("\n".join(lines), flush=True)
    lt.log(f"{len(rows)} rows: unbound {t1 - t0:.2f} s, delv {t2 - t1:.2f} s")
    if failures:
        val = [x for x in read(unbound_log).splitlines() if "validation failure" in x or "error" in x.lower()]
        print("----- unbound's validation failures -----\n" + "\n".join(val[-40:]), flush=True)
        raise lt.Failure(f"{len(failures)} disagreements with EXPECT:\n" + "\n".join(failures))


CASES = {"reference": case_reference}

if __name__ == "__main__":
    sys.exit(lt.main(CASES, deadlines={"reference": 100}))
