// Direct compaction as the allocator's slow path drives it (mm/compaction.c and
// __alloc_pages_slowpath, v6.6): the priorities (an async compaction takes sources of the
// request's migratetype only), the back-off after failures (CompactionDeferral), the free-memory
// and fragmentation tests that skip a zone (compaction_suitable, the fragmentation index), and
// the order of the slow path's attempts for costly and non-costly orders.
#include "compaction_rig.h"
#include "kernel_rig.h"

#include "mtesim/mm/compaction_deferral.h"
#include "mtesim/mm/fragmentation_score.h"

#include <gtest/gtest.h>

using namespace mtesim;
using mtesim::test::allocated_in;
using mtesim::test::checkerboard;
using mtesim::test::free_for_compaction;
using mtesim::test::KernelRig;
using mtesim::test::small_swap;
using mtesim::test::take_everything;
using mtesim::test::tight;

namespace {

using Prio = Compactor::Priority;

/* The top of @z, rounded down to a pageblock: free_for_compaction's ceiling for the whole zone. */
Pfn zone_top(const Zone &z) { return Pfn(z.end().value() & ~(kPageblockPages - 1)); }

/* The first movable pageblock of @z at or above @from. */
Pfn movable_block(Zone &z, Pfn from) {
    for (Pfn b((from.value() + kPageblockPages - 1) & ~(kPageblockPages - 1)); b + kPageblockPages <= z.end();
         b = b + kPageblockPages)
        if (z.pageblock_type(b) == MigrateType::movable) return b;
    ADD_FAILURE() << "no movable pageblock";
    return z.start();
}

/* Two candidate ranges in the lowest zone, everything else taken: a movable pageblock M whose
 * every other page holds movable data, and above it a pageblock typed unmovable holding the same
 * (U: movable pages that fell back into an unmovable pageblock). Free pages for compaction come
 * from the top of the zone (half-held pageblocks: no candidates). */
struct TwoCandidates {
    Pfn movable, unmovable;
};
TwoCandidates two_candidates(KernelRig &r) {
    take_everything(r);
    Zone &z = *r.alloc->zones().back();
    TwoCandidates c;
    c.movable = movable_block(z, z.start() + 16 * kPageblockPages);
    c.unmovable = movable_block(z, c.movable + 8 * kPageblockPages);
    checkerboard(r, z, c.movable, 1);
    checkerboard(r, z, c.unmovable, 1);
    z.set_pageblock_type(c.unmovable, MigrateType::unmovable);
    z.move_free_pages_block(c.unmovable, MigrateType::unmovable);
    free_for_compaction(r, z, zone_top(z));
    return c;
}

}  // namespace

/* defer_compaction / compaction_deferred / compaction_defer_reset, worked by hand: after the n-th
 * failure in a row, 2^n - 1 attempts are skipped and the 2^n-th goes ahead (n at most 6); a
 * success clears the count only when the allocation confirmed it; orders below the lowest failed
 * one are never deferred once a success has raised it. */
TEST(CompactionDeferral, FailuresDoubleTheAttemptsSkippedUpTo63) {
    CompactionDeferral d;
    EXPECT_FALSE(d.deferred(9)) << "no failure yet";
    d.defer(9);
    EXPECT_TRUE(d.deferred(9));
    EXPECT_FALSE(d.deferred(9)) << "the second attempt after one failure goes ahead";
    d.defer(9);
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(d.deferred(9)) << i;
    EXPECT_FALSE(d.deferred(9));
    EXPECT_FALSE(d.deferred(9)) << "and every one after it, until the next failure";
    for (int i = 0; i < 10; ++i) d.defer(9);
    EXPECT_EQ(d.defer_shift(), 6u) << "COMPACT_MAX_DEFER_SHIFT";
    int skipped = 0;
    while (d.deferred(9)) ++skipped;
    EXPECT_EQ(skipped, 63);
    d.defer(9);
    EXPECT_TRUE(d.deferred(3)) << "compact_order_failed starts at 0: every order backs off";
    d.reset(9, false);
    EXPECT_EQ(d.order_failed(), 10u) << "a success at 9: orders up to 9 go ahead";
    EXPECT_FALSE(d.deferred(9));
    EXPECT_FALSE(d.deferred(3));
    EXPECT_TRUE(d.deferred(10)) << "an unconfirmed success leaves the back-off above its order";
    d.reset(9, true);
    EXPECT_EQ(d.defer_shift(), 0u);
    EXPECT_FALSE(d.deferred(10)) << "the allocation's success clears it";
}

