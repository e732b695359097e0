// Dirty file pages and the flusher (mm/vmscan.c's shrink_folio_list and shrink_inactive_list,
// mm/page-writeback.c's balance_dirty_pages, fs/fs-writeback.c's wb_writeback, v6.6): reclaim
// never writes a file page from MADV_PAGEOUT, nor from direct reclaim but to stand in for a flusher that
// cannot run within its operation; kswapd writes only a page it already marked PG_reclaim once it has seen nothing but unqueued dirty file pages
// (PGDAT_DIRTY); a batch of nothing but such pages wakes the flusher instead; a writer past the
// background threshold wakes it for background write-back; the flusher cleans each page's PTEs as it
// starts its write. Expectations come from those rules, worked by hand.
#include "mtesim/kernel/dirty_file_pages.h"
#include "mtesim/kernel/kernel.h"
#include "mtesim/kernel/shadow_tag_checker.h"
#include "mtesim/kernel/user_pte.h"
#include "kernel_rig.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

using namespace mtesim;

using test::kBase;
using test::KernelRig;
using test::small_swap;

namespace {

std::vector<std::pair<std::uint32_t, std::uint64_t>> drain(DirtyFilePages &d, unsigned n) {
    std::vector<std::pair<std::uint32_t, std::uint64_t>> out;
    std::uint32_t f;
    std::uint64_t i;
    while (out.size() < n && d.next(f, i)) {
        out.emplace_back(f, i);
        d.clear(f, i);
    }
    return out;
}

/* Process 1 maps @pages pages of file 7 shared and stores to each (a write fault: the page is
 * marked dirty at once). */
void dirty_mapped_pages(KernelRig &r, unsigned pages) {
    r.k->thread_start(1);
    r.k->mmap(1, kBase, pages * kPageSize, false, true, 7, 0);
    for (unsigned i = 0; i < pages; ++i) ASSERT_TRUE(r.touch(1, kBase + i * kPageSize, true));
    r.k->lru_add_drain_cpu(0);
}

/* Process 1 with a one-page user buffer at kBase, touched: a writer for write(2). */
void start_writer(KernelRig &r) {
    r.k->thread_start(1);
    r.k->mmap(1, kBase, kPageSize, false);
    ASSERT_TRUE(r.touch(1, kBase, true));
}

/* A scheduler that never runs the kernel threads it is asked to wake: what the kernel model
 * does alone, with the flusher (and kswapd) woken but not run. */
void hold_kernel_threads(KernelRig &r) {
    r.k->set_kthread_waker([](IKernelThread &) { return false; });
}

}  // namespace

TEST(DirtyFilePages, FilesInTheOrderTheyWereDirtiedPagesInIndexOrderFromTheCursor) {
    DirtyFilePages d;
    d.mark(5, 9);
    d.mark(3, 2);
    d.mark(5, 1);
    d.mark(5, 9); /* again: nothing changes */
    EXPECT_EQ(d.size(), 3u);
    const auto order = drain(d, 10);
    const std::vector<std::pair<std::uint32_t, std::uint64_t>> expected{{5, 1}, {5, 9}, {3, 2}};
    EXPECT_EQ(order, expected) << "file 5 was dirtied first; its pages from index 0 up";
    EXPECT_EQ(d.size(), 0u);
    // The next visit of a file starts after the last page its previous visit took
    // (writeback_index), and reaches the lower pages on the visit after.
    d.mark(1, 10);
    d.mark(1, 20);
    std::uint32_t f;
    std::uint64_t i;
    ASSERT_TRUE(d.next(f, i));
    EXPECT_EQ(i, 10u);
    d.clear(f, i);
    d.mark(1, 5);
    ASSERT_TRUE(d.next(f, i));
    EXPECT_EQ(i, 20u) << "on from the cursor, not back to 5";
    d.clear(f, i);
    ASSERT_TRUE(d.next(f, i));
    EXPECT_EQ(i, 5u) << "the end of the file reached, the next visit starts at 0";
}

