// RunCommand: `mtesim run [--board BOARD]`, the main job. It loads and validates the board,
// builds the simulated machine from it and reports what it built. The simulation stages
// (cores, DRAM timing, kernel model, workload) join this command as their issues land; the
// command line stays the same.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace mtesim {

class RunCommand {
public:
    /// Runs the command; returns the exit status. Throws ConfigError on bad input.
    static int run(const std::vector<std::string> &args, std::ostream &out);
};

}  // namespace mtesim
