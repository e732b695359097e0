// kswapd's writeback throttle: shrink_folio_list's cases 1 and 2 for a page found under
// write-back (PG_reclaim marked, nr_writeback; nr_immediate once PGDAT_WRITEBACK is set),
// shrink_node's PGDAT_WRITEBACK, and reclaim_throttle(VMSCAN_THROTTLE_WRITEBACK): kswapd sleeps
// until more than SWAP_CLUSTER_MAX writes complete, or HZ/10 (mm/vmscan.c, v6.6).
#include "kernel_rig.h"
#include "sched_rig.h"

#include <algorithm>
#include <vector>

using namespace mtesim;
using namespace mtesim::test;

namespace {

MmConfig no_pool() {
    MmConfig mm;
    mm.cma_policy = CmaPolicy::never;
    return mm;
}

/* Swap writes that take 10 ms: every page kswapd writes is still under write-back when its
 * passes come round to it again (pages cycling through the list faster than they are written). */
KernelConfig slow_swap() {
    KernelConfig c = small_swap();
    c.swap = BlockDeviceConfig::symmetric(10000000, 2000);
    return c;
}

struct Timer {
    IKernelThread *thread;
    std::uint64_t at_ps;
    bool earlier;
};

/* Process 1 with @anon anonymous pages written (their pfns in @pfns), then every free page but
 * the low watermark's taken and 16 more pages written: kswapd is woken. */
std::vector<Pfn> press(KernelRig &r, unsigned anon, std::vector<Pfn> &held) {
    std::vector<Pfn> pfns;
    r.k->thread_start(1);
    r.k->mmap(1, kBase, (anon + 16) * kPageSize, false);
    for (unsigned i = 0; i < anon; ++i) {
        EXPECT_TRUE(r.touch(1, kBase + i * kPageSize, true));
        pfns.push_back(Pfn(upte::pfn(r.pte(1, kBase + i * kPageSize))));
    }
    held = r.hog(r.alloc->watermark_pages(false) + 8);
    for (unsigned i = anon; i < anon + 16; ++i) {
        EXPECT_TRUE(r.touch(1, kBase + i * kPageSize, true));
        pfns.push_back(Pfn(upte::pfn(r.pte(1, kBase + i * kPageSize))));
    }
    return pfns;
}

/* The ends of the writes of @pfns still running at @now_ps, earliest first. */
std::vector<std::uint64_t> running_writes(const KernelRig &r, const std::vector<Pfn> &pfns, std::uint64_t now_ps) {
    std::vector<std::uint64_t> ends;
    for (Pfn p : pfns)
        if (const UserPage *pg = r.k->find_user_page(p); pg && pg->writeback_end_ps > now_ps) ends.push_back(pg->writeback_end_ps);
    std::sort(ends.begin(), ends.end());
    return ends;
}

/* kswapd's passes until one does not go on (it slept or is throttled). */
void run_until_stop(Kswapd &k) {
    std::uint64_t cycles = 0;
    for (unsigned passes = 0; k.run_once(cycles); ++passes) ASSERT_LT(passes, 10000u) << "kswapd never stopped";
}

}  // namespace

/* kswapd swaps the pages out (each write started by it: PG_reclaim, not counted), then finds
 * them all under write-back (case 2: nr_writeback == nr_taken sets PGDAT_WRITEBACK), then finds
 * them again so (case 1: nr_immediate): it sleeps until the 33rd write in flight completes. A
 * wake-up meanwhile leaves it be, and kcompactd sees it not running. */
TEST(KswapdThrottle, PagesFoundAgainUnderWriteBackMakeKswapdSleepUntilThe33rdWriteCompletes) {
    KernelRig r(no_pool(), slow_swap());
    Waker w(*r.k);
    std::vector<Pfn> held;
    const std::vector<Pfn> pfns = press(r, 256, held);
    ASSERT_TRUE(r.k->kswapd().awake());
    EXPECT_FALSE(r.k->pgdat_writeback());
    run_until_stop(r.k->kswapd());
    ASSERT_TRUE(r.k->kswapd().throttled()) << "it went to sleep instead";
    EXPECT_TRUE(r.k->kswapd().awake()) << "still in its balance";
    EXPECT_FALSE(r.k->kswapd().running());
    EXPECT_TRUE(r.k->pgdat_writeback());
    EXPECT_GT(r.k->stats().kswapd_immediate, 0u);
    EXPECT_EQ(r.k->stats().kswapd_writeback_throttles, 1u);
    EXPECT_GT(r.k->stats().swap_writebacks, 33u);

    const std::uint64_t now = r.k->now_ps();
    const std::vector<std::uint64_t> ends = running_writes(r, pfns, now);
    ASSERT_GT(ends.size(), 33u);
    EXPECT_EQ(now + r.k->kswapd().sleep_timeout_ps(), ends[32]) << "more than SWAP_CLUSTER_MAX completions wake it";
    EXPECT_FALSE(r.k->kswapd().wake(0)) << "wakeup_kswapd leaves a throttled kswapd be";
    EXPECT_TRUE(r.k->kswapd().throttled());

    EXPECT_TRUE(r.k->kswapd().timed_out()) << "its timer ends the wait: balance_pgdat goes on";
    EXPECT_FALSE(r.k->kswapd().throttled());
    EXPECT_TRUE(r.k->kswapd().running());
    EXPECT_EQ(r.k->stats().kswapd_throttled_us, (ends[32] - now) / 1000000);
    r.expect_clean();
}

