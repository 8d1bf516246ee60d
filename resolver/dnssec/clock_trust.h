// Whether the wall clock can be trusted for signature dates (RFC 4035 5.3.1
// checks inception and expiration against it), on a machine that may have
// no real-time clock.
//
// The problem: a Raspberry Pi boots with its clock at 1970 or at the last
// time fake-hwclock saved, days or months behind. Every signature then looks
// "not yet valid" (or, far enough behind, a replayed old one looks fresh),
// validation fails, nothing resolves, and NTP, which needs DNS to find its
// servers, never fixes the clock. dnsmasq's answer is a timestamp file
// (--dnssec-timestamp); unbound and Knot Resolver have none and fail.
//
// lanlord's rules (judge_clock below):
// 1. The kernel says its clock is synchronised (adjtimex: no STA_UNSYNC,
//    which systemd-timesyncd, chrony and ntpd clear once they have set the
//    clock): trusted.
// 2. Else, the clock is at or past the timestamp file's time (the file in
//    the state directory whose mtime lanlord moves forward, never back,
//    while the clock is trusted, at most once an hour): trusted. A clock
//    behind it has certainly gone back (a reboot without RTC).
// 3. No timestamp file yet (first start): trusted when the clock is past
//    kReleaseFloor, a date this code cannot predate (dnsmasq uses 2015); the
//    file is then made.
// Until the clock is trusted, signatures are validated without their dates
// (so NTP can resolve), answers never get AD (data not fully validated is
// not "authentic"), everything else about the chain is still enforced, and
// the log and `lanlordctl status` say why. This is a bounded exposure: only
// while the clock is provably wrong, and a forged or bogus chain is still
// refused.
#pragma once

#include <cstdint>
#include <optional>

namespace lanlord {

struct ClockEvidence {
    std::int64_t wall = 0;                        // seconds since 1970, now
    bool kernel_synchronised = false;             // adjtimex without STA_UNSYNC
    std::optional<std::int64_t> timestamp_mtime;  // the timestamp file's mtime; nullopt: no file
};

struct ClockJudgement {
    bool trusted = false;
    const char* why = "";
    // Move the timestamp file's mtime to `wall` (create it when missing).
    bool touch_timestamp = false;
};

// 2026-12-01T00:00:00Z: no clock showing an earlier date runs this code.
inline constexpr std::int64_t kReleaseFloor = 1796083200;
// The timestamp file moves at most this often (a Pi's SD card is spared).
inline constexpr std::int64_t kTimestampInterval = 3600;

ClockJudgement judge_clock(const ClockEvidence& e);

}  // namespace lanlord