TEST(DirtyFilePages, AFileGoesToTheBackAfterAChunkAndASkippedPageStaysDirty) {
    DirtyFilePages d;
    for (std::uint64_t i = 0; i <= DirtyFilePages::kChunkPages; ++i) d.mark(1, i);
    d.mark(2, 0);
    std::uint32_t f;
    std::uint64_t i;
    for (std::uint64_t n = 0; n < DirtyFilePages::kChunkPages; ++n) {
        ASSERT_TRUE(d.next(f, i));
        ASSERT_EQ(f, 1u);
        if (n) d.clear(f, i); /* page 0 is passed over: it stays dirty */
    }
    ASSERT_TRUE(d.next(f, i));
    EXPECT_EQ(std::make_pair(f, i), std::make_pair(2u, std::uint64_t{0})) << "after 1,024 pages file 1 waits its turn";
    d.clear(f, i);
    ASSERT_TRUE(d.next(f, i));
    EXPECT_EQ(std::make_pair(f, i), std::make_pair(1u, DirtyFilePages::kChunkPages));
    d.clear(f, i);
    ASSERT_TRUE(d.next(f, i));
    EXPECT_EQ(std::make_pair(f, i), std::make_pair(1u, std::uint64_t{0})) << "the skipped page, still dirty";
    EXPECT_TRUE(d.contains(1, 0));
    EXPECT_EQ(d.size(), 1u);
}

TEST(Writeback, ReclaimLeavesDirtyFilePagesToTheFlusherItWakes) {
    KernelRig r;
    dirty_mapped_pages(r, 4);
    EXPECT_EQ(r.k->dirty_file_pages(), 4u) << "each write fault marked its page dirty";
    // Keep the flusher from running (a scheduler that never gets to it): what reclaim does alone.
    std::vector<IKernelThread *> woken;
    r.k->set_kthread_waker([&woken](IKernelThread &t) {
        woken.push_back(&t);
        return false;
    });
    std::uint64_t cycles = 0;
    // A kswapd pass (no stand-in, and PGDAT_DIRTY is set only at its end): nothing written.
    EXPECT_EQ(r.k->reclaim(4, cycles, /*direct=*/false), 0u) << "nothing but dirty file pages: nothing freed";
    EXPECT_EQ(r.k->stats().file_writebacks + r.k->stats().file_direct_writebacks, 0u);
    EXPECT_GE(r.k->stats().file_dirty_activated, 4u) << "each sent back to the active list, PG_reclaim (some more than once)";
    EXPECT_EQ(r.k->stats().flusher_wakeups_vmscan, 1u) << "a batch of nothing but unqueued dirty pages; one work at a time";
    ASSERT_EQ(woken.size(), 1u);
    EXPECT_EQ(woken[0], &r.k->flusher());
    EXPECT_EQ(r.kind(1, kBase), upte::Kind::none) << "unmapped all the same";
    // The flusher runs: all 4 pages written in one batch (at most 15 a pass).
    std::uint64_t fc = 0;
    EXPECT_TRUE(r.k->flusher().run_once(fc));
    EXPECT_EQ(r.k->stats().flusher_writebacks, 4u);
    EXPECT_EQ(r.k->stats().flusher_passes, 1u);
    EXPECT_FALSE(r.k->flusher().run_once(fc)) << "its work done, below the background threshold: asleep";
    EXPECT_EQ(r.k->dirty_file_pages(), 0u);
    // The writes complete; their PG_reclaim pages go to the inactive tail and the next reclaim
    // frees them, with no wait.
    r.kmem.io_wait(100000);
    EXPECT_EQ(r.k->reclaim(4, cycles), 4u);
    EXPECT_EQ(r.k->stats().writeback_rotations, 4u);
    EXPECT_EQ(r.k->stats().writeback_throttles, 0u);
    EXPECT_EQ(r.k->stats().file_pages_dropped, 4u);
    r.expect_clean();
}