/* __fragmentation_index by hand: 1000 - (1000 + free_pages x 1000 / 2^order) / free_blocks. */
TEST(FragmentationScore, IndexTellsFragmentationFromLackOfMemory) {
    Zone z("test", Pfn(0), 4096);
    EXPECT_EQ(FragmentationScore::index(z, 9), 0) << "nothing free";
    z.add_free_range(Pfn(0), 4096, MigrateType::movable);
    EXPECT_EQ(FragmentationScore::index(z, 9), -1000) << "a block of the order is free";
    while (auto p = z.take_smallest(0, MigrateType::movable))
        z.mark_allocated(*p, 0, MigrateType::movable, PageMeta::State::allocated_head, 0);
    for (Pfn p(0); p < Pfn(4096); p = p + 2) z.free_block(p);
    EXPECT_EQ(FragmentationScore::index(z, 9), 1000 - (1000 + 2048 * 1000 / 512) / 2048) << "998: fragmentation";
    for (Pfn p(1); p < Pfn(4096); p = p + 2) z.free_block(p);
    EXPECT_EQ(FragmentationScore::index(z, 9), -1000);
    /* twelve order-8 blocks, no two of them buddies: 500 - 1000 / 12 = 417 */
    while (auto p = z.take_smallest(0, MigrateType::movable))
        z.mark_allocated(*p, 0, MigrateType::movable, PageMeta::State::allocated_head, 0);
    Zone big("big", Pfn(0), 12 * 512);
    big.add_free_range(Pfn(0), 12 * 512, MigrateType::movable);
    while (auto p = big.take_smallest(0, MigrateType::movable))
        big.mark_allocated(*p, 0, MigrateType::movable, PageMeta::State::allocated_head, 0);
    for (unsigned b = 0; b < 12; ++b)
        for (Pfn p(b * 512); p < Pfn(b * 512 + 256); p = p + 1) big.free_block(p);
    EXPECT_EQ(FragmentationScore::index(big, 9), 1000 - (1000 + 12 * 256 * 1000 / 512) / 12);
    EXPECT_EQ(FragmentationScore::index(big, 9), 417);
}

/* suitable_migration_source: an async direct compaction takes only pageblocks of the request's
 * migratetype (MIGRATE_MOVABLE or the pool's for a movable one), so an unmovable request frees
 * the unmovable pageblock U although the movable M lies lower; a sync_light one takes any
 * pageblock, and the migrate scanner meets M first. A reclaimable request has no pageblock of its
 * type here: nothing moves at async. */
TEST(CompactionPriority, AnAsyncDirectCompactionTakesOnlyPageblocksOfTheRequestsType) {
    struct Case {
        GfpFlags gfp;
        Prio prio;
        bool frees_movable, frees_unmovable;
    };
    const Case cases[] = {
        {kGfpKernel, Prio::async, false, true},          {kGfpKernel, Prio::sync_light, true, false},
        {kGfpHighUserMovable, Prio::async, true, false}, {kGfpReclaimable, Prio::async, false, false},
        {kGfpReclaimable, Prio::sync_light, true, false}, {kGfpReclaimable, Prio::sync_full, true, false},
    };
    for (const Case &c : cases) {
        KernelRig r(tight(), small_swap(0));
        const TwoCandidates l = two_candidates(r);
        Zone &z = *r.alloc->zones().back();
        std::uint64_t cycles = 0;
        const Compactor::Result res = r.k->compact(9, cycles, c.gfp, c.prio);
        SCOPED_TRACE(static_cast<int>(c.prio));
        EXPECT_EQ(z.block_is_free(l.movable, 9), c.frees_movable);
        EXPECT_EQ(z.block_is_free(l.unmovable, 9), c.frees_unmovable);
        const bool any = c.frees_movable || c.frees_unmovable;
        EXPECT_EQ(res, any ? Compactor::Result::success
                           : Compactor::Result::partial_skipped);
        EXPECT_EQ(r.alloc->stats().compact_pages_migrated, any ? kPageblockPages / 2 : 0u);
        EXPECT_EQ(r.alloc->stats().compact_stalls, 1u);
        EXPECT_EQ(r.alloc->stats().compact_priority[static_cast<std::size_t>(c.prio)], 1u);
        EXPECT_EQ(r.alloc->check_invariants(), "");
    }
}

