#!/usr/bin/python3
"""A DNSSEC-signed fake Internet in a network namespace: a fixture for the system tests.

    with SignedInternet() as net:          # or net = SignedInternet(workdir); net.start() ... net.stop()
        net.ns, net.hints, net.anchor, net.servers, EXPECT, ANSWERS

Everything runs inside one network namespace the fixture creates (ll<pid>s,
tag changeable): the namespace has only its loopback, and every server
address is a /32 on it from 198.51.100.0/24 and 203.0.113.0/24; 192.0.2.0/24
and 2001:db8::/32 appear as record data only. Nothing is routed out and the
host's interfaces are never used. A resolver under test (unbound in
test_dnssec_fixture.py, lanlord later) is started inside the namespace
(spawn()) and listens on 127.0.0.1 there.

Keys are made and zones signed at start-up with ldnsutils (ldns-keygen,
ldns-signzone, ldns-key2ds) in the work dir; signatures are valid from now
minus 1 day to now plus 30 days, except in bogus.zz. One NSD per zone level,
so that a resolver must follow every referral (no NSD holds a zone and a
descendant of it):

  NSD "root"  198.51.100.1-2    .             RSASHA256 KSK+ZSK, NSEC; a/b.root-servers.net
                                              delegates zz. and yy. (NS, glue, DS)
  NSD "tld"   198.51.100.11-12  zz.           ECDSAP256SHA256 KSK+ZSK, NSEC3 opt-out (SHA-1,
                                              0 extra iterations, empty salt); a/b.nic.zz
                                yy.           RSASHA256 KSK+ZSK, NSEC; a/b.nic.yy
  NSD "leaf"  203.0.113.1-2     nsec.zz.      ED25519 KSK+ZSK, NSEC
              (ns1/ns2.<zone>)  nsec3.zz.     RSASHA256 single key (CSK), NSEC3 without opt-out
                                unsigned.zz.  not signed, no DS in zz.: an insecure delegation
                                              inside an opt-out span of zz.
                                bogus.zz.     ECDSAP256SHA256 CSK, NSEC, every signature expired
                                              (valid from now-30 d to now-3 d)
                                nodskey.zz.   ECDSAP256SHA256 CSK, NSEC; the DS in zz. is that of
                                              another key, which the zone does not publish
                                wild.yy.      ECDSAP384SHA384 CSK, NSEC, *.w.wild.yy A and TXT

Each leaf zone has www A 192.0.2.N / AAAA 2001:db8::N, txt TXT "<zone>", a
CNAME into another zone (to-*.<zone>), SOA negative TTL 300, TTLs 3600.
Files: <workdir>/named.root (hints, named.root format), <workdir>/root.ds
(the trust anchor: the root KSK's DS as `ldns-key2ds -n -2` prints it, in the
format of Debian's /usr/share/dns/root.ds), keys/, zones/ (*.zone, *.signed),
nsd-<name>/ (conf, log), <name>.out for every spawned process.

How the zones are made (and why):
- ldns-signzone -n -p sets the opt-out flag but still puts every insecure
  delegation into the NSEC3 chain, so unsigned.zz would get an NSEC3 of its own
  and its "no DS" would be a plain NODATA proof. zz. is therefore signed
  without the unsigned delegation and its NS and glue are appended to the
  signed file afterwards: its hash falls into an opt-out span, as with a
  signer that leaves insecure delegations out of the chain (RFC 5155 6).
- bogus.zz expired 3 days ago: Unbound accepts a signature up to
  val-sig-skew-max (24 h) past its expiration.

EXPECT: the verdict a validating resolver must give, one row
(qname, qtype, rcode, security, ede) per question: security is "secure" (AD
set with DO), "insecure" (no AD) or "bogus" (SERVFAIL), ede the Extended DNS
Error code (RFC 8914) a bogus answer carries, else None. ANSWERS: the records
of the final type (after CNAMEs) the answer must hold, for the rows with data.
Expectations that differ from the first guess, and why (checked with Unbound
1.17 and delv 9.18 by test_dnssec_fixture.py):
- nope.zz. A is NXDOMAIN but insecure (no AD), not secure: the NSEC3 covering
  the next closer name has the opt-out flag, so an unsigned delegation could
  exist there and the proof says nothing about it (RFC 5155 9.2: no AD;
  Unbound's nsec3_prove_nameerror: "nc has optout" -> insecure). BIND validates the
  proof (delv says "negative response, fully validated") but marks it opt-out,
  and named clears AD when it sends such data: no AD from either server.
  These rows are listed in OPTOUT_DENIALS.
- www.nodskey.zz. fails with EDE 9 (DNSKEY Missing): the zone's DNSKEY set
  has no key that matches the DS ("no keys have a DS"), not EDE 6.
"""

