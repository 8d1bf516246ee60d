#include "daemon/bench/progress.h"

#include <algorithm>
#include <cstdio>

namespace lanlord::bench {

std::string progress_line(std::size_t done, std::size_t total, std::size_t running, std::size_t targets,
                          double elapsed_s, std::size_t bar_width) {
    done = std::min(done, total);
    std::size_t filled = total == 0 ? bar_width : done * bar_width / total;
    std::string line = "[" + std::string(filled, '#') + std::string(bar_width - filled, '.') + "]";
    char tail[96];
    std::snprintf(tail, sizeof tail, "  %zu/%zu queries  %zu of %zu targets  %.0f s", done, total, running,
                  targets, elapsed_s);
    return line + tail;
}

}  // namespace lanlord::bench
