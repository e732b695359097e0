// The end of kalloc's slow path (__alloc_pages_slowpath, v6.6): when reclaim and compaction give
// up, __alloc_pages_may_oom kills the process with the largest footprint and the allocation
// retries, except for costly orders, __GFP_RETRY_MAYFAIL and __GFP_NORETRY; an OOM victim's own
// allocation may go halfway below the min watermark (ALLOC_OOM); with nothing to kill the
// allocation fails and is counted. No swap here: anonymous memory cannot be reclaimed, so
// reclaim makes no progress and only the OOM killer can free memory.
#include "compaction_rig.h"

#include <gtest/gtest.h>

using namespace mtesim;
using namespace mtesim::test;

namespace {

/* Processes 1 and 2 with @small and @large anonymous pages touched, then every page above the
 * min watermark taken by unmovable kernel blocks nobody owns. */
struct Exhausted : TwoProcesses {
    Exhausted(std::uint64_t small, std::uint64_t large) : TwoProcesses(small, large) { exhaust(); }
};

TEST(KallocOom, AFailingOrderZeroAllocationKillsTheLargestProcessAndSucceeds) {
    Exhausted e(200, 600);
    Kernel &k = *e.r.k;
    const std::uint64_t free_before = e.r.alloc->free_pages();
    const auto a = k.kalloc(0, kGfpKernel);
    ASSERT_TRUE(a.ok);
    EXPECT_EQ(k.stats().oom_kills, 1u);
    EXPECT_EQ(k.stats().oom_kalloc, 1u);
    EXPECT_EQ(k.stats().oom_no_victim, 0u);
    EXPECT_TRUE(k.alive(1));
    EXPECT_FALSE(k.alive(2)) << "process 2 holds the most pages";
    // Its 600 pages (and its page tables) came back; the allocation took one of them.
    EXPECT_GE(e.r.alloc->free_pages() + 1, free_before + 600);
    // Reclaim had nothing to free, and free plus reclaimable pages (the free ones alone) are
    // below min + 1: should_reclaim_retry gives up after the first round, should_compact_retry
    // is not asked (no progress), the OOM killer runs, and the next round's first attempt
    // succeeds before reclaiming.
    EXPECT_EQ(k.stats().direct_reclaims, 1u);
    EXPECT_EQ(e.r.alloc->check_invariants(), "");
}

TEST(KallocOom, CostlyOrdersAndRetryMayfailFailWithoutKilling) {
    Exhausted e(200, 600);
    Kernel &k = *e.r.k;
    EXPECT_FALSE(k.kalloc(4, kGfpKernel).ok) << "order 4 is costly: the OOM killer would not help";
    GfpFlags mayfail = kGfpKernel;
    mayfail.retry_mayfail = true;
    EXPECT_FALSE(k.kalloc(0, mayfail).ok);
    EXPECT_EQ(k.stats().oom_kills, 0u);
    EXPECT_TRUE(k.alive(1));
    EXPECT_TRUE(k.alive(2));
    // One round each: a costly order stops after it; the __GFP_RETRY_MAYFAIL one because
    // should_reclaim_retry sees free plus reclaimable pages below the watermark.
    EXPECT_EQ(k.stats().direct_reclaims, 2u);
}

/* Free pages in plenty but no free order-2 block and no candidate range for compaction: without
 * __GFP_NORETRY the request goes round 17 times (CompactionPriority's
 * ANonCostlyAllocationRetriesWhileReclaimMayStillHelp), with it once. */
TEST(KallocOom, NoretryStopsAfterOneRoundOfReclaimAndCompaction) {
    KernelRig r(tight(), small_swap(0));
    take_everything(r);
    Zone &z = *r.alloc->zones().back();
    free_for_compaction(r, z, Pfn(z.end().value() & ~(kPageblockPages - 1)));
    GfpFlags noretry = kGfpKernel;
    noretry.noretry = true;
    EXPECT_FALSE(r.k->kalloc(2, noretry).ok);
    EXPECT_EQ(r.k->stats().direct_reclaims, 1u);
    EXPECT_EQ(r.alloc->stats().compact_priority[static_cast<std::size_t>(Compactor::Priority::sync_light)], 1u);
    EXPECT_EQ(r.k->stats().oom_no_victim, 0u) << "noretry never calls the OOM killer";
}

TEST(KallocOom, WithNoProcessToKillTheAllocationFailsAndIsCounted) {
    KernelRig r(tight(), small_swap(0));
    take_everything(r);
    EXPECT_FALSE(r.k->kalloc(0, kGfpKernel).ok);
    EXPECT_EQ(r.k->stats().oom_no_victim, 1u);
    EXPECT_EQ(r.k->stats().oom_kills, 0u);
    EXPECT_EQ(r.k->stats().direct_reclaims, 1u);
}

TEST(KallocOom, TheAllocatingProcessCanBeTheVictim) {
    Exhausted e(200, 600);
    Kernel &k = *e.r.k;
    const auto a = k.kalloc(0, kGfpKernel, 2u);
    EXPECT_TRUE(a.ok) << "the victim's memory is back, and it may use its reserves";
    EXPECT_FALSE(k.alive(2));
    EXPECT_EQ(k.stats().oom_kalloc, 1u);
}

/* ALLOC_OOM: an allocation by an OOM victim may take pages until half of the min watermark is
 * left; the others stop at min. */
TEST(KallocOom, AnOomVictimMayTakeHalfOfTheMinReserve) {
    KernelRig r(tight(), small_swap(0));
    r.hog(0);
    EXPECT_FALSE(r.alloc->alloc_pages(0, kGfpKernel, false).ok);
    std::uint64_t half = 0;
    for (const auto &z : r.alloc->zones()) half += z->wmark_min / 2;
    GfpFlags victim = kGfpKernel;
    victim.oom_reserves = true;
    std::uint64_t taken = 0;
    while (r.alloc->alloc_pages(0, victim, false).ok) ++taken;
    EXPECT_GT(taken, 0u);
    EXPECT_LE(taken, half + r.alloc->zones().size()) << "never below half of min in any zone";
    EXPECT_GE(taken + r.alloc->zones().size(), half);
}

}  // namespace

