#!/usr/bin/env bash
# clang-tidy over the project's own sources with .clang-tidy (bug-prone and
# performance checks, every finding an error), using BUILD_DIR's
# compile_commands.json. Registered as a test by -DLANLORD_CLANG_TIDY=ON,
# which contrib/dev.sh test sets; clang-tidy is installed by that command,
# and its absence fails the check rather than skipping it.
set -u
cd "$(dirname "$0")/.."
build=${1:?usage: clang_tidy_check.sh BUILD_DIR}
if ! command -v clang-tidy >/dev/null 2>&1; then
    echo "clang-tidy is not installed (contrib/dev.sh test installs it)"
    exit 1
fi
out=$(git ls-files 'common/*.cpp' 'config/*.cpp' 'resolver/*.cpp' 'dhcp/*.cpp' 'daemon/*.cpp' |
    xargs -P "$(nproc)" -n 4 clang-tidy -p "$build" --quiet 2>&1)
findings=$(printf '%s\n' "$out" | grep -cE ': (warning|error): ')
if [ "$findings" != 0 ]; then
    printf '%s\n' "$out" | grep -E ': (warning|error): ' | sort -u
    echo "clang-tidy: 0 passed, 1 failed ($findings findings)"
    exit 1
fi
echo "clang-tidy: 1 passed, 0 failed"
