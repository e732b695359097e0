// Proactive compaction (vm.compaction_proactiveness): the fragmentation score as Linux computes
// it (extfrag_for_order at order 9, zones weighted by size, the low and high marks), the free
// scanner (from the top of the zone down, movable pageblocks and the pool's where it takes
// data, never a free pageblock, up to the migrate scanner), a whole-zone run (pages move from
// the bottom up until the zone's score is at the low mark; pinned pages stay; tagged pages
// moved into the pool move out on their next access; kswapd running stops it), and kcompactd's
// timer (500 ms, a check, a run above the high mark, 64 intervals after a run without
// progress; no timer without a scheduler or at proactiveness 0), with tags carried by every
// migration; and direct compaction taking the pool's pageblocks for a movable request that may
// use the pool.
#include "compaction_rig.h"
#include "kernel_rig.h"
#include "sched_rig.h"

#include "mtesim/mm/compaction_free_scanner.h"
#include "mtesim/mm/fragmentation_score.h"

#include <gtest/gtest.h>

using namespace mtesim;
using mtesim::test::KernelRig;
using mtesim::test::kBase;
using mtesim::test::Waker;
using mtesim::test::small_swap;
using mtesim::test::allocated_in;
using mtesim::test::checkerboard;
using mtesim::test::free_every_other;
using mtesim::test::free_for_compaction;
using mtesim::test::pool_zone;
using mtesim::test::take_everything;
using mtesim::test::take_pool;
using mtesim::test::tight;
using mtesim::test::top_pool_blocks;

namespace {


constexpr std::uint64_t kMs = 1000000000ull; /* ps */

}  // namespace

TEST(FragmentationScore, ExtfragCountsTheFreePagesOutsideBlocksOfTheOrder) {
    Zone z("t", Pfn(0), 4096);
    z.add_free_range(Pfn(0), 4096, MigrateType::movable);
    EXPECT_EQ(FragmentationScore::zone(z), 0u) << "four free order-10 blocks";
    ASSERT_TRUE(z.take_free_block(Pfn(0), 10));
    ASSERT_TRUE(z.take_free_block(Pfn(1024), 0));
    // Free now: [1025, 2048) as blocks of order 0..9 (1023 pages, one of them the order-9 block
    // at 1536) and [2048, 4096) as two order-10 blocks: 3071 pages, 2560 in order-9 units.
    ASSERT_EQ(z.free_pages(), 3071u);
    EXPECT_EQ(FragmentationScore::extfrag(z, 9), 511u * 100 / 3071) << "16";
    EXPECT_EQ(FragmentationScore::zone(z), 16u);
    EXPECT_EQ(FragmentationScore::extfrag(z, 10), 1023u * 100 / 3071) << "33: only the order-10 blocks are whole";
    EXPECT_EQ(FragmentationScore::extfrag(z, 0), 0u);
    Zone empty("e", Pfn(4096), 1024);
    EXPECT_EQ(FragmentationScore::zone(empty), 0u) << "nothing free: 0, not a division by zero";
}

TEST(FragmentationScore, TheNodeWeighsEachZoneBySizeAndRoundsEachTermDown) {
    std::vector<std::unique_ptr<Zone>> zones;
    zones.push_back(std::make_unique<Zone>("a", Pfn(0), 4096));
    zones.push_back(std::make_unique<Zone>("b", Pfn(4096), 4096));
    zones[0]->add_free_range(Pfn(0), 4096, MigrateType::movable);
    ASSERT_TRUE(zones[0]->take_free_block(Pfn(0), 10));
    ASSERT_TRUE(zones[0]->take_free_block(Pfn(1024), 0)); /* score 16, as above */
    Zone &b = *zones[1];
    b.add_free_range(Pfn(4096), 4096, MigrateType::movable);
    for (Pfn p(4096); p < Pfn(8192); p = p + 1) {
        ASSERT_TRUE(b.take_free_block(p, 0));
        b.mark_allocated(p, 0, MigrateType::movable, PageMeta::State::allocated_head, 0);
    }
    for (Pfn p(4096); p < Pfn(8192); p = p + 2) b.free_block(p); /* 2048 lone pages: score 100 */
    ASSERT_EQ(FragmentationScore::zone(b), 100u);
    // 4096 x 16 / 8193 = 7 (7.99) and 4096 x 100 / 8193 = 49 (49.99).
    EXPECT_EQ(FragmentationScore::node(zones), 56u);
}

