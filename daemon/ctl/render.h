// Human-readable tables of lanlordctl's replies (the JSON `result` objects of
// control_protocol.h). Pure functions; a reply of an unexpected shape throws
// nlohmann::json::exception, which lanlordctl reports as such.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace lanlord::ctl {

std::string render_status(const nlohmann::json& result);
std::string render_stats(const nlohmann::json& result);
std::string render_cache_dump(const nlohmann::json& result);
std::string render_leases(const nlohmann::json& result);
std::string render_querylog(const nlohmann::json& result);
// `lanlordctl trace`: one line per query sent, as
//   <zone cut> <server> <qname as sent> <type> -> <outcome> <rtt>ms
// then "answer: <RCODE> <n> records" and the records (or the Extended DNS
// Error), indented.
std::string render_trace(const nlohmann::json& result);

// Columns padded to their widest cell; `right` marks numeric columns.
std::string render_table(const std::vector<std::string>& headers,
                         const std::vector<std::vector<std::string>>& rows,
                         const std::vector<bool>& right = {});
// 1234567 -> "1.2M", 93 -> "93"; 3725 s -> "1h2m".
std::string human_count(std::uint64_t n);
std::string human_duration(double seconds);

}  // namespace lanlord::ctl
