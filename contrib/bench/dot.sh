#!/bin/bash
# Cache misses forwarded over DNS over TLS (RFC 7858): lanlord with a tls:// upstream against unbound with
# forward-tls-upstream, and both over plain UDP as the baseline, behind one upstream that answers every name.
#
#   contrib/bench/dot.sh                                   # all four, 3 rounds (~8 min)
#   ROUNDS=1 SECS=3 MAX_SECS=2 contrib/bench/dot.sh        # quick look (~45 s)
#   contrib/bench/dot.sh lanlord-dot unbound-dot           # a subset (lanlord-dot lanlord-udp unbound-dot unbound-udp)
#   LANLORD_BIN=/path/to/lanlord ROUNDS=5 contrib/bench/dot.sh
#
# Needs root (a network namespace), 2 CPUs, Debian 12's dnsperf (2.10: has no latency histogram, so the
# percentiles come from -v), unbound with unbound-control, openssl, knot-dnsutils (kdig), python3-dnspython.
# Self-contained: the helpers are in contrib/bench/dot/ (measure.py: counters and one dnsperf pass; probe.py:
# waits for a forwarder's first answer; report.py RUN_DIR: rebuilds the report).
#
# Design
# - Network: a namespace dotbench-<pid> of our own, addresses on its loopback only (no route out): the upstream
#   on 198.51.100.70, lanlord on .71, unbound on .73 (one forwarder runs at a time), dnsperf sends from .99.
# - Certificates made at start with openssl (into the run dir, pki/): a test CA (P-256) and a server
#   certificate for "dot.bench" with the upstream's IP as a second SAN; the upstream is checked with kdig
#   (UDP, and TLS verified against the CA as dot.bench), and whether it resumes TLS sessions with two
#   openssl s_client connections (the second offers the first one's ticket).
# - Upstream: one unbound, 1 thread, on CPU 0, "iterator" only, answering every name under bench.example from
#   local data (local-zone redirect: q123.tag.bench.example A 192.0.2.1; not under test., which unbound's
#   forwarders answer themselves by default, RFC 6761), plain UDP/TCP on port 53 and TLS on port 853
#   (tls-service-key/pem, tls-session-ticket-keys: a random key, so that it resumes sessions as public DoT
#   services do), incoming-num-tcp 100 (so that its default 10 never limits a forwarder), extended statistics,
#   remote control on a UNIX socket. Its counters: total.num.queries, num.query.tls and num.query.tls.resume.
#   NOTE: unbound counts in num.query.tls.resume every *query* that arrives on a connection whose session was
#   resumed (worker.c: SSL_session_reused() per query), not resumed handshakes. It has no connection counter,
#   so the connections it accepted are the namespace's Tcp PassiveOpens (/proc/net/snmp inside the namespace:
#   nothing else accepts TCP there); one TLS connection = one handshake (full or resumed).
# - Forwarders, each on CPU 1, one thread, cache on (their defaults), forwarding everything ("."):
#     lanlord-dot  threads = 1, [[upstream]] servers = ["tls://198.51.100.70#dot.bench"], tls_ca_file = the
#                  test CA, [local] hosts = [], log_level "warn", [control] socket in the run dir; defaults
#                  otherwise (cache 10,000 answers, query log on, no DNSSEC validation of forwarded answers).
#                  Its TLS counters (upstream_groups[0].servers[0].tls of `lanlordctl --json status`:
#                  handshakes, resumed, connections_opened, queries) are read before and after each pass.
#     lanlord-udp  the same with servers = ["198.51.100.70:53"].
#     unbound-dot  num-threads 1, module-config "iterator", forward-zone "." with forward-addr
#                  198.51.100.70@853#dot.bench, forward-tls-upstream yes, tls-cert-bundle = the test CA,
#                  access-control for 198.51.100.0/24; defaults otherwise.
#     unbound-udp  the same with forward-addr 198.51.100.70@53 and no TLS.
#   lanlord and lanlordctl run from private copies made at start (the build tree may be rebuilt meanwhile).
# - Per round and forwarder: fresh start; a probe (probe.py: a new name, every 50 ms until NOERROR; it also
#   opens the TLS connection); then two dnsperf passes from CPU 0, plain UDP to the forwarder, each on a fresh
#   set of names (qN.r<round>-<forwarder>-<pass>.bench.example: every query is a miss, no pass can hit a cache):
#     fixed  -Q RATE for SECS s (-q 1000, -v for per-query latencies: p50/p90/p99)
#     max    -q MAX_OUTSTANDING outstanding for MAX_SECS s (no -v: printing would slow dnsperf; latency avg only)
#   dnsperf -n 1 -t TIMEOUT; a query unanswered after TIMEOUT s counts as lost.
#   Per pass: the forwarder's CPU = the sum of /proc/PID/task/*/schedstat (on-CPU ns of all threads; utime+stime
#   of /proc/PID/stat as a cross-check), per answered query; answered / lost / rcodes; latency; the upstream's
#   counters and CPU, dnsperf's CPU, the CPU used by every other process of the box (noise); lanlord's TLS
#   counters. Over each forwarder's life (probe + both passes) queries per handshake: lanlord's own
#   (tls.queries / tls.handshakes) and, for both DoT forwarders, the upstream's view (num.query.tls /
#   connections accepted).
#   The counters (unbound-control, lanlordctl) are read outside the CPU window.
# - Rounds (ROUNDS): every forwarder in turn, the order rotated by one each round; the report gives medians
#   and every value, the ratio lanlord-DoT / unbound-DoT CPU per miss (median of the per-round ratios; the
#   issue's target is <= 0.8), lanlord DoT / lanlord UDP (what TLS costs lanlord) and lanlord's queries per
#   handshake (target >= 1,000).
# - Limits: at the maximum rate CPU 0 runs dnsperf and the upstream (which pays for the TLS server side), so it
#   may saturate before the forwarder does: the report gives the forwarder's CPU use during the pass ("use %");
#   below ~95 % the pass measured CPU per miss under load, not the forwarder's ceiling. The passes are short,
#   so queries per handshake is bounded by the queries of one life when no connection is ever closed.
# - Output: $RESULTS_ROOT/<timestamp>/: report.md (printed), results.jsonl (one record per pass and per life),
#   env.md, run.log, pki/, upstream/ (config, log, kdig and s_client checks, final statistics), and per
#   forwarder and round its configuration, log, dnsperf outputs, the pass records and (lanlord) status.json.
#   `contrib/bench/dot/report.py RUN_DIR` rebuilds the report.
# - Cleanup: on exit, error or signal (INT, TERM, HUP) the pass in flight, the forwarder and the upstream are
#   stopped by PID (SIGTERM, SIGKILL after 10 s), whatever is left in the namespace is killed by PID, the
#   namespace and the scratch folders (${TMPDIR:-/tmp}/dotbench-<pid>.*, /dev/shm/dotbench-<pid>.* with the
#   query files) removed. A namespace left by a run killed with SIGKILL is removed by the next run.
#
# Tunables (environment): ROUNDS 3, RATE 2000 (q/s of the fixed pass), SECS 20 (its length), MAX_SECS 10,
# MAX_OUTSTANDING 100, MAX_NAMES 100000 * MAX_SECS (names prepared for the max pass), TIMEOUT 3 (s),
# PINNING yes (no: no taskset), SERVER_CPUS 1, CLIENT_CPUS 0, STARTUP_TIMEOUT 20, LANLORD_BIN (default
# build/daemon/lanlord of this repository), LANLORDCTL_BIN (default: next to LANLORD_BIN), RESULTS_ROOT
# (default ~/.cache/dot-bench), KEEP_WORK 0 (1: keep the scratch folder).
set -u -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HELPERS=$HERE/dot
REPO=$(cd "$HERE/../.." && pwd)
PY=/usr/bin/python3
export PYTHONDONTWRITEBYTECODE=1

