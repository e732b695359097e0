// Flusher: the node's write-back worker for dirty file pages (fs/fs-writeback.c's wb_workfn on
// the "writeback" workqueue: a kworker that ps shows as kworker/uN:M-flush-MAJ:MIN), reduced to
// the two works reclaim and writers queue:
//  - "start all" (wakeup_flusher_threads -> wb_start_writeback, which reclaim calls when a
//    shrink_inactive_list batch found only dirty file pages not queued for I/O): write as many
//    pages as were dirty when it was queued (get_nr_dirty_pages), or until none is left. One
//    such work at a time (WB_start_all): a wake-up while one is pending is dropped;
//  - background: whenever it runs out of other work, wb_do_writeback's wb_check_background_flush
//    writes while the dirty pages exceed vm.dirty_background_ratio of the dirtyable memory
//    (wb_over_bg_thresh, checked between batches). A writer wakes it for this
//    (balance_dirty_pages -> wb_start_background_writeback) once the dirty pages exceed that
//    threshold, if it is not running already (writeback_in_progress).
//  - periodic ("kupdate"): every vm.dirty_writeback_centisecs (5 s) while pages are dirty, the
//    delayed work armed when the first file is dirtied (wb_wakeup_delayed) and after each run
//    with dirty files left runs the worker, whose wb_check_old_data_flush writes the files first
//    dirtied at least vm.dirty_expire_centisecs (30 s) ago (for_kupdate), once each interval.
// It writes one batch per pass: the pages filemap_get_folios_tag returns for one lookup
// (PAGEVEC_SIZE, 15 in v6.6), after which write_cache_pages calls cond_resched(), where the
// scheduler may run someone else. Each page is written by Kernel::write_dirty_file_page (its
// PTEs cleaned, its write started). The scheduler places it on a core like kswapd; its work is
// charged to that core and its time is its own (FlusherStats).
//
// The pauses balance_dirty_pages imposes on writers past the freerun ceiling are DirtyThrottle's;
// see docs/policies.md, "Dirty file pages and the flusher".
#pragma once

#include "mtesim/kernel/folio_batch.h"
#include "mtesim/sched/i_kernel_thread.h"

#include <cstdint>

namespace mtesim {

class Kernel;

struct FlusherStats {
    std::uint64_t wakeups_vmscan = 0;     /* "start all" works queued by reclaim (WB_REASON_VMSCAN) */
    std::uint64_t wakeups_background = 0; /* woken by a writer past the background threshold (WB_REASON_BACKGROUND) */
    std::uint64_t timer_wakeups = 0;      /* runs of its delayed work (the periodic write-back's timer) */
    std::uint64_t periodic_pages = 0;     /* pages the periodic write-back started writing, in pages */
    std::uint64_t passes = 0;             /* batches written (one filemap_get_folios_tag lookup each) */
    std::uint64_t pages = 0;              /* pages whose write it started, in pages */
    std::uint64_t skipped = 0;            /* dirty pages it passed over (still under write-back), in pages */
    std::uint64_t cycles = 0;             /* core cycles it ran, context switches included */
};

class Flusher : public IKernelThread {
public:
    /// Pages a folio-batch lookup returns (kFolioBatchSize: PAGEVEC_SIZE, v6.6).
    static constexpr unsigned kBatchPages = kFolioBatchSize;

    /// @interval_ps, @expire_ps: vm.dirty_writeback_centisecs and vm.dirty_expire_centisecs, in
    /// ps (an interval of 0: no periodic write-back).
    Flusher(Kernel &kernel, std::uint64_t interval_ps, std::uint64_t expire_ps)
        : m_kernel(kernel), m_interval_ps(interval_ps), m_expire_ps(expire_ps) {}
    std::uint64_t interval_ps() const { return m_interval_ps; }

    /// wakeup_flusher_threads(WB_REASON_VMSCAN): queues the "start all" work for the @dirty
    /// pages dirty now unless one is already queued. True when the flusher was asleep (the
    /// caller must have it scheduled).
    bool wake_all(std::uint64_t dirty);
    /// wb_start_background_writeback from a writer: wakes it if it sleeps (true: the caller
    /// must have it scheduled); a running flusher checks the background threshold anyway.
    bool wake_background();
    bool awake() const { return m_awake; }

    const char *name() const override { return "kworker/u:flush"; }
    bool run_once(std::uint64_t &cycles) override;
    void account(std::uint64_t cycles) override { m_stats.cycles += cycles; }
    /// wb_workfn's end: with dirty files left, the delayed work is queued again
    /// (wb_wakeup_delayed) for the periodic write-back.
    std::uint64_t sleep_timeout_ps() const override;
    /// The delayed work runs: with dirty files it runs the worker (which does what is due).
    bool timed_out() override;
    const FlusherStats &stats() const { return m_stats; }

private:
    Kernel &m_kernel;
    bool m_awake = false;
    std::uint64_t m_all_left = 0; /* pages the "start all" work may still write; 0: none queued */
    std::uint64_t m_interval_ps, m_expire_ps;
    std::uint64_t m_last_old_flush_ps = 0; /* wb->last_old_flush */
    bool m_kupdate = false;                /* the periodic work is writing expired files */
    bool m_stalled = false;       /* the last background batch could write nothing: it ends */
    FlusherStats m_stats;
};

}  // namespace mtesim
