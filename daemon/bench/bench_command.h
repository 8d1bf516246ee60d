// `lanlordctl bench`: compares the query latency of resolvers, to tell which
// one is fastest from here (lanlordctl(1)).
#pragma once

#include <string>
#include <vector>

namespace lanlord::bench {

// `args` are the words after "bench". Returns the process exit code.
int run_command(const std::vector<std::string>& args);

}  // namespace lanlord::bench
