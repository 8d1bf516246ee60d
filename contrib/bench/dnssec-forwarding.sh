#!/bin/bash
# DNSSEC validation in FORWARDING mode: lanlord ([dnssec] validate_forwarded = true) side by side with dnsmasq
# --dnssec, unbound as a validating forwarder and Knot Resolver (policy.FORWARD), all behind one validating
# upstream, on the signed fake Internet of the shared recursion harness.
#
#   contrib/bench/dnssec-forwarding.sh                     # all four forwarders, full size, 3 rounds (~7.5 min here)
#   SCALE=0.2 contrib/bench/dnssec-forwarding.sh           # quick look (~2.5 min): 200 zones, 2,000 + 100 names
#   contrib/bench/dnssec-forwarding.sh lanlord unbound     # a subset
#   LANLORD_BIN=/path/to/lanlord ROUNDS=5 contrib/bench/dnssec-forwarding.sh
#
# Needs root (a network namespace), 2 CPUs, Debian 12's dnsperf nsd ldnsutils unbound (with unbound-control)
# and, as peers, dnsmasq-base (or dnsmasq) and knot-resolver; a forwarder whose daemon is missing is skipped.
# `$SHARED/bench/recursion/install.sh dnsmasq-base` installs packages without starting their services.
#
# Reuses, from ${SHARED:-/work/shared}/bench/recursion (read-only, nothing copied): lib/gentopo.py (the fake
# Internet: a root, 20 TLDs, 1,000 second-level zones, 10,000 + 500 query names), lib/signtopo.py (signs it at
# run time: root NSEC, TLDs NSEC3 opt-out, half of the SLDs NSEC, ECDSA P-256; gives the root's DS as the trust
# anchor), lib/authfarm.py (22 NSDs on 60 TEST-NET addresses), lib/measure.py (a dnsperf pass: rcodes, latency,
# the server's CPU from schedstat, foreign/steal CPU, NSD statistics), lib/dnsq.py (startup probe, the query
# engine of the checks), lib/rss.py, lib/common.sh (log, kill_pid, bg_run). The helpers of this benchmark are in
# contrib/bench/dnssec-forwarding/: forwarders.sh (the four configurations), fwdq.py (warming and the per-name
# checks), fwdmeasure.py (measure.py plus the upstream's counters), report.py.
#
# Design
# - Network: a namespace fwdbench-<pid> of our own, addresses on its loopback only (no route out): the fake
#   Internet on 198.51.100.0/24 and 203.0.113.0/24 as in the shared harness, the upstream on 198.51.100.70, the
#   forwarders on 198.51.100.71 (lanlord), .72 (dnsmasq), .73 (unbound), .74 (kresd), port 53; the clients
#   (dnsperf, checks) send from 198.51.100.99. Record data uses 192.0.2.0/24, 198.18.0.0/15, 2001:db8::/32.
# - Upstream: one unbound, a recursive resolver from the fake root hints, validating with the fake trust
#   anchor ("validator iterator"), 1 thread, large caches, extended statistics, remote control on a UNIX socket.
#   It gives DNSSEC records to clients that set DO (its default). Warmed before any forwarder runs
#   (fwdq.py warm): every query name (and the startup probe) with DO, then with DO+CD; DNSKEY of every signed
#   zone and DS of every zone, and DS of every name between a queried name and its zone, with DO and DO+CD.
#   The TTLs (1 h - 1 d) outlast the run, so during the measurements the upstream answers from its cache and
#   the CPU measured is the forwarder's; every pass records the queries the NSDs received ("auth q", should be
#   0) and the upstream's cache misses to show it.
# - Reference: the same per-name check against the upstream itself (DO+AD, no CD): what a validating resolver
#   says for each name (rcode, AD); the forwarders' answers are compared with it and with the generator's
#   secure/insecure lists.
# - Forwarders (contrib/bench/dnssec-forwarding/forwarders.sh): each forwards everything to the upstream and
#   validates with the fake root's DS as its only trust anchor; one thread/process; defaults otherwise. lanlord
#   runs from a private copy of $LANLORD_BIN made at start (the build tree may be rebuilt meanwhile).
# - Rounds (ROUNDS, default 3): in each round every forwarder in turn (the order rotated by one each round), so
#   that the box's swings in load fall on all of them:
#     A. fresh start (startup = exec -> first NOERROR for the probe name, a signed name: the forwarder has to
#        fetch and validate the root's DNSKEY, the TLD's and the probe zone's DS/DNSKEY through the upstream);
#        RSS; **cold @COLD_QPS**: one pass over the ~10,500 names at a fixed rate (dnsperf -Q 500 -q 200, plain
#        queries without EDNS, as a simple stub sends; every answer needs a validation: a secure chain, an
#        insecure proof for the unsigned delegations (NSEC3 opt-out), or a denial); RSS after it; **warm**:
#        WARM_SECS s at maximum throughput over the same names (cached answers); in round 1 (CHECK_ROUNDS) the
#        **warm check**: every name with DO+AD (fwdq.py check).
#     B. round 1 (CHECK_ROUNDS): fresh start, the **cold check**: every name once with DO+AD on an empty cache
#        (the validation path itself, per name: rcode, AD, EDE).
#     C. fresh start, **cold max**: one pass at the maximum rate with MAX_OUTSTANDING queries outstanding
#        (dnsperf -q 10, no -Q): validated answers per second and CPU per answer, the steadiest CPU figure.
#   Per pass: CPU (user+sys, schedstat ns of every thread of the forwarder's process tree) per answered query,
#   answered / lost / rcodes, latency p50/p99, the queries the forwarder sent upstream (the upstream's
#   total.num.queries before/after; DS, DNSKEY, DO, CD among them), NSD queries, foreign and steal CPU.
# - Pinning: the forwarder on CPU 1; dnsperf, the checks, the upstream and the NSDs on CPU 0 (PINNING=no: none).
#   The upstream answering from its cache costs a fraction of what validation costs the forwarder.
# - Output: $RESULTS_ROOT/<timestamp>/ (default ~/.cache/dnssec-forwarding-bench/): report.md (printed),
#   results.jsonl, env.md, run.log, ref.json (the upstream's answers), per forwarder and start its config, log,
#   dnsperf outputs and check JSONs. report.py RUN_DIR rebuilds the report.
# - Cleanup: on exit, error or signal, every process started (forwarder, upstream, NSD farm) is stopped by its
#   PID, whatever is left in the namespace is killed by PID, the namespace, scratch and tmpfs folders removed.
#   A namespace left by a run killed with SIGKILL is removed by the next run.
#
# Tunables (environment): SCALE (1; 0.2 = quick look), N_ZONES N_NAMES N_NX SEED, ROUNDS 3, COLD_QPS 500,
# COLD_OUTSTANDING 200, COLD_TIMEOUT 5, MAX_OUTSTANDING 10, WARM_SECS 5 (3 when SCALE < 0.5), WARM_CLIENTS 8,
# WARM_OUTSTANDING 100, CHECK_ROUNDS 1 (the checks in the first N rounds, "all" or "none"), CACHE_SIZE 100000,
# PINNING yes, SERVER_CPUS 1,
# CLIENT_CPUS 0, STARTUP_TIMEOUT 30, LANLORD_BIN (default: build/daemon/lanlord of this repository), SHARED,
# RESULTS_ROOT, KEEP_WORK 1 (keep the scratch folder).
set -u -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HELPERS=$HERE/dnssec-forwarding
REPO=$(cd "$HERE/../.." && pwd)
SHARED=${SHARED:-/work/shared}
export SHARED
RB=$SHARED/bench/recursion
PY=/usr/bin/python3
export PYTHONDONTWRITEBYTECODE=1
[ -f "$RB/lib/common.sh" ] || { echo "no shared recursion harness at $RB (set SHARED)" >&2; exit 1; }
source "$RB/lib/common.sh"
source "$HELPERS/forwarders.sh"

