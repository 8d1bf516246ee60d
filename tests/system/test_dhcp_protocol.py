#!/usr/bin/python3
"""System tests of RFC 2131 behaviour that real clients cannot be made to show on
demand, driven by a scripted client (dhcp_wire.py) in a namespace of its own:
NAK for an address from another subnet, INFORM, a relayed exchange (giaddr and
option 82), a second client and a returning client, and a client's name in
lanlord's DNS (forward and reverse) for exactly the lease's lifetime.
Same network as test_dhcp_clients.py: lanlord on bridge 198.18.0.1/24 in its
own namespace, pool 198.18.0.100-109, authoritative."""

import sys
import time

import dhcp_wire as w
import lanlord_test as lt
from lanlord_test import check, check_eq, dig
from test_dhcp_clients import SERVER, SUBNET, Lan, check_lease, udhcpc


def scripted(lan, mac, address, hostname=None):
    """A client namespace with `address` on its interface (so it can unicast a RELEASE
    or INFORM) and a port-68 socket in it."""
    ns, ifname = lan.client(mac)
    lan.env.run(lt.IP, "-n", ns, "addr", "add", f"{address}/24", "dev", ifname)
    port = w.Port(ns, 68, device=ifname)
    lan.env.defer(port.close)
    return ns, w.Client(port, mac, hostname)


def journal(lan):
    with open(lan.journal) as fh:
        return fh.read()


def case_nak_foreign(env):
    """INIT-REBOOT asking for an address of another subnet gets a broadcast NAK (RFC 2131 4.3.2:
    the client is on the wrong network); so does an address of this subnet that another client holds
    (authoritative); nothing is written for either."""
    lan = Lan(env)
    _, a = scripted(lan, "02:00:00:00:07:01", f"{SUBNET}.21")
    _, b = scripted(lan, "02:00:00:00:07:02", f"{SUBNET}.22")
    r = a.init_reboot("198.51.100.7")
    check(r is not None, "no answer to an INIT-REBOOT for 198.51.100.7")
    check_eq(w.NAMES.get(r["type"]), "NAK", "reply to a foreign address")
    check_eq(r["yiaddr"], "0.0.0.0", "yiaddr of the NAK")
    check_eq(w.opt_ip(r, 54), SERVER, "server identifier of the NAK")
    _, ack = b.dora()
    check(ack and ack["type"] == w.ACK, f"client b's lease: {ack}")
    r = a.init_reboot(ack["yiaddr"])
    check(r is not None and r["type"] == w.NAK, f"reply to a request for b's address {ack['yiaddr']}: {r}")
    text = journal(lan)
    check("198.51.100.7" not in text, "nothing written for the foreign address")
    check_eq(text.count(f"L {ack['yiaddr']} "), 1, "lines for b's address (only b's grant)")


def case_inform(env):
    """INFORM from a client with its own address: an ACK unicast to ciaddr with mask, router, DNS
    and domain, no address and no lease time (RFC 2131 3.4, 4.3.5); no lease is written."""
    lan = Lan(env)
    address = f"{SUBNET}.30"
    _, c = scripted(lan, "02:00:00:00:08:01", address)
    r = c.send(w.INFORM, ciaddr=address, flags=0, to=(SERVER, 67))
    check(r is not None, "no answer to INFORM")
    check_eq(w.NAMES.get(r["type"]), "ACK", "reply to INFORM")
    check_eq(r["yiaddr"], "0.0.0.0", "yiaddr")
    check_eq(r["ciaddr"], address, "ciaddr echoed")
    check_eq(w.opt_ip(r, 1), "255.255.255.0", "subnet mask")
    check_eq(w.opt_ip(r, 3), SERVER, "router")
    check_eq(w.opt_ip(r, 6), SERVER, "DNS server")
    check_eq(r["options"].get(15), b"lan", "domain name")
    check_eq(w.opt_ip(r, 54), SERVER, "server identifier")
    check(51 not in r["options"] and 58 not in r["options"], "no lease times in the answer to INFORM")
    check(address not in journal(lan), "no lease written for an INFORM")


RELAY_SUBNET = "198.18.1"


