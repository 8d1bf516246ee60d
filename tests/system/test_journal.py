#!/usr/bin/python3
"""Logging to the journal (issue 16): started as systemd starts it (JOURNAL_STREAM naming its stderr),
lanlord sends journal entries with priorities and structured fields (sd_journal_send) to journald's
socket; started any other way it writes text lines. journald is played by a unix datagram socket of the
test, mounted over /run/systemd/journal in a private mount namespace (unshare -m: nothing outside it
changes)."""

import os
import socket
import subprocess
import sys
import time

import lanlord_test as lt
from lanlord_test import check, check_eq


def parse_entry(data):
    """The native journal protocol: KEY=VALUE lines, or KEY\\n<le64 size><value>\\n for binary values."""
    fields, i = {}, 0
    while i < len(data):
        nl = data.find(b"\n", i)
        if nl < 0:
            break
        line = data[i:nl]
        if b"=" in line:
            k, v = line.split(b"=", 1)
            fields[k.decode()] = v.decode(errors="replace")
            i = nl + 1
        else:
            size = int.from_bytes(data[nl + 1:nl + 9], "little")
            fields[line.decode()] = data[nl + 9:nl + 9 + size].decode(errors="replace")
            i = nl + 9 + size + 1
    return fields


def case_fields(env):
    """Entries with MESSAGE, PRIORITY (6 for info, 4 for warnings), SYSLOG_IDENTIFIER and LANLORD_LEVEL when
    JOURNAL_STREAM is stderr; text on stderr when it is not."""
    env.require_root()
    if subprocess.run(["unshare", "-m", "true"]).returncode != 0:
        raise lt.Skip("no mount namespaces here")
    jdir = os.path.join(env.tmp, "journal")
    os.makedirs(jdir)
    journal = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    journal.bind(os.path.join(jdir, "socket"))
    journal.settimeout(0.2)
    env.defer(journal.close)
    listen = env.addr(1)
    # A configuration with something to warn about: a hosts file that cannot be read.
    config = env.write("lanlord.toml", lt.lanlord_config([f"{listen}:53"], [{"servers": ["192.0.2.1"]}],
                                                          local={"hosts": ["/nonexistent/hosts"]}))
    stderr_path = os.path.join(env.tmp, "stderr")
    stderr = open(stderr_path, "w")
    st = os.fstat(stderr.fileno())
    script = ("mount -t tmpfs tmpfs /run/systemd && mkdir /run/systemd/journal && "
              f"mount --bind {jdir} /run/systemd/journal && exec \"$0\" \"$@\"")
    environ = dict(os.environ, JOURNAL_STREAM=f"{st.st_dev}:{st.st_ino}",
                   STATE_DIRECTORY=os.path.join(env.tmp, "state"))
    proc = subprocess.Popen(["unshare", "-m", "--propagation", "private", "sh", "-c", script, env.lanlord,
                             "--config", config], stdout=stderr, stderr=stderr, env=environ,
                            start_new_session=True)
    env.defer(lt.stop_process_tree, proc)
    entries, deadline = [], time.time() + 10
    while time.time() < deadline and not any("ready in" in e.get("MESSAGE", "") for e in entries):
        try:
            entries.append(parse_entry(journal.recv(65536)))
        except socket.timeout:
            check(proc.poll() is None, f"lanlord exited: {open(stderr_path).read()}")
    lt.log(f"{len(entries)} journal entries; first: {entries[:2]}")
    ready = [e for e in entries if "ready in" in e.get("MESSAGE", "")]
    check(ready, f"the 'ready' line reached the journal: {entries}")
    check_eq(ready[0].get("PRIORITY"), "6", "PRIORITY of an info line")
    check_eq(ready[0].get("SYSLOG_IDENTIFIER"), "lanlord", "SYSLOG_IDENTIFIER")
    check_eq(ready[0].get("LANLORD_LEVEL"), "info", "LANLORD_LEVEL")
    check(ready[0].get("TID", "").isdigit(), "TID")
    warnings = [e for e in entries if "/nonexistent/hosts" in e.get("MESSAGE", "")]
    check(warnings and warnings[0].get("PRIORITY") == "4", f"a warning has PRIORITY 4: {warnings}")
    check_eq(open(stderr_path).read(), "", "nothing written as text on stderr meanwhile")
    check("CODE_FILE" not in ready[0], "no CODE_FILE naming the sink instead of the caller")
    lt.stop_process_tree(proc)
    try:  # its last entries ("stopping")
        while True:
            journal.recv(65536)
    except socket.timeout:
        pass

    # Not the journal's stream (stderr redirected elsewhere): text lines, nothing to the journal.
    other = open(os.path.join(env.tmp, "stderr2"), "w")
    proc = subprocess.Popen(["unshare", "-m", "--propagation", "private", "sh", "-c", script, env.lanlord,
                             "--config", config], stdout=other, stderr=other, env=environ,
                            start_new_session=True)
    env.defer(lt.stop_process_tree, proc)
    lt.wait_until(lambda: "ready in" in open(other.name).read(), 10, "the ready line on stderr")
    try:
        stray = parse_entry(journal.recv(65536))
    except socket.timeout:
        stray = None
    check_eq(stray, None, "no journal entry when stderr is not the journal")
    lt.stop_process_tree(proc)


if __name__ == "__main__":
    sys.exit(lt.main({"fields": case_fields}))
