// The JSON documents of `lanlordctl status` and `lanlordctl stats`.
#pragma once

#include <nlohmann/json.hpp>

#include "daemon/control/snapshot.h"

namespace lanlord {

nlohmann::json status_json(const DaemonSnapshot& s);
nlohmann::json stats_json(const DaemonSnapshot& s);

}  // namespace lanlord
