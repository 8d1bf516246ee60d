#!/usr/bin/python3
"""System tests of configuration handling: --check-config on broken and good
files, reload on SIGHUP (valid and invalid file, cache kept), and the
built-in configuration without --config."""

import os
import re
import signal
import socket
import subprocess
import sys

import lanlord_test as lt
from lanlord_test import check, check_eq, dig


def check_config(env, name, text):
    path = env.write(name, text)
    p = subprocess.run([env.lanlord, "--check-config", path], capture_output=True, text=True, timeout=10)
    lt.log(f"lanlord --check-config {name}: exit {p.returncode}\nstdout: {p.stdout}stderr: {p.stderr}")
    return path, p


def expect_errors(env, name, text, expected):
    """`expected`: (line, key, message regex) per error, all of which must be printed as
    path:line:column: key: message; nothing else may be printed as an error."""
    path, p = check_config(env, name, text)
    check_eq(p.returncode, 1, f"exit status of --check-config on {name}")
    lines = [x for x in (p.stdout + p.stderr).splitlines() if x.strip()]
    for line, key, msg in expected:
        rx = re.compile(rf"^{re.escape(path)}:{line}:(\d+): {re.escape(key)}: (.*)$")
        hits = [rx.match(x) for x in lines]
        hits = [m for m in hits if m and re.search(msg, m.group(2))]
        check(hits, f"{name}: no error line '{path}:{line}:<column>: {key}: /{msg}/' in:\n" + "\n".join(lines))
        check(int(hits[0].group(1)) >= 1, f"{name}: column {hits[0].group(1)} of {key}")
    check_eq(len(lines), len(expected), f"number of error lines for {name}")
    return lines


def case_check_unknown_key(env):
    """An unknown key: exit 1, file:line:column: dns.bogus_key: message."""
    expect_errors(env, "unknown.toml", '[dns]\nlisten = ["127.0.0.1"]\nbogus_key = 1\n',
                  [(3, "dns.bogus_key", r"unknown key")])


def case_check_bad_type(env):
    """A value of the wrong type: exit 1, file:line:column: dns.port: message."""
    expect_errors(env, "type.toml", '[dns]\nport = "53"\n', [(2, "dns.port", r"integer")])


def case_check_bad_duration(env):
    """Bad durations: exit 1, each reported with its key."""
    expect_errors(env, "duration.toml", '[dns]\nupstream_timeout = "1h30m"\n\n[cache]\nmax_ttl = "5 s"\n',
                  [(2, "dns.upstream_timeout", r"1h30m"), (5, "cache.max_ttl", r"5 s")])


def case_check_syntax(env):
    """A TOML syntax error: exit 1, file:line:column of the error."""
    path, p = check_config(env, "syntax.toml", '[dns]\nlisten = ["127.0.0.1"\nport = 53\n')
    check_eq(p.returncode, 1, "exit status of --check-config on a TOML syntax error")
    out = (p.stdout + p.stderr).strip().splitlines()
    check_eq(len(out), 1, "error lines for one syntax error")
    m = re.match(rf"^{re.escape(path)}:(\d+):(\d+): (.+)$", out[0])
    check(m, f"syntax error not printed as {path}:line:column: ...: {out[0]!r}")
    check(m.group(1) in ("2", "3"), f"line of the syntax error (unclosed array on line 2, seen on 3): {m.group(1)}")
    check(int(m.group(2)) >= 1, f"column of the syntax error: {m.group(2)}")


def case_check_all_errors(env):
    """Every error of a file is reported, not just the first."""
    text = ('log_level = "loud"\n'
            '[dns]\nlisten = ["127.0.0.1:5300"]\nport = 70000\n'
            '[cache]\nbogus = true\nmax_ttl = "1x"\n'
            '[[upstream]]\nservers = ["192.0.2.1:0"]\nfoo = 1\n')
    expect_errors(env, "multi.toml", text, [
        (1, "log_level", r"loud"),
        (4, "dns.port", r"70000"),
        (6, "cache.bogus", r"unknown key"),
        (7, "cache.max_ttl", r"1x"),
        (9, "upstream[0].servers[0]", r"192\.0\.2\.1:0"),
        (10, "upstream[0].foo", r"unknown key")])


