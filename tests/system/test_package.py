#!/usr/bin/python3
"""The Debian package (issue 16): built from this build directory with CPack's DEB generator, lintian
reports no error, and unpacked into a scratch root it holds the daemon, lanlordctl, the compressed manual
pages, the systemd units (whose paths exist in the package), the default configuration as a conffile that
lanlord --check-config accepts, and maintainer scripts that enable and start the service on install and
remove the state directory on purge. Then dpkg installs it into a scratch root (dpkg --root, scripts run
chrootless with DPKG_ROOT): Depends checked against this machine's versions, the unit enabled there, an
edited conffile kept across a reinstall and a remove, everything gone after a purge."""

import glob
import os
import subprocess
import sys

import lanlord_test as lt
from lanlord_test import check, check_eq


def case_deb(env):
    build = os.path.dirname(os.path.dirname(os.path.abspath(env.lanlord)))
    if not os.path.exists(os.path.join(build, "CPackConfig.cmake")):
        raise lt.Skip(f"{build} is not a build directory")
    out = os.path.join(env.tmp, "pkg")
    os.makedirs(out)
    p = subprocess.run(["cpack", "-G", "DEB", "-B", out], cwd=build, capture_output=True, text=True, timeout=300)
    lt.log(p.stdout[-1500:] + p.stderr[-1500:])
    check_eq(p.returncode, 0, "cpack -G DEB")
    debs = glob.glob(os.path.join(out, "lanlord_*.deb"))
    check_eq(len(debs), 1, f"one package built ({debs})")
    deb = debs[0]

    if subprocess.run(["sh", "-c", "command -v lintian"], capture_output=True).returncode != 0:
        raise lt.Failure("lintian is not installed (contrib/dev.sh test installs it)")
    p = subprocess.run(["lintian", "--allow-root", deb], capture_output=True, text=True, timeout=300)
    lt.log(f"lintian:\n{p.stdout}{p.stderr}")
    errors = [line for line in p.stdout.splitlines() if line.startswith("E:")]
    check_eq(errors, [], "lintian errors")

    root = os.path.join(env.tmp, "root")
    env.run("dpkg-deb", "-x", deb, root)
    control = os.path.join(env.tmp, "control")
    env.run("dpkg-deb", "-e", deb, control)
    for path in ("usr/sbin/lanlord", "usr/bin/lanlordctl", "usr/share/man/man8/lanlord.8.gz",
                 "usr/share/man/man5/lanlord.toml.5.gz", "usr/share/man/man1/lanlordctl.1.gz",
                 "usr/lib/systemd/system/lanlord.service", "usr/lib/systemd/system/lanlord.socket",
                 "usr/share/doc/lanlord/copyright", "etc/lanlord/lanlord.toml"):
        check(os.path.exists(os.path.join(root, path)), f"the package has /{path}")
    check_eq(open(os.path.join(control, "conffiles")).read().split(), ["/etc/lanlord/lanlord.toml"], "conffiles")
    fields = subprocess.run(["dpkg-deb", "-f", deb], capture_output=True, text=True).stdout
    check("libsystemd0" in fields and "libldns3" in fields, f"Depends computed from the binaries: {fields}")

    # The unit runs what the package installs.
    unit = open(os.path.join(root, "usr/lib/systemd/system/lanlord.service")).read()
    for line in unit.splitlines():
        if line.startswith(("ExecStart=", "ExecStartPre=")):
            binary = line.split("=", 1)[1].split()[0]
            check(os.path.exists(os.path.join(root, binary.lstrip("/"))), f"{binary} of {line!r} is in the package")
    # The default configuration is valid, and checked by the packaged binary itself.
    p = subprocess.run([os.path.join(root, "usr/sbin/lanlord"), "--check-config",
                        os.path.join(root, "etc/lanlord/lanlord.toml")], capture_output=True, text=True)
    check_eq(p.returncode, 0, f"the packaged default configuration is valid: {p.stdout}{p.stderr}")
    # Maintainer scripts: valid sh; enable and start on install, the state directory gone on purge.
    for script in ("postinst", "prerm", "postrm"):
        path = os.path.join(control, script)
        check(os.access(path, os.X_OK), f"{script} is executable")
        env.run("sh", "-n", path)
    postinst = open(os.path.join(control, "postinst")).read()
    check("deb-systemd-helper enable lanlord.service" in postinst and "deb-systemd-invoke start" in postinst,
          "postinst enables and starts the service")
    check("/var/lib/lanlord" in open(os.path.join(control, "postrm")).read(), "purge removes the state")
    install_into_scratch_root(env, deb)


