#!/bin/bash
# The web page's API with a full query log: how long /api/dashboard and
# /api/querylog take when the log holds [querylog] size records (issue 14:
# "within 50 ms with a full log").
#
#   contrib/bench/querylog-api.sh                 # 100,000 records (the default size), 30 requests per route
#   SIZE=200000 REQUESTS=50 contrib/bench/querylog-api.sh
#   LANLORD_BIN=/path/to/lanlord contrib/bench/querylog-api.sh
#
# Needs root is not needed; needs dnsperf, curl, python3 (Debian packages). Loopback only: lanlord listens on
# 127.0.77.1 (DNS port 5377, web 8077). Answers come from a hosts file of 20,000 names (every outcome "local")
# and a blocklist of 1,000 (outcome "blocked"); the names asked are drawn with a Zipf-like skew so the top
# lists have work to do; 1.5 x SIZE queries fill the rings and wrap them.
# The cost measured is the daemon's whole answer (read the rings, merge, count, JSON) plus loopback HTTP,
# timed by curl (time_total), and the daemon's CPU per request from /proc (utime+stime of the process).
set -euo pipefail
cd "$(dirname "$0")/../.."
LANLORD_BIN=${LANLORD_BIN:-$PWD/build/daemon/lanlord}
SIZE=${SIZE:-100000}
REQUESTS=${REQUESTS:-30}
ADDR=127.0.77.1
work=$(mktemp -d /tmp/lanlord-qlapi-XXXXXX)
pid=""
cleanup() { [ -n "${HOLD:-}" ] && sleep "$HOLD"; [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
mkdir -p "$work/state"
python3 - "$work" "$SIZE" <<'PY'
import random, sys
work, size = sys.argv[1], int(sys.argv[2])
random.seed(7)
with open(f"{work}/hosts", "w") as f:
    for i in range(20000):
        f.write(f"10.{i // 65536}.{i // 256 % 256}.{i % 256} host{i}.lan\n")
with open(f"{work}/block.list", "w") as f:
    for i in range(1000):
        f.write(f"ads{i}.example\n")
with open(f"{work}/queries", "w") as f:
    for _ in range(size * 3 // 2):
        if random.random() < 0.1:
            f.write(f"ads{int(random.paretovariate(1.2)) % 1000}.example A\n")
        else:
            f.write(f"host{int(random.paretovariate(1.1)) % 20000}.lan A\n")
PY
cat >"$work/lanlord.toml" <<EOC
log_level = "warn"
threads = 1
[dns]
listen = ["$ADDR:5377"]
client_rate_limit = 0
[local]
hosts = ["$work/hosts"]
[blocklist]
files = ["$work/block.list"]
[querylog]
size = $SIZE
[control]
socket = "$work/ctl.sock"
[web]
listen = "$ADDR:8077"
EOC
STATE_DIRECTORY=$work/state "$LANLORD_BIN" --config "$work/lanlord.toml" >"$work/log" 2>&1 &
pid=$!
for _ in $(seq 100); do dig +short +time=1 +tries=1 @$ADDR -p 5377 host1.lan >/dev/null 2>&1 && break; sleep 0.1; done
echo 'benchmark password' | "$(dirname "$LANLORD_BIN")/lanlordctl" --socket "$work/ctl.sock" web-password >/dev/null
echo "filling the log: $((SIZE * 3 / 2)) queries"
dnsperf -s $ADDR -p 5377 -d "$work/queries" -n 1 -c 4 -q 200 >"$work/dnsperf.txt" 2>&1
grep -E "Queries (sent|completed)" "$work/dnsperf.txt"
curl -s -c "$work/cookies" -H 'Content-Type: application/json' -d '{"password":"benchmark password"}' \
    "http://$ADDR:8077/api/login" >/dev/null
cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
printf '\n| route | records | median ms | p90 ms | max ms | daemon CPU ms/request |\n|---|---|---|---|---|---|\n'
for route in "dashboard" "querylog?limit=100" "querylog?limit=1000" "querylog?name=host19&limit=100" \
             "querylog?outcome=blocked&limit=100" "querylog?client=192.0.2.1&limit=100"; do
    before=$(cpu_ticks)
    for _ in $(seq "$REQUESTS"); do
        curl -s -o /dev/null -b "$work/cookies" -w '%{time_total}\n' "http://$ADDR:8077/api/$route"
    done >"$work/times"
    after=$(cpu_ticks)
    python3 - "$work/times" "$route" "$SIZE" "$before" "$after" "$hz" "$REQUESTS" <<'PY'
import statistics, sys
times = sorted(float(x) * 1000 for x in open(sys.argv[1]))
route, size, before, after, hz, n = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
p90 = times[int(len(times) * 0.9) - 1]
cpu = (after - before) * 1000 / hz / n
print(f"| /api/{route} | {size:,} | {statistics.median(times):.1f} | {p90:.1f} | {times[-1]:.1f} | {cpu:.1f} |")
PY
done
echo
echo "records held: $(curl -s -b "$work/cookies" "http://$ADDR:8077/api/querylog?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["result"]["capacity"])') capacity; $(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
