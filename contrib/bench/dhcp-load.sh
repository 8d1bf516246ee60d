#!/bin/bash
# dhcp-load.sh SERVER [...] - the shared DHCP load harness (../shared/bench/dhcp/load.sh, unmodified)
# with dhcpblast as its load generator instead of perfdhcp.
#
# perfdhcp saturates near 18,000 DORA/s on one core here; dhcpblast (contrib/bench/dhcpblast) takes
# the same options and prints the same report, and reaches 80,000 DORA/s against a trivial
# responder, so the harness can measure servers faster than perfdhcp. load.sh calls `perfdhcp`
# by name: PATH is prefixed with <build>/contrib/bench/dhcpblast/perfdhcp-compat, where
# perfdhcp is a symlink to dhcpblast. lanlord's peer file comes from contrib/bench/dhcp-peers.
#
#   contrib/bench/dhcp-load.sh lanlord
#   DH_LOAD_MODES=dora DH_LOAD_SECS=5 DH_LOAD_TRIES=1 DH_LOAD_START=4000 contrib/bench/dhcp-load.sh kea
#
# Environment:
#   BUILD_DIR     build directory (default: build/ of this repository; configured as Release if
#                 missing); dhcpblast and lanlord are built there
#   LANLORD_BIN   lanlord binary for the lanlord peer (default: $BUILD_DIR/daemon/lanlord)
#                 (peer dhcpreflect: a responder without leases, for the generator's own ceiling)
#   DH_GEN        dhcpblast (default) or perfdhcp: the real /usr/sbin/perfdhcp, for comparison
#   DH_BENCH_DIR  the harness (default: ../shared/bench/dhcp next to this repository)
#   DH_NO_BUILD=1 do not build, use what is in $BUILD_DIR
# Everything else (DH_LOAD_*, DH_PIN, peer tuning) passes through to load.sh.
set -eu
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BENCH=${DH_BENCH_DIR:-$(cd "$ROOT/../shared/bench/dhcp" 2>/dev/null && pwd || true)}
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR=$PWD/$BUILD_DIR ;; esac
GEN=${DH_GEN:-dhcpblast}

[ -x "$BENCH/load.sh" ] || { echo "dhcp-load.sh: no load.sh in '$BENCH' (set DH_BENCH_DIR)" >&2; exit 2; }
[ $# -ge 1 ] || { echo "usage: $0 SERVER   (peers: lanlord from $HERE/dhcp-peers, others from $BENCH/peers)" >&2; exit 2; }

if [ "${DH_NO_BUILD:-0}" != 1 ]; then
    if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
        cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >&2
    fi
    cmake --build "$BUILD_DIR" --target dhcpblast dhcpreflect lanlord >&2
fi

COMPAT=$BUILD_DIR/contrib/bench/dhcpblast/perfdhcp-compat
export EXTRA_PEERS_DIR=$HERE/dhcp-peers
export LANLORD_BIN=${LANLORD_BIN:-$BUILD_DIR/daemon/lanlord}
export DHCPREFLECT_BIN=${DHCPREFLECT_BIN:-$BUILD_DIR/contrib/bench/dhcpblast/dhcpreflect}
case "$GEN" in
    dhcpblast)
        [ -x "$COMPAT/perfdhcp" ] || { echo "dhcp-load.sh: $COMPAT/perfdhcp missing (build dhcpblast)" >&2; exit 1; }
        export PATH=$COMPAT:$PATH
        echo "# generator: dhcpblast ($(readlink -f "$COMPAT/perfdhcp"), called as perfdhcp), not perfdhcp"
        ;;
    perfdhcp)
        echo "# generator: perfdhcp ($(command -v perfdhcp || echo 'not found'); $(perfdhcp -v 2>&1 | head -1))"
        ;;
    *) echo "dhcp-load.sh: DH_GEN must be dhcpblast or perfdhcp" >&2; exit 2 ;;
esac
exec "$BENCH/load.sh" "$@"