/* With fewer than 33 writes in flight the wait is HZ/10; writes started meanwhile (the flusher's
 * file writes, 80 us each) count too: the timer is brought forward to the 33rd completion of all
 * the writes in flight. The node balanced clears PGDAT_WRITEBACK (clear_pgdat_congested). */
TEST(KswapdThrottle, WithFewWritesInFlightKswapdWaitsHzOver10UnlessWritesStartedMeanwhileComplete) {
    KernelRig r(no_pool(), slow_swap());
    Waker w(*r.k);
    std::vector<Timer> timers;
    r.k->set_kthread_timer([&](IKernelThread &t, std::uint64_t at, bool earlier) { timers.push_back({&t, at, earlier}); });
    std::vector<Pfn> held;
    std::vector<Pfn> pfns = press(r, 8, held);
    run_until_stop(r.k->kswapd());
    ASSERT_TRUE(r.k->kswapd().throttled());
    const std::uint64_t now = r.k->now_ps();
    ASSERT_LE(running_writes(r, pfns, now).size(), 32u);
    EXPECT_EQ(r.k->kswapd().sleep_timeout_ps(), 100000000000ull) << "HZ/10";
    EXPECT_TRUE(timers.empty()) << "no write has started since";

    // The flusher writes 16 file pages (process 2 writes them with write(2)).
    r.k->thread_start(2);
    const std::uint64_t buf = kBase + 0x10000000ull;
    r.k->mmap(2, buf, kPageSize, false);
    ASSERT_TRUE(r.touch(2, buf, true));
    for (unsigned i = 0; i < 16; ++i)
        ASSERT_EQ(r.k->user_copy(2, buf, kPageSize, false, false, false, 7, i * kPageSize).error, static_cast<std::int64_t>(kPageSize));
    ASSERT_EQ(r.run_flusher(), 16u);
    std::vector<Timer> kswapd_timers; /* the others are the flusher's queue_delayed_work */
    for (const Timer &t : timers)
        if (t.thread == &r.k->kswapd()) kswapd_timers.push_back(t);
    ASSERT_FALSE(kswapd_timers.empty()) << "the writes brought the wake-up forward";
    EXPECT_TRUE(kswapd_timers.back().earlier);
    timers = kswapd_timers;
    // Every write in flight: the swap-outs and the file pages', which complete first.
    std::vector<std::uint64_t> ends = running_writes(r, pfns, now);
    std::vector<Pfn> file_pfns;
    for (unsigned i = 0; i < 16; ++i) {
        const auto pfn = r.k->page_cache_find(7, i);
        ASSERT_TRUE(pfn.has_value());
        file_pfns.push_back(*pfn);
    }
    const std::vector<std::uint64_t> file_ends = running_writes(r, file_pfns, now);
    ASSERT_EQ(file_ends.size(), 16u);
    ends.insert(ends.end(), file_ends.begin(), file_ends.end());
    std::sort(ends.begin(), ends.end());
    ASSERT_GT(ends.size(), 33u);
    EXPECT_EQ(timers.back().at_ps, ends[32]);
    EXPECT_LT(timers.back().at_ps, now + 100000000000ull);

    EXPECT_TRUE(r.k->kswapd().timed_out());
    EXPECT_EQ(r.k->stats().kswapd_throttled_us, (ends[32] - now) / 1000000);
    for (Pfn p : held) r.alloc->free_pages(p);
    run_until_stop(r.k->kswapd());
    EXPECT_FALSE(r.k->kswapd().awake()) << "balanced: asleep";
    EXPECT_FALSE(r.k->pgdat_writeback()) << "cleared as it slept balanced";
    r.expect_clean();
}

