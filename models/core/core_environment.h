// CoreEnvironment: what the cores share, owned by the Platform: the workload and its
// scheduler, the kernel model (processes, their page tables, the fault handler), the
// functional tag store, the shared LLC, every
// core's L1D (for tag coherence on tag stores), and the run's fault log.
#pragma once

#include "mtesim/cache/cache.h"
#include "mtesim/cache/tlb.h"
#include "mtesim/heap/heap_config.h"
#include "mtesim/heap/heap_model.h"
#include "mtesim/kernel/kernel.h"
#include "mtesim/mm/page_allocator.h"
#include "mtesim/mte/fault_record.h"
#include "mtesim/mte/tag_store.h"
#include "mtesim/sched/thread_scheduler.h"
#include "mtesim/stats/timeline.h"

#include <systemc>

#include <chrono>
#include <csignal>
#include <functional>
#include <memory>
#include <unordered_map>
#include <string>
#include <vector>

namespace mtesim {

class Core;

struct CoreEnvironment {
    Workload *workload = nullptr;
    ThreadScheduler *scheduler = nullptr;
    TagStore *tags = nullptr;
    SparseMemory *memory = nullptr;        /* bytes that exist: page tables, tags */
    Cache *llc = nullptr;
    std::vector<Cache *> l1s;              /* indexed by core id */
    std::vector<Tlb *> tlbs;               /* indexed by core id: flushed when a mapping changes */
    std::vector<FaultRecord> faults;
    PageAllocator *allocator = nullptr;             /* set by the boot */
    Kernel *os = nullptr;                           /* the kernel model, set by the boot */
    HeapConfig heap_config;
    /* A process's heap and its lock: a heap call that blocks (mapping a region, a page fault
     * while tagging) keeps the process's other threads out of the heap until it is done. */
    struct Heap {
        std::unique_ptr<HeapModel> model;
        bool busy = false;
        sc_core::sc_event released;
    };
    std::unordered_map<std::uint32_t, std::unique_ptr<Heap>> heaps; /* per process, made at its first malloc */
    std::function<void(Core &)> boot;               /* run by core 0 before any thread */
    bool boot_done = false;
    sc_core::sc_event *boot_done_event = nullptr;   /* secondary cores wait for it */
    bool exclusive = false;                         /* one core runs alone: no need to order its memory requests */
    /* Run limits: checked by the cores at every quantum; a stop ends the run early, cleanly. */
    std::chrono::steady_clock::time_point host_deadline = std::chrono::steady_clock::time_point::max();
    const volatile std::sig_atomic_t *interrupt = nullptr; /* set by SIGINT */
    std::string stop_reason;                        /* why the run ended early; empty if it did not */
    std::function<void()> progress;                 /* called at every quantum (rate-limited by the callee) */
    Timeline *timeline = nullptr;                   /* --timeline: events of interest */
    class KernelMemoryRouter *kernel = nullptr;  /* tells the allocator which core runs it */
    struct PoolSample {
        std::uint64_t time_ps, data_pages, tag_pages, free_pages; /* pool pages by use */
    };
    std::vector<PoolSample> pool_samples;        /* at most 4096, evenly decimated */
    std::uint64_t pool_sample_stride = 1;        /* record every stride-th kernel allocation event */
    std::uint64_t pool_sample_events = 0;
    std::string error;                      /* first bad-input error raised inside a core thread */
};

}  // namespace mtesim