TEST(FragmentationScore, TheMarksFollowProactiveness) {
    EXPECT_EQ(FragmentationScore::wmark(20, true), 80u) << "the default: compact above 90, down to 80";
    EXPECT_EQ(FragmentationScore::wmark(20, false), 90u);
    EXPECT_EQ(FragmentationScore::wmark(50, true), 50u);
    EXPECT_EQ(FragmentationScore::wmark(50, false), 60u);
    EXPECT_EQ(FragmentationScore::wmark(96, true), 5u) << "never below 5";
    EXPECT_EQ(FragmentationScore::wmark(100, false), 15u);
    EXPECT_EQ(FragmentationScore::wmark(0, false), 100u) << "a score never exceeds 100";
}

TEST(CompactionFreeScanner, TakesFromTheTopDownSkippingFreeAndUnmovablePageblocksUpToTheMigrateScanner) {
    KernelRig r(tight());
    take_everything(r);
    Zone &z = *r.alloc->zones().back();
    const Pfn top(z.end().value() - kPageblockPages);
    const Pfn below = top - kPageblockPages, third = below - kPageblockPages, fourth = third - kPageblockPages;
    // The top pageblock wholly free (one order-9 block): not a target. The one below it has free
    // pages but is unmovable. The third has two free pages, the fourth one.
    for (Pfn p = top; p < top + kPageblockPages; p = p + 1) r.alloc->free_pages(p);
    r.alloc->free_pages(below + 3);
    z.set_pageblock_type(below, MigrateType::unmovable);
    r.alloc->free_pages(third + 10);
    r.alloc->free_pages(third + 7);
    r.alloc->free_pages(fourth + 100);
    CompactionFreeScanner s(*r.alloc, z);
    EXPECT_FALSE(s.met(fourth - kPageblockPages));
    EXPECT_EQ(s.take(0, fourth - kPageblockPages), third + 7) << "within a pageblock, from its first page up";
    EXPECT_EQ(s.take(0, fourth - kPageblockPages), third + 10);
    EXPECT_EQ(s.take(0, fourth), std::nullopt) << "the fourth pageblock is the migrate scanner's: the scanners met";
    EXPECT_TRUE(s.met(fourth));
    EXPECT_TRUE(z.block_is_free(top, kPageblockOrder)) << "the free pageblock was left whole";
    EXPECT_EQ(z.meta(below + 3).state(), PageMeta::State::free_head) << "the unmovable pageblock gave nothing";
    EXPECT_EQ(z.meta(fourth + 100).state(), PageMeta::State::free_head);
    EXPECT_GT(s.scanned(), 0u);
}

TEST(CompactionFreeScanner, AHigherOrderTakesTheFirstPagesOfALargeEnoughFreeBlock) {
    KernelRig r(tight());
    take_everything(r);
    Zone &z = *r.alloc->zones().back();
    const Pfn block(z.end().value() - 2 * kPageblockPages);
    r.alloc->free_pages(block + 1); /* an order-0 hole first */
    for (Pfn p = block + 64; p < block + 72; p = p + 1) r.alloc->free_pages(p); /* an order-3 block */
    CompactionFreeScanner s(*r.alloc, z);
    EXPECT_EQ(s.take(2, z.start()), block + 64) << "the order-0 hole is too small";
    EXPECT_EQ(s.take(2, z.start()), block + 68) << "the rest of the split block";
    EXPECT_EQ(z.meta(block + 1).state(), PageMeta::State::free_head);
}


/* The pool's MIGRATE_CMA pageblocks are targets as movable ones are (suitable_migration_target:
 * is_migrate_movable), where the pool takes movable data at all: not under cma_policy never, nor
 * when it is a cleancache. */