# ---------------------------------------------------------------- tunables
ROUNDS=${ROUNDS:-3}
RATE=${RATE:-2000}
SECS=${SECS:-20}
MAX_SECS=${MAX_SECS:-10}
MAX_OUTSTANDING=${MAX_OUTSTANDING:-100}
MAX_NAMES=${MAX_NAMES:-$(( 100000 * MAX_SECS ))}
TIMEOUT=${TIMEOUT:-3}
PINNING=${PINNING:-yes}
SERVER_CPUS=${SERVER_CPUS:-1}
CLIENT_CPUS=${CLIENT_CPUS:-0}
STARTUP_TIMEOUT=${STARTUP_TIMEOUT:-20}
KEEP_WORK=${KEEP_WORK:-0}
LANLORD_BIN=${LANLORD_BIN:-$REPO/build/daemon/lanlord}
LANLORDCTL_BIN=${LANLORDCTL_BIN:-$(dirname "$LANLORD_BIN")/lanlordctl}
RESULTS_ROOT=${RESULTS_ROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/dot-bench}

UPSTREAM_ADDR=198.51.100.70
CLIENT_ADDR=198.51.100.99
CLIENT_NET=198.51.100.0/24
TLS_NAME=dot.bench
ZONE=bench.example   # (not under test.: unbound answers test. itself, as RFC 6761 allows)
ALL_FORWARDERS="lanlord-dot lanlord-udp unbound-dot unbound-udp"
declare -A ADDR_OF=([lanlord-dot]=198.51.100.71 [lanlord-udp]=198.51.100.71 [unbound-dot]=198.51.100.73 [unbound-udp]=198.51.100.73)

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FATAL: $*"; exit 1; }

