// The kernel model (issue "Kernel memory model, part 2"): demand faults, the PROT_MTE lazy
// fault, swap-out and swap-in of tagged pages, swap-in into a page without tag storage and the
// later restore, migration and compaction carrying tags, a pinned page blocking a reservation,
// munmap/exit freeing pages and tables, SIGSEGV and the OOM killer. The shadow tag checker
// runs in every test and must see no tag lost or misplaced.
#include "mtesim/dt/board_loader.h"
#include "mtesim/kernel/kernel.h"
#include "mtesim/kernel/shadow_tag_checker.h"
#include "mtesim/kernel/user_pte.h"
#include "kernel_rig.h"

#include <gtest/gtest.h>

#include <cerrno>

#include <memory>
#include <vector>

using namespace mtesim;

using test::KernelRig;
using test::kBase;
using test::small_swap;
using Rig = KernelRig;

TEST(Kernel, DemandFaultAllocatesZeroesAndMapsThePage) {
    Rig r;
    r.k->thread_start(1);
    r.k->mmap(1, kBase, 1 << 20, false);
    EXPECT_EQ(r.kind(1, kBase + 0x5000), upte::Kind::none);
    const std::uint64_t free_before = r.alloc->free_pages(), zeroes_before = r.kmem.zeroes;
    ASSERT_TRUE(r.touch(1, kBase + 0x5008, true));
    const std::uint64_t p = r.pte(1, kBase + 0x5000);
    EXPECT_EQ(upte::kind(p), upte::Kind::present);
    EXPECT_FALSE(upte::tagged(p));
    EXPECT_EQ(r.k->stats().faults_anon, 1u);
    EXPECT_EQ(r.kmem.zeroes - zeroes_before, 1u + 3u) << "the page and the three new tables below the root";
    EXPECT_EQ(r.k->stats().page_tables_allocated, 4u) << "levels 0-3, the root at process creation";
    EXPECT_EQ(free_before - r.alloc->free_pages(), 4u) << "one data page, three tables";
    ASSERT_TRUE(r.touch(1, kBase + 0x5010));
    EXPECT_EQ(r.k->stats().faults_anon, 1u) << "a present page does not fault again";
    r.expect_clean();
}

TEST(Kernel, TaggedDemandFaultClearsTagsAndReservesStorage) {
    Rig r;
    r.k->thread_start(1);
    r.k->mmap(1, kBase, 1 << 20, true);
    ASSERT_TRUE(r.touch(1, kBase));
    const std::uint64_t p = r.pte(1, kBase);
    EXPECT_TRUE(upte::tagged(p));
    EXPECT_EQ(r.alloc->stats().reserve_fast, 1u);
    EXPECT_EQ(r.k->stats().tags_cleared, 1u);
    EXPECT_EQ(r.kmem.tag_writes, 1u);
    r.stg(1, kBase + 0x40, 0x9);
    EXPECT_EQ(r.tag_at(1, kBase + 0x40), 0x9);
    EXPECT_EQ(r.tag_at(1, kBase + 0x50), 0x0);
    r.expect_clean();
}

TEST(Kernel, AccessOutsideEveryVmaIsSegvMaperr) {
    Rig r;
    r.k->thread_start(1);
    r.k->mmap(1, kBase, 0x2000, false);
    EXPECT_EQ(r.k->handle_fault(1, kBase + 0x2000, false).outcome, Kernel::Outcome::segv_maperr);
    EXPECT_EQ(r.k->stats().segv_maperr, 1u);
    EXPECT_TRUE(r.k->alive(1)) << "a SIGSEGV is the thread's business, the process lives";
}

