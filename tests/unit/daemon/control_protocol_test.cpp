// The control protocol: every request shape, hostile or not, gets exactly one
// JSON reply line, and only valid requests reach the backend.
#include <catch2/catch.hpp>

#include "daemon/control/control_protocol.h"
#include "tests/support/dns_builder.h"

namespace lanlord {
namespace {

struct FakeBackend : ControlBackend {
    int snapshots = 0, flushes = 0, dumps = 0, reloads = 0;
    std::optional<std::string> last_name;
    std::size_t last_limit = 0;
    std::vector<std::string> reload_errors;
    std::string level;

    DaemonSnapshot snapshot() override {
        ++snapshots;
        DaemonSnapshot s;
        s.version = "9.9";
        s.dns.queries = 42;
        return s;
    }
    nlohmann::json cache_dump(const std::optional<std::string>& name, std::size_t limit) override {
        ++dumps;
        last_name = name;
        last_limit = limit;
        return {{"total", 0}};
    }
    std::size_t cache_flush(const std::optional<std::string>& name) override {
        ++flushes;
        last_name = name;
        return 7;
    }
    nlohmann::json leases() override { return {{"enabled", false}}; }
    std::vector<std::string> reload() override {
        ++reloads;
        return reload_errors;
    }
    void set_log_level(const std::string& l) override { level = l; }
    void trace(const std::string&, std::uint16_t, std::function<void(nlohmann::json)> done) override {
        done({{"ok", true}});
    }
    // The web page's commands: what reached the backend.
    std::vector<std::string> calls;
    QueryLogFilter last_filter;
    std::string last_wire, last_hash;
    DomainAction last_action = DomainAction::remove;
    std::vector<std::string> last_servers;
    nlohmann::json querylog(const QueryLogFilter& f, std::size_t limit) override {
        calls.push_back("querylog");
        last_filter = f;
        last_limit = limit;
        return control_ok({{"records", nlohmann::json::array()}});
    }
    nlohmann::json dashboard() override {
        calls.push_back("dashboard");
        return control_ok({});
    }
    nlohmann::json lists() override {
        calls.push_back("lists");
        return control_ok({});
    }
    nlohmann::json change_domain(const std::string& wire, DomainAction a) override {
        calls.push_back("domains");
        last_wire = wire;
        last_action = a;
        return control_ok({});
    }
    nlohmann::json reserve_lease(const IpAddress& a) override {
        calls.push_back("reserve " + a.to_string());
        return control_ok({});
    }
    nlohmann::json config_text() override {
        calls.push_back("config");
        return control_ok({});
    }
    nlohmann::json set_web_password(const std::string& hash) override {
        calls.push_back("password");
        last_hash = hash;
        return control_ok({});
    }
    nlohmann::json bench_state() override {
        calls.push_back("bench");
        return control_ok({{"state", "idle"}});
    }
    nlohmann::json bench_start(const std::vector<std::string>& servers, bool) override {
        calls.push_back("bench.start");
        last_servers = servers;
        return control_ok({});
    }
};

nlohmann::json call(FakeBackend& b, std::string_view line) {
    std::string reply = handle_control_request(line, b);
    REQUIRE(reply.find('\n') == std::string::npos);  // one line, framing intact
    auto j = nlohmann::json::parse(reply, nullptr, false);
    REQUIRE(j.is_object());
    REQUIRE(j.contains("ok"));
    return j;
}

}  // namespace

TEST_CASE("control: malformed requests get an error reply and reach no backend call", "[control]") {
    FakeBackend b;
    for (std::string_view bad :
         {"", "{", "not json", "[]", "42", "\"status\"", "{\"command\":1}", "{\"cmd\":\"status\"}",
          "{\"command\":\"status\"", "{\"command\":\"explode\"}", "null",
          "{\"command\":\"cache.flush\",\"name\":5}", "{\"command\":\"cache.flush\",\"name\":\"bad..name\"}",
          "{\"command\":\"cache.dump\",\"limit\":-1}", "{\"command\":\"cache.dump\",\"limit\":\"x\"}",
          "{\"command\":\"log-level\"}", "{\"command\":\"log-level\",\"level\":\"loud\"}", "\xff\xfe{}"}) {
        INFO(std::string(bad));
        auto j = call(b, bad);
        CHECK(j["ok"] == false);
        CHECK(j["error"].is_string());
        CHECK(!j["error"].get<std::string>().empty());
    }
    CHECK(b.snapshots == 0);
    CHECK(b.flushes == 0);
    CHECK(b.dumps == 0);
    CHECK(b.level.empty());
}

TEST_CASE("control: a request over the size limit is refused without parsing", "[control]") {
    FakeBackend b;
    std::string huge = "{\"command\":\"status\",\"pad\":\"" + std::string(kMaxControlRequest, 'x') + "\"}";
    auto j = call(b, huge);
    CHECK(j["ok"] == false);
    CHECK(j["error"] == "request too long");
    CHECK(b.snapshots == 0);
}

TEST_CASE("control: deeply nested JSON is an error, not a stack overflow", "[control]") {
    FakeBackend b;
    std::string deep(kMaxControlRequest / 2, '[');
    auto j = call(b, deep);
    CHECK(j["ok"] == false);
}

TEST_CASE("control: status and stats render the backend's snapshot", "[control]") {
    FakeBackend b;
    auto status = call(b, R"({"command":"status"})");
    REQUIRE(status["ok"] == true);
    CHECK(status["result"]["version"] == "9.9");
    auto stats = call(b, R"({"command":"stats"})");
    REQUIRE(stats["ok"] == true);
    CHECK(stats["result"]["dns"]["queries"] == 42);
    CHECK(b.snapshots == 2);
}

TEST_CASE("control: cache flush and dump take an optional name in wire form", "[control]") {
    FakeBackend b;
    auto all = call(b, R"({"command":"cache.flush"})");
    CHECK(all["result"]["flushed"] == 7);
    CHECK(!b.last_name);
    call(b, R"({"command":"cache.flush","name":"WWW.Example.org."})");
    REQUIRE(b.last_name);
    CHECK(*b.last_name == test::wire("www.example.org"));  // lower-cased wire form
    call(b, R"({"command":"cache.dump","name":"example.org","limit":5})");
    CHECK(b.last_limit == 5);
    CHECK(*b.last_name == test::wire("example.org"));
    call(b, R"({"command":"cache.dump"})");
    CHECK(b.last_limit == 10000);
    CHECK(b.dumps == 2);
}

TEST_CASE("control: reload reports the configuration's errors", "[control]") {
    FakeBackend b;
    CHECK(call(b, R"({"command":"reload"})")["ok"] == true);
    b.reload_errors = {"/etc/lanlord.toml:3:1: cache.size: expected an integer"};
    auto j = call(b, R"({"command":"reload"})");
    CHECK(j["ok"] == false);
    CHECK(j["errors"][0] == b.reload_errors[0]);
    CHECK(b.reloads == 2);
}

TEST_CASE("control: log-level accepts only known levels", "[control]") {
    FakeBackend b;
    auto j = call(b, R"({"command":"log-level","level":"debug"})");
    CHECK(j["ok"] == true);
    CHECK(b.level == "debug");
}

TEST_CASE("control: replies stay valid JSON whatever bytes a backend returns", "[control]") {
    struct Binary : FakeBackend {
        nlohmann::json leases() override { return {{"hostname", std::string("\xff\xfe\x01")}}; }
    } b;
    auto j = call(b, R"({"command":"leases"})");
    CHECK(j["ok"] == true);
}

TEST_CASE("control: querylog arguments become a filter, bad ones an error", "[control][querylog]") {
    FakeBackend b;
    auto j =
        call(b, R"({"command":"querylog","limit":"25","client":"192.0.2.0/24","name":"ExA","type":"AAAA",)"
                R"("outcome":"blocked,cached"})");
    CHECK(j["ok"] == true);
    REQUIRE(b.calls == std::vector<std::string>{"querylog"});
    CHECK(b.last_limit == 25);
    REQUIRE(b.last_filter.client);
    CHECK(b.last_filter.client->to_string() == "192.0.2.0/24");
    CHECK(b.last_filter.name_contains == "ExA");
    CHECK(b.last_filter.qtype == std::optional<std::uint16_t>(28));
    CHECK(b.last_filter.outcomes == ((1u << static_cast<unsigned>(QueryOutcome::blocked)) |
                                     (1u << static_cast<unsigned>(QueryOutcome::cached))));
    // Empty strings mean "any"; the limit has a default.
    j = call(b, R"({"command":"querylog","client":"","name":"","type":"","outcome":""})");
    CHECK(j["ok"] == true);
    CHECK(b.last_limit == 100);
    CHECK_FALSE(b.last_filter.client);
    CHECK(b.last_filter.outcomes == kAllQueryOutcomes);
    for (const char* bad :
         {R"({"command":"querylog","limit":0})", R"({"command":"querylog","limit":10001})",
          R"({"command":"querylog","limit":"x"})", R"({"command":"querylog","client":"nope"})",
          R"({"command":"querylog","type":"BOGUSTYPE"})",
          R"({"command":"querylog","outcome":"cached,zapped"})", R"({"command":"querylog","name":5})"}) {
        INFO(bad);
        b.calls.clear();
        j = call(b, bad);
        CHECK(j["ok"] == false);
        CHECK(b.calls.empty());
    }
}

TEST_CASE("control: the web page's changes check their arguments before the backend", "[control]") {
    FakeBackend b;
    auto j = call(b, R"({"command":"domains","name":"Ads.Example.","action":"block"})");
    CHECK(j["ok"] == true);
    CHECK(b.last_wire == std::string("\x03"
                                     "ads\x07"
                                     "example\x00",
                                     13));
    CHECK(b.last_action == DomainAction::block);
    call(b, R"({"command":"domains","name":"ads.example","action":"remove"})");
    CHECK(b.last_action == DomainAction::remove);
    call(b, R"({"command":"leases.reserve","address":"192.0.2.20"})");
    CHECK(b.calls.back() == "reserve 192.0.2.20");
    call(b, R"({"command":"web.password","hash":"$y$j9T$abcdefgh$ijklmnop"})");
    CHECK(b.last_hash == "$y$j9T$abcdefgh$ijklmnop");
    call(b, R"({"command":"bench.start","servers":["192.0.2.1","[2001:db8::1]:5353"]})");
    CHECK(b.last_servers == std::vector<std::string>{"192.0.2.1", "[2001:db8::1]:5353"});
    b.calls.clear();
    for (const char* bad :
         {R"({"command":"domains","name":".","action":"block"})",
          R"({"command":"domains","name":"a..b","action":"block"})",
          R"({"command":"domains","name":"ads.example","action":"explode"})",
          R"({"command":"domains","action":"block"})",
          R"({"command":"leases.reserve","address":"2001:db8::1"})", R"({"command":"leases.reserve"})",
          R"({"command":"web.password","hash":"plaintext"})",
          R"({"command":"web.password","hash":"$y$ with spaces"})",
          R"({"command":"bench.start","servers":["not an address"]})",
          R"({"command":"bench.start","servers":"x"})", R"({"command":"trace","name":"example.org"})"}) {
        INFO(bad);
        j = call(b, bad);
        CHECK(j["ok"] == false);
    }
    CHECK(b.calls.empty());
}

}  // namespace lanlord
