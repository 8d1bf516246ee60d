#!/usr/bin/env bash
# The project's two set-up commands (see README):
#   contrib/dev.sh run    install build deps, build, start lanlord on its built-in default config
#   contrib/dev.sh test   install build and test deps, build, run the whole CTest suite
# Works on a fresh Debian 12 machine; uses sudo for apt-get when not root.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DEPS=(build-essential cmake ninja-build pkg-config libboost-dev libtomlplusplus-dev libspdlog-dev catch2 nlohmann-json3-dev libldns-dev libssl-dev libcrypt-dev libsystemd-dev)
TEST_DEPS=(nsd bind9-dnsutils python3 python3-dnspython iproute2 busybox isc-dhcp-client dhcpcd5 prometheus
           clang-format clang-tidy strace ldnsutils unbound dns-root-data
           chromium chromium-driver python3-selenium dnsmasq-base lintian openssl knot-dnsutils)
BUILD_DIR=${BUILD_DIR:-build}
# The tests the ThreadSanitizer pass runs (a CTest -R pattern): see "test)" below.
TSAN_TESTS='system: (recursion|dnssec: (lanlord|a negative|behind|a clock)|control|upstream sockets|boundary|faults: (30 %|every upstream silent|forged|records outside)|dhcp: (every ACKed|a slow fdatasync|a full disk)|local names: blocklist reloaded|web: (lanlordctl querylog|block, allow and unlist)|dot: (forwarding|200 names|an upstream closing|the DoT listener))'

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

install_packages() {
    local missing=()
    for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "== installing: ${missing[*]}"
    as_root apt-get update -qq
    # Test peers (nsd, unbound) must not start as system services: the tests start their
    # own on 127.x addresses and in network namespaces, and a system NSD on *:53 would
    # take those ports.
    local policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        policy=/usr/sbin/policy-rc.d
        printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
        as_root chmod +x "$policy"
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" || {
        [ -n "$policy" ] && as_root rm -f "$policy"
        return 1
    }
    [ -n "$policy" ] && as_root rm -f "$policy"
    # Debian's unbound enables its service (and unbound-resolvconf, which would point
    # resolv.conf at it) for the next boot: the tests only run their own, so a copy
    # installed here is left disabled. An unbound that was installed before is not touched.
    if [[ " ${missing[*]} " == *" unbound "* ]] && command -v systemctl >/dev/null; then
        as_root systemctl disable unbound.service unbound-resolvconf.service >/dev/null 2>&1 || true
    fi
    return 0
}

build() {  # build [cmake options...] [--target T...]: configures and builds $BUILD_DIR (RelWithDebInfo unless overridden)
    local opts=() targets=()
    while [ $# -gt 0 ]; do
        if [ "$1" = --target ]; then shift; targets=("$@"); break; fi
        opts+=("$1"); shift
    done
    cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${opts[@]}" >/dev/null
    cmake --build "$BUILD_DIR" -j "$(nproc)" ${targets[@]:+--target "${targets[@]}"}
}

case "${1:-}" in
    run)
        install_packages "${BUILD_DEPS[@]}" bind9-dnsutils
        build
        echo
        echo "lanlord runs on its built-in default: 127.0.0.1 and ::1 port 5353, upstreams from /etc/resolv.conf."
        echo "Ask it from another terminal:   dig @127.0.0.1 -p 5353 example.org"
        echo "Stop it with Ctrl-C."
        echo
        exec "$BUILD_DIR/daemon/lanlord"
        ;;
    test)
        install_packages "${BUILD_DEPS[@]}" "${TEST_DEPS[@]}"
        start=$SECONDS
        rc=0
        # 1. Release build, warnings are errors, with the clang-tidy check.
        echo "== test suite (release build, warnings as errors, clang-tidy; $BUILD_DIR)"
        build -DLANLORD_WERROR=ON -DLANLORD_CLANG_TIDY=ON
        (cd "$BUILD_DIR" && ctest --output-on-failure -j "$(nproc)" --timeout 300) || rc=1
        echo "== release pass done after $((SECONDS - start)) s"
        # 2. The whole suite again under AddressSanitizer and UBSan: a second
        #    build directory, Debug, every UB fatal, internal checks abort.
        if [ "${LANLORD_SKIP_SANITIZERS:-0}" != 1 ]; then
            echo "== test suite again under ASan+UBSan (${BUILD_DIR}-asan)"
            BUILD_DIR="${BUILD_DIR}-asan" build -DCMAKE_BUILD_TYPE=Debug -DLANLORD_SANITIZE=ON -DLANLORD_WERROR=ON
            (cd "${BUILD_DIR}-asan" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
                ctest --output-on-failure -j "$(nproc)" --timeout 300) || rc=1
            echo "== ASan pass done after $((SECONDS - start)) s"
            # 3. ThreadSanitizer (cannot share a build with ASan) over the tests
            #    that run several threads at once: DNS on 2 threads (recursion with its shared caches, DNSSEC
            #    validation with its shared key cache and per-thread crypto caches, control,
            #    faults, shared upstream sockets, boundaries), the journal
            #    writer (DHCP durability, slow fdatasync, disk full) and the
            #    blocklist loader (blocklist reloads). The unit tests are left
            #    out: none of them starts a thread. A race report in
            #    lanlord's log fails the case (lanlord_test.py).
            echo "== threaded tests under ThreadSanitizer (${BUILD_DIR}-tsan)"
            #    Only the programs those tests run are built: the unit tests, fuzz
            #    replays and benchmarks would cost a third of CI's time for nothing.
            BUILD_DIR="${BUILD_DIR}-tsan" build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLANLORD_TSAN=ON -DLANLORD_WERROR=ON \
                --target lanlord lanlordctl dhcpblast dhcpreflect lanlord_test_netlink_fault
            (cd "${BUILD_DIR}-tsan" && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
                ctest --output-on-failure -j "$(nproc)" --timeout 300 -R "$TSAN_TESTS") || rc=1
            echo "== TSan pass done after $((SECONDS - start)) s"
        fi
        exit $rc
        ;;
    *)
        echo "usage: $0 run|test" >&2
        exit 2
        ;;
esac
