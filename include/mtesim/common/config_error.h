// ConfigError: bad input in a device tree, an INI file or the command line. The message is
// the one line the user sees: "<file>: <place>: <what was found>, expected <what>". main()
// catches it once, prints it, and exits with status 2 (shared/DESIGN.md "Errors").
#pragma once

#include <stdexcept>
#include <string>

namespace mtesim {

class ConfigError : public std::runtime_error {
public:
    explicit ConfigError(const std::string &message) : std::runtime_error(message) {}
};

}  // namespace mtesim
