// lanlordctl bench over DNS over TLS: the options and targets, the stream
// framing, the connection figures and how the reports show them. The
// connections themselves are the I/O edge (runner.cpp, dot_connection.cpp),
// tested against real DoT servers in tests/system/test_dot.py (bench).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "common/tls_auth.h"
#include "config/config.h"
#include "daemon/bench/options.h"
#include "daemon/bench/report.h"
#include "daemon/bench/stats.h"
#include "daemon/bench/stream_framer.h"
#include "daemon/bench/targets.h"

using namespace lanlord;
using namespace lanlord::bench;

namespace {
std::optional<Options> parse(std::vector<std::string> args, std::string& error) {
    error.clear();
    return parse_options(args, error);
}
const char* kPin = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";  // SHA-256 of nothing: 32 bytes

std::vector<std::uint8_t> bytes(std::initializer_list<int> v) {
    std::vector<std::uint8_t> out;
    for (int b : v) out.push_back(static_cast<std::uint8_t>(b));
    return out;
}
}  // namespace

TEST_CASE("tls server text: address, port, authentication name, and what is refused") {
    std::string error;
    auto a = parse_tls_server("tls://9.9.9.9#DNS.Quad9.net.", error);
    REQUIRE(a);
    CHECK(a->server.to_string() == "9.9.9.9:853");
    CHECK(a->name == "dns.quad9.net");
    auto b = parse_tls_server("tls://[2001:db8::1]:8853", error);
    REQUIRE(b);
    CHECK(b->server.to_string() == "[2001:db8::1]:8853");
    CHECK(b->name.empty());
    for (const char* bad :
         {"9.9.9.9", "tls://", "tls://dns.quad9.net", "tls://9.9.9.9:0", "tls://9.9.9.9:99999",
          "tls://9.9.9.9#bad_name.example", "tls://9.9.9.9#.", "tls://9.9.9.9#a..b"}) {
        INFO(bad);
        error.clear();
        CHECK_FALSE(parse_tls_server(bad, error));
        CHECK_FALSE(error.empty());
    }
}

TEST_CASE("bench options: DoT servers, CA file, pins, handshake probes and the public DoT preset") {
    std::string error;
    auto o =
        parse({"--server", "quad9=tls://9.9.9.9#dns.quad9.net", "--server", "home=tls://[2001:db8::53]:8853",
               "--server", "plain=192.0.2.1", "--tls-ca", "/etc/ca.pem", "--tls-pin", kPin,
               "--tls-pin=" + std::string(kPin), "--handshakes", "0", "--public-tls"},
              error);
    REQUIRE(o);
    REQUIRE(o->servers.size() == 3);
    CHECK(o->servers[0].transport == Transport::tls);
    CHECK(o->servers[0].endpoint.to_string() == "9.9.9.9:853");
    CHECK(o->servers[0].tls_name == "dns.quad9.net");
    CHECK(o->servers[1].endpoint.to_string() == "[2001:db8::53]:8853");
    CHECK(o->servers[1].tls_name.empty());
    CHECK(o->servers[2].transport == Transport::udp);
    CHECK(o->tls_ca_file == "/etc/ca.pem");
    CHECK(o->tls_pins.size() == 2);
    CHECK(o->settings.tls_handshake_probes == 0);
    CHECK(o->public_tls);
    auto d = parse({}, error);
    REQUIRE(d);
    CHECK(d->settings.tls_handshake_probes == 3);
    CHECK(d->settings.tls_connect_attempts == 3);

    // Mistakes, each with its reason.
    CHECK_FALSE(parse({"--server", "x=tls://9.9.9.9#bad_name"}, error));
    CHECK(error.find("invalid authentication name") != std::string::npos);
    CHECK_FALSE(parse({"--server", "x=tls://not-an-address"}, error));
    CHECK(error.find("expected tls://ADDRESS") != std::string::npos);
    CHECK_FALSE(parse({"--server", "=tls://9.9.9.9"}, error));
    CHECK_FALSE(parse({"--server", "x=tls://9.9.9.9", "--tls-pin", "c2hvcnQ="}, error));
    CHECK(error.find("--tls-pin") != std::string::npos);
    CHECK_FALSE(parse({"--tls-ca", "ca.pem"}, error));  // no DoT server to apply it to
    CHECK(error.find("apply to --server NAME=tls://") != std::string::npos);
    CHECK_FALSE(parse({"--server", "x=tls://9.9.9.9", "--handshakes", "101"}, error));
    CHECK(usage().find("--public-tls") != std::string::npos);
}

