// GridRunner: runs grids of simulations for `compare` and `sweep`. Each point runs in its own
// process (a SystemC design elaborates once per process), at most `jobs` at a time, and writes
// its stats.json and pool.csv into its own directory; a point whose stats.json exists is
// skipped when resuming. Points are numbered, so a cluster job array can run one per task.
#pragma once

#include "mtesim/config/config_store.h"

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace mtesim {

struct GridPoint {
    std::string board;                                       /* --board argument */
    std::string trace;                                       /* empty: the generated workload */
    std::vector<std::pair<std::string, std::string>> sets;   /* settings of this point */
    std::string label;                                       /* "mm.cma_policy=never mm.tag_reserve=fast-path" */
    std::string values;                                      /* "never / fast-path" */
    std::filesystem::path dir;
    std::map<std::string, double> stats;                     /* read back from stats.json */

    double stat(const std::string &name) const {
        auto it = stats.find(name);
        return it == stats.end() ? 0 : it->second;
    }
};

class GridRunner {
public:
    /// The Cartesian product of --vary axes ("section.key=v1,v2"); throws ConfigError.
    static std::vector<GridPoint> expand(const std::string &command, const std::vector<std::string> &varies);
    /// Runs every point (skipping finished ones when @resume) with at most @jobs processes,
    /// then reads every point's stats. Throws ConfigError with the first failure's message.
    static void run(std::vector<GridPoint> &points, const ConfigStore &store, unsigned jobs, bool resume);
    /// Runs @p in this process (a cluster task); returns the exit status (2 on bad input).
    static int run_here(const GridPoint &p, const ConfigStore &store);
    /// Reads the stats of every point; throws ConfigError when one is missing.
    static void collect(std::vector<GridPoint> &points);
};

}  // namespace mtesim