FORWARDERS=${*:-$ALL_FORWARDERS}
for f in $FORWARDERS; do [ -n "${ADDR_OF[$f]:-}" ] || die "unknown forwarder '$f' (known: $ALL_FORWARDERS)"; done
for v in ROUNDS RATE SECS MAX_SECS MAX_OUTSTANDING MAX_NAMES TIMEOUT; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer (is '${!v}')"
done

# ---------------------------------------------------------------- checks
[ "$(id -u)" = 0 ] || die "needs root (network namespace)"
for t in dnsperf taskset ip openssl unbound unbound-control kdig; do
    command -v $t >/dev/null || die "missing tool: $t (apt-get install dnsperf unbound openssl knot-dnsutils iproute2)"
done
"$PY" -c 'import dns.message' 2>/dev/null || die "missing python3-dnspython"
case " $FORWARDERS " in *" lanlord-"*)
    [ -x "$LANLORD_BIN" ] || die "no lanlord binary at $LANLORD_BIN (set LANLORD_BIN)"
    [ -x "$LANLORDCTL_BIN" ] || die "no lanlordctl at $LANLORDCTL_BIN (set LANLORDCTL_BIN)" ;;
esac
if [ "$PINNING" = yes ]; then SERVER_PIN=(taskset -c "$SERVER_CPUS"); CLIENT_PIN=(taskset -c "$CLIENT_CPUS")
else SERVER_PIN=(); CLIENT_PIN=(); fi

RUN_DIR=$RESULTS_ROOT/$(date +%Y%m%d-%H%M%S)
mkdir -p "$RUN_DIR" || die "cannot create $RUN_DIR"
RESULTS=$RUN_DIR/results.jsonl
: >"$RESULTS"
exec 3>&2 2> >(trap "" INT; exec tee -a "$RUN_DIR/run.log" >&3)

# ---------------------------------------------------------------- namespace, scratch, cleanup
NETNS=dotbench-$$
WORK= QDIR= UP_PID= FWD_PID= FWD= PASS_PID=