TEST(Kernel, MprotectMteMakesPopulatedPagesFaultAndTheFaultReservesAndClears) {
    Rig r;
    r.k->thread_start(1);
    r.k->mmap(1, kBase, 0x4000, false);
    for (std::uint64_t i = 0; i < 4; ++i) ASSERT_TRUE(r.touch(1, kBase + i * kPageSize, true));
    EXPECT_EQ(r.alloc->stats().reserve_fast, 0u);
    r.k->mprotect(1, kBase, 0x4000, true);
    EXPECT_EQ(r.k->stats().mprotect_mte_pages, 4u);
    for (std::uint64_t i = 0; i < 4; ++i) EXPECT_EQ(r.kind(1, kBase + i * kPageSize), upte::Kind::metadata_none);
    EXPECT_EQ(r.tlb.pages, 4u) << "the old Normal translations are shot down";
    ASSERT_TRUE(r.touch(1, kBase + kPageSize));
    EXPECT_EQ(r.k->stats().faults_mte_lazy, 1u);
    EXPECT_TRUE(upte::tagged(r.pte(1, kBase + kPageSize)));
    EXPECT_GE(r.alloc->stats().reserve_fast + r.alloc->stats().reserve_slow, 1u);
    EXPECT_EQ(r.kind(1, kBase), upte::Kind::metadata_none) << "only the page touched was reserved";
    r.stg(1, kBase + kPageSize + 0x100, 5);
    // mprotect without PROT_MTE cannot clear VM_MTE on arm64 (VM_ARCH_CLEAR is VM_ARM64_BTI):
    // the mapping stays Normal-Tagged, checking stays on, the tags and their storage are kept.
    const std::uint64_t reserved = r.alloc->pool_pages_holding_tags();
    const std::uint64_t before = r.pte(1, kBase + kPageSize), shootdowns = r.tlb.pages;
    EXPECT_EQ(r.k->mprotect(1, kBase, 0x4000, false).error, 0);
    EXPECT_TRUE(upte::tagged(r.pte(1, kBase + kPageSize)));
    EXPECT_EQ(r.pte(1, kBase + kPageSize), before);
    EXPECT_EQ(r.tlb.pages, shootdowns) << "nothing to shoot down";
    EXPECT_EQ(r.alloc->pool_pages_holding_tags(), reserved);
    // Re-adding PROT_MTE is a no-op: the pages not touched yet stay "metadata none".
    EXPECT_EQ(r.k->mprotect(1, kBase, 0x4000, true).error, 0);
    EXPECT_EQ(r.pte(1, kBase + kPageSize), before);
    EXPECT_EQ(r.k->stats().mprotect_mte_pages, 4u);
    ASSERT_TRUE(r.touch(1, kBase + kPageSize));
    EXPECT_EQ(r.tag_at(1, kBase + kPageSize + 0x100), 5);
    r.expect_clean();
    r.k->munmap(1, kBase, 0x4000);
    EXPECT_EQ(r.alloc->pool_pages_holding_tags(), 0u) << "freeing the pages released their tag blocks";
    r.expect_clean();
}

TEST(Kernel, SwapOutAndInOfATaggedPageKeepsItsTags) {
    Rig r;
    r.k->thread_start(1);
    r.k->mmap(1, kBase, 0x10000, true);
    ASSERT_TRUE(r.touch(1, kBase + 0x3000));
    r.tag_page(1, kBase + 0x3000, 3);
    const Pfn old = upte::pfn(r.pte(1, kBase + 0x3000));
    r.k->pageout(1, kBase, 0x10000);
    EXPECT_EQ(r.kind(1, kBase + 0x3000), upte::Kind::swap);
    EXPECT_TRUE(r.pte(1, kBase + 0x3000) & upte::kSwapTagged);
    EXPECT_EQ(r.k->stats().swap_outs, 1u);
    EXPECT_EQ(r.k->stats().tags_saved_swap, 1u);
    EXPECT_EQ(r.k->swap_tags().entries(), 1u);
    EXPECT_EQ(r.k->swap_tags().kernel_bytes(), 128u + 576u);
    EXPECT_FALSE(r.alloc->is_allocated_head(old));
    EXPECT_EQ(r.alloc->pool_pages_holding_tags(), 0u);
    r.expect_clean();
    ASSERT_TRUE(r.touch(1, kBase + 0x3000));
    EXPECT_EQ(r.k->stats().swap_ins, 1u);
    EXPECT_EQ(r.k->stats().tags_restored_swap, 1u);
    EXPECT_EQ(r.k->swap_tags().entries(), 0u);
    EXPECT_EQ(r.k->swap_slots().used(), 0u);
    EXPECT_GT(r.kmem.io_ns, 0.0);
    r.expect_pattern(1, kBase + 0x3000, 3);
    r.expect_clean();
}

/* Every free page of the allocator taken as an order-0 movable block, watermarks ignored
 * (straight from the zones), so that no high-order block is left. */
