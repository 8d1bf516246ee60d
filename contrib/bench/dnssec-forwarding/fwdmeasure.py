#!/usr/bin/python3
"""One dnsperf pass against a forwarder, with what its upstream saw (contrib/bench/dnssec-forwarding.sh).

  fwdmeasure.py --out FILE --upstream-conf UNBOUND_CONF [measure.py options] -- dnsperf ARGS...

Runs the shared harness's measure.py (SHARED/bench/recursion/lib/measure.py: dnsperf statistics, rcodes,
latency, server CPU from schedstat, foreign and steal CPU, NSD queries with --auth) with its record written to a
scratch file, takes the upstream unbound's counters (`unbound-control stats_noreset`, remote control on a UNIX
socket) before and after, and appends measure.py's record to FILE with these fields added:
  fwd_up          queries the upstream received during the pass (total.num.queries): all sent by the forwarder
  fwd_up_per_q    ... per answered client query
  fwd_up_ds, fwd_up_dnskey, fwd_up_do, fwd_up_cd, fwd_up_tcp   ... of type DS / DNSKEY, with DO, with CD, TCP
  fwd_up_cachemiss  the upstream's cache misses (total.num.cachemiss; with a warm upstream only the few answers
                    it builds from its RRset cache, not from its message cache; auth_q says whether it went out)
  auth_q          queries the NSDs received (measure.py's up_total): 0 when the upstream answered from its cache
Exit status: measure.py's.
"""
import json
import os
import subprocess
import sys
import tempfile

SHARED = os.environ.get("SHARED", "/work/shared")
MEASURE = os.path.join(SHARED, "bench", "recursion", "lib", "measure.py")
KEYS = {"total.num.queries": "fwd_up", "num.query.type.DS": "fwd_up_ds", "num.query.type.DNSKEY": "fwd_up_dnskey",
        "num.query.edns.DO": "fwd_up_do", "num.query.flags.CD": "fwd_up_cd", "num.query.tcp": "fwd_up_tcp",
        "total.num.cachemiss": "fwd_up_cachemiss"}


def stats(conf):
    out = subprocess.run(["unbound-control", "-c", conf, "stats_noreset"], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, timeout=20).stdout
    d = {}
    for line in out.splitlines():
        k, _, v = line.partition("=")
        if k in KEYS:
            try:
                d[KEYS[k]] = int(float(v))
            except ValueError:
                pass
    if "fwd_up" not in d:
        raise SystemExit(f"fwdmeasure: no statistics from the upstream: {out[:300]}")
    return d


def main():
    args = sys.argv[1:]
    out = args[args.index("--out") + 1]
    conf = args[args.index("--upstream-conf") + 1]
    i = args.index("--upstream-conf")
    del args[i:i + 2]
    i = args.index("--out")
    fd, tmp = tempfile.mkstemp(prefix="fwdmeasure.", suffix=".jsonl")
    os.close(fd)
    args[i + 1] = tmp
    try:
        a = stats(conf)
        rc = subprocess.call([sys.executable, MEASURE] + args)
        b = stats(conf)
        recs = [json.loads(l) for l in open(tmp) if l.strip()]
    finally:
        os.unlink(tmp)
    for rec in recs:
        for k in set(KEYS.values()):
            rec[k] = b.get(k, 0) - a.get(k, 0)
        done = rec.get("completed") or 0
        if done:
            rec["fwd_up_per_q"] = round(rec["fwd_up"] / done, 3)
        rec["auth_q"] = rec.get("up_total")
        with open(out, "a") as f:
            f.write(json.dumps(rec) + "\n")
        print(f"  upstream: {rec['fwd_up']} queries ({rec.get('fwd_up_per_q', '-')}/answer; DS {rec['fwd_up_ds']}, "
              f"DNSKEY {rec['fwd_up_dnskey']}, DO {rec['fwd_up_do']}, CD {rec['fwd_up_cd']}, cache misses "
              f"{rec['fwd_up_cachemiss']}); NSDs: {rec.get('up_total')} queries", file=sys.stderr)
    sys.exit(rc)


if __name__ == "__main__":
    main()