/* A costly GFP_KERNEL allocation (order 9) that compaction cannot serve: one async compaction
 * before reclaim, one sync_light after it, then it fails without retrying (no
 * __GFP_RETRY_MAYFAIL). The sync_light failure defers the zone: the next allocation's async
 * attempt is skipped there (counted as a stall, as COMPACTSTALL counts COMPACT_DEFERRED), its
 * sync_light one runs and doubles the back-off. */
TEST(CompactionPriority, AFailedCostlyAllocationCompactsAsyncThenSyncLightAndDefers) {
    KernelRig r(tight(), small_swap(0));
    take_everything(r);
    Zone &z = *r.alloc->zones().back();
    free_for_compaction(r, z, zone_top(z)); /* free pages, but no candidate range */
    const std::size_t zi = r.alloc->zones().size() - 1;
    EXPECT_FALSE(r.k->kalloc(9, kGfpKernel).ok);
    const MmStats &st = r.alloc->stats();
    EXPECT_EQ(st.compact_priority[static_cast<std::size_t>(Prio::async)], 1u);
    EXPECT_EQ(st.compact_priority[static_cast<std::size_t>(Prio::sync_light)], 1u);
    EXPECT_EQ(st.compact_priority[static_cast<std::size_t>(Prio::sync_full)], 0u) << "a costly order stops at sync_light";
    EXPECT_EQ(st.compact_stalls, 2u);
    EXPECT_EQ(st.compact_fail, 2u);
    EXPECT_EQ(st.compact_deferred, 0u);
    EXPECT_EQ(r.k->compactor().deferral(zi).defer_shift(), 1u) << "only the sync_light failure defers";
    EXPECT_EQ(r.k->compactor().deferral(0).defer_shift(), 0u) << "the full zone was skipped, not deferred";
    EXPECT_FALSE(r.k->kalloc(9, kGfpKernel).ok);
    EXPECT_EQ(st.compact_deferred, 1u) << "the async attempt, deferred in the zone that failed";
    EXPECT_EQ(st.compact_stalls, 4u);
    EXPECT_EQ(r.k->compactor().deferral(zi).defer_shift(), 2u);
    EXPECT_EQ(r.alloc->check_invariants(), "");
}

/* A non-costly order (2) that compaction cannot serve, with nothing to reclaim: one async
 * compaction, then rounds of reclaim and sync_light compaction until should_reclaim_retry has
 * seen more than MAX_RECLAIM_RETRIES (16) rounds without progress: 17 of them. The priority is
 * raised only by should_compact_retry, which the slow path asks only after reclaim progressed:
 * never here. */
TEST(CompactionPriority, ANonCostlyAllocationRetriesWhileReclaimMayStillHelp) {
    KernelRig r(tight(), small_swap(0));
    take_everything(r);
    Zone &z = *r.alloc->zones().back();
    free_for_compaction(r, z, zone_top(z));
    EXPECT_FALSE(r.k->kalloc(2, kGfpKernel).ok);
    const MmStats &st = r.alloc->stats();
    EXPECT_EQ(st.compact_priority[static_cast<std::size_t>(Prio::async)], 1u);
    EXPECT_EQ(st.compact_priority[static_cast<std::size_t>(Prio::sync_light)], 17u);
    EXPECT_EQ(st.compact_priority[static_cast<std::size_t>(Prio::sync_full)], 0u);
    EXPECT_EQ(r.k->stats().direct_reclaims, 17u);
    EXPECT_GT(st.compact_deferred, 0u) << "the failures back off";
    EXPECT_EQ(r.k->stats().kalloc_round_limit, 0u);
}