/* Direct reclaim that finds nothing but dirty file pages while the flusher it woke cannot run
 * (a kernel operation is atomic on its core in the model) writes them itself from its second
 * pass on, waits for the first write each pass, and frees them: the allocation does not end in
 * the OOM killer. (How many a call frees depends on how the scan meets the pages on the two
 * lists; the allocator's retry, a second call, gets the rest.) */
TEST(Writeback, DirectReclaimStandsInForAFlusherThatCannotRunWithinItsOperation) {
    KernelRig r;
    dirty_mapped_pages(r, 4);
    hold_kernel_threads(r);
    std::uint64_t cycles = 0;
    std::uint64_t freed = r.k->reclaim(4, cycles);
    EXPECT_GT(freed, 0u) << "without the stand-in: 0, and the allocation would go to the OOM killer";
    EXPECT_GE(r.k->stats().writeback_throttles, 1u) << "it waited for its writes";
    freed += r.k->reclaim(4 - freed, cycles);
    EXPECT_EQ(freed, 4u);
    EXPECT_EQ(r.k->stats().flusher_wakeups_vmscan, 1u);
    EXPECT_EQ(r.k->stats().file_direct_writebacks, 4u) << "each written once, by the reclaimer";
    EXPECT_EQ(r.k->stats().file_writebacks, 0u);
    EXPECT_EQ(r.k->stats().file_pages_dropped, 4u);
    EXPECT_EQ(r.k->dirty_file_pages(), 0u);
    std::uint64_t fc = 0;
    EXPECT_TRUE(r.k->flusher().run_once(fc));
    EXPECT_EQ(r.k->stats().flusher_writebacks, 0u) << "when it runs at last, nothing is left for it";
    r.expect_clean();
}

TEST(Writeback, ABatchWithACleanPageWakesNoFlusher) {
    KernelRig r;
    r.k->thread_start(1);
    r.k->mmap(1, kBase, 2 * kPageSize, false, true, 7, 0);
    ASSERT_TRUE(r.touch(1, kBase + kPageSize)); /* read: clean */
    ASSERT_TRUE(r.touch(1, kBase, true));       /* written: dirty */
    r.k->lru_add_drain_cpu(0);
    hold_kernel_threads(r);
    std::uint64_t cycles = 0;
    EXPECT_EQ(r.k->reclaim(1, cycles), 1u) << "the clean page";
    EXPECT_EQ(r.k->stats().flusher_wakeups_vmscan, 0u) << "its batch held a clean page as well";
    EXPECT_EQ(r.k->dirty_file_pages(), 1u);
    r.expect_clean();
}

/* kswapd writes a dirty file page itself only when it marked the page PG_reclaim on an earlier
 * pass and its last pass saw nothing but unqueued dirty file pages (PGDAT_DIRTY); the write
 * waits for the unmapping's TLBIs first (try_to_unmap_flush_dirty). A balanced node clears
 * PGDAT_DIRTY. */
TEST(Writeback, KswapdWritesADirtyFilePageOnlyOnceItSawNothingElse) {
    KernelRig r;
    dirty_mapped_pages(r, 1);
    hold_kernel_threads(r); /* the flusher never runs */
    std::uint64_t cycles = 0;
    EXPECT_FALSE(r.k->pgdat_dirty());
    EXPECT_EQ(r.k->reclaim(1, cycles, /*direct=*/false), 0u);
    EXPECT_EQ(r.k->stats().file_writebacks, 0u) << "first seen: PG_reclaim set, not written";
    EXPECT_TRUE(r.k->pgdat_dirty()) << "kswapd took only unqueued dirty file pages";
    ASSERT_TRUE(r.touch(1, kBase)); /* a load maps it again, clean: PG_reclaim stays */
    ASSERT_TRUE(r.k->find_user_page(upte::pfn(r.pte(1, kBase)))->reclaim);
    const std::uint64_t syncs = r.kmem.tlb_syncs;
    EXPECT_EQ(r.k->reclaim(1, cycles, /*direct=*/false), 0u) << "written, not yet freed";
    EXPECT_EQ(r.k->stats().file_writebacks, 1u) << "seen again, PG_reclaim, PGDAT_DIRTY: pageout";
    EXPECT_EQ(r.k->dirty_file_pages(), 0u);
    EXPECT_EQ(r.kmem.tlb_syncs, syncs + 1) << "one wait for the unmapping's TLBI";
    r.kmem.io_wait(100000);
    EXPECT_EQ(r.k->reclaim(1, cycles, /*direct=*/false), 1u) << "rotated to the tail once written, and freed";
    // A balanced node: kswapd's pass finds nothing to do and clears PGDAT_DIRTY as it sleeps.
    r.k->kswapd().wake(0);
    EXPECT_FALSE(r.k->kswapd().run_once(cycles));
    EXPECT_FALSE(r.k->pgdat_dirty());
    r.expect_clean();
}