# kill_pid PID: SIGTERM one process this script started (only if it is still our child), wait up to 10 s, then SIGKILL
kill_pid() {
    local pid=$1 i st
    [ -n "$pid" ] || return 0
    st=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null) || { wait "$pid" 2>/dev/null; return 0; }
    set -- $st
    [ "$2" = "$$" ] || return 0
    kill "$pid" 2>/dev/null
    for i in $(seq 100); do
        [ -d "/proc/$pid" ] && [ "$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)" != Z ] || break
        sleep 0.1
    done
    if [ -d "/proc/$pid" ] && [ "$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)" != Z ]; then
        log "pid $pid did not exit on SIGTERM; sending SIGKILL"
        kill -9 "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null
    return 0
}
cleanup() {
    trap '' INT TERM HUP
    [ -n "$PASS_PID" ] && { kill_pid "$PASS_PID"; PASS_PID=; }
    [ -n "$FWD_PID" ] && { kill_pid "$FWD_PID"; FWD_PID=; }
    [ -n "$UP_PID" ] && { kill_pid "$UP_PID"; UP_PID=; }
    if ip netns list 2>/dev/null | grep -qw "^$NETNS"; then
        local i left p
        for i in $(seq 30); do left=$(ip netns pids "$NETNS" 2>/dev/null); [ -z "$left" ] && break; sleep 0.1; done
        for p in $left; do log "killing leftover pid $p in $NETNS"; kill -KILL "$p" 2>/dev/null; done
        ip netns del "$NETNS" 2>/dev/null
    fi
    [ -n "$QDIR" ] && rm -rf "$QDIR"
    if [ -n "$WORK" ]; then
        if [ "$KEEP_WORK" = 1 ]; then log "scratch kept: $WORK"; else rm -rf "$WORK"; fi
    fi
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM HUP

# namespaces of earlier runs killed with SIGKILL (their script gone): their processes by PID, then the namespace
for n in $(ip netns list 2>/dev/null | awk '$1 ~ /^dotbench-[0-9]+$/ {print $1}'); do
    pid=${n#dotbench-}
    [ -d "/proc/$pid" ] && grep -q 'dot.sh' "/proc/$pid/cmdline" 2>/dev/null && continue
    log "removing stale namespace $n"
    for p in $(ip netns pids "$n" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
    ip netns del "$n" 2>/dev/null
    rm -rf "${TMPDIR:-/tmp}"/dotbench-"$pid".?????? /dev/shm/dotbench-"$pid".??????
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/dotbench-$$.XXXXXX") || die "mktemp failed"
# the query files (up to ~30 MB each) in tmpfs when there is one
if [ -d /dev/shm ] && [ -w /dev/shm ]; then QDIR=$(mktemp -d /dev/shm/dotbench-$$.XXXXXX) || die "mktemp failed"
else QDIR=$WORK/q; mkdir -p "$QDIR"; fi

ip netns add "$NETNS" || die "cannot create network namespace $NETNS"
ip -n "$NETNS" link set lo up
for a in $UPSTREAM_ADDR $CLIENT_ADDR $(printf '%s\n' "${ADDR_OF[@]}" | sort -u); do
    ip -n "$NETNS" addr add "$a/32" dev lo || die "cannot add $a in $NETNS"
done

# bg_run LOGFILE PIN_ARRAY_NAME CMD...: a daemon in the background inside the namespace; every wrapper execs, so
# BG_PID is the daemon's own PID
bg_run() {
    local logf=$1 pin_name=$2; shift 2
    local -n pin=$pin_name
    ip netns exec "$NETNS" "${pin[@]}" "$@" >"$logf" 2>&1 </dev/null &
    BG_PID=$!
}

# ---------------------------------------------------------------- certificates (a test CA, the upstream's cert)
PKI=$RUN_DIR/pki
mkdir -p "$PKI"
(
    cd "$PKI" || exit 1
    openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem \
        -days 7 -subj "/CN=dot bench test CA" -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" &&
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key -out server.csr \
        -subj "/CN=$TLS_NAME" &&
    printf 'subjectAltName=DNS:%s,IP:%s\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' \
        "$TLS_NAME" "$UPSTREAM_ADDR" >server.ext &&
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 7 -extfile server.ext \
        -out server.pem &&
    head -c 80 /dev/urandom >ticket.key
) >"$PKI/openssl.log" 2>&1 || die "certificate generation failed: $(tail -3 "$PKI/openssl.log")"
CA=$PKI/ca.pem

# ---------------------------------------------------------------- the upstream
UP_DIR=$RUN_DIR/upstream
mkdir -p "$UP_DIR"
UP_CONF=$UP_DIR/unbound.conf
cat >"$UP_CONF" <<EOC
server:
    verbosity: 1
    interface: $UPSTREAM_ADDR@53
    interface: $UPSTREAM_ADDR@853
    tls-port: 853
    tls-service-key: "$PKI/server.key"
    tls-service-pem: "$PKI/server.pem"
    tls-session-ticket-keys: "$PKI/ticket.key"
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
    access-control: $CLIENT_NET allow
    module-config: "iterator"
    incoming-num-tcp: 100
    num-queries-per-thread: 4096
    extended-statistics: yes
    statistics-interval: 0
    statistics-cumulative: yes
    local-zone: "$ZONE." redirect
    local-data: "$ZONE. 3600 IN A 192.0.2.1"
remote-control:
    control-enable: yes
    control-interface: "$WORK/upstream-ctl.sock"
    control-use-cert: no
EOC
bg_run "$UP_DIR/stdout.log" CLIENT_PIN /usr/sbin/unbound -d -c "$UP_CONF"
UP_PID=$BG_PID
for i in $(seq 100); do
    unbound-control -c "$UP_CONF" status >/dev/null 2>&1 && break
    kill -0 "$UP_PID" 2>/dev/null || break
    sleep 0.1
done
unbound-control -c "$UP_CONF" status >/dev/null 2>&1 || die "the upstream unbound did not start: $(tail -3 "$UP_DIR/unbound.log")"
out_udp=$(ip netns exec "$NETNS" kdig +short +time=2 +retry=0 @"$UPSTREAM_ADDR" -b "$CLIENT_ADDR" check.$ZONE A 2>&1)
out_tls=$(ip netns exec "$NETNS" kdig +short +time=2 +retry=0 +tls-ca="$CA" +tls-hostname="$TLS_NAME" \
    @"$UPSTREAM_ADDR" -b "$CLIENT_ADDR" check.$ZONE A 2>&1)
[ "$out_udp" = 192.0.2.1 ] && [ "$out_tls" = 192.0.2.1 ] ||
    die "the upstream does not answer as it should: UDP '$out_udp', TLS (verified as $TLS_NAME) '$out_tls'"
ip netns exec "$NETNS" kdig +tls-ca="$CA" +tls-hostname="$TLS_NAME" @"$UPSTREAM_ADDR" -b "$CLIENT_ADDR" \
    check.$ZONE A >"$UP_DIR/kdig-tls.txt" 2>&1
# does the upstream resume TLS sessions? (a ticket from one openssl s_client connection offered on a second one)
sclient() { sleep 1 | ip netns exec "$NETNS" timeout 10 openssl s_client -connect "$UPSTREAM_ADDR:853" -servername "$TLS_NAME" \
    -CAfile "$CA" -verify_return_error "$@" 2>&1; }
sclient -sess_out "$PKI/session.pem" >"$UP_DIR/s_client-1.txt"
sclient -sess_in "$PKI/session.pem" >"$UP_DIR/s_client-2.txt"
if grep -q '^Reused' "$UP_DIR/s_client-2.txt"; then UP_RESUMES="yes ($(grep -m1 '^Reused' "$UP_DIR/s_client-2.txt"))"
else UP_RESUMES="no ($(grep -m1 -E '^(New|Reused)' "$UP_DIR/s_client-2.txt"))"; fi
log "upstream: unbound pid $UP_PID on $UPSTREAM_ADDR@53 and @853 (TLS, cert for $TLS_NAME + IP, verified by kdig); resumes sessions: $UP_RESUMES"

# ---------------------------------------------------------------- lanlord: private copies of the binaries
LANLORD_RUN_BIN= LANLORDCTL_RUN_BIN= LANLORD_SHA=
case " $FORWARDERS " in *" lanlord-"*)
    mkdir -p "$WORK/bin"
    cp "$LANLORD_BIN" "$WORK/bin/lanlord" && cp "$LANLORDCTL_BIN" "$WORK/bin/lanlordctl" || die "cannot copy lanlord"
    LANLORD_RUN_BIN=$WORK/bin/lanlord LANLORDCTL_RUN_BIN=$WORK/bin/lanlordctl
    LANLORD_SHA=$(sha256sum "$LANLORD_RUN_BIN" | cut -c1-16) ;;
esac

# ---------------------------------------------------------------- the forwarders
# fwd_start NAME DIR: writes the configuration into DIR, starts the forwarder on CPU $SERVER_CPUS; sets FWD_PID
lanlord_conf() { # TRANSPORT(dot|udp) DIR
    local server
    if [ "$1" = dot ]; then server="\"tls://$UPSTREAM_ADDR#$TLS_NAME\"]
tls_ca_file = \"$CA\""
    else server="\"$UPSTREAM_ADDR:53\"]"; fi
    cat <<EOC
log_level = "warn"
threads = 1
[dns]
listen = ["${ADDR_OF[lanlord-$1]}:53"]
allow = ["$CLIENT_NET"]
[local]
hosts = []
[control]
socket = "$2/ctl.sock"
[[upstream]]
name = "upstream"
domains = ["."]
servers = [$server
EOC
}
unbound_conf() { # TRANSPORT DIR
    local a=${ADDR_OF[unbound-$1]}
    cat <<EOC
server:
    verbosity: 1
    interface: $a
    port: 53
    do-ip4: yes
    do-ip6: no
    num-threads: 1
    username: ""
    chroot: ""
    directory: "$2"
    pidfile: "$2/unbound.pid"
    logfile: "$2/unbound.log"
    use-syslog: no
    do-daemonize: no
    access-control: $CLIENT_NET allow
    module-config: "iterator"
    statistics-interval: 0
EOC
    if [ "$1" = dot ]; then cat <<EOC
    tls-cert-bundle: "$CA"
remote-control:
    control-enable: no
forward-zone:
    name: "."
    forward-tls-upstream: yes
    forward-addr: $UPSTREAM_ADDR@853#$TLS_NAME
EOC
    else cat <<EOC
remote-control:
    control-enable: no
forward-zone:
    name: "."
    forward-addr: $UPSTREAM_ADDR@53
EOC
    fi
}
fwd_desc() {
    case $1 in
    lanlord-dot) echo "threads = 1, [[upstream]] servers = [\"tls://$UPSTREAM_ADDR#$TLS_NAME\"], tls_ca_file = the test CA, [local] hosts = [], log_level warn; defaults otherwise (cache 10000 answers, query log on)" ;;
    lanlord-udp) echo "the same with servers = [\"$UPSTREAM_ADDR:53\"]" ;;
    unbound-dot) echo "num-threads 1, module-config \"iterator\", forward-zone \".\" forward-addr $UPSTREAM_ADDR@853#$TLS_NAME, forward-tls-upstream yes, tls-cert-bundle = the test CA; defaults otherwise (caches 4 MB + 4 MB, outgoing-num-tcp 10, max-reuse-tcp-queries 200, tcp-reuse-timeout 60 s)" ;;
    unbound-udp) echo "the same with forward-addr $UPSTREAM_ADDR@53, no TLS" ;;
    esac
}
fwd_version() {
    case $1 in
    lanlord-*) "$LANLORD_RUN_BIN" --version | head -1 ;;
    unbound-*) echo "unbound $(/usr/sbin/unbound -V | head -1 | sed 's/^Version //')" ;;
    esac
}
CTL_SOCK=
fwd_start() {
    local f=$1 dir=$2
    mkdir -p "$dir"
    CTL_SOCK=
    case $f in
    lanlord-*)
        lanlord_conf "${f#lanlord-}" "$dir" >"$dir/lanlord.toml"
        mkdir -p "$dir/state"
        bg_run "$dir/lanlord.log" SERVER_PIN env STATE_DIRECTORY="$dir/state" "$LANLORD_RUN_BIN" --config "$dir/lanlord.toml"
        CTL_SOCK=$dir/ctl.sock ;;
    unbound-*)
        unbound_conf "${f#unbound-}" "$dir" >"$dir/unbound.conf"
        bg_run "$dir/stdout.log" SERVER_PIN /usr/sbin/unbound -d -c "$dir/unbound.conf" ;;
    esac
    FWD_PID=$BG_PID FWD=$f
}
fwd_stop() { [ -n "$FWD_PID" ] && kill_pid "$FWD_PID"; FWD_PID= FWD= CTL_SOCK=; }

