#!/usr/bin/python3
"""report.py RUN_DIR: the markdown report of contrib/bench/dnssec-forwarding.sh from RUN_DIR/results.jsonl,
env.md and the forwarders' log summaries. Names no path of the machine it ran on."""
import json
import os
import re
import statistics as st
import sys

run_dir = sys.argv[1]
recs = [json.loads(l) for l in open(os.path.join(run_dir, "results.jsonl")) if l.strip()]
ORDER = ["lanlord", "dnsmasq", "unbound", "kresd"]
fwds = [p for p in ORDER if any(r["peer"] == p and r["test"] == "startup" for r in recs)]
peers = [p for p in fwds if p != "lanlord"]


def get(peer, test):
    return [r for r in recs if r["peer"] == peer and r["test"] == test]


def vals(peer, test, key):
    return [r[key] for r in get(peer, test) if r.get(key) is not None]


def f(v, nd=0):
    if v is None:
        return "-"
    if isinstance(v, str):
        return v
    return f"{v:,.{nd}f}"


def med(peer, test, key):
    v = vals(peer, test, key)
    return st.median(v) if v else None


def spread(peer, test, key, nd=1):
    v = vals(peer, test, key)
    if not v:
        return "-"
    if len(v) == 1:
        return f(v[0], nd)
    return f"{f(st.median(v), nd)} ({f(min(v), nd)}-{f(max(v), nd)})"


def per_round(peer, test, key):
    return {r.get("rep"): r[key] for r in get(peer, test) if r.get(key) is not None}


def best_peer_ratio(peer, test, key="srv_us_per_q", lower_better=True):
    """Median over rounds of peer / (best of dnsmasq, unbound, kresd in the same round)."""
    mine = per_round(peer, test, key)
    out = []
    for rep, v in mine.items():
        others = [per_round(p, test, key).get(rep) for p in peers]
        others = [o for o in others if o]
        if not others or not v:
            continue
        b = min(others) if lower_better else max(others)
        out.append(v / b)
    return st.median(out) if out else None


def pair_ratio(a, b, test, key="srv_us_per_q"):
    ra, rb = per_round(a, test, key), per_round(b, test, key)
    v = [ra[k] / rb[k] for k in ra if k in rb and rb[k]]
    return st.median(v) if v else None


def xr(v):
    return f"{v:.2f}x" if v else "-"


out = []
w = out.append
w("# DNSSEC validation in forwarding mode: lanlord and its peers\n")
if os.path.exists(os.path.join(run_dir, "env.md")):
    w(re.sub(r"^# ", "## ", open(os.path.join(run_dir, "env.md")).read().rstrip(), flags=re.M) + "\n")

up = get("upstream", "check_ref")
up = up[0] if up else {}
warm = get("upstream", "warmup")
w("## The setup\n")
w("Every forwarder forwards every name to one upstream (unbound, recursive from the fake root, validating) and "
  "validates the answers itself with the fake root's DS as its only trust anchor. The upstream was warmed first "
  "(every query name with DO and with DO+CD, DNSKEY/DS of every zone and DS of the names between each queried "
  "name and its zone), so during the passes it answers from its cache: **auth q** (queries the NSDs received "
  "during a forwarder's passes) should be 0 and the CPU measured is the forwarder's.")
if up:
    w(f"\nReference, the upstream's own answers to every name with DO+AD: rcodes {up.get('rcodes')}, AD on "
      f"{f(up.get('secure_ad_pct'), 2)} % of the {up.get('secure_n')} secure names and "
      f"{f(up.get('insecure_ad_pct'), 2)} % of the {up.get('insecure_n')} insecure ones.")
if warm:
    w(f"Warming: {json.dumps({k: v for k, v in warm[0].items() if k not in ('peer', 'mode', 'test', 'rep', 'ts')})}")
