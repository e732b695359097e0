// SweepCommand: `mtesim sweep --board B... --trace T... --vary KEY=V1,V2... --out DIR [-j N]`
// runs the grid of compare over several boards and traces (each board x trace also gets its
// static carve-out baseline) in parallel local processes, resumes where it stopped (points
// with a stats.json are kept), and aggregates into DIR/sweep.csv. `--slurm` writes
// DIR/sweep.sbatch, a Slurm job array running one point per task (`--point K`), and
// DIR/merge.sh, which aggregates their results (`--merge`). `--seeds N` runs each point with N
// seeds (one task each) and reports mean and spread. DIR/grid.json records the grid, so that a
// resume, a task or a merge from another grid is refused.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace mtesim {

class SweepCommand {
public:
    static int run(const std::vector<std::string> &args, std::ostream &out);
};

}  // namespace mtesim