TEST(CompactionFreeScanner, ThePoolsPageblocksAreTargetsWhereThePoolTakesMovableData) {
    auto scan = [](MmConfig mm) {
        KernelRig r(mm);
        take_everything(r);
        take_pool(r);
        Zone &z = pool_zone(r);
        Pfn pool_block = z.start(), movable_block = z.start();
        for (Pfn b((z.end().value() - 1) & ~(kPageblockPages - 1)); b > z.start(); b = b - kPageblockPages) {
            if (pool_block == z.start() && z.pageblock_type(b) == MigrateType::cma) pool_block = b;
            if (z.pageblock_type(b) == MigrateType::movable) {
                movable_block = b;
                break;
            }
        }
        EXPECT_NE(pool_block, z.start());
        EXPECT_GT(pool_block, movable_block) << "the pool lies above the data";
        r.alloc->free_pages(pool_block + 5);
        r.alloc->free_pages(movable_block + 9);
        CompactionFreeScanner s(*r.alloc, z);
        return std::make_pair(s.take(0, z.start()), std::make_pair(pool_block + 5, movable_block + 9));
    };
    MmConfig mm = tight();
    mm.cma_policy = CmaPolicy::linux_balance;
    auto [took, where] = scan(mm);
    EXPECT_EQ(took, where.first) << "the pool's free page, the highest";
    mm.cma_policy = CmaPolicy::never;
    std::tie(took, where) = scan(mm);
    EXPECT_EQ(took, where.second) << "never: the pool holds no data, compaction's either";
    mm.cma_policy = CmaPolicy::linux_balance;
    mm.tag_reserve = TagReservePath::cleancache;
    std::tie(took, where) = scan(mm);
    EXPECT_EQ(took, where.second) << "a cleancache pool holds clean page-cache copies only";
}

/* compact_memory moves tagged pages into the pool's pageblocks (those its tag reservations
 * broke up): there they have no tag storage, so their tags wait in the pfn xarray behind
 * "metadata none"; the next access moves each out again and restores its tags (RFC v2:
 * try_transfer_saved_tags' page_is_tag_storage case, the fault path's migration). */
TEST(ProactiveCompaction, ATaggedPageCompactedIntoThePoolMovesOutOnItsNextAccessWithItsTags) {
    MmConfig mm = tight();
    mm.cma_policy = CmaPolicy::linux_balance;
    KernelRig r(mm, small_swap(0));
    take_everything(r);
    Zone &z = pool_zone(r);
    const Pfn first(z.start().value() + 16 * kPageblockPages);
    for (Pfn p = first; p < first + 8 * kPageblockPages; p = p + 1) r.alloc->free_pages(p);
    const std::uint64_t pages = 8 * kPageblockPages - 64;
    r.k->thread_start(1);
    ASSERT_EQ(r.k->mmap(1, kBase, pages * kPageSize, true).error, 0);
    for (std::uint64_t i = 0; i < pages; ++i) r.stg(1, kBase + i * kPageSize + 0x20, static_cast<Tag>(1 + i % 15));
    for (std::uint64_t i = 0; i < pages; i += 2) ASSERT_EQ(r.k->munmap(1, kBase + i * kPageSize, kPageSize).error, 0);
    ASSERT_EQ(r.k->compact_memory().outcome, Kernel::Outcome::ok);
    std::uint64_t in_pool = 0;
    for (std::uint64_t i = 1; i < pages; i += 2) {
        const std::uint64_t pte = r.pte(1, kBase + i * kPageSize);
        if (!r.alloc->in_pool(upte::pfn(pte))) continue;
        ++in_pool;
        EXPECT_EQ(upte::kind(pte), upte::Kind::metadata_none) << "no tag storage for a page in tag storage";
    }
    EXPECT_GT(in_pool, 0u) << "the free scanner met the pool's pageblocks first";
    EXPECT_EQ(r.alloc->stats().compact_into_pool, in_pool) << "mm.compact.into_pool";
    const std::uint64_t migrated = r.k->stats().user_pages_migrated;
    r.expect_clean();
    for (std::uint64_t i = 1; i < pages; i += 2) {
        ASSERT_TRUE(r.touch(1, kBase + i * kPageSize));
        EXPECT_FALSE(r.alloc->in_pool(upte::pfn(r.pte(1, kBase + i * kPageSize)))) << "page " << i;
        ASSERT_EQ(r.tag_at(1, kBase + i * kPageSize + 0x20), 1 + i % 15) << "page " << i;
    }
    EXPECT_EQ(r.k->stats().user_pages_migrated - migrated, in_pool) << "each moved out once, on its access";
    r.expect_clean();
}