def case_check_good(env):
    """A good file: exit 0 and "file: OK"; an invalid one is fatal at start (exit 1)."""
    good = ('log_level = "warn"\n[dns]\nlisten = ["127.0.0.1:5300", "[::1]:5300"]\nupstream_timeout = "500ms"\n'
            '[cache]\nmax_memory = "8MiB"\nmax_ttl = "1d"\n'
            '[[upstream]]\nname = "corp"\nservers = ["192.0.2.1", "192.0.2.2:5353"]\ndomains = ["corp.test"]\n')
    path, p = check_config(env, "good.toml", good)
    check_eq(p.returncode, 0, "exit status of --check-config on a good file")
    check_eq(p.stdout.strip(), f"{path}: OK", "output for a good file")
    # --config with an invalid file: fatal, errors printed, status 1.
    bad = env.write("bad.toml", f'[dns]\nlisten = ["{env.addr(1)}:53"]\nport = "x"\n')
    p = subprocess.run([env.lanlord, "--config", bad], capture_output=True, text=True, timeout=10)
    lt.log(f"lanlord --config bad.toml: exit {p.returncode}: {p.stdout}{p.stderr}")
    check_eq(p.returncode, 1, "exit status of lanlord --config with an invalid file")
    check(re.search(rf"{re.escape(bad)}:3:\d+: dns\.port: ", p.stdout + p.stderr),
          "the error of an invalid --config file is not printed with file:line:column: key")


# ---------------------------------------------------------------- SIGHUP

def reload_setup(env):
    nsd_a = env.nsd("nsdA", env.addr(11), {"a.test": lt.zone("a.test", ["www IN A 192.0.2.1"])})
    nsd_b = env.nsd("nsdB", env.addr(12), {"b.test": lt.zone("b.test", ["*.n IN A 198.51.100.2"])})
    listen = env.addr(1)
    cfg1 = lt.lanlord_config([f"{listen}:53"], [{"name": "default", "servers": [nsd_a.address]}],
                             dns={"upstream_timeout": "1s"})
    cfg2 = lt.lanlord_config([f"{listen}:53"], [{"name": "default", "servers": [nsd_a.address]},
                                                {"name": "b", "servers": [nsd_b.address], "domains": ["b.test"]}],
                             dns={"upstream_timeout": "1s"})
    ll = env.start_lanlord(cfg1)
    return nsd_a, nsd_b, ll, listen, cfg2


def replace_config(ll, text):
    tmp = ll.config_path + ".new"
    with open(tmp, "w") as fh:
        fh.write(text)
    os.rename(tmp, ll.config_path)


def sighup(ll, pattern, what):
    offset = ll.log_size()
    ll.signal(signal.SIGHUP)
    return ll.wait_log(pattern, 5, what, after=offset), offset


def case_sighup_valid(env):
    """SIGHUP with a valid new file: the new upstream group takes effect."""
    nsd_a, nsd_b, ll, listen, cfg2 = reload_setup(env)
    b0 = nsd_b.queries()
    r = dig(listen, "x0.n.b.test")
    check(r.rdatas("A") != ["198.51.100.2"], "b.test answered by B before the reload added its group")
    check_eq(nsd_b.queries() - b0, 0, "queries B saw before the reload")
    replace_config(ll, cfg2)
    sighup(ll, r"configuration reloaded from", "'configuration reloaded'")
    r = dig(listen, "x1.n.b.test")
    check_eq((r.status, r.rdatas("A")), ("NOERROR", ["198.51.100.2"]), "b.test after the reload added its group")
    check_eq(nsd_b.queries() - b0, 1, "queries B saw after the reload")
    check_eq(ll.proc.poll(), None, "lanlord exited")


def case_sighup_invalid(env):
    """SIGHUP with an invalid file: error logged, old configuration kept, still answering."""
    nsd_a, nsd_b, ll, listen, cfg2 = reload_setup(env)
    replace_config(ll, cfg2)
    sighup(ll, r"configuration reloaded from", "'configuration reloaded'")
    check_eq(dig(listen, "x1.n.b.test").rdatas("A"), ["198.51.100.2"], "b.test after the valid reload")
    # Invalid: drops group b and has an unknown key and a bad duration.
    broken = (lt.lanlord_config([f"{listen}:53"], [{"name": "default", "servers": [nsd_a.address]}],
                                dns={"upstream_timeout": "1s"})
              + "\n[cache]\nmax_ttl = \"forever\"\nbogus = 1\n")
    replace_config(ll, broken)
    m, offset = sighup(ll, r"reload of \S+ failed", "the 'reload failed' error")
    ll.wait_log(rf"{re.escape(ll.config_path)}:\d+:\d+: cache\.max_ttl: ", 2, "the max_ttl error", after=offset)
    ll.wait_log(rf"{re.escape(ll.config_path)}:\d+:\d+: cache\.bogus: ", 2, "the unknown key error", after=offset)
    check_eq(ll.proc.poll(), None, "lanlord exited after an invalid reload")
    r = dig(listen, "www.a.test")
    check_eq((r.status, r.rdatas("A")), ("NOERROR", ["192.0.2.1"]), "www.a.test after the invalid reload")
    b1 = nsd_b.queries()
    r = dig(listen, "x2.n.b.test")
    check_eq((r.status, r.rdatas("A")), ("NOERROR", ["198.51.100.2"]),
             "b.test after the invalid reload (the old configuration with group b must stay)")
    check_eq(nsd_b.queries() - b1, 1, "queries B saw for a new b.test name after the invalid reload")
    check(not re.search(r"configuration reloaded from", ll.log_text()[offset:]),
          "'configuration reloaded' logged for an invalid file")


