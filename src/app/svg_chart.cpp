// SvgChart: fixed 980x480 canvas, margins for the axis labels and the legend, "nice" tick steps
// over the data's range.
#include "app/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace mtesim {

namespace {

constexpr double kW = 980, kH = 480, kLeft = 90, kRight = 250, kTop = 50, kBottom = 110;
const char *kColours[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#9c755f"};

std::string esc(const std::string &s) {
    std::string o;
    for (char c : s) {
        if (c == '<') o += "&lt;";
        else if (c == '>') o += "&gt;";
        else if (c == '&') o += "&amp;";
        else if (c == '"') o += "&quot;";
        else o += c;
    }
    return o;
}

/// Tick labels: up to 6 significant digits, no float noise.
std::string num(double v) {
    char b[32];
    if (std::fabs(v) < 1e-12) v = 0;
    if (std::fabs(v) >= 1e6 || (v != 0 && std::fabs(v) < 1e-3)) std::snprintf(b, sizeof b, "%.3g", v);
    else std::snprintf(b, sizeof b, "%.6g", v);
    return b;
}

/// Bar labels: whole numbers as such, fractions to 4 significant digits (a slowdown 1.0123
/// reads 1.012, 1.03 reads 1.030).
std::string label(double v) {
    char b[32];
    if (std::fabs(v) >= 1e7) std::snprintf(b, sizeof b, "%.3g", v);
    else if (std::fabs(v) >= 100 || v == std::round(v)) std::snprintf(b, sizeof b, "%.0f", v);
    else std::snprintf(b, sizeof b, "%#.4g", v); /* keeps trailing zeros: 1.030, not 1.03 */
    return b;
}

/// A 1, 2 or 5 x 10^k step giving about 5 ticks over @range.
double nice_step(double range) {
    if (!(range > 0)) return 1;
    const double raw = range / 5, mag = std::pow(10, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (raw <= m * mag * (1 + 1e-9)) return m * mag;
    return 10 * mag;
}

/// A value axis: [lo, hi] widened to whole steps.
struct Axis {
    double lo, hi, step, scale; /* scale: pixels per unit */
    double y(double v) const { return kH - kBottom - (v - lo) * scale; }
};

Axis make_axis(double lo, double hi) {
    if (hi <= lo) hi = lo + (lo == 0 ? 1 : std::fabs(lo) * 0.01);
    Axis a;
    a.step = nice_step(hi - lo);
    a.lo = std::floor(lo / a.step + 1e-9) * a.step;
    a.hi = std::ceil(hi / a.step - 1e-9) * a.step;
    if (a.hi <= a.lo) a.hi = a.lo + a.step;
    a.scale = (kH - kTop - kBottom) / (a.hi - a.lo);
    return a;
}

/// Frame, title, y axis with its ticks.
void frame(std::ostringstream &o, const std::string &title, const std::string &y_label, const Axis &a) {
    o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kW << "\" height=\"" << kH << "\" viewBox=\"0 0 " << kW << " "
      << kH << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      << "<text x=\"" << kW / 2 << "\" y=\"28\" text-anchor=\"middle\" font-size=\"16\">" << esc(title) << "</text>\n";
    const long ticks = std::lround((a.hi - a.lo) / a.step);
    for (long i = 0; i <= ticks; ++i) {
        const double v = a.lo + static_cast<double>(i) * a.step, y = a.y(v);
        o << "<line x1=\"" << kLeft << "\" y1=\"" << y << "\" x2=\"" << kW - kRight << "\" y2=\"" << y
          << "\" stroke=\"#dddddd\"/>\n<text x=\"" << kLeft - 6 << "\" y=\"" << y + 4 << "\" text-anchor=\"end\">" << num(v)
          << "</text>\n";
    }
    o << "<line x1=\"" << kLeft << "\" y1=\"" << kTop << "\" x2=\"" << kLeft << "\" y2=\"" << kH - kBottom
      << "\" stroke=\"black\"/>\n<line x1=\"" << kLeft << "\" y1=\"" << kH - kBottom << "\" x2=\"" << kW - kRight << "\" y2=\""
      << kH - kBottom << "\" stroke=\"black\"/>\n"
      << "<text transform=\"translate(22," << (kTop + kH - kBottom) / 2 << ") rotate(-90)\" text-anchor=\"middle\">" << esc(y_label)
      << "</text>\n";
}

void legend(std::ostringstream &o, const std::vector<std::string> &names) {
    for (std::size_t i = 0; i < names.size(); ++i) {
        const double y = kTop + 18 * static_cast<double>(i);
        o << "<rect x=\"" << kW - kRight + 14 << "\" y=\"" << y << "\" width=\"12\" height=\"12\" fill=\"" << kColours[i % 8]
          << "\"/>\n<text x=\"" << kW - kRight + 32 << "\" y=\"" << y + 10 << "\">" << esc(names[i]) << "</text>\n";
    }
}

double at(const std::vector<double> &v, std::size_t i) { return i < v.size() ? v[i] : 0; }

}  // namespace

/*
 * Bars: first the extent of the data, each bar's top (a stacked bar's running total) plus and
 * minus its error, together with the origin the bars grow from (0, or the marked baseline);
 * the axis is that extent widened to whole tick steps. Then per category the bars, their
 * error bars (a vertical whisker with caps) and a value label beyond the bar's end (beyond
 * its whisker, when it has one); a stacked bar labels its segments inside when they are tall
 * enough and its total above.
 */
std::string SvgChart::bars(const std::string &title, const std::string &y_label, const std::vector<std::string> &categories,
                           const std::vector<Series> &series, const BarStyle &style) {
    const double origin = style.has_baseline ? style.baseline : 0;
    double lo = origin, hi = origin;
    for (std::size_t c = 0; c < categories.size(); ++c) {
        double top = origin;
        for (const auto &s : series) {
            const double v = at(s.values, c), e = at(s.errors, c);
            top = style.stacked ? top + v : v;
            lo = std::min(lo, top - e);
            hi = std::max(hi, top + e);
        }
    }
    // Room for the labels above the highest bar.
    hi += (hi - lo) * 0.08;
    const Axis a = make_axis(lo, hi);
    std::ostringstream o;
    frame(o, title, y_label, a);
    const double pw = kW - kLeft - kRight, slot = pw / static_cast<double>(std::max<std::size_t>(1, categories.size()));
    const double bar = style.stacked ? slot * 0.6 : slot * 0.8 / static_cast<double>(std::max<std::size_t>(1, series.size()));
    const double font = std::clamp(bar / 4.5, 7.0, 11.0);
    const auto whisker = [&](double x, double v, double e) {
        if (e <= 0) return;
        const double cap = std::min(bar * 0.5, 10.0);
        o << "<path d=\"M" << x << " " << a.y(v - e) << "V" << a.y(v + e) << "M" << x - cap / 2 << " " << a.y(v - e) << "h" << cap
          << "M" << x - cap / 2 << " " << a.y(v + e) << "h" << cap << "\" stroke=\"black\" stroke-width=\"1.2\" fill=\"none\"/>\n";
    };
    const auto text_at = [&](double x, double y, const std::string &t, const char *extra) {
        o << "<text x=\"" << x << "\" y=\"" << y << "\" text-anchor=\"middle\" font-size=\"" << font << "\"" << extra << ">" << esc(t)
          << "</text>\n";
    };
    for (std::size_t c = 0; c < categories.size(); ++c) {
        const double x0 = kLeft + slot * static_cast<double>(c) + slot * (style.stacked ? 0.2 : 0.1);
        double base = origin;
        for (std::size_t s = 0; s < series.size(); ++s) {
            const double v = at(series[s].values, c), e = at(series[s].errors, c);
            const double from = style.stacked ? base : origin, to = style.stacked ? base + v : v;
            const double x = style.stacked ? x0 : x0 + bar * static_cast<double>(s), cx = x + bar / 2;
            const double ytop = std::min(a.y(from), a.y(to)), h = std::fabs(a.y(to) - a.y(from));
            std::string tip = series[s].name + " " + categories[c] + ": " + num(v);
            if (e > 0) tip += " +- " + num(e);
            o << "<rect x=\"" << x << "\" y=\"" << ytop << "\" width=\"" << bar << "\" height=\"" << h << "\" fill=\"" << kColours[s % 8]
              << "\"><title>" << esc(tip) << "</title></rect>\n";
            whisker(cx, to, e);
            if (style.stacked) {
                if (h >= font + 4 && v != 0) text_at(cx, ytop + h / 2 + font / 3, label(v), " fill=\"white\"");
                base = to;
            } else if (to >= origin) {
                text_at(cx, a.y(to + e) - 4, label(v), "");
            } else {
                text_at(cx, a.y(to - e) + font + 2, label(v), "");
            }
        }
        const double cx = kLeft + slot * (static_cast<double>(c) + 0.5);
        if (style.stacked && series.size() > 1) text_at(cx, a.y(base) - 4, label(base - origin), " font-weight=\"bold\"");
        o << "<text transform=\"translate(" << cx << "," << kH - kBottom + 14 << ") rotate(20)\" text-anchor=\"start\" font-size=\"10\">"
          << esc(categories[c]) << "</text>\n";
    }
    if (style.has_baseline) {
        const double y = a.y(origin);
        o << "<line x1=\"" << kLeft << "\" y1=\"" << y << "\" x2=\"" << kW - kRight << "\" y2=\"" << y
          << "\" stroke=\"black\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>\n"
          << "<text x=\"" << kW - kRight + 4 << "\" y=\"" << y + 4 << "\" font-size=\"11\">" << esc(style.baseline_label) << "</text>\n";
    }
    std::vector<std::string> names;
    for (const auto &s : series) names.push_back(s.name);
    legend(o, names);
    o << "</svg>\n";
    return o.str();
}

std::string SvgChart::lines(const std::string &title, const std::string &x_label, const std::string &y_label,
                            const std::vector<Line> &lines) {
    double ymax = 0, xmax = 0;
    for (const auto &l : lines) {
        for (double v : l.y) ymax = std::max(ymax, v);
        for (double v : l.x) xmax = std::max(xmax, v);
    }
    std::ostringstream o;
    const Axis a = make_axis(0, ymax);
    frame(o, title, y_label, a);
    const double xstep = nice_step(xmax);
    xmax = std::max(xstep, std::ceil(xmax / xstep - 1e-9) * xstep);
    const double pw = kW - kLeft - kRight, xscale = pw / xmax;
    const long xticks = std::lround(xmax / xstep);
    for (long i = 0; i <= xticks; ++i) {
        const double v = static_cast<double>(i) * xstep;
        o << "<text x=\"" << kLeft + v * xscale << "\" y=\"" << kH - kBottom + 16 << "\" text-anchor=\"middle\">" << num(v) << "</text>\n";
    }
    o << "<text x=\"" << kLeft + pw / 2 << "\" y=\"" << kH - kBottom + 40 << "\" text-anchor=\"middle\">" << esc(x_label) << "</text>\n";
    for (std::size_t i = 0; i < lines.size(); ++i) {
        o << "<polyline fill=\"none\" stroke=\"" << kColours[i % 8] << "\" stroke-width=\"2\" points=\"";
        for (std::size_t k = 0; k < lines[i].x.size() && k < lines[i].y.size(); ++k)
            o << kLeft + lines[i].x[k] * xscale << "," << a.y(lines[i].y[k]) << " ";
        o << "\"/>\n";
    }
    std::vector<std::string> names;
    for (const auto &l : lines) names.push_back(l.name);
    legend(o, names);
    o << "</svg>\n";
    return o.str();
}

}  // namespace mtesim
