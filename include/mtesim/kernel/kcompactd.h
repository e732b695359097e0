// Kcompactd: the node's background compaction thread (mm/compaction.c kcompactd(),
// kcompactd_do_work(), proactive_compact_node()). kswapd wakes it before it sleeps after a
// high-order wake-up (wakeup_kcompactd); the scheduler places it on a core like any thread, and
// it compacts once for the order it was woken for, unless a free block of that order already
// exists (kcompactd_node_suitable / compaction_suitable), then sleeps. With a scheduler (timers)
// and vm.compaction_proactiveness above 0 its sleep is timed (HPAGE_FRAG_CHECK_INTERVAL_MSEC):
// when the timer expires undisturbed it checks the node's fragmentation score and, when the score
// is above the high mark and kswapd is not running, compacts every zone proactively down to the
// low mark (FragmentationScore, Compactor::compact_zone_proactive); a proactive run that does not
// lower the node's score defers the next check (COMPACT_MAX_DEFER_SHIFT); a write of the sysctl
// above 0 (a trace's `sysctl`) wakes it for a check at once (proactive_compact_trigger). Its work (the
// migrations' copies, PTE updates and TLB maintenance, the scanners' page looks) is charged to the
// core that runs it.
#pragma once

#include "mtesim/mm/page_allocator.h"
#include "mtesim/sched/i_kernel_thread.h"

#include <cstdint>

namespace mtesim {

class Kernel;

struct KcompactdStats {
    std::uint64_t wakeups = 0;  /* sleeping -> runnable, by wakeup_kcompactd */
    std::uint64_t runs = 0;     /* compaction runs (kcompactd_do_work that compacted) */
    std::uint64_t skipped = 0;  /* wake-ups that found the order allocatable already (a zone at min, PageAllocator::order_available) */
    std::uint64_t success = 0;  /* runs that left a free block of the order */
    std::uint64_t pages_migrated = 0; /* in pages, by its runs for an order */
    std::uint64_t cycles = 0;   /* core cycles it ran, context switches included */
    std::uint64_t proactive_checks = 0;   /* timer expiries that checked the node's score, in checks */
    std::uint64_t proactive_runs = 0;     /* checks that found the score above the high mark and compacted, in runs */
    std::uint64_t proactive_deferred = 0; /* runs that did not lower the node's score (next check 64x later), in runs */
    std::uint64_t proactive_pages_migrated = 0; /* in pages */
    std::uint64_t proactive_migrate_scanned = 0; /* pages the migrate scanner looked at, in pages */
    std::uint64_t proactive_free_scanned = 0;    /* pages the free scanner looked at, in pages */
    std::uint64_t proactive_score_low = 0;       /* zone runs that ended at the low mark, in zone runs */
    std::uint64_t proactive_kswapd_stops = 0;    /* zone runs ended because kswapd ran, in zone runs */
    std::uint64_t proactive_triggers = 0;        /* writes of vm.compaction_proactiveness above 0, in writes */
};

class Kcompactd : public IKernelThread {
public:
    /// @proactiveness: vm.compaction_proactiveness, 0..100 (0: no timer, no proactive compaction).
    Kcompactd(Kernel &kernel, PageAllocator &allocator, unsigned proactiveness = 0)
        : m_kernel(kernel), m_alloc(allocator), m_proactiveness(proactiveness) {}

    /// wakeup_kcompactd for 2^@order pages; true when it was asleep (schedule it).
    bool wake(unsigned order);
    /// A write of vm.compaction_proactiveness (compaction_proactiveness_sysctl_handler): the new
    /// value; above 0 it also sets proactive_compact_trigger, so that kcompactd checks the score
    /// at once. True when it was asleep and must be woken (schedule it).
    bool set_proactiveness(unsigned proactiveness);
    unsigned proactiveness() const { return m_proactiveness; }
    bool awake() const { return m_awake; }

    const char *name() const override { return "kcompactd0"; }
    bool run_once(std::uint64_t &cycles) override;
    void account(std::uint64_t cycles) override { m_stats.cycles += cycles; }
    /// With a scheduler and proactiveness above 0: the timed sleep, 500 ms, or 64x that after
    /// a proactive run that made no progress; 0 (untimed) otherwise.
    std::uint64_t sleep_timeout_ps() const override { return m_timed && m_proactiveness ? m_timeout_ps : 0; }
    /// The timer expired: it wakes to check the score (always: the check runs on a core).
    bool timed_out() override;
    /// Whether a scheduler runs it (timers); without one, the kernel model alone, it has none.
    void set_timed(bool timed) { m_timed = timed; }
    const KcompactdStats &stats() const { return m_stats; }

    /// HPAGE_FRAG_CHECK_INTERVAL_MSEC: 500 ms, in ps.
    static constexpr std::uint64_t kCheckIntervalPs = 500ull * 1000 * 1000 * 1000;
    /// COMPACT_MAX_DEFER_SHIFT: a run without progress defers the next check 2^6 intervals.
    static constexpr unsigned kMaxDeferShift = 6;
    /// fragmentation_score_node's own work, per zone: the extfrag loop over the 11 orders
    /// (fill_contig_page_info: a load of nr_free, a shift, two adds, a compare and a branch an
    /// order, ~6 x 11) and the weighting (a multiply, a divide, loads): about 80 instructions.
    static constexpr std::uint64_t kScoreInstructionsPerZone = 80;

private:
    /// kcompactd()'s timed-out branch: should_proactive_compact_node, proactive_compact_node,
    /// and the deferral when the score did not fall.
    void proactive(std::uint64_t &cycles);
    unsigned node_score();

    Kernel &m_kernel;
    PageAllocator &m_alloc;
    unsigned m_proactiveness;
    bool m_awake = false;
    bool m_timed = false;
    bool m_timer_fired = false;  /* woken by its timer, not by wakeup_kcompactd */
    bool m_trigger = false;      /* pgdat->proactive_compact_trigger */
    std::uint64_t m_timeout_ps = kCheckIntervalPs; /* the next sleep's timeout, in ps */
    unsigned m_order = 0; /* pgdat->kcompactd_max_order */
    KcompactdStats m_stats;
};

}  // namespace mtesim