/* A user page's allocation takes the same slow path: when reclaim frees nothing while pages it
 * could reclaim remain (here process 1's 512 anonymous pages, pinned, with swap free), it retries
 * until MAX_RECLAIM_RETRIES (16) rounds went without progress: 17 direct reclaims, then the OOM
 * killer takes process 1 and process 2's fault gets its page. (Until session 33 a fault's
 * allocation called the OOM killer after its first reclaim that freed nothing.) */
TEST(KallocOom, AFaultRetriesReclaimWhileReclaimablePagesRemainBeforeKilling) {
    KernelRig r(tight(), small_swap(1u << 16));
    r.k->thread_start(1);
    r.k->thread_start(2);
    r.k->mmap(1, kBase, 512 * kPageSize, false);
    r.k->mmap(2, kBase, 2 * kPageSize, false);
    for (std::uint64_t i = 0; i < 512; ++i) ASSERT_TRUE(r.touch(1, kBase + i * kPageSize, true));
    r.k->pin(1, kBase, 512 * kPageSize, true);
    ASSERT_TRUE(r.touch(2, kBase, true)); /* process 2's page tables exist before memory runs out */
    for (const auto &z : r.alloc->zones()) r.alloc->drain_all_pages(*z); /* no page left on a per-CPU list */
    take_everything(r);
    EXPECT_TRUE(r.touch(2, kBase + kPageSize, true));
    EXPECT_EQ(r.k->stats().direct_reclaims, 17u);
    EXPECT_EQ(r.k->stats().oom_kills, 1u);
    EXPECT_FALSE(r.k->alive(1));
    EXPECT_TRUE(r.k->alive(2));
    EXPECT_EQ(r.alloc->check_invariants(), "");
}

