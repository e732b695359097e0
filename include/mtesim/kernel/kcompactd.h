// Kcompactd: the node's background compaction thread (mm/compaction.c kcompactd(),
// kcompactd_do_work()). kswapd wakes it before it sleeps after a high-order wake-up
// (wakeup_kcompactd); the scheduler places it on a core like any thread, and it compacts once
// for the order it was woken for, unless a free block of that order already exists
// (kcompactd_node_suitable / compaction_suitable), then sleeps. Proactive compaction
// (vm.compaction_proactiveness) is not modelled: it never wakes by itself. Its work (the
// migrations' copies, PTE updates and TLB maintenance) is charged to the core that runs it.
#pragma once

#include "mtesim/mm/page_allocator.h"
#include "mtesim/sched/i_kernel_thread.h"

#include <cstdint>

namespace mtesim {

class Kernel;

struct KcompactdStats {
    std::uint64_t wakeups = 0;  /* sleeping -> runnable */
    std::uint64_t runs = 0;     /* compaction runs (kcompactd_do_work that compacted) */
    std::uint64_t skipped = 0;  /* wake-ups that found the order allocatable already (a zone at min, PageAllocator::order_available) */
    std::uint64_t success = 0;  /* runs that left a free block of the order */
    std::uint64_t pages_migrated = 0; /* in pages */
    std::uint64_t cycles = 0;   /* core cycles it ran, context switches included */
};

class Kcompactd : public IKernelThread {
public:
    Kcompactd(Kernel &kernel, const PageAllocator &allocator) : m_kernel(kernel), m_alloc(allocator) {}

    /// wakeup_kcompactd for 2^@order pages; true when it was asleep (schedule it).
    bool wake(unsigned order);
    bool awake() const { return m_awake; }

    const char *name() const override { return "kcompactd0"; }
    bool run_once(std::uint64_t &cycles) override;
    void account(std::uint64_t cycles) override { m_stats.cycles += cycles; }
    const KcompactdStats &stats() const { return m_stats; }

private:
    Kernel &m_kernel;
    const PageAllocator &m_alloc;
    bool m_awake = false;
    unsigned m_order = 0; /* pgdat->kcompactd_max_order */
    KcompactdStats m_stats;
};

}  // namespace mtesim
