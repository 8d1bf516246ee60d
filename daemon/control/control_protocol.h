// The control protocol between lanlordctl and the daemon, sans-I/O.
//
// Framing: one JSON object per line (UTF-8, '\n'-terminated) each way; a
// connection may carry several requests. A request names a command:
//   {"command":"status"}                     {"command":"stats"}
//   {"command":"cache.dump","name":"example.org","limit":1000}   (both optional)
//   {"command":"cache.flush","name":"example.org"}               (name optional)
//   {"command":"leases"}                     {"command":"reload"}
//   {"command":"log-level","level":"debug"}
//   {"command":"trace","name":"www.example.org","type":"AAAA"}   (type optional, A)
//   {"command":"querylog","limit":100,"client":"192.0.2.0/24","name":"exa","type":"AAAA",
//    "outcome":"blocked,cached"}                                  (all optional)
//   {"command":"dashboard"}                  {"command":"lists"}
//   {"command":"domains","name":"ads.example","action":"block"}  (block, allow or remove)
//   {"command":"leases.reserve","address":"192.0.2.20"}
//   {"command":"config"}                     {"command":"web.password","hash":"$y$..."}
//   {"command":"bench"} {"command":"bench.start","servers":["192.0.2.1"],"upstreams":true}
// The web page's /api/ (daemon/web/web_api.h) sends these same requests.
// `trace` is answered when the resolution it starts is over (the session
// waits; other sessions go on).
// The reply is {"ok":true,"result":...} or {"ok":false,"error":"why"}.
// Anything malformed gets an error reply: never a crash, never silence.
#pragma once

#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ip_address.h"
#include "daemon/control/snapshot.h"
#include "resolver/engine/query_log.h"

namespace lanlord {

enum class DomainAction : std::uint8_t { block, allow, remove };

// A request line longer than this is refused (and the connection closed).
inline constexpr std::size_t kMaxControlRequest = 64 * 1024;

class ControlBackend {
  public:
    virtual ~ControlBackend() = default;
    virtual DaemonSnapshot snapshot() = 0;
    // `wire_name`: lower-case wire form, or every entry when absent.
    virtual nlohmann::json cache_dump(const std::optional<std::string>& wire_name, std::size_t limit) = 0;
    virtual std::size_t cache_flush(const std::optional<std::string>& wire_name) = 0;
    virtual nlohmann::json leases() = 0;
    // The configuration file is read and applied whole, or not at all: the
    // errors found (empty when applied).
    virtual std::vector<std::string> reload() = 0;
    virtual void set_log_level(const std::string& level) = 0;
    // Starts a traced resolution; `done` gets the reply object (ok or error)
    // later, on the control thread.
    virtual void trace(const std::string& wire_name, std::uint16_t qtype,
                       std::function<void(nlohmann::json reply)> done) = 0;

    // The rest answer a whole reply object ({"ok":...}): they may refuse.
    // The query log's newest `limit` records that match `filter`.
    virtual nlohmann::json querylog(const QueryLogFilter& filter, std::size_t limit) = 0;
    // What the dashboard shows (the web page's first view).
    virtual nlohmann::json dashboard() = 0;
    // The blocklists and the page's own lists.
    virtual nlohmann::json lists() = 0;
    // `wire_name` (lower case) blocked, allowed or removed from the page's lists.
    virtual nlohmann::json change_domain(const std::string& wire_name, DomainAction action) = 0;
    // The lease of `address` becomes a reservation (MAC, address, hostname).
    virtual nlohmann::json reserve_lease(const IpAddress& address) = 0;
    // The configuration file in force, as text.
    virtual nlohmann::json config_text() = 0;
    // A crypt(3) hash for the web page's password (lanlordctl web-password).
    virtual nlohmann::json set_web_password(const std::string& hash) = 0;
    // The comparison of resolvers run from the page.
    virtual nlohmann::json bench_state() = 0;
    virtual nlohmann::json bench_start(const std::vector<std::string>& servers, bool upstreams) = 0;
};

// Reply objects.
nlohmann::json control_error(const std::string& why);
nlohmann::json control_ok(nlohmann::json result);

// One parsed request -> its reply object (requests answered later, trace,
// get an error here: only the control socket runs them).
nlohmann::json handle_control(const nlohmann::json& request, ControlBackend& backend);

// A request answered later (trace): its arguments, checked. nullopt: not
// such a request (handle_control_request answers it, errors included).
struct TraceRequest {
    std::string wire_name;
    std::uint16_t qtype = 1;
    std::string error;  // not empty: answer this error at once
};
std::optional<TraceRequest> parse_trace_request(std::string_view line);

// One request line (without its '\n') -> one reply line (without '\n').
std::string handle_control_request(std::string_view line, ControlBackend& backend);

// Serializes without throwing: invalid UTF-8 is replaced, not fatal.
std::string to_json_line(const nlohmann::json& j);

}  // namespace lanlord