# ---------------------------------------------------------------- tunables
SCALE=${SCALE:-1}
N_ZONES=${N_ZONES:-$(awk -v s="$SCALE" 'BEGIN{printf "%d", 1000 * s}')}
N_NAMES=${N_NAMES:-$(awk -v s="$SCALE" 'BEGIN{printf "%d", 10000 * s}')}
N_NX=${N_NX:-$(awk -v s="$SCALE" 'BEGIN{printf "%d", 500 * s}')}
SEED=${SEED:-20261202}
ROUNDS=${ROUNDS:-3}
COLD_QPS=${COLD_QPS:-500}
COLD_OUTSTANDING=${COLD_OUTSTANDING:-200}
COLD_TIMEOUT=${COLD_TIMEOUT:-5}
MAX_OUTSTANDING=${MAX_OUTSTANDING:-10}
WARM_SECS=${WARM_SECS:-$(awk -v s="$SCALE" 'BEGIN{print (s < 0.5) ? 3 : 5}')}   # 3 s in the quick look
WARM_CLIENTS=${WARM_CLIENTS:-8}
WARM_OUTSTANDING=${WARM_OUTSTANDING:-100}
CHECK_ROUNDS=${CHECK_ROUNDS:-1}
CACHE_SIZE=${CACHE_SIZE:-100000}
PINNING=${PINNING:-yes}
SERVER_CPUS=${SERVER_CPUS:-1}
CLIENT_CPUS=${CLIENT_CPUS:-0}
STARTUP_TIMEOUT=${STARTUP_TIMEOUT:-30}
KEEP_WORK=${KEEP_WORK:-0}
LANLORD_BIN=${LANLORD_BIN:-$REPO/build/daemon/lanlord}
UPSTREAM_ADDR=198.51.100.70
CLIENT_ADDR=198.51.100.99
CLIENT_NET=198.51.100.0/24
ALL_FORWARDERS="lanlord dnsmasq unbound kresd"
declare -A ADDR_OF=([lanlord]=198.51.100.71 [dnsmasq]=198.51.100.72 [unbound]=198.51.100.73 [kresd]=198.51.100.74)

