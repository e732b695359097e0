// BootConfig: the [boot] settings: how the kernel linear map is created (BACKGROUND.md
// section 4).
#pragma once

#include "mtesim/config/config_store.h"

namespace mtesim {

struct BootConfig {
    bool block_mappings = false; /* boot.linear_map = blocks (2 MiB / 1 GiB); pages: rodata=full */
    bool map_once = true;        /* boot.pgtable_scheme = map-once; remap-twice: the old scheme */
    bool core_timing_stream = true; /* boot.instruction_stream = core (the boot core's TimingModel); base-cpi: named costs */
    std::uint32_t dvm_ack_cycles = 0; /* dvm.ack_cycles: a core's TLB invalidation on a DVM snoop and its response, in core cycles */

    static BootConfig resolve(ConfigStore &store);
};

}  // namespace mtesim