TEST_CASE(
    "bench targets: DoT upstreams keep their group's authentication, beside a plain server on the same "
    "address") {
    auto cfg = load_config_text(R"(
[[upstream]]
name = "secure"
servers = ["tls://192.0.2.10#dns.example", "192.0.2.10"]
tls_pin_sha256 = ["47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="]
)",
                                "t.toml");
    REQUIRE(cfg.errors.empty());
    Options o;
    o.no_self = true;
    o.upstreams = true;
    o.public_tls = true;
    std::string error;
    auto parsed = parse({"--server", "mine=tls://198.51.100.5#dot.lan", "--tls-ca", "/ca.pem"}, error);
    REQUIRE(parsed);
    o.servers = parsed->servers;
    o.tls_ca_file = parsed->tls_ca_file;
    std::vector<std::string> notes;
    auto t = collect_targets(
        o, *cfg.config, [](const std::string&) { return std::nullopt; }, notes);
    REQUIRE(t.size() == 3 + public_tls_targets().size());
    CHECK(t[0].name == "secure#1");
    CHECK(t[0].transport == Transport::tls);
    CHECK(t[0].endpoint.to_string() == "192.0.2.10:853");
    CHECK(t[0].tls.name == "dns.example");
    CHECK(t[0].tls.pins.size() == 1);
    CHECK(t[1].transport == Transport::udp);  // the same address over UDP is another target
    CHECK(t[1].endpoint.to_string() == "192.0.2.10:53");
    CHECK(t[2].tls.name == "dot.lan");
    CHECK(t[2].tls.ca_file == "/ca.pem");
    CHECK(t[2].tls.pins.empty());
    for (const auto& p : public_tls_targets()) {
        CHECK(p.transport == Transport::tls);
        CHECK(p.endpoint.port == kDotPort);
        CHECK_FALSE(p.tls.name.empty());  // authenticated by name, never by address alone
    }
    CHECK(notes.empty());

    // The same DoT server with other credentials is another target; with the same, one.
    Options twice;
    twice.no_self = true;
    twice.servers = {{"a", *Endpoint::parse("192.0.2.10", kDotPort), Transport::tls, "dns.example"},
                     {"b", *Endpoint::parse("192.0.2.10", kDotPort), Transport::tls, "other.example"},
                     {"c", *Endpoint::parse("192.0.2.10", kDotPort), Transport::tls, "dns.example"}};
    notes.clear();
    auto d = collect_targets(
        twice, *cfg.config, [](const std::string&) { return std::nullopt; }, notes);
    REQUIRE(d.size() == 2);
    CHECK(d[1].tls.name == "other.example");
    REQUIRE(notes.size() == 1);
    CHECK(notes[0].find("c (") == 0);
}