FORWARDERS=${*:-$ALL_FORWARDERS}
for f in $FORWARDERS; do [ -n "${ADDR_OF[$f]:-}" ] || die "unknown forwarder '$f' (known: $ALL_FORWARDERS)"; done

# ---------------------------------------------------------------- checks
[ "$(id -u)" = 0 ] || die "needs root (network namespace)"
for t in dnsperf taskset ip nsd unbound unbound-control ldns-keygen ldns-signzone ldns-key2ds; do
    command -v $t >/dev/null || die "missing tool: $t (apt-get install dnsperf nsd ldnsutils unbound iproute2)"
done
if [ "$PINNING" = yes ]; then SERVER_PIN=(taskset -c "$SERVER_CPUS"); CLIENT_PIN=(taskset -c "$CLIENT_CPUS")
else SERVER_PIN=(); CLIENT_PIN=(); fi

RUN_DIR=${RESULTS_ROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/dnssec-forwarding-bench}/$(date +%Y%m%d-%H%M%S)
mkdir -p "$RUN_DIR" || die "cannot create $RUN_DIR"
RESULTS=$RUN_DIR/results.jsonl
: >"$RESULTS"
exec 3>&2 2> >(trap "" INT; exec tee -a "$RUN_DIR/run.log" >&3)

# ---------------------------------------------------------------- namespace, scratch, cleanup
NETNS=fwdbench-$$
TMP_BASE=${TMPDIR:-/tmp}
WORK= SHM_DIR= PEER_PID= FWD= UP_PID= FARM_PID= KRESD_CACHE_DIR=