/* The flusher's write of a mapped page cleans its PTE (folio_mkclean): writable-clean again, so
 * the next store dirties the entry (DBM) with no fault, and the page is dirty again for the
 * next reclaim, which reads the PTE back. A page dirtied again while its write runs is passed
 * over by the next batch and stays dirty. */
TEST(Writeback, TheFlusherCleansThePtesOfAPageItWrites) {
    KernelRig r;
    dirty_mapped_pages(r, 1);
    EXPECT_TRUE(upte::dirty(r.pte(1, kBase)));
    const std::uint64_t tlbis = r.kmem.tlbis;
    EXPECT_EQ(r.run_flusher(), 1u);
    EXPECT_TRUE(upte::writable_clean(r.pte(1, kBase))) << "folio_mkclean";
    EXPECT_EQ(r.kmem.tlbis, tlbis + 1) << "its TLB entry invalidated at once";
    EXPECT_EQ(r.k->dirty_file_pages(), 0u);
    // A store while the write runs: the entry is dirty again (no fault), the page is not yet
    // known dirty; a write(2) to it marks it dirty while still under write-back.
    ASSERT_TRUE(r.touch(1, kBase + 8, true));
    EXPECT_TRUE(upte::dirty(r.pte(1, kBase)));
    r.k->mmap(1, kBase + 0x100000, kPageSize, false);
    ASSERT_TRUE(r.touch(1, kBase + 0x100000, true));
    EXPECT_EQ(r.k->user_copy(1, kBase + 0x100000, 64, false, false, false, 7, 0).error, 64);
    EXPECT_EQ(r.k->dirty_file_pages(), 1u);
    EXPECT_EQ(r.run_flusher(), 0u) << "still under write-back: passed over";
    EXPECT_EQ(r.k->stats().flusher_skipped, 1u);
    EXPECT_EQ(r.k->dirty_file_pages(), 1u) << "and still dirty";
    r.kmem.io_wait(100000);
    EXPECT_EQ(r.run_flusher(), 1u) << "written once the first write completed";
    r.expect_clean();
}

/* shrink_folio_list tests PG_writeback before it tries to unmap a folio: a mapped file page that
 * kswapd finds under the flusher's write (case 2) is marked PG_reclaim and activated but stays
 * mapped, its PTE and TLB entry untouched. (kswapd, because direct reclaim that falls short
 * would wait for the write and free the page in the same call.) Once written it rotates to the
 * inactive tail and the next look unmaps and frees it. */