/* Direct reclaim never counts nr_immediate (case 1 is kswapd's): it marks a page it finds under
 * write-back PG_reclaim (case 2), so that the page rotates to the inactive tail when written. */
TEST(KswapdThrottle, DirectReclaimMarksAPageFoundUnderWriteBackForImmediateReclaim) {
    KernelRig r(no_pool(), small_swap());
    r.k->thread_start(1);
    r.k->thread_start(2);
    const std::uint64_t buf = kBase + 0x10000000ull;
    r.k->mmap(2, buf, kPageSize, false);
    ASSERT_TRUE(r.touch(2, buf, true));
    ASSERT_EQ(r.k->user_copy(2, buf, kPageSize, false, false, false, 7, 0).error, static_cast<std::int64_t>(kPageSize));
    ASSERT_EQ(r.run_flusher(), 1u);
    const auto pfn = r.k->page_cache_find(7, 0);
    ASSERT_TRUE(pfn.has_value());
    const UserPage *pg = r.k->find_user_page(*pfn);
    ASSERT_NE(pg, nullptr);
    ASSERT_GT(pg->writeback_end_ps, r.k->now_ps());
    EXPECT_FALSE(pg->reclaim) << "the flusher's write: not reclaim's";
    std::uint64_t cycles = 0;
    r.k->reclaim(1, cycles);
    pg = r.k->find_user_page(*pfn);
    ASSERT_NE(pg, nullptr);
    EXPECT_TRUE(pg->reclaim) << "folio_set_reclaim";
    EXPECT_EQ(r.k->stats().kswapd_immediate, 0u);
    EXPECT_FALSE(r.k->pgdat_writeback()) << "only kswapd sets it";
    r.expect_clean();
}

/* The scheduler's side: queue_delayed_work leaves a pending timer as it is, and a wake-up due
 * sooner (the throttle's, brought forward by a write) moves it earlier, never later. */
TEST(KswapdThrottle, AWakeUpDueSoonerBringsAKernelThreadsPendingTimerForward) {
    constexpr std::uint64_t kMs = 1000000000ull; /* ps */
    SchedRig r(2, "thread 1 core=0\n1 compute 1\n", SchedConfig{});
    KernelRig k(no_pool(), small_swap(0));
    Waker w(*k.k);
    r.s->add_kernel_thread(k.k->kcompactd(), 7 * kMs);
    ASSERT_EQ(r.s->next_wake(1), 507 * kMs) << "kcompactd's timed wait";
    r.s->arm_kernel_thread_timer(k.k->kcompactd(), 300 * kMs);
    EXPECT_EQ(r.s->next_wake(1), 507 * kMs) << "a timer is pending: queue_delayed_work changes nothing";
    r.s->arm_kernel_thread_timer(k.k->kcompactd(), 600 * kMs, true);
    EXPECT_EQ(r.s->next_wake(1), 507 * kMs) << "not later";
    r.s->arm_kernel_thread_timer(k.k->kcompactd(), 300 * kMs, true);
    EXPECT_EQ(r.s->next_wake(1), 300 * kMs) << "brought forward";
}

/* Case 2 across cores' clocks: a write that completed, and whose page rotated (PG_reclaim
 * cleared), in the time of a core ahead is still in flight for a core behind it (the quantum).
 * That core's reclaim finds the page under write-back without PG_reclaim: marking it again would
 * rotate it a second time when the same write completes. The unit rig's one clock is moved back
 * to play the core behind. */
TEST(KswapdThrottle, AWriteThatRotatedInALaterCoresTimeIsNotMarkedAgain) {
    KernelRig r(no_pool(), async_swap());
    r.tagged_pages(1, 2);
    r.k->lru_add_drain_cpu(0);
    r.k->pageout(1, kBase, 2 * kPageSize); /* both written by reclaim: PG_reclaim */
    const double behind = r.kmem.io_ns;   /* both writes in flight then */
    r.kmem.io_wait(1000000.0);            /* 1 ms: both complete */
    std::uint64_t cycles = 0;
    ASSERT_EQ(r.k->reclaim(1, cycles), 1u) << "both rotate to the tail; the first is freed";
    ASSERT_EQ(r.k->stats().writeback_rotations, 2u);
    ASSERT_EQ(r.k->swap_cache_pages(), 1u);
    r.kmem.io_ns = behind;
    EXPECT_EQ(r.k->reclaim(1, cycles), 1u) << "found in flight, waited for, then freed";
    EXPECT_EQ(r.k->stats().writeback_rotations, 2u) << "not rotated a second time for the same write";
    EXPECT_EQ(r.k->stats().lru_writeback_activations, 0u) << "nor activated: it stays at the inactive head";
    r.expect_clean();
}
