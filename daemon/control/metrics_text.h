// The Prometheus text exposition format (version 0.0.4) of a DaemonSnapshot:
// the counters of `lanlordctl stats`, a histogram of answer latency, one RTT
// histogram per upstream server and DHCP pool gauges.
// https://prometheus.io/docs/instrumenting/exposition_formats/
#pragma once

#include <string>

#include "daemon/control/snapshot.h"

namespace lanlord {

std::string render_metrics(const DaemonSnapshot& s);

// Label values escape backslash, double quote and newline (exposition format).
std::string escape_label_value(const std::string& v);

}  // namespace lanlord
