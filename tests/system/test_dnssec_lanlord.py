#!/usr/bin/python3
"""lanlord validating DNSSEC in recursive mode, in the signed fake Internet of
signed_internet.py (NSD serving a signed root, TLDs and leaf zones made with
ldnsutils at start, inside a network namespace of the test's own).

Cases:
  recursive  lanlord resolves from the fixture's root with its root.ds as the
             trust anchor ([dnssec] trust_anchor_file) and answers every
             EXPECT row with the RCODE, AD bit, Extended DNS Error and data
             that Unbound and delv give (test_dnssec_fixture.py checks them
             against the same table: lanlord agreeing with the table is
             agreeing with both); delv asking lanlord (it checks the RRSIGs
             and proofs lanlord hands a DO client) gives every row its
             verdict; lanlordctl trace says secure / bogus and why; the cache
             dump says secure / insecure and why; a name below a denied one
             is denied from the cached NSECs (RFC 8198). Then: CD=1 gets a bogus zone's data without
             AD; a client without DO or AD gets no AD; lanlordctl status counts
             the verdicts; the bogus answers were logged with their zone.
  nta        [dnssec] negative_trust_anchors = ["bogus.zz"]: the expired zone
             answers (insecure, no AD), nodskey.zz stays bogus.
  forwarding lanlord forwarding ([dnssec] validate_forwarded = true) to a
             validating unbound in the namespace, which passes DNSSEC data:
             every EXPECT row as above (lanlord asks with DO and CD, fetches
             DS and DNSKEY through unbound, judges itself).
  stripped   lanlord forwarding to a forwarder that drops DNSSEC records (a
             second lanlord, recursive, validation off: it sends no RRSIGs):
             signed names SERVFAIL with EDE 10, unsigned names answer, the log
             says the upstream strips signatures and `lanlordctl status`
             warns; validation is not turned off.
  rfc5011    the fixture's root also publishes a standby KSK that no anchor
             names (the start of a KSK rollover): within seconds of start
             lanlord's RFC 5011 state ($STATE_DIRECTORY/root-anchors.state)
             has the anchor's key valid (its DS matched) and the standby key
             in AddPend until 30 days out; logged, in `lanlordctl status`;
             validation goes on with the anchor. A restart reads the state; a
             damaged state file is logged and written again.
  clock      a timestamp file an hour ahead of the clock, and a kernel clock
             that is not synchronised (adjtimex; this case is skipped, exit 77,
             on a machine whose kernel says it is): answers come without AD,
             the expired zone answers (its dates cannot be judged), the broken
             chain of nodskey.zz is still SERVFAIL, and `lanlordctl status`
             says the clock is not trusted; the file moved back an hour, the
             next judgement (within 10 s) trusts the clock and secure answers
             get AD again.
"""

import ctypes
import ctypes.util
import os
import sys
import time

import dns.flags
import dns.rcode

import lanlord_test as lt
import signed_internet as si
import test_dnssec_fixture as ref
from lanlord_test import check

LISTEN = "127.0.0.1"


def start(env, net, dnssec=None, listen=LISTEN, upstream=None, name="lanlord", state_dir=None):
    """lanlord in the namespace on `listen`: recursive, or forwarding to `upstream` (an address)."""
    control = os.path.join(env.tmp, f"{name}.sock")
    keys = {"trust_anchor_file": net.anchor, "timestamp_file": os.path.join(env.tmp, f"{name}-timestamp")}
    keys.update(dnssec or {})
    group = {"name": "internet", "recursive": True, "domains": ["."]}
    if upstream:
        group = {"name": "upstream", "servers": [upstream], "domains": ["."]}
    # domain_needed off: "nosuchtld." is a question for the root here, not a LAN name.
    config = lt.lanlord_config([f"{listen}:53"], [group], dns={"domain_needed": False},
                               recursion={"root_hints": net.hints, "ipv6": "off", "allow_private": []},
                               control={"socket": control}, dnssec=keys)
    lanlord = env.start_lanlord(config, name=name, netns=net.ns,
                                extra_env={"STATE_DIRECTORY": state_dir} if state_dir else None)

    def answers():
        try:
            return net.query(listen, "www.nsec.zz.", "A", timeout=1).rcode() is not None
        except Exception:
            return False
    lt.wait_until(answers, 15, f"{name} to answer")
    return lanlord, control