TEST(Writeback, ReclaimLeavesAMappedFilePageUnderWriteBackMapped) {
    KernelRig r;
    dirty_mapped_pages(r, 1);
    const Pfn pfn = upte::pfn(r.pte(1, kBase));
    EXPECT_EQ(r.run_flusher(), 1u);
    ASSERT_TRUE(upte::writable_clean(r.pte(1, kBase)));
    const std::uint64_t tlbis = r.kmem.tlbis;
    std::uint64_t cycles = 0;
    EXPECT_EQ(r.k->reclaim(1, cycles, /*direct=*/false), 0u) << "under write-back: not freed";
    EXPECT_EQ(upte::kind(r.pte(1, kBase)), upte::Kind::present) << "still mapped: not unmapped";
    EXPECT_EQ(upte::pfn(r.pte(1, kBase)), pfn);
    EXPECT_EQ(r.kmem.tlbis, tlbis) << "no TLB invalidation";
    const UserPage *pg = r.k->find_user_page(pfn);
    ASSERT_NE(pg, nullptr);
    EXPECT_TRUE(pg->reclaim) << "folio_set_reclaim";
    EXPECT_EQ(r.k->stats().lru_writeback_activations, 1u) << "activate_locked";
    r.kmem.io_wait(100000);
    EXPECT_EQ(r.k->reclaim(1, cycles, /*direct=*/false), 1u) << "written, rotated to the inactive tail and freed";
    EXPECT_EQ(r.k->find_user_page(pfn), nullptr);
    EXPECT_NE(upte::kind(r.pte(1, kBase)), upte::Kind::present);
    r.expect_clean();
}

/* balance_dirty_pages (v6.6): a writer wakes the flusher once the dirty pages exceed the
 * background threshold, vm.dirty_background_ratio of the dirtyable memory, and the flusher
 * writes until they no longer do: one batch of 15 pages here. vm.dirty_background_ratio = 1:
 * about 1% of virt-4g-mte's 1,048,576 pages (the freerun ceiling, halfway to vm.dirty_ratio's
 * 20%, would be about 10.5%). */
TEST(Writeback, AWriterPastTheBackgroundThresholdWakesTheFlusher) {
    KernelConfig kc = small_swap();
    kc.dirty_background_ratio = 1;
    KernelRig r({}, kc);
    start_writer(r); /* the user buffer */
    std::uint64_t page = 0;
    std::uint64_t bg = 0;
    while (r.k->stats().flusher_wakeups_background == 0 && page < 200000) {
        bg = r.k->dirtyable_pages() / 100;
        ASSERT_LE(r.k->dirty_file_pages(), bg) << "at or below the threshold, no wake-up yet";
        ASSERT_EQ(r.k->user_copy(1, kBase, 8, false, false, false, 3, page * kPageSize).error, 8);
        ++page;
    }
    ASSERT_EQ(r.k->stats().flusher_wakeups_background, 1u);
    EXPECT_NEAR(static_cast<double>(page), 0.01 * 1048576, 0.01 * 1048576 * 0.05) << "about 1% of memory";
    EXPECT_GE(page, bg + 1) << "the wake-up came with the page that passed it";
    EXPECT_LE(page, bg + 16) << "(the dirtyable memory moves a little as the cache grows)";
    EXPECT_EQ(r.k->stats().flusher_writebacks, 15u) << "one batch brought them back to the threshold";
    EXPECT_EQ(r.k->dirty_file_pages(), page - 15);
    EXPECT_EQ(r.k->stats().file_writebacks, 0u);
    r.expect_clean();
}

/* PGDAT_DIRTY is cleared whenever kswapd goes to sleep on a balanced node (prepare_kswapd_sleep's
 * clear_pgdat_congested), also after a balance that reclaimed. */
TEST(Writeback, KswapdClearsPgdatDirtyWhenItSleepsAfterBalancing) {
    KernelRig r;
    dirty_mapped_pages(r, 1);
    hold_kernel_threads(r);
    std::uint64_t cycles = 0;
    r.k->reclaim(1, cycles, /*direct=*/false);
    ASSERT_TRUE(r.k->pgdat_dirty());
    r.k->read_file(1, 9, 0, 20000 * kPageSize); /* clean page cache for kswapd to reclaim */
    r.k->lru_add_drain_cpu(0);
    const auto held = r.hog(r.alloc->watermark_pages(false) - 1); /* below the low watermark */
    ASSERT_FALSE(r.k->kswapd().balanced(0));
    r.k->kswapd().wake(0);
    while (r.k->kswapd().run_once(cycles)) {
    }
    EXPECT_GT(r.k->kswapd().stats().reclaimed, 0u);
    EXPECT_TRUE(r.k->kswapd().balanced(0));
    EXPECT_FALSE(r.k->pgdat_dirty()) << "cleared as it slept balanced";
    for (const Pfn p : held) r.alloc->free_pages(p);
    r.expect_clean();
}

