#!/bin/bash
# dhcpreflect as a peer of ../shared/bench/dhcp/load.sh: a responder with no lease logic at all
# (contrib/bench/dhcpblast/dhcpreflect.cpp), to find the ceiling of the load generator and the
# harness's topology themselves. Not a DHCP server: `leases` prints nothing.
#
#   contrib/bench/dhcp-load.sh dhcpreflect            (dhcpblast as the generator)
#   DH_GEN=perfdhcp contrib/bench/dhcp-load.sh dhcpreflect
#
# DHCPREFLECT_BIN: the binary (default: build/contrib/bench/dhcpblast/dhcpreflect of this
# repository; dhcp-load.sh sets it from BUILD_DIR).
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH=${DH_BENCH_DIR:-$(cd "$HERE/../../../../shared/bench/dhcp" 2>/dev/null && pwd)}
. "$BENCH/lib.sh"

DHCPREFLECT_BIN=${DHCPREFLECT_BIN:-$(cd "$HERE/../../.." && pwd)/build/contrib/bench/dhcpblast/dhcpreflect}
: "${DH_DIR:?DH_DIR (state directory) must be set}"
DH_NS=${DH_NS:-dhsrv}
DH_IF=${DH_IF:-dhsrveth}
PIDF=$DH_DIR/dhcpreflect.pid.harness

start() {
    mkdir -p "$DH_DIR"
    local addr
    addr=$(ip -n "$DH_NS" -4 -o addr show dev "$DH_IF" | awk '{ split($4, a, "/"); print a[1]; exit }')
    [ -n "$addr" ] || { echo "no IPv4 address on $DH_NS/$DH_IF" >&2; return 1; }
    ip netns exec "$DH_NS" "$DHCPREFLECT_BIN" "$addr" >"$DH_DIR/dhcpreflect.out" 2>&1 &
    local pid=$!
    echo "$pid" > "$PIDF"
    if ! wait_for 5 sh -c "ip netns exec '$DH_NS' ss -Hlunp 'sport = :67' | grep -q 'pid=$pid,'"; then
        echo "dhcpreflect did not start:" >&2; cat "$DH_DIR/dhcpreflect.out" >&2
        stop; return 1
    fi
    echo "$pid"
}

stop() {
    [ -f "$PIDF" ] || return 0
    stop_pid "$(cat "$PIDF")" TERM
    rm -f "$PIDF"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    leases) ;;
    version) echo 1 ;;
    config) echo "dhcpreflect on the first IPv4 address of $DH_IF" ;;
    describe) echo "dhcpreflect: answers every DISCOVER/REQUEST at once, no leases (measures the generator)" ;;
    variants) echo "default DH_LOAD_START=8000 DH_LOAD_MAXRATE=256000" ;;
    *) echo "usage: $0 start|stop|leases|version|config|describe|variants" >&2; exit 2 ;;
esac