def dpkg_root(env, root, *args):
    """dpkg on the scratch root, its maintainer scripts run from outside with DPKG_ROOT set (the way Debian
    builds images chrootlessly): never on this machine's own dpkg database or systemd."""
    cmd = ["dpkg", f"--root={root}", "--force-script-chrootless", f"--log={root}/dpkg.log", *args]
    p = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)
    lt.log(f"{' '.join(cmd)} -> {p.returncode}\n{p.stdout[-1500:]}{p.stderr[-1500:]}")
    return p


def install_into_scratch_root(env, deb):
    """Install, reinstall, remove and purge with dpkg itself in a scratch root. Its database starts as a copy of
    this machine's, so Depends are checked against the versions really installed here (the libraries the
    packaged binaries ran with above) instead of being forced."""
    if os.geteuid() != 0:
        raise lt.Skip("dpkg --root needs root (CI runs as root)")
    root = os.path.join(env.tmp, "scratch")
    os.makedirs(os.path.join(root, "var/lib/dpkg/info"))
    os.makedirs(os.path.join(root, "var/lib/dpkg/updates"))
    # Every entry but lanlord's own, should this machine have it installed: a first install it must be.
    with open("/var/lib/dpkg/status") as src:
        entries = [e for e in src.read().split("\n\n") if e.strip() and not e.startswith("Package: lanlord\n")]
    with open(os.path.join(root, "var/lib/dpkg/status"), "w") as dst:
        dst.write("\n\n".join(entries) + "\n")
    host_link = "/etc/systemd/system/multi-user.target.wants/lanlord.service"
    host_had_link = os.path.lexists(host_link)
    wants = os.path.join(root, "etc/systemd/system/multi-user.target.wants/lanlord.service")
    conffile = os.path.join(root, "etc/lanlord/lanlord.toml")
    state = os.path.join(root, "var/lib/lanlord")

    p = dpkg_root(env, root, "-i", deb)
    check_eq(p.returncode, 0, f"dpkg --root -i (Depends satisfied by this machine's versions): {p.stderr}")
    status = dpkg_root(env, root, "-s", "lanlord").stdout
    check("Status: install ok installed" in status, f"installed in the scratch root: {status}")
    check(" /etc/lanlord/lanlord.toml " in status, f"the configuration is a conffile: {status}")
    check(os.path.islink(wants), "postinst enabled lanlord.service in the scratch root (multi-user.target.wants)")
    check(os.readlink(wants).endswith("/systemd/system/lanlord.service"), f"the link: {os.readlink(wants)}")
    check(os.path.exists(os.path.join(root, "var/lib/systemd/deb-systemd-helper-enabled/lanlord.service.dsh-also")),
          "deb-systemd-helper recorded the enablement in the scratch root")
    check_eq(os.path.lexists(host_link), host_had_link, "this machine's own multi-user.target.wants untouched")

    # The user's edit of the conffile and the state directory survive a reinstall and a remove.
    with open(conffile, "a") as fh:
        fh.write("# edited by the administrator\n")
    os.makedirs(state)
    with open(os.path.join(state, "leases.journal"), "w") as fh:
        fh.write("kept\n")
    p = dpkg_root(env, root, "-i", deb)
    check_eq(p.returncode, 0, "dpkg --root -i again (an upgrade to the same version)")
    check("# edited by the administrator" in open(conffile).read(), "the edited conffile kept on reinstall")
    # An administrator's `systemctl disable` survives an upgrade (debhelper's rule). What systemctl disable
    # does to the root: the unit's wants link goes (deb-systemd-helper runs from dpkg only).
    os.unlink(wants)
    check_eq(dpkg_root(env, root, "-i", deb).returncode, 0, "dpkg --root -i of a disabled service")
    check(not os.path.lexists(wants), "an upgrade left the disabled service disabled")
    p = dpkg_root(env, root, "-r", "lanlord")
    check_eq(p.returncode, 0, "dpkg --root -r")
    check(not os.path.exists(os.path.join(root, "usr/sbin/lanlord")), "remove takes the daemon")
    check(os.path.exists(conffile) and os.path.exists(os.path.join(state, "leases.journal")),
          "remove keeps the configuration and the leases")
    p = dpkg_root(env, root, "-P", "lanlord")
    check_eq(p.returncode, 0, "dpkg --root -P")
    for path in (os.path.join(root, "etc/lanlord"), state, wants):
        check(not os.path.lexists(path), f"purge removed {path}")
    check("Status: install ok installed" not in dpkg_root(env, root, "-s", "lanlord").stdout,
          "not installed after purge")
    check_eq(os.path.lexists(host_link), host_had_link, "this machine's own multi-user.target.wants untouched")


if __name__ == "__main__":
    sys.exit(lt.main({"deb": case_deb}, deadlines={"deb": 170}))