/* Migration moves a dirty page's PG_reclaim with it (no rotation is due until its write), so
 * the flusher's later write still rotates it to the inactive tail. */
TEST(Writeback, AMigratedDirtyPageKeepsPgReclaimForTheFlushersWrite) {
    KernelRig r;
    dirty_mapped_pages(r, 1);
    hold_kernel_threads(r);
    const Pfn pfn = upte::pfn(r.pte(1, kBase));
    r.k->pageout(1, kBase, kPageSize); /* unmapped, dirty, PG_reclaim, on the active list */
    ASSERT_EQ(r.k->stats().file_dirty_activated, 1u);
    std::uint64_t cycles = 0;
    ASSERT_TRUE(r.k->migrate_page(pfn, cycles));
    r.k->pageout(1, kBase + 0x300000, kPageSize); /* nothing mapped there: only the due rotations are taken */
    std::uint64_t fc = 0;
    r.k->flusher().wake_all(r.k->dirty_file_pages());
    while (r.k->flusher().run_once(fc)) {
    }
    ASSERT_EQ(r.k->stats().flusher_writebacks, 1u);
    r.kmem.io_wait(100000);
    EXPECT_EQ(r.k->reclaim(1, cycles), 1u);
    EXPECT_EQ(r.k->stats().writeback_rotations, 1u) << "rotated as its write completed";
    r.expect_clean();
}

/* A write(2) whose bytes straddle two file pages dirties both. */
TEST(Writeback, AWriteAcrossAFilePageBoundaryDirtiesBothPages) {
    KernelRig r;
    r.k->thread_start(1);
    r.k->mmap(1, kBase, 2 * kPageSize, false);
    ASSERT_TRUE(r.touch(1, kBase, true));
    ASSERT_TRUE(r.touch(1, kBase + kPageSize, true));
    EXPECT_EQ(r.k->user_copy(1, kBase, kPageSize, false, false, false, 3, kPageSize / 2).error,
              static_cast<std::int64_t>(kPageSize));
    EXPECT_EQ(r.k->dirty_file_pages(), 2u);
    r.expect_clean();
}

/* A dirty page still locked for its read is kept on the inactive list, not activated:
 * folio_trylock fails before shrink_folio_list looks at its dirty state. A write(2) into a page
 * not yet cached dirties it once its read completes; a reclaimer on another core whose local
 * time still lies inside that read (temporal decoupling: the rig's clock set back) finds it
 * locked. */
TEST(Writeback, ALockedDirtyPageIsKeptNotActivated) {
    KernelRig r;
    start_writer(r);
    const double before = r.kmem.io_ns;
    ASSERT_EQ(r.k->user_copy(1, kBase, 8, false, false, false, 3, 0).error, 8);
    ASSERT_EQ(r.k->dirty_file_pages(), 1u);
    ASSERT_GT(r.kmem.io_ns, before) << "the write(2) waited for the page's read";
    r.kmem.io_ns = before; /* another core's time, inside the read */
    hold_kernel_threads(r);
    std::uint64_t cycles = 0;
    r.k->reclaim(1, cycles, /*direct=*/false); /* kswapd: no throttle, no stand-in */
    EXPECT_EQ(r.k->stats().file_dirty_activated, 0u) << "locked: kept";
    const auto pfn = r.k->page_cache_find(3, 0);
    ASSERT_TRUE(pfn);
    EXPECT_EQ(r.k->find_user_page(*pfn)->list, LruLists::inactive_file) << "on the inactive list";
    EXPECT_FALSE(r.k->find_user_page(*pfn)->reclaim) << "not looked at past its lock";
    EXPECT_EQ(r.k->dirty_file_pages(), 1u);
    r.expect_clean();
}

