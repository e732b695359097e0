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
    c.core_timing_stream =
        s.get_string("boot.instruction_stream", "core",
                     "timing of the boot's kernel code: core (the boot core's timing model: dispatch width, window, store "
                     "buffer drained at barriers) or base-cpi (core.base_cpi per instruction, kernel.dsb_cycles/isb_cycles)",
                     {"core", "base-cpi"}) == "core";
    c.dvm_ack_cycles = static_cast<std::uint32_t>(
        s.get_u64("dvm.ack_cycles", 30, "cycles",
                  "a core's handling of one DVM snoop (TLB invalidation by VA and the snoop response), in its core cycles",
                  0, 1000000));
    return c;
}

}  // namespace mtesim
