// The bench's outputs as pure functions from results to text: a terminal
// table, JSON, CSV and an SVG chart. Target names come from the user and
// from config files, so every format escapes them for its own syntax and
// none can be broken by a name (control characters and invalid UTF-8 become
// '?').
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "daemon/bench/bench_types.h"

namespace lanlord::bench {

struct ReportMeta {
    BenchSettings settings;
    std::size_t names = 0;  // size of the name set
};

// The report order: by uncached p50 (the figure that differs most between
// resolvers: a cache hit is fast everywhere), then cached p50; targets
// without answers last; ties by name.
void sort_results(std::vector<TargetResult>& results);

std::string format_table(const std::vector<TargetResult>& results, const ReportMeta& meta);
std::string format_json(const std::vector<TargetResult>& results, const ReportMeta& meta);
std::string format_csv(const std::vector<TargetResult>& results);
std::string format_svg(const std::vector<TargetResult>& results, const ReportMeta& meta);

// Shared escaping (exposed for tests).
std::string printable(std::string_view text);   // valid UTF-8 without control characters
std::string xml_escape(std::string_view text);  // printable() plus & < > " '
std::string csv_field(std::string_view text);   // RFC 4180: quoted when needed
std::string tri_text(Tri t);                    // "yes", "no", "?"

}  // namespace lanlord::bench
