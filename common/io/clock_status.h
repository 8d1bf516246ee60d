// The edge of the clock-trust rules (resolver/dnssec/clock_trust.h): the
// kernel's synchronisation flag and the timestamp file in the state
// directory.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace lanlord::io {

// adjtimex(2) (read only): true when the kernel's clock is synchronised
// (the call does not return TIME_ERROR and STA_UNSYNC is clear).
bool kernel_clock_synchronised();

// The file's modification time in seconds since 1970; nullopt when it does
// not exist or cannot be read.
std::optional<std::int64_t> file_mtime(const std::string& path);

// Creates the file if needed and sets its modification time to `when`, but
// never moves it back: an earlier `when` than the file's time is ignored.
// Returns false (errno kept) when the file cannot be made or changed.
bool touch_forward(const std::string& path, std::int64_t when);

}  // namespace lanlord::io