/* compaction_suitable: a zone without its low watermark plus 2 << 9 free pages (counting the
 * pool's only where compaction may use them) is skipped: no stall, nothing scanned; a zone whose
 * free memory lies in order-8 blocks (fragmentation index 417, at or below
 * mm.extfrag_threshold 500) is not suitable for order 9, but is at threshold 0. */
TEST(CompactionPriority, AZoneWithoutTheFreePagesOrTheFragmentationIsSkipped) {
    {
        KernelRig r(tight(), small_swap(0));
        const TwoCandidates l = two_candidates(r);
        Zone &z = *r.alloc->zones().back();
        /* take back the free pages above the candidates: below the mark now */
        for (Pfn p = l.unmovable + kPageblockPages; p < z.end(); p = p + 1)
            if (z.take_free_block(p, 0)) z.mark_allocated(p, 0, MigrateType::unmovable, PageMeta::State::allocated_head, 0);
        ASSERT_LT(z.free_pages(), z.wmark_low + (2u << 9));
        EXPECT_EQ(r.k->compactor().suitable(z, 9), Compactor::Result::skipped);
        EXPECT_FALSE(r.k->kalloc(9, kGfpKernel).ok);
        EXPECT_EQ(r.alloc->stats().compact_stalls, 0u) << "COMPACT_SKIPPED in every zone is no stall";
        EXPECT_GE(r.alloc->stats().compact_skipped, 2u);
        EXPECT_EQ(r.alloc->stats().compact_pages_migrated, 0u);
        EXPECT_EQ(r.k->compactor().suitable(z, 2), Compactor::Result::success) << "min + 8 pages: enough";
    }
    for (unsigned threshold : {500u, 0u}) {
        MmConfig mm = tight();
        mm.extfrag_threshold = threshold;
        KernelRig r(mm, small_swap(0));
        take_everything(r);
        Zone &z = *r.alloc->zones().back();
        unsigned blocks = 0;
        for (Pfn b = movable_block(z, z.start() + 16 * kPageblockPages); z.free_pages() < z.wmark_high + (2u << 9);
             b = movable_block(z, b + kPageblockPages), ++blocks)
            for (Pfn p = b; p < b + kPageblockPages / 2; p = p + 1) r.alloc->free_pages(p);
        ASSERT_EQ(z.free_pages(), blocks * kPageblockPages / 2);
        const int index = FragmentationScore::index(z, 9);
        EXPECT_EQ(index, 500 - 1000 / static_cast<int>(blocks));
        EXPECT_EQ(r.k->compactor().suitable(z, 9),
                  threshold ? Compactor::Result::not_suitable_zone : Compactor::Result::success);
        EXPECT_EQ(r.k->compactor().suitable(z, 3), Compactor::Result::success) << "no index test for a non-costly order";
    }
}

/* compact_cached_free_pfn and compact_cached_migrate_pfn: a compaction for an order resumes where
 * the previous one left the zone's scanners, so that pages freed meanwhile above the free
 * scanner are not taken, and ranges below the migrate scanner are not looked at again, until
 * the scanners meet and both start anew. The setup, in the lowest zone: two candidates M1 < M2
 * (256 movable pages each), and from the top pageblock T1 down: 128 free pages in T1, 256 in
 * T2 and T3 (the destinations). M1's pages fill T1's and half of T2's; 16 pages of T1 are then
 * freed; M2's go to the rest of T2 and into T3, not to T1. */