static std::vector<Pfn> take_every_page(Rig &r) {
    std::vector<Pfn> all;
    for (const auto &z : r.alloc->zones())
        for (MigrateType t : {MigrateType::movable, MigrateType::unmovable, MigrateType::reclaimable, MigrateType::cma,
                              MigrateType::highatomic})
            while (auto p = z->take_smallest(0, t)) {
                z->mark_allocated(*p, 0, MigrateType::movable, PageMeta::State::allocated_head, 0);
                all.push_back(*p);
            }
    return all;
}

/* The pool's 31744 pages filled with pinned movable blocks (cma-first): no tag block can be
 * freed for a reservation until they are unpinned. */
static std::vector<Pfn> fill_pool_pinned(Rig &r) {
    std::vector<Pfn> blocks;
    while (r.alloc->free_pages(MigrateType::cma) >= 1024) {
        auto a = r.alloc->alloc_pages(10, kGfpHighUserMovable);
        if (!a.ok) break;
        r.alloc->set_pinned(a.pfn, true);
        blocks.push_back(a.pfn);
    }
    return blocks;
}

TEST(Kernel, SwapInWithoutTagStorageParksTagsUntilAReservationRestoresThem) {
    MmConfig mm;
    mm.cma_policy = CmaPolicy::cma_first;
    Rig r(mm);
    r.k->thread_start(1);
    r.k->mmap(1, kBase, 0x10000, true);
    ASSERT_TRUE(r.touch(1, kBase));
    r.tag_page(1, kBase, 11);
    r.k->pageout(1, kBase, kPageSize);
    const auto blocks = fill_pool_pinned(r);
    ASSERT_GE(blocks.size(), 30u);
    // Swap-in: the new page's tag block holds pinned data, so the tags go to the pfn xarray.
    EXPECT_EQ(r.k->handle_fault(1, kBase, false).outcome, Kernel::Outcome::ok);
    EXPECT_EQ(r.kind(1, kBase), upte::Kind::metadata_none);
    EXPECT_EQ(r.k->stats().tags_saved_pfn, 1u);
    EXPECT_EQ(r.k->pfn_tags().entries(), 1u);
    EXPECT_GE(r.alloc->stats().reserve_failed, 1u);
    EXPECT_GE(r.alloc->stats().migrate_blocked_pinned, 1u);
    r.expect_clean();
    for (Pfn b : blocks) r.alloc->set_pinned(b, false);
    ASSERT_TRUE(r.touch(1, kBase));
    EXPECT_EQ(r.k->stats().tags_restored_pfn, 1u);
    EXPECT_EQ(r.k->pfn_tags().entries(), 0u);
    EXPECT_GE(r.alloc->stats().reserve_slow, 1u) << "the slow path migrated the data out";
    r.expect_pattern(1, kBase, 11);
    r.expect_clean();
}

TEST(Kernel, MigrationCarriesTagsAndRepointsThePte) {
    Rig r;
    r.k->thread_start(1);
    r.k->mmap(1, kBase, 0x10000, true);
    ASSERT_TRUE(r.touch(1, kBase + 0x1000));
    r.tag_page(1, kBase + 0x1000, 5);
    const Pfn old = upte::pfn(r.pte(1, kBase + 0x1000));
    std::uint64_t cycles = 0;
    ASSERT_TRUE(r.k->migrate_user_page(1, kBase + 0x1000, cycles));
    const Pfn now = upte::pfn(r.pte(1, kBase + 0x1000));
    EXPECT_NE(now, old);
    EXPECT_TRUE(upte::tagged(r.pte(1, kBase + 0x1000)));
    EXPECT_FALSE(r.alloc->is_allocated_head(old));
    EXPECT_EQ(r.k->stats().user_pages_migrated, 1u);
    EXPECT_EQ(r.alloc->stats().tagged_pages_migrated, 1u);
    EXPECT_EQ(r.kmem.copies, 1u);
    EXPECT_GE(r.tlb.pages, 1u);
    r.expect_pattern(1, kBase + 0x1000, 5);
    r.expect_clean();
}

/* try_to_migrate_one flushes the TLB entry of each present PTE it replaces; nothing else in a
 * migration flushes (remove_migration_ptes installs the new PTE over a non-present one). */
