// kswapd and kcompactd as kernel threads, without SystemC: what wakes them (wakeup_kswapd at
// the low watermark, a high-order failure; kswapd waking kcompactd as it sleeps; none of it on
// a hopeless node), what a pass does (balance_pgdat up to the high watermark, SWAP_CLUSTER_MAX
// at a time; again at once after one that reclaimed nothing, up to MAX_RECLAIM_RETRIES), that the
// allocating thread does not reclaim unless it falls below min, and where the scheduler places
// a woken kernel thread (an idle core, else its last core, ahead of the user threads) and when
// it preempts a user thread (after the base slice, scaled by the CPU count as Linux does).
#include "kernel_rig.h"

#include "mtesim/sched/thread_scheduler.h"
#include "mtesim/trace/text_trace_reader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

using namespace mtesim;
using mtesim::test::KernelRig;
using mtesim::test::kBase;
using mtesim::test::Waker;
using mtesim::test::small_swap;

namespace {

/* The pool kept out of the way: under linux-balance, page-cache pages would come from the pool
 * while it holds most free memory, and the free pages the watermarks count would not move. */
MmConfig no_pool() {
    MmConfig mm;
    mm.cma_policy = CmaPolicy::never;
    return mm;
}

/* Runs @t's passes to its sleep; returns the passes. */
unsigned run_to_sleep(IKernelThread &t) {
    std::uint64_t cycles = 0;
    unsigned passes = 1;
    while (t.run_once(cycles)) ++passes;
    return passes;
}

/* Fragments memory: every page outside the pool taken, every other one given back: plenty
 * free, no free block of order 1 or more. */
void fragment(KernelRig &r) {
    std::vector<Pfn> all;
    for (const auto &z : r.alloc->zones())
        for (MigrateType t : {MigrateType::movable, MigrateType::unmovable, MigrateType::reclaimable, MigrateType::highatomic})
            while (auto p = z->take_smallest(0, t)) {
                z->mark_allocated(*p, 0, MigrateType::movable, PageMeta::State::allocated_head, 0);
                all.push_back(*p);
            }
    for (std::size_t i = 0; i < all.size(); i += 2) r.alloc->free_pages(all[i]);
}

}  // namespace

TEST(KernelThreads, BelowTheLowWatermarkKswapdIsWokenAndTheAllocatorDoesNotReclaim) {
    KernelRig r(no_pool());
    Waker w(*r.k);
    r.k->thread_start(1);
    r.k->read_file(1, 7, 0, 4096 * kPageSize); /* page cache kswapd can drop */
    const std::uint64_t low = r.alloc->watermark_pages(false), high = r.alloc->watermark_pages(true),
                        min = r.alloc->watermark_min_pages();
    ASSERT_GT(low - min, 200u) << "room between low and min for the allocations below";
    const auto held = r.hog(low + 50);
    ASSERT_TRUE(w.woken.empty());
    r.k->read_file(1, 8, 0, 150 * kPageSize); /* 100 pages below low, 50 above min at least */
    const std::uint64_t free = r.alloc->free_pages_without_pool();
    ASSERT_LT(free, low);
    ASSERT_GT(free, min);
    ASSERT_EQ(w.woken.size(), 1u) << "one wake-up: later allocations find it runnable";
    EXPECT_EQ(w.woken[0], &r.k->kswapd());
    EXPECT_EQ(r.k->stats().kswapd_wakeups, 1u);
    EXPECT_EQ(r.k->stats().kswapd_reclaimed, 0u) << "kswapd has not run: the allocations did not reclaim for it";
    EXPECT_EQ(r.k->stats().direct_reclaims, 0u) << "above min the allocator never reclaims itself";
    EXPECT_TRUE(r.k->kswapd().awake());

    const unsigned passes = run_to_sleep(r.k->kswapd());
    const KernelStats st = r.k->stats();
    EXPECT_GE(r.alloc->free_pages_without_pool(), high) << "balance_pgdat stops at the high watermark";
    EXPECT_GE(st.kswapd_reclaimed, high - free);
    EXPECT_LT(st.kswapd_reclaimed, high - free + 32) << "and not much beyond it: one batch at most";
    EXPECT_LE(st.kswapd_reclaimed, 32u * st.kswapd_passes) << "SWAP_CLUSTER_MAX pages a pass";
    EXPECT_EQ(st.kswapd_passes, passes) << "the last pass reached the high watermark and slept";
    EXPECT_EQ(st.kswapd_failures, 0u);
    EXPECT_FALSE(r.k->kswapd().awake());
    EXPECT_EQ(w.woken.size(), 1u) << "an order-0 wake-up wakes no kcompactd";
    r.expect_clean();
}

