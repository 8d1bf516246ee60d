#include "daemon/web/web_api.h"

#include <array>
#include <charconv>

#include "daemon/web/web_assets.h"

namespace lanlord {

namespace {

constexpr std::string_view kSessionCookie = "lanlord_session";
constexpr std::size_t kMaxPassword = 1024;
constexpr const char* kSecurityPolicy =
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

WebResponse json_response(int status, const nlohmann::json& body) {
    WebResponse r;
    r.status = status;
    r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return r;
}

WebResponse error_response(int status, const std::string& why) {
    return json_response(status, control_error(why));
}

// The status for a control reply: 200 when ok, 400 (the request was wrong or
// refused) otherwise; 409 for a comparison already running.
int status_of(const nlohmann::json& reply) {
    auto ok = reply.find("ok");
    if (ok != reply.end() && ok->is_boolean() && ok->get<bool>()) return 200;
    auto conflict = reply.find("conflict");
    return conflict != reply.end() && conflict->is_boolean() && conflict->get<bool>() ? 409 : 400;
}

// Origin "http://host:port" against Host "host:port".
bool same_origin(std::string_view origin, std::string_view host) {
    if (origin.empty())
        return true;  // not sent (same-origin GETs, older browsers): CSRF token still required
    for (std::string_view scheme : {"http://", "https://"})
        if (origin.substr(0, scheme.size()) == scheme) return origin.substr(scheme.size()) == host;
    return false;
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

void add_security_headers(WebResponse& r) {
    r.headers.emplace_back("Content-Security-Policy", kSecurityPolicy);
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    r.headers.emplace_back("X-Frame-Options", "DENY");
    r.headers.emplace_back("Referrer-Policy", "no-referrer");
}

std::string_view cookie_value(std::string_view header, std::string_view name) {
    while (!header.empty()) {
        auto semi = header.find(';');
        std::string_view pair = header.substr(0, semi);
        header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
        while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
        auto eq = pair.find('=');
        if (eq != std::string_view::npos && pair.substr(0, eq) == name) return pair.substr(eq + 1);
    }
    return {};
}

std::optional<std::string> url_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '+') {
            out.push_back(' ');
        } else if (c == '%') {
            if (text.size() - i < 3) return std::nullopt;
            int hi = hex_digit(text[i + 1]);
            int lo = hex_digit(text[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::vector<std::pair<std::string, std::string>> query_parameters(std::string_view query) {
    std::vector<std::pair<std::string, std::string>> out;
    while (!query.empty() && out.size() < 32) {
        auto amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        auto eq = pair.find('=');
        auto key = url_decode(pair.substr(0, eq));
        auto value = url_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
        if (key && value && !key->empty()) out.emplace_back(std::move(*key), std::move(*value));
    }
    return out;
}

WebApi::WebApi(ControlBackend& backend, PasswordHash password_hash, RandomFill random, Duration session_idle)
    : backend_(backend),
      password_hash_(std::move(password_hash)),
      random_(std::move(random)),
      sessions_(session_idle) {}

WebResponse WebApi::handle(const WebRequest& request, TimePoint now) {
    WebResponse response;
    std::string_view target = request.target;
    auto question = target.find('?');
    std::string_view path = target.substr(0, question);
    std::string_view query =
        question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
    bool reading = request.method == "GET" || request.method == "HEAD";

    if (path.substr(0, 5) != "/api/" && path != "/api") {
        const WebAsset* asset = reading ? find_web_asset(path == "/index.html" ? "/" : path) : nullptr;
        if (!asset) {
            response = reading ? error_response(404, "no such page")
                               : error_response(405, "the page's files are read only");
        } else {
            response.content_type = std::string(asset->content_type);
            response.body = std::string(asset->body);
            response.headers.emplace_back("ETag", std::string(asset->etag));
            response.headers.emplace_back("Cache-Control",
                                          "no-cache");  // revalidated: a new binary shows at once
        }
        add_security_headers(response);
        return response;
    }
    if (path == "/api/login" && request.method == "POST") {
        response = same_origin(request.origin, request.host)
                       ? login(request, now)
                       : error_response(403, "cross-origin request refused");
    } else {
        std::string_view token = cookie_value(request.cookie, kSessionCookie);
        const WebSession* session = sessions_.find(token, now);
        if (!session) {
            response = error_response(401, "log in first");
        } else if (!reading && (!constant_time_equal(request.csrf, session->csrf) ||
                                !same_origin(request.origin, request.host))) {
            response = error_response(403, "missing or wrong CSRF token");
        } else {
            response = api(request, path, query, *session, token);
        }
    }
    response.headers.emplace_back("Cache-Control", "no-store");
    add_security_headers(response);
    return response;
}

WebResponse WebApi::login(const WebRequest& request, TimePoint now) {
    if (auto wait = limiter_.check(request.client, now)) {
        auto wait_s = std::chrono::ceil<std::chrono::seconds>(*wait).count();
        WebResponse r =
            json_response(429, {{"ok", false},
                                {"error", "too many attempts: wait " + std::to_string(wait_s) + " s"},
                                {"retry_after_s", wait_s}});
        r.headers.emplace_back("Retry-After", std::to_string(wait_s));
        return r;
    }
    nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
    auto pw = body.is_object() ? body.find("password") : body.end();
    if (body.is_discarded() || !body.is_object() || pw == body.end() || !pw->is_string() ||
        pw->get_ref<const std::string&>().size() > kMaxPassword)
        return error_response(400, "send {\"password\": \"...\"}");
    std::string hash = password_hash_();
    if (hash.empty()) return error_response(503, "no password is set: run lanlordctl web-password");
    if (!verify_password(pw->get_ref<const std::string&>(), hash)) {
        limiter_.failed(request.client, now);
        return error_response(401, "wrong password");
    }
    limiter_.succeeded(request.client);
    std::array<std::uint8_t, 64> random{};
    random_(random);
    std::string token = sessions_.create(random, now);
    const WebSession* session = sessions_.find(token, now);
    WebResponse r = json_response(200, control_ok({{"csrf", session->csrf}}));
    r.headers.emplace_back("Set-Cookie",
                           std::string(kSessionCookie) + "=" + token + "; Path=/; HttpOnly; SameSite=Strict");
    return r;
}

WebResponse WebApi::api(const WebRequest& request, std::string_view path, std::string_view query,
                        const WebSession& session, std::string_view token) {
    bool get = request.method == "GET" || request.method == "HEAD";
    bool post = request.method == "POST";
    if (path == "/api/session" && get)
        return json_response(
            200, control_ok({{"csrf", session.csrf}, {"privacy", privacy_ ? privacy_() : std::string()}}));
    if (path == "/api/logout" && post) {
        sessions_.erase(token);
        WebResponse r = json_response(200, control_ok({{"logged_out", true}}));
        r.headers.emplace_back(
            "Set-Cookie", std::string(kSessionCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
        return r;
    }
    nlohmann::json body = nlohmann::json::object();
    if (post && !request.body.empty()) {
        body = nlohmann::json::parse(request.body, nullptr, false);
        if (body.is_discarded() || !body.is_object())
            return error_response(400, "the body must be a JSON object");
    }
    // Route -> the control request it is.
    struct Route {
        std::string_view path;
        bool post;
        const char* command;
    };
    static constexpr std::array<Route, 13> kRoutes = {{
        {"/api/status", false, "status"},
        {"/api/stats", false, "stats"},
        {"/api/dashboard", false, "dashboard"},
        {"/api/querylog", false, "querylog"},
        {"/api/leases", false, "leases"},
        {"/api/lists", false, "lists"},
        {"/api/config", false, "config"},
        {"/api/cache", false, "cache.dump"},
        {"/api/bench", false, "bench"},
        {"/api/domains", true, "domains"},
        {"/api/leases/reserve", true, "leases.reserve"},
        {"/api/cache/flush", true, "cache.flush"},
        {"/api/reload", true, "reload"},
    }};
    if (path == "/api/bench" && post) body["command"] = "bench.start";
    if (path == "/api/bench/chart.svg" && get) {
        nlohmann::json state = backend_.bench_state();
        const auto* svg =
            state.contains("result") && state["result"].contains("svg") && state["result"]["svg"].is_string()
                ? &state["result"]["svg"].get_ref<const std::string&>()
                : nullptr;
        if (!svg || svg->empty()) return error_response(404, "no comparison has finished yet");
        WebResponse r;
        r.content_type = "image/svg+xml";
        r.body = *svg;
        return r;
    }
    bool known_path = body.contains("command");
    for (const Route& route : kRoutes) {
        if (route.path != path) continue;
        known_path = true;
        if (route.post ? post : get) body["command"] = route.command;
    }
    if (!body.contains("command"))
        return known_path ? error_response(405, "method not allowed here")
                          : error_response(404, "no such API");
    if (get)
        for (auto& [key, value] : query_parameters(query)) {
            if (key == "command") continue;
            if (key == "limit") {
                std::uint64_t n = 0;
                auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
                if (ec == std::errc() && p == value.data() + value.size()) {
                    body[key] = n;
                    continue;
                }
            }
            body[key] = value;
        }
    nlohmann::json reply = handle_control(body, backend_);
    return json_response(status_of(reply), reply);
}

}  // namespace lanlord
