// SvgChart: fixed 980x480 canvas, margins for the axis labels and the legend, "nice" tick steps.
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

std::string num(double v) {
    char b[32];
    if (std::fabs(v) >= 1e6 || (v != 0 && std::fabs(v) < 1e-3)) std::snprintf(b, sizeof b, "%.3g", v);
    else std::snprintf(b, sizeof b, "%.6g", v);
    return b;
}

double nice_step(double max) {
    if (max <= 0) return 1;
    const double raw = max / 5, mag = std::pow(10, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (raw <= m * mag) return m * mag;
    return 10 * mag;
}

/// Frame, title, y axis with ticks up to @ymax; returns the plot's y scale (pixels per unit).
double frame(std::ostringstream &o, const std::string &title, const std::string &y_label, double &ymax) {
    const double step = nice_step(ymax);
    ymax = std::max(step, std::ceil(ymax / step) * step);
    const double ph = kH - kTop - kBottom, scale = ph / ymax;
    o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kW << "\" height=\"" << kH << "\" viewBox=\"0 0 " << kW << " "
      << kH << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      << "<text x=\"" << kW / 2 << "\" y=\"28\" text-anchor=\"middle\" font-size=\"16\">" << esc(title) << "</text>\n";
    for (double v = 0; v <= ymax + step / 2; v += step) {
        const double y = kH - kBottom - v * scale;
        o << "<line x1=\"" << kLeft << "\" y1=\"" << y << "\" x2=\"" << kW - kRight << "\" y2=\"" << y
          << "\" stroke=\"#dddddd\"/>\n<text x=\"" << kLeft - 6 << "\" y=\"" << y + 4 << "\" text-anchor=\"end\">" << num(v)
          << "</text>\n";
    }
    o << "<line x1=\"" << kLeft << "\" y1=\"" << kTop << "\" x2=\"" << kLeft << "\" y2=\"" << kH - kBottom
      << "\" stroke=\"black\"/>\n<line x1=\"" << kLeft << "\" y1=\"" << kH - kBottom << "\" x2=\"" << kW - kRight << "\" y2=\""
      << kH - kBottom << "\" stroke=\"black\"/>\n"
      << "<text transform=\"translate(22," << (kTop + kH - kBottom) / 2 << ") rotate(-90)\" text-anchor=\"middle\">" << esc(y_label)
      << "</text>\n";
    return scale;
}

void legend(std::ostringstream &o, const std::vector<std::string> &names) {
    for (std::size_t i = 0; i < names.size(); ++i) {
        const double y = kTop + 18 * static_cast<double>(i);
        o << "<rect x=\"" << kW - kRight + 14 << "\" y=\"" << y << "\" width=\"12\" height=\"12\" fill=\"" << kColours[i % 8]
          << "\"/>\n<text x=\"" << kW - kRight + 32 << "\" y=\"" << y + 10 << "\">" << esc(names[i]) << "</text>\n";
    }
}

}  // namespace

std::string SvgChart::bars(const std::string &title, const std::string &y_label, const std::vector<std::string> &categories,
                           const std::vector<Series> &series, bool stacked) {
    double ymax = 0;
    for (std::size_t c = 0; c < categories.size(); ++c) {
        double sum = 0;
        for (const auto &s : series) {
            const double v = c < s.values.size() ? s.values[c] : 0;
            sum += v;
            ymax = std::max(ymax, v);
        }
        if (stacked) ymax = std::max(ymax, sum);
    }
    std::ostringstream o;
    const double scale = frame(o, title, y_label, ymax);
    const double pw = kW - kLeft - kRight, slot = pw / std::max<std::size_t>(1, categories.size());
    const double bar = stacked ? slot * 0.6 : slot * 0.8 / static_cast<double>(std::max<std::size_t>(1, series.size()));
    for (std::size_t c = 0; c < categories.size(); ++c) {
        const double x0 = kLeft + slot * static_cast<double>(c) + slot * (stacked ? 0.2 : 0.1);
        double base = 0;
        for (std::size_t s = 0; s < series.size(); ++s) {
            const double v = c < series[s].values.size() ? series[s].values[c] : 0;
            const double h = v * scale, x = stacked ? x0 : x0 + bar * static_cast<double>(s);
            const double y = kH - kBottom - (stacked ? base : 0) - h;
            o << "<rect x=\"" << x << "\" y=\"" << y << "\" width=\"" << bar << "\" height=\"" << h << "\" fill=\"" << kColours[s % 8]
              << "\"><title>" << esc(series[s].name + " " + categories[c] + ": " + num(v)) << "</title></rect>\n";
            if (stacked) base += h;
        }
        const double cx = kLeft + slot * (static_cast<double>(c) + 0.5);
        o << "<text transform=\"translate(" << cx << "," << kH - kBottom + 14 << ") rotate(20)\" text-anchor=\"start\" font-size=\"10\">"
          << esc(categories[c]) << "</text>\n";
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
    const double scale = frame(o, title, y_label, ymax);
    const double xstep = nice_step(xmax);
    xmax = std::max(xstep, std::ceil(xmax / xstep) * xstep);
    const double pw = kW - kLeft - kRight, xscale = pw / xmax;
    for (double v = 0; v <= xmax + xstep / 2; v += xstep)
        o << "<text x=\"" << kLeft + v * xscale << "\" y=\"" << kH - kBottom + 16 << "\" text-anchor=\"middle\">" << num(v) << "</text>\n";
    o << "<text x=\"" << kLeft + pw / 2 << "\" y=\"" << kH - kBottom + 40 << "\" text-anchor=\"middle\">" << esc(x_label) << "</text>\n";
    for (std::size_t i = 0; i < lines.size(); ++i) {
        o << "<polyline fill=\"none\" stroke=\"" << kColours[i % 8] << "\" stroke-width=\"2\" points=\"";
        for (std::size_t k = 0; k < lines[i].x.size() && k < lines[i].y.size(); ++k)
            o << kLeft + lines[i].x[k] * xscale << "," << kH - kBottom - lines[i].y[k] * scale << " ";
        o << "\"/>\n";
    }
    std::vector<std::string> names;
    for (const auto &l : lines) names.push_back(l.name);
    legend(o, names);
    o << "</svg>\n";
    return o.str();
}

}  // namespace mtesim
