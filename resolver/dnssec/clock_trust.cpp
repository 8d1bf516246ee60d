#include "resolver/dnssec/clock_trust.h"

namespace lanlord {

ClockJudgement judge_clock(const ClockEvidence& e) {
    ClockJudgement j;
    if (!e.timestamp_mtime) {
        j.trusted = e.kernel_synchronised || e.wall >= kReleaseFloor;
        j.why = e.kernel_synchronised ? "the kernel's clock is synchronised"
                : j.trusted           ? "no timestamp file yet and the clock is past this release's date"
                                      : "the clock is before this release's date: waiting for NTP";
        j.touch_timestamp = j.trusted;
        return j;
    }
    const std::int64_t stamp = *e.timestamp_mtime;
    if (e.kernel_synchronised) {
        j.trusted = true;
        j.why = "the kernel's clock is synchronised";
    } else if (e.wall >= stamp) {
        j.trusted = true;
        j.why = "the clock is past the timestamp file's time";
    } else {
        j.why = "the clock is behind the timestamp file's time: waiting for NTP";
    }
    // Forward only, and not more than once an hour.
    j.touch_timestamp = j.trusted && e.wall >= stamp + kTimestampInterval;
    return j;
}

}  // namespace lanlord
