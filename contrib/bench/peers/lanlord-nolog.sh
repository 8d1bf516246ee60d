# lanlord with its query log off ([querylog] size = 0), beside lanlord.sh (the default: log on), to measure
# what logging every query costs the hit path:
#   EXTRA_PEERS_DIR=$PWD/contrib/bench/peers MODES=pinned ../shared/bench/dns/run.sh reflector lanlord lanlord-nolog
# Defaults kept except: listen/upstream from the harness, cache size, no hosts
# file, no resolv.conf, warnings only in the log (the harness reads no log).
LANLORD_REPO=${LANLORD_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}
LANLORD_BIN=${LANLORD_BIN:-$LANLORD_REPO/build/daemon/lanlord}
PEER_DESC="lanlord (ours), query log OFF ([querylog] size = 0), threads=${LANLORD_THREADS:-1}, cache size=CACHE_SIZE, serve-stale and prefetch on (defaults)"
peer_version() { "$LANLORD_BIN" --version | head -1; }
peer_start() {
    cat >"$PEER_DIR/lanlord.toml" <<EOC
log_level = "warn"
threads = ${LANLORD_THREADS:-1}
[dns]
listen = ["$LISTEN_ADDR:$LISTEN_PORT"]
[local]
hosts = []
[querylog]
size = 0
[cache]
size = $CACHE_SIZE
max_memory = "1GiB"
[[upstream]]
servers = ["$UPSTREAM_ADDR:$UPSTREAM_PORT"]
EOC
    bg_run "$PEER_DIR/stdout.log" "$LANLORD_BIN" --config "$PEER_DIR/lanlord.toml"
    PEER_PID=$BG_PID
}