TEST(KernelThreads, KswapdSleepsAShortHzTenthFirstAndReclaimsAgainIfTheHighMarkIsLostMeanwhile) {
    // kswapd_try_to_sleep with a scheduler (a waker is set): after balancing it sleeps HZ/10
    // (100 ms) first. A wake-up in that time is premature (KSWAPD_LOW_WMARK_HIT_QUICKLY); a
    // timeout that finds the free pages below high, though above low (no allocation woke it),
    // sends it back to reclaim (KSWAPD_HIGH_WMARK_HIT_QUICKLY); one that finds them at high
    // lets it sleep until woken.
    KernelRig r(no_pool());
    Waker w(*r.k);
    Kswapd &ks = r.k->kswapd();
    r.k->thread_start(1);
    r.k->read_file(1, 7, 0, 16384 * kPageSize); /* page cache for four rounds of reclaim */
    const std::uint64_t low = r.alloc->watermark_pages(false), high = r.alloc->watermark_pages(true);
    r.hog(low + 50);
    r.k->read_file(1, 8, 0, 150 * kPageSize); /* below low: kswapd woken */
    ASSERT_TRUE(ks.awake());
    run_to_sleep(ks);
    ASSERT_GE(r.alloc->free_pages_without_pool(), high);
    EXPECT_EQ(ks.sleep_timeout_ps(), 100000000000ull) << "schedule_timeout(HZ/10)";
    EXPECT_FALSE(ks.timed_out()) << "still at high when the 100 ms end: it sleeps until woken";
    EXPECT_EQ(ks.sleep_timeout_ps(), 0u);
    EXPECT_EQ(r.k->stats().kswapd_high_wmark_hit_quickly, 0u);

    // Woken during the short sleep: premature.
    r.hog(low - 10); /* below low: a wake-up */
    r.k->read_file(1, 9, 0, 2 * kPageSize);
    ASSERT_TRUE(ks.awake());
    EXPECT_EQ(r.k->stats().kswapd_low_wmark_hit_quickly, 0u) << "it was in its full sleep";
    run_to_sleep(ks);
    ASSERT_GT(ks.sleep_timeout_ps(), 0u);
    r.hog(low - 10);
    r.k->read_file(1, 10, 0, 2 * kPageSize);
    ASSERT_TRUE(ks.awake());
    EXPECT_EQ(r.k->stats().kswapd_low_wmark_hit_quickly, 1u) << "woken within the short sleep";
    run_to_sleep(ks);

    // Below high but above low when the short sleep ends: it reclaims again, unwoken.
    ASSERT_GT(high - low, 20u);
    r.hog(low + 10);
    ASSERT_LT(r.alloc->free_pages_without_pool(), high);
    ASSERT_FALSE(ks.awake()) << "no allocation crossed low";
    EXPECT_TRUE(ks.timed_out());
    EXPECT_TRUE(ks.awake());
    EXPECT_EQ(r.k->stats().kswapd_high_wmark_hit_quickly, 1u);
    run_to_sleep(ks);
    EXPECT_GE(r.alloc->free_pages_without_pool(), high);
    EXPECT_EQ(r.k->stats().kswapd_failures, 0u);
    EXPECT_EQ(r.k->stats().kswapd_wakeups, 3u) << "the timeout is no wake-up";
}

TEST(KernelThreads, WithoutASchedulerKswapdHasNoShortSleep) {
    KernelRig r(no_pool());
    r.k->thread_start(1);
    r.k->read_file(1, 7, 0, 4096 * kPageSize);
    r.hog(r.alloc->watermark_pages(false) + 50);
    r.k->read_file(1, 8, 0, 150 * kPageSize); /* woken, and run to completion at once */
    EXPECT_GT(r.k->stats().kswapd_reclaimed, 0u);
    EXPECT_EQ(r.k->kswapd().sleep_timeout_ps(), 0u) << "no timers without a scheduler";
    r.hog(r.alloc->watermark_pages(false) - 10);
    r.k->read_file(1, 9, 0, 2 * kPageSize); /* woken again, at once after its last sleep */
    EXPECT_EQ(r.k->stats().kswapd_wakeups, 2u);
    EXPECT_EQ(r.k->stats().kswapd_low_wmark_hit_quickly, 0u) << "no short sleep to be woken from";
    EXPECT_EQ(r.k->stats().kswapd_high_wmark_hit_quickly, 0u);
}