TEST_CASE("stream framer: messages split anywhere, many in one read, and a zero length breaks the stream") {
    StreamFramer f;
    std::vector<std::vector<std::uint8_t>> got;
    auto take = [&](std::span<const std::uint8_t> m) { got.emplace_back(m.begin(), m.end()); };
    auto stream = bytes({0, 3, 'a', 'b', 'c', 0, 1, 'd', 0, 2, 'e', 'f'});
    // Byte by byte: the length itself split across reads.
    for (auto b : stream) CHECK(f.append(std::span(&b, 1), take));
    REQUIRE(got.size() == 3);
    CHECK(got[0] == bytes({'a', 'b', 'c'}));
    CHECK(got[2] == bytes({'e', 'f'}));
    CHECK(f.buffered() == 0);
    // All at once, plus the start of a fourth.
    got.clear();
    auto more = stream;
    more.insert(more.end(), {0, 5, 'x'});
    CHECK(f.append(more, take));
    CHECK(got.size() == 3);
    CHECK(f.buffered() == 3);
    CHECK(f.append(bytes({'y', 'z', 'w', 'v'}), take));
    REQUIRE(got.size() == 4);
    CHECK(got[3] == bytes({'x', 'y', 'z', 'w', 'v'}));
    // A zero length: no DNS message is empty.
    CHECK_FALSE(f.append(bytes({0, 0, 0, 1, 'q'}), take));
    CHECK(got.size() == 4);
    CHECK_FALSE(f.append(bytes({0, 1, 'r'}), take));  // and it stays broken
    CHECK(got.size() == 4);

    auto framed = frame_message(bytes({1, 2, 3}));
    CHECK(framed == bytes({0, 3, 1, 2, 3}));
    std::vector<std::uint8_t> huge(70000, 0);
    CHECK(frame_message(huge).empty());
}

TEST_CASE("bench tls figures: handshakes by kind, resumption, queries per connection") {
    TlsSamples s;
    s.full_ms = {12.0, 10.0, 14.0, 11.0};
    s.resumed_ms = {6.0, 5.0, 7.0};
    s.tcp_ms = {3.0, 2.0, 4.0, 3.0, 3.0, 2.0, 5.0};
    s.resumption_offered = 4;  // one offer declined: counted a full handshake
    s.query_connections = 2;
    s.closed_by_server = 1;
    s.failures = 1;
    s.version = "TLSv1.3";
    s.error = "timed out connecting";
    auto t = summarize_tls(s, 130);
    CHECK(t.handshakes == 7);
    CHECK(t.resumed == 3);
    CHECK(t.resumption_offered == 4);
    REQUIRE(t.full);
    CHECK(t.full->p50 == 11.0);  // nearest rank of 10, 11, 12, 14
    CHECK(t.full->min == 10.0);
    REQUIRE(t.resumed_latency);
    CHECK(t.resumed_latency->p50 == 6.0);
    CHECK(t.tcp->max == 5.0);
    CHECK(t.queries_per_connection == 65.0);
    CHECK(t.closed_by_server == 1);
    CHECK(t.failures == 1);
    CHECK(t.version == "TLSv1.3");

    auto none = summarize_tls(TlsSamples{}, 0);
    CHECK(none.handshakes == 0);
    CHECK_FALSE(none.full);
    CHECK_FALSE(none.resumed_latency);
    CHECK(none.queries_per_connection == 0);
}

namespace {
TargetResult dot_result(const char* name, bool connected) {
    TargetResult r;
    r.target = {name, *Endpoint::parse("192.0.2.53", kDotPort), TargetKind::server, Transport::tls,
                TlsAuth{}};
    r.target.tls.name = "dns.example";
    PhaseSamples p;
    p.sent = connected ? 2 : 0;
    if (connected) p.latencies_ms = {4.0, 5.0};
    r.uncached = summarize(p);
    r.cached = summarize(p);
    TlsSamples s;
    if (connected) {
        s.full_ms = {20.0, 22.0};
        s.resumed_ms = {9.5};
        s.tcp_ms = {3.0, 3.0, 3.0};
        s.resumption_offered = 1;
        s.query_connections = 1;
        s.version = "TLSv1.3";
    } else {
        s.failures = 3;
        s.error = "certificate verify failed: hostname mismatch";
    }
    r.tls = summarize_tls(s, connected ? 4 : 0);
    return r;
}
}  // namespace

