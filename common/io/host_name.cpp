#include "common/io/host_name.h"

#include <unistd.h>

namespace lanlord::io {

std::string host_name() {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0) return "";
    return name;
}

}  // namespace lanlord::io