def fixture(env, **kw):
    ref.require_tools()
    net = si.SignedInternet(env.tmp, **kw)
    env.defer(net.stop)
    net.start()
    return net


def ask(net, qname, qtype, server=LISTEN, **kw):
    r = net.query(server, qname, qtype, timeout=ref.QUERY_TIMEOUT, **kw)
    return dns.rcode.to_text(r.rcode()), bool(r.flags & dns.flags.AD), si.ede_codes(r), r


def check_expect(net, server):
    """Every EXPECT row asked of `server` with DO: test_dnssec_fixture.py's checks of Unbound's answers."""
    saved = ref.LISTEN
    ref.LISTEN = server
    try:
        rows = [(row, ref.ask_unbound(net, row)) for row in si.EXPECT]
    finally:
        ref.LISTEN = saved
    failures, lines = [], []
    for row, (rcode, ad, edes, bad, msg) in rows:
        lines.append(f"{row.qname:<22} {row.qtype:<5} {rcode:<9} {'ad' if ad else '-':<3} "
                     f"{','.join(map(str, edes)) or '-':<5} {row.security}{'  <-- ' + '; '.join(bad) if bad else ''}")
        if bad:
            failures.append(f"{row.qname} {row.qtype}: {'; '.join(bad)}\n{msg}")
    print("\n".join(lines), flush=True)
    check(not failures, f"{len(failures)} of {len(si.EXPECT)} rows differ from EXPECT:\n" + "\n".join(failures))


def check_delv(env, net, server):
    """delv (BIND's validator, with the fixture's trust anchor) asking `server`: every EXPECT row gets the
    verdict it gets asking Unbound (test_dnssec_fixture.py). delv sets CD and checks the RRSIGs and
    proofs itself, so this holds only if lanlord hands a DO client the signatures and the denial
    proofs (RFC 4035 3.2.1) of the authorities, unaltered."""
    anchor = env.write("delv-anchor.conf", si.bind_trust_anchors(net.anchor))
    saved = ref.LISTEN
    ref.LISTEN = server
    failures, lines = [], []
    try:
        for row in si.EXPECT:
            (verdict, why), p = ref.ask_delv(net, anchor, row)
            want = "secure" if (row.qname, row.qtype) in si.OPTOUT_DENIALS else row.security  # as the fixture
            lines.append(f"{row.qname:<22} {row.qtype:<5} {want:<9} delv: {verdict or '?':<9} {why[:60]}")
            if verdict != want:
                failures.append(f"delv {row.qname} {row.qtype}: {verdict}, expected {want}:\n{p.stdout}{p.stderr}")
    finally:
        ref.LISTEN = saved
    print("\n".join(lines), flush=True)
    check(not failures, f"{len(failures)} of {len(si.EXPECT)} rows: delv through lanlord disagrees:\n"
          + "\n".join(failures))


