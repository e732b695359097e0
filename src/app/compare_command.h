// CompareCommand: `mtesim compare [--board B] [--trace T] --vary KEY=V1,V2... [--vary ...]
// --out DIR [-j N]` runs the grid of settings (each point in its own process: a SystemC design
// elaborates once), plus the static carve-out baseline (mm.tag_storage=static), and writes
// DIR/compare.csv, DIR/compare.md and SVG charts: slowdown against the baseline, tag
// reservations by path, migrations and IPIs, unmovable starvation, and pool utilisation over
// time. Each point's stats.json stays in DIR/points/. `--seeds N` runs every point with N seeds
// (DIR/points/P/seedK) and reports mean and spread (SeedSummary); DIR/grid.json records the
// runs.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace mtesim {

class CompareCommand {
public:
    static int run(const std::vector<std::string> &args, std::ostream &out);
};

}  // namespace mtesim
