#!/bin/bash
# lanlord as a peer of ../shared/bench/dhcp (clients.sh, load.sh, durability.sh):
#   EXTRA_PEERS_DIR=$PWD/contrib/bench/dhcp-peers ../shared/bench/dhcp/clients.sh lanlord
#
#   lanlord.sh start|stop|leases|version|config|describe|variants
#
# Parameters: the harness's DH_* set (DH_DIR DH_NS DH_IF DH_SUBNET DH_POOL_START DH_POOL_END DH_ROUTER
# DH_DNS DH_LEASE DH_T1 DH_T2 DH_RESERVE DH_LEASEFILE DH_LOG DH_AUTHORITATIVE).
# LANLORD_BIN: the binary (default: build/daemon/lanlord of this repository).
# lanlord also answers DNS; here it listens on 127.0.0.1:5399 inside the server namespace only.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH=${DH_BENCH_DIR:-$(cd "$HERE/../../../../shared/bench/dhcp" 2>/dev/null && pwd)}
. "$BENCH/lib.sh"

LANLORD_BIN=${LANLORD_BIN:-$(cd "$HERE/../../.." && pwd)/build/daemon/lanlord}
: "${DH_DIR:?DH_DIR (state directory) must be set}"
DH_NS=${DH_NS:-dhsrv}
DH_IF=${DH_IF:-dhsrveth}
DH_SUBNET=${DH_SUBNET:-192.0.2.0/24}
DH_POOL_START=${DH_POOL_START:-192.0.2.100}
DH_POOL_END=${DH_POOL_END:-192.0.2.199}
DH_ROUTER=${DH_ROUTER:-192.0.2.254}
DH_DNS=${DH_DNS:-192.0.2.53,192.0.2.54}
DH_LEASE=${DH_LEASE:-3600}
DH_T1=${DH_T1:-}
DH_T2=${DH_T2:-}
DH_RESERVE=${DH_RESERVE:-}
DH_LEASEFILE=${DH_LEASEFILE:-$DH_DIR/lanlord.journal}
DH_LOG=${DH_LOG:-info}
DH_AUTHORITATIVE=${DH_AUTHORITATIVE:-1}
PIDF=$DH_DIR/lanlord.pid.harness

gen_config() {
    local dns="" d pair level=info
    for d in ${DH_DNS//,/ }; do dns="$dns\"$d\", "; done
    [ "$DH_LOG" = quiet ] && level=warn
    [ "$DH_LOG" = debug ] && level=debug
    cat <<EOC
log_level = "$level"
threads = 1
[dns]
listen = ["127.0.0.1:5399"]
[local]
hosts = []
[dhcp]
journal = "$DH_LEASEFILE"
[[dhcp.subnet]]
interface = "$DH_IF"
subnet = "$DH_SUBNET"
pools = ["$DH_POOL_START-$DH_POOL_END"]
lease_time = $DH_LEASE
routers = ["$DH_ROUTER"]
dns_servers = [${dns%, }]
authoritative = $([ "$DH_AUTHORITATIVE" = 1 ] && echo true || echo false)
EOC
    [ -n "$DH_T1" ] && echo "t1 = $DH_T1"
    [ -n "$DH_T2" ] && echo "t2 = $DH_T2"
    for pair in $DH_RESERVE; do
        printf '[[dhcp.reservation]]\nmac = "%s"\naddress = "%s"\n' "${pair%%=*}" "${pair#*=}"
    done
    echo "[[upstream]]"
    echo 'servers = ["127.0.0.1:5398"]'
}

start() {
    mkdir -p "$DH_DIR"
    gen_config > "$DH_DIR/lanlord.toml"
    ip netns exec "$DH_NS" ip link set lo up
    ip netns exec "$DH_NS" "$LANLORD_BIN" --config "$DH_DIR/lanlord.toml" >"$DH_DIR/lanlord.out" 2>&1 &
    local pid=$!
    echo "$pid" > "$PIDF"
    # Port 67 is bound after the journal replay: that is readiness (the log may be quiet).
    if ! wait_for 10 sh -c "ip netns exec '$DH_NS' ss -Hlunp 'sport = :67' | grep -q 'pid=$pid,'"; then
        echo "lanlord did not start; log:" >&2; tail -20 "$DH_DIR/lanlord.out" >&2
        stop; return 1
    fi
    echo "$pid"
}

stop() {
    [ -f "$PIDF" ] || return 0
    stop_pid "$(cat "$PIDF")" TERM
    rm -f "$PIDF"
}

# Active leases from the journal: replay L (grant) and F (free) lines in order.
leases() {
    [ -f "$DH_LEASEFILE" ] || return 0
    awk -v now="$(date +%s)" '
        $1 == "L" && NF == 7 { mac = ""; for (i = 1; i <= length($4); i += 2) mac = mac (i > 1 ? ":" : "") substr($4, i, 2);
                                lease[$2] = mac " " $5 }
        $1 == "F" && NF == 3 { delete lease[$2] }
        END { for (ip in lease) { split(lease[ip], f, " "); if (f[2] > now) print ip, f[1], f[2] } }' "$DH_LEASEFILE"
}

version() { "$LANLORD_BIN" --version | awk '{print $2}'; }

describe() {
    echo "lanlord $(version): DHCP + DNS, journal with fsync before every ACK (group commit), threads=1"
}

variants() {  # load-test configurations: "LABEL [ENV=VALUE ...]"
    echo "default DH_LOAD_START=100"
    echo "tmpfs DH_LOAD_START=100 DH_LOAD_STATEDIR=/dev/shm"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    leases) leases ;;
    version) version ;;
    config) gen_config ;;
    describe) describe ;;
    variants) variants ;;
    *) echo "usage: $0 start|stop|leases|version|config|describe|variants" >&2; exit 2 ;;
esac
