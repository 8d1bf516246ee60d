// The progress bar drawn on stderr while a run lasts (only on a terminal).
#pragma once

#include <cstddef>
#include <string>

namespace lanlord::bench {

// "[#######.............]  120/450 queries  3 of 4 targets  12 s" (no newline).
std::string progress_line(std::size_t done, std::size_t total, std::size_t running, std::size_t targets,
                          double elapsed_s, std::size_t bar_width = 30);

}  // namespace lanlord::bench
