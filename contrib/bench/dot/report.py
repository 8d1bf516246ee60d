#!/usr/bin/python3
"""report.py RUN_DIR: the markdown report of a contrib/bench/dot.sh run, from RUN_DIR/results.jsonl and env.md."""
import json
import os
import statistics
import sys

FWDS = ["lanlord-dot", "lanlord-udp", "unbound-dot", "unbound-udp"]
TARGET_RATIO = 0.8
TARGET_QPH = 1000


def load(run_dir):
    recs = []
    with open(os.path.join(run_dir, "results.jsonl")) as f:
        for line in f:
            line = line.strip()
            if line:
                recs.append(json.loads(line))
    return recs


def med(vals):
    vals = [v for v in vals if isinstance(v, (int, float))]
    return statistics.median(vals) if vals else None


def fmt(v, f="%.1f"):
    return "-" if v is None else f % v


def values(vals, f="%.1f"):
    return " / ".join(fmt(v, f) for v in vals) if vals else "-"


def main():
    run_dir = sys.argv[1]
    recs = load(run_dir)
    env = open(os.path.join(run_dir, "env.md")).read() if os.path.exists(os.path.join(run_dir, "env.md")) else ""
    by = {}   # (fwd, test) -> {round: rec}
    for r in recs:
        by.setdefault((r.get("fwd"), r.get("test")), {})[r.get("round")] = r
    fwds = [f for f in FWDS if any(k[0] == f for k in by)]
    rounds = sorted({r.get("round") for r in recs if isinstance(r.get("round"), int)})

    def col(f, test, key):
        d = by.get((f, test), {})
        return [d[k].get(key) if k in d else None for k in rounds]

    def m(f, test, key):
        return med(col(f, test, key))

    def ratio_rounds(a, b, test, key):
        ra, rb = col(a, test, key), col(b, test, key)
        return [x / y if isinstance(x, (int, float)) and isinstance(y, (int, float)) and y else None
                for x, y in zip(ra, rb)]

    fixed = by.get((fwds[0], "fixed"), {}) if fwds else {}
    any_fixed = next(iter(fixed.values()), {}) if fixed else {}
    rate = round(any_fixed.get("sent", 0) / any_fixed.get("run_s", 1)) if any_fixed.get("run_s") else None

    out = []
    p = out.append
    p("# Misses forwarded over DNS over TLS: lanlord vs unbound")
    p("")
    p("Every query a new name (a cache miss), forwarded by one single-threaded forwarder (CPU 1) to one unbound "
      "upstream (CPU 0, with dnsperf) that answers every name from local data, over TLS (port 853) or plain UDP. "
      "CPU = the forwarder process's on-CPU time (schedstat of all its threads) per answered query. "
      "Medians over %d round(s); every value in the tables below." % len(rounds))
    p("")
    p("| forwarder | transport | CPU us/miss @ fixed rate | CPU us/miss @ max | max misses/s (forwarder's CPU use) "
      "| latency @ fixed rate: avg / p50 / p99 ms | latency @ max: avg ms | lost @ fixed / max | queries per handshake |")
    p("|---|---|---|---|---|---|---|---|---|")
    for f in fwds:
        name, tr = f.split("-")
        if tr == "dot":
            ll = m(f, "life", "ll_total_q_per_handshake")
            up = m(f, "life", "up_q_per_conn")
            if name == "lanlord":
                qph = "%s (lanlord) / %s (upstream)" % (fmt(ll, "%.0f"), fmt(up, "%.0f"))
            else:
                qph = "%s (upstream)" % fmt(up, "%.0f")
        else:
            qph = "-"
        lost_f = m(f, "fixed", "lost_pct")
        lost_m = m(f, "max", "lost_pct")
        p("| %s | %s | %s | %s | %s (%s %%) | %s / %s / %s | %s | %s %% / %s %% | %s |" % (
            name, "DoT" if tr == "dot" else "UDP", fmt(m(f, "fixed", "us_per_miss")), fmt(m(f, "max", "us_per_miss")),
            fmt(m(f, "max", "qps"), "%.0f"), fmt(m(f, "max", "fwd_util_pct"), "%.0f"),
            fmt(m(f, "fixed", "lat_avg_ms"), "%.3f"), fmt(m(f, "fixed", "lat_p50_ms"), "%.3f"),
            fmt(m(f, "fixed", "lat_p99_ms"), "%.3f"), fmt(m(f, "max", "lat_avg_ms"), "%.3f"),
            fmt(lost_f, "%.2f"), fmt(lost_m, "%.2f"), qph))
    p("")
    if rate:
        p("Fixed rate: %d q/s. \"queries per handshake\": lanlord's own count (tls.queries / tls.handshakes of "
          "`lanlordctl status` at the end of the forwarder's life: startup probe + both passes) and the upstream's "
          "view (num.query.tls / TCP connections the namespace accepted over the same span; every TLS connection "
          "is one handshake, full or resumed)." % rate)
        p("")

    # ---- ratios
    p("## Ratios")
    p("")
    pairs = [("lanlord-dot", "unbound-dot", "lanlord DoT / unbound DoT (target <= %.1f)" % TARGET_RATIO),
             ("lanlord-dot", "lanlord-udp", "lanlord DoT / lanlord UDP"),
             ("unbound-dot", "unbound-udp", "unbound DoT / unbound UDP"),
             ("lanlord-udp", "unbound-udp", "lanlord UDP / unbound UDP")]
    p("| CPU per miss | @ fixed rate: median of per-round ratios (each round) | @ max: median (each round) "
      "| max misses/s ratio (each round) |")
    p("|---|---|---|---|")
    verdict = []
    for a, b, label in pairs:
        if a not in fwds or b not in fwds:
            continue
        rf = ratio_rounds(a, b, "fixed", "us_per_miss")
        rm = ratio_rounds(a, b, "max", "us_per_miss")
        rq = ratio_rounds(a, b, "max", "qps")
        p("| %s | %s (%s) | %s (%s) | %s (%s) |" % (label, fmt(med(rf), "%.2f"), values(rf, "%.2f"),
                                                  fmt(med(rm), "%.2f"), values(rm, "%.2f"),
                                                  fmt(med(rq), "%.2f"), values(rq, "%.2f")))
        if a == "lanlord-dot" and b == "unbound-dot":
            for what, v in (("at the fixed rate", med(rf)), ("at the maximum rate", med(rm))):
                if v is not None:
                    verdict.append("- CPU per miss, lanlord DoT / unbound DoT %s: **%.2f** -> target <= %.1f %s"
                                   % (what, v, TARGET_RATIO, "**met**" if v <= TARGET_RATIO else "**MISSED**"))
        if a == "lanlord-dot" and b == "lanlord-udp":
            df = [x - y if isinstance(x, (int, float)) and isinstance(y, (int, float)) else None
                  for x, y in zip(col(a, "fixed", "us_per_miss"), col(b, "fixed", "us_per_miss"))]
            dm = [x - y if isinstance(x, (int, float)) and isinstance(y, (int, float)) else None
                  for x, y in zip(col(a, "max", "us_per_miss"), col(b, "max", "us_per_miss"))]
            verdict.append("- lanlord: TLS adds %s us per miss at the fixed rate (%s) and %s us at the maximum rate (%s)"
                           % (fmt(med(df)), values(df), fmt(med(dm)), values(dm)))
    if "lanlord-dot" in fwds:
        qph = col("lanlord-dot", "life", "ll_total_q_per_handshake")
        v = med(qph)
        if v is not None:
            verdict.append("- queries per TLS handshake, lanlord (its own count over each life): **%.0f** (%s) -> "
                           "target >= %d %s" % (v, values(qph, "%.0f"), TARGET_QPH,
                                               "**met**" if v >= TARGET_QPH else "**MISSED**"))
    p("")
    p("\n".join(verdict))
    p("")

    # ---- TLS really used
    p("## What reached the upstream (per pass)")
    p("")
    p("answered = dnsperf's completed queries; upstream q / over TLS / on resumed TLS sessions = deltas of the "
      "upstream's total.num.queries, num.query.tls and num.query.tls.resume (unbound counts in num.query.tls.resume "
      "every *query* that arrives on a connection whose TLS session was resumed, not handshakes); TCP accepted = "
      "the namespace's Tcp PassiveOpens (only the upstream accepts TCP here). lanlord TLS = the deltas of its "
      "status counters (handshakes, resumed, connections opened, queries).")
    p("")
    p("| forwarder | round | pass | answered | upstream q | over TLS | on resumed | TCP accepted | lanlord TLS: "
      "handshakes / resumed / conns opened / queries |")
    p("|---|---|---|---|---|---|---|---|---|")
    for f in fwds:
        for rd in rounds:
            for test in ("fixed", "max", "life"):
                r = by.get((f, test), {}).get(rd)
                if not r:
                    continue
                ll = "-"
                if "ll_tls_queries" in r:
                    ll = "%s / %s / %s / %s" % tuple(fmt(r.get(k), "%d") for k in (
                        "ll_tls_handshakes", "ll_tls_resumed", "ll_tls_connections_opened", "ll_tls_queries"))
                p("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                    f, rd, test if test != "life" else "whole life", fmt(r.get("completed"), "%d"),
                    fmt(r.get("up_queries"), "%d"), fmt(r.get("up_tls"), "%d"), fmt(r.get("up_tls_resume"), "%d"),
                    fmt(r.get("tcp_accepted"), "%d"), ll))
    p("")

    # ---- all values
    p("## Every pass")
    p("")
    p("fwd CPU = the forwarder's on-CPU seconds over the pass (schedstat; utime+stime in ticks in brackets); "
      "use = that / wall time (CPU 1); CPU 0 = the upstream's use + dnsperf's use (the two share CPU 0: near "
      "100 %, the load generator side was the limit); others = the CPU used by every other process of the box "
      "over the pass, in % of one core (noise); up us/q = the upstream's CPU per answered query.")
    p("")
    p("| forwarder | round | pass | sent | answered | lost % | q/s | fwd CPU s | us/miss | use % | CPU 0: up + dnsperf % "
      "| others % | up us/q | lat avg / p50 / p99 / max ms |")
    p("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for rd in rounds:
        for f in fwds:
            for test in ("fixed", "max"):
                r = by.get((f, test), {}).get(rd)
                if not r:
                    continue
                p("| %s | %s | %s | %s | %s | %s | %s | %s (%s) | %s | %s | %s | %s | %s | %s / %s / %s / %s |" % (
                    f, rd, test, fmt(r.get("sent"), "%d"), fmt(r.get("completed"), "%d"), fmt(r.get("lost_pct"), "%.2f"),
                    fmt(r.get("qps"), "%.0f"), fmt(r.get("fwd_cpu_s"), "%.3f"), fmt(r.get("fwd_ticks_s"), "%.2f"),
                    fmt(r.get("us_per_miss")), fmt(r.get("fwd_util_pct"), "%.0f"),
                    "%s + %s" % (fmt(r.get("up_util_pct"), "%.0f"), fmt(r.get("dnsperf_util_pct"), "%.0f")),
                    fmt(r.get("others_cpu_pct"), "%.1f"), fmt(r.get("up_us_per_q")), fmt(r.get("lat_avg_ms"), "%.3f"),
                    fmt(r.get("lat_p50_ms"), "%.3f"), fmt(r.get("lat_p99_ms"), "%.3f"), fmt(r.get("lat_max_ms"), "%.1f")))
    short = [(f, t, rd) for (f, t), d in by.items() for rd, r in d.items()
             if t in ("fixed", "max") and r.get("names") and r.get("sent", 0) >= r["names"]]
    if short:
        p("")
        p("**Ran out of names** (every prepared name was sent before the time limit; raise MAX_NAMES): "
          + ", ".join("%s %s r%s" % x for x in sorted(short)))
    missing = [(f, t, rd) for f in fwds for t in ("fixed", "max") for rd in rounds if rd not in by.get((f, t), {})]
    if missing:
        p("")
        p("Missing passes (the forwarder failed; see run.log): " + ", ".join("%s %s r%s" % x for x in missing))
    p("")
    p(env.strip())
    print("\n".join(out))


if __name__ == "__main__":
    main()