def case_recursive(env):
    net = fixture(env)
    lanlord, control = start(env, net)
    check_expect(net, LISTEN)
    check_delv(env, net, LISTEN)

    # The signatures a DO client gets: the secure answer's RRSIG, the NXDOMAIN's NSECs with theirs.
    rcode, ad, edes, r = ask(net, "www.nsec.zz.", "A")
    check(any(x.rdtype == dns.rdatatype.RRSIG for x in r.answer), f"no RRSIG for a DO client:\n{r}")

    # lanlordctl trace validates what it traced, and says so.
    out = lt.lanlordctl(env, control, "trace", "www.nsec.zz.", "A").stdout
    check("dnssec: secure" in out, f"lanlordctl trace www.nsec.zz. A:\n{out}")
    out = lt.lanlordctl(env, control, "trace", "www.bogus.zz.", "A").stdout
    check("dnssec: bogus (signature expired (bogus.zz.)" in out, f"lanlordctl trace www.bogus.zz. A:\n{out}")
    # The cache dump says which answers are secure, and why the others are not.
    dump = lt.lanlordctl_json(env, control, "cache", "dump", "www.nsec.zz.")
    states = {e["dnssec"] for e in dump["entries"]}
    check("secure" in states, f"cache dump of www.nsec.zz.: {dump}")
    dump = lt.lanlordctl_json(env, control, "cache", "dump", "www.unsigned.zz.")
    states = {e["dnssec"] for e in dump["entries"]}
    check(any(s.startswith("insecure") for s in states), f"cache dump of www.unsigned.zz.: {dump}")
    lt.log(f"cache dump's DNSSEC column for www.unsigned.zz.: {states}")
    # RFC 8198: a name the cached NSEC records of nsec.zz. deny (nx.nsec.zz. was denied above) is
    # answered from them: NXDOMAIN with AD, counted, and the proof is there for a DO client.
    rcode, ad, edes, r = ask(net, "a.nx.nsec.zz.", "A")
    check(rcode == "NXDOMAIN" and ad and any(x.rdtype == dns.rdatatype.NSEC for x in r.authority),
          f"a.nx.nsec.zz. A (aggressive NSEC): {rcode} AD {ad}\n{r}")
    d = lt.lanlordctl_json(env, control, "stats")["dnssec"]
    check(d["synthesised_denials"] >= 1 and d["aggressive_records"] > 0, f"stats after a synthesised denial: {d}")

    # RFC 4035 3.2.2: CD=1, the data of the bogus zone, unvalidated, no AD.
    rcode, ad, edes, r = ask(net, "www.bogus.zz.", "A", cd=True)
    check(rcode == "NOERROR" and not ad and ref.final_rdatas(r, "www.bogus.zz.", "A"),
          f"CD=1 for www.bogus.zz. A: {rcode}, AD {ad}, expected the data without AD:\n{r}")
    # RFC 6840 5.8: no AD for a client that asked with neither DO nor AD.
    rcode, ad, edes, r = ask(net, "www.nsec.zz.", "A", dnssec=False)
    check(rcode == "NOERROR" and not ad, f"no DO, no AD: got {rcode}, AD {ad}")

    d = lt.lanlordctl_json(env, control, "stats")["dnssec"]
    lt.log(f"status dnssec: {d}")
    check(d["enabled"] and d["clock_trusted"], f"status: {d}")
    secure = sum(1 for x in si.EXPECT if x.security == "secure")
    check(d["secure"] >= secure and d["bogus"] >= 2 and d["insecure"] >= 5,
          f"status counts {d['secure']} secure, {d['insecure']} insecure, {d['bogus']} bogus")
    text = lt.lanlordctl(env, control, "status").stdout
    check("DNSSEC: validating" in text and "clock: trusted" in text, f"lanlordctl status text:\n{text}")
    text = lt.lanlordctl(env, control, "stats").stdout
    check("dnssec: validating;" in text, f"lanlordctl stats text:\n{text}")
    with open(lanlord.log_path) as fh:
        log = fh.read()
    check("DNSSEC: www.bogus.zz. A is bogus: signature expired (bogus.zz.)" in log,
          "the bogus answer was not logged with its zone and reason")


def case_nta(env):
    net = fixture(env)
    start(env, net, {"negative_trust_anchors": ["bogus.zz"]})
    rcode, ad, edes, r = ask(net, "www.bogus.zz.", "A")
    check(rcode == "NOERROR" and not ad and not edes, f"www.bogus.zz. under a negative trust anchor: {rcode} "
                                                       f"AD {ad} EDE {edes}")
    rcode, ad, edes, r = ask(net, "www.nodskey.zz.", "A")
    check(rcode == "SERVFAIL" and si.EDE_DNSKEY_MISSING in edes, f"www.nodskey.zz. outside the anchor: {rcode} {edes}")
    rcode, ad, edes, r = ask(net, "www.nsec.zz.", "A")
    check(rcode == "NOERROR" and ad, f"www.nsec.zz. A: {rcode} AD {ad}")


