// The DRAM unit tests' configuration: a preset with extra settings, and no controller front-end
// latency, so that the expected cycles are the DRAM timing rules alone.
#pragma once

#include "mtesim/config/config_loader.h"
#include "mtesim/dram/dram_config.h"

#include <string>
#include <vector>

namespace mtesim {

/// The resolved DramConfig of @preset with @sets applied (dram.controller_latency_ns=0 first).
inline DramConfig dram_test_config(const std::string &preset, std::vector<std::string> sets) {
    sets.insert(sets.begin(), "dram.controller_latency_ns=0");
    ConfigStore store = ConfigLoader::with_dram_preset(ConfigLoader::load({}, sets), preset, "test");
    return DramConfig::resolve(store);
}

}  // namespace mtesim
