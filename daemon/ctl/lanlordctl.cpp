// lanlordctl: the admin's command for a running lanlord (issue 5).
#include <cstdio>
#include <string>
#include <vector>

#include "daemon/bench/bench_command.h"

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (!args.empty() && args[0] == "bench") return lanlord::bench::run_command({args.begin() + 1, args.end()});
    std::fprintf(stderr, "usage: lanlordctl bench ...\n");
    return 2;
}
