#!/usr/bin/python3
"""Writes the seed corpus of the fuzz targets into tests/fuzz/corpus/<target>/.
Run once by hand when the formats change; the files are committed and replayed
by CTest (tests/fuzz/replay_main.cpp). Fuzzing runs add their finds next to them."""
import os
import struct
import sys

import dns.message
import dns.rrset

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as fh:
        fh.write(data if isinstance(data, bytes) else data.encode())


def dns_seeds():
    q = dns.message.make_query("www.example.org", "A")
    write("dns_query", "plain", q.to_wire())
    write("dns_query", "edns_do", dns.message.make_query("example.org", "AAAA", want_dnssec=True).to_wire())
    write("dns_query", "local_name", dns.message.make_query("nas.lan", "A").to_wire())
    write("dns_query", "private_ptr", dns.message.make_query("4.3.168.192.in-addr.arpa", "PTR").to_wire())
    write("dns_query", "compression_loop", bytes.fromhex("123401000001000000000000c00c00010001"))
    write("dns_query", "truncated", q.to_wire()[:15])
    r = dns.message.make_response(q)
    r.answer.append(dns.rrset.from_text("www.example.org.", 300, "IN", "CNAME", "web.example.org."))
    r.answer.append(dns.rrset.from_text("web.example.org.", 60, "IN", "A", "192.0.2.1"))
    write("dns_response", "cname_chain", r.to_wire())
    nx = dns.message.make_response(dns.message.make_query("nope.example.org", "A"))
    nx.set_rcode(dns.rcode.NXDOMAIN)
    nx.authority.append(dns.rrset.from_text("example.org.", 3600, "IN", "SOA", "ns.example.org. h.example.org. 1 2 3 4 60"))
    write("dns_response", "nxdomain_soa", nx.to_wire())
    big = dns.message.make_response(dns.message.make_query("big.example.org", "TXT", use_edns=0, payload=4096))
    big.answer.append(dns.rrset.from_text("big.example.org.", 300, "IN", "TXT", '"' + "x" * 200 + '"'))
    write("dns_response", "txt_edns", big.to_wire())


def dhcp_packet(msg_type, mac_last, options=b"", ciaddr="0.0.0.0", giaddr="0.0.0.0"):
    ip = lambda s: bytes(int(x) for x in s.split("."))
    fixed = struct.pack("!BBBBIHH", 1, 1, 6, 0, 0x1000 + mac_last, 0, 0x8000) + ip(ciaddr) + bytes(8) + ip(giaddr)
    fixed += bytes([2, 0, 0, 0, 0, mac_last]) + bytes(10) + bytes(192)
    opts = bytes([53, 1, msg_type]) + options + bytes([255])
    return fixed + bytes([0x63, 0x82, 0x53, 0x63]) + opts


def dhcp_seeds():
    write("dhcp_packet", "discover", dhcp_packet(1, 1, bytes([12, 6]) + b"laptop" + bytes([55, 4, 1, 3, 6, 15])))
    write("dhcp_packet", "request_selecting", dhcp_packet(3, 1, bytes([50, 4, 192, 0, 2, 100, 54, 4, 192, 0, 2, 1])))
    write("dhcp_packet", "init_reboot", dhcp_packet(3, 2, bytes([50, 4, 192, 0, 2, 101])))
    write("dhcp_packet", "renew", dhcp_packet(3, 1, ciaddr="192.0.2.100"))
    write("dhcp_packet", "release", dhcp_packet(7, 1, ciaddr="192.0.2.100"))
    write("dhcp_packet", "decline", dhcp_packet(4, 1, bytes([50, 4, 192, 0, 2, 100, 54, 4, 192, 0, 2, 1])))
    write("dhcp_packet", "inform", dhcp_packet(8, 3, ciaddr="192.0.2.77"))
    write("dhcp_packet", "relayed", dhcp_packet(1, 4, bytes([82, 3, 1, 1, 7]), giaddr="192.0.2.254"))
    write("dhcp_packet", "overload", dhcp_packet(1, 5, bytes([52, 1, 3, 57, 2, 5, 220])))


def text_seeds():
    write("text_inputs", "hosts", "# hosts\n192.0.2.10 nas nas.lan\n2001:db8::10 nas\nbad line\n")
    write("text_inputs", "blocklist", "0.0.0.0 ads.example\n||track.example^\nplain.example\n! comment\n")
    write("text_inputs", "resolv_conf", "nameserver 192.0.2.53\nnameserver 2001:db8::53\nsearch lan\n")
    write("text_inputs", "journal",
          "L 192.0.2.10 01020000000042 020000000042 1000 laptop 1a2b3c4d\nF 192.0.2.10 00000000\nL 192.0.2.11")
    write("text_inputs", "config", """log_level = "info"
[dns]
listen = ["127.0.0.1:5353"]
[local]
domain = "lan"
[[local.record]]
name = "mail.lan"
type = "MX"
data = "10 mx.lan"
[blocklist]
answer = "null"
[[dhcp.subnet]]
interface = "lan0"
subnet = "192.0.2.0/24"
pools = ["192.0.2.100-192.0.2.200"]
[[upstream]]
servers = ["192.0.2.53"]
domains = ["."]
""")


if __name__ == "__main__":
    dns_seeds()
    dhcp_seeds()
    text_seeds()
    sys.exit(0)