/* A page table a fault needs takes the same slow path (pte_alloc_one's alloc_pages): with
 * process 1's 512 anonymous pages pinned and swap free, the table's allocation reclaims 17 times
 * (MAX_RECLAIM_RETRIES rounds without progress) before the OOM killer takes process 1; the walk
 * then goes on with the page, and the user page comes from process 1's freed memory. (Until
 * session 34 a page table had its own loop, which stopped at its first reclaim that freed
 * nothing: 1 reclaim.) Process 2's touch at +4 MiB needs a new PTE table, its PMD and PUD
 * tables being there. */
TEST(KallocOom, APageTableAtAFaultTakesTheSlowPathToo) {
    KernelRig r(tight(), small_swap(1u << 16));
    r.k->thread_start(1);
    r.k->thread_start(2);
    r.k->mmap(1, kBase, 512 * kPageSize, false);
    r.k->mmap(2, kBase, (4u << 20) + kPageSize, false);
    for (std::uint64_t i = 0; i < 512; ++i) ASSERT_TRUE(r.touch(1, kBase + i * kPageSize, true));
    r.k->pin(1, kBase, 512 * kPageSize, true);
    ASSERT_TRUE(r.touch(2, kBase, true));
    for (const auto &z : r.alloc->zones()) r.alloc->drain_all_pages(*z);
    take_everything(r);
    EXPECT_TRUE(r.touch(2, kBase + (4u << 20), true));
    EXPECT_EQ(r.k->stats().direct_reclaims, 17u);
    EXPECT_EQ(r.k->stats().oom_kills, 1u);
    EXPECT_FALSE(r.k->alive(1));
    EXPECT_TRUE(r.k->alive(2));
    EXPECT_EQ(r.alloc->check_invariants(), "");
    EXPECT_EQ(r.k->check_invariants(), "");
}

/* The faulting process is the largest: its own page table's allocation kills it, and the fault
 * ends with it (its address space, the walk's, is gone: the walk must not go on). */
TEST(KallocOom, APageTableWhoseAllocationKillsItsOwnProcessEndsTheFault) {
    TwoProcesses e(200, 600);
    e.r.k->mmap(2, kBase + (8u << 20), kPageSize, false); /* a 2 MiB range without tables */
    e.exhaust();
    EXPECT_FALSE(e.r.touch(2, kBase + (8u << 20), true));
    EXPECT_FALSE(e.r.k->alive(2));
    EXPECT_TRUE(e.r.k->alive(1));
    EXPECT_EQ(e.r.k->stats().oom_kills, 1u);
    EXPECT_EQ(e.r.alloc->check_invariants(), "");
    EXPECT_EQ(e.r.k->check_invariants(), "");
}

/* With a signaller (the platform's scheduler, here a recorder) the victim's memory is freed by
 * its own exit: the allocation that killed it is told to sleep and ask again (oom_wait), and a
 * second attempt before the exit kills no one else (oom_evaluate_task's abort on a victim not
 * yet gone). Process 2's thread_exit then frees its 600 pages, and the next attempt succeeds. */
TEST(KallocOom, AVictimsMemoryComesBackWithItsExitAndTheAllocatorWaitsForIt) {
    TwoProcesses e(200, 600);
    Kernel &k = *e.r.k;
    std::vector<std::uint32_t> signalled;
    k.set_oom_signaller([&](std::uint32_t pid, std::uint64_t) { signalled.push_back(pid); });
    k.thread_start(3); /* the allocating process: its PGD needs a page before memory runs out */
    e.exhaust();
    const std::uint64_t free_before = e.r.alloc->free_pages();
    auto a = k.kalloc(0, kGfpKernel, 3u);
    EXPECT_FALSE(a.ok);
    EXPECT_TRUE(a.oom_wait);
    EXPECT_EQ(signalled, std::vector<std::uint32_t>{2});
    EXPECT_FALSE(k.alive(2));
    EXPECT_EQ(k.exiting_oom_victim(3), 2u);
    EXPECT_LE(e.r.alloc->free_pages(), free_before + 1) << "nothing freed before the victim exits";
    a = k.kalloc(0, kGfpKernel, 3u);
    EXPECT_TRUE(a.oom_wait);
    EXPECT_EQ(k.stats().oom_kills, 1u) << "no second victim while the first is exiting";
    EXPECT_EQ(k.stats().oom_waits, 2u);
    k.thread_exit(2);
    EXPECT_EQ(k.exiting_oom_victim(3), 0u);
    EXPECT_GE(e.r.alloc->free_pages(), free_before + 600);
    a = k.kalloc(0, kGfpKernel, 3u);
    EXPECT_TRUE(a.ok);
    EXPECT_FALSE(a.oom_wait);
    EXPECT_EQ(k.stats().oom_kills, 1u);
    EXPECT_EQ(e.r.alloc->check_invariants(), "");
}

