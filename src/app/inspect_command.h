// InspectCommand: `mtesim inspect --board FILE [--addr PA]...` prints a board's machine and
// memory map and, for each --addr, where the tags of that physical address live.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace mtesim {

class InspectCommand {
public:
    /// Runs the command; returns the exit status. Throws ConfigError on bad input.
    static int run(const std::vector<std::string> &args, std::ostream &out);
};

}  // namespace mtesim
