// TraceError: bad input in a workload or memory-request trace. The message is the one line
// the user sees: "<file>:<line>: <what was found>, expected <what>". main() catches it once,
// prints it, and exits with status 2 (shared/DESIGN.md "Errors").
#pragma once

#include <stdexcept>
#include <string>

namespace mtesim {

class TraceError : public std::runtime_error {
public:
    explicit TraceError(const std::string &message) : std::runtime_error(message) {}
};

}  // namespace mtesim