def kernel_synchronised():
    class Timex(ctypes.Structure):
        _fields_ = [("modes", ctypes.c_uint), ("pad", ctypes.c_long * 40)]
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    t = Timex()
    return libc.adjtimex(ctypes.byref(t)) != 5  # TIME_ERROR: not synchronised (STA_UNSYNC)


def case_clock(env):
    if kernel_synchronised():
        lt.log("the kernel's clock is synchronised here: lanlord trusts it whatever the timestamp file says; "
               "the untrusted side is covered by the unit and scenario tests only")
        raise lt.Skip("the kernel's clock is synchronised")
    net = fixture(env)
    stamp = os.path.join(env.tmp, "lanlord-timestamp")  # start()'s timestamp_file
    open(stamp, "w").close()
    ahead = time.time() + 3600
    os.utime(stamp, (ahead, ahead))
    lanlord, control = start(env, net)
    rcode, ad, edes, r = ask(net, "www.nsec.zz.", "A")
    check(rcode == "NOERROR" and not ad, f"untrusted clock, www.nsec.zz. A: {rcode} AD {ad}")
    rcode, ad, edes, r = ask(net, "www.bogus.zz.", "A")
    check(rcode == "NOERROR" and not ad, f"untrusted clock, expired www.bogus.zz. A: {rcode} AD {ad} {edes}")
    rcode, ad, edes, r = ask(net, "www.nodskey.zz.", "A")
    check(rcode == "SERVFAIL", f"untrusted clock, broken chain www.nodskey.zz. A: {rcode}")
    text = lt.lanlordctl(env, control, "status").stdout
    check("NOT TRUSTED" in text and "behind the timestamp" in text, f"lanlordctl status:\n{text}")
    past = time.time() - 3600
    os.utime(stamp, (past, past))
    t0 = time.monotonic()

    def secure_again():
        return ask(net, "www.nsec3.zz.", "A")[1]  # a name not asked before (not cached without AD)
    lt.wait_until(secure_again, 15, "AD once the timestamp file is behind the clock")
    lt.log(f"clock trusted and AD given {time.monotonic() - t0:.1f} s after the file moved back")
    check(os.path.getmtime(stamp) > past + 60, "the timestamp file was not moved forward once trusted")


def read_state(path):
    """The RFC 5011 state file as {key tag: state}."""
    keys = {}
    with open(path) as fh:
        for line in fh:
            words = line.split()
            if words and words[0] == "key":
                keys[int(words[2])] = words[1]
    return keys