TEST(CompactionPriority, ACompactionResumesWhereThePreviousOneLeftTheScanners) {
    KernelRig r(tight(), small_swap(0));
    take_everything(r);
    Zone &z = *r.alloc->zones().back();
    const std::size_t zi = r.alloc->zones().size() - 1;
    Pfn t[3];
    Pfn below = zone_top(z); /* the first candidate is the last whole pageblock below it */
    for (Pfn &b : t) {
        b = below - kPageblockPages;
        while (z.pageblock_type(b) != MigrateType::movable) b = b - kPageblockPages;
        below = b;
    }
    for (Pfn p = t[0]; p < t[0] + kPageblockPages; p = p + 4) r.alloc->free_pages(p);
    for (Pfn p = t[1]; p < t[1] + kPageblockPages; p = p + 2) r.alloc->free_pages(p);
    for (Pfn p = t[2]; p < t[2] + kPageblockPages; p = p + 2) r.alloc->free_pages(p);
    const Pfn m1 = movable_block(z, z.start() + 16 * kPageblockPages);
    const Pfn m2 = movable_block(z, m1 + 4 * kPageblockPages);
    checkerboard(r, z, m1, 1);
    checkerboard(r, z, m2, 1);
    free_for_compaction(r, z, t[2]);
    std::uint64_t cycles = 0;
    ASSERT_EQ(r.k->compact(9, cycles, kGfpKernel), Compactor::Result::success);
    EXPECT_TRUE(z.block_is_free(m1, 9));
    EXPECT_EQ(allocated_in(z, t[0], kPageblockPages), kPageblockPages) << "T1's 128 free pages first";
    EXPECT_EQ(allocated_in(z, t[1], kPageblockPages), kPageblockPages / 2 + 128);
    EXPECT_EQ(r.k->compactor().cursor(zi).free, t[1]) << "the free scanner stopped in T2";
    EXPECT_EQ(r.k->compactor().cursor(zi).migrate[1], m1) << "the ranges below M1 were passed over";
    ASSERT_TRUE(z.take_free_block(m1, 9)); /* the allocation takes the block */
    z.mark_allocated(m1, 9, MigrateType::unmovable, PageMeta::State::allocated_head, 0);
    for (Pfn p = t[0] + 1; p < t[0] + 33; p = p + 2) r.alloc->free_pages(p); /* 16 pages of T1 freed */
    const std::uint64_t scanned = r.alloc->stats().compact_migrate_scanned;
    ASSERT_EQ(r.k->compact(9, cycles, kGfpKernel), Compactor::Result::success);
    EXPECT_TRUE(z.block_is_free(m2, 9));
    EXPECT_EQ(allocated_in(z, t[0], kPageblockPages), kPageblockPages - 16) << "above the free scanner: not taken";
    EXPECT_EQ(allocated_in(z, t[1], kPageblockPages), kPageblockPages);
    EXPECT_EQ(allocated_in(z, t[2], kPageblockPages), kPageblockPages / 2 + 128);
    EXPECT_EQ(r.k->compactor().cursor(zi).free, t[2]);
    EXPECT_LE(r.alloc->stats().compact_migrate_scanned - scanned, 2 * kPageblockPages + (m2 - m1))
        << "the migrate scanner started at M1, not at the bottom of the zone";
    ASSERT_TRUE(z.take_free_block(m2, 9));
    z.mark_allocated(m2, 9, MigrateType::unmovable, PageMeta::State::allocated_head, 0);
    /* nothing more to empty: the scanners meet, and both positions start anew */
    EXPECT_EQ(r.k->compact(9, cycles, kGfpKernel), Compactor::Result::partial_skipped);
    EXPECT_EQ(r.k->compactor().cursor(zi).free, zone_top(z) - (z.end() == zone_top(z) ? kPageblockPages : 0));
    EXPECT_EQ(r.k->compactor().cursor(zi).migrate[1], z.start());
    EXPECT_EQ(r.alloc->check_invariants(), "");
}

/* compact_zone migrates every movable page its migrate scanner meets, not only those of a
 * pageblock that can become free: W (every other page movable data, 256 pages, and page 100 a
 * kernel allocation) lies below M (every other page movable data). A sync_light compaction for
 * order 9 moves W's 256 movable pages, in vain, then M's, and M is free: 512 pages migrated. An
 * async one for a movable request gives up W's chunk (a pageblock: skip_on_failure, the order
 * being above it) at the kernel page, putting back the 18 pages (65, 67, ... 99) isolated since
 * its last batch; the batch before, 32 pages (1, 3, ... 63: COMPACT_CLUSTER_MAX), was migrated
 * when it was full, as Linux's isolate_migratepages_block breaks off at 32 pages whatever comes
 * later in the chunk: 32 + 256 migrated. */
