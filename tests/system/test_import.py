#!/usr/bin/python3
"""System tests of `lanlordctl import-dnsmasq` (issue 16): the Debian package's own example dnsmasq.conf
(as shipped, and with every example option in it turned on) becomes a file lanlord --check-config accepts;
a device with a lease in a converted dnsmasq lease file keeps its address and its name after the switch
(lanlord started on the imported configuration, a busybox udhcpc client in a namespace)."""

import os
import re
import subprocess
import sys
import time

import lanlord_test as lt
from lanlord_test import check, check_eq

EXAMPLE = "/usr/share/doc/dnsmasq-base/examples/dnsmasq.conf.example"
SUBNET = "198.18.0"
SERVER = f"{SUBNET}.1"
MAC = "02:00:00:00:0c:01"

CLIENT_SCRIPT = """#!/bin/sh
{ echo "reason=$1"; env | grep -E '^(ip|mask|router|dns|domain|lease|serverid)='; } >> "$OUT"
if [ "$1" = bound ] || [ "$1" = renew ]; then ip addr replace "$ip/$mask" dev "$interface"; fi
exit 0
"""


def ctl(env, *args, rc=0, extra_env=None):
    environ = dict(os.environ)
    environ.update(extra_env or {})
    p = subprocess.run([lt.lanlordctl_path(env), *args], capture_output=True, text=True, timeout=30, env=environ)
    lt.log(f"lanlordctl {' '.join(args)} -> {p.returncode}\n{p.stdout[-2000:]}{p.stderr[-2000:]}")
    if rc is not None:
        check_eq(p.returncode, rc, f"exit code of lanlordctl {' '.join(args)}")
    return p


def check_config(env, path):
    p = subprocess.run([env.lanlord, "--check-config", path], capture_output=True, text=True, timeout=30)
    check_eq(p.returncode, 0, f"lanlord --check-config {path}: {p.stdout}{p.stderr}\n{open(path).read()}")


def case_debian_example(env):
    """The example file of Debian's dnsmasq-base, as shipped and with all its examples turned on."""
    if not os.path.exists(EXAMPLE):
        raise lt.Skip(f"{EXAMPLE} missing (dnsmasq-base; contrib/dev.sh test installs it)")
    out = os.path.join(env.tmp, "as-shipped.toml")
    ctl(env, "import-dnsmasq", EXAMPLE, "--output", out)
    check_config(env, out)
    # Never over an existing file without --force.
    p = ctl(env, "import-dnsmasq", EXAMPLE, "--output", out, rc=1)
    check("exists" in p.stderr and "--force" in p.stderr, "refuses to overwrite, says how")
    ctl(env, "import-dnsmasq", EXAMPLE, "--output", out, "--force")

    # Every commented example option line turned on ("#dhcp-range=..." -> "dhcp-range=...").
    lines, turned_on = [], 0
    for line in open(EXAMPLE):
        m = re.match(r"^#([a-z][a-z0-9-]*(=.*)?)$", line.rstrip("\n"))
        if m and not line.startswith("# "):
            lines.append(m.group(1) + "\n")
            turned_on += 1
        else:
            lines.append(line)
    check(turned_on > 100, f"the example has many options ({turned_on})")
    everything = env.write("everything.conf", "".join(lines).replace("conf-file=/etc/dnsmasq.more.conf\n", "")
                           .replace("conf-dir=", "#conf-dir="))
    out2 = os.path.join(env.tmp, "everything.toml")
    p = ctl(env, "import-dnsmasq", everything, "--output", out2, rc=None)
    check(p.returncode in (0, 1), f"import of every example option ran ({p.returncode})")
    check_config(env, out2)
    text = open(out2).read()
    skipped = text.count("\n# " + everything)
    lt.log(f"{turned_on} example options turned on, {skipped} named as not translated")
    for expected in ("[[dhcp.subnet]]", "[[dhcp.reservation]]", "[[local.address]]", "[[upstream]]",
                     "expand_hosts = true", "no equivalent in lanlord", "lanlord has no TFTP"):
        check(expected in text, f"the translation has {expected!r}")