stop_fwd() {
    [ -n "${PEER_PID:-}" ] && kill_pid "$PEER_PID"
    PEER_PID=
    [ -n "$FWD" ] && declare -F "${FWD}_stop" >/dev/null && "${FWD}_stop"
    return 0
}
cleanup() {
    trap '' INT TERM HUP
    stop_fwd
    [ -n "${UP_PID:-}" ] && { kill_pid "$UP_PID"; UP_PID=; }
    [ -n "${FARM_PID:-}" ] && { kill_pid "$FARM_PID"; FARM_PID=; }
    if ip netns list 2>/dev/null | grep -qw "^$NETNS"; then
        local i left p
        for i in $(seq 30); do left=$(ip netns pids "$NETNS" 2>/dev/null); [ -z "$left" ] && break; sleep 0.1; done
        for p in $left; do log "killing leftover pid $p in $NETNS"; kill -KILL "$p" 2>/dev/null; done
        ip netns del "$NETNS" 2>/dev/null
    fi
    [ -n "$SHM_DIR" ] && rm -rf "$SHM_DIR"
    if [ -n "$WORK" ]; then
        if [ "$KEEP_WORK" = 1 ]; then log "scratch kept: $WORK"; else rm -rf "$WORK"; fi
    fi
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM HUP

# namespaces of runs killed with SIGKILL (their script gone): the processes in them by PID, then the namespace
for n in $(ip netns list 2>/dev/null | awk '$1 ~ /^fwdbench-[0-9]+$/ {print $1}'); do
    pid=${n#fwdbench-}
    [ -d "/proc/$pid" ] && grep -q 'dnssec-forwarding' "/proc/$pid/cmdline" 2>/dev/null && continue
    log "removing stale namespace $n"
    for p in $(ip netns pids "$n" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
    ip netns del "$n" 2>/dev/null
    rm -rf "$TMP_BASE"/fwdbench-"$pid".?????? /dev/shm/fwdbench-"$pid".??????
done

WORK=$(mktemp -d "$TMP_BASE/fwdbench-$$.XXXXXX") || die "mktemp failed"
if [ -d /dev/shm ] && [ -w /dev/shm ]; then SHM_DIR=$(mktemp -d /dev/shm/fwdbench-$$.XXXXXX); else SHM_DIR=$WORK/shm; mkdir -p "$SHM_DIR"; fi
GEN=$WORK/gen

record() { # record PEER TEST key=value... (numbers unquoted)
    local peer=$1 test=$2 kv k v out
    shift 2
    out="{\"peer\":\"$peer\",\"mode\":\"fwd\",\"test\":\"$test\",\"ts\":\"$(date +%H:%M:%S)\""
    for kv in "$@"; do
        k=${kv%%=*}; v=${kv#*=}
        if [[ $v =~ ^-?[0-9]+(\.[0-9]+)?$ ]]; then out="$out,\"$k\":$v"; else out="$out,\"$k\":\"${v//\"/\'}\""; fi
    done
    echo "$out}" >>"$RESULTS"
}
check_line() { # JSON of fwdq.py check -> one line
    "$PY" -c 'import json, sys
d = json.loads(sys.argv[1])
print("rcodes %s, AD on %s %% of %d secure and %s %% of %d insecure names, %d failed, %d rcodes / %d AD bits differ from the upstream"
      % (d["rcodes"], d["secure_ad_pct"], d["secure_n"], d["insecure_ad_pct"], d["insecure_n"], d["fail_n"], d["ref_rcode_diff"], d["ref_ad_diff"]))' "$1"
}
record_json() { # PEER TEST ROUND JSON: a JSON object from a helper, with peer/test/rep added
    "$PY" -c 'import json, sys, time
d = json.loads(sys.argv[4]); d.update(peer=sys.argv[1], mode="fwd", test=sys.argv[2], rep=int(sys.argv[3]), ts=time.strftime("%H:%M:%S"))
open(sys.argv[5], "a").write(json.dumps(d) + "\n")' "$1" "$2" "$3" "$4" "$RESULTS"
}

# ---------------------------------------------------------------- lanlord: a private copy of the binary
LANLORD_RUN_BIN=
case " $FORWARDERS " in *" lanlord "*)
    if [ -x "$LANLORD_BIN" ]; then
        mkdir -p "$WORK/bin" && cp "$LANLORD_BIN" "$WORK/bin/lanlord" && LANLORD_RUN_BIN=$WORK/bin/lanlord
        LANLORD_SHA=$(sha256sum "$LANLORD_RUN_BIN" | cut -c1-16)
    else
        log "WARNING: no lanlord binary at $LANLORD_BIN: lanlord skipped"
    fi ;;
esac

# ---------------------------------------------------------------- the fake Internet
log "run dir: $RUN_DIR; forwarders: $FORWARDERS"
log "generating the topology (seed $SEED, $N_ZONES zones, $N_NAMES names, $N_NX nonexistent)"
"$PY" "$RB/lib/gentopo.py" "$GEN" --seed "$SEED" --zones "$N_ZONES" --names "$N_NAMES" --nx "$N_NX" >&2 || die "gentopo failed"
TOPO=$GEN/topology.json
ROOT_HINTS=$GEN/root.hints
PROBE_NAME=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["probe"]["name"])' "$TOPO")
N_QUERIES=$(grep -c . "$GEN/queries.txt")
cp "$GEN/summary.txt" "$RUN_DIR/topology.txt"
AUTH_ADDRS=$("$PY" -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["addresses"]))' "$TOPO")
for a in $UPSTREAM_ADDR $CLIENT_ADDR "${ADDR_OF[@]}"; do
    case " $AUTH_ADDRS " in *" $a "*) die "address $a is taken by the fake Internet" ;; esac