import atexit
import collections
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time

import dns.edns
import dns.flags
import dns.message
import dns.query
import dns.rcode

import lanlord_test as lt

LDNS_KEYGEN = "/usr/bin/ldns-keygen"
LDNS_SIGNZONE = "/usr/bin/ldns-signzone"
LDNS_KEY2DS = "/usr/bin/ldns-key2ds"
TOOLS = {"ldnsutils": [LDNS_KEYGEN, LDNS_SIGNZONE, LDNS_KEY2DS], "nsd": [lt.NSD], "iproute2": [lt.IP]}

ROOT = ["198.51.100.1", "198.51.100.2"]
TLD = ["198.51.100.11", "198.51.100.12"]
LEAF = ["203.0.113.1", "203.0.113.2"]
SERVERS = {"root": ROOT, "tld": TLD, "leaf": LEAF}
DAY = 86400
VALID = (-1 * DAY, 30 * DAY)     # inception, expiration relative to now
EXPIRED = (-30 * DAY, -3 * DAY)  # more than Unbound's val-sig-skew-max (24 h) in the past

# name, NSD, algorithm (None: unsigned), RSA bits, keys ("split": KSK+ZSK, "csk": one KSK signs all),
# denial ("nsec", "nsec3", "nsec3-optout"), validity (VALID or EXPIRED), DS in the parent ("own": of the
# zone's KSK, "ghost": of a key the zone does not publish, None: none), records (relative to the origin)
Zone = collections.namedtuple("Zone", "name server alg bits keys denial validity ds records")


def leaf_records(n, zone, cname_to, extra=()):
    """www A/AAAA, txt TXT, and to-<zone label> CNAME www.<other zone> (cname_to)."""
    return [f"www IN A 192.0.2.{n}", f"www IN AAAA 2001:db8::{n}", f'txt IN TXT "{zone}"',
            f"to-{cname_to.split('.')[1]} IN CNAME {cname_to}", *extra]


ZONES = [
    Zone(".", "root", "RSASHA256", 2048, "split", "nsec", VALID, None, []),
    Zone("zz.", "tld", "ECDSAP256SHA256", None, "split", "nsec3-optout", VALID, "own", []),
    Zone("yy.", "tld", "RSASHA256", 2048, "split", "nsec", VALID, "own", []),
    Zone("nsec.zz.", "leaf", "ED25519", None, "split", "nsec", VALID, "own",
         leaf_records(1, "nsec.zz", "www.unsigned.zz.", ["to-bogus IN CNAME www.bogus.zz."])),
    Zone("nsec3.zz.", "leaf", "RSASHA256", 2048, "csk", "nsec3", VALID, "own",
         leaf_records(2, "nsec3.zz", "www.nsec.zz.")),
    Zone("unsigned.zz.", "leaf", None, None, None, None, None, None,
         leaf_records(3, "unsigned.zz", "www.nsec.zz.")),
    Zone("bogus.zz.", "leaf", "ECDSAP256SHA256", None, "csk", "nsec", EXPIRED, "own",
         leaf_records(4, "bogus.zz", "www.nsec.zz.")),
    Zone("nodskey.zz.", "leaf", "ECDSAP256SHA256", None, "csk", "nsec", VALID, "ghost",
         leaf_records(5, "nodskey.zz", "www.nsec.zz.")),
    Zone("wild.yy.", "leaf", "ECDSAP384SHA384", None, "csk", "nsec", VALID, "own",
         leaf_records(6, "wild.yy", "www.nsec3.zz.", ["*.w IN A 192.0.2.66", '*.w IN TXT "wildcard"'])),
]