TEST(KernelThreads, KswapdRetriesAFailedBalanceUntilTheNodeIsHopelessAndReclaimProgressEndsThat) {
    // Below the low watermark with nothing reclaimable (the pages are the kernel's): every
    // balance_pgdat reclaims nothing. The node is not balanced at order 0, so kswapd_try_to_sleep
    // does not sleep (KSWAPD_HIGH_WMARK_HIT_QUICKLY) and kswapd balances again, until
    // MAX_RECLAIM_RETRIES (16) failures in a row make the node hopeless (prepare_kswapd_sleep
    // lets it sleep). wakeup_kswapd then leaves it asleep, until a reclaim that frees a page
    // (shrink_node, here the allocator's direct reclaim) resets kswapd_failures.
    KernelRig r(no_pool());
    Waker w(*r.k);
    Kswapd &ks = r.k->kswapd();
    r.k->thread_start(1);
    const std::uint64_t low = r.alloc->watermark_pages(false), min = r.alloc->watermark_min_pages();
    const GfpFlags kernel{MigrateType::unmovable, false, false};
    auto held = r.hog(low - 10);
    ASSERT_TRUE(w.woken.empty());
    ASSERT_TRUE(r.k->kalloc(0, kernel).ok);
    ASSERT_EQ(w.woken.size(), 1u) << "below low: woken";
    EXPECT_EQ(run_to_sleep(ks), 16u) << "one balance, then 15 more at once";
    KernelStats st = r.k->stats();
    EXPECT_EQ(st.kswapd_passes, 16u);
    EXPECT_EQ(st.kswapd_failures, 16u);
    EXPECT_EQ(st.kswapd_high_wmark_hit_quickly, 15u) << "it did not sleep between them";
    EXPECT_EQ(st.kswapd_hopeless, 1u);
    EXPECT_EQ(st.kswapd_reclaimed, 0u);
    EXPECT_TRUE(ks.hopeless());
    EXPECT_FALSE(ks.awake());

    ASSERT_TRUE(r.k->kalloc(0, kernel).ok);
    EXPECT_EQ(w.woken.size(), 1u) << "a hopeless node's kswapd is not woken";
    EXPECT_EQ(r.k->stats().kswapd_hopeless_wakeups, 1u);

    // Page cache, then an allocation below min: the allocator reclaims directly, frees page
    // cache, and that progress makes the node kswapd's again.
    r.k->read_file(1, 7, 0, 512 * kPageSize);
    EXPECT_EQ(w.woken.size(), 1u);
    const auto more = r.hog(min + 5);
    r.k->read_file(1, 8, 0, 64 * kPageSize);
    st = r.k->stats();
    ASSERT_GT(st.direct_reclaimed, 0u) << "below min the allocator reclaimed for itself";
    EXPECT_FALSE(ks.hopeless()) << "shrink_node's progress reset kswapd_failures";
    ASSERT_EQ(w.woken.size(), 2u) << "the next allocation below low woke kswapd again";
    EXPECT_EQ(w.woken.back(), &ks);
    EXPECT_EQ(st.kswapd_wakeups, 2u);
    run_to_sleep(ks);
    EXPECT_GT(r.k->stats().kswapd_reclaimed, 0u) << "this time there was page cache to reclaim";
    r.expect_clean();
}

TEST(KernelThreads, BelowMinTheAllocatorReclaimsDirectly) {
    KernelRig r(no_pool());
    Waker w(*r.k); /* kswapd is woken but never gets a core */
    r.k->thread_start(1);
    r.k->read_file(1, 7, 0, 4096 * kPageSize);
    const std::uint64_t min = r.alloc->watermark_min_pages();
    const auto held = r.hog(min + 20);
    r.k->read_file(1, 8, 0, 200 * kPageSize);
    const KernelStats st = r.k->stats();
    EXPECT_EQ(st.kswapd_wakeups, 1u);
    EXPECT_EQ(st.kswapd_reclaimed, 0u);
    EXPECT_GT(st.direct_reclaims, 0u) << "below min the allocating thread reclaims for itself";
    EXPECT_GE(st.direct_reclaimed, 180u) << "what the 200 pages needed beyond the 20 above min";
    r.expect_clean();
}

TEST(KernelThreads, KswapdOffMeansNoWakeUp) {
    KernelConfig kc = small_swap();
    kc.kswapd = false;
    KernelRig r(no_pool(), kc);
    Waker w(*r.k);
    r.k->thread_start(1);
    r.k->read_file(1, 7, 0, 512 * kPageSize);
    const auto held = r.hog(r.alloc->watermark_pages(false) + 10);
    r.k->read_file(1, 8, 0, 100 * kPageSize);
    EXPECT_TRUE(w.woken.empty());
    EXPECT_EQ(r.k->stats().kswapd_wakeups, 0u);
}

