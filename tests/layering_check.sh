#!/usr/bin/env bash
# Enforces the layering (README "Architecture"): which of the project's own
# directories each directory may include, and where each third-party library
# may appear. CMake's targets say the same in their link lines; this check is
# what fails when a header include crosses a line that linking would not
# catch (a static library's missing symbol only shows at the final link).
# Also: clang-format on every tracked C++ file (installed by contrib/dev.sh
# test; a missing clang-format fails the check rather than skipping it).
set -u
cd "$(dirname "$0")/.."
fail=0

# own_includes DIR ALLOWED...: every `#include "x/y/..."` of a file directly
# in DIR must start with one of the ALLOWED prefixes (DIR itself is allowed).
own_includes() {
    local dir=$1; shift
    local allowed=("$dir/" "$@")
    local files
    files=$(find "$dir" -maxdepth 1 \( -name '*.h' -o -name '*.cpp' \) 2>/dev/null)
    [ -z "$files" ] && return
    local bad
    bad=$(grep -HnoE '#include "[^"]+"' $files | while IFS= read -r hit; do
        local path=${hit#*#include \"}
        path=${path%\"}
        local ok=0
        for a in "${allowed[@]}"; do [[ $path == "$a"* ]] && ok=1 && break; done
        [ $ok -eq 0 ] && echo "$hit"
    done)
    if [ -n "$bad" ]; then
        echo "layering violation: $dir may include only: ${allowed[*]}"
        echo "$bad"
        fail=1
    fi
}

# The base: plain types, no I/O.
COMMON=(common/byte_cursor common/dns_name common/fault common/hash common/histogram common/interface_info
        common/ip_address common/log common/text common/time common/base64 common/tls_auth)
own_includes common "${COMMON[@]}"
own_includes common/io "${COMMON[@]}"
# Resolver logic, bottom up: wire <- cache, local, recursion, dnssec <- engine; then
# the I/O edge. The iterator sends through the engine's EngineIo interface
# (engine_types.h, plain types), and nothing else of the engine.
own_includes resolver/wire "${COMMON[@]}"
own_includes resolver/cache "${COMMON[@]}" resolver/wire/
own_includes resolver/local "${COMMON[@]}" resolver/wire/
own_includes resolver/recursion "${COMMON[@]}" resolver/wire/ resolver/engine/engine_types.h
own_includes resolver/dnssec "${COMMON[@]}" resolver/wire/
own_includes resolver/engine "${COMMON[@]}" resolver/wire/ resolver/cache/ resolver/local/ resolver/recursion/ resolver/dnssec/
own_includes resolver/net "${COMMON[@]}" common/io/ resolver/wire/ resolver/cache/ resolver/local/ resolver/engine/ \
    resolver/recursion/
# DHCP logic, bottom up: wire, lease <- engine; then the I/O edge.
own_includes dhcp/wire "${COMMON[@]}"
own_includes dhcp/lease "${COMMON[@]}" dhcp/wire/
own_includes dhcp/engine "${COMMON[@]}" dhcp/wire/ dhcp/lease/
own_includes dhcp/net "${COMMON[@]}" common/io/ dhcp/wire/ dhcp/lease/ dhcp/engine/
# Configuration: typed values for both sides (the DHCP engine's settings type).
own_includes config "${COMMON[@]}" config/ dhcp/engine/server_config.h dhcp/lease/ dhcp/wire/
# lanlordctl and its benchmark speak to the daemon only over the socket.
# lanlordctl web-password hashes the password itself (daemon/web/web_auth: no I/O).
# import-dnsmasq writes lease journal lines (dhcp/lease/journal_format).
own_includes daemon/ctl "${COMMON[@]}" common/io/ daemon/ctl/ daemon/bench/ resolver/wire/ daemon/web/web_auth \
    dhcp/lease/
own_includes daemon/bench "${COMMON[@]}" common/io/ daemon/bench/ resolver/wire/ config/ resolver/engine/resolv_conf.h \
    daemon/secure_random.h resolver/net/tls_context.h

# third_party WHAT PATTERN DIRS...: PATTERN may appear only below DIRS.
third_party() {
    local what=$1 pattern=$2; shift 2
    local allowed=("$@")
    local hits
    hits=$(git ls-files '*.h' '*.cpp' | grep -v '^tests/' | grep -v '^contrib/' | while read -r f; do
        local ok=0
        for a in "${allowed[@]}"; do [[ $f == "$a"* ]] && ok=1 && break; done
        [ $ok -eq 0 ] && grep -HnE "$pattern" "$f"
    done)
    if [ -n "$hits" ]; then
        echo "layering violation: $what outside ${allowed[*]}"
        echo "$hits"
        fail=1
    fi
}
third_party "Boost.Asio" '#include [<"]boost/asio' common/io/ resolver/net/ dhcp/net/ daemon/
third_party "Boost.Beast" '#include [<"]boost/beast' daemon/control/metrics_http daemon/web/web_server
third_party "libcrypt" '#include [<"]crypt\.h' daemon/web/web_auth
third_party "toml++" '#include [<"]toml' config/
third_party "nlohmann-json" '#include [<"]nlohmann' daemon/
third_party "systemd" '#include [<"]systemd/' common/io/
third_party "ldns" '#include [<"]ldns/' resolver/dnssec/
# OpenSSL: DNSSEC's digests, and DNS over TLS (resolver/net/tls_context.h; the bench's DoT
# connections drive an SSL of that context from their own ppoll loop).
third_party "OpenSSL" '#include [<"]openssl/' resolver/dnssec/crypto resolver/net/tls_context.cpp \
    daemon/bench/dot_connection.cpp
third_party "Boost.Asio's ssl" '#include [<"]boost/asio/ssl' resolver/net/tls_context resolver/net/dot_client \
    resolver/net/tcp_listener
third_party "sockets" '#include <(sys/socket|netinet/in|arpa/inet|linux/netlink|linux/rtnetlink)\.h>' \
    common/io/ common/ip_address resolver/net/ dhcp/net/ daemon/ dhcp/wire/icmp_echo

for d in common config resolver dhcp; do
    if grep -rnE '#include "daemon/' "$d" --include='*.h' --include='*.cpp' >/dev/null; then
        echo "layering violation: $d includes daemon/"
        grep -rnE '#include "daemon/' "$d" --include='*.h' --include='*.cpp'
        fail=1
    fi
done
if grep -rnE '#include "dhcp/' resolver --include='*.h' --include='*.cpp' >/dev/null ||
    grep -rnE '#include "resolver/' dhcp --include='*.h' --include='*.cpp' >/dev/null; then
    echo "layering violation: resolver/ and dhcp/ include each other"
    fail=1
fi

# Style habit: clang-format on every file.
if ! command -v clang-format >/dev/null 2>&1; then
    echo "clang-format is not installed (contrib/dev.sh test installs it): the style check cannot run"
    fail=1
else
    unformatted=$(git ls-files '*.cpp' '*.h' 2>/dev/null | xargs -r clang-format --dry-run 2>&1 | grep -c warning)
    if [ "$unformatted" != 0 ]; then
        echo "clang-format: $unformatted places differ (run clang-format -i)"
        git ls-files '*.cpp' '*.h' | xargs -r clang-format --dry-run 2>&1 | grep warning | head -20
        fail=1
    fi
fi
[ $fail -eq 0 ] && echo "layering: 1 passed, 0 failed"
exit $fail
