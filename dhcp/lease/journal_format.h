// The lease journal's lines: one per change, appended and fsync'ed before the
// ACK leaves (the file side is dhcp/net/journal_file). Text, so an admin can
// read it with less and repair it with an editor:
//
//   L <address> <client-id hex> <hardware hex> <expires> <hostname or -> <crc32 hex>\n   lease granted or
//   renewed F <address> <crc32 hex>\n                                                           lease freed
//   (release, expiry)
//
// The CRC covers the line before it, so a line damaged in the middle (a
// flash card losing a page) is detected as well as a torn last line. Replay
// applies every good line in order; a bad line is skipped with a warning
// naming its number; a torn last line (no newline) is reported so the writer
// can cut it off before appending. Nothing that replayed cleanly is lost.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "dhcp/lease/lease.h"

namespace lanlord::dhcp {

std::string encode_grant(const Lease& lease);
std::string encode_free(const IpAddress& address);

struct ReplayResult {
    std::map<IpAddress, Lease> leases;  // live after every line, by address
    std::size_t lines = 0, bad_lines = 0;
    bool torn_tail = false;             // the last line had no newline
    std::size_t good_length = 0;        // bytes up to the end of the last complete line
    std::vector<std::string> warnings;  // "line N: why" (the first few)
};

ReplayResult replay_journal(std::string_view text);

std::uint32_t crc32(std::string_view data);

}  // namespace lanlord::dhcp