TEST(KernelThreads, AHighOrderWakeUpReclaimsTheCompactionGapAndKswapdWakesKcompactdAsItSleeps) {
    KernelRig r(no_pool(), small_swap(0));
    Waker w(*r.k);
    Kswapd &ks = r.k->kswapd();
    r.k->thread_start(1);
    fragment(r);
    r.k->read_file(1, 7, 0, 256 * kPageSize); /* page cache kswapd can drop */
    ASSERT_FALSE(r.k->has_free_block(4));
    ASSERT_GE(r.alloc->free_pages_without_pool(), r.alloc->watermark_pages(true));
    ASSERT_TRUE(w.woken.empty());
    EXPECT_FALSE(r.k->kalloc(4, GfpFlags{MigrateType::unmovable, false, true}).ok);
    ASSERT_EQ(w.woken.size(), 1u);
    EXPECT_EQ(w.woken[0], &ks);
    // balance_pgdat(order 4): one SWAP_CLUSTER_MAX batch reclaims compact_gap(4) = 2 << 4 pages,
    // after which it checks order 0 only (sc.order = 0), which holds: it returns order 0, below
    // the order it was woken for, and kswapd_try_to_sleep wakes kcompactd for that order.
    EXPECT_EQ(run_to_sleep(ks), 1u);
    const KernelStats st = r.k->stats();
    EXPECT_EQ(st.kswapd_reclaimed, 32u);
    EXPECT_EQ(st.kswapd_failures, 0u);
    ASSERT_EQ(w.woken.size(), 2u);
    EXPECT_EQ(w.woken[1], &r.k->kcompactd());
    EXPECT_EQ(st.kcompactd_wakeups, 1u);
}

TEST(KernelThreads, AHighOrderFailureWithNothingToReclaimWakesKcompactdOnceKswapdIsHopeless) {
    KernelRig r({}, small_swap(0));
    Waker w(*r.k);
    Kswapd &ks = r.k->kswapd();
    fragment(r);
    ASSERT_FALSE(r.k->has_free_block(4));
    ASSERT_GE(r.alloc->free_pages_without_pool(), r.alloc->watermark_pages(true));
    const GfpFlags atomic{MigrateType::unmovable, false, true}; /* atomic: no direct compaction */
    const auto a = r.k->kalloc(4, atomic);
    EXPECT_FALSE(a.ok);
    ASSERT_EQ(w.woken.size(), 1u);
    EXPECT_EQ(w.woken[0], &ks) << "free pages are above high, but no order-4 block: not balanced";
    EXPECT_EQ(r.alloc->stats().compact_stalls, 0u) << "an atomic request does not compact";

    // balance_pgdat(order 4) reclaims nothing (the LRU lists are empty): kswapd_failures 1. kswapd()
    // reads kswapd_order afresh (0: no wake-up came meanwhile), the node is balanced at order 0,
    // and kswapd_try_to_sleep sleeps; its wakeup_kcompactd(order 0) does nothing.
    EXPECT_EQ(run_to_sleep(ks), 1u);
    EXPECT_EQ(r.k->stats().kswapd_failures, 1u) << "nothing on the LRU lists to reclaim";
    EXPECT_EQ(w.woken.size(), 1u) << "no kcompactd: the failed order is not kswapd_order any more";
    EXPECT_FALSE(ks.hopeless());

    // Each atomic failure wakes kswapd again, which fails again, until MAX_RECLAIM_RETRIES (16)
    // failures in a row make the node hopeless.
    for (std::size_t i = 2; i <= 16; ++i) {
        EXPECT_FALSE(r.k->kalloc(4, atomic).ok);
        ASSERT_EQ(w.woken.size(), i);
        ASSERT_EQ(w.woken.back(), &ks);
        EXPECT_EQ(run_to_sleep(ks), 1u);
    }
    EXPECT_EQ(r.k->stats().kswapd_failures, 16u);
    EXPECT_EQ(r.k->stats().kswapd_hopeless, 1u);
    EXPECT_TRUE(ks.hopeless());
    EXPECT_EQ(r.k->stats().kcompactd_wakeups, 0u);

    // wakeup_kswapd leaves a hopeless node to direct reclaim; a request that cannot reclaim
    // (atomic) wakes kcompactd for its order instead.
    EXPECT_FALSE(r.k->kalloc(4, atomic).ok);
    ASSERT_EQ(w.woken.size(), 17u);
    EXPECT_EQ(w.woken.back(), &r.k->kcompactd());
    EXPECT_EQ(r.k->stats().kswapd_wakeups, 16u);
    EXPECT_EQ(r.k->stats().kswapd_hopeless_wakeups, 1u);
    EXPECT_EQ(r.k->stats().kcompactd_wakeups, 1u);

    run_to_sleep(r.k->kcompactd());
    const KernelStats st = r.k->stats();
    EXPECT_EQ(st.kcompactd_runs, 1u);
    EXPECT_EQ(st.kcompactd_success, 1u);
    EXPECT_GE(st.kcompactd_pages_migrated, 8u) << "half of a 16-page range was in use";
    EXPECT_EQ(r.alloc->stats().compact_stalls, 0u) << "kcompactd's run is not an allocation's stall";
    EXPECT_TRUE(r.k->has_free_block(4));
    EXPECT_TRUE(r.k->kalloc(4, GfpFlags{MigrateType::unmovable, false, true}).ok) << "the retried request now succeeds";
}

