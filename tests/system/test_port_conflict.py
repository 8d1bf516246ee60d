#!/usr/bin/python3
"""Port 53 conflicts explained, not suffered (issue 16): when lanlord cannot bind because another process
holds the address, its error names that process and says what to change."""

import subprocess
import sys

import lanlord_test as lt
from lanlord_test import check, check_eq

HOLDER = """
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 53))
print("bound", flush=True)
time.sleep(60)
"""


def case_port_held(env):
    """A process holding addr:53/udp: lanlord exits 1 and names it (comm, pid, address) with advice."""
    addr = env.addr(1)
    holder = subprocess.Popen(["/usr/bin/python3", "-c", HOLDER, addr], stdout=subprocess.PIPE, text=True)
    env.defer(lt.stop_process_tree, holder)
    check_eq(holder.stdout.readline().strip(), "bound", "the holder bound the port")
    ll = env.start_lanlord(lt.lanlord_config([f"{addr}:53"], [{"servers": ["192.0.2.1"]}]), wait_ready=False)
    rc = ll.wait_exit(10)
    check_eq(rc, 1, "lanlord's exit code")
    text = ll.log_text()
    check("cannot listen" in text, "the bind error is logged")
    check(f"python3 (pid {holder.pid}) holds {addr}:53/udp" in text, f"the holder is named: {text[-600:]}")
    check("[dns] port" in text, "and what to change")


if __name__ == "__main__":
    sys.exit(lt.main({"port_held": case_port_held}))
