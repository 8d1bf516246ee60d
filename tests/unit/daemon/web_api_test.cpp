// The web page's HTTP surface without a socket: sessions, CSRF, Origin, the
// login rate limit, security headers, and routes reaching the same control
// handlers lanlordctl uses.
#include <catch2/catch.hpp>

#include <map>

#include "daemon/web/web_api.h"
#include "daemon/web/web_assets.h"

namespace lanlord {
namespace {

struct Backend : ControlBackend {
    std::vector<std::string> calls;
    QueryLogFilter filter;
    std::size_t limit = 0;
    DaemonSnapshot snapshot() override {
        calls.push_back("snapshot");
        return {};
    }
    nlohmann::json cache_dump(const std::optional<std::string>&, std::size_t) override {
        return {{"total", 0}};
    }
    std::size_t cache_flush(const std::optional<std::string>&) override {
        calls.push_back("flush");
        return 3;
    }
    nlohmann::json leases() override { return {{"enabled", false}}; }
    std::vector<std::string> reload() override { return {"f.toml:3: dns.port: bad"}; }
    void set_log_level(const std::string&) override {}
    void trace(const std::string&, std::uint16_t, std::function<void(nlohmann::json)>) override {}
    nlohmann::json querylog(const QueryLogFilter& f, std::size_t l) override {
        calls.push_back("querylog");
        filter = f;
        limit = l;
        return control_ok({{"records", nlohmann::json::array()}});
    }
    nlohmann::json dashboard() override {
        calls.push_back("dashboard");
        return control_ok({{"series", nlohmann::json::array()}});
    }
    nlohmann::json lists() override { return control_ok({}); }
    nlohmann::json change_domain(const std::string&, DomainAction) override {
        calls.push_back("domains");
        return control_ok({});
    }
    nlohmann::json reserve_lease(const IpAddress&) override { return control_error("no lease"); }
    nlohmann::json config_text() override { return control_ok({{"text", "x"}}); }
    nlohmann::json set_web_password(const std::string&) override { return control_ok({}); }
    nlohmann::json bench_state() override {
        return control_ok({{"state", "done"}, {"svg", "<svg xmlns='http://www.w3.org/2000/svg'/>"}});
    }
    nlohmann::json bench_start(const std::vector<std::string>&, bool) override {
        auto r = control_error("a comparison is already running");
        r["conflict"] = true;
        return r;
    }
};

// One password hash for every test (yescrypt is slow by design).
const std::string& test_hash() {
    static const std::string hash = [] {
        std::vector<std::uint8_t> salt(16, 7);
        std::string error;
        return hash_password("correct horse", salt, error);
    }();
    return hash;
}

struct Fixture {
    Backend backend;
    std::string hash = test_hash();
    std::uint8_t counter = 0;
    WebApi api{backend, [this] { return hash; },
               [this](std::span<std::uint8_t> out) {
                   for (auto& b : out) b = ++counter;
               },
               std::chrono::minutes(30)};
    TimePoint now = TimePoint(std::chrono::hours(100));
    IpAddress client = *IpAddress::parse("192.168.1.20");
    std::string cookie, csrf;

