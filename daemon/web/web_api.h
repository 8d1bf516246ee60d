// The web page's HTTP surface, sans-I/O: one parsed request (method, target,
// the few headers that matter, body, client address) and `now` in, one
// response out. daemon/web/web_server.h reads and writes the bytes.
//
// - Static files (the page) come from web_assets.h, compiled into the
//   binary; every other path under /api/ is JSON. The API is the control
//   protocol (daemon/control/control_protocol.h): each route builds the
//   same request object lanlordctl sends and hands it to the same handler,
//   so the page and lanlordctl cannot disagree. Routes and bodies:
//   man/lanlord.8, section WEB API.
// - Nothing but the page's files and POST /api/login answers without a
//   session (401). Requests that change something (any method but GET and
//   HEAD) need the session's CSRF token in X-CSRF-Token (403), and when the
//   browser sends Origin it must name this host (403): two independent
//   defences against cross-site requests, on top of SameSite=Strict.
// - Every response carries a Content-Security-Policy that allows scripts,
//   styles and connections to this origin only: even a name that slipped
//   past the page's escaping could not run script. API responses are
//   no-store; the page's files may be cached but are revalidated.
// - Request bodies are at most 64 KiB (web_server.h refuses more).
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/ip_address.h"
#include "common/time.h"
#include "daemon/control/control_protocol.h"
#include "daemon/web/web_auth.h"

namespace lanlord {

struct WebRequest {
    std::string_view method;  // "GET", "POST", ...
    std::string_view target;  // path and query, as sent
    std::string_view cookie;  // the Cookie header ("" when none)
    std::string_view csrf;    // X-CSRF-Token
    std::string_view origin;  // Origin ("" when none)
    std::string_view host;    // Host
    std::string_view content_type;
    std::string_view body;
    IpAddress client;
};

struct WebResponse {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // Set-Cookie, Retry-After, ...
};

class WebApi {
  public:
    // Fills its argument with random bytes (getrandom at the edge).
    using RandomFill = std::function<void(std::span<std::uint8_t>)>;
    // The password hash in force ("" when none is set), read at each login.
    using PasswordHash = std::function<std::string()>;

    WebApi(ControlBackend& backend, PasswordHash password_hash, RandomFill random, Duration session_idle);

    WebResponse handle(const WebRequest& request, TimePoint now);
    void set_session_idle(Duration idle) { sessions_.set_idle(idle); }
    // What /api/session says of the query log's privacy level ("show_all", ...).
    void set_privacy_source(std::function<std::string()> privacy) { privacy_ = std::move(privacy); }
    // The password changed: every session ends.
    void end_sessions() { sessions_.clear(); }
    std::size_t sessions() const { return sessions_.size(); }

  private:
    WebResponse login(const WebRequest& request, TimePoint now);
    WebResponse api(const WebRequest& request, std::string_view path, std::string_view query,
                    const WebSession& session, std::string_view token);

    ControlBackend& backend_;
    std::function<std::string()> privacy_;
    PasswordHash password_hash_;
    RandomFill random_;
    SessionTable sessions_;
    LoginLimiter limiter_;
};

// The headers every response carries (CSP, nosniff, no framing, no referrer).
void add_security_headers(WebResponse& r);

// Helpers, exposed for tests.
// The value of cookie `name` in a Cookie header ("" when absent).
std::string_view cookie_value(std::string_view header, std::string_view name);
// application/x-www-form-urlencoded decoding ('+' is a space); nullopt on a bad escape.
std::optional<std::string> url_decode(std::string_view text);
// The query string's parameters, decoded (bad ones skipped).
std::vector<std::pair<std::string, std::string>> query_parameters(std::string_view query);

}  // namespace lanlord
