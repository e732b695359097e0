// SeedSummary: the figures of a grid whose every point ran with N seeds (`--seeds N` of
// compare and sweep): per point and statistic, the mean and the spread over the seeds, and the
// slowdown against the point's static carve-out baseline, paired by seed (seed k of a point
// over seed k of its baseline: same workload choices, same initial free-list order), so layout
// noise shared by both runs cancels. A difference is "within the spread" when the error bars
// (mean +- one sample standard deviation) of the two overlap: such a difference cannot be told
// from the noise of physical page placement and the workload's random choices.
#pragma once

#include "app/grid_runner.h"

#include <cstddef>
#include <string>
#include <vector>

namespace mtesim {

class SeedSummary {
public:
    struct Spread {
        double mean = 0;
        double sd = 0;    /* sample standard deviation (n - 1); 0 for one seed */
        unsigned n = 0;   /* seeds */
    };

    /// @runs holds @seeds consecutive runs per point; @baseline_of[i] is the point (not run)
    /// index of point i's baseline.
    SeedSummary(const std::vector<GridPoint> &runs, unsigned seeds, std::vector<std::size_t> baseline_of);

    std::size_t points() const { return m_baseline_of.size(); }
    unsigned seeds() const { return m_seeds; }
    /// The first run of point @i (its label, settings and values).
    const GridPoint &point(std::size_t i) const { return m_runs[i * m_seeds]; }
    /// Statistic @key of point @i over its seeds.
    Spread stat(std::size_t i, const std::string &key) const;
    /// sim.time_ps of point @i over that of its baseline, seed by seed.
    Spread slowdown(std::size_t i) const;
    /// True when @a and @b differ but by no more than their spreads together (n > 1 only).
    static bool within_spread(const Spread &a, const Spread &b);
    /// Whether statistic @key (or the slowdown, for "slowdown") of point @i differs from its
    /// baseline only within the spread.
    bool within_spread(std::size_t i, const std::string &key) const;

    static Spread of(const std::vector<double> &values);

private:
    const std::vector<GridPoint> &m_runs;
    unsigned m_seeds;
    std::vector<std::size_t> m_baseline_of;
};

}  // namespace mtesim
