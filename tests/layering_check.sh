#!/usr/bin/env bash
# Enforces the layering of ARCHITECTURE.md: logic code never includes Asio,
# systemd or sockets' I/O layer; resolver/ and dhcp/ never include each other;
# nothing includes daemon/.
set -u
cd "$(dirname "$0")/.."
fail=0
check() {  # check "what" pattern dirs...
    local what=$1 pattern=$2; shift 2
    local hits
    hits=$(grep -rnE "$pattern" "$@" --include='*.h' --include='*.cpp' 2>/dev/null)
    if [ -n "$hits" ]; then echo "layering violation: $what"; echo "$hits"; fail=1; fi
}
LOGIC="resolver/wire resolver/cache resolver/local resolver/engine dhcp/wire dhcp/lease dhcp/engine config"
check "logic code includes Asio or systemd" '#include [<"](boost/asio|systemd/)' $LOGIC common/*.h common/*.cpp
check "logic code includes the I/O layer" '#include "(common/io|resolver/net)/' $LOGIC
check "resolver includes dhcp" '#include "dhcp/' resolver
check "dhcp includes resolver" '#include "resolver/' dhcp
check "something includes daemon/" '#include "daemon/' common config resolver dhcp
# Style habit 12: clang-format on every file.
if command -v clang-format >/dev/null 2>&1; then
    unformatted=$(git ls-files '*.cpp' '*.h' 2>/dev/null | xargs -r clang-format --dry-run 2>&1 | grep -c warning)
    if [ "$unformatted" != 0 ]; then echo "clang-format: $unformatted places differ (run clang-format -i)"; fail=1; fi
fi
[ $fail -eq 0 ] && echo "layering: 1 passed, 0 failed"
exit $fail