TEST(KernelThreads, WithoutASchedulerAWokenThreadRunsAtOnce) {
    KernelRig r(no_pool());
    r.k->thread_start(1);
    r.k->read_file(1, 7, 0, 4096 * kPageSize);
    const auto held = r.hog(r.alloc->watermark_pages(false) + 10);
    r.k->read_file(1, 8, 0, 100 * kPageSize);
    EXPECT_EQ(r.k->stats().kswapd_wakeups, 1u);
    EXPECT_GE(r.alloc->free_pages_without_pool(), r.alloc->watermark_pages(true) - 100);
    EXPECT_GT(r.k->stats().kswapd_reclaimed, 0u);
    EXPECT_FALSE(r.k->kswapd().awake());
}

/* ---- the scheduler's side ---------------------------------------------------------------- */

namespace {

struct FakeThread : IKernelThread {
    const char *name() const override { return "fake"; }
    bool run_once(std::uint64_t &) override { return false; }
    void account(std::uint64_t) override {}
};

struct SchedRig {
    std::string path = "/tmp/mtesim-kthreads-" + std::to_string(getpid()) + ".trace";
    std::unique_ptr<Workload> w;
    std::unique_ptr<ThreadScheduler> s;
    std::vector<std::uint32_t> woken_cores;
    explicit SchedRig(std::uint32_t cores, const std::string &threads, const SchedConfig &config = {}) {
        std::ofstream(path) << "mtesim-trace 1\n" << threads;
        w = std::make_unique<Workload>(std::make_unique<TextTraceReader>(path));
        s = std::make_unique<ThreadScheduler>(*w, cores, 1);
        s->configure(config);
        s->set_wake([this](std::uint32_t c) { woken_cores.push_back(c); });
        while (!w->exhausted()) w->pump();
    }
    ~SchedRig() { std::remove(path.c_str()); }
};

}  // namespace

TEST(KernelThreads, TheSchedulerPutsAWokenKernelThreadOnAnIdleCore) {
    SchedRig r(4, "thread 1 core=0\nthread 2 core=1\n1 compute 1\n2 compute 1\n");
    FakeThread k;
    r.s->add_kernel_thread(k);
    ThreadContext *t0 = r.s->try_next(0), *t1 = r.s->try_next(1);
    ASSERT_TRUE(t0 && t1);
    r.s->set_running(0, t0);
    r.s->set_running(1, t1);
    r.woken_cores.clear();
    EXPECT_TRUE(r.s->wake_kernel_thread(k, 0)) << "an idle CPU: a reschedule IPI";
    ASSERT_EQ(r.woken_cores.size(), 1u);
    EXPECT_EQ(r.woken_cores[0], 2u) << "the first idle core after the waker's";
    EXPECT_FALSE(r.s->wake_kernel_thread(k, 0)) << "already runnable: no second placement";
    EXPECT_EQ(r.woken_cores.size(), 1u);
    ThreadContext *kt = r.s->try_next(2);
    ASSERT_TRUE(kt);
    EXPECT_EQ(kt->kthread, &k);
    EXPECT_FALSE(r.s->kernel_thread_waiting(0));
}

