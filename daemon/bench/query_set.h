// The names the bench asks, and the plan of queries for one target.
//
// Cached phase: popular names, each asked once unmeasured (warm-up) and then
// measured. Uncached phase: a fresh random label under one of those real
// domains, so no cache anywhere can hold the answer and the resolver must ask
// the domain's authoritative servers (the answer is usually NXDOMAIN; its
// latency is the point). Probes: names that cannot exist (NXDOMAIN
// hijacking) and the signed root (AD when DO is asked).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/bench/bench_types.h"

namespace lanlord::bench {

// Popular, long-lived names in presentation form (listed in lanlordctl(1)).
const std::vector<std::string_view>& builtin_names();

// One name per line; '#' starts a comment; blank lines skipped; only the
// first word of a line counts. Returns lower-case wire names, duplicates
// dropped; nullopt and `error` ("line 3: ...") on a bad name or an empty set.
std::optional<std::vector<std::string>> parse_names(std::string_view text, std::string& error);

// A label of 12 characters from [a-z0-9] (36^12 ~ 2^62 possibilities).
std::string random_label(const Random& random);

// Longest wire name usable as a base for uncached names: room for the label.
inline constexpr std::size_t kMaxBaseNameLength = 255 - 13;

enum class JobKind : std::uint8_t { hijack_probe, dnssec_probe, warmup, cached, uncached };

struct Job {
    JobKind kind = JobKind::cached;
    std::string qname;  // lower-case wire form
    std::uint16_t qtype = 1;
    unsigned attempt = 0;  // how often it was sent before (retries of probes and warm-up)
};

struct JobPlan {
    std::vector<Job> before;    // probes and warm-up: all answered or given up before measuring
    std::vector<Job> measured;  // cached and uncached, interleaved
};

// Names are cycled when `count` exceeds them. The two phases alternate
// (cached, uncached, cached, ...) so that both see the same network
// conditions over the run instead of one phase getting the quiet minute.
JobPlan make_plan(const std::vector<std::string>& names, unsigned count, const Random& random);

// Queries a plan sends when nothing needs a retry.
inline std::size_t planned_queries(const JobPlan& p) {
    return p.before.size() + p.measured.size();
}

}  // namespace lanlord::bench