    WebResponse request(std::string method, std::string target, std::string body = {},
                        std::map<std::string, std::string> extra = {}) {
        WebRequest r;
        r.method = method;
        r.target = target;
        r.body = body;
        r.client = client;
        r.host = "192.168.1.2:8080";
        std::string c = extra.count("cookie") ? extra["cookie"] : cookie;
        r.cookie = c;
        std::string t = extra.count("csrf") ? extra["csrf"] : csrf;
        r.csrf = t;
        std::string o = extra.count("origin") ? extra["origin"] : std::string();
        r.origin = o;
        return api.handle(r, now);
    }
    WebResponse login(const std::string& password) {
        return request("POST", "/api/login", nlohmann::json{{"password", password}}.dump());
    }
    void log_in() {
        WebResponse r = login("correct horse");
        REQUIRE(r.status == 200);
        csrf = nlohmann::json::parse(r.body)["result"]["csrf"];
        for (const auto& [k, v] : r.headers)
            if (k == "Set-Cookie") cookie = v.substr(0, v.find(';'));
    }
};

std::string header(const WebResponse& r, const std::string& name) {
    for (const auto& [k, v] : r.headers)
        if (k == name) return v;
    return "";
}

}  // namespace

TEST_CASE("web: passwords are yescrypt hashes that verify only the right password", "[web]") {
    const std::string& h = test_hash();
    CHECK(h.rfind("$y$", 0) == 0);
    CHECK(verify_password("correct horse", h));
    CHECK_FALSE(verify_password("correct horsf", h));
    CHECK_FALSE(verify_password("", h));
    CHECK_FALSE(verify_password("correct horse", ""));
    CHECK_FALSE(verify_password("correct horse", "*"));
    CHECK_FALSE(verify_password(std::string("correct horse\0x", 15), h));
    std::vector<std::uint8_t> other_salt(16, 9);
    std::string error;
    CHECK(hash_password("correct horse", other_salt, error) != h);  // salted
    CHECK(constant_time_equal("abc", "abc"));
    CHECK_FALSE(constant_time_equal("abc", "abd"));
    CHECK_FALSE(constant_time_equal("abc", "ab"));
}

TEST_CASE("web: nothing under /api/ answers without a session", "[web]") {
    Fixture f;
    for (const char* path : {"/api/status", "/api/stats", "/api/dashboard", "/api/querylog", "/api/leases",
                             "/api/lists", "/api/config", "/api/cache", "/api/bench", "/api/session",
                             "/api/bench/chart.svg", "/api/nonexistent"}) {
        INFO(path);
        CHECK(f.request("GET", path).status == 401);
    }
    for (const char* path : {"/api/domains", "/api/leases/reserve", "/api/cache/flush", "/api/reload",
                             "/api/bench", "/api/logout"}) {
        INFO(path);
        CHECK(f.request("POST", path, "{}").status == 401);
    }
    f.cookie = "lanlord_session=" + std::string(64, 'a');  // a made-up session
    CHECK(f.request("GET", "/api/status").status == 401);
    CHECK(f.backend.calls.empty());
}

TEST_CASE("web: login sets an HttpOnly SameSite=Strict cookie and a CSRF token", "[web]") {
    Fixture f;
    CHECK(f.login("wrong").status == 401);
    CHECK(f.request("POST", "/api/login", "not json").status == 400);
    f.log_in();
    WebResponse r = f.login("correct horse");
    std::string cookie = header(r, "Set-Cookie");
    CHECK(cookie.find("HttpOnly") != std::string::npos);
    CHECK(cookie.find("SameSite=Strict") != std::string::npos);
    CHECK(cookie.find("Path=/") != std::string::npos);
    CHECK(f.csrf.size() == 64);
    CHECK(f.request("GET", "/api/status").status == 200);
    f.api.set_privacy_source([] { return std::string("hide_names"); });
    auto session = nlohmann::json::parse(f.request("GET", "/api/session").body);
    CHECK(session["result"]["csrf"] == f.csrf);
    CHECK(session["result"]["privacy"] == "hide_names");
    // No password set yet: login says how to set one.
    f.hash.clear();
    auto none = f.login("anything");
    CHECK(none.status == 503);
    CHECK(none.body.find("lanlordctl web-password") != std::string::npos);
}

TEST_CASE("web: changes need the session's CSRF token and this origin", "[web]") {
    Fixture f;
    f.log_in();
    CHECK(f.request("POST", "/api/cache/flush", "{}", {{"csrf", ""}}).status == 403);
    CHECK(f.request("POST", "/api/cache/flush", "{}", {{"csrf", std::string(64, '0')}}).status == 403);
    CHECK(f.request("POST", "/api/cache/flush", "{}", {{"origin", "http://evil.example"}}).status == 403);
    CHECK(f.request("POST", "/api/login", R"({"password":"correct horse"})",
                    {{"origin", "http://evil.example"}})
              .status == 403);
    CHECK(f.backend.calls.empty());
    CHECK(f.request("POST", "/api/cache/flush", "{}", {{"origin", "http://192.168.1.2:8080"}}).status == 200);
    CHECK(f.backend.calls == std::vector<std::string>{"flush"});
    // Another session's token is not this session's.
    Fixture g;
    g.counter = 100;  // other random bytes
    g.log_in();
    CHECK(f.request("POST", "/api/cache/flush", "{}", {{"csrf", g.csrf}}).status == 403);
}

TEST_CASE("web: routes reach the control handlers with the query string as arguments", "[web]") {
    Fixture f;
    f.log_in();
    auto r =
        f.request("GET", "/api/querylog?limit=25&name=%3Cscript%3E&client=192.168.1.0%2F24&outcome=blocked");
    CHECK(r.status == 200);
    CHECK(f.backend.limit == 25);
    CHECK(f.backend.filter.name_contains == "<script>");
    CHECK(f.backend.filter.client->to_string() == "192.168.1.0/24");
    CHECK(f.request("GET", "/api/querylog?type=NOPE").status == 400);
    CHECK(f.request("GET", "/api/dashboard?command=reload").status == 200);  // no smuggled command
    CHECK(f.backend.calls.back() == "dashboard");
    auto reload = f.request("POST", "/api/reload", "{}");
    CHECK(reload.status == 400);
    CHECK(nlohmann::json::parse(reload.body)["errors"][0] == "f.toml:3: dns.port: bad");
    CHECK(f.request("POST", "/api/domains", R"({"name":"ads.example","action":"block"})").status == 200);
    CHECK(f.request("POST", "/api/domains", "[1,2]").status == 400);
    CHECK(f.request("POST", "/api/bench", "{}").status == 409);
    CHECK(f.request("GET", "/api/domains").status == 405);
    CHECK(f.request("POST", "/api/status", "{}").status == 405);
    CHECK(f.request("GET", "/api/nope").status == 404);
    auto chart = f.request("GET", "/api/bench/chart.svg?t=5");
    CHECK(chart.status == 200);
    CHECK(chart.content_type == "image/svg+xml");
    auto api = f.request("GET", "/api/status");
    CHECK(api.content_type == "application/json");
    CHECK(header(api, "Cache-Control") == "no-store");
    CHECK(header(api, "Content-Security-Policy").find("script-src 'self'") != std::string::npos);
}

TEST_CASE("web: logout and idle time end a session", "[web]") {
    Fixture f;
    f.log_in();
    std::string old = f.cookie;
    f.now += std::chrono::minutes(29);
    CHECK(f.request("GET", "/api/status").status == 200);  // restarts the idle time
    f.now += std::chrono::minutes(29);
    CHECK(f.request("GET", "/api/status").status == 200);
    f.now += std::chrono::minutes(31);
    CHECK(f.request("GET", "/api/status").status == 401);
    f.log_in();
    CHECK(f.request("POST", "/api/logout", "{}").status == 200);
    CHECK(f.request("GET", "/api/status").status == 401);
    f.log_in();
    f.api.end_sessions();  // a new password
    CHECK(f.request("GET", "/api/status").status == 401);
}

TEST_CASE("web: wrong passwords are rate limited per client and overall", "[web]") {
    Fixture f;
    for (int i = 0; i < 5; ++i) CHECK(f.login("nope").status == 401);
    // The fifth failure starts a 1 s wait; during it even the right password is not checked.
    auto limited = f.login("correct horse");
    CHECK(limited.status == 429);
    CHECK(header(limited, "Retry-After") == "1");
    f.now += std::chrono::seconds(1);
    CHECK(f.login("nope").status == 401);  // sixth failure: 2 s
    f.now += std::chrono::seconds(1);
    CHECK(f.login("correct horse").status == 429);
    f.now += std::chrono::seconds(1);
    CHECK(f.login("correct horse").status == 200);  // and the slate is clean
    CHECK(f.login("nope").status == 401);
    CHECK(f.login("correct horse").status == 200);
    // Another address is not held by this one's failures, but every address
    // together gets 30 checks a minute.
    f.now += std::chrono::minutes(2);
    int checked = 0;
    for (int i = 0; i < 40; ++i) {
        f.client = *IpAddress::parse("10.0.0." + std::to_string(i + 1));
        if (f.login("nope").status == 401) ++checked;
    }
    CHECK(checked == 30);
}

TEST_CASE("web: the page's files are served with a CSP, nothing else is", "[web]") {
    Fixture f;
    auto index = f.request("GET", "/");
    REQUIRE(index.status == 200);
    CHECK(index.content_type == "text/html; charset=utf-8");
    CHECK(index.body.find("<html") != std::string::npos);
    CHECK(header(index, "Content-Security-Policy").find("default-src 'self'") != std::string::npos);
    CHECK(header(index, "X-Frame-Options") == "DENY");
    CHECK(f.request("GET", "/app.js").content_type == "text/javascript; charset=utf-8");
    CHECK(f.request("GET", "/index.html").status == 200);
    CHECK(f.request("GET", "/../etc/passwd").status == 404);
    CHECK(f.request("GET", "/app.js/").status == 404);
    CHECK(f.request("POST", "/", "x").status == 405);
    // The page never writes data into the DOM as markup.
    const WebAsset* js = find_web_asset("/app.js");
    REQUIRE(js);
    for (const char* sink : {".innerHTML", ".outerHTML", ".insertAdjacentHTML", "document.write", "eval(",
                             "new Function", "setAttribute('on", "setAttribute(\"on"})
        CHECK(js->body.find(sink) == std::string_view::npos);
}

TEST_CASE("web: cookie and query-string parsing", "[web]") {
    CHECK(cookie_value("a=1; lanlord_session=xyz; b=2", "lanlord_session") == "xyz");
    CHECK(cookie_value("xlanlord_session=1", "lanlord_session").empty());
    CHECK(cookie_value("", "lanlord_session").empty());
    CHECK(url_decode("a+b%20c%3c") == std::optional<std::string>("a b c<"));
    CHECK_FALSE(url_decode("%"));
    CHECK_FALSE(url_decode("%4"));
    CHECK_FALSE(url_decode("%zz"));
    auto p = query_parameters("a=1&&b=%41&c&=x&bad=%");
    REQUIRE(p.size() == 3);
    CHECK(p[1] == std::pair<std::string, std::string>{"b", "A"});
    CHECK(p[2] == std::pair<std::string, std::string>{"c", ""});
}

}  // namespace lanlord