TEST(KernelThreads, WithNoIdleCoreItQueuesAheadAndPreemptsAfterTheSlice) {
    // Time slices between user threads off: thread 2 waiting alone never preempts thread 1.
    SchedConfig c;
    c.time_slice = false;
    SchedRig r(1, "thread 1 core=0\nthread 2 core=0\n1 compute 1\n2 compute 1\n", c);
    EXPECT_EQ(r.s->slice_ps(), 750000000ull) << "0.75 ms x (1 + ilog2(1))";
    FakeThread k;
    r.s->add_kernel_thread(k);
    ThreadContext *t = r.s->try_next(0);
    ASSERT_TRUE(t);
    r.s->set_running(0, t);
    EXPECT_FALSE(r.s->should_preempt(0, *t, 1000, 4000000000ull)) << "only a user thread waits";
    EXPECT_FALSE(r.s->wake_kernel_thread(k, 0)) << "no idle CPU: queued on its last core, no IPI";
    EXPECT_TRUE(r.s->kernel_thread_waiting(0));
    EXPECT_FALSE(r.s->should_preempt(0, *t, 1000, 1000 + r.s->slice_ps() - 1)) << "the running thread keeps its slice";
    EXPECT_FALSE(r.s->should_preempt(0, *t, 1000, 1000 + r.s->slice_ps()))
        << "its deadline has passed, but the kernel thread woke before it: the next tick reschedules";
    const std::uint64_t tick = 4000000000ull; /* HZ = 250 */
    EXPECT_FALSE(r.s->should_preempt(0, *t, 1000, tick - 1));
    EXPECT_TRUE(r.s->should_preempt(0, *t, 1000, tick)) << "the first tick after the deadline";
    r.s->requeue(t);
    r.s->set_running(0, nullptr);
    ThreadContext *next = r.s->try_next(0);
    ASSERT_TRUE(next);
    EXPECT_EQ(next->kthread, &k) << "ahead of the other user thread queued before it";
}

TEST(KernelThreads, AWakeUpAfterTheRunningThreadsDeadlinePreemptsItAtOnce) {
    SchedRig r(1, "thread 1 core=0\n1 compute 1\n");
    FakeThread k;
    r.s->add_kernel_thread(k);
    ThreadContext *t = r.s->try_next(0, 1000);
    ASSERT_TRUE(t);
    r.s->set_running(0, t, 1000);
    const std::uint64_t late = 1000 + r.s->slice_ps() + 5;
    EXPECT_FALSE(r.s->wake_kernel_thread(k, 0, late));
    EXPECT_TRUE(r.s->should_preempt(0, *t, 1000, late)) << "check_preempt_wakeup_fair: the deadline had passed";
}

TEST(KernelThreads, ADeadlinePassedWithNoOneWaitingIsRenewedAtTheTick) {
    // One CPU: slice 0.75 ms, ticks every 4 ms. Dispatched at 0, the deadline 0.75 ms is found
    // passed at the tick at 4 ms and renewed to 4.75 ms, found passed at 8 ms, and so on.
    SchedRig r(1, "");
    const std::uint64_t ms = 1000000000ull;
    EXPECT_EQ(r.s->preempt_at(0, ms / 2), 4 * ms) << "waiting before the deadline: the tick after it";
    EXPECT_EQ(r.s->preempt_at(0, 3 * ms), 3 * ms) << "the deadline passed, its tick not yet come: at once";
    EXPECT_EQ(r.s->preempt_at(0, 4 * ms + ms / 2), 8 * ms) << "after the renewal (4.75 ms): the next tick";
    EXPECT_EQ(r.s->preempt_at(0, 4 * ms + 9 * ms / 10), 4 * ms + 9 * ms / 10) << "past the renewed deadline: at once";
    EXPECT_EQ(r.s->preempt_at(0, 40 * ms + ms / 2), 44 * ms) << "renewed at 40 ms to 40.75 ms, not reached at 40.5 ms";
    EXPECT_EQ(r.s->preempt_at(0, 41 * ms), 41 * ms) << "40.75 ms passed at 41 ms, before the tick at 44 ms";
}

TEST(KernelThreads, TheSliceScalesWithTheCpuCountUpToEight) {
    SchedRig four(4, ""), sixteen(16, "");
    EXPECT_EQ(four.s->slice_ps(), 3u * 750000000ull) << "1 + ilog2(4)";
    EXPECT_EQ(sixteen.s->slice_ps(), 4u * 750000000ull) << "1 + ilog2(min(16, 8))";
}

namespace {

constexpr std::uint64_t kMs = 1000000000ull; /* ps */

/* A kernel thread that sleeps with a timer (100 ms, kswapd's short sleep) and says at its expiry
 * whether it runs again. */
struct TimedThread : IKernelThread {
    std::uint64_t timeout = 100 * kMs;
    bool run_again = false;
    unsigned expiries = 0;
    const char *name() const override { return "timed"; }
    bool run_once(std::uint64_t &) override { return false; }
    void account(std::uint64_t) override {}
    std::uint64_t sleep_timeout_ps() const override { return timeout; }
    bool timed_out() override {
        ++expiries;
        return run_again;
    }
};

}  // namespace

