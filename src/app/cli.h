// Cli: the `mtesim` command dispatcher. It owns the one place where bad input becomes
// "one line on stderr, exit status 2" (shared/DESIGN.md "Errors"); main() only calls it.
#pragma once

#include <ostream>

namespace mtesim {

class Cli {
public:
    /// Runs `mtesim argv[1] argv[2..]`; returns the process exit status.
    static int main(int argc, const char *const *argv, std::ostream &out, std::ostream &err);
};

}  // namespace mtesim
