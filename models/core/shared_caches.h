// SharedCaches: the cache state the cores see of each other, owned by the Platform: the
// shared LLC (with its sharer bits), every core's L1D and private L2 (a tag store invalidates
// the other copies' tags) and every core's TLB (the kernel model's shootdowns reach them all).
#pragma once

#include "mtesim/cache/cache.h"
#include "mtesim/cache/tlb_hierarchy.h"
#include "mtesim/mte/tag_cache.h"

#include <vector>

namespace mtesim {

struct SharedCaches {
    Cache *llc = nullptr;
    std::vector<Cache *> l1s; /* indexed by core id */
    std::vector<Cache *> l2s; /* indexed by core id; nullptr: no private L2 (filled by each MemoryPath) */
    std::vector<TlbHierarchy *> tlbs;  /* indexed by core id: flushed (every level) when a mapping changes */
    std::vector<TagCache *> tag_caches; /* the DRAM controllers': cache maintenance of a tag block reaches them */
};

}  // namespace mtesim
