#!/usr/bin/env bash
# Blocklist benchmark (a Pi must hold a 1,000,000-domain list): load such a list and
# report load time, resident memory, and cached-answer throughput with the list
# loaded versus without it. Loopback only; cleans up what it starts.
#   contrib/bench/blocklist.sh [DOMAINS] [SECONDS]
# Needs: dnsperf, nsd, dig; a built lanlord (BUILD_DIR, default build).
set -euo pipefail
cd "$(dirname "$0")/../.."
DOMAINS=${1:-1000000}
SECS=${2:-10}
LANLORD=${LANLORD:-$PWD/${BUILD_DIR:-build}/daemon/lanlord}
WORK=$(mktemp -d /tmp/lanlord-blockbench.XXXXXX)
ADDR=127.0.77.1; UP=127.0.77.2
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

# Upstream: NSD with 1,000 names that the cache will hold.
{
    echo '$ORIGIN bench.test.'; echo '$TTL 86400'
    echo '@ IN SOA ns hostmaster 1 3600 600 86400 3600'; echo '@ IN NS ns'; echo 'ns IN A 192.0.2.1'
    for i in $(seq 0 999); do echo "h$i IN A 192.0.2.$((i % 250 + 1))"; done
} > "$WORK/bench.zone"
for i in $(seq 0 999); do echo "h$i.bench.test A"; done > "$WORK/queries.txt"
cat > "$WORK/nsd.conf" <<EOC
server:
  ip-address: $UP@5300
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
  name: bench.test
  zonefile: bench.zone
EOC
/usr/sbin/nsd -d -c "$WORK/nsd.conf" >"$WORK/nsd.log" 2>&1 & PIDS+=($!)

echo "generating $DOMAINS blocked domains..."
/usr/bin/python3 - "$WORK/block.txt" "$DOMAINS" <<'EOP'
import random, sys
random.seed(7)
alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'
with open(sys.argv[1], 'w') as f:
    for i in range(int(sys.argv[2])):
        label = ''.join(random.choice(alphabet) for _ in range(random.randint(6, 14)))
        f.write('0.0.0.0 %s.%s.example\n' % (label, ('ads', 'track', 'metrics', 'cdn')[i % 4]))
EOP

run() {  # run NAME WITH_LIST
    local name=$1 with=$2 files="[]"
    [ "$with" = yes ] && files="[\"$WORK/block.txt\"]"
    cat > "$WORK/$name.toml" <<EOC
log_level = "info"
[dns]
listen = ["$ADDR:5353"]
[local]
hosts = []
[blocklist]
files = $files
[[upstream]]
servers = ["$UP:5300"]
EOC
    local t0; t0=$(date +%s.%N)
    "$LANLORD" --config "$WORK/$name.toml" >"$WORK/$name.log" 2>&1 & local pid=$!; PIDS+=($pid)
    until dig +short +time=1 +tries=1 -p 5353 @$ADDR h0.bench.test >/dev/null 2>&1; do sleep 0.05; done
    if [ "$with" = yes ]; then
        until grep -q "blocklists:" "$WORK/$name.log"; do sleep 0.05; done
        local t1; t1=$(date +%s.%N)
        echo "with list: $(grep -o 'blocklists:.*' "$WORK/$name.log")"
        echo "with list: wall time from exec to list in force: $(echo "$t1 - $t0" | bc) s; peak RSS $(grep VmHWM /proc/$pid/status | awk '{print $2}') KiB"
    fi
    dnsperf -s $ADDR -p 5353 -d "$WORK/queries.txt" -l 2 -c 4 -q 100 >/dev/null 2>&1  # warm the cache
    local qps
    qps=$(dnsperf -s $ADDR -p 5353 -d "$WORK/queries.txt" -l "$SECS" -c 8 -q 500 2>/dev/null | awk '/Queries per second/ {print $4}')
    echo "$name: RSS $(grep VmRSS /proc/$pid/status | awk '{print $2}') KiB, cached answers ${qps} qps"
    kill $pid; wait $pid 2>/dev/null || true
}
run without no
run with yes