done

log "signing the zones (ldnsutils)"
t0=$(date +%s.%N)
out=$("$PY" "$RB/lib/signtopo.py" "$GEN" "$WORK/signed" 2>&1) || die "signing failed: $out"
log "  $out"
record all signing "secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b - a}')" "msg=$out"
TRUST_ANCHOR=$WORK/signed/root-ta.ds
TRUST_ANCHOR_DNSKEY=$WORK/signed/root-ta.key
cp "$TRUST_ANCHOR" "$TRUST_ANCHOR_DNSKEY" "$RUN_DIR/"

ip netns add "$NETNS" || die "cannot create network namespace $NETNS"
ip -n "$NETNS" link set lo up
for a in $AUTH_ADDRS $UPSTREAM_ADDR $CLIENT_ADDR "${ADDR_OF[@]}"; do
    ip -n "$NETNS" addr add "$a/32" dev lo || die "cannot add $a in $NETNS"
done

FARM_DIR=$WORK/auth
mkdir -p "$FARM_DIR"
ip netns exec "$NETNS" "${CLIENT_PIN[@]}" "$PY" "$RB/lib/authfarm.py" "$TOPO" "$WORK/signed/zones" "$FARM_DIR" \
    "$FARM_DIR/ready" >"$FARM_DIR/farm.log" 2>&1 </dev/null &
FARM_PID=$!
for i in $(seq 1800); do
    [ -s "$FARM_DIR/ready" ] && break
    kill -0 "$FARM_PID" 2>/dev/null || break
    sleep 0.1
done
grep -q '^ok' "$FARM_DIR/ready" 2>/dev/null || die "authoritative servers failed: $(cat "$FARM_DIR/ready" 2>/dev/null) $(tail -3 "$FARM_DIR/farm.log")"
log "authoritative servers: $(cut -d' ' -f2- "$FARM_DIR/ready")"

# ---------------------------------------------------------------- the upstream
UP_DIR=$RUN_DIR/upstream
mkdir -p "$UP_DIR"
UP_CONF=$UP_DIR/unbound.conf
cat >"$UP_CONF" <<EOC
server:
    verbosity: 1
    interface: $UPSTREAM_ADDR
    port: 53
    do-ip4: yes
    do-ip6: no
    num-threads: 1
    username: ""
    chroot: ""
    directory: "$UP_DIR"
    pidfile: "$UP_DIR/unbound.pid"
    logfile: "$UP_DIR/unbound.log"
    use-syslog: no
    do-daemonize: no
    access-control: 0.0.0.0/0 allow
    root-hints: "$ROOT_HINTS"
    module-config: "validator iterator"
    trust-anchor-file: "$TRUST_ANCHOR"
    val-log-level: 2
    msg-cache-size: 128m
    rrset-cache-size: 256m
    key-cache-size: 32m
    neg-cache-size: 16m
    num-queries-per-thread: 4096
    extended-statistics: yes
    statistics-interval: 0
    statistics-cumulative: yes
remote-control:
    control-enable: yes
    control-interface: "$WORK/upstream-ctl.sock"
    control-use-cert: no
EOC
PIN=(ip netns exec "$NETNS" "${CLIENT_PIN[@]}")
bg_run "$UP_DIR/stdout.log" /usr/sbin/unbound -d -c "$UP_CONF"
UP_PID=$BG_PID
for i in $(seq 100); do
    unbound-control -c "$UP_CONF" status >/dev/null 2>&1 && break
    kill -0 "$UP_PID" 2>/dev/null || break
    sleep 0.1
done
unbound-control -c "$UP_CONF" status >/dev/null 2>&1 || die "the upstream unbound did not start: $(tail -3 "$UP_DIR/unbound.log")"
log "upstream: unbound pid $UP_PID on $UPSTREAM_ADDR; warming it"
t0=$(date +%s.%N)
out=$(ip netns exec "$NETNS" "${CLIENT_PIN[@]}" "$PY" "$HELPERS/fwdq.py" warm "$UPSTREAM_ADDR" 53 "$GEN" "$CLIENT_ADDR") ||
    die "warming the upstream failed"
