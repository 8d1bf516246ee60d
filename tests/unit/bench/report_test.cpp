#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "daemon/bench/report.h"
#include "daemon/bench/stats.h"

using namespace lanlord;
using namespace lanlord::bench;

namespace {

PhaseStats phase(unsigned sent, std::vector<double> ms, std::uint8_t rcode = 0) {
    PhaseSamples s;
    s.sent = sent;
    s.latencies_ms = std::move(ms);
    if (!s.latencies_ms.empty()) s.rcodes[rcode] = static_cast<unsigned>(s.latencies_ms.size());
    return summarize(s);
}

TargetResult result(std::string name, const char* address, double uncached_ms, double cached_ms) {
    TargetResult r;
    r.target = {std::move(name), *Endpoint::parse(address, 53), TargetKind::server};
    r.uncached = phase(4, {uncached_ms, uncached_ms + 1, uncached_ms + 2, uncached_ms + 3}, 3);
    r.cached = phase(4, {cached_ms, cached_ms, cached_ms, cached_ms});
    r.nxdomain_hijack = Tri::no;
    r.sets_ad = Tri::yes;
    return r;
}

TargetResult silent(std::string name, const char* address) {
    TargetResult r;
    r.target = {std::move(name), *Endpoint::parse(address, 53), TargetKind::public_preset};
    r.uncached = phase(4, {});
    r.cached = phase(4, {});
    return r;
}

std::vector<TargetResult> sample() {
    std::vector<TargetResult> v = {silent("dead", "192.0.2.9"), result("slow", "192.0.2.2", 80, 1),
                                   result("fast", "192.0.2.1", 20, 2)};
    v[2].nxdomain_hijack = Tri::yes;
    v[2].hijack_address = "198.51.100.7";
    sort_results(v);
    return v;
}

const ReportMeta kMeta{BenchSettings{}, 50};

}  // namespace

TEST_CASE("bench report: sorted by uncached p50, silent targets last") {
    auto v = sample();
    CHECK(v[0].target.name == "fast");
    CHECK(v[1].target.name == "slow");
    CHECK(v[2].target.name == "dead");
    std::vector<TargetResult> ties = {result("b", "192.0.2.2", 20, 5), result("a", "192.0.2.1", 20, 5),
                                      result("c", "192.0.2.3", 20, 1)};
    sort_results(ties);
    CHECK(ties[0].target.name == "c");  // then by cached p50
    CHECK(ties[1].target.name == "a");  // then by name
}

TEST_CASE("bench report: escaping for terminals, XML and CSV") {
    CHECK(printable("plain name") == "plain name");
    CHECK(printable("Z\xC3\xBCrich") == "Z\xC3\xBCrich");  // valid UTF-8 kept
    CHECK(printable("a\nb\x1b[31m\x7f") == "a?b?[31m?");   // control characters
    CHECK(printable("\xC0\xAF\xFF") == "???");             // overlong, invalid
    CHECK(printable("\xED\xA0\x80") == "???");             // a UTF-16 surrogate
    CHECK(printable("\xE2\x82") == "??");                  // cut sequence
    CHECK(xml_escape("a&b<c>\"d'") == "a&amp;b&lt;c&gt;&quot;d&apos;");
    CHECK(csv_field("plain") == "plain");
    CHECK(csv_field("a,b") == "\"a,b\"");
    CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
    CHECK(csv_field("two\nlines") == "two?lines");
}

TEST_CASE("bench report: the table shows both phases, '-' without answers, and warns of hijacking") {
    auto text = format_table(sample(), kMeta);
    auto fast = text.find("\nfast ");
    auto slow = text.find("\nslow ");
    auto dead = text.find("\ndead ");
    REQUIRE(fast != std::string::npos);
    CHECK(fast < slow);
    CHECK(slow < dead);
    CHECK(text.find("uncached") != std::string::npos);
    CHECK(text.find("100.0%") != std::string::npos);
    CHECK(text.find("  -  ") != std::string::npos);
    CHECK(text.find("NXDOMAIN:4") != std::string::npos);
    CHECK(text.find("warning: fast answers nonexistent names with an address (198.51.100.7)") !=
          std::string::npos);
}

