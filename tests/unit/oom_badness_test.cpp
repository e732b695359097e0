// The OOM killer's choice (v6.6 oom_badness, oom_evaluate_task): resident anonymous, swapped and
// page-table pages plus /proc/PID/oom_score_adj times a thousandth of managed and swap pages;
// -1000 protects a process; of equal scores the process met last (the higher pid here) is
// taken; a process scoring 0 or less is still taken when it is the best there is. Expectations
// are worked out from the pages each test touches. No swap: only the OOM killer frees memory.
#include "compaction_rig.h"

#include <gtest/gtest.h>

using namespace mtesim;
using namespace mtesim::test;

namespace {

/* a thousandth of totalpages: managed pages, no swap */
std::int64_t unit(const TwoProcesses &e) { return static_cast<std::int64_t>(e.r.alloc->managed_pages() / 1000); }

TEST(OomBadness, IsResidentPagesPlusTablesPlusTheScaledAdjustment) {
    TwoProcesses e(200, 600);
    Kernel &k = *e.r.k;
    // mm_pgtables_bytes leaves out the PGD. 200 pages from kBase (2 MiB aligned) need one table
    // at each of levels 1-3; 600 pages (2.34 MiB) need a second PTE table.
    ASSERT_EQ(kBase % (2u << 20), 0u);
    EXPECT_EQ(k.oom_badness(1), std::optional<std::int64_t>(200 + 3));
    EXPECT_EQ(k.oom_badness(2), std::optional<std::int64_t>(600 + 4));
    ASSERT_GT(unit(e), 0);
    EXPECT_EQ(k.set_oom_score_adj(2, -250).outcome, KernelOutcome::ok);
    EXPECT_EQ(k.oom_badness(2), std::optional<std::int64_t>(604 - 250 * unit(e)));
    k.set_oom_score_adj(2, kOomScoreAdjMin);
    EXPECT_EQ(k.oom_badness(2), std::nullopt) << "-1000: never a victim";
    EXPECT_EQ(k.oom_badness(3), std::nullopt) << "no such process";
}

TEST(OomBadness, MinusOneThousandProtectsTheLargestProcess) {
    TwoProcesses e(200, 600);
    Kernel &k = *e.r.k;
    k.set_oom_score_adj(2, kOomScoreAdjMin);
    e.exhaust();
    EXPECT_TRUE(k.kalloc(0, kGfpKernel).ok);
    EXPECT_EQ(k.stats().oom_kills, 1u);
    EXPECT_FALSE(k.alive(1)) << "the only process the OOM killer may take";
    EXPECT_TRUE(k.alive(2));
}

/* Process 2 scores 604 + adj * unit, process 1 203: with the largest adj that still leaves
 * process 2 at or above 203, process 2 is the victim (a tie goes to the later); one lower, it is
 * process 1. */
TEST(OomBadness, TheAdjustmentMovesTheChoiceAtTheExpectedValue) {
    for (int lower = 0; lower < 2; ++lower) {
        TwoProcesses e(200, 600);
        Kernel &k = *e.r.k;
        const std::int64_t u = unit(e);
        ASSERT_GT(u, 0);
        ASSERT_LT(401 / u, 1000) << "the boundary lies inside the range";
        const std::int32_t adj = static_cast<std::int32_t>(-(401 / u)) - lower;
        k.set_oom_score_adj(2, adj);
        e.exhaust();
        EXPECT_TRUE(k.kalloc(0, kGfpKernel).ok);
        EXPECT_EQ(k.alive(2), lower == 1) << "adj " << adj << ", unit " << u;
        EXPECT_EQ(k.alive(1), lower == 0) << "adj " << adj << ", unit " << u;
    }
}

TEST(OomBadness, OfEqualScoresTheLaterProcessIsTaken) {
    TwoProcesses e(300, 300);
    Kernel &k = *e.r.k;
    ASSERT_EQ(k.oom_badness(1), k.oom_badness(2));
    e.exhaust();
    EXPECT_TRUE(k.kalloc(0, kGfpKernel).ok);
    EXPECT_TRUE(k.alive(1));
    EXPECT_FALSE(k.alive(2));
}

/* A process with no page of its own (score 0) is still killed when it is the only candidate:
 * oom_evaluate_task takes any score above LONG_MIN. Here it is the allocating process, which
 * then allocates from the victim's reserves (ALLOC_OOM). */
TEST(OomBadness, AProcessWithNothingResidentIsStillACandidate) {
    KernelRig r(tight(), small_swap(0));
    r.k->thread_start(1);
    EXPECT_EQ(r.k->oom_badness(1), std::optional<std::int64_t>(0));
    r.hog(0); /* down to the min watermark: the victim's reserves lie below it */
    EXPECT_TRUE(r.k->kalloc(0, kGfpKernel, 1u).ok);
    EXPECT_EQ(r.k->stats().oom_kills, 1u);
    EXPECT_EQ(r.k->stats().oom_no_victim, 0u);
    EXPECT_FALSE(r.k->alive(1));
}

TEST(OomBadness, AForkedChildInheritsTheAdjustment) {
    TwoProcesses e(10, 20);
    Kernel &k = *e.r.k;
    k.set_oom_score_adj(1, kOomScoreAdjMin);
    ASSERT_EQ(k.fork(1, 5).outcome, KernelOutcome::ok);
    EXPECT_EQ(k.oom_badness(5), std::nullopt) << "copy_signal copies oom_score_adj";
    k.set_oom_score_adj(2, 1000);
    ASSERT_EQ(k.fork(2, 6).outcome, KernelOutcome::ok);
    EXPECT_GE(*k.oom_badness(6), 1000 * unit(e));
}

}  // namespace

/* get_mm_rss counts file and shmem pages a process maps (MM_FILEPAGES, MM_SHMEMPAGES), once per
 * PTE: process 1 maps 300 pages of a file and 20 of a shared anonymous object, process 2 has 200
 * anonymous pages. Each has its tables at levels 1-3 below kBase (one PTE table: 320 and 200
 * pages fit in 2 MiB; the shared object lies 2 MiB higher and needs a second PTE table). The
 * OOM killer takes process 1, which before 2026-12-06 scored its tables only. */
TEST(OomBadness, FileAndShmemPagesAProcessMapsCount) {
    KernelRig r({}, small_swap(0));
    Kernel &k = *r.k;
    k.thread_start(1);
    k.thread_start(2);
    k.mmap(1, kBase, 300 * kPageSize, false, true, 7, 0);
    k.mmap_shared(1, kBase + (2u << 20), 20 * kPageSize, false, 0);
    k.mmap(2, kBase, 200 * kPageSize, false);
    for (std::uint64_t i = 0; i < 300; ++i) ASSERT_TRUE(r.touch(1, kBase + i * kPageSize));
    for (std::uint64_t i = 0; i < 20; ++i) ASSERT_TRUE(r.touch(1, kBase + (2u << 20) + i * kPageSize, true));
    for (std::uint64_t i = 0; i < 200; ++i) ASSERT_TRUE(r.touch(2, kBase + i * kPageSize, true));
    EXPECT_EQ(k.oom_badness(1), std::optional<std::int64_t>(300 + 20 + 4));
    EXPECT_EQ(k.oom_badness(2), std::optional<std::int64_t>(200 + 3));
    std::uint64_t cycles = 0;
    EXPECT_EQ(k.oom_kill(cycles), 1u);
    EXPECT_FALSE(k.alive(1));
    EXPECT_TRUE(k.alive(2));
    EXPECT_EQ(k.check_invariants(), "");
}