w("")
w("Legend: **us/ans** = CPU microseconds (user+sys, all threads, schedstat) of the forwarder per answered query; "
  "**cold max** = one pass over every name at the maximum rate with 10 queries outstanding, from a fresh start "
  "(median (min-max) over the rounds); **@500/s** = the same pass at 500 q/s (every query pays its own wake-up, "
  "so higher and noisier; only compare at the same rate); **x best peer** = median over the rounds of the ratio "
  "to the best (lowest) of dnsmasq, unbound and kresd in the same round; **up/ans** = queries the forwarder "
  "sent to the upstream per answer (its total.num.queries), with the DS and DNSKEY queries per 1,000 answers; "
  "**answers** = NOERROR / NXDOMAIN / SERVFAIL over all cold passes, lost = no answer within 5 s; **AD %** = "
  "share of the secure names answered with AD (must be 100) / of the insecure names (must be 0), asked once each "
  "with DO+AD on an empty cache (cold check) and after the passes (warm check); **warm** = cached answers at "
  "maximum throughput (dnsperf on the other CPU bounds the QPS of the fastest); **RSS** = VmRSS after the 500/s "
  "pass; **startup** = exec to the first NOERROR for a signed name (root DNSKEY, TLD and zone DS/DNSKEY fetched "
  "and validated through the upstream).\n")

w("## CPU and rate\n")
w("| forwarder | cold max ans/s | cold max us/ans | x best peer | @500/s us/ans | x best peer | @500/s p50 / p99 ms "
  "| warm QPS | warm us/ans | x best peer | RSS MiB | startup ms |")
w("|---|---|---|---|---|---|---|---|---|---|---|---|")
for p in fwds:
    rss = vals(p, "rss_cold", "kib")
    extra = vals(p, "rss_cold", "extra_kib")
    rss_s = f(st.median(rss) / 1024, 1) if rss else "-"
    if extra and max(extra) > 0:
        rss_s += f" + {st.median(extra) / 1024:.0f} in tmpfs"
    w(f"| {p} | {spread(p, 'coldmax', 'qps', 0)} | {spread(p, 'coldmax', 'srv_us_per_q')} | "
      f"{xr(best_peer_ratio(p, 'coldmax'))} | {spread(p, 'cold', 'srv_us_per_q')} | {xr(best_peer_ratio(p, 'cold'))} | "
      f"{f(med(p, 'cold', 'p50_ms'), 2)} / {f(med(p, 'cold', 'p99_ms'), 1)} | {spread(p, 'warm', 'qps', 0)} | "
      f"{spread(p, 'warm', 'srv_us_per_q')} | {xr(best_peer_ratio(p, 'warm'))} | {rss_s} | "
      f"{spread(p, 'startup', 'ms', 0)} |")
w("")

w("## Answers, validation and upstream traffic\n")
w("| forwarder | answers NOERROR / NX / SERVFAIL (lost) | AD % secure cold / warm | AD % insecure cold / warm "
  "| SERVFAIL in checks | rcode / AD differs from upstream | up/ans cold @500 | DS / DNSKEY per 1k ans | "
  "CD % / DO % of up q | auth q |")
w("|---|---|---|---|---|---|---|---|---|---|")
for p in fwds:
    cold = get(p, "cold") + get(p, "coldmax")
    noerr = sum(r.get("rc_noerror", 0) for r in cold)
    nx = sum(r.get("rc_nxdomain", 0) for r in cold)
    sf = sum(r.get("rc_servfail", 0) for r in cold)
    lost = sum(r.get("lost", 0) for r in cold)
    passes = len(cold)
    cc, cw = get(p, "check_cold"), get(p, "check_warm")

    def adp(rs, k):
        v = [r.get(k) for r in rs if r.get(k) is not None]
        return f(min(v), 2) if len(v) == 1 or (v and min(v) == max(v)) else (f"{f(min(v), 2)}-{f(max(v), 2)}" if v else "-")
    sfc = sum(r.get("servfail", 0) for r in cc + cw) + sum(r.get("timeout", 0) for r in cc + cw)
    diff = f"{sum(r.get('ref_rcode_diff', 0) for r in cc + cw)} / {sum(r.get('ref_ad_diff', 0) for r in cc + cw)}"
    c5 = get(p, "cold")
    ds = [1000.0 * r["fwd_up_ds"] / r["completed"] for r in c5 if r.get("completed")]
    dk = [1000.0 * r["fwd_up_dnskey"] / r["completed"] for r in c5 if r.get("completed")]
    cd = [100.0 * r["fwd_up_cd"] / r["fwd_up"] for r in c5 if r.get("fwd_up")]
    do = [100.0 * r["fwd_up_do"] / r["fwd_up"] for r in c5 if r.get("fwd_up")]
    auth = sum(r.get("auth_q") or 0 for r in get(p, "cold") + get(p, "coldmax") + get(p, "warm"))
    w(f"| {p} | {noerr:,} / {nx:,} / {sf:,} ({lost:,}) in {passes} passes | {adp(cc, 'secure_ad_pct')} / "
      f"{adp(cw, 'secure_ad_pct')} | {adp(cc, 'insecure_ad_pct')} / {adp(cw, 'insecure_ad_pct')} | {sfc} | {diff} | "
      f"{f(med(p, 'cold', 'fwd_up_per_q'), 3)} | {f(st.median(ds), 1) if ds else '-'} / "
      f"{f(st.median(dk), 1) if dk else '-'} | {f(st.median(cd), 0) if cd else '-'} / "
      f"{f(st.median(do), 0) if do else '-'} | {auth} |")
