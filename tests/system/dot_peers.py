"""Peers of the DNS over TLS system tests (RFC 7858), for test_dot.py.

  - certificates made at test time with the openssl command (OpenSSL 3.0's
    CLI: `openssl ca` for dates in the past, as `x509 -not_after` only came
    with 3.4 and faketime is not installed): a test CA, certificates it signs
    (valid, expired, for another name), self-signed ones, and the SPKI
    SHA-256 pin of any of them (RFC 7858 section 4.2, RFC 7469's pin form);
  - unbound as a DoT server (tls-service-key/pem) on ADDR@853 only, serving
    local-data, with a control socket to read its counters
    (num.query.tls: queries that came over TLS);
  - a DoT server in threads of this process that answers a given number of
    queries per connection and then closes it;
  - a DoT client (ssl module, 2-byte length framing, dnspython) to check the
    servers above and lanlord's own DoT listener.

Everything listens on and talks to the case's loopback addresses only;
processes are stopped by PID through env.defer, also on failure."""

import base64
import datetime
import hashlib
import ctypes
import os
import random
import re
import socket
import ssl
import struct
import subprocess
import threading

import dns.edns
import dns.exception
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset

import lanlord_test as lt
from lanlord_test import Failure, check

OPENSSL = "/usr/bin/openssl"
UNBOUND = "/usr/sbin/unbound"
UNBOUND_CONTROL = "/usr/sbin/unbound-control"
KDIG = "/usr/bin/kdig"
DOT_PORT = 853
AUTH_NAME = "dot.test"  # the name on the servers' certificates (SAN)
PADDING = 12  # EDNS option code, RFC 7830


# ---------------------------------------------------------------- certificates

def openssl(*args, cwd=None, input=None):
    """Runs the openssl command; its stdout (bytes). Fails the case with its stderr."""
    p = subprocess.run([OPENSSL, *args], capture_output=True, cwd=cwd, input=input, timeout=30)
    if p.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(args)} failed ({p.returncode}): {p.stderr.decode(errors='replace')}")
    return p.stdout


def _time_text(t):
    """GeneralizedTime as `openssl ca -startdate/-enddate` takes it."""
    return t.strftime("%Y%m%d%H%M%SZ")


def _san(dns_names, ips):
    return ",".join([f"DNS:{n}" for n in dns_names] + [f"IP:{a}" for a in ips])


class Cert:
    """A certificate file (PEM) and its key file (PEM)."""

    def __init__(self, label, path, key):
        self.label, self.path, self.key = label, path, key

    @property
    def pem(self):
        with open(self.path, "rb") as fh:
            return fh.read()

    @property
    def der(self):
        return openssl("x509", "-in", self.path, "-outform", "der")

    @property
    def serial(self):
        """The serial number as an upper-case hex string, as getpeercert() gives it."""
        out = openssl("x509", "-in", self.path, "-noout", "-serial").decode().strip()
        return out.split("=", 1)[1].upper().lstrip("0") or "0"

    @property
    def subject(self):
        return openssl("x509", "-in", self.path, "-noout", "-subject", "-nameopt", "RFC2253").decode().strip()

    @property
    def pin(self):
        return spki_pin(self.path)

    def __repr__(self):
        return f"Cert({self.label}: {self.path})"


def spki_pin(cert_path):
    """Base64 of the SHA-256 of the DER SubjectPublicKeyInfo (RFC 7858 4.2):
    openssl x509 -pubkey -noout | openssl pkey -pubin -outform der | sha256 | base64."""
    pub = openssl("x509", "-in", cert_path, "-pubkey", "-noout")
    der = openssl("pkey", "-pubin", "-outform", "der", input=pub)
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


def spki_pin_der(cert_der):
    """The same pin for a certificate in DER form (as a TLS peer presents it)."""
    pub = openssl("x509", "-inform", "der", "-pubkey", "-noout", input=cert_der)
    der = openssl("pkey", "-pubin", "-outform", "der", input=pub)
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


