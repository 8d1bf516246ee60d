// Reads the files behind the local names layer: hosts files and directories
// into a LocalZone (with the configured records and address rules), and
// blocklists into a Blocklist. Both are built whole, aside, and then swapped
// into the engine: answering never waits for them and never sees half a list.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "resolver/local/blocklist.h"
#include "resolver/local/local_zone.h"

namespace lanlord {

// Regular files named directly, plus the regular files of named directories
// (sorted, hidden files and editor backups "~" skipped).
std::vector<std::string> expand_paths(const std::vector<std::string>& paths);

std::shared_ptr<LocalZone> build_local_zone(const Config& config);

struct BlocklistLoad {
    std::shared_ptr<Blocklist> blocklist;
    std::size_t files = 0, domains = 0, skipped = 0;
    std::vector<std::pair<std::string, std::size_t>> per_file;  // blocking files: path, domains
    double seconds = 0;
};
BlocklistLoad build_blocklist(const BlocklistConfig& config);

}  // namespace lanlord
