# The forwarders of contrib/bench/dnssec-forwarding.sh (sourced by it). For each NAME:
#   NAME_available   the daemon is installed
#   NAME_version     one line for the report
#   NAME_desc        the settings that differ from the daemon's defaults
#   NAME_start       writes its configuration into $PEER_DIR and starts it in the foreground, in the background,
#                    with the shared harness's bg_run (inside the namespace, on the forwarder's CPU; both exec, so
#                    BG_PID is the daemon); sets PEER_PID. Listens on $FWD_ADDR:53, forwards everything to
#                    $UPSTREAM_ADDR:53 and validates with $TRUST_ANCHOR (the fake root's DS) as its only anchor.
#   NAME_stop        optional cleanup of what NAME_start made outside $PEER_DIR (after kill_pid)
# Every forwarder keeps its defaults otherwise (one worker thread/process, its own cache policy, aggressive NSEC,
# ...); the caches are sized from CACHE_SIZE so that nothing is evicted.
# Variables: FWD_ADDR UPSTREAM_ADDR CLIENT_NET TRUST_ANCHOR TRUST_ANCHOR_DNSKEY CACHE_SIZE PEER_DIR SHM_DIR LANLORD_RUN_BIN

# ---------------------------------------------------------------- lanlord (ours)
lanlord_available() { [ -x "${LANLORD_RUN_BIN:-}" ]; }
lanlord_version() { "$LANLORD_RUN_BIN" --version | head -1; }
lanlord_desc() { echo "threads=1, one forwarding [[upstream]] group (servers = the upstream), [dnssec] validate_forwarded = true, trust_anchor_file = the fake root DS, cache size=$CACHE_SIZE, max_memory 1GiB, no hosts file, log_level warn"; }
lanlord_start() {
    cat >"$PEER_DIR/lanlord.toml" <<EOC
log_level = "warn"
threads = 1
[dns]
listen = ["$FWD_ADDR:53"]
allow = ["$CLIENT_NET"]
[local]
hosts = []
[cache]
size = $CACHE_SIZE
max_memory = "1GiB"
[control]
socket = "$PEER_DIR/ctl.sock"
[dnssec]
validate_forwarded = true
trust_anchor_file = "$TRUST_ANCHOR"
timestamp_file = "$PEER_DIR/state/dnssec-timestamp"
[[upstream]]
name = "upstream"
servers = ["$UPSTREAM_ADDR:53"]
domains = ["."]
EOC
    mkdir -p "$PEER_DIR/state"
    bg_run "$PEER_DIR/lanlord.log" env STATE_DIRECTORY="$PEER_DIR/state" "$LANLORD_RUN_BIN" --config "$PEER_DIR/lanlord.toml"
    PEER_PID=$BG_PID
}

# ---------------------------------------------------------------- dnsmasq --dnssec
dnsmasq_available() { [ -x /usr/sbin/dnsmasq ] && /usr/sbin/dnsmasq --version | grep -q ' DNSSEC'; }
dnsmasq_version() { /usr/sbin/dnsmasq --version | head -1; }
dnsmasq_desc() { echo "--dnssec, --trust-anchor = the fake root DS, server = the upstream, no-resolv, no-hosts, cache-size=$CACHE_SIZE, dns-forward-max=5000 (as ../shared/bench/dns), dnssec-check-unsigned at its default (on)"; }
dnsmasq_start() {
    local ta
    ta=$(awk '!/^;/ { for (i = 1; i <= NF; i++) if ($i == "DS") { printf "%s,%s,%s,%s,%s", $1, $(i+1), $(i+2), $(i+3), $(i+4); exit } }' "$TRUST_ANCHOR")
    cat >"$PEER_DIR/dnsmasq.conf" <<EOC
port=53
listen-address=$FWD_ADDR
bind-interfaces
no-resolv
no-poll
no-hosts
server=$UPSTREAM_ADDR
cache-size=$CACHE_SIZE
dns-forward-max=5000
user=root
pid-file=$PEER_DIR/dnsmasq.pid
log-facility=$PEER_DIR/dnsmasq.log
dnssec
trust-anchor=$ta
EOC
    bg_run "$PEER_DIR/stdout.log" /usr/sbin/dnsmasq --keep-in-foreground -C "$PEER_DIR/dnsmasq.conf"
    PEER_PID=$BG_PID
}