Expect = collections.namedtuple("Expect", "qname qtype rcode security ede")
EDE_SIGNATURE_EXPIRED = 7
EDE_DNSKEY_MISSING = 9
EXPECT = [
    # secure answers
    Expect("www.nsec.zz.", "A", "NOERROR", "secure", None),            # NSEC zone, ED25519
    Expect("www.nsec.zz.", "AAAA", "NOERROR", "secure", None),
    Expect("txt.nsec.zz.", "TXT", "NOERROR", "secure", None),
    Expect("www.nsec3.zz.", "A", "NOERROR", "secure", None),           # NSEC3 zone, RSASHA256 CSK
    Expect("www.wild.yy.", "AAAA", "NOERROR", "secure", None),         # ECDSAP384SHA384
    Expect("to-nsec.nsec3.zz.", "A", "NOERROR", "secure", None),       # CNAME between two secure zones
    Expect("to-nsec3.wild.yy.", "A", "NOERROR", "secure", None),       # ... across TLDs
    # secure denials
    Expect("nx.nsec.zz.", "A", "NXDOMAIN", "secure", None),            # NSEC
    Expect("nx.nsec3.zz.", "A", "NXDOMAIN", "secure", None),           # NSEC3
    Expect("www.nsec.zz.", "MX", "NOERROR", "secure", None),           # NODATA, NSEC
    Expect("www.nsec3.zz.", "MX", "NOERROR", "secure", None),          # NODATA, NSEC3
    Expect("nx.yy.", "A", "NXDOMAIN", "secure", None),                 # from a TLD, NSEC
    Expect("nosuchtld.", "A", "NXDOMAIN", "secure", None),             # from the root, NSEC
    # wildcards (*.w.wild.yy)
    Expect("a.w.wild.yy.", "A", "NOERROR", "secure", None),            # expanded, with the next-closer denial
    Expect("b.w.wild.yy.", "TXT", "NOERROR", "secure", None),
    Expect("a.w.wild.yy.", "MX", "NOERROR", "secure", None),           # wildcard NODATA
    # insecure: the unsigned delegation in zz.'s opt-out span
    Expect("www.unsigned.zz.", "A", "NOERROR", "insecure", None),
    Expect("nx.unsigned.zz.", "A", "NXDOMAIN", "insecure", None),
    Expect("to-unsigned.nsec.zz.", "A", "NOERROR", "insecure", None),  # secure CNAME into the unsigned zone
    Expect("to-nsec.unsigned.zz.", "A", "NOERROR", "insecure", None),  # unsigned CNAME into a secure zone
    Expect("nope.zz.", "A", "NXDOMAIN", "insecure", None),             # covered by an opt-out NSEC3: see above
    # bogus
    Expect("www.bogus.zz.", "A", "SERVFAIL", "bogus", EDE_SIGNATURE_EXPIRED),
    Expect("to-bogus.nsec.zz.", "A", "SERVFAIL", "bogus", EDE_SIGNATURE_EXPIRED),  # secure CNAME, bogus target
    Expect("www.nodskey.zz.", "A", "SERVFAIL", "bogus", EDE_DNSKEY_MISSING),
]
# Rows answered by expanding *.w.wild.yy (their RRSIG has fewer labels than the owner)
WILDCARD_EXPANDED = {("a.w.wild.yy.", "A"), ("b.w.wild.yy.", "TXT")}
# Rows whose denial rests on an opt-out NSEC3 span only (no AD; a validator's trust may still say validated)
OPTOUT_DENIALS = {("nope.zz.", "A")}
# (qname, qtype) -> the rdatas of qtype the answer section must hold (after any CNAME)
ANSWERS = {
    ("www.nsec.zz.", "A"): {"192.0.2.1"}, ("www.nsec.zz.", "AAAA"): {"2001:db8::1"},
    ("txt.nsec.zz.", "TXT"): {'"nsec.zz"'}, ("www.nsec3.zz.", "A"): {"192.0.2.2"},
    ("www.wild.yy.", "AAAA"): {"2001:db8::6"}, ("to-nsec.nsec3.zz.", "A"): {"192.0.2.1"},
    ("to-nsec3.wild.yy.", "A"): {"192.0.2.2"}, ("a.w.wild.yy.", "A"): {"192.0.2.66"},
    ("b.w.wild.yy.", "TXT"): {'"wildcard"'}, ("www.unsigned.zz.", "A"): {"192.0.2.3"},
    ("to-unsigned.nsec.zz.", "A"): {"192.0.2.3"}, ("to-nsec.unsigned.zz.", "A"): {"192.0.2.1"},
}


