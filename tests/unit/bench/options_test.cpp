#include <catch2/catch.hpp>

#include "bench_test_support.h"
#include "daemon/bench/options.h"
#include "daemon/bench/query_set.h"
#include "daemon/bench/targets.h"

using namespace lanlord;
using namespace lanlord::bench;

namespace {
std::optional<Options> parse(std::vector<std::string> args, std::string* error_out = nullptr) {
    std::string error;
    auto o = parse_options(args, error);
    if (error_out) *error_out = error;
    return o;
}
}  // namespace

TEST_CASE("bench options: defaults and every option in both spellings") {
    auto d = parse({});
    REQUIRE(d);
    CHECK(d->settings.rate == 5);
    CHECK(d->settings.count == 100);
    CHECK(d->settings.timeout == std::chrono::milliseconds(2000));
    CHECK(d->max_queries == 10000);
    CHECK(d->format == OutputFormat::table);
    CHECK(d->progress);

    auto o = parse({"--rate=12.5",
                    "--count",
                    "7",
                    "--timeout",
                    "500ms",
                    "--names",
                    "n.txt",
                    "--server",
                    "home=192.0.2.1",
                    "--server",
                    "a=b=[2001:db8::1]:5353",
                    "--upstreams",
                    "--config=c.toml",
                    "--self",
                    "127.0.0.1:5353",
                    "--public",
                    "--json",
                    "--svg",
                    "out.svg",
                    "--no-progress",
                    "--max-queries",
                    "99"});
    REQUIRE(o);
    CHECK(o->settings.rate == 12.5);
    CHECK(o->settings.count == 7);
    CHECK(o->settings.timeout == std::chrono::milliseconds(500));
    CHECK(o->names_file == "n.txt");
    REQUIRE(o->servers.size() == 2);
    CHECK(o->servers[0].name == "home");
    CHECK(o->servers[0].endpoint.to_string() == "192.0.2.1:53");
    CHECK(o->servers[1].name == "a=b");
    CHECK(o->servers[1].endpoint.port == 5353);
    CHECK(o->upstreams);
    CHECK(o->config_file == "c.toml");
    CHECK(o->self->to_string() == "127.0.0.1:5353");
    CHECK(o->public_preset);
    CHECK(o->format == OutputFormat::json);
    CHECK(o->svg_file == "out.svg");
    CHECK_FALSE(o->progress);
    CHECK(o->max_queries == 99);
}

TEST_CASE("bench options: mistakes are refused with a reason") {
    std::string error;
    for (auto args : std::vector<std::vector<std::string>>{{"--rate", "0"},
                                                           {"--rate", "fast"},
                                                           {"--count", "0"},
                                                           {"--count", "-3"},
                                                           {"--timeout", "0s"},
                                                           {"--timeout", "2 weeks"},
                                                           {"--server", "192.0.2.1"},
                                                           {"--server", "x=not-an-ip"},
                                                           {"--server", "=192.0.2.1"},
                                                           {"--json", "--csv"},
                                                           {"--self", "192.0.2.1", "--no-self"},
                                                           {"--public=yes"},
                                                           {"--names"},
                                                           {"--svg", ""},
                                                           {"--frobnicate"}}) {
        CAPTURE(args);
        CHECK_FALSE(parse(args, &error));
        CHECK_FALSE(error.empty());
    }
}

TEST_CASE("bench targets: self from the config, upstreams with resolv.conf, dedup, preset") {
    auto cfg = load_config_text(R"(
[dns]
listen = ["0.0.0.0:5300", "[::1]:5300"]

[[upstream]]
name = "isp"
resolv_conf = "/run/test/resolv.conf"

[[upstream]]
name = "corp"
servers = ["10.8.0.1", "10.8.0.2:5353"]
domains = ["corp.example"]
)",
                                "t.toml");
    REQUIRE(cfg.errors.empty());
    REQUIRE(cfg.config);
    auto read = [](const std::string& path) -> std::optional<std::string> {
        if (path == "/run/test/resolv.conf") return "nameserver 192.0.2.53\nnameserver 1.1.1.1\n";
        return std::nullopt;
    };
    Options o;
    o.upstreams = true;
    o.public_preset = true;
    o.servers.push_back({"corp#1", *Endpoint::parse("198.51.100.1", 53)});
    std::vector<std::string> notes;
    auto t = collect_targets(o, *cfg.config, read, notes);
    std::vector<std::string> names;
    for (const auto& x : t) names.push_back(x.name + "@" + x.endpoint.to_string());
    CHECK(names == std::vector<std::string>{
                       "lanlord@127.0.0.1:5300", "isp#1@192.0.2.53:53", "isp#2@1.1.1.1:53",
                       "corp#1@10.8.0.1:53", "corp#2@10.8.0.2:5353", "corp#1 (2)@198.51.100.1:53",
                       "Google@8.8.8.8:53", "Quad9@9.9.9.9:53", "OpenDNS@208.67.222.222:53",
                       "AdGuard (unfiltered)@94.140.14.140:53", "Control D (unfiltered)@76.76.2.0:53"});
    REQUIRE(notes.size() == 1);  // Cloudflare is isp#2
    CHECK(notes[0].find("Cloudflare") != std::string::npos);
    CHECK(t[0].kind == TargetKind::self);
    CHECK(t[1].kind == TargetKind::upstream);

    // An unreadable resolv_conf and a daemon listening on interfaces only.
    auto cfg2 = load_config_text("[dns]\ninterfaces = [\"br-lan\"]\n[[upstream]]\nresolv_conf = \"/nope\"\n",
                                 "u.toml");
    REQUIRE(cfg2.config);
    notes.clear();
    Options o2;
    o2.upstreams = true;
    CHECK(collect_targets(o2, *cfg2.config, read, notes).empty());
    CHECK(notes.size() == 2);
    o2.self = Endpoint::parse("127.0.0.1:53", 53);
    CHECK(collect_targets(o2, *cfg2.config, read, notes).size() == 1);
    o2.no_self = true;
    o2.self.reset();
    CHECK(collect_targets(o2, default_config(), read, notes).empty());
    CHECK(self_endpoint(default_config())->to_string() == "127.0.0.1:5353");
}

TEST_CASE("bench names: a names file, the built-in list and random labels") {
    std::string error;
    auto names = parse_names("# popular\nExample.ORG\n\n  a.test  extra words\nexample.org.\n", error);
    REQUIRE(names);
    CHECK(*names == std::vector<std::string>{test::wire("example.org"), test::wire("a.test")});
    CHECK_FALSE(parse_names("ok.test\nbad..name\n", error));
    CHECK(error.starts_with("line 2:"));
    CHECK_FALSE(parse_names("# nothing\n\n", error));
    CHECK_FALSE(parse_names(".\n", error));
    CHECK_FALSE(parse_names(
        std::string(120, 'a') + "." + std::string(60, 'b') + "." + std::string(60, 'c') + "\n", error));

    CHECK(builtin_names().size() == 50);
    for (auto n : builtin_names()) {
        CAPTURE(n);
        auto w = name_from_text(n);
        REQUIRE(w);
        CHECK(w->size() <= kMaxBaseNameLength);
    }

    auto random = test::seeded_random(9);
    auto a = random_label(random), b = random_label(random);
    CHECK(a.size() == 12);
    CHECK(a != b);
    CHECK(a.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789") == std::string::npos);
}