TEST(KernelThreads, ATimedSleepArmsATimerThatAWakeUpCancels) {
    SchedRig r(2, "thread 1 core=0\n1 compute 1\n");
    TimedThread k;
    r.s->add_kernel_thread(k);
    ASSERT_TRUE(r.s->wake_kernel_thread(k, 0, 0));
    ThreadContext *kt = r.s->try_next(1, 0);
    ASSERT_TRUE(kt && kt->kthread == &k);
    r.s->set_running(1, kt, 0);
    r.s->kernel_thread_sleeps(kt, 5 * kMs);
    r.s->set_running(1, nullptr, 5 * kMs);
    EXPECT_EQ(r.s->next_wake(1), 105 * kMs) << "the timer, 100 ms after it slept";
    EXPECT_EQ(r.s->try_next(1, 104 * kMs), nullptr);
    EXPECT_EQ(k.expiries, 0u);
    k.run_again = true;
    EXPECT_EQ(r.s->try_next(1, 105 * kMs), kt) << "expired: it runs again, on the idle core that took the timer";
    EXPECT_EQ(k.expiries, 1u);
    r.s->set_running(1, kt, 105 * kMs);
    r.s->kernel_thread_sleeps(kt, 106 * kMs);
    r.s->set_running(1, nullptr, 106 * kMs);
    ASSERT_EQ(r.s->next_wake(1), 206 * kMs);
    r.s->wake_kernel_thread(k, 0, 150 * kMs);
    EXPECT_EQ(r.s->try_next(1, 150 * kMs), kt) << "woken before the timer";
    r.s->set_running(1, kt, 150 * kMs);
    r.s->kernel_thread_sleeps(kt); /* untimed: no timer */
    r.s->set_running(1, nullptr, 151 * kMs);
    EXPECT_EQ(r.s->try_next(1, 300 * kMs), nullptr);
    EXPECT_EQ(k.expiries, 1u) << "the cancelled timer never fired";
    EXPECT_EQ(r.s->next_wake(1), ~0ull);
}

TEST(KernelThreads, AKernelThreadsTimerDoesNotKeepAFinishedRunGoing) {
    SchedRig r(1, "thread 1 core=0\n1 compute 1\n");
    TimedThread k;
    r.s->add_kernel_thread(k);
    ThreadContext *u = r.s->try_next(0, 0);
    ASSERT_TRUE(u);
    r.s->set_running(0, u, 0);
    ASSERT_FALSE(r.s->wake_kernel_thread(k, 0, 1 * kMs)) << "no idle core: queued on the busy one";
    u->finished = true;
    r.s->set_running(0, nullptr, 2 * kMs);
    ThreadContext *kt = r.s->try_next(0, 2 * kMs);
    ASSERT_TRUE(kt && kt->kthread == &k);
    r.s->set_running(0, kt, 2 * kMs);
    r.s->kernel_thread_sleeps(kt, 3 * kMs);
    r.s->set_running(0, nullptr, 3 * kMs);
    ASSERT_NE(r.s->next_wake(0), ~0ull);
    EXPECT_EQ(r.s->try_next(0, 3 * kMs), nullptr);
    EXPECT_EQ(r.s->idle_action(0), ThreadScheduler::Idle::finish) << "the trace is done and no user thread is left";
}

/* A kswapd pass looks at no more than SWAP_CLUSTER_MAX pages (shrink_lruvec's batches, with
 * cond_resched between them). 2,064 anonymous pages each touched once are all kept on their
 * first look (FOLIOREF_KEEP): the first 64 passes free nothing, and are not failed balances;
 * the 65th keeps the last 16 and swaps out 16 on their second look, and kswapd goes on to the
 * high watermark (about 1,050 pages to free). Looked at in one pass, the 2,064 keeps would
 * have held the kernel model throughout. */
