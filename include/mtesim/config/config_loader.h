// ConfigLoader: builds the layered ConfigStore of a run: the built-in configs/default.ini,
// then the user's --config files in order, then --set overrides; and, per DRAM controller,
// the view with its timing preset layered under the user's settings.
#pragma once

#include "mtesim/config/config_store.h"

#include <string>
#include <vector>

namespace mtesim {

class ConfigLoader {
public:
    /// Throws ConfigError on an unreadable file, bad INI syntax or a malformed --set.
    static ConfigStore load(const std::vector<std::string> &config_files, const std::vector<std::string> &sets);

    /// @base with DRAM preset @preset layered in: a built-in name ("ddr4-3200", from
    /// configs/dram/) or a path to an .ini file. @origin names who asked, for the message.
    static ConfigStore with_dram_preset(const ConfigStore &base, const std::string &preset, const std::string &origin);

    /// Built-in DRAM preset names.
    static std::vector<std::string> dram_presets();
};

}  // namespace mtesim
