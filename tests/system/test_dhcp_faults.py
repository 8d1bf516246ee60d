#!/usr/bin/python3
"""Fault tests of the DHCP side: the lease journal on a full disk."""

import os
import subprocess
import sys
import zlib

import lanlord_test as lt
from lanlord_test import check, check_eq, dig
from test_dhcp_clients import SERVER, Lan, check_lease, udhcpc


def fill(path):
    """Fills the file system of `path` with one file; returns its name."""
    filler = os.path.join(path, "filler")
    subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=4k"], capture_output=True)
    return filler


def free_line(address):
    """A valid journal line freeing `address` (CRC32 of the line, as lanlord writes it)."""
    body = f"F {address}"
    return f"{body} {zlib.crc32(body.encode()):08x}\n"


def pad_to_page(path, page=4096):
    """Appends free records of unused TEST-NET addresses until the file ends on a page
    boundary: then no append fits in a page the file already owns (tmpfs is page-granular)."""
    size = os.path.getsize(path)
    lines = []
    n = 0
    while (size + sum(map(len, lines))) % page:
        rest = page - (size + sum(map(len, lines))) % page
        # Lines are 19..27 bytes ("F a.b.c.d xxxxxxxx"); pick an address whose length fits.
        for addr in (f"203.0.113.{n % 250 + 1}", f"203.0.{n % 250 + 1}.1", "0.0.0.0"):
            line = free_line(addr)
            if len(line) == rest or rest - len(line) >= 19:
                lines.append(line)
                break
        else:
            lines.append(free_line(f"203.0.113.{n % 9 + 1}"))  # shorter line; loop again
        n += 1
    with open(path, "a") as fh:
        fh.write("".join(lines))


def case_disk_full(env):
    """With the journal's disk full, a new client gets no lease (no ACK without a durable journal line),
    names of existing leases keep answering, the journal stays whole, and service returns with space."""
    env.require_root()
    state = os.path.join(env.tmp, "state")
    os.makedirs(state)
    env.run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", state)
    env.defer(env.run, "umount", "-l", state)
    lan = Lan(env, state_dir=state)
    ns, ifname = lan.client("02:00:00:00:06:01")
    first = check_lease(udhcpc(lan, ns, ifname, True, "beforefull"), "lease before the disk fills")
    # Stop, end the journal on a page boundary, fill the disk, start again (replay needs no space).
    os.killpg(lan.ll.proc.pid, 15)
    lan.ll.proc.wait(5)
    pad_to_page(lan.journal)
    with open(lan.journal) as fh:
        before = fh.read()
    filler = fill(state)
    lan.ll = env.start_lanlord(lan.config, name="lanlord-full", netns=lan.server_ns)
    check_eq(dig(SERVER, "beforefull.lan", netns=lan.server_ns).rdatas("A"), [first],
             "an existing lease's name after a restart on a full disk")
    ns2, if2 = lan.client("02:00:00:00:06:02")
    values = udhcpc(lan, ns2, if2, True, "whilefull")
    check_eq(values.get("ip"), None, "address for a new client while the journal cannot be written")
    lan.ll.wait_log("cannot write the lease journal", 5, "the disk-full warning")
    check_eq(dig(SERVER, "beforefull.lan", netns=lan.server_ns).rdatas("A"), [first],
             "an existing lease's name while the disk is full")
    with open(lan.journal) as fh:
        during = fh.read()
    check_eq(during, before, "journal while full (no half line written)")
    check(during.endswith("\n"), "journal ends on a whole line")
    os.unlink(filler)
    values = udhcpc(lan, ns2, if2, True, "afterfull")
    second = check_lease(values, "lease once space is back")
    check(second != first, "the new client got its own address")
    check_eq(dig(SERVER, "afterfull.lan", netns=lan.server_ns).rdatas("A"), [second], "name once space is back")


CASES = {"disk_full": case_disk_full}

if __name__ == "__main__":
    sys.exit(lt.main(CASES))