TEST(KernelThreads, KswapdLooksAtOneBatchAPassAndGoesOnPastThePagesItKeeps) {
    KernelRig r(no_pool());
    Waker w(*r.k);
    r.k->thread_start(1);
    constexpr unsigned kPages = 2048;
    r.k->mmap(1, kBase, kPages * kPageSize, false);
    for (unsigned i = 0; i < kPages; ++i) ASSERT_TRUE(r.touch(1, kBase + i * kPageSize, true));
    const std::uint64_t low = r.alloc->watermark_pages(false), high = r.alloc->watermark_pages(true);
    const auto held = r.hog(low + 8);
    r.k->mmap(1, kBase + kPages * kPageSize, 16 * kPageSize, false);
    for (unsigned i = 0; i < 16; ++i) ASSERT_TRUE(r.touch(1, kBase + (kPages + i) * kPageSize, true)); /* below low */
    ASSERT_EQ(w.woken.size(), 1u);
    ASSERT_TRUE(r.k->kswapd().awake());
    std::uint64_t cycles = 0;
    ASSERT_LT(high - r.alloc->free_pages_without_pool(), kPages) << "fewer to free than there are pages";
    for (unsigned pass = 1; pass <= kPages / 32; ++pass) {
        ASSERT_TRUE(r.k->kswapd().run_once(cycles));
        EXPECT_EQ(r.k->stats().lru_kept, 32u * pass);
        EXPECT_EQ(r.k->stats().kswapd_reclaimed, 0u);
    }
    ASSERT_TRUE(r.k->kswapd().run_once(cycles)); /* the 16 pages touched last */
    EXPECT_EQ(r.k->stats().kswapd_reclaimed, 16u) << "kept 16, then 16 second looks: swapped out";
    EXPECT_EQ(r.k->stats().kswapd_batches_without_progress, kPages / 32);
    EXPECT_EQ(r.k->stats().kswapd_failures, 0u);
    run_to_sleep(r.k->kswapd());
    EXPECT_GE(r.alloc->free_pages_without_pool(), high);
    EXPECT_EQ(r.k->stats().kswapd_failures, 0u);
    EXPECT_EQ(r.k->stats().lru_kept, kPages + 16);
    r.expect_clean();
}

/* kswapd's passes carry over the pages they passed over as busy (shrink_lruvec's view of one
 * balance): with 48 file pages under write-back at the inactive file list's tail, kswapd knows
 * the file list holds nothing else once it has found each of them (activated, then brought back
 * by the lists' balance) and turns to the anonymous pages, as one pass of unlimited looks would.
 * Counting afresh at each pass, every pass would rotate 32 of the busy file pages and none would
 * reach the anonymous list. Its first pass took only such pages (PGDAT_WRITEBACK), so finding
 * them again it throttles (nr_immediate): its timer ends each wait here, the rig's clock moved
 * on by the wait. */
TEST(KernelThreads, KswapdPassesMoveOnFromAFileListOfPagesUnderWriteBack) {
    KernelRig r(no_pool());
    Waker w(*r.k);
    r.k->thread_start(1);
    constexpr unsigned kFilePages = 48, kAnon = 2048;
    r.k->mmap(1, kBase, kPageSize, false);
    ASSERT_TRUE(r.touch(1, kBase, true));
    for (unsigned i = 0; i < kFilePages; ++i)
        ASSERT_EQ(r.k->user_copy(1, kBase, kPageSize, false, false, false, 7, i * kPageSize).error,
                  static_cast<std::int64_t>(kPageSize));
    ASSERT_EQ(r.run_flusher(), kFilePages) << "every file page's write started (80 us each: no time passes but the swap writes')";
    r.k->mmap(1, kBase + kPageSize, kAnon * kPageSize, false);
    for (unsigned i = 1; i <= kAnon; ++i) ASSERT_TRUE(r.touch(1, kBase + i * kPageSize, true));
    const std::uint64_t low = r.alloc->watermark_pages(false), high = r.alloc->watermark_pages(true);
    const auto held = r.hog(low + 8);
    r.k->mmap(1, kBase + (kAnon + 1) * kPageSize, 16 * kPageSize, false);
    for (unsigned i = 0; i < 16; ++i) ASSERT_TRUE(r.touch(1, kBase + (kAnon + 1 + i) * kPageSize, true));
    ASSERT_TRUE(r.k->kswapd().awake());
    for (unsigned waits = 0; run_to_sleep(r.k->kswapd()) && r.k->kswapd().throttled(); ++waits) {
        ASSERT_LT(waits, 100u) << "kswapd never got past the throttle";
        r.kmem.io_wait(static_cast<double>(r.k->kswapd().sleep_timeout_ps()) / 1000.0);
        ASSERT_TRUE(r.k->kswapd().timed_out());
    }
    EXPECT_FALSE(r.k->kswapd().awake());
    EXPECT_GE(r.k->stats().kswapd_writeback_throttles, 1u);
    EXPECT_EQ(r.k->stats().kswapd_failures, 0u);
    EXPECT_GE(r.alloc->free_pages_without_pool(), high);
    EXPECT_GT(r.k->stats().swap_outs, 0u);
    r.expect_clean();
}