WARM_S=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b - a}')
log "  warmed in $WARM_S s: $out"
record_json upstream warmup 0 "$out"
out=$(ip netns exec "$NETNS" "${CLIENT_PIN[@]}" "$PY" "$HELPERS/fwdq.py" check "$UPSTREAM_ADDR" 53 "$GEN" "$CLIENT_ADDR" \
    "$RUN_DIR/ref.json") || die "the reference check against the upstream failed"
record_json upstream check_ref 0 "$out"
log "  reference (the upstream's own answers, DO+AD): $(check_line "$out")"
unbound-control -c "$UP_CONF" stats_noreset >"$UP_DIR/stats-after-warming.txt" 2>&1

# ---------------------------------------------------------------- environment record
{
    echo "# Environment"
    echo
    echo "- date: $(date -Is)"
    echo "- host: $(uname -sr), $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
    echo "- debian: $(cat /etc/debian_version 2>/dev/null)"
    echo "- dnsperf: $(dnsperf -h 2>&1 | grep -m1 '^Version'); NSD: $(nsd -v 2>&1 | head -1 | sed 's/NSD version //'); ldns: $(ldns-signzone -v 2>/dev/null | sed -n 's/.*ldns version \([0-9.]*\).*/\1/p')"
    echo "- fake Internet (shared recursion harness, seed $SEED): $(sed -n 's/^zones: //p' "$GEN/summary.txt") zones, signed: $(sed -n 's/^signed_in_signed_mode: //p' "$GEN/summary.txt"); queries: $N_QUERIES ($(sed -n 's/^query_types: //p' "$GEN/summary.txt")), expected $(sed -n 's/^expected_rcodes: //p' "$GEN/summary.txt"), $(sed -n 's/^secure_queries: //p' "$GEN/summary.txt") secure / $(sed -n 's/^insecure_queries: //p' "$GEN/summary.txt") insecure"
    echo "- upstream: unbound $(unbound -V | head -1 | sed "s/^Version //"), recursive from the fake root, validating, 1 thread, on CPU $CLIENT_CPUS; warmed in $WARM_S s before the forwarders ran"
    echo "- rounds: $ROUNDS (forwarders in turn, order rotated each round); per round and forwarder: fresh start -> cold pass at $COLD_QPS q/s (dnsperf -n 1 -c 4 -Q $COLD_QPS -q $COLD_OUTSTANDING -t $COLD_TIMEOUT) -> warm ${WARM_SECS} s (-c $WARM_CLIENTS -q $WARM_OUTSTANDING); fresh start -> cold pass at the maximum rate (-q $MAX_OUTSTANDING); checks (DO+AD per name) in round(s): $CHECK_ROUNDS"
    echo "- pinning: $( [ "$PINNING" = yes ] && echo "forwarder on CPU $SERVER_CPUS; dnsperf, checks, upstream and NSDs on CPU $CLIENT_CPUS" || echo none); CACHE_SIZE=$CACHE_SIZE"
    echo "- uptime at start: $(uptime)"
    echo
    echo "# Forwarders"
    echo
    for f in $FORWARDERS; do
        if "${f}_available"; then echo "- **$f** ($(${f}_version 2>&1 | head -1)$( [ "$f" = lanlord ] && echo ", binary sha256 ${LANLORD_SHA}..., copied at start from $LANLORD_BIN; the source tree then: $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null) with $(git -C "$REPO" status --porcelain --untracked-files=no 2>/dev/null | wc -l) modified tracked files")): $(${f}_desc)"
        else echo "- **$f**: not installed"; fi
    done
} >"$RUN_DIR/env.md"
cat "$RUN_DIR/env.md" >&2