def _new_key(path):
    # P-256: as good as RSA here and generated in milliseconds.
    openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path)


def self_signed(directory, label, dns_names=(AUTH_NAME,), ips=(), days=30):
    """A self-signed leaf certificate (not a CA) for the names and addresses given."""
    key = os.path.join(directory, f"{label}.key")
    cert = os.path.join(directory, f"{label}.pem")
    _new_key(key)
    args = ["req", "-x509", "-new", "-key", key, "-out", cert, "-subj", f"/CN={label}", "-days", str(days),
            "-set_serial", str(random.SystemRandom().getrandbits(63)),
            "-addext", "basicConstraints=critical,CA:FALSE", "-addext", "extendedKeyUsage=serverAuth"]
    if dns_names or ips:
        args += ["-addext", f"subjectAltName={_san(dns_names, ips)}"]
    openssl(*args)
    return Cert(label, cert, key)


class TestCa:
    """A CA made for the case, and the certificates it signs with `openssl ca`
    (which, unlike `x509 -req -days`, takes any start and end date)."""

    def __init__(self, directory, cn="lanlord test CA"):
        self.dir = os.path.join(directory, "ca")
        os.makedirs(os.path.join(self.dir, "issued"))
        self.key = os.path.join(self.dir, "ca.key")
        self.path = os.path.join(self.dir, "ca.pem")
        _new_key(self.key)
        openssl("req", "-x509", "-new", "-key", self.key, "-out", self.path, "-subj", f"/CN={cn}", "-days", "60",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                "-addext", "subjectKeyIdentifier=hash")
        open(os.path.join(self.dir, "index.txt"), "w").close()
        with open(os.path.join(self.dir, "serial"), "w") as fh:
            fh.write(f"{random.SystemRandom().getrandbits(63) | (1 << 62):016X}\n")
        self.conf = os.path.join(self.dir, "ca.cnf")
        with open(self.conf, "w") as fh:
            fh.write("\n".join([
                "[ ca ]", "default_ca = test_ca", "",
                "[ test_ca ]",
                f"dir = {self.dir}",
                "database = $dir/index.txt",
                "new_certs_dir = $dir/issued",
                "serial = $dir/serial",
                f"certificate = {self.path}",
                f"private_key = {self.key}",
                "default_md = sha256",
                "policy = policy_any",
                "unique_subject = no",
                "copy_extensions = none",
                "email_in_dn = no",
                "", "[ policy_any ]", "commonName = supplied", ""]))

    def issue(self, label, dns_names=(AUTH_NAME,), ips=(), not_before=None, not_after=None):
        """A leaf certificate signed by the CA; valid from a day ago for 30
        days unless the dates (datetime, UTC) say otherwise."""
        now = datetime.datetime.now(datetime.timezone.utc)
        not_before = not_before or now - datetime.timedelta(days=1)
        not_after = not_after or now + datetime.timedelta(days=30)
        key = os.path.join(self.dir, f"{label}.key")
        csr = os.path.join(self.dir, f"{label}.csr")
        cert = os.path.join(self.dir, f"{label}.pem")
        ext = os.path.join(self.dir, f"{label}.ext")
        _new_key(key)
        openssl("req", "-new", "-key", key, "-out", csr, "-subj", f"/CN={label}")
        lines = ["[ leaf ]", "basicConstraints = critical,CA:FALSE", "keyUsage = critical,digitalSignature",
                 "extendedKeyUsage = serverAuth", "subjectKeyIdentifier = hash",
                 "authorityKeyIdentifier = keyid"]
        if dns_names or ips:
            lines.append(f"subjectAltName = {_san(dns_names, ips)}")
        with open(ext, "w") as fh:
            fh.write("\n".join(lines) + "\n")
        openssl("ca", "-batch", "-notext", "-config", self.conf, "-in", csr, "-out", cert,
                "-startdate", _time_text(not_before), "-enddate", _time_text(not_after),
                "-extfile", ext, "-extensions", "leaf")
        return Cert(label, cert, key)

    def issue_expired(self, label, dns_names=(AUTH_NAME,), ips=()):
        """Valid for one day in January 2020 only."""
        utc = datetime.timezone.utc
        return self.issue(label, dns_names, ips, not_before=datetime.datetime(2020, 1, 1, tzinfo=utc),
                          not_after=datetime.datetime(2020, 1, 2, tzinfo=utc))


