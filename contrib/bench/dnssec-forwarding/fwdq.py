#!/usr/bin/python3
"""DNS queries of the DNSSEC forwarding benchmark (contrib/bench/dnssec-forwarding.sh).

Built on the shared recursion harness's client (SHARED/bench/recursion/lib/dnsq.py, imported, not copied):
its many() sends the queries with a window of outstanding ones and retries; this file adds the CD flag to the
queries it builds and the Extended DNS Error (RFC 8914) to the answers it parses, by wrapping dnsq.build and
dnsq.parse.

  fwdq.py warm ADDR PORT GEN_DIR SRC
      Fills the upstream's cache: every query of GEN_DIR/queries.txt and the startup probe with DO (the upstream
      validates and caches them), then again with DO+CD (what a validating forwarder sends); then, with DO and
      with DO+CD, DNSKEY of every signed zone and DS of every zone but the root, and DS of every name between a
      queried name's zone and the name (what validators ask when they look for zone cuts or prove that a name
      is insecure). Prints one JSON line of counts.
  fwdq.py check ADDR PORT GEN_DIR SRC OUT_JSON [--ref REF_JSON]
      Every query of GEN_DIR/queries.txt once with DO+AD (no CD): per name rcode, AD, answer count and EDE,
      written to OUT_JSON; prints a JSON summary: rcodes, AD % on GEN_DIR/secure.txt and insecure.txt, the
      names that failed (secure without AD or not NOERROR/NXDOMAIN, insecure with AD, SERVFAIL, no answer), and
      with --ref (the same check against the upstream itself, the validating reference) the names whose rcode
      or AD differ from it.
  fwdq.py query ADDR PORT NAME TYPE SRC [--cd]
      One query with DO (+CD): rcode, flags, EDE, answer records.
"""
import json
import os
import signal
import struct
import sys

SHARED = os.environ.get("SHARED", "/work/shared")
sys.path.insert(0, os.path.join(SHARED, "bench", "recursion", "lib"))
import dnsq  # noqa: E402

signal.signal(signal.SIGINT, signal.SIG_DFL)

CD = False                      # set the CD bit in the queries dnsq builds
_build, _parse = dnsq.build, dnsq.parse


def build(qid, name, qtype="A", rd=True, do=False, ad=False):
    msg = bytearray(_build(qid, name, qtype, rd=rd, do=do, ad=ad))
    if CD:
        msg[3] |= dnsq.F_CD
    return bytes(msg)


def skip_name(data, off):
    while True:
        n = data[off]
        if n & 0xC0 == 0xC0:
            return off + 2
        off += 1 + n
        if n == 0:
            return off


def parse(data):
    r = _parse(data)
    r["ede"] = None
    r["n_rrsig"] = 0
    try:
        qd, an, ns, ar = struct.unpack("!HHHH", data[4:12])
        off = 12
        for _ in range(qd):
            off = skip_name(data, off) + 4
        for i in range(an + ns + ar):
            off = skip_name(data, off)
            t, _, _, rdlen = struct.unpack("!HHIH", data[off:off + 10])
            off += 10
            if t == 46 and i < an:
                r["n_rrsig"] += 1
            if t == 41:                          # OPT: look for option 15 (EDE)
                o, end = off, off + rdlen
                while o + 4 <= end:
                    code, ln = struct.unpack("!HH", data[o:o + 4])
                    if code == 15 and ln >= 2:
                        info = struct.unpack("!H", data[o + 4:o + 6])[0]
                        r["ede"] = f"{info} {data[o + 6:o + 4 + ln].decode('utf-8', 'replace')}".strip()
                    o += 4 + ln
            off += rdlen
    except (struct.error, IndexError):
        pass
    return r


dnsq.build, dnsq.parse = build, parse


def read_queries(path):
    return [tuple(l.split()[:2]) for l in open(path) if l.strip()]


def zone_of(name, origins):
    labels = name.rstrip(".").split(".")
    for i in range(len(labels)):
        cand = ".".join(labels[i:]) + "."
        if cand in origins:
            return cand
    return "."


def warm(addr, port, gen, src):
    global CD
    topo = json.load(open(os.path.join(gen, "topology.json")))
    qs = read_queries(os.path.join(gen, "queries.txt")) + [(topo["probe"]["name"], topo["probe"]["type"])]
    origins = {z["origin"] for z in topo["zones"]}
    keys = [(z["origin"], "DNSKEY") for z in topo["zones"] if z["signed"]]
    keys += [(z["origin"], "DS") for z in topo["zones"] if z["origin"] != "."]
    cuts = set()
    for name, _ in qs:
        z = zone_of(name.lower(), origins)
        labels = name.lower().rstrip(".").split(".")
        zl = 0 if z == "." else len(z.rstrip(".").split("."))
        for i in range(len(labels) - zl):        # the name itself and every label between it and its zone
            cuts.add(".".join(labels[i:]) + ".")
    keys += [(n, "DS") for n in sorted(cuts - origins)]
    out = {}
    for label, queries in (("names", qs), ("keys", keys)):
        for cd in (False, True):
            CD = cd
            res = dnsq.many(addr, port, queries, src=src, do=True, ad=not cd, window=32, timeout=3.0, tries=3)
            rc = {}
            for r in res:
                k = r["rcode"] if r else "timeout"
                rc[k] = rc.get(k, 0) + 1
            out[f"{label}{'_cd' if cd else ''}"] = {"n": len(queries), "rcodes": rc}
    CD = False
    print(json.dumps(out))


