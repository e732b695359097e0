// ConfigCommand: `mtesim config --dump [--board B] [--config F]... [--set k=v]...` prints the
// effective configuration: every parameter the models read, its value, unit and one-line
// description, as an INI file that --config accepts.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace mtesim {

class ConfigCommand {
public:
    static int run(const std::vector<std::string> &args, std::ostream &out);
};

}  // namespace mtesim
