// `lanlordctl bench`: the composition of the bench's parts (options ->
// names, config, targets -> per-target runs over UDP -> reports). Only this
// file, runner.cpp and dot_connection.cpp touch files, terminals, clocks or
// sockets.
#include "daemon/bench/bench_command.h"

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <memory>

#include "common/dns_name.h"
#include "common/io/read_file.h"
#include "config/config.h"
#include "daemon/bench/options.h"
#include "daemon/bench/progress.h"
#include "daemon/bench/query_set.h"
#include "daemon/bench/report.h"
#include "daemon/bench/runner.h"
#include "daemon/bench/stats.h"
#include "daemon/bench/targets.h"
#include "daemon/secure_random.h"

namespace lanlord::bench {
namespace {

volatile std::sig_atomic_t g_interrupted = 0;

void on_interrupt(int) {
    g_interrupted = 1;
}

// Ctrl-C during a run: stop sending, wait for the answers still due, report
// what was measured. A second Ctrl-C kills as usual (SA_RESETHAND).
class InterruptGuard {
  public:
    InterruptGuard() {
        struct sigaction sa {};
        sa.sa_handler = on_interrupt;
        sa.sa_flags = SA_RESETHAND;  // no SA_RESTART: ppoll returns EINTR at once
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, &old_);
    }
    ~InterruptGuard() { sigaction(SIGINT, &old_, nullptr); }
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;

  private:
    struct sigaction old_ {};
};

void say(const std::string& text) {
    std::fprintf(stderr, "lanlordctl bench: %s\n", text.c_str());
}

std::optional<Config> load_lanlord_config(const Options& o) {
    if (o.config_file.empty()) return default_config();
    auto result = load_config(o.config_file);
    for (const auto& e : result.errors) say(e.to_string());
    return result.config;
}

bool write_file(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    return static_cast<bool>(out);
}

}  // namespace

std::optional<BenchOutcome> run_bench(const Options& o, const Config& config, const BenchProgressFn& progress,
                                      const std::function<bool()>& stop, const BenchNote& note,
                                      std::string& error, bool* started) {
    if (started) *started = false;
    std::vector<std::string> names;
    if (o.names_file.empty()) {
        for (auto text : builtin_names()) names.push_back(*name_from_text(text));
    } else {
        auto text = io::read_file(o.names_file);
        if (!text) {
            error = "cannot read " + o.names_file;
            return std::nullopt;
        }
        auto parsed = parse_names(*text, error);
        if (!parsed) {
            error = o.names_file + ": " + error;
            return std::nullopt;
        }
        names = std::move(*parsed);
    }
    std::vector<std::string> notes;
    auto targets = collect_targets(o, config, io::read_file, notes);
    for (const auto& n : notes) note(n);
    if (targets.empty()) {
        error = "no targets (give --upstreams, --server NAME=IP or --public)";
        return std::nullopt;
    }
    auto rng = std::make_shared<SecureRandom>();
    Random random = [rng] { return (*rng)(); };
    const auto interval = std::chrono::duration<double>(1.0 / o.settings.rate);
    const TimePoint start = Clock::now();
    std::vector<TargetRun> runs;
    std::size_t total = 0;
    for (std::size_t i = 0; i < targets.size(); ++i) {
        JobPlan plan = make_plan(names, o.settings.count, random);
        total += planned_queries(plan);
        // Staggered starts: the targets' sends never coincide, so no answer
        // waits in our loop behind another target's burst.
        auto offset = std::chrono::duration_cast<Duration>(interval * static_cast<double>(i) /
                                                           static_cast<double>(targets.size()));
        runs.emplace_back(targets[i], std::move(plan), o.settings, random, start + offset);
    }
    if (total > o.max_queries) {
        error = "this run would send " + std::to_string(total) + " queries (" +
                std::to_string(targets.size()) + " targets); the cap is " + std::to_string(o.max_queries) +
                ": lower --count or raise --max-queries";
        return std::nullopt;
    }
    const std::size_t per_target = total / targets.size();
    char plan_text[160];
    std::snprintf(plan_text, sizeof plan_text, "%zu target%s, %zu queries each at %g/s: about %.0f s",
                  targets.size(), targets.size() == 1 ? "" : "s", per_target, o.settings.rate,
                  static_cast<double>(per_target) / o.settings.rate +
                      std::chrono::duration<double>(o.settings.timeout).count());
    note(plan_text);
    ProgressFn tick;
    if (progress)
        tick = [&runs, &progress, start](TimePoint now, bool final) {
            BenchProgress p;
            for (const auto& r : runs) {
                p.done += r.settled();
                p.total += r.planned();
                p.running += r.finished() ? 0 : 1;
            }
            p.targets = runs.size();
            p.elapsed_s = std::chrono::duration<double>(now - start).count();
            p.final = final;
            progress(p);
        };
    if (started) *started = true;
    std::vector<TlsSamples> tls;
    if (!run_targets(runs, tls, tick, stop, error)) return std::nullopt;
    BenchOutcome out;
    out.results.reserve(runs.size());
    for (std::size_t i = 0; i < runs.size(); ++i) {
        out.results.push_back(runs[i].result());
        if (runs[i].target().transport == Transport::tls)
            out.results.back().tls = summarize_tls(tls[i], static_cast<unsigned>(runs[i].answered_total()));
    }
    sort_results(out.results);
    out.meta = ReportMeta{o.settings, names.size()};
    return out;
}

int run_command(const std::vector<std::string>& args) {
    std::string error;
    auto options = parse_options(args, error);
    if (!options) {
        say(error + " (see lanlordctl bench --help)");
        return 2;
    }
    const Options& o = *options;
    if (o.help) {
        std::fputs(usage().c_str(), stdout);
        return 0;
    }
    auto config = load_lanlord_config(o);
    if (!config) return 2;
    BenchProgressFn progress;
    if (o.progress && ::isatty(STDERR_FILENO)) {
        progress = [](const BenchProgress& p) {
            if (p.final) {
                std::fputs("\r\033[K", stderr);  // leave the terminal as it was
                return;
            }
            auto line = progress_line(p.done, p.total, p.running, p.targets, p.elapsed_s);
            std::fprintf(stderr, "\r%s\033[K", line.c_str());
        };
    }
    std::optional<BenchOutcome> outcome;
    bool started = false;
    {
        InterruptGuard guard;
        // A DoT server that resets its connection must not end the run with
        // SIGPIPE: OpenSSL's socket writes do not pass MSG_NOSIGNAL.
        std::signal(SIGPIPE, SIG_IGN);
        outcome = run_bench(
            o, *config, progress, [] { return g_interrupted != 0; }, say, error, &started);
    }
    if (!outcome) {
        say(error);
        return started ? 1 : 2;  // the run failed : it could not start (a usage problem)
    }
    if (g_interrupted) say("interrupted: the results cover the queries sent so far");
    std::string text = o.format == OutputFormat::json  ? format_json(outcome->results, outcome->meta)
                       : o.format == OutputFormat::csv ? format_csv(outcome->results)
                                                       : format_table(outcome->results, outcome->meta);
    std::fputs(text.c_str(), stdout);
    if (!o.svg_file.empty()) {
        if (!write_file(o.svg_file, format_svg(outcome->results, outcome->meta))) {
            say("cannot write " + o.svg_file);
            return 1;
        }
        say("chart written to " + o.svg_file);
    }
    if (std::fflush(stdout) != 0) return 1;
    return g_interrupted ? 130 : 0;  // 128 + SIGINT, as a shell reports it
}

}  // namespace lanlord::bench
