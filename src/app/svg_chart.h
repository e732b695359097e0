// SvgChart: small, dependency-free SVG charts for `mtesim compare`: grouped or stacked bars and
// line charts, with a title, labelled axes with units, ticks and a legend, so they read on
// their own in a browser.
#pragma once

#include <string>
#include <vector>

namespace mtesim {

class SvgChart {
public:
    struct Series {
        std::string name;
        std::vector<double> values; /* one per category */
    };
    struct Line {
        std::string name;
        std::vector<double> x, y;
    };

    /// Bars per category: grouped side by side, or stacked.
    static std::string bars(const std::string &title, const std::string &y_label, const std::vector<std::string> &categories,
                            const std::vector<Series> &series, bool stacked);
    static std::string lines(const std::string &title, const std::string &x_label, const std::string &y_label,
                             const std::vector<Line> &lines);
};

}  // namespace mtesim
