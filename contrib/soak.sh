#!/usr/bin/env bash
# Soak test (memory must stay flat under long load; not in CTest): DNS at half
# the maximum cached rate plus DHCP churn for DURATION, sampling lanlord's
# resident memory every SAMPLE seconds; prints the samples and a verdict. Memory is "flat" when the last
# sample is within 10 % or 2 MiB of the one taken one minute in (the first
# minute fills the cache, the lease store and the allocator's arenas).
#
#   sudo contrib/soak.sh [RATE]
#
# RATE: DNS queries per second; default: measure the maximum cached rate for
# 10 s first and take half (MEASURE_FALLBACK, 70000, if that fails).
# Environment:
#   DURATION  seconds of load (default 600)      SAMPLE    seconds between samples (60)
#   THREADS   lanlord's DNS threads (default 1)  DHCP_RATE DORA exchanges per second (20)
#   LANLORD   the binary (default ${BUILD_DIR:-build}/daemon/lanlord; lanlordctl next to it)
#
# The DNS load mixes answers that stay cached (1,000 names, TTL 300), answers
# that expire every 5 s (500 names) and NXDOMAINs kept 2 s (500 names), with a
# cache of 1,500 entries: hits, misses, refreshes, prefetches and evictions all
# run the whole time. The DHCP load is perfdhcp as a relay agent: 2,000
# simulated clients at DHCP_RATE exchanges/s with 60 s leases and a release
# every few seconds, so leases are granted, renewed, released and expire, the
# journal is compacted, and each lease's DNS name comes and goes.
#
# Everything runs in two network namespaces made here and removed at exit:
# llsk<pid>s (lanlord, NSD and dnsperf on its loopback) and llsk<pid>c
# (perfdhcp), joined by a veth pair on 198.18.72.0/21 (RFC 2544 benchmark
# addresses). Nothing is sent outside them; processes are stopped by PID.
# Needs root, nsd, dig, dnsperf and perfdhcp (kea-admin).
set -euo pipefail
cd "$(dirname "$0")/.."
RATE=${1:-}
DURATION=${DURATION:-600}
SAMPLE=${SAMPLE:-60}
THREADS=${THREADS:-1}
DHCP_RATE=${DHCP_RATE:-20}
MEASURE_FALLBACK=${MEASURE_FALLBACK:-70000}
LANLORD=${LANLORD:-$PWD/${BUILD_DIR:-build}/daemon/lanlord}
CTL=$(dirname "$LANLORD")/lanlordctl
[ "$(id -u)" = 0 ] || { echo "soak.sh: needs root (network namespaces)" >&2; exit 1; }
for t in nsd dig dnsperf perfdhcp; do
    command -v "$t" >/dev/null || [ -x "/usr/sbin/$t" ] || { echo "soak.sh: $t not found" >&2; exit 1; }
