// BlockDevicePreset: see the header.
#include "mtesim/kernel/block_device_preset.h"

#include "mtesim/common/config_error.h"
#include "mtesim/config/built_in_configs.h"

#include <algorithm>
#include <sstream>

namespace mtesim {

std::vector<std::string> BlockDevicePreset::names(const std::string &role) {
    std::vector<std::string> out;
    const std::string prefix = role + "/";
    for (const auto &n : BuiltInConfigs::names())
        if (n.rfind(prefix, 0) == 0) out.push_back(n.substr(prefix.size()));
    std::sort(out.begin(), out.end());
    return out;
}

void BlockDevicePreset::apply(ConfigStore &store, const std::string &role, const std::string &name,
                              const std::string &origin) {
    const auto text = BuiltInConfigs::find(role + "/" + name);
    if (!text) {
        std::string known;
        for (const auto &n : names(role)) known += (known.empty() ? "" : ", ") + n;
        throw ConfigError(origin + ": unknown " + role + " preset '" + name + "', expected one of: " + known);
    }
    const std::string file = "configs/" + role + "/" + name + ".ini (built-in)";
    // A preset of one role sets only that role's keys: a [swap] key in a storage preset would
    // silently change another device.
    std::istringstream in(*text);
    for (std::string line; std::getline(in, line);) {
        const auto first = line.find_first_not_of(" \t");
        if (first == std::string::npos || line[first] != '[') continue;
        const auto close = line.find(']', first);
        const std::string section = line.substr(first + 1, close == std::string::npos ? std::string::npos : close - first - 1);
        if (section != role)
            throw ConfigError(file + ": section [" + section + "], expected only [" + role + "]");
    }
    store.load_ini_text(*text, file, ConfigStore::Layer::preset);
}

}  // namespace mtesim