TEST(ProactiveCompaction, AZoneRunMovesPagesUpUntilTheScoreIsAtTheLowMark) {
    KernelRig r(tight());
    take_everything(r);
    Zone &z = *r.alloc->zones().back();
    const Pfn first(z.start().value() + 64 * kPageblockPages);
    const unsigned blocks = 8;
    const std::vector<Pfn> held = checkerboard(r, z, first, blocks);
    const std::uint64_t span = blocks * kPageblockPages;
    ASSERT_EQ(FragmentationScore::zone(z), 100u) << "every free page alone";
    const std::uint64_t free_before = z.free_pages(), other_free = r.alloc->zones().front()->free_pages();
    std::uint64_t cycles = 0;
    const Compactor::ZoneRun run = r.k->compact_zone_proactive(z, 80, cycles);
    EXPECT_EQ(run.end, Compactor::ZoneEnd::score_low);
    EXPECT_LE(FragmentationScore::zone(z), 80u);
    EXPECT_GT(FragmentationScore::zone(z), 70u) << "it stops once the low mark is reached, give or take one batch";
    EXPECT_GT(run.pages_migrated, 0u);
    EXPECT_LT(run.pages_migrated, held.size()) << "not the whole region: only down to the mark";
    EXPECT_EQ(run.pages_migrated, r.alloc->stats().compact_pages_migrated);
    EXPECT_GT(run.migrate_scanned, 64u * kPageblockPages) << "from the zone's first page";
    EXPECT_GT(run.free_scanned, 0u);
    EXPECT_EQ(z.free_pages(), free_before) << "pages moved, none lost or made";
    EXPECT_EQ(r.alloc->zones().front()->free_pages(), other_free) << "compaction stays in its zone";
    EXPECT_EQ(allocated_in(z, first, span), held.size()) << "every page moved within the region, the only free memory";
    EXPECT_TRUE(z.block_is_free(first, kPageblockOrder)) << "the bottom pageblock emptied first";
    // Moved pages went up: the region's top pageblock is now full.
    EXPECT_EQ(allocated_in(z, first + span - kPageblockPages, kPageblockPages), kPageblockPages);
    EXPECT_EQ(r.alloc->check_invariants(), "");
}

TEST(ProactiveCompaction, CompactMemoryPacksAZoneUntilTheScannersMeet) {
    // Eight pageblocks, every other page allocated, the only free memory of the zone. The
    // migrate scanner empties pageblocks 0, 1, 2, 3 into the holes of 7, 6, 5, 4 (256 pages
    // each), and the scanners meet at pageblock 4: 1024 pages moved, the bottom half free.
    KernelRig r(tight());
    take_everything(r);
    Zone &z = *r.alloc->zones().back();
    const Pfn first(z.start().value() + 64 * kPageblockPages);
    const std::vector<Pfn> held = checkerboard(r, z, first, 8);
    ASSERT_EQ(held.size(), 8 * kPageblockPages / 2);
    const Kernel::Result res = r.k->compact_memory();
    EXPECT_EQ(res.outcome, Kernel::Outcome::ok);
    const KernelStats st = r.k->stats();
    EXPECT_EQ(st.compact_memory_calls, 1u);
    EXPECT_EQ(st.compact_memory_pages, 4 * kPageblockPages / 2);
    EXPECT_TRUE(z.block_is_free(first, 10));
    EXPECT_TRUE(z.block_is_free(first + 1024, 10));
    EXPECT_EQ(allocated_in(z, first + 4 * kPageblockPages, 4 * kPageblockPages), held.size());
    EXPECT_EQ(FragmentationScore::zone(z), 0u) << "all the zone's free memory in whole blocks";
    EXPECT_EQ(r.alloc->check_invariants(), "");
}

TEST(ProactiveCompaction, WritingProactivenessWakesKcompactdForACheckAtOnce) {
    KernelRig r(tight(), small_swap(0));
    Waker w(*r.k);
    Kcompactd &kd = r.k->kcompactd();
    EXPECT_FALSE(r.k->set_compaction_proactiveness(0).error);
    EXPECT_TRUE(w.woken.empty()) << "0 turns it off, no trigger";
    EXPECT_EQ(kd.sleep_timeout_ps(), 0u);
    r.k->set_compaction_proactiveness(40);
    ASSERT_EQ(w.woken.size(), 1u);
    EXPECT_EQ(w.woken[0], &kd);
    EXPECT_EQ(kd.proactiveness(), 40u);
    std::uint64_t cycles = 0;
    EXPECT_FALSE(kd.wake(2)) << "already runnable: the order is kept for the next pass";
    EXPECT_TRUE(kd.run_once(cycles)) << "the trigger's check first, then the order's work";
    EXPECT_EQ(r.k->stats().kcompactd_proactive_checks, 1u);
    EXPECT_EQ(r.k->stats().kcompactd_proactive_triggers, 1u);
    EXPECT_EQ(r.k->stats().kcompactd_runs + r.k->stats().kcompactd_skipped, 0u);
    EXPECT_FALSE(kd.run_once(cycles));
    EXPECT_EQ(r.k->stats().kcompactd_runs + r.k->stats().kcompactd_skipped, 1u) << "then the order's pass";
    EXPECT_EQ(r.k->stats().kcompactd_proactive_checks, 1u);
    EXPECT_EQ(kd.sleep_timeout_ps(), 500 * kMs);
}

