#include "common/io/read_file.h"

#include <fstream>
#include <sstream>

namespace lanlord::io {

std::optional<std::string> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream s;
    s << in.rdbuf();
    if (in.bad()) return std::nullopt;
    return std::move(s).str();
}

}  // namespace lanlord::io
