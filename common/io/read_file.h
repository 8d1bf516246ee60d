// Reads a whole file into memory (hosts files, blocklists, resolv.conf).
#pragma once

#include <optional>
#include <string>

namespace lanlord::io {

// nullopt when the file cannot be opened or read.
std::optional<std::string> read_file(const std::string& path);

}  // namespace lanlord::io
