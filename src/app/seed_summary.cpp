// SeedSummary: see the header.
#include "app/seed_summary.h"

#include <algorithm>
#include <cmath>

namespace mtesim {

SeedSummary::SeedSummary(const std::vector<GridPoint> &runs, unsigned seeds, std::vector<std::size_t> baseline_of)
    : m_runs(runs), m_seeds(seeds), m_baseline_of(std::move(baseline_of)) {}

SeedSummary::Spread SeedSummary::of(const std::vector<double> &v) {
    Spread s;
    s.n = static_cast<unsigned>(v.size());
    if (v.empty()) return s;
    for (double x : v) s.mean += x;
    s.mean /= static_cast<double>(v.size());
    if (v.size() > 1) {
        double ss = 0;
        for (double x : v) ss += (x - s.mean) * (x - s.mean);
        s.sd = std::sqrt(ss / static_cast<double>(v.size() - 1));
    }
    return s;
}

SeedSummary::Spread SeedSummary::stat(std::size_t i, const std::string &key) const {
    std::vector<double> v;
    for (unsigned k = 0; k < m_seeds; ++k) v.push_back(m_runs[i * m_seeds + k].stat(key));
    return of(v);
}

SeedSummary::Spread SeedSummary::slowdown(std::size_t i) const {
    std::vector<double> v;
    const std::size_t b = m_baseline_of[i];
    for (unsigned k = 0; k < m_seeds; ++k)
        v.push_back(m_runs[i * m_seeds + k].stat("sim.time_ps") / std::max(1.0, m_runs[b * m_seeds + k].stat("sim.time_ps")));
    return of(v);
}

bool SeedSummary::within_spread(const Spread &a, const Spread &b) {
    if (a.n < 2 || a.mean == b.mean) return false;
    return std::fabs(a.mean - b.mean) <= a.sd + b.sd;
}

bool SeedSummary::within_spread(std::size_t i, const std::string &key) const {
    if (key == "slowdown") {
        const Spread s = slowdown(i);
        return within_spread(s, Spread{1.0, 0.0, s.n}); /* the baseline over itself is exactly 1 */
    }
    return within_spread(stat(i, key), stat(m_baseline_of[i], key));
}

}  // namespace mtesim