done
[ -x "$LANLORD" ] || { echo "soak.sh: no lanlord binary at $LANLORD (set LANLORD or BUILD_DIR)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/lanlord-soak.XXXXXX)
NS_S=llsk$$s NS_C=llsk$$c
IF_S=llsk$$s0 IF_C=llsk$$c0
SRV_IP=198.18.72.1 CLI_IP=198.18.72.2
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    ip netns del "$NS_C" 2>/dev/null || true
    ip netns del "$NS_S" 2>/dev/null || true
    [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
in_s() { ip netns exec "$NS_S" "$@"; }

# ---- namespaces: lanlord's side and the clients' side
ip netns add "$NS_S"
ip netns add "$NS_C"
ip -n "$NS_S" link set lo up
ip -n "$NS_C" link set lo up
ip link add "$IF_S" netns "$NS_S" type veth peer name "$IF_C" netns "$NS_C"
ip -n "$NS_S" addr add $SRV_IP/21 dev "$IF_S"
ip -n "$NS_C" addr add $CLI_IP/21 dev "$IF_C"
ip -n "$NS_S" link set "$IF_S" up
ip -n "$NS_C" link set "$IF_C" up

# ---- upstream: NSD with names that stay, names that expire, and names that do not exist
{
    echo '$ORIGIN soak.test.'; echo '$TTL 300'
    echo '@ IN SOA ns hostmaster 1 3600 600 86400 2'; echo '@ IN NS ns'; echo 'ns IN A 192.0.2.1'
    for i in $(seq 0 999); do echo "h$i IN A 192.0.2.$((i % 250 + 1))"; done
    for i in $(seq 0 499); do echo "s$i 5 IN A 198.51.100.$((i % 250 + 1))"; done
} > "$WORK/soak.zone"
for i in $(seq 0 999); do echo "h$i.soak.test A"; done > "$WORK/hot.txt"
{
    cat "$WORK/hot.txt"
    for i in $(seq 0 499); do echo "s$i.soak.test A"; echo "x$i.soak.test A"; done
} > "$WORK/mix.txt"
cat > "$WORK/nsd.conf" <<EOC
server:
  ip-address: 127.0.0.1@5300
  port: 5300
  username: ""
  zonesdir: "$WORK"
  database: ""
  pidfile: "$WORK/nsd.pid"
  xfrdfile: "$WORK/xfrd.state"
  zonelistfile: "$WORK/zone.list"
  server-count: 1
  verbosity: 0
remote-control:
  control-enable: no
zone:
  name: soak.test
  zonefile: soak.zone
EOC
ip netns exec "$NS_S" /usr/sbin/nsd -d -c "$WORK/nsd.conf" >"$WORK/nsd.log" 2>&1 & PIDS+=($!)

# ---- lanlord: DNS on the namespace's loopback, DHCP on the veth
cat > "$WORK/lanlord.toml" <<EOC
log_level = "warn"
threads = $THREADS
[dns]
listen = ["127.0.0.1:5353"]
[cache]
size = 1500
[local]
hosts = []
domain = "lan"
[control]
socket = "$WORK/control.sock"
[dhcp]
journal = "$WORK/leases.journal"
[[dhcp.subnet]]
interface = "$IF_S"
subnet = "198.18.72.0/21"
pools = ["198.18.73.0-198.18.79.250"]
lease_time = "60s"
routers = ["$SRV_IP"]
[[upstream]]
servers = ["127.0.0.1:5300"]
EOC
# Started with ip netns exec itself, not through in_s: a function in the
# background is a subshell, and $! would be its PID, not lanlord's.
ip netns exec "$NS_S" "$LANLORD" --config "$WORK/lanlord.toml" >"$WORK/lanlord.log" 2>&1 & LL=$!; PIDS+=($LL)
for _ in $(seq 100); do
    in_s dig +short +time=1 +tries=1 -p 5353 @127.0.0.1 h0.soak.test >/dev/null 2>&1 && break
    sleep 0.1
done
in_s dig +short +time=1 +tries=1 -p 5353 @127.0.0.1 h0.soak.test | grep -q 192.0.2.1 ||
    { echo "soak.sh: lanlord does not answer; its log:" >&2; cat "$WORK/lanlord.log" >&2; exit 1; }

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$LL/status"; }
hwm_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$LL/status"; }
fds() { ls "/proc/$LL/fd" | wc -l; }
qps_of() { awk '/Queries per second:/ {printf "%d", $4}' "$1"; }

echo "# lanlord soak: $(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -r), $(nproc) cores"
echo
echo "lanlord: $LANLORD ($("$LANLORD" --version 2>/dev/null | head -1 || true)), threads = $THREADS"
echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"

# ---- the rate: half the maximum cached rate
in_s dnsperf -s 127.0.0.1 -p 5353 -d "$WORK/hot.txt" -l 3 -c 4 -q 200 >/dev/null 2>&1 || true  # fill the cache
if [ -z "$RATE" ]; then
    in_s dnsperf -s 127.0.0.1 -p 5353 -d "$WORK/hot.txt" -l 10 -c 8 -q 500 -T 2 >"$WORK/max.txt" 2>&1 || true
    MAX=$(qps_of "$WORK/max.txt")
    if [ -n "$MAX" ] && [ "$MAX" -gt 0 ]; then
        RATE=$((MAX / 2))
        echo "maximum cached rate: $MAX queries/s (dnsperf, 10 s, 8 clients); soak rate: half, $RATE/s"
    else
        RATE=$MEASURE_FALLBACK
        echo "maximum cached rate: not measured (dnsperf failed); soak rate: $RATE/s"
    fi
else
    echo "soak rate: $RATE queries/s (given)"
fi
echo "DHCP: perfdhcp relay, 2000 clients, $DHCP_RATE exchanges/s, 60 s leases, releases"
echo "duration: $DURATION s, a sample every $SAMPLE s"
echo

# ---- load
ip netns exec "$NS_S" dnsperf -s 127.0.0.1 -p 5353 -d "$WORK/mix.txt" -l "$DURATION" -c 8 -q 500 -T 2 -Q "$RATE" \
    >"$WORK/dnsperf.txt" 2>&1 & DNSPERF=$!; PIDS+=($DNSPERF)
ip netns exec "$NS_C" perfdhcp -4 -l $CLI_IP -r "$DHCP_RATE" -R 2000 -F 2 -p "$DURATION" -d 2 -W 1000000 -t 60 $SRV_IP \
    >"$WORK/perfdhcp.txt" 2>&1 & PERFDHCP=$!; PIDS+=($PERFDHCP)

T0=$(date +%s)
echo "| minute | VmRSS KiB | VmHWM KiB | open fds | DNS queries | cache entries | leases |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
SAMPLES=()
sample() {
    local m=$1 rss hwm f stats q c l
    rss=$(rss_kib); hwm=$(hwm_kib); f=$(fds)
    stats=$("$CTL" --socket "$WORK/control.sock" --json stats 2>/dev/null || echo '{}')
    read -r q c l < <(/usr/bin/python3 -c '
import json, sys
r = json.loads(sys.argv[1]).get("result", {})
print(r.get("dns", {}).get("queries", "?"), r.get("cache", {}).get("entries", "?"), r.get("dhcp", {}).get("leases", "?"))
' "$stats")
    SAMPLES+=("$rss")
    echo "| $m | $rss | $hwm | $f | $q | $c | $l |"
}
sample 0
for m in $(seq 1 $((DURATION / SAMPLE))); do
    now=$(date +%s)
    wait_for=$((T0 + m * SAMPLE - now))
    [ "$wait_for" -gt 0 ] && sleep "$wait_for"
    kill -0 "$LL" 2>/dev/null || { echo "soak.sh: lanlord exited; its log:" >&2; tail -50 "$WORK/lanlord.log" >&2; exit 1; }
    sample "$((m * SAMPLE / 60))"
done
wait "$DNSPERF" || true
wait "$PERFDHCP" || true
echo
echo "dnsperf: $(grep -E 'Queries sent|Queries completed|Queries lost|Queries per second' "$WORK/dnsperf.txt" |
    sed 's/^ *//; s/  */ /g' | paste -sd ';' - | sed 's/;/; /g')"
echo "perfdhcp:"
# RELEASE has no answer in DHCP: perfdhcp counts every one as "dropped".
awk '/^Rate:/ {print "    " $0} /^\*\*\*Statistics for:/ {k=$3} /^sent packets:/ {s=$3}
     /^received packets:/ {if (k == "RELEASE***") print "    RELEASE: " s " sent"; else print "    " k " " s " sent, " $3 " answered"}' \
    "$WORK/perfdhcp.txt" | sed 's/\*\*\*//g' || true
echo "lanlord warnings and errors: $(grep -cE ' (warning|error|critical) ' "$WORK/lanlord.log" || true)"
grep -E ' (warning|error|critical) ' "$WORK/lanlord.log" | sed 's/^[^ ]* [^ ]* //' | sort | uniq -c | sort -rn | head -5 |
    sed 's/^/    /' || true

# ---- verdict: the last sample against the one a minute in
first=${SAMPLES[1]:-${SAMPLES[0]}}
last=${SAMPLES[${#SAMPLES[@]}-1]}
delta=$((last - first))
limit=$((first / 10 > 2048 ? first / 10 : 2048))
echo
if [ "${delta#-}" -le "$limit" ]; then
    echo "verdict: FLAT (VmRSS $first KiB at minute 1, $last KiB at the end: $delta KiB, limit ±$limit KiB)"
else
    echo "verdict: GROWING (VmRSS $first KiB at minute 1, $last KiB at the end: $delta KiB, limit ±$limit KiB)"
    exit 2
fi