def case_relay(env):
    """A relay (a socket on port 67 with giaddr 198.18.1.1) gets an OFFER and an ACK from the pool of
    198.18.1.0/24, the subnet containing giaddr, not from the bridge's; the replies go to giaddr port 67
    with option 82 echoed as it came (RFC 3046 2.2). A direct client still gets a bridge address."""
    lan = Lan(env, extra_subnet=f"""
[[dhcp.subnet]]
subnet = "{RELAY_SUBNET}.0/24"
server_address = "{SERVER}"
pools = ["{RELAY_SUBNET}.100-{RELAY_SUBNET}.109"]
routers = ["{RELAY_SUBNET}.1"]
""")
    ns, ifname = lan.client("02:00:00:00:09:01")
    env.run(lt.IP, "-n", ns, "addr", "add", f"{SUBNET}.2/24", "dev", ifname)
    env.run(lt.IP, "-n", ns, "addr", "add", f"{RELAY_SUBNET}.1/24", "dev", "lo")
    env.run(lt.IP, "-n", lan.server_ns, "route", "add", f"{RELAY_SUBNET}.0/24", "via", f"{SUBNET}.2")
    relay = w.Port(ns, 67)
    env.defer(relay.close)
    agent = bytes([1, 6]) + b"port-7" + bytes([2, 4]) + b"sw01"  # circuit id, remote id
    remote = w.Client(relay, "02:00:00:00:09:99", server_to=(SERVER, 67))
    kw = dict(giaddr=f"{RELAY_SUBNET}.1", flags=0, extra=[(82, agent)])
    offer = remote.discover(**kw)
    check(offer is not None, "no OFFER to the relay")
    check_eq(w.NAMES.get(offer["type"]), "OFFER", "reply to the relayed DISCOVER")
    check(offer["yiaddr"].startswith(RELAY_SUBNET + "."), f"offered {offer['yiaddr']}: not from {RELAY_SUBNET}.0/24")
    check_eq(offer["giaddr"], f"{RELAY_SUBNET}.1", "giaddr in the OFFER")
    check_eq(offer["options"].get(82), agent, "option 82 in the OFFER")
    check_eq(w.opt_ip(offer, 3), f"{RELAY_SUBNET}.1", "router of the relayed subnet")
    check_eq(w.opt_ip(offer, 1), "255.255.255.0", "mask")
    ack = remote.send(w.REQUEST, giaddr=f"{RELAY_SUBNET}.1", flags=0,
                      extra=[(50, w.ip4(offer["yiaddr"])), (54, offer["options"][54]), (82, agent)])
    check(ack is not None and ack["type"] == w.ACK, f"ACK to the relayed REQUEST: {ack}")
    check_eq(ack["yiaddr"], offer["yiaddr"], "acked address")
    check_eq(ack["options"].get(82), agent, "option 82 in the ACK")
    check(f"L {offer['yiaddr']} " in journal(lan), "the relayed lease is in the journal")
    _, direct = scripted(lan, "02:00:00:00:09:02", f"{SUBNET}.23")
    _, dack = direct.dora()
    check(dack is not None and dack["yiaddr"].startswith(SUBNET + "."), f"direct client's lease: {dack}")


def reverse(address):
    return ".".join(reversed(address.split("."))) + ".in-addr.arpa"


def case_returning(env):
    """A second client gets another address; a client that released its lease and comes back with a
    DISCOVER gets the same address again, although a third client took one in between; its name
    resolves forward and reverse through lanlord while it holds the lease and neither way once released."""
    lan = Lan(env)
    ns, a = scripted(lan, "02:00:00:00:0a:01", f"{SUBNET}.24", hostname="roamer")
    _, b = scripted(lan, "02:00:00:00:0a:02", f"{SUBNET}.25")
    _, first = a.dora()
    _, other = b.dora()
    check(first and other and first["type"] == w.ACK and other["type"] == w.ACK, "two leases")
    mine = first["yiaddr"]
    check(mine != other["yiaddr"], f"both clients got {mine}")
    check_eq(dig(SERVER, "roamer.lan", netns=ns).rdatas("A"), [mine], "roamer.lan")
    check_eq(dig(SERVER, reverse(mine), "PTR", netns=ns).rdatas("PTR"), ["roamer.lan."], f"PTR of {mine}")
    a.release(mine, SERVER)
    lt.wait_until(lambda: dig(SERVER, "roamer.lan", netns=ns).status == "NXDOMAIN", 5,
                  "roamer.lan to go after the release")
    # 198.18.0.0/15 is no private reverse zone: without the lease the question goes upstream (none
    # answers here: SERVFAIL after lanlord's 3 s upstream timeout); on a 192.168.x LAN it would be
    # NXDOMAIN at once. Either way: no PTR.
    r = dig(SERVER, reverse(mine), "PTR", netns=ns, timeout=6)
    check(r.status in ("NXDOMAIN", "SERVFAIL") and not r.answer,
          f"PTR of {mine} after the release: {r.status} {r.answer}")
    check(f"F {mine} " in journal(lan), "a free record for the released lease")
    _, c = scripted(lan, "02:00:00:00:0a:03", f"{SUBNET}.26")
    _, third = c.dora()
    check(third and third["type"] == w.ACK, "a third client's lease")
    check(third["yiaddr"] not in (mine, other["yiaddr"]), f"third client got a held address {third['yiaddr']}")
    _, back = a.dora()
    check(back and back["type"] == w.ACK, "the returning client's lease")
    check_eq(back["yiaddr"], mine, "address of the returning client")
    check_eq(dig(SERVER, "roamer.lan", netns=ns).rdatas("A"), [mine], "roamer.lan once it is back")


