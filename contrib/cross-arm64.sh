#!/usr/bin/env bash
# Cross-builds lanlord for arm64 (64-bit Raspberry Pi OS / Debian arm64) on an amd64 Debian 12 machine,
# makes its Debian package and smoke-tests the arm64 daemon under qemu-user, on loopback only:
#   contrib/cross-arm64.sh        # as root; leaves build-arm64/lanlord_*_arm64.deb
# Compiler, libraries and pkg-config for arm64: contrib/arm64-toolchain.cmake.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build-arm64}
JOBS=${JOBS:-$(nproc)}
declare -A took=()
result=FAIL tmp="" pid=""
clock_start() { t0=${EPOCHREALTIME/./}; }
clock_stop() { local us=$((${EPOCHREALTIME/./} - t0)); took[$1]=$(printf '%d.%02d' $((us / 1000000)) $((us / 10000 % 100))); }

finish() {
    local rc=$?
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi
    if [ "$result" != PASS ] && [ -s "$tmp/lanlord.log" ]; then echo "== lanlord's log:"; tail -n 30 "$tmp/lanlord.log"; fi
    [ -n "$tmp" ] && rm -rf "$tmp"
    echo "== time: apt ${took[apt]:--} s, configure+build ${took[build]:--} s, cpack ${took[cpack]:--} s," \
         "qemu start to first answer ${took[answer]:--} s"
    echo "cross-arm64: $result"
    [ "$result" = PASS ] || exit $((rc ? rc : 1))
}
trap finish EXIT

# 1. Packages. Debian's multiarch rules decide what is installed for which architecture:
#  - The libraries lanlord links (ldns, OpenSSL, libcrypt, libsystemd, spdlog and fmt) and the -dev
#    packages that carry arch-specific files (toml++ is a compiled library with its .pc file in
#    /usr/lib/<arch>; Boost's CMake package is in /usr/lib/<arch>/cmake) are installed as :arm64.
#    They are all Multi-Arch: same, so they sit beside the amd64 copies, but only at the *same
#    version*: where the amd64 copy is older than the archive's (libssl3, libcap2, libzstd1, ...),
#    apt upgrades the amd64 copy too. That is why this step may upgrade native packages.
#  - libldns-dev is Multi-Arch: same but not co-installable as built: its doxygen HTML pages carry the
#    build time ("Generated on Tue Jan 3 2023 07:38:51"), which differs between the amd64 and arm64
#    builds, and dpkg refuses "trying to overwrite shared '/usr/share/doc/libldns-dev/...html', which
#    is different from other instances". Headers and everything else are identical, so those pages
#    are left out, for good (a later upgrade of both copies would hit the same error): a dpkg
#    path-exclude of that package's *.html only (/etc/dpkg/dpkg.cfg.d/lanlord-cross-arm64).
#  - nlohmann-json3-dev is Architecture: all (its CMake package is in /usr/share): the one copy serves.
#  - catch2 (header-only) is Multi-Arch: foreign: catch2:arm64 would *replace* the amd64 package the
#    native test build needs. The cross build needs neither: tests are off (BUILD_TESTING=OFF below).
#  - pkgconf:arm64 adds the aarch64-linux-gnu-pkg-config wrapper (it runs the native pkgconf-bin).
#  - qemu-user-static gives qemu-aarch64-static; with libc6:arm64 installed, the arm64 dynamic loader
#    (/lib/ld-linux-aarch64.so.1) and libraries are where the binaries ask for them, so it needs no -L.
clock_start
tmp=$(mktemp -d)
dpkg --add-architecture arm64
echo 'path-exclude=/usr/share/doc/libldns-dev/*.html' >/etc/dpkg/dpkg.cfg.d/lanlord-cross-arm64
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    crossbuild-essential-arm64 dpkg-dev cmake ninja-build pkg-config pkgconf:arm64 qemu-user-static \
    file bind9-dnsutils iproute2 \
    libldns-dev:arm64 libssl-dev:arm64 libcrypt-dev:arm64 libsystemd-dev:arm64 libspdlog-dev:arm64 \
    libfmt-dev:arm64 libtomlplusplus-dev:arm64 libboost-dev:arm64 nlohmann-json3-dev \
    >"$tmp/apt.log" 2>&1 || { tail -n 20 "$tmp/apt.log"; exit 1; }