TEST(CompactionPriority, SyncCompactionMovesThePagesOfABlockThatCannotBecomeFreeAsyncGivesItUp) {
    for (const Prio prio : {Prio::sync_light, Prio::async}) {
        SCOPED_TRACE(static_cast<int>(prio));
        KernelRig r(tight(), small_swap(0));
        take_everything(r);
        Zone &z = *r.alloc->zones().back();
        const Pfn w = movable_block(z, z.start() + 16 * kPageblockPages);
        const Pfn m = movable_block(z, w + 4 * kPageblockPages);
        checkerboard(r, z, w, 1);
        checkerboard(r, z, m, 1);
        ASSERT_TRUE(z.take_free_block(w + 100, 0)); /* a free page of W becomes a kernel allocation */
        z.mark_allocated(w + 100, 0, MigrateType::unmovable, PageMeta::State::allocated_head, 0);
        free_for_compaction(r, z, zone_top(z));
        std::uint64_t cycles = 0;
        const GfpFlags gfp = prio == Prio::async ? kGfpHighUserMovable : kGfpKernel;
        EXPECT_EQ(r.k->compact(9, cycles, gfp, prio), Compactor::Result::success);
        EXPECT_TRUE(z.block_is_free(m, 9));
        const std::uint64_t cluster = Compactor::kClusterPages;
        EXPECT_EQ(allocated_in(z, w, kPageblockPages), prio == Prio::async ? kPageblockPages / 2 + 1 - cluster : 1u);
        EXPECT_EQ(r.alloc->stats().compact_pages_migrated,
                  prio == Prio::async ? kPageblockPages / 2 + cluster : kPageblockPages);
        EXPECT_EQ(r.alloc->check_invariants(), "");
    }
}

/* An async direct compaction below pageblock order gives up an order-aligned chunk at its first
 * page that cannot move, and migrates each chunk whose pages all move, then stops at the end of
 * the pageblock where a block of the order became free (compact_finished finishes the pageblock).
 * Order 2 in X, a movable pageblock otherwise held by kernel allocations: pages 0, 2, 3 movable
 * and 1 a kernel page (chunk 0 given up), 4-7 movable (chunk 1: moves, and frees an order-2
 * block), 8-11 movable (chunk 2: moves too, before the pageblock ends). */
TEST(CompactionPriority, AnAsyncCompactionBelowPageblockOrderMovesOnlyChunksThatCanBecomeFree) {
    KernelRig r(tight(), small_swap(0));
    take_everything(r);
    Zone &z = *r.alloc->zones().back();
    const Pfn x = movable_block(z, z.start() + 16 * kPageblockPages);
    for (unsigned i : {0u, 2u, 3u, 4u, 5u, 6u, 7u, 8u, 9u, 10u, 11u}) {
        r.alloc->free_pages(x + i);
        ASSERT_TRUE(z.take_free_block(x + i, 0));
        z.mark_allocated(x + i, 0, MigrateType::movable, PageMeta::State::allocated_head, 0);
    }
    free_for_compaction(r, z, zone_top(z));
    std::uint64_t cycles = 0;
    EXPECT_EQ(r.k->compact(2, cycles, kGfpHighUserMovable, Prio::async), Compactor::Result::success);
    EXPECT_EQ(r.alloc->stats().compact_pages_migrated, 8u);
    EXPECT_EQ(allocated_in(z, x, 4), 4u) << "chunk 0 stays";
    EXPECT_TRUE(z.block_is_free(x + 4, 2));
    EXPECT_TRUE(z.block_is_free(x + 8, 2));
    EXPECT_EQ(r.alloc->check_invariants(), "");
}

