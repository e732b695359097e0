// BlockDevicePreset: the figures of a real block device, chosen by the board. The DT's
// "mtesim,block-devices" node names a preset per role (docs/bindings.md): mtesim,storage names
// configs/storage/<name>.ini (the [storage] keys: the disk behind the page cache) and mtesim,swap
// names configs/swap/<name>.ini (the [swap] keys). A preset lies at ConfigStore::Layer::preset,
// above configs/default.ini and below the user's --config files and --set, as a DRAM timing
// preset and a core preset do: a phone board reads UFS and swaps to zram while a server board
// keeps default.ini's NVMe figures, and a user still overrides any key.
#pragma once

#include "mtesim/config/config_store.h"

#include <string>
#include <vector>

namespace mtesim {

class BlockDevicePreset {
public:
    /// Lays preset @name of @role ("storage" or "swap") into @store. @origin names the DT node
    /// and property for messages. Throws ConfigError for an unknown name, or a preset file that
    /// sets keys outside its role's section.
    static void apply(ConfigStore &store, const std::string &role, const std::string &name, const std::string &origin);
    /// The built-in presets of @role (configs/<role>/*.ini), sorted.
    static std::vector<std::string> names(const std::string &role);
};

}  // namespace mtesim
