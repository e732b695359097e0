// GridRunner: runs grids of simulations for `compare` and `sweep`. Each point runs in its own
// process (a SystemC design elaborates once per process), at most `jobs` at a time, and writes
// its stats.json and pool.csv into its own directory; a point whose stats.json exists is
// skipped when resuming. Points are numbered, so a cluster job array can run one per task.
#pragma once

#include "app/stat_pattern.h"
#include "mtesim/config/config_store.h"

#include <cstdint>
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
    /// --stat: each pattern's value (the sum of the statistics it matches) joins every run's
    /// statistics under the pattern's text. One that matches nothing in the first run's is a
    /// typo: ConfigError naming @command and that run's stats.json.
    static void add_patterns(std::vector<GridPoint> &runs, const std::vector<StatPattern> &patterns, const std::string &command);

    /// The runs of @points over @seeds seeds: for one seed, @points unchanged; otherwise each
    /// point becomes @seeds consecutive runs in DIR/seedK with sim.seed = @first_seed + K and
    /// mm.shuffle on (page_alloc.shuffle: the physical placement varies with the seed).
    static std::vector<GridPoint> with_seeds(const std::vector<GridPoint> &points, unsigned seeds, std::uint64_t first_seed);

    /// The grid's metadata, DIR/grid.json: the command, the seeds and every run's board, trace,
    /// settings and directory. With @check, an existing grid.json must describe the same runs
    /// (a resumed sweep, a merge): otherwise a ConfigError, since results of two grids would be
    /// mixed. With @must_exist, a missing one is a ConfigError too.
    static void record_grid(const std::filesystem::path &dir, const std::string &command, const std::vector<GridPoint> &runs,
                            unsigned seeds, bool check, bool must_exist);
};

}  // namespace mtesim
