// Kswapd: the node's background reclaim thread (mm/vmscan.c kswapd(), balance_pgdat()). An
// allocation that leaves the free pages below the low watermark, or a high-order allocation
// that fails, wakes it (wakeup_kswapd); the scheduler places it on a core like any thread,
// and it reclaims a SWAP_CLUSTER_MAX batch per pass until the node is balanced (free pages at
// the high watermark and, for a high-order wake-up, a free block of that order or enough
// reclaimed for compaction), then sleeps, waking kcompactd first when the wake-up was for a
// high order (kswapd_try_to_sleep -> wakeup_kcompactd). A balance that reclaims nothing raises
// kswapd_failures; kswapd balances again at once unless the node is balanced, and after
// MAX_RECLAIM_RETRIES failures in a row the node is hopeless: kswapd sleeps and is not woken
// again until some reclaim makes progress. A pass that finds pages cycling through the inactive
// list faster than they are written (nr_immediate) makes it wait for writes to complete
// (reclaim_throttle(VMSCAN_THROTTLE_WRITEBACK)). Its work is charged to the core that runs it,
// and its time is its own (KswapdStats), not the allocating thread's.
#pragma once

#include "mtesim/kernel/reclaim_looks.h"
#include "mtesim/mm/page_allocator.h"
#include "mtesim/sched/i_kernel_thread.h"

#include <cstdint>

namespace mtesim {

class Kernel;

struct KswapdStats {
    std::uint64_t wakeups = 0;   /* sleeping -> runnable (wakeup_kswapd found it asleep) */
    std::uint64_t passes = 0;    /* reclaim batches run (one shrink_folio_list: at most SWAP_CLUSTER_MAX pages freed, as many looked at) */
    std::uint64_t batches_without_progress = 0; /* passes that freed nothing, stopped at their look limit, and went on */
    std::uint64_t reclaimed = 0; /* in pages */
    std::uint64_t failures = 0;  /* balances that reclaimed nothing (each raises kswapd_failures) */
    std::uint64_t hopeless = 0;  /* times kswapd_failures reached MAX_RECLAIM_RETRIES: it slept, the node hopeless */
    std::uint64_t hopeless_wakeups = 0; /* wake-ups refused because the node was hopeless (wakeup_kswapd) */
    std::uint64_t cycles = 0;    /* core cycles it ran, context switches included */
    std::uint64_t low_wmark_hit_quickly = 0;  /* woken during its short sleep (KSWAPD_LOW_WMARK_HIT_QUICKLY) */
    std::uint64_t high_wmark_hit_quickly = 0; /* not balanced where it would sleep: a short sleep ended below high, or a balance reclaimed nothing (KSWAPD_HIGH_WMARK_HIT_QUICKLY) */
    std::uint64_t writeback_throttles = 0; /* sleeps in reclaim_throttle(VMSCAN_THROTTLE_WRITEBACK) */
    std::uint64_t throttled_ps = 0;        /* their length, summed, in ps */
};

class Kswapd : public IKernelThread {
public:
    /// @batch: pages per pass (SWAP_CLUSTER_MAX, vm.reclaim_batch).
    Kswapd(Kernel &kernel, PageAllocator &allocator, std::uint64_t batch)
        : m_kernel(kernel), m_alloc(allocator), m_batch(batch ? batch : 1) {}