TEST(Kernel, MigratingAPageMappedOnceCostsOneTlbFlush) {
    Rig r;
    r.k->thread_start(1);
    r.k->mmap(1, kBase, 0x10000, false);
    ASSERT_TRUE(r.touch(1, kBase, true));
    const std::uint64_t flushes = r.kmem.tlbis, shootdowns = r.tlb.pages;
    std::uint64_t cycles = 0;
    ASSERT_TRUE(r.k->migrate_user_page(1, kBase, cycles));
    EXPECT_EQ(r.tlb.pages - shootdowns, 1u) << "the one mapping's entry is shot down";
    EXPECT_EQ(r.kmem.tlbis - flushes, 1u) << "one broadcast TLBI is paid, not one more for the block";
    r.expect_clean();
}

TEST(Kernel, CompactionForAFailedHighOrderAllocationCarriesTags) {
    Rig r({}, small_swap(0));
    // Fragment memory: every page taken, every other one given back.
    const std::vector<Pfn> all = take_every_page(r);
    for (std::size_t i = 0; i < all.size(); i += 2) r.alloc->free_pages(all[i]);
    // Tagged user pages land in the holes.
    r.k->thread_start(1);
    r.k->mmap(1, kBase, 64 * kPageSize, true);
    for (unsigned i = 0; i < 64; ++i) {
        ASSERT_TRUE(r.touch(1, kBase + i * kPageSize));
        r.stg(1, kBase + i * kPageSize + 0x20, static_cast<Tag>(1 + i % 15));
    }
    const auto a = r.k->kalloc(9, kGfpKernel);
    ASSERT_TRUE(a.ok);
    // The failure woke kswapd for order 9 and kswapd kcompactd (here, with no scheduler, at
    // once on this CPU): compaction ran, in the background or directly.
    EXPECT_GE(r.alloc->stats().compact_stalls + r.k->stats().kcompactd_runs, 1u);
    EXPECT_EQ(r.alloc->stats().compact_success, 1u);
    EXPECT_GT(r.alloc->stats().compact_pages_migrated, 0u);
    r.expect_clean(); /* wherever the tags are now (storage or the pfn xarray), they are intact */
    for (unsigned i = 0; i < 64; ++i) {
        ASSERT_TRUE(r.touch(1, kBase + i * kPageSize)); /* restores parked tags */
        EXPECT_EQ(r.tag_at(1, kBase + i * kPageSize + 0x20), 1 + i % 15);
    }
    r.expect_clean();
}

TEST(Kernel, APinnedPageBlocksCompactionOfItsRange) {
    Rig r({}, small_swap(0));
    const std::vector<Pfn> all = take_every_page(r);
    // Every other page free, and one pinned page in every pageblock.
    for (std::size_t i = 0; i < all.size(); ++i) {
        if (i % 2 == 0) r.alloc->free_pages(all[i]);
        else if (all[i].value() % kPageblockPages == 1) r.alloc->set_pinned(all[i], true);
    }
    const auto a = r.k->kalloc(9, kGfpKernel);
    EXPECT_FALSE(a.ok);
    EXPECT_GT(r.alloc->stats().compact_blocked_pinned, 0u);
    EXPECT_EQ(r.alloc->stats().compact_success, 0u);
}

TEST(Kernel, APinnedPoolPageBlocksATagReservationAndTheFaultRetriesInsteadOfKilling) {
    MmConfig mm;
    mm.cma_policy = CmaPolicy::cma_first;
    Rig r(mm);
    // Untagged pages fill the pool first (cma-first); the workload pins them all.
    const std::uint64_t pool = r.pin_pool(1, kBase);
    EXPECT_EQ(r.alloc->free_pages(MigrateType::cma), 0u);
    EXPECT_EQ(r.k->stats().pins, pool);
    r.k->thread_start(2);
    r.k->mmap(2, kBase, kPageSize, true);
    // The first fault maps the page "metadata none" (reservation failed: the block's data is
    // pinned); each access after it faults again, retries the reservation and fails again,
    // leaving the entry as it was: fault-on-access, nobody is killed (the RFC's behaviour).
    EXPECT_FALSE(r.touch(2, kBase)) << "touch gives up after four faults; the PTE still waits";
    EXPECT_EQ(r.kind(2, kBase), upte::Kind::metadata_none);
    EXPECT_EQ(r.alloc->stats().reserve_failed, 4u) << "at the allocation and at each of three retries";
    EXPECT_EQ(r.k->stats().tag_fault_retries, 3u);
    EXPECT_EQ(r.k->stats().oom_tag_storage, 0u);
    EXPECT_EQ(r.k->stats().oom_kills, 0u);
    EXPECT_TRUE(r.k->alive(1));
    EXPECT_TRUE(r.k->alive(2));
    // Once the pins go, the next access's reservation migrates the occupant and maps tagged.
    r.k->pin(1, kBase, pool * kPageSize, false);
    EXPECT_TRUE(r.touch(2, kBase));
    EXPECT_TRUE(upte::tagged(r.pte(2, kBase)));
    EXPECT_EQ(r.alloc->stats().reserve_slow, 1u);
    r.expect_clean();
}

