#!/usr/bin/env bash
# Fuzzes every parser with libFuzzer (clang), ASan and UBSan:
#   contrib/fuzz.sh [RUNS]          (default 1000000 executions per target)
# Targets: tests/fuzz/fuzz_*.cpp; seeds: tests/fuzz/corpus/<target>/ (new finds
# are written to build-fuzz/corpus/<target>/; copy interesting ones into the
# committed corpus so CTest replays them). Crashes land in build-fuzz/crash-*.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-1000000}
command -v clang++ >/dev/null || { echo "needs clang (apt-get install clang libclang-rt-14-dev)"; exit 2; }
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
    -DCMAKE_CXX_COMPILER=clang++ -DLANLORD_FUZZ=ON -DBUILD_TESTING=OFF >/dev/null
cmake --build build-fuzz -j "$(nproc)" --target fuzz_dns_query fuzz_dns_response fuzz_dns_message fuzz_dhcp_packet fuzz_text_inputs fuzz_control_request fuzz_recursion fuzz_dnssec
status=0
for t in dns_query dns_response dns_message dhcp_packet text_inputs control_request recursion dnssec; do
    mkdir -p "build-fuzz/corpus/$t"
    echo "== $t: $RUNS runs"
    (cd build-fuzz && "./tests/fuzz/fuzz_$t" -runs="$RUNS" -max_len=4096 -print_final_stats=1 \
        "corpus/$t" "../tests/fuzz/corpus/$t" 2>&1 | grep -E "stat::number_of_executed_units|Done|ERROR|SUMMARY|crash") || status=1
done
exit $status