clock_stop apt

# 2. Build. BUILD_TESTING=OFF (CTest's own option) leaves tests/ out, and with it Catch2 and the
# test tools' checks; install (and so cpack) needs only these four targets, as in package.sh.
clock_start
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_TOOLCHAIN_FILE="$PWD/contrib/arm64-toolchain.cmake" \
    -DBUILD_TESTING=OFF -DCMAKE_SKIP_INSTALL_ALL_DEPENDENCY=ON >/dev/null
nice cmake --build "$BUILD_DIR" -j "$JOBS" --target lanlord lanlordctl lanlord_man_pages lanlord_changelog
clock_stop build
file "$BUILD_DIR"/daemon/lanlord "$BUILD_DIR"/daemon/lanlordctl
file -b "$BUILD_DIR"/daemon/lanlord | grep -q 'ARM aarch64' || { echo "lanlord is not an aarch64 binary" >&2; exit 1; }

# 3. Package. dpkg-shlibdeps finds the arm64 libraries through multiarch (libc6:arm64 adds
# /usr/lib/aarch64-linux-gnu to /etc/ld.so.conf.d) and maps them to their :arm64 packages.
clock_start
rm -f "$BUILD_DIR"/lanlord_*.deb
(cd "$BUILD_DIR" && cpack -G DEB >/dev/null)
clock_stop cpack
deb=$(echo "$BUILD_DIR"/lanlord_*_arm64.deb)
[ -f "$deb" ] || { echo "no arm64 package in $BUILD_DIR" >&2; ls "$BUILD_DIR"/*.deb >&2 || true; exit 1; }
ls -l "$deb"
dpkg-deb -f "$deb" Package Version Architecture Depends
if command -v lintian >/dev/null; then echo "== lintian"; lintian --allow-root "$deb"; fi

# 4. Smoke test under qemu-user: a local record answered by the arm64 daemon on 127.0.0.1. The one
# upstream, a closed loopback port, replaces the default (the servers of /etc/resolv.conf), so nothing
# leaves the machine; the control socket and state files go to the temporary directory.
for port in $(shuf -i 20000-60000 -n 50); do
    [ -z "$(ss -Hanu "sport = :$port")$(ss -Hant "sport = :$port")" ] && break
done
name=cross-arm64.lanlord.test addr=192.0.2.64
cat >"$tmp/lanlord.toml" <<EOF
[dns]
listen = ["127.0.0.1:$port"]
[local]
hosts = []
[[local.record]]
name = "$name"
type = "A"
data = "$addr"
[[upstream]]
name = "loopback-only"
servers = ["127.0.0.1:9"]
[control]
socket = "$tmp/control.sock"
EOF
qemu-aarch64-static "$BUILD_DIR"/daemon/lanlord --check-config "$tmp/lanlord.toml"
clock_start
STATE_DIRECTORY=$tmp qemu-aarch64-static "$BUILD_DIR"/daemon/lanlord --config "$tmp/lanlord.toml" \
    >"$tmp/lanlord.log" 2>&1 &
pid=$!
answer="" deadline=$((SECONDS + 60))  # qemu translates the code as it first runs it
while [ $SECONDS -lt $deadline ]; do
    kill -0 "$pid" 2>/dev/null || { echo "lanlord exited" >&2; exit 1; }
    # dig +short prints its errors (";; connection refused") on stdout too: wait for the address.
    answer=$(dig +short +time=1 +tries=1 @127.0.0.1 -p "$port" "$name" A 2>/dev/null || true)
    [ "$answer" = "$addr" ] && break
    sleep 0.2
done
clock_stop answer
echo "== dig @127.0.0.1 -p $port $name A"
dig +noall +answer +comments @127.0.0.1 -p "$port" "$name" A | grep -E 'status|IN'
[ "$answer" = "$addr" ] || { echo "expected $addr, got '${answer}'" >&2; exit 1; }
echo "== lanlordctl (arm64) status"
qemu-aarch64-static "$BUILD_DIR"/daemon/lanlordctl --help >/dev/null
qemu-aarch64-static "$BUILD_DIR"/daemon/lanlordctl --socket "$tmp/control.sock" status
result=PASS