TEST(Kernel, PagesReclaimedWhileThePoolHasFreePagesAreCountedAsStarvation) {
    Rig r;
    r.k->thread_start(1);
    r.k->read_file(1, 7, 0, 16 * kPageSize);
    ASSERT_GT(r.alloc->free_pages(MigrateType::cma), 0u);
    std::uint64_t cycles = 0;
    EXPECT_EQ(r.k->reclaim(16, cycles), 16u);
    EXPECT_EQ(r.alloc->stats().starvation_reclaimed, 16u);
}

TEST(Kernel, MunmapAndExitFreeEveryPageTableAndSwapSlot) {
    Rig r;
    const std::uint64_t free0 = r.alloc->free_pages();
    r.k->thread_start(1);
    r.k->mmap(1, kBase, 8 << 20, true);
    for (std::uint64_t va = kBase; va < kBase + (8 << 20); va += 64 * kPageSize) ASSERT_TRUE(r.touch(1, va));
    r.k->pageout(1, kBase, 1 << 20);
    EXPECT_GT(r.k->swap_slots().used(), 0u);
    r.k->munmap(1, kBase, 4 << 20);
    EXPECT_EQ(r.k->stats().page_tables_freed, 2u) << "the two level-3 tables of the first 4 MiB";
    EXPECT_EQ(r.k->swap_slots().used(), 0u);
    EXPECT_EQ(r.k->swap_tags().entries(), 0u);
    r.expect_clean();
    r.k->thread_exit(1);
    EXPECT_EQ(r.alloc->free_pages(), free0);
    EXPECT_EQ(r.k->stats().page_tables_freed, r.k->stats().page_tables_allocated);
    EXPECT_EQ(r.tlb.asids, 3u) << "munmap's present pages span over MAX_TLBI_OPS pages (flush_tlb_mm), so do its two freed tables' pages, then exit's";
    EXPECT_EQ(r.alloc->pool_pages_holding_tags(), 0u);
    EXPECT_EQ(r.alloc->check_invariants(), "");
}

TEST(Kernel, FilePagesComeFromThePageCacheAndReclaimDropsThemClean) {
    Rig r;
    r.k->thread_start(1);
    r.k->read_file(1, 7, 0, 16 * kPageSize);
    EXPECT_EQ(r.k->stats().file_reads, 16u);
    EXPECT_EQ(r.k->page_cache_pages(), 16u);
    r.k->mmap(1, kBase, 16 * kPageSize, false, true, 7, 0);
    ASSERT_TRUE(r.touch(1, kBase + 3 * kPageSize, true));
    EXPECT_EQ(r.k->stats().faults_file, 1u);
    EXPECT_EQ(r.k->stats().file_hits, 1u) << "the page was already cached";
    std::uint64_t cycles = 0;
    EXPECT_EQ(r.k->reclaim(16, cycles), 16u);
    EXPECT_EQ(r.k->stats().file_pages_dropped, 16u);
    EXPECT_EQ(r.k->stats().file_writebacks, 0u) << "direct reclaim writes no file page";
    EXPECT_EQ(r.k->stats().flusher_writebacks, 1u) << "the page written through the mapping, by the flusher";
    EXPECT_EQ(r.k->stats().swap_outs, 0u);
    EXPECT_EQ(r.kind(1, kBase + 3 * kPageSize), upte::Kind::none);
    ASSERT_TRUE(r.touch(1, kBase + 3 * kPageSize));
    EXPECT_EQ(r.k->stats().file_reads, 17u) << "a later miss re-reads from storage";
    r.expect_clean();
}

