// Replacing a small state file so that a power cut leaves either the old
// or the new contents, never a mix (the RFC 5011 trust-anchor state): the
// data goes to PATH.tmp, is fsynced, renamed over PATH, and the directory
// is fsynced so the rename itself is durable.
#pragma once

#include <string>
#include <string_view>

namespace lanlord::io {

// "" on success, else what failed with errno's text.
std::string write_file_atomically(const std::string& path, std::string_view data);

}  // namespace lanlord::io