/* TwoProcesses with a signaller (the victim's exit left to its threads, which never run here)
 * and process 3, whose allocation has killed process 2: process 2 is exiting. */
struct ExitingVictim : TwoProcesses {
    ExitingVictim() : TwoProcesses(200, 600) {
        r.k->set_oom_signaller([](std::uint32_t, std::uint64_t) {});
        r.k->thread_start(3); /* the allocating process: its PGD needs a page before memory runs out */
        exhaust();
        EXPECT_TRUE(r.k->kalloc(0, kGfpKernel, 3u).oom_wait);
        EXPECT_EQ(r.k->exiting_oom_victim(3), 2u);
    }
};

/* A fault cannot sleep in the model (one atomic kernel operation): its allocation frees an
 * exiting victim's memory itself (the OOM reaper's work) and goes on. */
TEST(KallocOom, AFaultFacingAnExitingVictimReapsItAndGetsItsPage) {
    ExitingVictim e;
    Kernel &k = *e.r.k;
    EXPECT_TRUE(e.r.touch(1, kBase, true)) << "a page process 1 already has";
    EXPECT_FALSE(e.r.touch(1, kBase + 300 * kPageSize, false)) << "outside its mapping";
    k.mmap(1, kBase + (1u << 20), kPageSize, false);
    EXPECT_TRUE(e.r.touch(1, kBase + (1u << 20), true));
    EXPECT_EQ(k.stats().oom_reaped, 1u);
    EXPECT_EQ(k.exiting_oom_victim(), 0u);
    EXPECT_EQ(k.stats().oom_kills, 1u);
    EXPECT_EQ(e.r.alloc->check_invariants(), "");
    EXPECT_EQ(k.check_invariants(), "");
}

/* The allocating process chosen as the victim does not wait for itself: it goes on with the
 * victim's reserves at once, and its memory comes back only with its own exit. */
TEST(KallocOom, AVictimAllocatingForItselfDoesNotWaitAndFreesItsMemoryAtExit) {
    Exhausted e(200, 600);
    Kernel &k = *e.r.k;
    k.set_oom_signaller([](std::uint32_t, std::uint64_t) {});
    const std::uint64_t free_before = e.r.alloc->free_pages();
    const auto a = k.kalloc(0, kGfpKernel, 2u);
    EXPECT_TRUE(a.ok) << "on the victim's reserves";
    EXPECT_FALSE(a.oom_wait);
    EXPECT_LT(e.r.alloc->free_pages(), free_before);
    k.thread_exit(2);
    EXPECT_GE(e.r.alloc->free_pages() + 1, free_before + 600);
}

/* The OOM killer at a fault (a pool page with nowhere to go: IFaultHost::oom_kill) while a
 * victim is still exiting chooses no one else (oom_evaluate_task's abort): it frees the exiting
 * victim's memory now, as a fault's allocation does, and reports it. */
TEST(KallocOom, TheFaultsOomKillerReapsAnExitingVictimInsteadOfKillingAnother) {
    ExitingVictim e;
    Kernel &k = *e.r.k;
    const std::uint64_t free_before = e.r.alloc->free_pages();
    std::uint64_t cycles = 0;
    EXPECT_EQ(k.oom_kill(cycles), 2u);
    EXPECT_EQ(k.stats().oom_kills, 1u);
    EXPECT_EQ(k.stats().oom_reaped, 1u);
    EXPECT_TRUE(k.alive(1));
    EXPECT_GE(e.r.alloc->free_pages(), free_before + 600);
    EXPECT_EQ(k.exiting_oom_victim(), 0u);
}