TEST(ProactiveCompaction, PinnedPagesStayAndAnUnmovablePageblockIsNoDestination) {
    KernelRig r(tight());
    take_everything(r);
    Zone &z = *r.alloc->zones().back();
    const Pfn first(z.start().value() + 64 * kPageblockPages);
    const std::vector<Pfn> held = checkerboard(r, z, first, 4);
    const Pfn pinned = held[5];
    r.alloc->set_pinned(pinned, true);
    const Pfn top = first + 3 * kPageblockPages;
    z.set_pageblock_type(top, MigrateType::unmovable);
    const std::uint64_t top_free = kPageblockPages - allocated_in(z, top, kPageblockPages);
    std::uint64_t cycles = 0;
    const Compactor::ZoneRun run = r.k->compact_zone_proactive(z, 5, cycles);
    EXPECT_EQ(run.end, Compactor::ZoneEnd::scanners_met) << "a low mark of 5 is out of reach here";
    EXPECT_GT(run.pages_migrated, 0u);
    EXPECT_EQ(z.meta(pinned).state(), PageMeta::State::allocated_head) << "the pinned page did not move";
    EXPECT_FALSE(z.block_is_free(first, kPageblockOrder));
    EXPECT_EQ(kPageblockPages - allocated_in(z, top, kPageblockPages), top_free) << "nothing moved into the unmovable pageblock";
    EXPECT_EQ(r.alloc->check_invariants(), "");
}

TEST(ProactiveCompaction, KswapdRunningStopsAZoneRunBeforeItMovesAnything) {
    KernelRig r(tight());
    take_everything(r);
    Zone &z = *r.alloc->zones().back();
    checkerboard(r, z, Pfn(z.start().value() + 64 * kPageblockPages), 4);
    Waker w(*r.k); /* kswapd is only woken, not run */
    ASSERT_TRUE(r.k->kswapd().wake(0));
    std::uint64_t cycles = 0;
    const Compactor::ZoneRun run = r.k->compact_zone_proactive(z, 80, cycles);
    EXPECT_EQ(run.end, Compactor::ZoneEnd::stopped);
    EXPECT_EQ(run.pages_migrated, 0u);
}

