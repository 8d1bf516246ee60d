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


def dns_message_seeds():
    """The full RR parser (fuzz_dns_message): referrals, signed answers, every
    RDATA shape the iterator and validator read, and broken variants of them."""
    import base64
    import dns.flags
    import dns.edns
    t = "dns_message"
    sig = base64.b64encode(bytes(range(64))).decode()

    def rrsig(covered, signer="example.org."):
        return f"{covered} 13 2 300 20300101000000 20200101000000 12345 {signer} {sig}"

    def response(qname, qtype, dnssec=True):
        q = dns.message.make_query(qname, qtype, want_dnssec=dnssec, payload=1232)
        r = dns.message.make_response(q)
        r.use_edns(0, dns.flags.DO if dnssec else 0, 1232)
        return r

    ref = response("www.example.org", "A", dnssec=False)
    ref.flags &= ~dns.flags.AA
    ref.authority.append(dns.rrset.from_text("example.org.", 172800, "IN", "NS", "ns1.example.org.", "NS2.Example.org."))
    ref.additional.append(dns.rrset.from_text("ns1.example.org.", 172800, "IN", "A", "192.0.2.1"))
    ref.additional.append(dns.rrset.from_text("ns2.example.org.", 172800, "IN", "AAAA", "2001:db8::2"))
    referral = ref.to_wire()
    write(t, "referral_glue", referral)

    ans = response("www.example.org", "A")
    ans.answer.append(dns.rrset.from_text("www.example.org.", 300, "IN", "A", "192.0.2.10"))
    ans.answer.append(dns.rrset.from_text("www.example.org.", 300, "IN", "RRSIG", rrsig("A")))
    signed = ans.to_wire()
    write(t, "signed_answer", signed)

    nx = response("nope.example.org", "A")
    nx.set_rcode(dns.rcode.NXDOMAIN)
    nx.authority.append(dns.rrset.from_text("example.org.", 300, "IN", "SOA", "ns1.example.org. hostmaster.example.org. 1 7200 3600 1209600 300"))
    nx.authority.append(dns.rrset.from_text("example.org.", 300, "IN", "RRSIG", rrsig("SOA")))
    nx.authority.append(dns.rrset.from_text("mail.example.org.", 300, "IN", "NSEC", "Www.Example.org. A MX RRSIG NSEC TYPE1234"))
    nx.authority.append(dns.rrset.from_text("mail.example.org.", 300, "IN", "RRSIG", rrsig("NSEC")))
    write(t, "nxdomain_nsec", nx.to_wire())

    n3 = response("nope.example.org", "AAAA")
    n3.authority.append(dns.rrset.from_text("2vptu5timamqttgl4luu9kg21e0aor3s.example.org.", 300, "IN", "NSEC3", "1 1 10 AABBCCDD 2vptu5timamqttgl4luu9kg21e0aor3t A RRSIG"))
    n3.authority.append(dns.rrset.from_text("example.org.", 300, "IN", "NSEC3PARAM", "1 0 10 AABBCCDD"))
    write(t, "nodata_nsec3", n3.to_wire())

    keys = response("example.org", "DNSKEY")
    key = base64.b64encode(bytes(range(1, 65))).decode()
    keys.answer.append(dns.rrset.from_text("example.org.", 3600, "IN", "DNSKEY", f"257 3 13 {key}", "256 3 13 " + base64.b64encode(bytes(range(65, 129))).decode()))
    keys.answer.append(dns.rrset.from_text("example.org.", 3600, "IN", "RRSIG", rrsig("DNSKEY")))
    keys.authority.append(dns.rrset.from_text("example.org.", 86400, "IN", "DS", "12345 13 2 " + "ab" * 32))
    write(t, "dnskey_ds", keys.to_wire())

    alias = response("www.example.com", "A", dnssec=False)
    alias.answer.append(dns.rrset.from_text("example.com.", 300, "IN", "DNAME", "example.net."))
    alias.answer.append(dns.rrset.from_text("www.example.com.", 300, "IN", "CNAME", "www.example.net."))
    alias.answer.append(dns.rrset.from_text("www.example.net.", 300, "IN", "A", "198.51.100.7"))
    write(t, "dname_cname", alias.to_wire())

    many = response("example.org", "ANY", dnssec=False)
    for rtype, data in [("MX", "10 mx.example.org."), ("SRV", "1 2 5060 sip.example.org."), ("PTR", "host.example.org."),
                        ("TXT", '"hello" "world"'), ("HINFO", '"CPU" "OS"'), ("RP", "admin.example.org. info.example.org."),
                        ("AFSDB", "1 afs.example.org."), ("KX", "10 kx.example.org."),
                        ("NAPTR", '100 10 "U" "E2U+sip" "!^.*$!sip:info@example.org!" .'), ("TYPE65280", r"\# 4 01020304")]:
        many.answer.append(dns.rrset.from_text("example.org.", 300, "IN", rtype, data))
    write(t, "many_types", many.to_wire())

    opts = dns.message.make_response(dns.message.make_query("example.org", "A"))
    opts.use_edns(0, dns.flags.DO, 4096, options=[dns.edns.GenericOption(10, bytes(16)), dns.edns.GenericOption(12, bytes(8))])
    write(t, "edns_options", opts.to_wire())

    # Broken variants: each must be rejected (or flagged) without harm.
    write(t, "cut_mid_record", signed[:len(signed) - 30])
    more = bytearray(referral)
    more[11] += 1  # ARCOUNT one more than present
    write(t, "count_too_large", bytes(more))
    past = bytearray(signed)
    past[signed.index(bytes([0, 4, 192, 0, 2, 10])) + 1] = 200  # the A's RDLENGTH past the end
    write(t, "rdlength_past_end", bytes(past))
    fwd = bytearray(referral)
    fwd[referral.index(b"\x03ns1") + 4:referral.index(b"\x03ns1") + 6] = bytes([0xC0 | (len(referral) >> 8) & 0x3F, len(referral) & 0xFF])
    write(t, "forward_pointer_rdata", bytes(fwd))
    order = bytearray(nx.to_wire())
    nsec_map = order.index(b"\x03Www\x07Example\x03org\x00") + 17  # the bitmap after the next name
    order[nsec_map] = 5  # window 5 before window 4 (TYPE1234)
    write(t, "nsec_window_order", bytes(order))
    head = bytes.fromhex("beef81000001000000000000")
    write(t, "name_256", head + (bytes([63]) + b"a" * 63) * 3 + bytes([62]) + b"a" * 62 + bytes([0, 0, 1, 0, 1]))
    write(t, "two_opts", signed[:10] + bytes([0, 2]) + signed[12:] + signed[-11:])
    write(t, "trailing_garbage", signed + b"\x00" * 7)
    signer = bytearray(signed)
    # The RRSIG's signer written as a pointer to the question's example.org (RFC 4034 3.1.7 forbids it).
    at = signed.index(b"\x07example\x03org\x00", 40)
    signer[at:at + 13] = bytes([0xC0, 16])
    signer[signed.index(bytes([0, 46, 0, 1])) + 8 + 1] -= 11  # RRSIG RDLENGTH
    write(t, "compressed_rrsig_signer", bytes(signer))


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
    # With arguments, only those groups: make_seed_corpus.py dns_message
    groups = {"dns": dns_seeds, "dns_message": dns_message_seeds, "dhcp": dhcp_seeds, "text": text_seeds}
    for name in sys.argv[1:] or groups:
        groups[name]()
    sys.exit(0)
