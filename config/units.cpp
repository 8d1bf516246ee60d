// Typed units of the configuration file: durations ("30s", "12h") and sizes
// ("64MiB", "10kB"). Both are a run of decimal digits followed by an optional,
// case-sensitive unit; no sign, no fraction, no blanks. A bare number means
// seconds or bytes. Results that do not fit the target type are rejected, not
// wrapped.
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "config/config.h"

namespace lanlord {
namespace {

struct Unit {
    std::string_view suffix;
    std::uint64_t factor;
};

// Milliseconds per unit. "m" is minutes; there is no month.
constexpr Unit kDurationUnits[] = {
    {"", 1000},       {"ms", 1},         {"s", 1000},        {"m", 60'000},
    {"h", 3'600'000}, {"d", 86'400'000}, {"w", 604'800'000},
};

// Bytes per unit: IEC binary multiples and SI decimal ones. "KB" and a bare
// "K" are deliberately absent: whether they mean 1000 or 1024 is a guess.
constexpr Unit kSizeUnits[] = {
    {"", 1},
    {"B", 1},
    {"kB", 1'000},
    {"MB", 1'000'000},
    {"GB", 1'000'000'000},
    {"TB", 1'000'000'000'000},
    {"KiB", std::uint64_t{1} << 10},
    {"MiB", std::uint64_t{1} << 20},
    {"GiB", std::uint64_t{1} << 30},
    {"TiB", std::uint64_t{1} << 40},
};

// "<digits><unit>" -> number * factor, or nullopt on garbage or when the
// product exceeds `max`.
template <std::size_t N>
std::optional<std::uint64_t> parse_with_units(std::string_view text, const Unit (&units)[N],
                                              std::uint64_t max) {
    std::size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
    if (digits == 0) return std::nullopt;
    std::uint64_t number = 0;
    for (std::size_t i = 0; i < digits; ++i) {
        unsigned d = static_cast<unsigned>(text[i] - '0');
        if (number > (max - d) / 10) return std::nullopt;
        number = number * 10 + d;
    }
    std::string_view suffix = text.substr(digits);
    for (const Unit& unit : units) {
        if (suffix != unit.suffix) continue;
        if (number != 0 && unit.factor > max / number) return std::nullopt;
        return number * unit.factor;
    }
    return std::nullopt;
}

}  // namespace

std::optional<ConfigDuration> parse_duration(std::string_view text) {
    constexpr auto max = static_cast<std::uint64_t>(std::numeric_limits<ConfigDuration::rep>::max());
    auto ms = parse_with_units(text, kDurationUnits, max);
    if (!ms) return std::nullopt;
    return ConfigDuration(static_cast<ConfigDuration::rep>(*ms));
}

std::optional<std::size_t> parse_size(std::string_view text) {
    constexpr auto max = static_cast<std::uint64_t>(std::numeric_limits<std::size_t>::max());
    auto bytes = parse_with_units(text, kSizeUnits, max);
    if (!bytes) return std::nullopt;
    return static_cast<std::size_t>(*bytes);
}

std::string format_duration(ConfigDuration d) {
    auto ms = d.count();
    if (ms == 0) return "0s";
    // The largest unit that expresses the value exactly, so "90s" stays "90s".
    static constexpr Unit kLargestFirst[] = {
        {"w", 604'800'000}, {"d", 86'400'000}, {"h", 3'600'000}, {"m", 60'000}, {"s", 1000}, {"ms", 1},
    };
    for (const Unit& unit : kLargestFirst) {
        auto factor = static_cast<ConfigDuration::rep>(unit.factor);
        if (ms % factor == 0) return std::to_string(ms / factor) + std::string(unit.suffix);
    }
    return std::to_string(ms) + "ms";
}

}  // namespace lanlord
