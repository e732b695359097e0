// ConfigLoader: see the header.
#include "mtesim/config/config_loader.h"

#include "mtesim/common/config_error.h"
#include "mtesim/config/built_in_configs.h"

#include <fstream>
#include <sstream>

namespace mtesim {

ConfigStore ConfigLoader::load(const std::vector<std::string> &config_files, const std::vector<std::string> &sets) {
    ConfigStore store;
    if (auto text = BuiltInConfigs::find("default"))
        store.load_ini_text(*text, "configs/default.ini (built-in)", ConfigStore::Layer::defaults);
    for (const auto &f : config_files) store.load_ini_file(f);
    for (const auto &s : sets) store.set_from_command_line(s);
    return store;
}

std::vector<std::string> ConfigLoader::dram_presets() {
    std::vector<std::string> out;
    for (const auto &n : BuiltInConfigs::names())
        if (n.rfind("dram/", 0) == 0) out.push_back(n.substr(5));
    return out;
}

ConfigStore ConfigLoader::with_dram_preset(const ConfigStore &base, const std::string &preset,
                                           const std::string &origin) {
    ConfigStore store = base;
    const bool is_file = preset.size() > 4 && preset.compare(preset.size() - 4, 4, ".ini") == 0;
    if (is_file) {
        std::ifstream in(preset);
        if (!in) throw ConfigError(origin + ": DRAM preset file '" + preset + "' cannot be read");
        std::stringstream ss;
        ss << in.rdbuf();
        store.load_ini_text(ss.str(), preset, ConfigStore::Layer::preset);
        return store;
    }
    auto text = BuiltInConfigs::find("dram/" + preset);
    if (!text) {
        std::string names;
        for (const auto &n : dram_presets()) names += (names.empty() ? "" : ", ") + n;
        throw ConfigError(origin + ": unknown DRAM preset '" + preset + "', expected one of: " + names +
                          " or a path to an .ini file");
    }
    store.load_ini_text(*text, "configs/dram/" + preset + ".ini (built-in)", ConfigStore::Layer::preset);
    return store;
}

}  // namespace mtesim