# ---------------------------------------------------------------- DoT client

def client_context(cafile=None, verify=True):
    """TLS 1.2+ client context; with cafile, the chain and the name are checked."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    if verify and cafile:
        ctx.load_verify_locations(cafile)
    else:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx


def _recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def read_frame(sock):
    """One 2-byte-length-prefixed DNS message (RFC 1035 4.2.2, RFC 7858 3.3), None at EOF."""
    head = _recv_exact(sock, 2)
    if head is None:
        return None
    return _recv_exact(sock, struct.unpack("!H", head)[0])


def frame(wire):
    return struct.pack("!H", len(wire)) + wire


class DotClient:
    """One DoT connection. `cafile` None: no verification (the test reads the
    certificate itself); `source`: the local address to connect from."""

    def __init__(self, address, port=DOT_PORT, server_hostname=AUTH_NAME, cafile=None, source=None, timeout=3.0):
        self.address, self.port = address, port
        raw = socket.create_connection((address, port), timeout=timeout,
                                       source_address=(source, 0) if source else None)
        try:
            self.tls = client_context(cafile).wrap_socket(raw, server_hostname=server_hostname)
        except BaseException:
            raw.close()
            raise
        self.version = self.tls.version()  # kept: the socket forgets it once closed
        self.cert_der = self.tls.getpeercert(binary_form=True)

    def close(self):
        try:
            self.tls.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def peer_cert_der(self):
        return self.cert_der

    def peer_serial(self):
        """Hex serial of the server's certificate (works without verification)."""
        der = self.cert_der
        out = openssl("x509", "-inform", "der", "-noout", "-serial", input=der).decode().strip()
        return out.split("=", 1)[1].upper().lstrip("0") or "0"

    def exchange_wire(self, wires):
        """Sends every message at once (pipelined); the answers' wire forms,
        matched to the queries by ID (RFC 7766 allows any order)."""
        self.tls.sendall(b"".join(frame(w) for w in wires))
        by_id = {}
        while len(by_id) < len(wires):
            data = read_frame(self.tls)
            if data is None:
                raise ConnectionError(f"DoT server {self.address}:{self.port} closed the connection after "
                                      f"{len(by_id)} of {len(wires)} answers")
            by_id[struct.unpack("!H", data[:2])[0]] = data
        return [by_id.get(struct.unpack("!H", w[:2])[0]) for w in wires]

    def query(self, name, rtype="A", pad=0):
        """(dnspython response, its wire form)."""
        q = dns.message.make_query(name, rtype, use_edns=0, payload=1232, pad=pad)
        wire = self.exchange_wire([q.to_wire()])[0]
        return dns.message.from_wire(wire), wire


def dot_query(address, name, rtype="A", port=DOT_PORT, cafile=None, server_hostname=AUTH_NAME, pad=0,
              source=None, timeout=3.0):
    """One query over a new DoT connection: (response, wire, client) with the client closed."""
    with DotClient(address, port, server_hostname, cafile, source, timeout) as c:
        r, wire = c.query(name, rtype, pad=pad)
    lt.log(f"DoT {name} {rtype} @{address}:{port}: {dns.rcode.to_text(r.rcode())} "
           f"{[str(x) for x in r.answer]} ({len(wire)} bytes, {c.version})")
    return r, wire, c


def has_padding(msg):
    return any(o.otype == PADDING for o in msg.options)


def a_records(msg):
    return sorted(rr.address for rrset in msg.answer if rrset.rdtype == dns.rdatatype.A for rr in rrset)