def case_rfc5011(env):
    net = fixture(env, root_standby=True)
    anchor_tag = int(open(net.anchor).read().split()[3])
    lanlord, control = start(env, net)
    state = os.path.join(lanlord.state_dir, "root-anchors.state")

    def observed():
        return os.path.exists(state) and len(read_state(state)) == 2
    lt.wait_until(observed, 30, "the RFC 5011 state to hold the root's two KSKs")
    keys = read_state(state)
    lt.log(f"RFC 5011 state after the first fetch: {keys}\n{open(state).read()}")
    # The anchor's DS matched its key: trusted at once. The standby key waits out the 30-day hold-down.
    check(keys.get(anchor_tag) == "valid", f"the anchor's key {anchor_tag}: {keys}")
    standby = [t for t in keys if t != anchor_tag]
    check(len(standby) == 1 and keys[standby[0]] == "addpend", f"the standby key: {keys}")
    log = lanlord.log_text()
    check(f"RFC 5011: root key {standby[0]} start -> addpend" in log, "the new key's event was not logged")
    d = lt.lanlordctl_json(env, control, "status")["dnssec"]["rfc5011"]
    lt.log(f"status rfc5011: {d}")
    check(d["state_file"] == state and d["last_query"] > 0 and not d["save_error"], f"status: {d}")
    hold = [k for k in d["root_keys"] if k.startswith(f"{standby[0]} addpend until ")]
    check(hold and int(hold[0].split()[-1]) >= time.time() + 30 * 86400 - 300,
          f"the hold-down must end 30 days out: {d['root_keys']}")
    text = lt.lanlordctl(env, control, "status").stdout
    check(f"RFC 5011: root keys {anchor_tag} valid" in text, f"lanlordctl status:\n{text}")
    # Still validating with the anchor in force (the standby key is not trusted yet).
    rcode, ad, edes, r = ask(net, "www.nsec.zz.", "A")
    check(rcode == "NOERROR" and ad, f"www.nsec.zz. A after the update: {rcode} AD {ad}")

    # A restart goes on from the state file; a damaged one is replaced, not trusted.
    lanlord.stop()
    lanlord2, _ = start(env, net, name="lanlord2", state_dir=lanlord.state_dir)
    lt.wait_until(lambda: "RFC 5011 state read from" in lanlord2.log_text(), 15, "the state to be read at start")
    lanlord2.stop()
    with open(state, "w") as fh:
        fh.write("lanlord-rfc5011 garbage\n")
    lanlord3, _ = start(env, net, name="lanlord3", state_dir=lanlord.state_dir)
    lt.wait_until(lambda: "is damaged" in lanlord3.log_text(), 15, "the damaged state to be noticed")
    lt.wait_until(lambda: read_state(state).get(anchor_tag) == "valid", 30, "the state to be written again")


def case_forwarding(env):
    net = fixture(env)
    ref.start_unbound(env, net)  # validating, on LISTEN: passes RRSIGs, gives bogus data to CD=1
    lanlord, control = start(env, net, {"validate_forwarded": True}, listen="127.0.0.2", upstream=LISTEN)
    check_expect(net, "127.0.0.2")
    rcode, ad, edes, r = ask(net, "www.nsec.zz.", "A", server="127.0.0.2", dnssec=False)
    check(rcode == "NOERROR" and not ad and not any(x.rdtype == dns.rdatatype.RRSIG for x in r.answer),
          f"a client without DO: {rcode}, AD {ad}, expected no RRSIG:\n{r}")
    d = lt.lanlordctl_json(env, control, "stats")["dnssec"]
    check(d["enabled"] and d["key_fetches"] > 0 and d["unsigned_upstream_answers"] == 0, f"stats: {d}")


def case_stripped(env):
    net = fixture(env)
    start(env, net, {"validate": False}, listen="127.0.0.3", name="stripper")  # sends no RRSIGs
    lanlord, control = start(env, net, {"validate_forwarded": True}, listen="127.0.0.2", upstream="127.0.0.3")
    for qname in ("www.nsec.zz.", "www.nsec3.zz.", "nx.nsec.zz."):
        rcode, ad, edes, r = ask(net, qname, "A", server="127.0.0.2")
        check(rcode == "SERVFAIL" and 10 in edes, f"{qname} through a stripping forwarder: {rcode} EDE {edes}")
    rcode, ad, edes, r = ask(net, "www.unsigned.zz.", "A", server="127.0.0.2")
    check(rcode == "SERVFAIL" and 10 in edes,
          f"www.unsigned.zz. through a stripping forwarder: {rcode} EDE {edes} (its DS proof is stripped too)")
    text = lt.lanlordctl(env, control, "status").stdout
    check("DNSSEC WARNING" in text and "strips DNSSEC records" in text, f"lanlordctl status:\n{text}")
    with open(lanlord.log_path) as fh:
        log = fh.read()
    check("upstream group 'upstream' answered" in log and "strips DNSSEC records" in log,
          "the log does not say that the upstream strips signatures")


CASES = {"recursive": case_recursive, "nta": case_nta, "clock": case_clock, "forwarding": case_forwarding,
         "stripped": case_stripped, "rfc5011": case_rfc5011}

if __name__ == "__main__":
    sys.exit(lt.main(CASES, deadlines={name: 100 for name in CASES}))
