// The host's name (gethostname), for the CHAOS id.server answer.
#pragma once

#include <string>

namespace lanlord::io {

// "" when the kernel gives none.
std::string host_name();

}  // namespace lanlord::io