def port_open_tcp(address, port, timeout=1.0):
    try:
        socket.create_connection((address, port), timeout=timeout).close()
        return True
    except OSError:
        return False


def udp_answers(address, port, timeout=0.5):
    """True when something answers a DNS query over UDP there."""
    try:
        lt.udp_query(address, AUTH_NAME, "SOA", port=port, timeout=timeout)
        return True
    except Exception:
        return False


def kdig(address, name, cafile, rtype="A", port=DOT_PORT, hostname=AUTH_NAME, opts=()):
    """kdig +tls (knot-dnsutils) when installed: (exit code, output), or None without it."""
    if not os.access(KDIG, os.X_OK):
        return None
    argv = [KDIG, f"@{address}", "-p", str(port), "+tls", f"+tls-ca={cafile}", f"+tls-hostname={hostname}",
            "+time=3", "+retry=0", *opts, name, rtype]
    p = subprocess.run(argv, capture_output=True, text=True, timeout=20)
    lt.log(f"$ {' '.join(argv)}  (exit {p.returncode})\n{p.stdout}{p.stderr}")
    return p.returncode, p.stdout + p.stderr


# ---------------------------------------------------------------- unbound as a DoT server

class UnboundDot:
    """unbound 1.17 serving DNS over TLS on address@853 and nothing else: no
    UDP at all (do-udp: no) and no port 53, so any answer it gives came over
    TLS. `zones`: {zone: local-zone type}; `records`: local-data lines.
    Every other name is refused locally ("." refuse): it never recurses."""

    def __init__(self, env, name, address, cert, zones=None, records=(), port=DOT_PORT, extra=()):
        self.env, self.name, self.address, self.port, self.cert = env, name, address, port, cert
        self.dir = os.path.join(env.tmp, name)
        os.makedirs(self.dir)
        self.conf = os.path.join(self.dir, "unbound.conf")
        self.log_path = os.path.join(self.dir, "unbound.log")
        self.control = os.path.join(self.dir, "unbound.ctl")
        zones = zones if zones is not None else {f"{AUTH_NAME}.": "static"}
        text = [
            "server:",
            f"  interface: {address}@{port}",
            f"  tls-port: {port}",
            f'  tls-service-key: "{cert.key}"',
            f'  tls-service-pem: "{cert.path}"',
            "  do-udp: no", "  do-tcp: yes", "  do-ip6: no",
            '  username: ""', '  chroot: ""',
            f'  directory: "{self.dir}"',
            f'  pidfile: "{self.dir}/unbound.pid"',
            f'  logfile: "{self.log_path}"',
            "  use-syslog: no", "  do-daemonize: no", "  verbosity: 1",
            "  num-threads: 1",
            "  extended-statistics: yes", "  statistics-cumulative: no", "  statistics-interval: 0",
            "  access-control: 127.0.0.0/8 allow",
            "  tcp-idle-timeout: 120000",
            "  incoming-num-tcp: 100",
            "  module-config: iterator",
            '  local-zone: "." refuse',
            *(f'  local-zone: "{z}" {kind}' for z, kind in zones.items()),
            *(f"  local-data: '{r}'" if '"' in r else f'  local-data: "{r}"' for r in records),
            *(f"  {line}" for line in extra),
            "remote-control:",
            "  control-enable: yes",
            "  control-use-cert: no",
            f'  control-interface: "{self.control}"',
        ]
        with open(self.conf, "w") as fh:
            fh.write("\n".join(text) + "\n")
        check_conf = subprocess.run([UNBOUND + "-checkconf", self.conf], capture_output=True, text=True, timeout=20)
        if check_conf.returncode != 0:
            raise RuntimeError(f"unbound-checkconf {self.conf}: {check_conf.stdout}{check_conf.stderr}")
        self.stderr = open(os.path.join(self.dir, "unbound.stderr"), "w")
        self.proc = subprocess.Popen([UNBOUND, "-d", "-c", self.conf], stdout=self.stderr,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        env.defer(self.stop)
        self.wait_ready()

    def wait_ready(self, timeout=10):
        def ready():
            if self.proc.poll() is not None:
                raise Failure(f"unbound {self.name} exited with {self.proc.returncode}:\n{self.logs()}")
            p = subprocess.run([UNBOUND_CONTROL, "-c", self.conf, "status"], capture_output=True, timeout=10)
            return p.returncode == 0 and port_open_tcp(self.address, self.port)
        lt.wait_until(ready, timeout, f"unbound {self.name} to listen on {self.address}@{self.port}", interval=0.1)
        lt.log(f"unbound {self.name} (pid {self.proc.pid}) serves DoT on {self.address}@{self.port} "
               f"with {self.cert}")
        return self

    def stats(self):
        """unbound-control stats_noreset as {name: number}."""
        return lt.control_stats(UNBOUND_CONTROL, self.conf)

    def tls_queries(self):
        """Queries that arrived over TLS (extended-statistics)."""
        return self.stats().get("num.query.tls", 0)

    def queries(self):
        """Every query it received, over any transport."""
        return self.stats()["total.num.queries"]

    def stop(self):
        if self.proc.poll() is None:
            lt.log(f"stopping unbound {self.name} (pid {self.proc.pid})")
        lt.stop_process_tree(self.proc)
        self.stderr.close()

    def logs(self):
        out = ""
        for f in ("unbound.stderr", "unbound.log"):
            try:
                with open(os.path.join(self.dir, f), errors="replace") as fh:
                    out += fh.read()
            except OSError:
                pass
        return out


# ---------------------------------------------------------------- a DoT server in this process

def answer_a(address="192.0.2.9", ttl=300):
    """An answer function: every A question gets `address`, others NODATA."""
    def answer(q):
        r = dns.message.make_response(q)
        question = q.question[0]
        if question.rdtype == dns.rdatatype.A:
            r.answer.append(dns.rrset.from_text(question.name, ttl, "IN", "A", address))
        return r
    return answer


class PyDotServer:
    """A DoT server in threads of this process: `per_connection` queries are
    answered on each connection (None: any number), then it is closed
    (close_notify, then the socket). `answer(query)` returns the response.
    Counters: connections accepted, handshakes completed and failed, queries
    (names, in arrival order), answers sent."""

    def __init__(self, env, address, cert, answer=None, port=DOT_PORT, per_connection=1, close_notify=True):
        self.address, self.port, self.per_connection = address, port, per_connection
        self.close_notify = close_notify  # False: the TCP connection just ends, as many servers do
        self.answer = answer or answer_a()
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        self.ctx.load_cert_chain(cert.path, cert.key)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((address, port))
        self.sock.listen(64)
        self.sock.settimeout(0.1)
        self.lock = threading.Lock()
        self.connections = self.handshakes = self.handshake_failures = self.answers = 0
        self.queries = []
        self.errors = []
        self.stopping = threading.Event()
        self.threads = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()
        env.defer(self.close)
        lt.log(f"Python DoT server on {address}:{port}, {per_connection or 'any number of'} answer(s) "
               f"per connection, certificate {cert}")

    def _accept(self):
        while not self.stopping.is_set():
            try:
                conn, peer = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            with self.lock:
                self.connections += 1
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self.threads.append(t)
            t.start()

    def _serve(self, conn):
        conn.settimeout(5.0)
        # As DoT servers do (RFC 7766 section 10): without it, the answer waits
        # behind the unacknowledged session tickets for the client's delayed
        # ACK (Nagle), 40 ms on Linux.
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            tls = self.ctx.wrap_socket(conn, server_side=True)
        except (OSError, ssl.SSLError) as e:
            with self.lock:
                self.handshake_failures += 1
            conn.close()
            self.errors.append(f"handshake: {e}")
            return
        with self.lock:
            self.handshakes += 1
        served = 0
        try:
            while not self.stopping.is_set() and (self.per_connection is None or served < self.per_connection):
                data = read_frame(tls)
                if data is None:
                    break
                q = dns.message.from_wire(data)
                with self.lock:
                    self.queries.append(q.question[0].name.to_text() if q.question else "")
                tls.sendall(frame(self.answer(q).to_wire()))
                served += 1
                with self.lock:
                    self.answers += 1
            if self.close_notify:
                tls.settimeout(0.5)
                try:
                    tls.unwrap()  # close_notify; the peer's may not come
                except (OSError, ssl.SSLError, ValueError):
                    pass
        except (OSError, ssl.SSLError, dns.exception.DNSException) as e:
            self.errors.append(f"connection: {e}")
        finally:
            try:
                tls.close()
            except OSError:
                pass

    def close(self):
        self.stopping.set()
        self.thread.join(2)
        self.sock.close()
        for t in self.threads:
            t.join(1)


# ---------------------------------------------------------------- another process's socket

def _tcp_inode(local_port, remote_port):
    """The socket inode of the IPv4 TCP connection local_port -> remote_port (/proc/net/tcp)."""
    with open("/proc/net/tcp") as fh:
        for line in fh.readlines()[1:]:
            f = line.split()
            if int(f[1].split(":")[1], 16) == local_port and int(f[2].split(":")[1], 16) == remote_port:
                return f[9]
    return None


def tcp_option_of_peer(pid, local_port, remote_port, level, option):
    """getsockopt on the socket that process `pid` holds for the TCP connection local_port -> remote_port:
    the socket is duplicated into this process with pidfd_getfd(2) (root; Linux 5.6). None when not found."""
    inode = _tcp_inode(local_port, remote_port)
    if inode is None:
        return None
    target = None
    for entry in os.listdir(f"/proc/{pid}/fd"):
        try:
            if os.readlink(f"/proc/{pid}/fd/{entry}") == f"socket:[{inode}]":
                target = int(entry)
                break
        except OSError:
            continue
    if target is None:
        return None
    libc = ctypes.CDLL(None, use_errno=True)
    pidfd = os.pidfd_open(pid)
    try:
        fd = libc.syscall(438, pidfd, target, 0)  # SYS_pidfd_getfd on x86_64 and arm64
        if fd < 0:
            raise OSError(ctypes.get_errno(), "pidfd_getfd")
    finally:
        os.close(pidfd)
    sock = socket.socket(fileno=fd)
    try:
        return sock.getsockopt(level, option)
    finally:
        sock.close()  # our duplicate only


# ---------------------------------------------------------------- lanlord's view

def server_tls_status(env, control_socket, address):
    """The "tls" object of the upstream server at `address` in `lanlordctl
    --json status`: upstream_groups[].servers[] whose "address" holds that
    IPv4 address (written 1.2.3.4, 1.2.3.4:853, tls://1.2.3.4:853#name...).
    The one place that knows the layout."""
    status = lt.lanlordctl_json(env, control_socket, "status")
    seen = []
    for group in status.get("upstream_groups", []):
        for server in group.get("servers", []):
            text = str(server.get("address", ""))
            seen.append(text)
            if address in re.findall(r"\d+\.\d+\.\d+\.\d+", text):
                check("tls" in server, f"no 'tls' object for server {text} in status: {server}")
                return server["tls"]
    raise Failure(f"server {address} not in lanlordctl status (servers: {seen})")


def wait_tls_status(env, control_socket, address, predicate, what, timeout=3.0):
    """Polls the server's tls object until predicate(tls) holds (counters are
    published a moment after the answer); returns the last one."""
    last = {}

    def ok():
        last.clear()
        last.update(server_tls_status(env, control_socket, address))
        return predicate(last)
    try:
        lt.wait_until(ok, timeout, what, interval=0.2)
    except Failure:
        raise Failure(f"{what}: lanlord's tls status for {address} is {last}")
    return dict(last)