TEST(ProactiveCompaction, KcompactdChecksEvery500MsCompactsAboveTheHighMarkAndCarriesTags) {
    KernelConfig kc = small_swap(0);
    ASSERT_EQ(kc.compaction_proactiveness, 20u) << "Linux's default";
    KernelRig r(tight(), kc);
    Kcompactd &kd = r.k->kcompactd();
    EXPECT_EQ(kd.sleep_timeout_ps(), 0u) << "no scheduler yet: no timer";
    Waker w(*r.k);
    EXPECT_EQ(kd.sleep_timeout_ps(), 500 * kMs) << "HPAGE_FRAG_CHECK_INTERVAL_MSEC";

    // A fresh board: free memory in large blocks; the check finds nothing to do.
    ASSERT_TRUE(kd.timed_out());
    EXPECT_TRUE(kd.awake());
    std::uint64_t cycles = 0;
    EXPECT_FALSE(kd.run_once(cycles));
    EXPECT_EQ(r.k->stats().kcompactd_proactive_checks, 1u);
    EXPECT_EQ(r.k->stats().kcompactd_proactive_runs, 0u);
    EXPECT_EQ(r.k->stats().kcompactd_wakeups, 0u) << "a timer expiry is no wakeup_kcompactd";

    // Tagged user pages, then every other one unmapped: all free memory is in lone pages, in
    // both zones (a zone with nothing free would weigh the node's score down).
    take_everything(r);
    std::uint64_t regions = 0;
    for (const auto &z : r.alloc->zones()) {
        const Pfn first(z->start().value() + 16 * kPageblockPages);
        for (Pfn p = first; p < first + 8 * kPageblockPages; p = p + 1) r.alloc->free_pages(p);
        regions += 8 * kPageblockPages;
    }
    const std::uint64_t pages = regions - 64;
    r.k->thread_start(1);
    ASSERT_EQ(r.k->mmap(1, kBase, pages * kPageSize, true).error, 0);
    for (std::uint64_t i = 0; i < pages; ++i) r.stg(1, kBase + i * kPageSize + 0x20, static_cast<Tag>(1 + i % 15));
    for (std::uint64_t i = 0; i < pages; i += 2) ASSERT_EQ(r.k->munmap(1, kBase + i * kPageSize, kPageSize).error, 0);
    take_pool(r); /* after the tag reservations, which came from it */
    // The allocations went below low and woke kswapd; the unmapping has balanced the node since.
    ASSERT_TRUE(r.k->kswapd().awake());
    while (r.k->kswapd().run_once(cycles)) {
    }
    ASSERT_EQ(r.k->stats().kswapd_reclaimed, 0u);
    const unsigned before = FragmentationScore::node(r.alloc->zones());
    ASSERT_GT(before, 90u);

    ASSERT_TRUE(kd.timed_out());
    EXPECT_FALSE(kd.run_once(cycles));
    KernelStats st = r.k->stats();
    EXPECT_EQ(st.kcompactd_proactive_checks, 2u);
    EXPECT_EQ(st.kcompactd_proactive_runs, 1u);
    EXPECT_EQ(st.kcompactd_proactive_score_low, 2u) << "each zone down to the low mark";
    EXPECT_LE(FragmentationScore::node(r.alloc->zones()), 80u);
    EXPECT_GT(st.kcompactd_proactive_pages_migrated, 0u);
    EXPECT_EQ(st.kcompactd_proactive_deferred, 0u);
    EXPECT_EQ(kd.sleep_timeout_ps(), 500 * kMs);
    EXPECT_GT(r.alloc->stats().tagged_pages_migrated, 0u);
    r.expect_clean();
    for (std::uint64_t i = 1; i < pages; i += 2) {
        ASSERT_TRUE(r.touch(1, kBase + i * kPageSize)); /* restores tags parked in the xarray */
        ASSERT_EQ(r.tag_at(1, kBase + i * kPageSize + 0x20), 1 + i % 15) << "page " << i;
    }
    r.expect_clean();

    // The next check finds the score below the high mark.
    ASSERT_TRUE(kd.timed_out());
    kd.run_once(cycles);
    EXPECT_EQ(r.k->stats().kcompactd_proactive_checks, 3u);
    EXPECT_EQ(r.k->stats().kcompactd_proactive_runs, 1u);
}

TEST(ProactiveCompaction, ARunWithoutProgressDefersTheNextCheckAndKswapdRunningSkipsIt) {
    KernelRig r(tight(), small_swap(0));
    Waker w(*r.k);
    Kcompactd &kd = r.k->kcompactd();
    take_everything(r);
    std::vector<Pfn> held;
    for (const auto &z : r.alloc->zones()) {
        const std::vector<Pfn> h = checkerboard(r, *z, Pfn(z->start().value() + 16 * kPageblockPages), 4);
        held.insert(held.end(), h.begin(), h.end());
    }
    for (Pfn p : held) r.alloc->set_pinned(p, true); /* nothing can move */
    take_pool(r);
    ASSERT_GT(FragmentationScore::node(r.alloc->zones()), 90u);

    ASSERT_TRUE(r.k->kswapd().wake(0));
    ASSERT_TRUE(kd.timed_out());
    std::uint64_t cycles = 0;
    kd.run_once(cycles);
    EXPECT_EQ(r.k->stats().kcompactd_proactive_checks, 1u);
    EXPECT_EQ(r.k->stats().kcompactd_proactive_runs, 0u) << "kswapd is running";
    r.k->kswapd().run_once(cycles);
    while (r.k->kswapd().run_once(cycles)) {
    }
    ASSERT_FALSE(r.k->kswapd().awake());

    ASSERT_TRUE(kd.timed_out());
    kd.run_once(cycles);
    EXPECT_EQ(r.k->stats().kcompactd_proactive_runs, 1u);
    EXPECT_EQ(r.k->stats().kcompactd_proactive_pages_migrated, 0u);
    EXPECT_EQ(r.k->stats().kcompactd_proactive_deferred, 1u);
    EXPECT_EQ(kd.sleep_timeout_ps(), 500 * kMs << 6) << "COMPACT_MAX_DEFER_SHIFT";

    // A wake-up for an order: kcompactd_do_work, and the default timeout again.
    ASSERT_TRUE(kd.wake(3));
    kd.run_once(cycles);
    EXPECT_EQ(r.k->stats().kcompactd_proactive_checks, 2u) << "work requested: no proactive check";
    EXPECT_EQ(kd.sleep_timeout_ps(), 500 * kMs);
}

