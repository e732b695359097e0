// BuiltInConfigs: configs/**/*.ini compiled into the binary (cmake/EmbedFiles.cmake), so the
// defaults and the DRAM presets are found from any directory. Names are paths relative to
// configs/ without ".ini": "default", "dram/ddr4-3200".
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace mtesim {

class BuiltInConfigs {
public:
    static std::optional<std::string> find(const std::string &name);
    static std::vector<std::string> names();
};

}  // namespace mtesim