def case_sighup_cache(env):
    """The cache survives reloads (valid and invalid): cached names need no new upstream query."""
    nsd_a, nsd_b, ll, listen, cfg2 = reload_setup(env)
    a0 = nsd_a.queries()
    check_eq(dig(listen, "www.a.test").rdatas("A"), ["192.0.2.1"], "www.a.test before the reload")
    check_eq(nsd_a.queries() - a0, 1, "queries A saw for www.a.test")
    replace_config(ll, cfg2)
    sighup(ll, r"configuration reloaded from", "'configuration reloaded'")
    r = dig(listen, "www.a.test")
    check_eq((r.status, r.rdatas("A")), ("NOERROR", ["192.0.2.1"]), "www.a.test after the reload")
    check_eq(nsd_a.queries() - a0, 1, "queries A saw after a valid reload (answer must come from the cache)")
    replace_config(ll, "[dns]\nport = \"x\"\n")
    sighup(ll, r"reload of \S+ failed", "the 'reload failed' error")
    r = dig(listen, "www.a.test")
    check_eq((r.status, r.rdatas("A")), ("NOERROR", ["192.0.2.1"]), "www.a.test after an invalid reload")
    check_eq(nsd_a.queries() - a0, 1, "queries A saw after an invalid reload")


# ---------------------------------------------------------------- built-in configuration

def case_builtin(env):
    """Without --config: 127.0.0.1 and ::1 port 5353, answering (hosts names, local NXDOMAIN)."""
    if not lt.port_free("127.0.0.1", 5353):
        raise lt.Skip("127.0.0.1:5353 is in use")
    have_v6 = socket.has_ipv6 and os.path.exists("/proc/net/if_inet6")
    if have_v6 and not lt.port_free("::1", 5353, socket.AF_INET6):
        raise lt.Skip("[::1]:5353 is in use")
    name, addr = None, None
    with open("/etc/hosts") as fh:
        for line in fh:
            f = line.split("#")[0].split()
            if len(f) >= 2 and re.fullmatch(r"\d+\.\d+\.\d+\.\d+", f[0]):
                name, addr = f[1], f[0]
                break
    ll = env.start_lanlord(None)
    check(re.search(r"listening on 127\.0\.0\.1:5353", ll.log_text()), "no 'listening on 127.0.0.1:5353' log line")
    # Only names answered locally: nothing may leave the machine.
    r = dig("127.0.0.1", "1.1.168.192.in-addr.arpa", "PTR", port=5353)
    check_eq(r.status, "NXDOMAIN", "private reverse name from the built-in configuration on 127.0.0.1:5353")
    r = dig("127.0.0.1", "printer", "A", port=5353, opts=["+tcp"])
    check_eq(r.status, "NXDOMAIN", "single-label name over TCP on 127.0.0.1:5353")
    if name:
        r = dig("127.0.0.1", name, "A", port=5353)
        check_eq((r.status, addr in r.rdatas("A")), ("NOERROR", True), f"{name} from /etc/hosts")
    if have_v6:
        r = dig("::1", "1.1.168.192.in-addr.arpa", "PTR", port=5353)
        check_eq(r.status, "NXDOMAIN", "private reverse name on [::1]:5353")
    check_eq(ll.stop(), 0, "exit status after SIGTERM")


CASES = {"check_unknown_key": case_check_unknown_key, "check_bad_type": case_check_bad_type,
         "check_bad_duration": case_check_bad_duration, "check_syntax": case_check_syntax,
         "check_all_errors": case_check_all_errors, "check_good": case_check_good,
         "sighup_valid": case_sighup_valid, "sighup_invalid": case_sighup_invalid,
         "sighup_cache": case_sighup_cache, "builtin": case_builtin}

if __name__ == "__main__":
    sys.exit(lt.main(CASES))
