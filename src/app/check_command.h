// CheckCommand: `mtesim check --baseline OLD/stats.json --run NEW/stats.json
// [--tolerance PATTERN=PCT%]...` compares two runs for users' regression tests: every stat of
// the baseline must be in the run and within its tolerance (exact by default). It prints the
// stats that moved and exits 1 if any did, 0 if none, 2 on bad input.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace mtesim {

class CheckCommand {
public:
    static int run(const std::vector<std::string> &args, std::ostream &out);
};

}  // namespace mtesim