TEST(ProactiveCompaction, ProactivenessZeroMeansNoTimer) {
    KernelConfig kc = small_swap(0);
    kc.compaction_proactiveness = 0;
    KernelRig r(tight(), kc);
    Waker w(*r.k);
    EXPECT_EQ(r.k->kcompactd().sleep_timeout_ps(), 0u);
    EXPECT_FALSE(r.k->kcompactd().timed_out());
}

TEST(ProactiveCompaction, AKernelThreadAddedWithATimeArmsItsTimer) {
    SchedRig r(2, "thread 1 core=0\n1 compute 1\n", SchedConfig{});
    KernelRig k(tight(), small_swap(0));
    Waker w(*k.k);
    r.s->add_kernel_thread(k.k->kcompactd(), 7 * kMs);
    EXPECT_EQ(r.s->next_wake(1), 507 * kMs) << "kcompactd enters its timed wait as it starts";
    r.s->add_kernel_thread(k.k->kswapd(), 7 * kMs);
    EXPECT_EQ(r.s->next_wake(1), 507 * kMs) << "kswapd's first sleep is untimed";
}


/* Direct compaction for a movable request that may take the pool (ALLOC_CMA) takes pages from the
 * pool's MIGRATE_CMA pageblocks (suitable_migration_source: is_migrate_movable for a movable
 * request) and is done once a block of the order is free there (compact_finished:
 * "MIGRATE_MOVABLE can fallback on MIGRATE_CMA"); the allocation then takes it. The setup: every
 * page outside the pool unmovable; the pool unmovable but for its lowest pageblock, whose every
 * other page holds movable data, and half the pages of its highest two, free (the destinations,
 * which the free scanner finds from the top). Only that lowest pool pageblock can become free.
 * A request that may not take the pool gets nothing from it, but its sync compaction moves the
 * pool's pages all the same (suitable_migration_source takes every pageblock in sync mode). */
TEST(DirectCompaction, AMovableRequestThatMayTakeThePoolCompactsThePoolsPageblocks) {
    struct Out {
        bool ok = false, in_pool = false;
        std::uint64_t success = 0, success_pool = 0, migrated = 0;
    };
    auto run = [](MmConfig mm, GfpFlags gfp) {
        KernelRig r(mm, small_swap(0));
        take_everything(r);
        take_pool(r);
        Zone &z = pool_zone(r);
        Pfn pool_block = z.end();
        for (Pfn b((z.start().value() + kPageblockPages - 1) & ~(kPageblockPages - 1)); pool_block == z.end() && b < z.end();
             b = b + kPageblockPages)
            if (z.pageblock_type(b) == MigrateType::cma) pool_block = b;
        EXPECT_NE(pool_block, z.end());
        EXPECT_EQ(checkerboard(r, z, pool_block, 1).size(), kPageblockPages / 2);
        const auto [dest_low, dest_high] = top_pool_blocks(z);
        free_every_other(r, dest_low);
        free_every_other(r, dest_high);
        free_for_compaction(r, z, pool_block);
        const auto a = r.k->kalloc(9, gfp);
        Out o;
        o.ok = a.ok;
        o.in_pool = a.ok && r.alloc->in_pool(a.pfn);
        o.success = r.alloc->stats().compact_success;
        o.success_pool = r.alloc->stats().compact_success_pool;
        o.migrated = r.alloc->stats().compact_pages_migrated;
        if (a.ok) {
            EXPECT_EQ(a.pfn, pool_block) << "the pageblock compaction freed";
        }
        EXPECT_EQ(allocated_in(z, dest_high, kPageblockPages), kPageblockPages / 2 + o.migrated)
            << "the pool's data moved into the free pages the free scanner met first, at the top";
        EXPECT_EQ(r.alloc->stats().compact_into_pool, o.migrated);
        r.expect_clean();
        return o;
    };
    MmConfig mm = tight();
    mm.cma_policy = CmaPolicy::linux_balance;
    Out o = run(mm, kGfpHighUserMovable);
    EXPECT_TRUE(o.ok);
    EXPECT_TRUE(o.in_pool);
    EXPECT_EQ(o.success, 1u);
    EXPECT_EQ(o.success_pool, 1u) << "mm.compact.success_pool";
    EXPECT_EQ(o.migrated, kPageblockPages / 2);
    for (GfpFlags gfp : {kGfpKernel, kGfpHighUserMovableTagged}) {
        o = run(mm, gfp);
        EXPECT_FALSE(o.ok) << "a request that may not take the pool: a free block there does not serve it";
        EXPECT_EQ(o.success_pool, 0u);
        EXPECT_EQ(o.migrated, kPageblockPages / 2) << "sync_light moved the pool block's pages in vain";
    }
    mm.cma_policy = CmaPolicy::never;
    o = run(mm, kGfpHighUserMovable);
    EXPECT_FALSE(o.ok) << "never: no request takes the pool";
    EXPECT_EQ(o.migrated, 0u);
}