snap() { # the upstream's and (lanlord) the forwarder's counters, as JSON
    local ctl=()
    [ -n "$CTL_SOCK" ] && ctl=(--ctl "$LANLORDCTL_RUN_BIN" --ctl-sock "$CTL_SOCK")
    ip netns exec "$NETNS" "${CLIENT_PIN[@]}" "$PY" "$HELPERS/measure.py" snap --up-conf "$UP_CONF" "${ctl[@]}"
}

# run_pass TEST QFILE [--latency] -- dnsperf-args...
run_pass() {
    local test=$1 qfile=$2 ctl=() lat=
    shift 2
    [ "$1" = --latency ] && { lat=1; shift; }
    [ "$1" = -- ] && shift
    [ -n "$CTL_SOCK" ] && ctl=(--ctl "$LANLORDCTL_RUN_BIN" --ctl-sock "$CTL_SOCK")
    ip netns exec "$NETNS" "${CLIENT_PIN[@]}" "$PY" "$HELPERS/measure.py" pass --out "$RESULTS" \
        --fwd-pid "$FWD_PID" --up-pid "$UP_PID" --up-conf "$UP_CONF" "${ctl[@]}" --log "$PEER_DIR/dnsperf-$test.log" \
        --extra "fwd=$FWD" --extra "test=$test" --extra "round=$ROUND" --extra "names=$(wc -l <"$qfile")" -- \
        dnsperf -s "${ADDR_OF[$FWD]}" -p 53 -a "$CLIENT_ADDR" -d "$qfile" -n 1 -t "$TIMEOUT" ${lat:+-v} "$@" \
        >"$PEER_DIR/$test.json" &
    PASS_PID=$!
    wait $PASS_PID   # (a signal's trap runs at once; cleanup kills the pass by PID)
    PASS_PID=
    rm -f "$qfile"
    "$PY" -c 'import json, sys
d = json.load(open(sys.argv[1]))
g = lambda k, f="%.1f": (f % d[k]) if isinstance(d.get(k), (int, float)) else "-"
print("  %-7s %s answered / %s sent (%s %% lost) in %s s = %s q/s; %s us CPU/miss (forwarder at %s %% of a core); latency avg %s ms p99 %s; upstream: %s queries, %s over TLS (%s resumed), %s TCP conns accepted%s"
      % (sys.argv[2], g("completed", "%d"), g("sent", "%d"), g("lost_pct", "%.2f"), g("run_s", "%.2f"), g("qps", "%.0f"),
         g("us_per_miss"), g("fwd_util_pct"), g("lat_avg_ms", "%.3f"), g("lat_p99_ms", "%.3f"), g("up_queries", "%d"),
         g("up_tls", "%d"), g("up_tls_resume", "%d"), g("tcp_accepted", "%d"),
         ("; lanlord TLS: %s handshakes (%s resumed), %s conns opened, %s queries" % (g("ll_tls_handshakes", "%d"), g("ll_tls_resumed", "%d"), g("ll_tls_connections_opened", "%d"), g("ll_tls_queries", "%d"))) if "ll_tls_queries" in d else ""))' \
        "$PEER_DIR/$test.json" "$test" >&2 2>/dev/null || log "  $test: no result"
}

