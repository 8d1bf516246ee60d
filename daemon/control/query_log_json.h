// The query log in JSON: the arguments of a `querylog` request read into a
// QueryLogFilter, and a record written out. Shared by the control socket and
// the web page's /api/querylog (the same request object reaches both).
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "resolver/engine/query_log.h"

namespace lanlord {

inline constexpr std::size_t kDefaultQueryLogLimit = 100;
inline constexpr std::size_t kMaxQueryLogLimit = 10000;

// Reads "limit" (1 to 10,000), "client" (an address or prefix), "name" (part
// of the name, as text), "type" (a mnemonic or number), "outcome" (a comma
// list of outcome names); each may be absent, null or "" (any). "" or what
// is wrong.
std::string parse_query_log_request(const nlohmann::json& request, QueryLogFilter& filter,
                                    std::size_t& limit);

// One record as the API gives it; `client_name`: the DHCP or hosts name of
// the client ("" when none is known).
nlohmann::json query_log_record_json(const QueryLogRecord& r, std::string_view client_name);

// "show_all", "hide_names", "hide_clients", "off".
std::string_view privacy_name(QueryLogPrivacy p);

}  // namespace lanlord
