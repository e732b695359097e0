// HeapConfig::resolve: the [heap] keys (docs/config.md).
#include "mtesim/heap/heap_config.h"

namespace mtesim {

HeapConfig HeapConfig::resolve(ConfigStore &s) {
    HeapConfig c;
    c.tagged = s.get_string("heap.allocator", "scudo",
                            "scudo: PROT_MTE heap with Scudo's chunk tagging; glibc: an untagged heap",
                            {"scudo", "glibc"}) == "scudo";
    c.malloc_instructions = s.get_u64("heap.malloc_instructions", 60, "instructions",
                                      "bookkeeping instructions of one malloc (not its tag stores)", 0, 1u << 20);
    c.free_instructions = s.get_u64("heap.free_instructions", 40, "instructions",
                                    "bookkeeping instructions of one free (not its tag stores)", 0, 1u << 20);
    return c;
}

}  // namespace mtesim