def check(addr, port, gen, src, out_json, ref_json=None):
    qs = read_queries(os.path.join(gen, "queries.txt"))
    secure = set(read_queries(os.path.join(gen, "secure.txt")))
    insecure = set(read_queries(os.path.join(gen, "insecure.txt")))
    res = dnsq.many(addr, port, qs, src=src, do=True, ad=True, window=32, timeout=3.0, tries=2)
    per = {}
    for (name, qt), r in zip(qs, res):
        key = f"{name} {qt}"
        if r is None:
            per[key] = {"rcode": "timeout"}
        else:
            per[key] = {"rcode": r["rcode"], "ad": bool(r["flags"] & dnsq.F_AD), "an": len(r["answers"]),
                        "rrsig": r["n_rrsig"], "ede": r["ede"]}
    with open(out_json, "w") as f:
        json.dump(per, f)
    ref = json.load(open(ref_json)) if ref_json else None
    s = {"n": len(qs), "rcodes": {}, "secure_n": 0, "secure_ad": 0, "insecure_n": 0, "insecure_ad": 0,
         "servfail": 0, "timeout": 0, "fail": [], "fail_n": 0, "ref_rcode_diff": 0, "ref_ad_diff": 0,
         "ref_diff": [], "rrsig_answers": 0}
    for (name, qt) in qs:
        key = f"{name} {qt}"
        p = per[key]
        s["rcodes"][p["rcode"]] = s["rcodes"].get(p["rcode"], 0) + 1
        why = None
        if p["rcode"] == "timeout":
            s["timeout"] += 1
            why = "no answer"
        elif p["rcode"] == "SERVFAIL":
            s["servfail"] += 1
            why = "SERVFAIL"
        if p.get("rrsig"):
            s["rrsig_answers"] += 1
        if (name, qt) in secure:
            s["secure_n"] += 1
            if p.get("ad"):
                s["secure_ad"] += 1
            elif not why:
                why = "secure name without AD"
        elif (name, qt) in insecure:
            s["insecure_n"] += 1
            if p.get("ad"):
                s["insecure_ad"] += 1
                why = why or "insecure name with AD"
        if ref is not None and key in ref:
            q = ref[key]
            d = []
            if q["rcode"] != p["rcode"]:
                s["ref_rcode_diff"] += 1
                d.append(f"rcode {p['rcode']} (upstream {q['rcode']})")
            if q.get("ad") != p.get("ad") and p["rcode"] != "timeout":
                s["ref_ad_diff"] += 1
                d.append(f"AD {'set' if p.get('ad') else 'not set'} (upstream: {'set' if q.get('ad') else 'not set'})")
            if q.get("an") != p.get("an") and p["rcode"] == q["rcode"] == "NOERROR":
                d.append(f"{p.get('an')} answer records (upstream {q.get('an')})")
            if d and len(s["ref_diff"]) < 30:
                s["ref_diff"].append(f"{key}: " + "; ".join(d))
        if why:
            s["fail_n"] += 1
            if len(s["fail"]) < 30:
                s["fail"].append(f"{key}: {why}: rcode {p['rcode']}, AD {'set' if p.get('ad') else 'not set'}"
                                 + (f", EDE {p['ede']}" if p.get("ede") else ""))
    s["secure_ad_pct"] = round(100.0 * s["secure_ad"] / s["secure_n"], 2) if s["secure_n"] else None
    s["insecure_ad_pct"] = round(100.0 * s["insecure_ad"] / s["insecure_n"], 2) if s["insecure_n"] else None
    print(json.dumps(s))


def one(addr, port, name, qt, src, cd):
    global CD
    CD = cd
    r = dnsq.ask(addr, port, name, qt, src=src, do=True, ad=True, timeout=3.0)
    print(f"{r['rcode']} flags=[{dnsq.flag_str(r['flags'])}]" + (f" EDE={r['ede']}" if r["ede"] else "")
          + f" rtt_ms={r['rtt_ms']:.1f}")
    for n, t, v in r["answers"]:
        print(f"  {n} {t} {v}")


def main():
    argv = [a for a in sys.argv[1:] if not a.startswith("--")]
    flags = sys.argv[1:]
    mode = argv[0]
    if mode == "warm":
        warm(argv[1], int(argv[2]), argv[3], argv[4])
    elif mode == "check":
        ref = flags[flags.index("--ref") + 1] if "--ref" in flags else None
        argv = [a for a in argv if a != ref]
        check(argv[1], int(argv[2]), argv[3], argv[4], argv[5], ref)
    elif mode == "query":
        one(argv[1], int(argv[2]), argv[3], argv[4], argv[5], "--cd" in flags)
    else:
        sys.exit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
