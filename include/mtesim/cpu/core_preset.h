// CorePreset: the core parameters of a real core, picked by its cpu node's `compatible` in the
// device tree (or by core.preset), laid between configs/default.ini and the user's files: a
// preset value replaces the built-in default, and any --config or --set still overrides it.
// Every value carries its source (src/cpu/core_preset.cpp).
#pragma once

#include "mtesim/config/config_store.h"

#include <string>
#include <vector>

namespace mtesim {

struct CorePreset {
    struct Value {
        const char *key;    /* a ConfigStore key, e.g. "core.rob_entries" */
        const char *value;  /* its value */
        const char *source; /* Arm TRM / Software Optimization Guide / publication, or "assumed: why" */
    };
    std::string compatible; /* e.g. "arm,neoverse-n1" */
    std::vector<Value> values;

    /// The preset named @compatible, or nullptr.
    static const CorePreset *find(const std::string &compatible);
    /// Every preset's compatible, in table order (for messages and docs).
    static std::vector<std::string> names();
    /// True when @compatible names an Arm core ("arm,cortex-*", "arm,neoverse-*"), i.e. a value
    /// that must have a preset; "arm,armv8" (an architecture model) and other vendors do not.
    static bool names_a_core(const std::string &compatible);
    /// True when some preset sets @key (config.ini leaves such keys to the presets unless the user set them).
    static bool sets_key(const std::string &key);

    /// @base with the preset of a core laid in at ConfigStore::Layer::preset. The preset is
    /// core.preset when set ("dt", the default, takes @compatible; "none" takes none), else
    /// the cpu node's @compatible. @node ("<dtb>: /cpus/cpu@0") names the node in messages.
    /// Throws ConfigError for an unknown core.preset value, or a cpu compatible that names an
    /// Arm core with no preset.
    static ConfigStore apply(ConfigStore &base, const std::string &compatible, const std::string &node);
};

}  // namespace mtesim
