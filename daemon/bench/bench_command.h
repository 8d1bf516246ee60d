// `lanlordctl bench`: compares the query latency of resolvers, to tell which
// one is fastest from here (lanlordctl(1)).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "daemon/bench/options.h"
#include "daemon/bench/report.h"

namespace lanlord::bench {

struct BenchOutcome {
    std::vector<TargetResult> results;  // sorted for the report
    ReportMeta meta;
};
struct BenchProgress {
    std::size_t done = 0, total = 0, running = 0, targets = 0;
    double elapsed_s = 0;
    bool final = false;
};
using BenchProgressFn = std::function<void(const BenchProgress&)>;
using BenchNote = std::function<void(const std::string&)>;

// Runs the comparison `o` describes (targets from `config` for --upstreams
// and lanlord itself), blocking until it is over or `stop` says so. `note`
// gets what lanlordctl says before a run (targets skipped, the plan).
// nullopt and `error` when it cannot run (`started`, when given, says
// whether it had begun sending: a failure of the network, not of the
// request). Shared by lanlordctl and the web
// page (which runs it on a thread of its own).
std::optional<BenchOutcome> run_bench(const Options& o, const Config& config, const BenchProgressFn& progress,
                                      const std::function<bool()>& stop, const BenchNote& note,
                                      std::string& error, bool* started = nullptr);

// `args` are the words after "bench". Returns the process exit code.
int run_command(const std::vector<std::string>& args);

}  // namespace lanlord::bench
