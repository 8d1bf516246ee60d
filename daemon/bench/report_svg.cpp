// --svg (report.h): one row per target, uncached and cached as two strips on
// a shared logarithmic millisecond axis (a cache hit at 0.2 ms and a
// recursion at 200 ms both stay readable). Each strip: every answer as a
// faint dot, a line from min to p99, a box p25..p75, a bar at p50 and a
// diamond at p95; p50, p95 and loss are written at the right. Hand-written
// SVG 1.1, self-contained (no scripts, no external fonts or styles).
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "daemon/bench/report.h"
#include "daemon/bench/stats.h"

namespace lanlord::bench {
namespace {

constexpr double kWidth = 1080, kPlotLeft = 230, kPlotRight = 790, kTop = 90, kRowHeight = 62;
constexpr const char* kUncached = "#e66100";  // orange / blue: a pair colour-blind readers tell apart
constexpr const char* kUncachedDark = "#8a3a00";
constexpr const char* kCached = "#1a5fb4";
constexpr const char* kCachedDark = "#0b2e5c";

std::string f(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

std::string ms_label(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, v < 10 ? "%.2f" : "%.1f", v);
    return buf;
}

class LogAxis {
  public:
    // Bounds on the 1-2-5 ticks, a quarter beyond the data on each side so
    // that no strip ends on the frame.
    LogAxis(double lo, double hi) {
        lo_ = snap(std::max(lo / 1.25, 0.01), false);
        hi_ = snap(std::max(hi * 1.25, lo_ * 2), true);
    }
    double x(double v) const {
        v = std::clamp(v, lo_, hi_);
        return kPlotLeft + (std::log10(v) - std::log10(lo_)) / (std::log10(hi_) - std::log10(lo_)) *
                               (kPlotRight - kPlotLeft);
    }
    // 1-2-5 steps; `major` for powers of ten.
    std::vector<std::pair<double, bool>> ticks() const {
        std::vector<std::pair<double, bool>> out;
        for (double d = std::pow(10.0, std::floor(std::log10(lo_))); d <= hi_ * 1.0001; d *= 10)
            for (double m : {1.0, 2.0, 5.0})
                if (d * m >= lo_ * 0.9999 && d * m <= hi_ * 1.0001) out.push_back({d * m, m == 1.0});
        return out;
    }