def parent_of(name):
    """The zone of ZONES that is the closest proper ancestor of zone `name`."""
    if name == ".":
        return None
    labels = name.split(".")
    for i in range(1, len(labels)):
        cand = ".".join(labels[i:]) or "."
        if any(z.name == cand for z in ZONES):
            return cand
    return "."


def ns_of(zone):
    """[(NS name, address)] of a zone: its NSD's addresses, named in the zone (or the TLD, or root-servers.net)."""
    addrs = SERVERS[zone.server]
    if zone.server == "root":
        names = ["a.root-servers.net.", "b.root-servers.net."]
    elif zone.server == "tld":
        names = [f"a.nic.{zone.name}", f"b.nic.{zone.name}"]
    else:
        names = [f"ns1.{zone.name}", f"ns2.{zone.name}"]
    return list(zip(names, addrs))


def missing_tools():
    return [f"{t} ({pkg})" for pkg, ts in TOOLS.items() for t in ts if not os.access(t, os.X_OK)]


def ede_codes(msg):
    """The EDE codes (RFC 8914) in a dnspython response."""
    return [o.code for o in msg.options if o.otype == dns.edns.OptionType.EDE]


def read_anchor(path):
    """The DS lines of a trust-anchor file: [(owner, tag, alg, digest type, hex digest)]."""
    out = []
    with open(path) as fh:
        for line in fh:
            f = line.split()
            if len(f) >= 7 and f[2] == "DS":
                out.append((f[0], int(f[3]), int(f[4]), int(f[5]), "".join(f[6:])))
    return out


def bind_trust_anchors(anchor_path):
    """The anchor file in BIND's syntax (delv -a, named): trust-anchors { . static-ds ...; };"""
    lines = [f'    {o} static-ds {t} {a} {d} "{h}";' for o, t, a, d, h in read_anchor(anchor_path)]
    return "trust-anchors {\n" + "\n".join(lines) + "\n};\n"