    /// wakeup_kswapd for an allocation of 2^@order pages: raises the order it balances for;
    /// true when it was asleep (the caller must have it scheduled), false when it is already
    /// runnable (it will see the new order on its next pass).
    bool wake(unsigned order);
    /// Woken and not yet back in its kswapd_wait sleep (wakeup_kswapd finds it so and leaves it
    /// be): balancing, or throttled in the middle of a balance.
    bool awake() const { return m_awake; }
    /// Running or runnable (kswapd_is_running: task_is_running): awake and not sleeping in the
    /// writeback throttle.
    bool running() const { return m_awake && !m_throttled; }
    /// In reclaim_throttle(VMSCAN_THROTTLE_WRITEBACK).
    bool throttled() const { return m_throttled; }
    /// MAX_RECLAIM_RETRIES (mm/internal.h): balances in a row that reclaimed nothing after
    /// which the node is hopeless.
    static constexpr unsigned kMaxReclaimRetries = 16;
    /// The node is hopeless (pgdat->kswapd_failures at MAX_RECLAIM_RETRIES): wakeup_kswapd
    /// leaves it asleep, and direct reclaim does the work, until a reclaim makes progress.
    bool hopeless() const { return m_failures >= kMaxReclaimRetries; }
    /// wakeup_kswapd on a hopeless node: the order is recorded (kswapd_order is raised before
    /// the check), the wake-up counted and refused.
    void refuse_wake(unsigned order);
    /// shrink_node reclaimed something (any reclaimer: kswapd or direct reclaim): kswapd_failures
    /// is reset, and a hopeless node may be balanced by kswapd again.
    void reclaim_progress() { m_failures = 0; }
    /// Whether the node is balanced for @order (pgdat_balanced): the free pages outside the
    /// pool at the high watermarks (with the zones' lowmem_reserve) and, for order > 0, a zone
    /// that can give that order at its high watermark (PageAllocator::order_available).
    bool balanced(unsigned order) const;

    const char *name() const override { return "kswapd0"; }
    bool run_once(std::uint64_t &cycles) override;
    void account(std::uint64_t cycles) override { m_stats.cycles += cycles; }
    /// With a scheduler (timers): kswapd_try_to_sleep's short sleep of HZ/10 before the full one.
    /// In the writeback throttle: until its wake-up (Kernel::begin_writeback_throttle).
    std::uint64_t sleep_timeout_ps() const override {
        if (m_throttled) return m_throttle_ps;
        return m_short_sleep ? kShortSleepPs : 0;
    }
    bool timed_out() override;
    /// Whether its sleeps begin with the short one (a scheduler runs it; without one, the
    /// kernel model alone, a woken kswapd runs to completion and has no timer).
    void set_timed(bool timed) { m_timed = timed; }
    /// schedule_timeout(HZ/10): a tenth of a second whatever CONFIG_HZ.
    static constexpr std::uint64_t kShortSleepPs = 100000000000ull;
    const KswapdStats &stats() const { return m_stats; }

private:
    /// kswapd_try_to_sleep once prepare_kswapd_sleep allows it (the node balanced, or hopeless):
    /// back to sleep, kcompactd woken for a high-order wake-up; with a scheduler the short sleep
    /// comes first.
    void sleep();
    /// Where balance_pgdat goes on after a pass: at once (true: it stays runnable), unless the
    /// pass found @immediate (nr_immediate) pages and a scheduler gives it timers: then shrink_node's
    /// reclaim_throttle puts it to sleep until writes complete (false; timed_out() ends it).
    bool go_on(std::uint64_t immediate);

    Kernel &m_kernel;
    PageAllocator &m_alloc;
    std::uint64_t m_batch;           /* in pages */
    bool m_awake = false;
    unsigned m_wake_order = 0;       /* the highest order it was woken for (pgdat->kswapd_order) */
    unsigned m_balance_order = 0;    /* the order balance_pgdat still checks (0 once compaction can do the rest) */
    std::uint64_t m_reclaimed_run = 0; /* pages reclaimed since it woke, in pages */
    bool m_timed = false;            /* a scheduler gives it timers */
    bool m_short_sleep = false;      /* in the HZ/10 sleep (prepare_to_wait + schedule_timeout) */
    bool m_throttled = false;        /* in reclaim_throttle(VMSCAN_THROTTLE_WRITEBACK), still awake */
    std::uint64_t m_throttle_ps = 0; /* that sleep's length as it began, in ps */
    unsigned m_sleep_order = 0;      /* the order balance_pgdat ended at (reclaim_order), checked at the timeout */
    unsigned m_raised_order = 0;     /* orders of the wake-ups since the current balance began (kswapd_order as kswapd() re-reads it) */
    unsigned m_failures = 0;         /* balances in a row that reclaimed nothing (pgdat->kswapd_failures), in balances */
    ReclaimLooks m_chain;    /* its passes since one freed a page (Kernel::reclaim's looks) */
    KswapdStats m_stats;
};

}  // namespace mtesim