def lease_within(client, seconds, what, server_id=None):
    """DORA, repeated (as a client retransmits) until an ACK from `server_id` comes; seconds it took."""
    start = time.monotonic()

    def try_once():
        _, ack = client.dora(timeout=1.0, tries=1)
        return ack if ack and ack["type"] == w.ACK and (not server_id or w.opt_ip(ack, 54) == server_id) else None
    ack = lt.wait_until(try_once, seconds, what, interval=0.2)
    return ack, time.monotonic() - start


def case_late_interface(env):
    """lanlord starts before its interface exists; once the bridge appears with an address in the
    subnet, a client gets a lease within 10 s, no restart. The bridge is deleted (the subnet stops being
    served) and made again with another address of ours: clients are served again, named by the new
    address (option 54)."""
    lan = Lan(env, bridge=False, dns_listen="127.0.0.1:53")
    lan.ll.wait_log("no address of ours there yet", 5, "the warning about the missing interface")
    lan.make_bridge(SERVER)
    ns, ifname = lan.client("02:00:00:00:0c:01")
    env.run(lt.IP, "-n", ns, "addr", "add", f"{SUBNET}.27/24", "dev", ifname)
    port = w.Port(ns, 68, device=ifname)
    env.defer(port.close)
    client = w.Client(port, "02:00:00:00:0c:01")
    ack, took = lease_within(client, 10, "a lease once the interface is up")
    lt.log(f"lease {ack['yiaddr']} {took:.1f} s after the interface appeared")
    check_eq(w.opt_ip(ack, 54), SERVER, "server identifier")
    lan.ll.wait_log(f"served as {SERVER}", 2, "the log line saying the subnet is served")
    env.run(lt.IP, "-n", lan.server_ns, "link", "del", "lanbr")
    lan.ll.wait_log("has no address in it; not served", 8, "the log line saying the subnet is not served")
    again = f"{SUBNET}.2"
    lan.make_bridge(again)
    env.run(lt.IP, "-n", lan.server_ns, "link", "set", ifname[:-1] + "r", "master", "lanbr")
    ack2, took = lease_within(client, 10, f"a lease from {again} after the interface came back", server_id=again)
    lt.log(f"lease {ack2['yiaddr']} from {again} {took:.1f} s after the interface came back")
    check_eq(ack2["yiaddr"], ack["yiaddr"], "the client's address after the interface came back")