TEST_CASE("bench report: JSON has nulls where nothing was measured") {
    auto j = nlohmann::json::parse(format_json(sample(), kMeta));
    REQUIRE(j["targets"].size() == 3);
    const auto& fast = j["targets"][0];
    CHECK(fast["name"] == "fast");
    CHECK(fast["address"] == "192.0.2.1");
    CHECK(fast["port"] == 53);
    CHECK(fast["nxdomain_hijack"] == true);
    CHECK(fast["hijack_address"] == "198.51.100.7");
    CHECK(fast["uncached"]["p50_ms"] == 21.0);
    CHECK(fast["uncached"]["rcodes"]["NXDOMAIN"] == 4);
    CHECK(fast["uncached"]["samples_ms"].size() == 4);
    const auto& dead = j["targets"][2];
    CHECK(dead["nxdomain_hijack"].is_null());
    CHECK(dead["sets_ad"].is_null());
    CHECK(dead["cached"]["p50_ms"].is_null());
    CHECK(dead["cached"]["lost_pct"] == 100.0);
    CHECK(j["settings"]["count"] == 100);

    auto odd = sample();
    odd[0].target.name = "bad \xFF name \"q\"";
    auto k = nlohmann::json::parse(format_json(odd, kMeta));  // still valid JSON
    CHECK(k["targets"][0]["name"] == "bad ? name \"q\"");
}

TEST_CASE("bench report: CSV has two rows per target and empty latency without answers") {
    auto v = sample();
    v[1].target.name = "slow, \"really\"";
    auto text = format_csv(v);
    std::vector<std::string> lines;
    for (std::size_t pos = 0, nl; (nl = text.find('\n', pos)) != std::string::npos; pos = nl + 1)
        lines.push_back(text.substr(pos, nl - pos));
    REQUIRE(lines.size() == 1 + 6);
    CHECK(lines[0].starts_with("target,address,port,kind,phase,sent,answered,lost,lost_pct,min_ms,p50_ms"));
    CHECK(lines[1].starts_with("fast,192.0.2.1,53,server,uncached,4,4,0,0.000,20.000,21.000,"));
    CHECK(lines[3].starts_with("\"slow, \"\"really\"\"\",192.0.2.2,53,server,uncached,"));
    CHECK(lines[5] == "dead,192.0.2.9,53,public,uncached,4,0,4,100.000,,,,,,,,0,0,0,0,0,0,,,udp,,");
    CHECK(lines[1].ends_with(",yes,yes,udp,,"));  // the DoT columns come last, empty over UDP
}

TEST_CASE("bench report: the SVG names every target, escaped, with both phases") {
    auto v = sample();
    v[1].target.name = "<script>&\"x\"";
    auto svg = format_svg(v, kMeta);
    CHECK(svg.starts_with(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\""));
    CHECK(svg.ends_with("</svg>\n"));
    CHECK(svg.find(">fast</text>") != std::string::npos);
    CHECK(svg.find(">dead</text>") != std::string::npos);
    CHECK(svg.find("&lt;script&gt;&amp;&quot;x&quot;") != std::string::npos);
    CHECK(svg.find("<script>") == std::string::npos);
    CHECK(svg.find("NXDOMAIN hijacking (198.51.100.7)") != std::string::npos);
    CHECK(svg.find("no answers") != std::string::npos);
    std::size_t open = 0, close = 0;
    for (std::size_t p = 0; (p = svg.find("<g>", p)) != std::string::npos; ++p) ++open;
    for (std::size_t p = 0; (p = svg.find("</g>", p)) != std::string::npos; ++p) ++close;
    CHECK(open == 6);  // two strips per target
    CHECK(open == close);
    // Empty run: still a valid chart.
    auto empty = format_svg({}, kMeta);
    CHECK(empty.ends_with("</svg>\n"));
}
