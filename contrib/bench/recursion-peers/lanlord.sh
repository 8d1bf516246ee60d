# lanlord as a recursive resolver for ../shared/bench/recursion (run.sh sources this; see its peers/README).
#   EXTRA_PEERS_DIR=$PWD/contrib/bench/recursion-peers ../shared/bench/recursion/run.sh unbound lanlord
#   SCALE=0.2 MODES=plain EXTRA_PEERS_DIR=... run.sh unbound lanlord      (a quick look, ~1 min)
# Defaults kept (QNAME minimisation, 0x20, serve-stale, prefetch, ...) except: one upstream group resolving "."
# from the harness's ROOT_HINTS, IPv6 transport off (the namespace has IPv4 only), clients of CLIENT_NET
# allowed, the cache sized from CACHE_SIZE, no hosts file, warnings only in the log. AUTH_NETS (TEST-NET) are
# not private ranges, so [recursion] allow_private stays empty.
# Signed mode ($TRUST_ANCHOR set): [dnssec] validates with that file as the only trust anchor (as the other
# peers are set up); the timestamp file goes to the peer's state directory. Plain mode: validate = false, as
# unbound's and kresd's configurations in plain mode have no anchor. LANLORD_EXTRA_TOML is appended to the file.
# LANLORD_BIN: the binary (default: build/daemon/lanlord of this repository); LANLORD_THREADS (default 1).
LANLORD_REPO=${LANLORD_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}
LANLORD_BIN=${LANLORD_BIN:-$LANLORD_REPO/build/daemon/lanlord}
PEER_DESC="lanlord (ours), threads=${LANLORD_THREADS:-1}, recursive from ROOT_HINTS, ipv6 off, cache size=CACHE_SIZE, validating with TRUST_ANCHOR in the signed mode${LANLORD_EXTRA_TOML:+, + LANLORD_EXTRA_TOML}"
peer_available() { [ -x "$LANLORD_BIN" ]; }
peer_version() { "$LANLORD_BIN" --version | head -1; }
peer_start() {
    local dnssec="validate = false"
    [ -n "${TRUST_ANCHOR:-}" ] && dnssec="validate = true
trust_anchor_file = \"$TRUST_ANCHOR\"
timestamp_file = \"$PEER_DIR/state/dnssec-timestamp\""
    cat >"$PEER_DIR/lanlord.toml" <<EOC
log_level = "warn"
threads = ${LANLORD_THREADS:-1}
[dns]
listen = ["$LISTEN_ADDR:$LISTEN_PORT"]
allow = ["$CLIENT_NET"]
[local]
hosts = []
[cache]
size = $CACHE_SIZE
max_memory = "1GiB"
[control]
socket = "$PEER_DIR/ctl.sock"
[recursion]
root_hints = "$ROOT_HINTS"
ipv6 = "off"
[dnssec]
$dnssec
[[upstream]]
name = "internet"
recursive = true
domains = ["."]
${LANLORD_EXTRA_TOML:-}
EOC
    mkdir -p "$PEER_DIR/state"
    bg_run "$PEER_DIR/stdout.log" env STATE_DIRECTORY="$PEER_DIR/state" "$LANLORD_BIN" --config "$PEER_DIR/lanlord.toml"
    PEER_PID=$BG_PID
}