def case_keeps_address(env):
    """A device with a lease in dnsmasq's lease file gets the same address and name from lanlord."""
    env.require_root()
    ns = env.netns("s")
    run = env.run
    run(lt.IP, "-n", ns, "link", "add", "lanbr", "type", "bridge")
    run(lt.IP, "-n", ns, "addr", "add", f"{SERVER}/24", "dev", "lanbr")
    run(lt.IP, "-n", ns, "link", "set", "lanbr", "up")
    run(lt.IP, "-n", ns, "link", "set", "lo", "up")
    conf = env.write("dnsmasq.conf", f"""domain-needed
bogus-priv
interface=lanbr
domain=lan
expand-hosts
local=/lan/
no-resolv
server=192.0.2.53
dhcp-range={SUBNET}.100,{SUBNET}.109,255.255.255.0,1h
dhcp-option=option:router,{SERVER}
dhcp-authoritative
dhcp-leasefile=/var/lib/misc/dnsmasq.leases
""")
    expires = int(time.time()) + 3600
    leases = env.write("dnsmasq.leases", f"{expires} {MAC} {SUBNET}.105 phone 01:{MAC}\n"
                                         f"{expires} 02:00:00:00:0c:02 {SUBNET}.106 tablet *\n")
    state = os.path.join(env.tmp, "state")
    os.makedirs(state)
    out = os.path.join(env.tmp, "lanlord.toml")
    ctl(env, "import-dnsmasq", conf, "--output", out, "--leases", leases, extra_env={"STATE_DIRECTORY": state})
    check(os.path.exists(os.path.join(state, "leases.journal")), "the journal went to $STATE_DIRECTORY")
    check_config(env, out)
    config = open(out).read()
    check('interfaces = ["lanbr"]' in config and 'interface = "lanbr"' in config, "DNS and DHCP on lanbr")
    ll = env.start_lanlord(config, netns=ns, extra_env={"STATE_DIRECTORY": state})

    # The device comes back: same MAC, same client id (udhcpc sends 01 + MAC), no address asked for.
    cns = env.netns("c")
    root, peer = f"ll{env.uid}ir", f"ll{env.uid}in"
    run(lt.IP, "-n", ns, "link", "add", root, "type", "veth", "peer", "name", peer)
    run(lt.IP, "-n", ns, "link", "set", peer, "netns", cns)
    run(lt.IP, "-n", ns, "link", "set", root, "master", "lanbr", "up")
    run(lt.IP, "-n", cns, "link", "set", peer, "address", MAC)
    run(lt.IP, "-n", cns, "link", "set", peer, "up")
    result = os.path.join(env.tmp, "udhcpc.env")
    script = env.write("hook.sh", CLIENT_SCRIPT.replace('"$OUT"', f'"{result}"'))
    os.chmod(script, 0o755)
    run(lt.IP, "netns", "exec", cns, "busybox", "udhcpc", "-i", peer, "-n", "-q", "-f", "-t", "5", "-T", "1",
        "-s", script, "-x", "hostname:phone", check_rc=False)
    got = {}
    if os.path.exists(result):
        for line in open(result):
            k, _, v = line.strip().partition("=")
            got[k] = v
    check_eq(got.get("ip"), f"{SUBNET}.105", "the address from dnsmasq's lease (the pool's first is .100)")
    # Its name, and the other device's (known from the journal alone), answer in DNS.
    check_eq(lt.dig(SERVER, "phone.lan", netns=ns).rdatas("A"), [f"{SUBNET}.105"], "phone.lan after the switch")
    check_eq(lt.dig(SERVER, "tablet.lan", netns=ns).rdatas("A"), [f"{SUBNET}.106"],
             "tablet.lan from the imported lease (the device has not come back yet)")

if __name__ == "__main__":
    sys.exit(lt.main({"debian_example": case_debian_example, "keeps_address": case_keeps_address}))
