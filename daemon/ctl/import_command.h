// `lanlordctl import-dnsmasq`: the I/O around dnsmasq_import.h (reading the
// files and the directories they include, writing the results).
#pragma once

#include <string>
#include <vector>

namespace lanlord::ctl {

// `args` are the words after "import-dnsmasq". Returns the exit code.
int run_import_dnsmasq(const std::vector<std::string>& args);

}  // namespace lanlord::ctl