TEST(Kernel, PressureWakesKswapdAndSwapsTaggedPagesWithTheirTags) {
    Rig r;
    const auto held = r.hog(r.alloc->watermark_pages(true) + 2048);
    r.k->thread_start(1);
    r.k->mmap(1, kBase, 8192 * kPageSize, true);
    for (std::uint64_t i = 0; i < 8192; ++i) {
        ASSERT_TRUE(r.touch(1, kBase + i * kPageSize, true));
        r.stg(1, kBase + i * kPageSize, static_cast<Tag>(i & 0xf));
    }
    EXPECT_GT(r.k->stats().kswapd_wakeups, 0u);
    EXPECT_GT(r.k->stats().swap_outs, 0u);
    EXPECT_EQ(r.k->stats().swap_outs, r.k->stats().tags_saved_swap) << "every page swapped was tagged";
    for (std::uint64_t i = 0; i < 8192; i += 97) {
        ASSERT_TRUE(r.touch(1, kBase + i * kPageSize));
        EXPECT_EQ(r.tag_at(1, kBase + i * kPageSize), static_cast<Tag>(i & 0xf));
    }
    EXPECT_GT(r.k->stats().swap_ins, 0u);
    r.expect_clean();
    (void)held;
}

TEST(Kernel, ExhaustingMemoryAndSwapKillsTheLargestProcess) {
    Rig r({}, small_swap(256));
    r.hog(r.alloc->watermark_pages(true) + 4096);
    r.k->thread_start(1);
    r.k->thread_start(2);
    r.k->mmap(1, kBase, 1024 * kPageSize, false);
    r.k->mmap(2, kBase, 65536 * kPageSize, false);
    for (std::uint64_t i = 0; i < 1024; ++i) ASSERT_TRUE(r.touch(1, kBase + i * kPageSize, true));
    bool died = false;
    for (std::uint64_t i = 0; i < 65536 && !died; ++i) died = !r.touch(2, kBase + i * kPageSize, true);
    EXPECT_TRUE(died);
    EXPECT_EQ(r.k->stats().oom_kills, 1u);
    EXPECT_FALSE(r.k->alive(2));
    EXPECT_TRUE(r.k->alive(1));
    EXPECT_EQ(r.k->check_invariants(), "");
    EXPECT_EQ(r.alloc->check_invariants(), "");
}

/* Cleancache: tests/unit/cleancache_test.cpp. */

/* mprotect's errors as do_mprotect_pkey and arch_validate_flags give them. */
TEST(Kernel, MprotectOfAHoleIsEnomemAfterChangingTheVmasBeforeIt) {
    Rig r;
    r.k->thread_start(1);
    r.k->mmap(1, kBase, 0x2000, false);
    r.k->mmap(1, kBase + 0x3000, 0x1000, false); /* a hole at kBase + 0x2000 */
    EXPECT_EQ(r.k->mprotect(1, kBase + 0x10000, 0x1000, true).error, -ENOMEM) << "nothing mapped";
    EXPECT_EQ(r.k->mprotect(1, kBase, 0x4000, true).error, -ENOMEM);
    ASSERT_TRUE(r.touch(1, kBase));
    EXPECT_TRUE(upte::tagged(r.pte(1, kBase))) << "the VMA before the hole was changed";
    ASSERT_TRUE(r.touch(1, kBase + 0x3000));
    EXPECT_FALSE(upte::tagged(r.pte(1, kBase + 0x3000))) << "the walk stopped at the hole";
    EXPECT_EQ(r.k->mprotect(1, kBase, 0x2000, false).error, 0);
    r.expect_clean();
}

TEST(Kernel, ProtMteOnAFileMappingIsEinvalAndChangesNothing) {
    Rig r;
    r.k->thread_start(1);
    r.k->mmap(1, kBase, 0x2000, false, true, 3, 0);
    ASSERT_TRUE(r.touch(1, kBase));
    EXPECT_EQ(r.k->mprotect(1, kBase, 0x2000, true).error, -EINVAL);
    EXPECT_FALSE(upte::tagged(r.pte(1, kBase)));
    EXPECT_EQ(r.kind(1, kBase), upte::Kind::present);
    // mmap(PROT_MTE) of a file: -EINVAL, and the mapping that was there stays (MAP_FIXED).
    EXPECT_EQ(r.k->mmap(1, kBase, 0x2000, true, true, 3, 0).error, -EINVAL);
    EXPECT_EQ(r.kind(1, kBase), upte::Kind::present);
    EXPECT_EQ(r.k->stats().faults_file, 1u);
    EXPECT_EQ(r.k->mmap(1, kBase + 0x10000, 0x1000, true).error, 0) << "anonymous PROT_MTE is fine";
    r.expect_clean();
}
