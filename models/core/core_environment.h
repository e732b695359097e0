// CoreEnvironment: what the cores share, owned by the Platform: the workload and its
// scheduler, the (flat) address space, the functional tag store, the shared LLC, every
// core's L1D (for tag coherence on tag stores), and the run's fault log.
#pragma once

#include "mtesim/cache/cache.h"
#include "mtesim/cache/tlb.h"
#include "mtesim/mm/flat_address_space.h"
#include "mtesim/mte/fault_record.h"
#include "mtesim/mte/tag_store.h"
#include "mtesim/sched/thread_scheduler.h"

#include <string>
#include <vector>

namespace mtesim {

struct CoreEnvironment {
    Workload *workload = nullptr;
    ThreadScheduler *scheduler = nullptr;
    FlatAddressSpace *address_space = nullptr;
    TagStore *tags = nullptr;
    Cache *llc = nullptr;
    std::vector<Cache *> l1s;              /* indexed by core id */
    std::vector<Tlb *> tlbs;               /* indexed by core id: flushed when a mapping changes */
    std::vector<FaultRecord> faults;
    std::string error;                      /* first bad-input error raised inside a core thread */
};

}  // namespace mtesim