# ---------------------------------------------------------------- unbound as a validating forwarder
unbound_available() { [ -x /usr/sbin/unbound ]; }
unbound_version() { /usr/sbin/unbound -V | head -1; }
unbound_desc() { echo "num-threads=1, module-config \"validator iterator\", trust-anchor-file = the fake root DS, forward-zone \".\" to the upstream (forward-first no), msg/rrset cache from CACHE_SIZE, defaults otherwise"; }
unbound_start() {
    local msg_mb=$(( CACHE_SIZE / 1000 + 4 ))
    cat >"$PEER_DIR/unbound.conf" <<EOC
server:
    verbosity: 0
    interface: $FWD_ADDR
    port: 53
    do-ip4: yes
    do-ip6: no
    num-threads: 1
    username: ""
    chroot: ""
    directory: "$PEER_DIR"
    pidfile: "$PEER_DIR/unbound.pid"
    logfile: "$PEER_DIR/unbound.log"
    use-syslog: no
    do-daemonize: no
    access-control: $CLIENT_NET allow
    module-config: "validator iterator"
    trust-anchor-file: "$TRUST_ANCHOR"
    msg-cache-size: ${msg_mb}m
    rrset-cache-size: $(( msg_mb * 2 ))m
    statistics-interval: 0
remote-control:
    control-enable: no
forward-zone:
    name: "."
    forward-addr: $UPSTREAM_ADDR
    forward-first: no
EOC
    bg_run "$PEER_DIR/stdout.log" /usr/sbin/unbound -d -c "$PEER_DIR/unbound.conf"
    PEER_PID=$BG_PID
}

# ---------------------------------------------------------------- Knot Resolver, policy.FORWARD (validating)
kresd_available() { [ -x /usr/sbin/kresd ]; }
kresd_version() { /usr/sbin/kresd --version | head -1; }
kresd_desc() { echo "1 process, policy.FORWARD to the upstream for every name (validating; policy.STUB would not), trust_anchors.add_file(the fake root DS, readonly) after removing the built-in root anchor, default modules, LMDB cache in tmpfs sized from CACHE_SIZE"; }
kresd_start() {
    KRESD_CACHE_DIR=$(mktemp -d -p "$SHM_DIR" kresd-cache.XXXXXX)
    local cache_mb=$(( CACHE_SIZE * 2 / 1000 + 64 ))
    cat >"$PEER_DIR/kresd.conf" <<EOC
log_level('notice')
net.ipv6 = false
net.listen('$FWD_ADDR', 53, { kind = 'dns' })
cache.open($cache_mb * MB, 'lmdb://$KRESD_CACHE_DIR')
trust_anchors.remove('.')
trust_anchors.add_file('$TRUST_ANCHOR', true)
policy.add(policy.all(policy.FORWARD({'$UPSTREAM_ADDR'})))
EOC
    mkdir -p "$PEER_DIR/rundir"
    bg_run "$PEER_DIR/stdout.log" /usr/sbin/kresd -n -c "$PEER_DIR/kresd.conf" "$PEER_DIR/rundir"
    PEER_PID=$BG_PID
}
kresd_stop() { [ -n "${KRESD_CACHE_DIR:-}" ] && rm -rf "$KRESD_CACHE_DIR"; KRESD_CACHE_DIR=; }
kresd_mem_extra() { du -sk "$KRESD_CACHE_DIR" 2>/dev/null | cut -f1; }