/* folio_mark_dirty clears PG_reclaim: a page reclaim marked and a later write dirties again
 * loses the mark (kswapd would not write it at its next sight even under PGDAT_DIRTY). */
TEST(Writeback, RedirtyingAPageClearsItsPgReclaim) {
    KernelRig r;
    dirty_mapped_pages(r, 1);
    hold_kernel_threads(r);
    const Pfn pfn = upte::pfn(r.pte(1, kBase));
    r.k->pageout(1, kBase, kPageSize);
    ASSERT_NE(r.k->find_user_page(pfn), nullptr);
    EXPECT_TRUE(r.k->find_user_page(pfn)->reclaim) << "marked as reclaim sent it back";
    r.k->mmap(1, kBase + 0x100000, kPageSize, false);
    ASSERT_TRUE(r.touch(1, kBase + 0x100000, true));
    ASSERT_EQ(r.k->user_copy(1, kBase + 0x100000, 8, false, false, false, 7, 0).error, 8); /* write(2) to page 0 */
    EXPECT_FALSE(r.k->find_user_page(pfn)->reclaim);
    EXPECT_TRUE(r.k->find_user_page(pfn)->dirty);
    // A store through an existing mapping (no fault of the kernel's: the PTE turns dirty, the
    // page does not know yet), read back by munmap (zap_pte_range's folio_mark_dirty), too.
    r.k->mmap(1, kBase + 0x200000, kPageSize, false, true, 7, 0);
    ASSERT_TRUE(r.touch(1, kBase + 0x200000)); /* a load: mapped writable-clean */
    r.k->pageout(1, kBase + 0x200000, kPageSize); /* dirty already: back with PG_reclaim */
    ASSERT_TRUE(r.k->find_user_page(pfn)->reclaim);
    ASSERT_TRUE(r.touch(1, kBase + 0x200000));       /* mapped again, writable-clean */
    ASSERT_TRUE(r.touch(1, kBase + 0x200000, true)); /* the MMU's dirtying (the rig's pte_mkdirty path) */
    ASSERT_TRUE(upte::dirty(r.pte(1, kBase + 0x200000)));
    ASSERT_TRUE(r.k->find_user_page(pfn)->reclaim) << "the page does not know of the store yet";
    EXPECT_EQ(r.k->munmap(1, kBase + 0x200000, kPageSize).error, 0);
    EXPECT_FALSE(r.k->find_user_page(pfn)->reclaim);
    r.expect_clean();
}

TEST(DirtyFilePages, TheExpiryFilterVisitsOnlyFilesDirtiedLongEnoughAgo) {
    DirtyFilePages d;
    EXPECT_TRUE(d.mark(1, 0, 10)) << "the first dirty page of all";
    EXPECT_FALSE(d.mark(2, 0, 50));
    EXPECT_FALSE(d.mark(1, 1, 60)) << "file 1 was dirty already: its dirtied time stays 10";
    std::uint32_t f;
    std::uint64_t i;
    ASSERT_TRUE(d.next(f, i, 20));
    EXPECT_EQ(std::make_pair(f, i), std::make_pair(1u, std::uint64_t{0}));
    d.clear(f, i);
    ASSERT_TRUE(d.next(f, i, 20));
    EXPECT_EQ(std::make_pair(f, i), std::make_pair(1u, std::uint64_t{1}));
    d.clear(f, i);
    EXPECT_FALSE(d.next(f, i, 20)) << "file 2 was dirtied at 50";
    EXPECT_TRUE(d.next(f, i, 50));
    EXPECT_EQ(f, 2u);
}

/* wb_check_old_data_flush: when the delayed work runs, the files dirtied at least
 * vm.dirty_expire_centisecs (30 s) ago are written, the younger ones are not; while dirty
 * files remain the worker's sleep is timed to the next interval (5 s). */
