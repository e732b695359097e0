// BootConfig::resolve: the [boot] keys.
#include "mtesim/boot/boot_config.h"

namespace mtesim {

BootConfig BootConfig::resolve(ConfigStore &s) {
    BootConfig c;
    c.block_mappings = s.get_string("boot.linear_map", "pages",
                                    "linear map granularity: pages (rodata=full, the arm64 default) or blocks",
                                    {"pages", "blocks"}) == "blocks";
    c.map_once = s.get_string("boot.pgtable_scheme", "map-once",
                              "page-table creation: map-once (one fixmap per table) or remap-twice (the old scheme)",
                              {"map-once", "remap-twice"}) == "map-once";
    return c;
}

}  // namespace mtesim
