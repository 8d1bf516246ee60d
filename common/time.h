// Time as the engines see it: a monotonic instant passed in by the caller.
// Engines never read a clock themselves (sans-I/O), so tests drive time by hand.
#pragma once

#include <chrono>

namespace lanlord {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Duration = Clock::duration;
using std::chrono::milliseconds;
using std::chrono::seconds;

}  // namespace lanlord
