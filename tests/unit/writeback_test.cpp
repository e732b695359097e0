// Dirty file pages and the flusher (mm/vmscan.c's shrink_folio_list and shrink_inactive_list,
// mm/page-writeback.c's balance_dirty_pages, fs/fs-writeback.c's wb_writeback, v6.6): reclaim
// never writes a file page from direct reclaim or MADV_PAGEOUT, only kswapd does, and only a
// page it already marked PG_reclaim once it has seen nothing but unqueued dirty file pages
// (PGDAT_DIRTY); a batch of nothing but such pages wakes the flusher instead; a writer past the
// freerun ceiling wakes it for background write-back; the flusher cleans each page's PTEs as it
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

TEST(Writeback, DirectReclaimLeavesDirtyFilePagesToTheFlusherItWakes) {
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
    EXPECT_EQ(r.k->reclaim(4, cycles), 0u) << "nothing but dirty file pages: nothing freed";
    EXPECT_EQ(r.k->stats().file_writebacks, 0u) << "direct reclaim writes no file page";
    EXPECT_GE(r.k->stats().file_dirty_activated, 4u) << "each sent back to the active list, PG_reclaim";
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
    const std::uint64_t throttles = r.k->stats().writeback_throttles;
    EXPECT_EQ(r.k->reclaim(4, cycles), 4u);
    EXPECT_EQ(r.k->stats().writeback_rotations, 4u);
    EXPECT_EQ(r.k->stats().writeback_throttles, throttles);
    EXPECT_EQ(r.k->stats().file_pages_dropped, 4u);
    r.expect_clean();
}

TEST(Writeback, ABatchWithACleanPageWakesNoFlusher) {
    KernelRig r;
    r.k->thread_start(1);
    r.k->mmap(1, kBase, 2 * kPageSize, false, true, 7, 0);
    ASSERT_TRUE(r.touch(1, kBase + kPageSize)); /* read: clean */
    ASSERT_TRUE(r.touch(1, kBase, true));       /* written: dirty */
    r.k->lru_add_drain_cpu(0);
    r.k->set_kthread_waker([](IKernelThread &) { return false; });
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
    r.k->set_kthread_waker([](IKernelThread &) { return false; }); /* the flusher never runs */
    std::uint64_t cycles = 0;
    EXPECT_FALSE(r.k->pgdat_dirty());
    EXPECT_EQ(r.k->reclaim(1, cycles, /*direct=*/false), 0u);
    EXPECT_EQ(r.k->stats().file_writebacks, 0u) << "first seen: PG_reclaim set, not written";
    EXPECT_TRUE(r.k->pgdat_dirty()) << "kswapd took only unqueued dirty file pages";
    const std::uint64_t syncs = r.kmem.tlb_syncs;
    EXPECT_EQ(r.k->reclaim(1, cycles, /*direct=*/false), 0u) << "written, not yet freed";
    EXPECT_EQ(r.k->stats().file_writebacks, 1u) << "seen again, PG_reclaim, PGDAT_DIRTY: pageout";
    EXPECT_EQ(r.k->dirty_file_pages(), 0u);
    EXPECT_EQ(r.kmem.tlb_syncs, syncs) << "already unmapped on the first pass: no TLBI to wait for";
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

/* balance_dirty_pages: a writer wakes the flusher once the dirty pages pass the freerun
 * ceiling, (background + dirty threshold) / 2 of the dirtyable memory, and the flusher writes
 * until they are at the background threshold. vm.dirty_ratio = 1 and
 * vm.dirty_background_ratio = 0: the ceiling is half of 1% of the dirtyable pages, and the
 * flusher writes every dirty page. */
TEST(Writeback, AWriterPastTheFreerunCeilingWakesTheFlusherForBackgroundWriteback) {
    KernelConfig kc = small_swap();
    kc.dirty_ratio = 1;
    kc.dirty_background_ratio = 0;
    KernelRig r({}, kc);
    r.k->thread_start(1);
    r.k->mmap(1, kBase, kPageSize, false);
    ASSERT_TRUE(r.touch(1, kBase, true)); /* the user buffer */
    std::uint64_t page = 0;
    std::uint64_t ceiling = 0;
    while (r.k->stats().flusher_wakeups_background == 0 && page < 100000) {
        ceiling = (r.k->dirtyable_pages() / 100) / 2; /* thresh = 1% of it, bg = 0 */
        ASSERT_LE(r.k->dirty_file_pages(), ceiling) << "at or below the ceiling, no wake-up yet";
        ASSERT_EQ(r.k->user_copy(1, kBase, 8, false, false, false, 3, page * kPageSize).error, 8);
        ++page;
    }
    ASSERT_EQ(r.k->stats().flusher_wakeups_background, 1u);
    EXPECT_GT(ceiling, 1000u) << "virt-4g-mte: about 5,000 pages";
    EXPECT_GE(page, ceiling + 1) << "the wake-up came with the page that passed it";
    EXPECT_LE(page, ceiling + 16) << "(the dirtyable memory moves a little as the cache grows)";
    EXPECT_EQ(r.k->dirty_file_pages(), 0u) << "written down to the background threshold, 0";
    EXPECT_EQ(r.k->stats().flusher_writebacks, page);
    EXPECT_EQ(r.k->stats().file_writebacks, 0u);
    r.expect_clean();
}