def case_ping_check(env):
    """ping_check: the first pool address is taken by a host configured by hand (it answers ping);
    udhcpc gets the next address, the log names the squatter, and a client asking for the squatter's
    address gets another one (it is set aside like a declined address). The OFFER waits ping_timeout."""
    lan = Lan(env, extra_subnet='ping_check = true\nping_timeout = "300ms"')
    squat_ns, squat_if = lan.client("02:00:00:00:0d:01")
    env.run(lt.IP, "-n", squat_ns, "addr", "add", f"{SUBNET}.100/24", "dev", squat_if)
    ns, ifname = lan.client("02:00:00:00:0d:02")
    got = check_lease(udhcpc(lan, ns, ifname, True, "pinged"), "udhcpc with ping_check")
    check(got != f"{SUBNET}.100", f"the client was given the squatter's address {got}")
    check_eq(got, f"{SUBNET}.101", "the client's address (the next candidate)")
    lan.ll.wait_log(rf"{SUBNET}\.100 answers ping", 2, "the conflict warning")
    _, c = scripted(lan, "02:00:00:00:0d:03", f"{SUBNET}.28")
    start = time.monotonic()
    offer = c.discover(extra=[(50, w.ip4(f"{SUBNET}.100"))])
    waited = time.monotonic() - start
    check(offer is not None and offer["type"] == w.OFFER, f"an OFFER: {offer}")
    check(offer["yiaddr"] not in (f"{SUBNET}.100", got), f"offered {offer['yiaddr']}")
    check(0.25 <= waited < 1.5, f"the OFFER came after {waited:.2f} s; a silent probe of 300 ms expected")
    lt.log(f"OFFER of {offer['yiaddr']} after {waited * 1000:.0f} ms (probe of 300 ms)")


def case_slow_disk(env):
    """fdatasync takes 1.5 s (an SD card on a bad day; LD_PRELOAD shim). While client a's ACK waits
    for it, lanlord (threads = 1: DNS and DHCP on one event loop) still answers DNS and sends client b
    an OFFER; a's ACK comes only after the fdatasync (never before the lease is on disk), and the
    lease is in the journal."""
    import os
    import threading
    shim = os.environ.get("SLOW_FDATASYNC")
    if not shim or not os.path.exists(shim):
        raise lt.Skip("SLOW_FDATASYNC (the LD_PRELOAD shim) not given")
    delay = 1.5
    lan = Lan(env, extra_env={"LD_PRELOAD": shim, "LANLORD_TEST_FDATASYNC_MS": str(int(delay * 1000)),
                              "ASAN_OPTIONS": "verify_asan_link_order=0:" + os.environ.get("ASAN_OPTIONS", "")})
    ns, a = scripted(lan, "02:00:00:00:0e:01", f"{SUBNET}.31")
    _, b = scripted(lan, "02:00:00:00:0e:02", f"{SUBNET}.32")
    offer = a.discover(timeout=1.0, tries=1)
    check(offer is not None and offer["type"] == w.OFFER, f"an OFFER for a (no disk involved): {offer}")
    result = {}

    def request():
        start = time.monotonic()
        result["ack"] = a.request_selecting(offer, timeout=3 * delay + 2, tries=1)
        result["at"] = time.monotonic()
        result["took"] = result["at"] - start
    t = threading.Thread(target=request)
    t.start()
    time.sleep(0.3)  # the REQUEST is in; its commit is sleeping in fdatasync
    during = time.monotonic()
    r = dig(SERVER, "nobody-here.lan", netns=ns, timeout=1)
    dns_took = time.monotonic() - during
    offer_b = b.discover(timeout=1.0, tries=1)
    offer_b_at = time.monotonic()
    both_took = offer_b_at - during
    t.join()
    lt.log(f"during the fdatasync: DNS {r.status} after {dns_took * 1000:.0f} ms, OFFER for b "
           f"{'came' if offer_b else 'missing'}; a's ACK after {result['took'] * 1000:.0f} ms")
    check_eq(r.status, "NXDOMAIN", "the DNS answer while the journal is syncing")
    check(offer_b is not None and offer_b["type"] == w.OFFER, f"client b's OFFER during the fdatasync: {offer_b}")
    check(both_took < delay - 0.3, f"DNS and b's OFFER took {both_took:.2f} s: they waited for the disk")
    check(result.get("at", 0) > offer_b_at, "a's ACK came before b's OFFER: DNS and the OFFER did not "
          "overlap the fdatasync, so this run shows nothing")
    ack = result["ack"]
    check(ack is not None and ack["type"] == w.ACK, f"a's ACK: {ack}")
    check(result["took"] >= delay - 0.05, f"a's ACK came after {result['took']:.2f} s, before the "
          f"{delay} s fdatasync ended: the lease was not yet on disk")
    check(f"L {ack['yiaddr']} " in journal(lan), "a's lease in the journal")


CASES = {"slow_disk": case_slow_disk, "nak_foreign": case_nak_foreign, "inform": case_inform, "relay": case_relay,
         "returning": case_returning, "late_interface": case_late_interface, "ping_check": case_ping_check}

if __name__ == "__main__":
    sys.exit(lt.main(CASES))