TEST_CASE("bench report: DoT targets get their connection table, a failed one a warning, in every format") {
    TargetResult udp;
    udp.target = {"plain", *Endpoint::parse("192.0.2.1", 53), TargetKind::server};
    std::vector<TargetResult> results = {udp, dot_result("good dot", true), dot_result("bad dot", false)};
    const ReportMeta meta{BenchSettings{}, 10};

    auto table = format_table(results, meta);
    CHECK(table.find("tls://192.0.2.53:853") != std::string::npos);
    auto tls_section = table.substr(table.find("DNS over TLS"));
    CHECK(tls_section.find("good dot  TLSv1.3") != std::string::npos);
    CHECK(tls_section.find("21.0") == std::string::npos);  // nearest rank: p50 of 20, 22 is 20
    CHECK(tls_section.find("20.0") != std::string::npos);
    CHECK(tls_section.find("9.50") != std::string::npos);
    CHECK(tls_section.find("1/1") != std::string::npos);
    CHECK(tls_section.find("plain") == std::string::npos);  // UDP targets have no row there
    CHECK(table.find("warning: bad dot: no DoT connection (nothing was sent): certificate verify failed: "
                     "hostname mismatch") != std::string::npos);
    CHECK(format_table({udp}, meta).find("DNS over TLS") == std::string::npos);

    auto json = nlohmann::json::parse(format_json(results, meta));
    CHECK(json["settings"]["tls_handshake_probes"] == 3);
    CHECK(json["targets"][0]["transport"] == "udp");
    CHECK_FALSE(json["targets"][0].contains("tls"));
    const auto& good = json["targets"][1];
    CHECK(good["transport"] == "tls");
    CHECK(good["tls_name"] == "dns.example");
    CHECK(good["tls"]["version"] == "TLSv1.3");
    CHECK(good["tls"]["handshakes"] == 3);
    CHECK(good["tls"]["full_handshake"]["p50_ms"] == 20.0);
    CHECK(good["tls"]["resumed_handshake"]["p50_ms"] == 9.5);
    CHECK(good["tls"]["queries_per_connection"] == 4.0);
    CHECK(good["tls"]["error"].is_null());
    const auto& bad = json["targets"][2];
    CHECK(bad["tls"]["handshakes"] == 0);
    CHECK(bad["tls"]["full_handshake"].is_null());  // nothing measured: null, not 0
    CHECK(bad["tls"]["version"].is_null());
    CHECK(bad["tls"]["failures"] == 3);
    CHECK(bad["tls"]["error"] == "certificate verify failed: hostname mismatch");

    auto csv = format_csv(results);
    CHECK(csv.find(",transport,tls_full_handshake_p50_ms,tls_resumed_handshake_p50_ms\n") !=
          std::string::npos);
    CHECK(csv.find(",tls,20.000,9.500\n") != std::string::npos);
    CHECK(csv.find(",udp,,\n") != std::string::npos);
    CHECK(csv.find(",tls,,\n") != std::string::npos);  // the failed one: empty, not 0
    CHECK(json["targets"][2]["tls"]["gave_up"] == false);

    // Given up in the middle of the run: the queries never sent are said, not hidden.
    TargetResult mid = dot_result("flaky dot", true);
    mid.tls->gave_up = true;
    mid.tls->failures = 3;
    mid.tls->unsent = 37;
    mid.tls->error = "connect: Connection refused";
    auto mid_table = format_table({mid}, meta);
    CHECK(mid_table.find("warning: flaky dot: given up after 3 failed connections, 37 measured queries never "
                         "sent: connect: Connection refused") != std::string::npos);
    auto mid_json = nlohmann::json::parse(format_json({mid}, meta));
    CHECK(mid_json["targets"][0]["tls"]["gave_up"] == true);
    CHECK(mid_json["targets"][0]["tls"]["unsent"] == 37);

    auto svg = format_svg(results, meta);
    CHECK(svg.find("tls://192.0.2.53:853") != std::string::npos);
}
