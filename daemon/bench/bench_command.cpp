#include "daemon/bench/bench_command.h"

#include <cstdio>

namespace lanlord::bench {

int run_command(const std::vector<std::string>&) {
    std::fprintf(stderr, "lanlordctl bench: not built yet\n");
    return 2;
}

}  // namespace lanlord::bench