  private:
    // The 1-2-5 value at or below (up = false) or at or above `v`.
    static double snap(double v, bool up) {
        double decade = std::pow(10.0, std::floor(std::log10(v)));
        if (up) {
            for (double m : {1.0, 2.0, 5.0, 10.0})
                if (decade * m >= v * 0.9999) return decade * m;
        }
        double best = decade;
        for (double m : {2.0, 5.0})
            if (decade * m <= v * 1.0001) best = decade * m;
        return best;
    }
    double lo_, hi_;
};

void strip(std::string& out, const LogAxis& axis, const PhaseStats& s, double y, const char* colour,
           const char* dark, const std::string& tooltip_name, const char* phase) {
    out += "<g><title>" + tooltip_name + ", " + phase + ": " + std::to_string(s.answered) + " of " +
           std::to_string(s.sent) + " answered";
    if (s.latency)
        out += ", p50 " + ms_label(s.latency->p50) + " ms, p95 " + ms_label(s.latency->p95) + " ms, p99 " +
               ms_label(s.latency->p99) + " ms";
    out += "</title>\n";
    const double text_x = kPlotRight + 12;
    if (!s.latency) {
        out += "<text x=\"" + f(kPlotLeft + 6) + "\" y=\"" + f(y + 4) + "\" fill=\"" + dark +
               "\" font-size=\"11\">no answers</text>\n";
    } else {
        const auto& v = s.sorted_ms;
        const auto& l = *s.latency;
        for (std::size_t k = 0; k < v.size(); ++k) {
            double jitter =
                static_cast<double>(static_cast<int>((k * 7919) % 11) - 5) * 0.9;  // deterministic
            out += "<circle cx=\"" + f(axis.x(v[k])) + "\" cy=\"" + f(y + jitter) + "\" r=\"1.6\" fill=\"" +
                   colour + "\" fill-opacity=\"0.35\"/>\n";
        }
        double p25 = percentile_nearest_rank(v, 25), p75 = percentile_nearest_rank(v, 75);
        out += "<line x1=\"" + f(axis.x(l.min)) + "\" y1=\"" + f(y) + "\" x2=\"" + f(axis.x(l.p99)) +
               "\" y2=\"" + f(y) + "\" stroke=\"" + colour + "\" stroke-width=\"1.2\"/>\n";
        out += "<rect x=\"" + f(axis.x(p25)) + "\" y=\"" + f(y - 5) + "\" width=\"" +
               f(std::max(axis.x(p75) - axis.x(p25), 1.0)) + "\" height=\"10\" fill=\"" + colour +
               "\" fill-opacity=\"0.3\" stroke=\"" + colour + "\"/>\n";
        double x95 = axis.x(l.p95);
        out += "<polygon points=\"" + f(x95) + "," + f(y - 4.5) + " " + f(x95 + 4.5) + "," + f(y) + " " +
               f(x95) + "," + f(y + 4.5) + " " + f(x95 - 4.5) + "," + f(y) + "\" fill=\"" + dark + "\"/>\n";
        out += "<line x1=\"" + f(axis.x(l.p50)) + "\" y1=\"" + f(y - 8) + "\" x2=\"" + f(axis.x(l.p50)) +
               "\" y2=\"" + f(y + 8) + "\" stroke=\"" + dark + "\" stroke-width=\"3\"/>\n";
    }
    out += "<text x=\"" + f(text_x) + "\" y=\"" + f(y + 4) + "\" font-size=\"11\" fill=\"" + dark + "\">" +
           phase;
    if (s.latency) out += "  p50 " + ms_label(s.latency->p50) + "  p95 " + ms_label(s.latency->p95) + " ms";
    char lost[32];
    std::snprintf(lost, sizeof lost, "%.0f", s.lost_pct);
    out += std::string("  <tspan fill=\"") + (s.lost > 0 ? "#c01c28" : dark) + "\"" +
           (s.lost_pct >= 5 ? " font-weight=\"bold\"" : "") + ">lost " + lost + "%</tspan></text>\n</g>\n";
}

}  // namespace

std::string format_svg(const std::vector<TargetResult>& results, const ReportMeta& meta) {
    double lo = 1e300, hi = 0;
    for (const auto& r : results)
        for (const PhaseStats* s : {&r.cached, &r.uncached})
            if (s->latency) {
                lo = std::min(lo, s->latency->min);
                hi = std::max(hi, s->latency->max);
            }
    if (hi == 0) lo = 0.1, hi = 1000;
    LogAxis axis(lo, hi);

    const double rows_bottom = kTop + kRowHeight * static_cast<double>(results.size());
    const double height = rows_bottom + 52;
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" + f(kWidth) + "\" height=\"" +
           f(height) + "\" viewBox=\"0 0 " + f(kWidth) + " " + f(height) +
           "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n";
    out += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n";
    out +=
        "<text x=\"12\" y=\"26\" font-size=\"17\" font-weight=\"bold\">DNS query latency per "
        "resolver</text>\n";
    char sub[200];
    std::snprintf(sub, sizeof sub,
                  "lanlordctl bench: %u queries per phase at %g/s, %zu names, timeout %lld ms; sorted by "
                  "uncached p50; logarithmic axis",
                  meta.settings.count, meta.settings.rate, meta.names,
                  static_cast<long long>(meta.settings.timeout.count()));
    out += "<text x=\"12\" y=\"46\" font-size=\"12\" fill=\"#555555\">" + xml_escape(sub) + "</text>\n";
    // Legend.
    out += std::string("<rect x=\"12\" y=\"58\" width=\"12\" height=\"12\" fill=\"") + kUncached + "\"/>\n";
    out += "<text x=\"30\" y=\"69\" font-size=\"12\">uncached (random label under a real domain)</text>\n";
    out += std::string("<rect x=\"320\" y=\"58\" width=\"12\" height=\"12\" fill=\"") + kCached + "\"/>\n";
    out += "<text x=\"338\" y=\"69\" font-size=\"12\">cached (asked again after a warm-up)</text>\n";
    out +=
        "<text x=\"590\" y=\"69\" font-size=\"11\" fill=\"#555555\">dots: answers; line: min-p99; box: "
        "p25-p75; bar: p50; diamond: p95</text>\n";

    for (std::size_t i = 0; i < results.size(); ++i) {
        const double y0 = kTop + kRowHeight * static_cast<double>(i);
        if (i % 2 == 1)
            out += "<rect x=\"0\" y=\"" + f(y0) + "\" width=\"" + f(kWidth) + "\" height=\"" + f(kRowHeight) +
                   "\" fill=\"#f3f3f3\"/>\n";
    }
    // Grid over the row backgrounds, under the data.
    for (auto [v, major] : axis.ticks()) {
        double x = axis.x(v);
        out += "<line x1=\"" + f(x) + "\" y1=\"" + f(kTop) + "\" x2=\"" + f(x) + "\" y2=\"" + f(rows_bottom) +
               "\" stroke=\"" + (major ? "#bbbbbb" : "#e0e0e0") + "\" stroke-width=\"1\"/>\n";
        char label[32];
        std::snprintf(label, sizeof label, "%g", v);
        out += "<text x=\"" + f(x) + "\" y=\"" + f(rows_bottom + 16) +
               "\" font-size=\"11\" text-anchor=\"middle\"" + (major ? "" : " fill=\"#777777\"") + ">" +
               label + "</text>\n";
    }
    out += "<line x1=\"" + f(kPlotLeft) + "\" y1=\"" + f(rows_bottom) + "\" x2=\"" + f(kPlotRight) +
           "\" y2=\"" + f(rows_bottom) + "\" stroke=\"#333333\"/>\n";
    out += "<text x=\"" + f((kPlotLeft + kPlotRight) / 2) + "\" y=\"" + f(rows_bottom + 36) +
           "\" font-size=\"12\" text-anchor=\"middle\">latency of answered queries (ms, log scale)</text>\n";

    for (std::size_t i = 0; i < results.size(); ++i) {
        const auto& r = results[i];
        const double y0 = kTop + kRowHeight * static_cast<double>(i);
        const std::string name = xml_escape(r.target.name);
        out += "<text x=\"12\" y=\"" + f(y0 + 20) + "\" font-size=\"13\" font-weight=\"bold\">" + name +
               "</text>\n";
        out += "<text x=\"12\" y=\"" + f(y0 + 36) + "\" font-size=\"11\" fill=\"#555555\">" +
               xml_escape(address_text(r.target)) + " (" + to_string(r.target.kind) + ")</text>\n";
        if (r.nxdomain_hijack == Tri::yes)
            out += "<text x=\"12\" y=\"" + f(y0 + 52) +
                   "\" font-size=\"11\" font-weight=\"bold\" fill=\"#c01c28\">NXDOMAIN hijacking (" +
                   xml_escape(r.hijack_address) + ")</text>\n";
        else
            out += "<text x=\"12\" y=\"" + f(y0 + 52) +
                   "\" font-size=\"11\" fill=\"#555555\">hijack: " + tri_text(r.nxdomain_hijack) +
                   ", AD: " + tri_text(r.sets_ad) + "</text>\n";
        strip(out, axis, r.uncached, y0 + 20, kUncached, kUncachedDark, name, "uncached");
        strip(out, axis, r.cached, y0 + 43, kCached, kCachedDark, name, "cached");
    }
    out += "</svg>\n";
    return out;
}

}  // namespace lanlord::bench