TEST(Writeback, ThePeriodicWritebackWritesFilesDirtyForThirtySeconds) {
    KernelRig r;
    start_writer(r);
    for (std::uint64_t p = 0; p < 3; ++p) ASSERT_EQ(r.k->user_copy(1, kBase, 8, false, false, false, 3, p * kPageSize).error, 8);
    r.kmem.io_wait(20e9); /* 20 s */
    ASSERT_EQ(r.k->user_copy(1, kBase, 8, false, false, false, 4, 0).error, 8);
    EXPECT_EQ(r.k->flusher().sleep_timeout_ps(), 5000000000000ull) << "dirty files: the next run in 5 s";
    r.kmem.io_wait(11e9); /* 31 s after file 3 was dirtied, 11 s after file 4 */
    ASSERT_TRUE(r.k->flusher().timed_out());
    std::uint64_t fc = 0;
    while (r.k->flusher().run_once(fc)) {
    }
    EXPECT_EQ(r.k->stats().flusher_timer_wakeups, 1u);
    EXPECT_EQ(r.k->stats().flusher_periodic_writebacks, 3u) << "file 3's pages";
    EXPECT_EQ(r.k->dirty_file_pages(), 1u) << "file 4's page is younger than 30 s";
    EXPECT_EQ(r.k->flusher().sleep_timeout_ps(), 5000000000000ull);
    r.expect_clean();
}

/* try_to_unmap's folio_mark_dirty clears PG_reclaim: kswapd, which writes a page it marked
 * PG_reclaim in an earlier pass (PGDAT_DIRTY set), does not write one whose unmapping finds a
 * dirty PTE, as the store made it dirty again since it was marked; it marks it anew and writes it
 * when it next finds it. Page 1, clean and referenced, makes pass 2 look at page 0 once only:
 * activated first, it is deactivated after page 0 and dropped, which ends the pass. */
TEST(Writeback, KswapdDoesNotWriteAPageItsUnmappingFindsDirtiedAgain) {
    KernelRig r;
    r.k->thread_start(1);
    r.k->mmap(1, kBase, 2 * kPageSize, false, true, 7, 0);
    ASSERT_TRUE(r.touch(1, kBase, true));
    r.k->lru_add_drain_cpu(0);
    hold_kernel_threads(r);
    const Pfn p0 = upte::pfn(r.pte(1, kBase));
    std::uint64_t cycles = 0;
    EXPECT_EQ(r.k->reclaim(1, cycles, /*direct=*/false), 0u);
    ASSERT_TRUE(r.k->find_user_page(p0)->reclaim);
    ASSERT_TRUE(r.k->pgdat_dirty());
    ASSERT_EQ(r.k->find_user_page(p0)->list, LruLists::active_file);
    ASSERT_TRUE(r.touch(1, kBase));       /* mapped again, writable-clean */
    ASSERT_TRUE(r.touch(1, kBase, true)); /* a store: the PTE turns dirty, the page does not know */
    ASSERT_TRUE(upte::dirty(r.pte(1, kBase)));
    ASSERT_TRUE(r.k->find_user_page(p0)->reclaim);
    ASSERT_TRUE(r.touch(1, kBase + kPageSize)); /* page 1, clean */
    r.k->lru_add_drain_cpu(0);
    const Pfn p1 = upte::pfn(r.pte(1, kBase + kPageSize));
    EXPECT_EQ(r.k->reclaim(1, cycles, /*direct=*/false), 1u);
    ASSERT_EQ(r.k->find_user_page(p1), nullptr) << "page 1 dropped";
    EXPECT_EQ(r.k->stats().file_writebacks, 0u) << "page 0 dirtied again since it was marked: not written";
    EXPECT_TRUE(r.k->find_user_page(p0)->reclaim) << "marked anew";
    EXPECT_EQ(r.k->dirty_file_pages(), 1u);
    EXPECT_EQ(r.k->reclaim(1, cycles, /*direct=*/false), 0u);
    EXPECT_EQ(r.k->stats().file_writebacks, 1u) << "found again, still PG_reclaim: written";
    r.expect_clean();
}
