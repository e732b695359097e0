// HeapConfig: the [heap] settings of the user-space heap model (malloc/calloc/realloc/free
// events): which allocator it behaves like and what its bookkeeping costs.
#pragma once

#include "mtesim/config/config_store.h"

#include <cstdint>

namespace mtesim {

struct HeapConfig {
    bool tagged = true;                      /* scudo: PROT_MTE regions, tagged chunks; glibc: untagged */
    std::uint64_t malloc_instructions = 60;  /* bookkeeping of one malloc, in instructions (compute at base CPI) */
    std::uint64_t free_instructions = 40;    /* bookkeeping of one free, in instructions */

    static HeapConfig resolve(ConfigStore &store);
};

}  // namespace mtesim
