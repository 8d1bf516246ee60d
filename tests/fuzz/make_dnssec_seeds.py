#!/usr/bin/python3
"""Seeds for fuzz_dnssec: responses carrying DNSSEC records (DNSKEY, DS,
RRSIG, NSEC, NSEC3), each prefixed with the mode byte the target reads
(0 validate, 1 chain walk, 2 proofs, 3 aggressive cache). Run from
tests/fuzz/: ./make_dnssec_seeds.py writes corpus/dnssec/."""
import os

import dns.message
import dns.rrset

KEY = ("257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+"
       "KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==")
SIG = ("A 13 2 300 20300101000000 20260101000000 12345 example. "
       "bm90IGEgcmVhbCBzaWduYXR1cmUgYnV0IGxvbmcgZW5vdWdoIGZvciB0aGUgZnV6emVyIHRvIGNoYW5nZQ==")
NSEC3_SALT = "AABBCCDD"


def message(qname, qtype, rcode=0, answer=(), authority=()):
    m = dns.message.make_response(dns.message.make_query(qname, qtype, want_dnssec=True))
    m.set_rcode(rcode)
    for name, ttl, rtype, text in answer:
        m.answer.append(dns.rrset.from_text(name, ttl, "IN", rtype, text))
    for name, ttl, rtype, text in authority:
        m.authority.append(dns.rrset.from_text(name, ttl, "IN", rtype, text))
    return m.to_wire()


SEEDS = {
    "answer_signed": message("www.example.", "A", 0,
                             [("www.example.", 300, "A", "192.0.2.1"), ("www.example.", 300, "RRSIG", SIG),
                              ("example.", 300, "DNSKEY", KEY)]),
    "dnskey_set": message("example.", "DNSKEY", 0,
                          [("example.", 300, "DNSKEY", KEY),
                           ("example.", 300, "RRSIG", SIG.replace("A 13 2", "DNSKEY 13 1"))]),
    "ds_answer": message("example.", "DS", 0,
                         [("example.", 300, "DS", "2371 13 2 " + "AB" * 32),
                          ("example.", 300, "RRSIG", SIG.replace("A 13 2", "DS 13 1").replace(" example. ", " . "))]),
    "nxdomain_nsec": message("b.example.", "A", 3, [],
                             [("example.", 300, "SOA", "ns.example. host.example. 1 3600 600 86400 300"),
                              ("a.example.", 300, "NSEC", "c.example. A RRSIG NSEC"),
                              ("example.", 300, "NSEC", "a.example. SOA NS RRSIG NSEC DNSKEY"),
                              ("a.example.", 300, "RRSIG", SIG.replace("A 13 2", "NSEC 13 2"))]),
    "nodata_nsec": message("a.example.", "AAAA", 0, [],
                           [("a.example.", 300, "NSEC", "c.example. A RRSIG NSEC")]),
    "wildcard_nsec": message("x.w.example.", "A", 0,
                             [("x.w.example.", 300, "A", "192.0.2.7"),
                              ("x.w.example.", 300, "RRSIG", SIG.replace("A 13 2", "A 13 2"))],
                             [("*.w.example.", 300, "NSEC", "z.w.example. A RRSIG NSEC")]),
    "nxdomain_nsec3": message("a.c.x.w.example.", "A", 3, [],
                              [("b4um86eghhds6nea196smvmlo4ors995.example.", 300, "NSEC3",
                                "1 0 12 " + NSEC3_SALT + " gjeqe526plbf1g8mklp59enfd789njgi MX RRSIG"),
                               ("35mthgpgcu1qg68fab165klnsnk3dpvl.example.", 300, "NSEC3",
                                "1 0 12 " + NSEC3_SALT + " b4um86eghhds6nea196smvmlo4ors995 NS DS RRSIG"),
                               ("0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example.", 300, "NSEC3",
                                "1 0 12 " + NSEC3_SALT + " 2t7b4g4vsa5smi47k61mv5bv1a22bojr MX DNSKEY NS SOA")]),
    "optout_nsec3": message("c.example.", "DS", 0, [],
                            [("0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example.", 300, "NSEC3",
                              "1 1 12 " + NSEC3_SALT + " 2t7b4g4vsa5smi47k61mv5bv1a22bojr MX DNSKEY NS SOA"),
                             ("35mthgpgcu1qg68fab165klnsnk3dpvl.example.", 300, "NSEC3",
                              "1 1 12 " + NSEC3_SALT + " b4um86eghhds6nea196smvmlo4ors995 NS DS RRSIG")]),
    "many_iterations": message("q.example.", "A", 3, [],
                               [("0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example.", 300, "NSEC3",
                                 "1 0 2500 " + NSEC3_SALT + " 2t7b4g4vsa5smi47k61mv5bv1a22bojr SOA")]),
    "cname_chain": message("alias.example.", "A", 0,
                           [("alias.example.", 300, "CNAME", "www.other."), ("www.other.", 300, "A", "192.0.2.9"),
                            ("alias.example.", 300, "RRSIG", SIG.replace("A 13 2", "CNAME 13 2"))]),
}

os.makedirs("corpus/dnssec", exist_ok=True)
for name, wire in SEEDS.items():
    for mode in range(4):
        with open(f"corpus/dnssec/{name}_{mode}", "wb") as f:
            f.write(bytes([mode]) + wire)
print(len(SEEDS) * 4, "seeds")