/* The pageblock skip bits (PB_migrate_skip). In a zone held by kernel pages, with free pages for
 * compaction near its top, a sync_light compaction for order 9 finds nothing to move: its
 * migrate scanner marks each pageblock it scans without isolating a page, from the zone's start
 * to the free scanner's pageblock (the last whole one), where they meet. With the back-off
 * cleared, the next sync_light compaction starts afresh and passes over every one of them: no
 * page looked at, each counted in mm.compact.hint_skipped. sync_full ignores the bits
 * (ignore_skip_hint) and looks at the same pages as the first. kswapd's sleep clears them
 * (reset_isolation_suitable: a direct compaction's scanners met), and sync_light scans again. */
TEST(CompactionPriority, SkipBitsKeepTheScannersOutOfPageblocksThatHadNothingUntilCleared) {
    KernelRig r(tight(), small_swap(0));
    take_everything(r);
    Zone &z = *r.alloc->zones().back();
    const std::size_t zi = r.alloc->zones().size() - 1;
    free_for_compaction(r, z, zone_top(z));
    const MmStats &st = r.alloc->stats();
    Compactor &c = r.k->compactor();
    std::uint64_t cycles = 0;
    auto run = [&](Prio prio) {
        c.deferral(zi).reset(9, true); /* the back-off would skip every other attempt */
        const std::uint64_t before = st.compact_migrate_scanned;
        EXPECT_EQ(r.k->compact(9, cycles, kGfpKernel, prio),
                  prio == Prio::sync_full ? Compactor::Result::complete : Compactor::Result::partial_skipped);
        return st.compact_migrate_scanned - before;
    };
    const Pfn first_block(z.start().value() & ~(kPageblockPages - 1));
    const Pfn last_block((z.end().value() - 1) & ~(kPageblockPages - 1));
    const std::uint64_t blocks = (last_block - first_block) / kPageblockPages;
    const std::uint64_t first = run(Prio::sync_light);
    EXPECT_EQ(first, last_block - z.start()) << "every page below the free scanner's pageblock, one by one";
    EXPECT_EQ(c.skip_hints(zi).marked(), blocks);
    EXPECT_EQ(run(Prio::sync_light), 0u);
    EXPECT_EQ(st.compact_hint_skipped, blocks);
    EXPECT_EQ(run(Prio::sync_full), first);
    c.reset_isolation_suitable();
    EXPECT_EQ(c.skip_hints(zi).marked(), 0u);
    EXPECT_EQ(run(Prio::sync_light), first);
    EXPECT_EQ(r.alloc->check_invariants(), "");
}

/* reset_isolation_suitable from kswapd_try_to_sleep: a direct compaction whose scanners met
 * leaves its skip bits with a flush request; when kswapd next goes to sleep the bits are gone. */
TEST(CompactionPriority, KswapdGoingToSleepClearsTheSkipBitsAFailedDirectCompactionLeft) {
    KernelRig r(tight(), small_swap(0));
    mtesim::test::Waker w(*r.k);
    take_everything(r);
    Zone &z = *r.alloc->zones().back();
    const std::size_t zi = r.alloc->zones().size() - 1;
    free_for_compaction(r, z, zone_top(z));
    std::uint64_t cycles = 0;
    EXPECT_EQ(r.k->compact(9, cycles, kGfpKernel, Prio::sync_light), Compactor::Result::partial_skipped);
    EXPECT_GT(r.k->compactor().skip_hints(zi).marked(), 0u);
    EXPECT_TRUE(r.k->compactor().skip_hints(zi).flush_requested());
    r.hog(0);
    r.k->kalloc(0, kGfpKernel); /* below low: kswapd is woken (the allocation's own fate does not matter here) */
    ASSERT_FALSE(w.woken.empty());
    ASSERT_EQ(w.woken.back(), &r.k->kswapd());
    EXPECT_GT(r.k->compactor().skip_hints(zi).marked(), 0u) << "kswapd has not slept yet";
    for (unsigned passes = 0; r.k->kswapd().run_once(cycles); ++passes) ASSERT_LT(passes, 1000u);
    EXPECT_EQ(r.k->compactor().skip_hints(zi).marked(), 0u);
    EXPECT_FALSE(r.k->compactor().skip_hints(zi).flush_requested());
}