w("")

if "lanlord" in fwds and peers:
    w("## lanlord against each peer (median over the rounds of the per-round ratio lanlord / peer; < 1 = lanlord uses less)\n")
    w("| peer | cold max us/ans | @500/s us/ans | warm us/ans | up/ans | RSS |")
    w("|---|---|---|---|---|---|")
    for p in peers:
        w(f"| {p} | {xr(pair_ratio('lanlord', p, 'coldmax'))} | {xr(pair_ratio('lanlord', p, 'cold'))} | "
          f"{xr(pair_ratio('lanlord', p, 'warm'))} | {xr(pair_ratio('lanlord', p, 'cold', 'fwd_up_per_q'))} | "
          f"{xr(pair_ratio('lanlord', p, 'rss_cold', 'kib'))} |")
    w("")

w("## All passes\n")
w("| forwarder | round | pass | answered | QPS | us/ans | NOERROR / NX / SERVFAIL | lost | p50 / p99 ms | up q "
  "(DS / DNSKEY) | up cache misses | auth q | foreign % | steal % |")
w("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for r in recs:
    if r["test"] not in ("cold", "coldmax", "warm"):
        continue
    w(f"| {r['peer']} | {r.get('rep')} | {r['test']} | {f(r.get('completed'))} | {f(r.get('qps'))} | "
      f"{f(r.get('srv_us_per_q'), 1)} | {f(r.get('rc_noerror'))} / {f(r.get('rc_nxdomain'))} / "
      f"{f(r.get('rc_servfail', 0))} | {f(r.get('lost'))} | {f(r.get('p50_ms'), 2)} / {f(r.get('p99_ms'), 1)} | "
      f"{f(r.get('fwd_up'))} ({f(r.get('fwd_up_ds'))} / {f(r.get('fwd_up_dnskey'))}) | "
      f"{f(r.get('fwd_up_cachemiss'))} | {f(r.get('auth_q'))} | {f(r.get('foreign_pct'), 1)} | "
      f"{f(r.get('steal_pct'), 1)} |")
w("")

w("## Checks (every name once with DO+AD; compared with the generator's secure/insecure lists and with the upstream)\n")
any_fail = False
for p in fwds:
    for r in get(p, "check_cold") + get(p, "check_warm"):
        w(f"- **{p}** {r['test']} (round {r.get('rep')}): rcodes {r.get('rcodes')}; AD {r.get('secure_ad')}/"
          f"{r.get('secure_n')} secure, {r.get('insecure_ad')}/{r.get('insecure_n')} insecure; answers with RRSIGs "
          f"{r.get('rrsig_answers')}; {r.get('fail_n')} failed; {r.get('ref_rcode_diff')} rcodes and "
          f"{r.get('ref_ad_diff')} AD bits differ from the upstream")
        for line in r.get("fail", [])[:15]:
            any_fail = True
            w(f"    - {line}")
        if r.get("fail_n", 0) > 15:
            w(f"    - ... {r['fail_n'] - 15} more (the check's JSON in the run folder has every name)")
        for line in r.get("ref_diff", [])[:10]:
            w(f"    - differs from upstream: {line}")
w("")

errs = [r for r in recs if r["test"] in ("error", "skipped")]
if errs:
    w("## Errors\n")
    for r in errs:
        w(f"- {r['peer']} (round {r.get('rep', '-')}): {r['test']}: {r.get('msg')}")
    w("")

w("## What the forwarders logged (counted over all their starts)\n")
for p in fwds:
    fn = os.path.join(run_dir, p, "log-summary.txt")
    lines = [l.rstrip() for l in open(fn)] if os.path.exists(fn) else []
    lines = [re.sub(r"/\S*/(fwdbench|dnssec-forwarding-bench)\S*", "<run>", l) for l in lines]
    w(f"- **{p}**: {'nothing' if not lines else ''}")
    for l in lines[:15]:
        w(f"    - `{l.strip()[:300]}`")
w("")
print("\n".join(out))
