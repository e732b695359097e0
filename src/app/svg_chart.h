// SvgChart: small, dependency-free SVG charts for `mtesim compare`: grouped or stacked bars and
// line charts, with a title, labelled axes with units, ticks and a legend, so they read on
// their own in a browser. The value axis spans the data (and the baseline, when one is
// marked), not a fixed 0..max, so that 1.015 and 1.016 look different; bars carry their value
// as a label and, over several seeds, an error bar of +- one standard deviation.
#pragma once

#include <string>
#include <vector>

namespace mtesim {

class SvgChart {
public:
    struct Series {
        std::string name;
        std::vector<double> values; /* one per category */
        std::vector<double> errors; /* +- per value (one standard deviation); empty: no error bars */
    };
    struct Line {
        std::string name;
        std::vector<double> x, y;
    };
    struct BarStyle {
        bool stacked = false;
        /* A baseline drawn as a dashed line with its label; bars then start from it (up for
         * more, down for less) and the axis spans the data and the baseline only. */
        bool has_baseline = false;
        double baseline = 0;
        std::string baseline_label;
    };

    /// Bars per category: grouped side by side, or stacked.
    static std::string bars(const std::string &title, const std::string &y_label, const std::vector<std::string> &categories,
                            const std::vector<Series> &series, const BarStyle &style);
    static std::string lines(const std::string &title, const std::string &x_label, const std::string &y_label,
                             const std::vector<Line> &lines);
};

}  // namespace mtesim