/* The free scanner of a compaction for an order (direct, or kcompactd's) takes its destinations
 * from the top of the zone down, from movable pageblocks and, where the pool takes movable data,
 * from the pool's (suitable_migration_target: is_migrate_movable, for any request): on this board
 * the pool is the top of its zone, so the pool's free pages are taken first. The setup: every
 * page unmovable but for the zone's lowest movable pageblock, every other page of it movable
 * data (the only candidate range), and half the pages of the highest movable pageblock and of
 * the pool's highest pageblock, free (and of the movable pageblock below, which the scanner
 * does not reach). An unmovable order-9 request gets the candidate. mm.compaction_into_pool
 * false (a what-if kernel) keeps the free scanner out of the pool. */
TEST(DirectCompaction, DestinationsComeFromTheTopOfTheZoneThePoolFirst) {
    auto run = [](MmConfig mm, std::uint64_t &into_pool, std::uint64_t &into_movable) {
        KernelRig r(mm, small_swap(0));
        take_everything(r);
        take_pool(r);
        Zone &z = pool_zone(r);
        Pfn low = z.end(), below_high = z.end(), high = z.end();
        for (Pfn b((z.start().value() + kPageblockPages - 1) & ~(kPageblockPages - 1)); b + kPageblockPages <= z.end();
             b = b + kPageblockPages)
            if (z.pageblock_type(b) == MigrateType::movable) {
                if (low == z.end()) low = b;
                below_high = high;
                high = b;
            }
        ASSERT_LT(low, below_high);
        EXPECT_EQ(checkerboard(r, z, low, 1).size(), kPageblockPages / 2);
        const Pfn pool_top = top_pool_blocks(z).second;
        ASSERT_GT(pool_top, high) << "the pool lies above the data";
        free_every_other(r, high);
        free_every_other(r, pool_top);
        /* free pages below the scanner's reach: the order-9 request's watermark, which counts no
         * pool pages for an unmovable request, holds once the candidate is free */
        free_every_other(r, below_high);
        free_for_compaction(r, z, below_high);
        const std::uint64_t before_pool = allocated_in(z, pool_top, kPageblockPages);
        const std::uint64_t before_movable = allocated_in(z, high, kPageblockPages);
        const auto a = r.k->kalloc(9, kGfpKernel);
        ASSERT_TRUE(a.ok);
        EXPECT_EQ(a.pfn, low) << "the range compaction freed";
        EXPECT_EQ(r.alloc->stats().compact_pages_migrated, kPageblockPages / 2);
        into_pool = allocated_in(z, pool_top, kPageblockPages) - before_pool;
        into_movable = allocated_in(z, high, kPageblockPages) - before_movable;
        EXPECT_EQ(r.alloc->stats().compact_into_pool, into_pool) << "mm.compact.into_pool";
        r.expect_clean();
    };
    MmConfig mm = tight();
    mm.cma_policy = CmaPolicy::linux_balance;
    std::uint64_t into_pool = 0, into_movable = 0;
    run(mm, into_pool, into_movable);
    EXPECT_EQ(into_pool, kPageblockPages / 2) << "the pool's free pages, the highest, first";
    EXPECT_EQ(into_movable, 0u);
    mm.compaction_into_pool = false;
    run(mm, into_pool, into_movable);
    EXPECT_EQ(into_pool, 0u) << "mm.compaction_into_pool false: the free scanner passes over the pool";
    EXPECT_EQ(into_movable, kPageblockPages / 2);
    mm.compaction_into_pool = true;
    mm.cma_policy = CmaPolicy::never;
    run(mm, into_pool, into_movable);
    EXPECT_EQ(into_pool, 0u) << "never: the pool holds no data, compaction's either";
    EXPECT_EQ(into_movable, kPageblockPages / 2);
}