names() { # FILE COUNT TAG: COUNT unique names under $ZONE, A queries
    awk -v n="$2" -v t="$3" -v z="$ZONE" 'BEGIN { for (i = 0; i < n; i++) printf "q%d.%s.%s A\n", i, t, z }' >"$1"
}

alive() { [ -n "$FWD_PID" ] && [ -d "/proc/$FWD_PID" ] && [ "$(sed 's/.*) //' "/proc/$FWD_PID/stat" | cut -d' ' -f1)" != Z ]; }

run_forwarder() { # NAME: one round of one forwarder: fresh start, probe, fixed-rate pass, maximum-rate pass
    local f=$1 tag before after probe
    PEER_DIR=$RUN_DIR/$f/r$ROUND
    tag=r$ROUND-${f/-/}
    log "== $f, round $ROUND/$ROUNDS (load $(cut -d' ' -f1-3 /proc/loadavg))"
    names "$QDIR/fixed" $(( RATE * SECS * 11 / 10 )) "$tag-fixed"
    names "$QDIR/max" "$MAX_NAMES" "$tag-max"
    CTL_SOCK=
    before=$(snap)
    fwd_start "$f" "$PEER_DIR"
    probe=$(ip netns exec "$NETNS" "${CLIENT_PIN[@]}" "$PY" "$HELPERS/probe.py" "${ADDR_OF[$f]}" "probe.$tag.$ZONE" \
        "$STARTUP_TIMEOUT" "$CLIENT_ADDR")
    if [ $? != 0 ] || ! alive; then
        log "ERROR: $f did not answer the probe: $probe (see $PEER_DIR)"
        tail -5 "$PEER_DIR"/*.log >&2 2>/dev/null
        fwd_stop
        return 1
    fi
    log "  started, first answer (through the upstream) after ${probe%% *} ms"
    sleep 1
    run_pass fixed "$QDIR/fixed" --latency -- -Q "$RATE" -l "$SECS" -q 1000
    alive || { log "ERROR: $f died during the fixed-rate pass"; fwd_stop; return 1; }
    sleep 1
    run_pass max "$QDIR/max" -- -q "$MAX_OUTSTANDING" -l "$MAX_SECS"
    alive || { log "ERROR: $f died during the maximum-rate pass"; fwd_stop; return 1; }
    after=$(snap)
    ip netns exec "$NETNS" "$PY" "$HELPERS/measure.py" life --before "$before" --after "$after" --out "$RESULTS" \
        --extra "fwd=$f" --extra "test=life" --extra "round=$ROUND" --extra "startup_ms=${probe%% *}" >/dev/null
    [ -n "$CTL_SOCK" ] && "$LANLORDCTL_RUN_BIN" --json --socket "$CTL_SOCK" status >"$PEER_DIR/status.json" 2>&1
    fwd_stop
}

# ---------------------------------------------------------------- environment record
{
    echo "# Environment"
    echo
    echo "- date: $(date -Is)"
    echo "- host: $(uname -sr), $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
    echo "- debian: $(cat /etc/debian_version 2>/dev/null); $(openssl version)"
    echo "- dnsperf: $(dnsperf -h 2>&1 | grep -m1 '^Version'); kdig: $(kdig --version 2>&1 | head -1)"
    echo "- upstream: unbound $(unbound -V | head -1 | sed 's/^Version //'), 1 thread, local data for every name under $ZONE, UDP/TCP 53 and TLS 853 on $UPSTREAM_ADDR (P-256 cert for $TLS_NAME + IP SAN from a test CA; tls-session-ticket-keys set; resumption checked with openssl s_client: $UP_RESUMES), incoming-num-tcp 100, on CPU $CLIENT_CPUS"
    echo "- passes per forwarder and round (fresh start each round): fixed rate (dnsperf -Q $RATE -l $SECS -q 1000 -t $TIMEOUT -v), then maximum rate (-q $MAX_OUTSTANDING -l $MAX_SECS -t $TIMEOUT); every query a new name (a miss); rounds: $ROUNDS"
    echo "- pinning: $( [ "$PINNING" = yes ] && echo "forwarder on CPU $SERVER_CPUS; dnsperf and the upstream on CPU $CLIENT_CPUS" || echo none)"
    echo "- uptime at start: $(uptime)"
    echo
    echo "# Forwarders"
    echo
    for f in $FORWARDERS; do
        echo "- **$f** ($(fwd_version "$f")$(case $f in lanlord-*) echo ", binary sha256 $LANLORD_SHA..., copied at start from $LANLORD_BIN ($(stat -c %y "$LANLORD_BIN" | cut -d. -f1)); the source tree at run time (not necessarily the binary's): $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null) + $(git -C "$REPO" status --porcelain --untracked-files=no 2>/dev/null | wc -l) modified tracked files" ;; esac)): $(fwd_desc "$f")"
    done
} >"$RUN_DIR/env.md"
cat "$RUN_DIR/env.md" >&2

# ---------------------------------------------------------------- rounds
T_START=$(date +%s)
read -r -a ORDER <<<"$FORWARDERS"
for ROUND in $(seq "$ROUNDS"); do
    n=${#ORDER[@]}
    for k in $(seq 0 $(( n - 1 ))); do
        f=${ORDER[$(( (k + ROUND - 1) % n ))]}
        run_forwarder "$f" || log "$f failed in round $ROUND"
    done
done
unbound-control -c "$UP_CONF" stats_noreset >"$UP_DIR/stats-at-end.txt" 2>&1
echo "- uptime at end: $(uptime)" >>"$RUN_DIR/env.md"
echo "- wall time of the rounds: $(( $(date +%s) - T_START )) s" >>"$RUN_DIR/env.md"

"$PY" "$HELPERS/report.py" "$RUN_DIR" >"$RUN_DIR/report.md" || die "report failed"
cat "$RUN_DIR/report.md"
log "report: $RUN_DIR/report.md"