# ---------------------------------------------------------------- building blocks
# start_fwd NAME DIR: fresh start; sets PEER_PID and STARTUP_MS (exec -> first NOERROR for the probe name)
start_fwd() {
    FWD=$1 PEER_DIR=$2 FWD_ADDR=${ADDR_OF[$1]}
    rm -rf "$PEER_DIR"; mkdir -p "$PEER_DIR"
    local PIN=(ip netns exec "$NETNS" "${SERVER_PIN[@]}") line t_ans t0 probe_fd probe_pid
    coproc PROBE { exec ip netns exec "$NETNS" "${CLIENT_PIN[@]}" "$PY" "$RB/lib/dnsq.py" startup \
        "$FWD_ADDR" 53 "$PROBE_NAME" "$STARTUP_TIMEOUT" "$CLIENT_ADDR"; }
    probe_pid=$PROBE_PID
    exec {probe_fd}<&"${PROBE[0]}"
    read -r line <&$probe_fd
    t0=${EPOCHREALTIME/./}
    "${FWD}_start"
    read -r t_ans <&$probe_fd || t_ans=
    exec {probe_fd}<&-
    wait "$probe_pid" 2>/dev/null
    if [ -z "$t_ans" ] || ! kill -0 "$PEER_PID" 2>/dev/null; then
        log "ERROR: $FWD did not answer $PROBE_NAME with NOERROR within $STARTUP_TIMEOUT s (see $PEER_DIR)"
        tail -5 "$PEER_DIR"/*.log >&2 2>/dev/null
        STARTUP_MS=
        return 1
    fi
    STARTUP_MS=$(( (t_ans / 1000 - t0) / 10 ))
    STARTUP_MS="$(( STARTUP_MS / 100 )).$(printf '%02d' $(( STARTUP_MS % 100 )))"
}

start_and_record() { # NAME DIR ROUND START
    if ! start_fwd "$1" "$2"; then
        record "$1" error "rep=$3" "msg=no NOERROR answer to the startup probe within ${STARTUP_TIMEOUT}s (start $4)"
        stop_fwd
        return 1
    fi
    record "$1" startup "rep=$3" "ms=$STARTUP_MS" "start=$4"
    log "  $1 start $4: first answer after ${STARTUP_MS} ms"
}

alive() { # WHAT: false (and an error record) if the forwarder died
    if [ -n "$PEER_PID" ] && [ -d "/proc/$PEER_PID" ] && [ "$(sed 's/.*) //' "/proc/$PEER_PID/stat" | cut -d' ' -f1)" != Z ]; then
        return 0
    fi
    log "ERROR: $FWD exited during $1 (see $PEER_DIR)"
    tail -5 "$PEER_DIR"/*.log >&2 2>/dev/null
    record "$FWD" error "rep=$ROUND" "msg=exited during $1"
    stop_fwd
    return 1
}

# fwd_pass TEST [--latency] -- dnsperf-args...: one dnsperf pass against the current forwarder
fwd_pass() {
    local test=$1 lat=
    shift
    [ "$1" = "--latency" ] && { lat=--latency; shift; }
    [ "$1" = "--" ] && shift
    ip netns exec "$NETNS" "${CLIENT_PIN[@]}" "$PY" "$HELPERS/fwdmeasure.py" --upstream-conf "$UP_CONF" \
        --out "$RESULTS" --peer "$FWD" --mode fwd --test "$test" --server-pid "$PEER_PID" \
        --other-pid "$UP_PID" --other-pid "$FARM_PID" --auth "$TOPO" "$FARM_DIR" $lat \
        --extra "rep=$ROUND" --log "$PEER_DIR/dnsperf-$test.log" -- \
        dnsperf -s "$FWD_ADDR" -p 53 -a "$CLIENT_ADDR" "$@" &
    wait $!   # (a signal's trap runs at once, not at the end of the pass; cleanup kills the pass by PID)
}

rss_record() { # TEST: VmRSS of the forwarder's process tree (+ kresd's LMDB file in tmpfs, apart)
    local test=$1 r extra=0
    r=$("$PY" "$RB/lib/rss.py" "$PEER_PID")
    declare -F "${FWD}_mem_extra" >/dev/null && extra=$("${FWD}_mem_extra")
    [[ $extra =~ ^[0-9]+$ ]] || extra=0
    set -- $r
    record "$FWD" "$test" "rep=$ROUND" "kib=$1" "anon=$2" "file=$3" "shmem=$4" "nproc=$5" "extra_kib=$extra"
}

fwd_check() { # TEST: every name with DO+AD against the current forwarder, per name, compared with the upstream
    local out
    out=$(ip netns exec "$NETNS" "${CLIENT_PIN[@]}" "$PY" "$HELPERS/fwdq.py" check "$FWD_ADDR" 53 "$GEN" \
        "$CLIENT_ADDR" "$PEER_DIR/$1.json" --ref "$RUN_DIR/ref.json") || { log "  $1 failed"; return 1; }
    record_json "$FWD" "$1" "$ROUND" "$out"
    log "  $1: $(check_line "$out")"
    echo "$out" | "$PY" -c 'import json,sys; [print("    " + l) for l in json.load(sys.stdin)["fail"][:5]]' >&2
}

check_round() { case $CHECK_ROUNDS in all) return 0 ;; none) return 1 ;; *) [ "$ROUND" -le "$CHECK_ROUNDS" ] ;; esac; }

run_forwarder() { # NAME: one round of measurements of one forwarder
    local f=$1 base=$RUN_DIR/$1/r$ROUND
    log "== $f, round $ROUND/$ROUNDS, load $(load1)"
    # A: cold at a fixed rate, warm, warm check
    start_and_record "$f" "$base-a" "$ROUND" a || return 1
    rss_record rss_start
    fwd_pass cold --latency -- -d "$GEN/queries.txt" -n 1 -c 4 -Q "$COLD_QPS" -q "$COLD_OUTSTANDING" -t "$COLD_TIMEOUT" -v
    alive "the cold pass" || return 1
    sleep 1
    rss_record rss_cold
    fwd_pass warm -- -d "$GEN/queries.txt" -l "$WARM_SECS" -c "$WARM_CLIENTS" -q "$WARM_OUTSTANDING" -t 1
    alive "the warm pass" || return 1
    check_round && fwd_check check_warm
    stop_fwd
    # B: cold check
    if check_round; then
        start_and_record "$f" "$base-b" "$ROUND" b || return 1
        fwd_check check_cold
        alive "the cold check" || return 1
        stop_fwd
    fi
    # C: cold at the maximum rate
    start_and_record "$f" "$base-c" "$ROUND" c || return 1
    fwd_pass coldmax --latency -- -d "$GEN/queries.txt" -n 1 -c 4 -q "$MAX_OUTSTANDING" -t "$COLD_TIMEOUT" -v
    alive "the cold pass at the maximum rate" || return 1
    sleep 1
    rss_record rss_coldmax
    stop_fwd
}

# ---------------------------------------------------------------- rounds
T_START=$(date +%s)
RUN_LIST=
for f in $FORWARDERS; do
    if "${f}_available"; then RUN_LIST="$RUN_LIST $f"; else log "$f: not installed, skipped"; record "$f" skipped "msg=not installed"; fi
done
read -r -a ORDER <<<"$RUN_LIST"
[ ${#ORDER[@]} -gt 0 ] || die "no forwarder to run"
for ROUND in $(seq "$ROUNDS"); do
    n=${#ORDER[@]}
    for k in $(seq 0 $(( n - 1 ))); do
        f=${ORDER[$(( (k + ROUND - 1) % n ))]}
        run_forwarder "$f" || log "$f failed in round $ROUND"
        FWD=
    done
done
for f in $RUN_LIST; do   # what the forwarders logged (lanlord's DNSSEC lines go into the report)
    cat $(ls "$RUN_DIR/$f"/*/*.log 2>/dev/null | grep -v '/dnsperf-') </dev/null 2>/dev/null | grep -v '^$' |
        sed -E 's/^[A-Z][a-z]{2} +[0-9]+ [0-9:]{8} //; s/^\[?[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9:.]+Z?\]? *//; s/^\[[0-9]+\] //; s/\[[0-9:]+\]//' |
        sort | uniq -c | sort -rn | head -40 >"$RUN_DIR/$f/log-summary.txt"
done
unbound-control -c "$UP_CONF" stats_noreset >"$UP_DIR/stats-at-end.txt" 2>&1
echo "- uptime at end: $(uptime)" >>"$RUN_DIR/env.md"
echo "- wall time: $(( $(date +%s) - T_START )) s of measurements (after generating, signing and warming)" >>"$RUN_DIR/env.md"

"$PY" "$HELPERS/report.py" "$RUN_DIR" >"$RUN_DIR/report.md" || die "report failed"
cat "$RUN_DIR/report.md"
log "report: $RUN_DIR/report.md"