class SignedInternet:
    """The fake Internet of the module docstring. `workdir`: where keys, zones
    and logs go (default: a new temp dir, removed at stop() unless `keep`)."""

    EXPECT, ANSWERS, WILDCARD_EXPANDED, OPTOUT_DENIALS = EXPECT, ANSWERS, WILDCARD_EXPANDED, OPTOUT_DENIALS
    ROOT, TLD, LEAF = ROOT, TLD, LEAF

    def __init__(self, workdir=None, tag="s", log=lt.log, keep=False, root_standby=False):
        self.own_dir = workdir is None
        self.dir = tempfile.mkdtemp(prefix="llsig-", dir="/tmp") if workdir is None \
            else os.path.join(workdir, "signed-internet")
        self.ns = f"ll{os.getpid()}{tag}"
        self.log, self.keep = log, keep
        # root_standby: the root also publishes a second KSK that no trust anchor names (it signs the
        # DNSKEY set too): what an RFC 5011 validator sees at the start of a KSK rollover.
        self.root_standby = root_standby
        self.servers = {k: list(v) for k, v in SERVERS.items()}
        self.addresses = [a for v in SERVERS.values() for a in v]
        self.hints = os.path.join(self.dir, "named.root")
        self.anchor = os.path.join(self.dir, "root.ds")
        self.keys = {}        # zone -> [key base paths used to sign]
        self.ds = {}          # zone -> [DS lines for the parent]
        self.nsd = {}         # NSD name -> Popen
        self._procs = []      # (name, Popen) spawned in the namespace, in start order
        self._ns_made = False
        self._started = False
        self._old_term = None

    # ------------------------------------------------------------ life cycle

    def __enter__(self):
        return self.start()

    def __exit__(self, exc_type, exc, tb):
        self.stop(keep=self.keep or exc_type is not None)
        return False

    def start(self):
        missing = missing_tools()
        if missing:
            raise lt.Failure(f"signed_internet: tools missing: {', '.join(missing)}")
        if os.geteuid() != 0:
            raise lt.Failure("signed_internet: needs root (network namespaces)")
        self._started = True
        atexit.register(self.stop)
        if threading.current_thread() is threading.main_thread() \
                and signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
            # A plain SIGTERM would skip atexit: turn it into SystemExit so that finally blocks run.
            self._old_term = signal.signal(signal.SIGTERM, self._on_term)
        try:
            t0 = time.monotonic()
            os.makedirs(self.dir, exist_ok=True)
            for sub in ("keys", "zones"):
                os.makedirs(os.path.join(self.dir, sub), exist_ok=True)
            self._make_namespace()
            self._make_keys()
            self._make_zones()
            self._write_hints_and_anchor()
            self._start_nsds()
            self.log(f"signed fake Internet up in netns {self.ns} in {time.monotonic() - t0:.1f} s "
                     f"(files in {self.dir})")
        except BaseException:
            self.stop(keep=True)
            raise
        return self

    def _on_term(self, signum, frame):
        raise SystemExit(128 + signum)

    def stop(self, keep=None):
        """Stops everything started, by PID, then deletes the namespace. Idempotent."""
        if not self._started:
            return
        self._started = False
        keep = self.keep if keep is None else keep
        for name, proc in reversed(self._procs):
            try:
                lt.stop_process_tree(proc)
            except Exception as e:
                print(f"signed_internet: stopping {name} (pid {proc.pid}): {e}", flush=True)
        self._procs.clear()
        if self._ns_made:
            # Anything still in the namespace was started through it: by PID, then the namespace.
            p = subprocess.run([lt.IP, "netns", "pids", self.ns], capture_output=True, text=True, timeout=20)
            for pid in p.stdout.split():
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ValueError, ProcessLookupError):
                    pass
            p = subprocess.run([lt.IP, "netns", "del", self.ns], capture_output=True, text=True, timeout=20)
            if p.returncode != 0:
                print(f"signed_internet: ip netns del {self.ns}: {p.stderr.strip()}", flush=True)
            self._ns_made = False
        if self._old_term is not None:
            signal.signal(signal.SIGTERM, self._old_term)
            self._old_term = None
        atexit.unregister(self.stop)
        if self.own_dir and not keep:
            shutil.rmtree(self.dir, ignore_errors=True)
        elif self.own_dir:
            print(f"signed_internet: files kept in {self.dir}", flush=True)

    # ------------------------------------------------------------ set-up steps

    def _run(self, argv, cwd=None):
        p = subprocess.run(argv, capture_output=True, text=True, timeout=60, cwd=cwd)
        if p.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed ({p.returncode}): {p.stderr.strip()}{p.stdout.strip()}")
        return p.stdout

    def _make_namespace(self):
        self._run([lt.IP, "netns", "add", self.ns])
        self._ns_made = True
        self._run([lt.IP, "-n", self.ns, "link", "set", "lo", "up"])
        for a in self.addresses:
            self._run([lt.IP, "-n", self.ns, "addr", "add", f"{a}/32", "dev", "lo"])

    def _keygen(self, zone, ksk):
        kdir = os.path.join(self.dir, "keys")
        argv = [LDNS_KEYGEN, "-a", zone.alg] + (["-b", str(zone.bits)] if zone.bits else []) \
            + (["-k"] if ksk else []) + ["-r", "/dev/urandom", zone.name]
        return os.path.join(kdir, self._run(argv, cwd=kdir).strip())

    def _ds_lines(self, key_base):
        return [line for line in self._run([LDNS_KEY2DS, "-n", "-2", key_base + ".key"]).splitlines() if line]

    def _make_keys(self):
        for z in ZONES:
            if z.alg is None:
                continue
            ksk = self._keygen(z, True)
            self.keys[z.name] = [ksk] + ([self._keygen(z, False)] if z.keys == "split" else [])
            if z.name == "." and self.root_standby:
                self.keys[z.name].append(self._keygen(z, True))  # after the anchor's key (keys[0])
            if z.ds == "own":
                self.ds[z.name] = self._ds_lines(ksk)
            elif z.ds == "ghost":
                self.ds[z.name] = self._ds_lines(self._keygen(z, True))  # a key nobody signs with
            self.log(f"keys for {z.name}: {', '.join(os.path.basename(k) for k in self.keys[z.name])}"
                     f"{' (DS of another key)' if z.ds == 'ghost' else ''}")

    def _zone_text(self, z):
        """(text to sign, text appended after signing) of zone z."""
        ns = ns_of(z)
        origin = z.name
        apex = origin if origin != "." else ""
        lines = [f"$ORIGIN {origin}", "$TTL 3600",
                 f"@ IN SOA {ns[0][0]} hostmaster.{apex or 'root-servers.net.'} 1 1800 900 604800 300"]
        lines += [f"@ IN NS {n}" for n, _ in ns]
        lines += [f"{n} IN A {a}" for n, a in ns if n.endswith(apex)]
        lines += z.records
        after = []
        for child in ZONES:
            if parent_of(child.name) != origin:
                continue
            cut = [f"{child.name} IN NS {n}" for n, _ in ns_of(child)]
            cut += [f"{n} IN A {a}" for n, a in ns_of(child)]  # glue (all in bailiwick)
            cut += self.ds.get(child.name, [])
            if child.ds is None and z.denial == "nsec3-optout":
                after += cut  # outside the NSEC3 chain: inside an opt-out span (see the docstring)
            else:
                lines += cut
        return "\n".join(lines) + "\n", "\n".join(after) + ("\n" if after else "")

    def _make_zones(self):
        zdir = os.path.join(self.dir, "zones")
        now = int(time.time())
        self.zonefiles = {}
        for z in ZONES:
            text, after = self._zone_text(z)
            fname = "root" if z.name == "." else z.name.rstrip(".")
            src = os.path.join(zdir, f"{fname}.zone")
            with open(src, "w") as fh:
                fh.write(text)
            if z.alg is None:
                self.zonefiles[z.name] = src
                continue
            out = os.path.join(zdir, f"{fname}.signed")
            argv = [LDNS_SIGNZONE, "-i", str(now + z.validity[0]), "-e", str(now + z.validity[1]), "-f", out]
            if z.denial.startswith("nsec3"):
                argv += ["-n", "-t", "0"] + (["-p"] if z.denial == "nsec3-optout" else [])  # no -s: empty salt
            self._run(argv + [src] + self.keys[z.name], cwd=zdir)
            if after:
                with open(out, "a") as fh:
                    fh.write(after)
            self.zonefiles[z.name] = out

    def _write_hints_and_anchor(self):
        with open(self.hints, "w") as fh:
            for n, a in ns_of(ZONES[0]):
                fh.write(f".                        3600000      NS    {n.upper()}\n"
                         f"{n.upper():<25}3600000      A     {a}\n")
        with open(self.anchor, "w") as fh:
            for line in self._ds_lines(self.keys["."][0]):
                owner, _ttl, _cls, _type, tag, alg, dt, digest = line.split()
                fh.write(f"{owner} IN DS {tag} {alg} {dt} {digest.upper()}\n")

    def _start_nsds(self):
        for server, addrs in SERVERS.items():
            d = os.path.join(self.dir, f"nsd-{server}")
            os.makedirs(d, exist_ok=True)
            conf = os.path.join(d, "nsd.conf")
            text = ["server:", *(f"  ip-address: {a}" for a in addrs), "  port: 53",
                    '  username: ""', '  chroot: ""', '  database: ""', f'  zonesdir: "{d}"',
                    f'  pidfile: "{d}/nsd.pid"', f'  xfrdfile: "{d}/xfrd.state"', f'  xfrdir: "{d}"',
                    f'  zonelistfile: "{d}/zone.list"', f'  logfile: "{d}/nsd.log"',
                    "  server-count: 1", "  do-ip6: no", "  verbosity: 1",
                    # rate limiting would drop and truncate a resolver's bursts from one address
                    "  rrl-ratelimit: 0", "  rrl-whitelist-ratelimit: 0",
                    "remote-control:", "  control-enable: no"]
            for z in ZONES:
                if z.server == server:
                    text += ["zone:", f"  name: {z.name}", f"  zonefile: {self.zonefiles[z.name]}"]
            with open(conf, "w") as fh:
                fh.write("\n".join(text) + "\n")
            self.nsd[server] = self.spawn(f"nsd-{server}", [lt.NSD, "-d", "-c", conf])
        for server, addrs in SERVERS.items():
            zones = [z.name for z in ZONES if z.server == server]
            for a in addrs:
                for zname in zones:
                    self._wait_soa(server, a, zname)
            self.log(f"NSD {server} (pid {self.nsd[server].pid}) serves {', '.join(zones)} on {', '.join(addrs)}")

    def _wait_soa(self, server, address, zname):
        proc = self.nsd[server]

        def answers():
            if proc.poll() is not None:
                raise lt.Failure(f"NSD {server} exited with {proc.returncode}:\n{self.logs(server)}")
            try:
                r = self.query(address, zname, "SOA", rd=False, timeout=0.3)
                return r.rcode() == dns.rcode.NOERROR and r.flags & dns.flags.AA and r.answer
            except Exception:
                return False
        lt.wait_until(answers, 10, f"NSD {server} on {address} to answer {zname} SOA")

    # ------------------------------------------------------------ for the tests

    def spawn(self, name, argv, env=None):
        """Starts argv inside the namespace (stdout and stderr to <workdir>/<name>.out); stopped by stop()."""
        out = open(os.path.join(self.dir, f"{name}.out"), "w")
        try:
            proc = subprocess.Popen([lt.IP, "netns", "exec", self.ns] + list(argv), stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True, env=env)
        finally:
            out.close()
        self._procs.append((name, proc))
        return proc

    def query(self, server, qname, qtype, dnssec=True, cd=False, rd=True, timeout=5.0):
        """One dnspython query from inside the namespace (DO set unless dnssec=False;
        over TCP again when truncated)."""
        q = dns.message.make_query(qname, qtype, want_dnssec=dnssec, use_edns=0, payload=1232)
        if cd:
            q.flags |= dns.flags.CD
        if not rd:
            q.flags &= ~dns.flags.RD
        with lt.netns_entered(self.ns):
            r = dns.query.udp(q, server, timeout=timeout)
            if r.flags & dns.flags.TC:
                r = dns.query.tcp(q, server, timeout=timeout)
        return r

    def run_in_ns(self, argv, timeout=30):
        """Runs a command inside the namespace; returns the CompletedProcess (text)."""
        return subprocess.run([lt.IP, "netns", "exec", self.ns] + list(argv), capture_output=True, text=True,
                              timeout=timeout)

    def logs(self, server):
        out = ""
        for f in (os.path.join(self.dir, f"nsd-{server}", "nsd.log"), os.path.join(self.dir, f"nsd-{server}.out")):
            try:
                with open(f) as fh:
                    out += fh.read()
            except OSError:
                pass
        return out
