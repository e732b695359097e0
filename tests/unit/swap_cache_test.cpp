// The swap cache and anonymous write-back (mm/vmscan.c's shrink_folio_list with an
// asynchronous swap device, mm/memory.c's do_swap_page, mm/swapfile.c's free_swap_and_cache):
// a page swapped out to an NVMe-like device stays in memory, in the swap cache, while its write
// runs; a later reclaim pass frees it; a fault before that maps it back without a read; the
// last swap PTE's going frees it unless the write is in flight; migration moves it. On a
// synchronous device (zram) the page is freed in the swap-out's own pass. The shadow tag
// checker runs throughout: no tag may be lost.
#include "mtesim/kernel/kernel.h"
#include "mtesim/kernel/shadow_tag_checker.h"
#include "mtesim/kernel/user_pte.h"
#include "kernel_rig.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

using namespace mtesim;

using test::async_swap;
using test::kBase;
using test::KernelRig;
using test::small_swap;

namespace {
/* Process 1's one tagged page paged out to the asynchronous device and stored to at once:
 * written back in place from the swap cache (it keeps its slot, exclusive) while its write runs;
 * @pfn its frame. */
void page_reused_in_place(KernelRig &r, Pfn &pfn) {
    r.tagged_pages(1, 1);
    pfn = Pfn(upte::pfn(r.pte(1, kBase)));
    r.k->pageout(1, kBase, kPageSize);
    ASSERT_TRUE(r.touch(1, kBase, true)) << "written back in place from the swap cache";
    ASSERT_EQ(upte::pfn(r.pte(1, kBase)), pfn);
}

/* Process 1 with @pages tagged pages, each filled with the tag pattern seeded by its index, all
 * paged out (MADV_PAGEOUT). */
void tagged_and_paged_out(KernelRig &r, unsigned pages) {
    r.tagged_pages(1, pages);
    r.k->lru_add_drain_cpu(0); /* on the LRU lists: only write-back can stand in a migration's way */
    r.k->pageout(1, kBase, pages * kPageSize);
    for (unsigned i = 0; i < pages; ++i) ASSERT_EQ(r.kind(1, kBase + i * kPageSize), upte::Kind::swap);
}

/* vm.data: the NUL-terminated @msg written into process 1's page at kBase, 40 bytes in; and
 * @n bytes read back from there (up to the first NUL). */
void write_message(KernelRig &r, const char *msg) {
    r.k->page_data().write(phys_of(upte::pfn(r.pte(1, kBase))) + 40, reinterpret_cast<const std::uint8_t *>(msg),
                           std::strlen(msg) + 1);
}
std::string read_message(KernelRig &r, std::size_t n) {
    std::vector<char> back(n + 1, '\0');
    r.k->page_data().read(phys_of(upte::pfn(r.pte(1, kBase))) + 40, reinterpret_cast<std::uint8_t *>(back.data()), n);
    return std::string(back.data());
}

/* Process 1 forks process 2, whose thread starts. */
void forked(KernelRig &r) {
    ASSERT_EQ(r.k->fork(1, 2).outcome, Kernel::Outcome::ok);
    r.k->thread_created(2);
    r.k->thread_start(2);
}

/* The device's write time (async_swap: 80 us of latency, 4 KiB at 2000 MB/s) and then some. */
constexpr double kPastTheWriteNs = 100000;

/* Page 0 of process 1 (its pages already there) swapped out, written, freed by reclaim, and
 * read back by a load, which keeps it in the swap cache with its slot; returns the slot. */
std::uint64_t kept_by_a_read(KernelRig &r) {
    r.k->pageout(1, kBase, kPageSize);
    const std::uint64_t slot = upte::swap_slot(r.pte(1, kBase));
    r.kmem.io_wait(kPastTheWriteNs);
    std::uint64_t cycles = 0;
    EXPECT_EQ(r.k->reclaim(1, cycles), 1u);
    EXPECT_TRUE(r.touch(1, kBase));
    EXPECT_EQ(r.k->stats().swap_cache_kept, 1u);
    return slot;
}
}  // namespace

TEST(SwapCache, AnAsynchronousSwapOutKeepsThePageUntilALaterReclaimPassFreesIt) {
    KernelRig r({}, async_swap());
    tagged_and_paged_out(r, 1);
    const std::uint64_t slot = upte::swap_slot(r.pte(1, kBase));
    EXPECT_TRUE(upte::swap_exclusive(r.pte(1, kBase))) << "the page was exclusive: so is its swap entry";
    EXPECT_EQ(r.k->stats().swap_outs, 1u);
    EXPECT_EQ(r.k->stats().swap_writebacks, 1u);
    EXPECT_EQ(r.k->swap_cache_pages(), 1u);
    EXPECT_EQ(r.k->user_pages(), 1u) << "the page is still in memory";
    EXPECT_EQ(r.k->swap_slots().references(slot), 1u);
    EXPECT_TRUE(r.k->swap_slots().cached(slot));
    EXPECT_EQ(r.k->swap_tags().entries(), 1u) << "tags saved at the write (arch_prepare_to_swap)";
    // The issuer paid the transfer only: 4096 B at 2000 MB/s.
    EXPECT_NEAR(r.kmem.io_ns, 2048.0, 1.0);
    r.expect_clean();
    // Direct reclaim finds only the page under write-back: it waits for the write (the
    // throttle: 80 us of latency remain) and frees the page in its next pass.
    std::uint64_t cycles = 0;
    EXPECT_EQ(r.k->reclaim(1, cycles), 1u);
    EXPECT_EQ(r.k->stats().writeback_throttles, 1u);
    EXPECT_NEAR(r.kmem.io_ns, 82048.0, 1.0);
    EXPECT_EQ(r.k->stats().swap_cache_reclaimed, 1u);
    EXPECT_EQ(r.k->swap_cache_pages(), 0u);
    EXPECT_EQ(r.k->user_pages(), 0u);
    EXPECT_FALSE(r.k->swap_slots().cached(slot));
    EXPECT_EQ(r.k->swap_slots().used(), 1u) << "the swap PTE still names the slot";
    EXPECT_EQ(r.k->swap_tags().entries(), 1u);
    r.expect_clean();
    // A read now reads the page from the device, and the saved tags come back. The page stays
    // in the swap cache with its slot, mapped read-only (do_swap_page: should_try_to_free_swap
    // is false for a read fault with swap not half full).
    const std::uint64_t reads = r.k->swap_device().reads();
    ASSERT_TRUE(r.touch(1, kBase));
    EXPECT_EQ(r.k->swap_device().reads(), reads + 1);
    EXPECT_EQ(r.k->stats().swap_ins, 1u);
    EXPECT_EQ(r.k->stats().tags_restored_swap, 1u);
    EXPECT_EQ(r.k->stats().swap_cache_hits, 0u);
    EXPECT_EQ(r.k->stats().swap_cache_kept, 1u);
    EXPECT_EQ(r.k->swap_slots().used(), 1u);
    EXPECT_EQ(r.k->swap_tags().entries(), 1u);
    EXPECT_FALSE(upte::writable(r.pte(1, kBase)));
    r.expect_pattern(1, kBase, 0);
    r.expect_clean();
    // mprotect(PROT_READ|PROT_WRITE) leaves it read-only: a store must still fault.
    EXPECT_EQ(r.k->mprotect(1, kBase, 0x100000, true, false).error, 0);
    EXPECT_EQ(r.k->mprotect(1, kBase, 0x100000, true, true).error, 0);
    EXPECT_FALSE(upte::writable(r.pte(1, kBase)));
    r.expect_clean();
    // A store faults (do_wp_page). The page was exclusive when it was swapped out, so its swap
    // entry was, and the swap-in mapped it PageAnonExclusive: it is reused in place and stays in
    // the swap cache with its slot and saved tags (v6.6), now stale.
    ASSERT_TRUE(r.touch(1, kBase, true));
    EXPECT_TRUE(upte::writable(r.pte(1, kBase)));
    EXPECT_EQ(r.k->stats().swap_cache_reused, 1u);
    EXPECT_EQ(r.k->stats().cow_reuses, 1u);
    EXPECT_EQ(r.k->swap_slots().used(), 1u);
    EXPECT_EQ(r.k->swap_tags().entries(), 1u);
    EXPECT_EQ(r.k->swap_cache_pages(), 1u);
    r.expect_pattern(1, kBase, 0);
    r.expect_clean();
    // Dirtied in place, it keeps its write permission through mprotect (it need not fault again).
    EXPECT_EQ(r.k->mprotect(1, kBase, 0x100000, true, false).error, 0);
    EXPECT_FALSE(upte::writable(r.pte(1, kBase)));
    EXPECT_EQ(r.k->mprotect(1, kBase, 0x100000, true, true).error, 0);
    EXPECT_TRUE(upte::writable(r.pte(1, kBase)));
    r.expect_clean();
}

/* A page a read fault kept in the swap cache is clean: reclaimed again, it is unmapped to the
 * same swap entry and freed with no second write; the next touch reads it from the device. */
TEST(SwapCache, APageKeptByAReadFaultIsReclaimedAgainWithoutASecondWrite) {
    KernelRig r({}, async_swap());
    r.tagged_pages(1, 1);
    const std::uint64_t slot = kept_by_a_read(r);
    const std::uint64_t writes = r.k->swap_device().writes();
    r.k->pageout(1, kBase, kPageSize);
    EXPECT_EQ(r.kind(1, kBase), upte::Kind::swap);
    EXPECT_EQ(upte::swap_slot(r.pte(1, kBase)), slot) << "the same entry";
    EXPECT_EQ(r.k->swap_device().writes(), writes) << "no second write";
    EXPECT_EQ(r.k->stats().swap_outs, 1u);
    EXPECT_EQ(r.k->stats().swap_clean_unmaps, 1u);
    EXPECT_EQ(r.k->swap_cache_pages(), 0u) << "freed at once: clean and not under write-back";
    EXPECT_EQ(r.k->user_pages(), 0u);
    r.expect_clean();
    ASSERT_TRUE(r.touch(1, kBase, true));
    EXPECT_EQ(r.k->stats().swap_ins, 2u);
    EXPECT_EQ(r.k->swap_slots().used(), 0u) << "a write fault frees the slot";
    r.expect_pattern(1, kBase, 0);
    r.expect_clean();
}

/* With swap more than half full (vm_swap_full), a read fault frees the slot as well: two pages
 * swapped out to a two-slot device. */
TEST(SwapCache, WithSwapMoreThanHalfFullAReadFaultFreesTheSlot) {
    KernelRig r({}, async_swap(2));
    tagged_and_paged_out(r, 2);
    ASSERT_EQ(r.k->swap_slots().used(), 2u);
    r.kmem.io_wait(kPastTheWriteNs); /* folio_free_swap refuses a page whose write runs */
    ASSERT_TRUE(r.touch(1, kBase));
    EXPECT_EQ(r.k->stats().swap_cache_kept, 0u);
    EXPECT_EQ(r.k->swap_slots().used(), 1u) << "page 1's";
    EXPECT_EQ(r.k->swap_cache_pages(), 1u) << "page 1, written, not yet reclaimed; page 0 left the swap cache";
    r.expect_clean();
}

/* The same read fault while the page's write still runs: folio_free_swap refuses it, so it
 * stays in the swap cache with its slot, mapped read-only. */
TEST(SwapCache, WithSwapMoreThanHalfFullAPageWhoseWriteRunsKeepsItsSlot) {
    KernelRig r({}, async_swap(2));
    tagged_and_paged_out(r, 2);
    ASSERT_TRUE(r.touch(1, kBase));
    EXPECT_EQ(r.k->stats().swap_cache_kept, 1u);
    EXPECT_EQ(r.k->swap_slots().used(), 2u);
    EXPECT_EQ(r.k->swap_cache_pages(), 2u);
    EXPECT_FALSE(upte::writable(r.pte(1, kBase)));
    r.expect_pattern(1, kBase, 0);
    r.expect_clean();
}

/* A kept page's tags change only through a store (STG), which makes the exclusive page writable
 * in place, its slot kept: paged out again, it is written to the same slot with its new tags
 * (arch_prepare_to_swap replaces the saved ones), and they come back. */
TEST(SwapCache, NewTagsOfAKeptPageAreWhatTheNextSwapOutSaves) {
    KernelRig r({}, async_swap());
    r.tagged_pages(1, 1);
    const std::uint64_t slot = kept_by_a_read(r);
    r.tag_page(1, kBase, 9); /* STGs: a write fault reuses the page in place, then the new tags */
    EXPECT_EQ(r.k->stats().swap_cache_reused, 1u);
    EXPECT_EQ(r.k->swap_cache_pages(), 1u);
    EXPECT_EQ(r.k->swap_slots().used(), 1u);
    r.expect_clean();
    const std::uint64_t writes = r.k->swap_device().writes();
    r.k->pageout(1, kBase, kPageSize);
    EXPECT_EQ(upte::swap_slot(r.pte(1, kBase)), slot) << "the same slot";
    EXPECT_EQ(r.k->swap_device().writes(), writes + 1);
    EXPECT_EQ(r.k->stats().swap_rewrites, 1u);
    EXPECT_EQ(r.k->stats().swap_clean_unmaps, 0u);
    EXPECT_EQ(r.k->stats().swap_outs, 2u) << "written again: its contents changed";
    r.kmem.io_wait(kPastTheWriteNs);
    std::uint64_t cycles = 0;
    ASSERT_EQ(r.k->reclaim(1, cycles), 1u);
    ASSERT_TRUE(r.touch(1, kBase));
    r.expect_pattern(1, kBase, 9);
    r.expect_clean();
}

/* A kept page shared by fork is read-only in both processes; reclaimed again, both PTEs become
 * its swap entry (the slot's count 2) with no write, and each process swaps in its own copy. */
TEST(SwapCache, AKeptPageSharedByForkIsUnmappedFromBothWithoutAWrite) {
    KernelRig r({}, async_swap());
    r.tagged_pages(1, 1);
    const std::uint64_t slot = kept_by_a_read(r);
    forked(r);
    EXPECT_FALSE(upte::writable(r.pte(2, kBase)));
    r.expect_clean();
    std::uint64_t cycles = 0;
    const std::uint64_t writes = r.k->swap_device().writes();
    // MADV_PAGEOUT leaves shared pages alone: reclaim it is.
    for (int i = 0; i < 4 && r.kind(1, kBase) != upte::Kind::swap; ++i) r.k->reclaim(64, cycles);
    ASSERT_EQ(r.kind(1, kBase), upte::Kind::swap);
    ASSERT_EQ(r.kind(2, kBase), upte::Kind::swap);
    EXPECT_EQ(upte::swap_slot(r.pte(2, kBase)), slot);
    EXPECT_EQ(r.k->swap_slots().references(slot), 2u);
    EXPECT_EQ(r.k->swap_device().writes(), writes);
    EXPECT_EQ(r.k->stats().swap_clean_unmaps, 1u);
    r.expect_clean();
    ASSERT_TRUE(r.touch(2, kBase, true));
    ASSERT_TRUE(r.touch(1, kBase, true));
    r.expect_pattern(1, kBase, 0);
    r.expect_pattern(2, kBase, 0);
    EXPECT_EQ(r.k->swap_slots().used(), 0u);
    r.expect_clean();
}

TEST(SwapCache, ASynchronousDeviceFreesThePageInTheSwapOutsOwnPass) {
    KernelRig r({}, small_swap());
    tagged_and_paged_out(r, 1);
    EXPECT_EQ(r.k->stats().swap_outs, 1u);
    EXPECT_EQ(r.k->stats().swap_writebacks, 0u);
    EXPECT_EQ(r.k->swap_cache_pages(), 0u);
    EXPECT_EQ(r.k->user_pages(), 0u);
    EXPECT_FALSE(r.k->swap_slots().cached(upte::swap_slot(r.pte(1, kBase))));
    r.expect_clean();
}

TEST(SwapCache, AFaultWhileTheWriteRunsMapsTheSamePageBackWithoutARead) {
    KernelRig r({}, async_swap());
    r.k->thread_start(1);
    r.k->mmap(1, kBase, 0x100000, true);
    ASSERT_TRUE(r.touch(1, kBase, true));
    r.tag_page(1, kBase, 5);
    const Pfn pfn = upte::pfn(r.pte(1, kBase));
    r.k->lru_add_drain_cpu(0);
    r.k->pageout(1, kBase, kPageSize);
    const std::uint64_t slot = upte::swap_slot(r.pte(1, kBase));
    const std::uint64_t reads = r.k->swap_device().reads(), free_before = r.alloc->free_pages();
    ASSERT_TRUE(r.touch(1, kBase, true));
    EXPECT_EQ(upte::pfn(r.pte(1, kBase)), pfn) << "the page itself, not a copy";
    EXPECT_TRUE(upte::tagged(r.pte(1, kBase)));
    EXPECT_TRUE(upte::writable(r.pte(1, kBase))) << "exclusive: mapped writable for the store";
    EXPECT_EQ(r.k->swap_device().reads(), reads) << "no device read";
    EXPECT_EQ(r.alloc->free_pages(), free_before) << "no allocation";
    EXPECT_EQ(r.k->stats().swap_cache_hits, 1u);
    EXPECT_EQ(r.k->stats().faults_swapin, 1u);
    EXPECT_EQ(r.k->stats().swap_ins, 0u);
    // folio_free_swap refuses a page under write-back: it stays in the swap cache, its slot
    // and saved tags with it, though the store makes them stale.
    EXPECT_EQ(r.k->stats().swap_cache_kept, 1u);
    EXPECT_EQ(r.k->swap_cache_pages(), 1u);
    EXPECT_EQ(r.k->swap_slots().used(), 1u);
    EXPECT_EQ(r.k->swap_tags().entries(), 1u);
    r.expect_pattern(1, kBase, 5);
    r.expect_clean();
    // Still under write-back: reclaim keeps it (shrink_folio_list), and an asynchronous
    // migration gives up on it, until the write ends.
    r.k->pageout(1, kBase, kPageSize);
    EXPECT_EQ(r.kind(1, kBase), upte::Kind::present);
    EXPECT_EQ(r.k->stats().swap_outs, 1u);
    std::uint64_t cycles = 0;
    EXPECT_FALSE(r.alloc->migrate_block(pfn, cycles));
    EXPECT_EQ(r.alloc->stats().migrate_busy_writeback, 1u);
    r.kmem.io_wait(kPastTheWriteNs);
    EXPECT_TRUE(r.alloc->migrate_block(pfn, cycles));
    r.expect_pattern(1, kBase, 5);
    r.expect_clean();
    // Dirtied while written: reclaim writes it to its slot once more.
    const std::uint64_t writes = r.k->swap_device().writes();
    r.k->pageout(1, kBase, kPageSize);
    EXPECT_EQ(upte::swap_slot(r.pte(1, kBase)), slot);
    EXPECT_EQ(r.k->swap_device().writes(), writes + 1);
    EXPECT_EQ(r.k->stats().swap_rewrites, 1u);
    r.expect_clean();
}

TEST(SwapCache, MunmapFreesAWrittenCachedPageAndLeavesOneInFlightToReclaim) {
    KernelRig r({}, async_swap());
    r.tagged_pages(1, 2);
    r.k->pageout(1, kBase, kPageSize); /* page 0's write */
    r.kmem.io_wait(kPastTheWriteNs);   /* has completed */
    r.k->pageout(1, kBase + kPageSize, kPageSize); /* page 1's is in flight */
    EXPECT_EQ(r.k->swap_cache_pages(), 2u);
    r.k->munmap(1, kBase, 0x100000);
    EXPECT_EQ(r.k->stats().swap_cache_zapped, 1u) << "page 0 goes with its swap PTE";
    EXPECT_EQ(r.k->swap_cache_pages(), 1u) << "page 1 stays until its write completes";
    EXPECT_EQ(r.k->user_pages(), 1u);
    EXPECT_EQ(r.k->swap_slots().used(), 1u) << "page 1's slot, held by the swap cache alone";
    EXPECT_EQ(r.k->swap_slots().total_references(), 0u);
    EXPECT_EQ(r.k->swap_tags().entries(), 1u) << "its saved tags stay with the slot";
    r.expect_clean();
    std::uint64_t cycles = 0;
    EXPECT_EQ(r.k->reclaim(1, cycles), 1u);
    EXPECT_EQ(r.k->stats().swap_cache_reclaimed, 1u);
    EXPECT_EQ(r.k->swap_cache_pages(), 0u);
    EXPECT_EQ(r.k->user_pages(), 0u);
    EXPECT_EQ(r.k->swap_slots().used(), 0u);
    EXPECT_EQ(r.k->swap_tags().entries(), 0u);
    r.expect_clean();
}

TEST(SwapCache, AMigratedCachedPageIsFoundAtItsNewPlace) {
    KernelRig r({}, async_swap());
    tagged_and_paged_out(r, 1);
    r.kmem.io_wait(kPastTheWriteNs);
    const Pfn old = *r.k->page_of_swap_slot(upte::swap_slot(r.pte(1, kBase)));
    std::uint64_t cycles = 0;
    ASSERT_TRUE(r.alloc->migrate_block(old, cycles));
    EXPECT_EQ(r.k->stats().user_pages_migrated, 1u);
    const auto now = r.k->page_of_swap_slot(upte::swap_slot(r.pte(1, kBase)));
    ASSERT_TRUE(now);
    EXPECT_NE(*now, old);
    r.expect_clean();
    const std::uint64_t reads = r.k->swap_device().reads();
    ASSERT_TRUE(r.touch(1, kBase));
    EXPECT_EQ(upte::pfn(r.pte(1, kBase)), *now);
    EXPECT_EQ(r.k->swap_device().reads(), reads);
    r.expect_pattern(1, kBase, 0);
    r.expect_clean();
}

TEST(SwapCache, AForkSharedSlotGivesEachSharerACopyOfTheCachedPage) {
    KernelRig r({}, async_swap());
    tagged_and_paged_out(r, 1);
    forked(r);
    const std::uint64_t slot = upte::swap_slot(r.pte(2, kBase));
    EXPECT_EQ(r.k->swap_slots().references(slot), 2u);
    const Pfn cached = *r.k->page_of_swap_slot(slot);
    const std::uint64_t reads = r.k->swap_device().reads(), copies = r.kmem.copies;
    ASSERT_TRUE(r.touch(2, kBase));
    EXPECT_NE(upte::pfn(r.pte(2, kBase)), cached) << "the child's own copy";
    EXPECT_EQ(r.kmem.copies, copies + 1) << "copied from the cached page";
    EXPECT_EQ(r.k->swap_device().reads(), reads);
    r.expect_pattern(2, kBase, 0);
    r.expect_clean();
    r.kmem.io_wait(kPastTheWriteNs); /* else folio_free_swap refuses it: see the next test */
    ASSERT_TRUE(r.touch(1, kBase, true));
    EXPECT_EQ(upte::pfn(r.pte(1, kBase)), cached) << "the last sharer maps the cached page itself";
    EXPECT_EQ(r.k->stats().swap_cache_hits, 2u);
    EXPECT_EQ(r.k->swap_slots().used(), 0u);
    EXPECT_EQ(r.k->swap_tags().entries(), 0u);
    r.expect_pattern(1, kBase, 0);
    r.expect_clean();
}

/* The parent, last sharer of a slot shared since fork, stores to the cached page while its write
 * still runs: the swap entry is not exclusive (fork cleared it), so do_swap_page maps the page
 * read-only and do_wp_page cannot reuse it (folio_free_swap refuses it under write-back): the
 * parent gets a copy, and the cached page stays in the swap cache until reclaim frees it. */
TEST(SwapCache, AStoreToAPageSharedSinceForkWhoseWriteRunsCopiesIt) {
    KernelRig r({}, async_swap());
    tagged_and_paged_out(r, 1);
    forked(r);
    EXPECT_FALSE(upte::swap_exclusive(r.pte(1, kBase))) << "copy_nonpresent_pte clears it";
    EXPECT_FALSE(upte::swap_exclusive(r.pte(2, kBase)));
    const std::uint64_t slot = upte::swap_slot(r.pte(2, kBase));
    const Pfn cached = *r.k->page_of_swap_slot(slot);
    ASSERT_TRUE(r.touch(2, kBase)); /* the child's own copy */
    const std::uint64_t copies = r.kmem.copies;
    ASSERT_TRUE(r.touch(1, kBase, true));
    EXPECT_NE(upte::pfn(r.pte(1, kBase)), cached) << "copied";
    EXPECT_TRUE(upte::writable(r.pte(1, kBase)));
    EXPECT_EQ(r.kmem.copies, copies + 1);
    EXPECT_EQ(r.k->stats().swap_writeback_copies, 1u);
    EXPECT_EQ(r.k->stats().cow_copies, 1u);
    EXPECT_EQ(r.k->stats().swap_cache_reused, 0u);
    EXPECT_EQ(r.k->swap_cache_pages(), 1u) << "the cached page, unmapped, its write running";
    r.expect_pattern(1, kBase, 0);
    r.expect_pattern(2, kBase, 0);
    r.expect_clean();
    r.kmem.io_wait(kPastTheWriteNs);
    std::uint64_t cycles = 0;
    EXPECT_EQ(r.k->reclaim(1, cycles), 1u);
    EXPECT_EQ(r.k->stats().swap_cache_reclaimed, 1u);
    EXPECT_EQ(r.k->user_pages(), 2u) << "the two copies";
    EXPECT_EQ(r.k->swap_tags().entries(), 0u);
    r.expect_clean();
}

/* A page read back from a swap entry that is not exclusive (shared at fork when it was swapped
 * out; the child has exited since) is kept without PageAnonExclusive: a store does not reuse it
 * in place but takes it out of the swap cache first (wp_can_reuse_anon_folio's folio_free_swap),
 * freeing its slot. */
TEST(SwapCache, AStoreToAKeptPageThatIsNotExclusiveFreesItsSlot) {
    KernelRig r({}, async_swap());
    tagged_and_paged_out(r, 1);
    forked(r);
    r.k->thread_exit(2);
    const std::uint64_t slot = upte::swap_slot(r.pte(1, kBase));
    ASSERT_EQ(r.k->swap_slots().references(slot), 1u);
    r.kmem.io_wait(kPastTheWriteNs);
    std::uint64_t cycles = 0;
    ASSERT_EQ(r.k->reclaim(1, cycles), 1u);
    ASSERT_TRUE(r.touch(1, kBase)); /* read from the device, kept */
    ASSERT_EQ(r.k->stats().swap_cache_kept, 1u);
    ASSERT_TRUE(r.touch(1, kBase, true));
    EXPECT_TRUE(upte::writable(r.pte(1, kBase)));
    EXPECT_EQ(r.k->stats().cow_reuses, 1u);
    EXPECT_EQ(r.k->stats().swap_cache_reused, 0u);
    EXPECT_EQ(r.k->swap_cache_pages(), 0u);
    EXPECT_EQ(r.k->swap_slots().used(), 0u);
    r.expect_pattern(1, kBase, 0);
    r.expect_clean();
    // Exclusive again after the reuse: swapped out anew, its entry is.
    r.k->pageout(1, kBase, kPageSize);
    EXPECT_TRUE(upte::swap_exclusive(r.pte(1, kBase)));
    r.expect_clean();
}

/* munmap of a page a fault kept in the swap cache while its write runs: the page stays until the
 * write completes (free_pages_and_swap_cache's folio_free_swap refuses it), unmapped, no longer
 * exclusive to anyone; reclaim then frees it with its slot. */
TEST(SwapCache, MunmapOfAKeptPageWhoseWriteRunsLeavesItForReclaim) {
    KernelRig r({}, async_swap());
    tagged_and_paged_out(r, 1);
    ASSERT_TRUE(r.touch(1, kBase, true)); /* kept: its write runs; reused in place */
    ASSERT_EQ(r.k->swap_cache_pages(), 1u);
    const Pfn page = upte::pfn(r.pte(1, kBase));
    ASSERT_EQ(r.k->munmap(1, kBase, kPageSize).error, 0);
    EXPECT_EQ(r.k->swap_cache_pages(), 1u);
    EXPECT_EQ(r.k->user_pages(), 1u);
    ASSERT_NE(r.k->find_user_page(page), nullptr);
    EXPECT_FALSE(r.k->find_user_page(page)->anon_exclusive) << "no mapping left to be exclusive to";
    r.expect_clean();
    r.kmem.io_wait(kPastTheWriteNs);
    std::uint64_t cycles = 0;
    EXPECT_EQ(r.k->reclaim(1, cycles), 1u);
    EXPECT_EQ(r.k->swap_cache_pages(), 0u);
    EXPECT_EQ(r.k->swap_slots().used(), 0u);
    EXPECT_EQ(r.k->swap_tags().entries(), 0u);
    r.expect_clean();
}

/* A read fault while the page's write runs keeps it in the swap cache, read-only; a store before
 * the write ends finds it exclusive and reuses it in place (do_wp_page does not look at the
 * write-back of an exclusive page), its slot kept, to be written again. */
TEST(SwapCache, AStoreWhileTheWriteRunsReusesAnExclusivePageInPlace) {
    KernelRig r({}, async_swap());
    tagged_and_paged_out(r, 1);
    const std::uint64_t slot = upte::swap_slot(r.pte(1, kBase));
    const Pfn cached = *r.k->page_of_swap_slot(slot);
    ASSERT_TRUE(r.touch(1, kBase));
    EXPECT_FALSE(upte::writable(r.pte(1, kBase)));
    ASSERT_TRUE(r.touch(1, kBase, true));
    EXPECT_EQ(upte::pfn(r.pte(1, kBase)), cached) << "no copy";
    EXPECT_TRUE(upte::writable(r.pte(1, kBase)));
    EXPECT_EQ(r.k->stats().swap_cache_reused, 1u);
    EXPECT_EQ(r.k->stats().swap_writeback_copies, 0u);
    EXPECT_EQ(r.k->swap_slots().used(), 1u);
    r.expect_clean();
    r.kmem.io_wait(kPastTheWriteNs);
    r.k->pageout(1, kBase, kPageSize);
    EXPECT_EQ(upte::swap_slot(r.pte(1, kBase)), slot);
    EXPECT_TRUE(upte::swap_exclusive(r.pte(1, kBase)));
    EXPECT_EQ(r.k->stats().swap_rewrites, 1u);
    r.expect_clean();
}

/* fork of a page dirtied in place while kept: shared read-only by both, no longer exclusive;
 * reclaimed, both PTEs become the slot's swap entry, not exclusive, and the page is written to
 * the slot again (its PTEs were dirty); each process swaps its own copy back in with the tags. */
TEST(SwapCache, AForkedReusedPageIsWrittenAgainWithSharedEntries) {
    KernelRig r({}, async_swap());
    r.tagged_pages(1, 1);
    const std::uint64_t slot = kept_by_a_read(r);
    r.tag_page(1, kBase, 6); /* reused in place, new tags */
    ASSERT_EQ(r.k->stats().swap_cache_reused, 1u);
    forked(r);
    EXPECT_FALSE(upte::writable(r.pte(1, kBase)));
    EXPECT_FALSE(upte::writable(r.pte(2, kBase)));
    r.expect_clean();
    std::uint64_t cycles = 0;
    for (int i = 0; i < 4 && r.kind(1, kBase) != upte::Kind::swap; ++i) r.k->reclaim(64, cycles);
    ASSERT_EQ(r.kind(1, kBase), upte::Kind::swap);
    ASSERT_EQ(r.kind(2, kBase), upte::Kind::swap);
    EXPECT_EQ(upte::swap_slot(r.pte(1, kBase)), slot);
    EXPECT_EQ(upte::swap_slot(r.pte(2, kBase)), slot);
    EXPECT_FALSE(upte::swap_exclusive(r.pte(1, kBase)));
    EXPECT_FALSE(upte::swap_exclusive(r.pte(2, kBase)));
    EXPECT_EQ(r.k->stats().swap_rewrites, 1u);
    EXPECT_EQ(r.k->swap_slots().references(slot), 2u);
    r.expect_clean();
    r.kmem.io_wait(kPastTheWriteNs);
    ASSERT_TRUE(r.touch(2, kBase, true));
    ASSERT_TRUE(r.touch(1, kBase, true));
    r.expect_pattern(1, kBase, 6);
    r.expect_pattern(2, kBase, 6);
    r.expect_clean();
}

/* With functional data on (vm.data), bytes stored into a kept page after its reuse in place
 * reach its slot when reclaim writes it again: the swap-in after that reads them back. */
TEST(SwapCache, DataStoredIntoAKeptPageReachItsSlot) {
    KernelConfig kc = async_swap();
    kc.data = true;
    KernelRig r({}, kc);
    r.tagged_pages(1, 1);
    kept_by_a_read(r);
    ASSERT_TRUE(r.touch(1, kBase, true));
    ASSERT_EQ(r.k->stats().swap_cache_reused, 1u);
    const char msg[] = "stored after the reuse in place";
    write_message(r, msg);
    r.k->pageout(1, kBase, kPageSize);
    ASSERT_EQ(r.k->stats().swap_rewrites, 1u);
    r.kmem.io_wait(kPastTheWriteNs);
    std::uint64_t cycles = 0;
    ASSERT_EQ(r.k->reclaim(1, cycles), 1u);
    ASSERT_EQ(r.k->user_pages(), 0u);
    ASSERT_TRUE(r.touch(1, kBase));
    EXPECT_EQ(read_message(r, sizeof msg), msg);
    r.expect_pattern(1, kBase, 0);
    r.expect_clean();
}

/* folio_rotate_reclaimable: a page whose write completes goes to its inactive tail, and
 * reclaim frees it before starting more writes. kswapd-style reclaim (no throttle) of 100
 * pages from 400 dirty anonymous ones: each swap-out costs the issuer 2,048 ns (4 KiB at
 * 2000 MB/s) and its write ends 82,048 ns after it started, so write i (from 1) is due once
 * i + 40 swap-outs have been issued (82,048 / 2,048 = 40.06); the 100th page is freed after
 * the 140th swap-out. Without the rotation the written pages would wait at the head of the
 * list behind every page not yet written out, and reclaim would write them all first. */
TEST(SwapCache, ACompletedWriteRotatesItsPageToTheTailSoReclaimFreesItNext) {
    KernelRig r({}, async_swap());
    r.k->thread_start(1);
    r.k->mmap(1, kBase, 400 * kPageSize, false);
    for (unsigned i = 0; i < 400; ++i) ASSERT_TRUE(r.touch(1, kBase + i * kPageSize, true));
    std::uint64_t cycles = 0;
    EXPECT_EQ(r.k->reclaim(100, cycles, false), 100u);
    EXPECT_EQ(r.k->stats().swap_outs, 140u);
    EXPECT_EQ(r.k->stats().writeback_rotations, 100u);
    EXPECT_EQ(r.k->stats().swap_cache_reclaimed, 100u);
    EXPECT_EQ(r.k->swap_cache_pages(), 40u) << "the writes still in flight";
    EXPECT_NEAR(r.kmem.io_ns, 140 * 2048.0, 1.0);
    r.expect_clean();
}

/* MADV_PAGEOUT clears the page's referenced bit and leaves a page it could not free (its write
 * in flight) on the inactive list: once the write completes, reclaim frees it at once, with no
 * second chance on the active list (madvise_cold_or_pageout_pte_range's folio_clear_referenced,
 * reclaim_pages' folio_clear_active). The page was just touched, so without that it would be
 * activated first. */
TEST(SwapCache, APageOutPageIsFreedWithoutASecondChanceOnceWritten) {
    KernelRig r({}, async_swap());
    r.tagged_pages(1, 1);
    r.k->pageout(1, kBase, kPageSize); /* drains the CPU's LRU-add batch itself */
    EXPECT_EQ(r.k->swap_cache_pages(), 1u);
    r.kmem.io_wait(kPastTheWriteNs);
    std::uint64_t cycles = 0;
    EXPECT_EQ(r.k->reclaim(1, cycles), 1u);
    EXPECT_EQ(r.k->stats().lru_activations, 0u);
    EXPECT_EQ(r.k->stats().writeback_rotations, 1u);
    EXPECT_EQ(r.k->swap_cache_pages(), 0u);
    r.expect_clean();
}

/* Reclaim reactivating a page a swap-in kept gives its slot back once swap is more than half
 * full (shrink_folio_list's activate_locked: folio_free_swap). A 4-slot device: page 0 swapped
 * out, freed, and read back (kept with its slot: 1 of 4 used); pages 1-3 swapped out then (4 of
 * 4). A forked child reads page 0 too, so two of its PTEs are young: reclaim activates it at its
 * first scan (folio_check_references: referenced_ptes > 1; a page young in one PTE would only be
 * kept inactive). Reclaim for 4 pages frees pages 1-3 (written, rotated to the tail), then
 * reactivates page 0 and frees its slot (3 of 4 used). Then the page, deactivated, is swapped
 * out again from both processes, to the slot just freed (the lowest); direct reclaim, one page
 * short, waits for that write and frees it too: 4 pages. */
TEST(SwapCache, ReactivatingAKeptPageWithSwapMoreThanHalfFullFreesItsSlot) {
    KernelRig r({}, async_swap(4));
    r.tagged_pages(1, 4);
    const std::uint64_t slot0 = kept_by_a_read(r);
    std::uint64_t cycles = 0;
    r.k->pageout(1, kBase + kPageSize, 3 * kPageSize);
    ASSERT_EQ(r.k->swap_slots().used(), 4u);
    forked(r);
    ASSERT_TRUE(r.touch(2, kBase));
    r.kmem.io_wait(kPastTheWriteNs);
    EXPECT_EQ(r.k->reclaim(4, cycles), 4u);
    EXPECT_EQ(r.k->stats().lru_activations, 1u);
    EXPECT_EQ(r.k->stats().swap_cache_reclaimed, 1u + 3u + 1u);
    EXPECT_EQ(r.k->stats().writeback_throttles, 1u);
    EXPECT_EQ(r.k->stats().swap_cache_freed_full, 1u);
    EXPECT_EQ(r.k->stats().swap_outs, 1u + 3u + 1u);
    EXPECT_EQ(r.kind(1, kBase), upte::Kind::swap);
    EXPECT_EQ(upte::swap_slot(r.pte(1, kBase)), slot0);
    EXPECT_EQ(r.kind(2, kBase), upte::Kind::swap);
    EXPECT_EQ(upte::swap_slot(r.pte(2, kBase)), slot0);
    EXPECT_EQ(r.k->swap_slots().used(), 4u);
    r.expect_clean();
    ASSERT_TRUE(r.touch(1, kBase, true));
    r.expect_pattern(1, kBase, 0);
    ASSERT_TRUE(r.touch(2, kBase));
    r.expect_pattern(2, kBase, 0);
    r.expect_clean();
}

/* MADV_DONTNEED of a kept page: its last mapping goes, no swap PTE names its slot and its write
 * is done, so the page leaves the swap cache and is freed with its slot and saved tags
 * (free_pages_and_swap_cache); the next touch is a new zeroed page with tags 0. */
TEST(SwapCache, DontneedOfAKeptPageFreesItWithItsSlot) {
    KernelRig r({}, async_swap());
    r.tagged_pages(1, 1);
    kept_by_a_read(r);
    ASSERT_EQ(r.k->swap_cache_pages(), 1u);
    ASSERT_EQ(r.k->swap_slots().used(), 1u);
    EXPECT_EQ(r.k->dontneed(1, kBase, kPageSize).outcome, KernelOutcome::ok);
    EXPECT_EQ(r.k->stats().swap_cache_zapped, 1u);
    EXPECT_EQ(r.k->swap_cache_pages(), 0u);
    EXPECT_EQ(r.k->swap_slots().used(), 0u);
    EXPECT_EQ(r.k->swap_tags().entries(), 0u);
    EXPECT_EQ(r.k->user_pages(), 0u);
    r.expect_clean();
    ASSERT_TRUE(r.touch(1, kBase));
    EXPECT_EQ(r.k->stats().faults_anon, 2u) << "the first touch of the test, and this one";
    EXPECT_EQ(r.tag_at(1, kBase), 0) << "a new page's tags are 0";
    r.expect_clean();
}

/* Migration of a kept page (mapped read-only, in the swap cache with its slot): the swap cache
 * follows it to its new frame, it stays read-only with its slot, and a store then reuses it in
 * place (still exclusive), the slot kept; the tags come along throughout. */
TEST(SwapCache, AMigratedKeptPageKeepsItsSlotThroughAStore) {
    KernelRig r({}, async_swap());
    r.tagged_pages(1, 1);
    kept_by_a_read(r);
    const Pfn before = upte::pfn(r.pte(1, kBase));
    std::uint64_t cycles = 0;
    ASSERT_TRUE(r.k->migrate_user_page(1, kBase, cycles));
    const Pfn after = upte::pfn(r.pte(1, kBase));
    EXPECT_NE(after, before);
    EXPECT_FALSE(upte::writable(r.pte(1, kBase))) << "still kept: read-only";
    EXPECT_EQ(r.k->swap_cache_pages(), 1u);
    EXPECT_EQ(r.k->swap_slots().used(), 1u);
    r.expect_pattern(1, kBase, 0);
    r.expect_clean();
    ASSERT_TRUE(r.touch(1, kBase, true));
    EXPECT_EQ(upte::pfn(r.pte(1, kBase)), after) << "reused in place";
    EXPECT_EQ(r.k->stats().cow_reuses, 1u);
    EXPECT_EQ(r.k->stats().swap_cache_reused, 1u);
    EXPECT_EQ(r.k->swap_slots().used(), 1u);
    EXPECT_EQ(r.k->swap_cache_pages(), 1u);
    r.expect_pattern(1, kBase, 0);
    r.expect_clean();
}

/* With functional data on (vm.data), a kept page reclaimed again without a write keeps its bytes
 * in the slot: the swap-in after the clean re-reclaim reads back what was written before the
 * first swap-out. */
TEST(SwapCache, DataSurvivesACleanReReclaim) {
    KernelConfig kc = async_swap();
    kc.data = true;
    KernelRig r({}, kc);
    r.tagged_pages(1, 1);
    const char msg[] = "kept and unmapped to the same slot";
    write_message(r, msg);
    kept_by_a_read(r);
    const std::uint64_t writes = r.k->swap_device().writes();
    r.k->pageout(1, kBase, kPageSize);
    ASSERT_EQ(r.k->stats().swap_clean_unmaps, 1u);
    EXPECT_EQ(r.k->swap_device().writes(), writes) << "no second write";
    ASSERT_TRUE(r.touch(1, kBase));
    EXPECT_EQ(read_message(r, sizeof msg), msg);
    r.expect_pattern(1, kBase, 0);
    r.expect_clean();
}

/* The same choice on the device-read path: both pages written and freed, so a read fault reads
 * page 0 from the device (into the swap cache, read_swap_cache_async); with both slots of the
 * 2-slot device in use, swap is more than half full (vm_swap_full), so the page leaves the swap
 * cache and its slot is freed (should_try_to_free_swap) instead of being kept. */
TEST(SwapCache, WithSwapMoreThanHalfFullAReadFromTheDeviceFreesTheSlot) {
    KernelRig r({}, async_swap(2));
    tagged_and_paged_out(r, 2);
    r.kmem.io_wait(kPastTheWriteNs);
    std::uint64_t cycles = 0;
    ASSERT_EQ(r.k->reclaim(2, cycles), 2u);
    ASSERT_EQ(r.k->swap_cache_pages(), 0u);
    const std::uint64_t reads = r.k->swap_device().reads();
    ASSERT_TRUE(r.touch(1, kBase));
    EXPECT_EQ(r.k->swap_device().reads(), reads + 1) << "read from the device";
    EXPECT_EQ(r.k->stats().swap_cache_kept, 0u);
    EXPECT_EQ(r.k->swap_slots().used(), 1u) << "page 1's";
    EXPECT_EQ(r.k->swap_cache_pages(), 0u);
    r.expect_pattern(1, kBase, 0);
    r.expect_clean();
}

/* The swap device's tags: with a hardware queue of 4 requests, MADV_PAGEOUT of 8 pages writes the
 * first 4 at once and then sleeps until a write completes and frees a tag (blk_mq_get_tag;
 * the first 4 complete close together, so one sleep may free several): each of the last 4 writes
 * starts no earlier than the end of the write 4 before it, so ends 80 us of latency after it.
 * Without the limit no write waits. */
TEST(SwapCache, AWriterSleepsForATagWhenTheSwapDevicesQueueIsFull) {
    for (std::uint32_t depth : {4u, 0u}) {
        KernelConfig kc = async_swap();
        kc.swap.queue_depth = depth;
        KernelRig r({}, kc);
        r.tagged_pages(1, 8);
        std::vector<Pfn> pfns;
        for (unsigned i = 0; i < 8; ++i) pfns.push_back(Pfn(upte::pfn(r.pte(1, kBase + i * kPageSize))));
        r.k->lru_add_drain_cpu(0);
        r.k->pageout(1, kBase, 8 * kPageSize);
        std::vector<std::uint64_t> ends;
        for (Pfn p : pfns) {
            const UserPage *pg = r.k->find_user_page(p);
            ASSERT_NE(pg, nullptr);
            ends.push_back(pg->writeback_end_ps);
        }
        std::sort(ends.begin(), ends.end());
        if (depth) {
            EXPECT_GE(r.k->stats().swap_tag_waits, 1u);
            EXPECT_GE(r.k->now_ps(), ends[3]) << "the issuer of the last write slept until the fourth's tag was free";
            EXPECT_GT(r.k->stats().swap_tag_wait_us, 0u);
            for (unsigned i = 4; i < 8; ++i)
                EXPECT_GE(ends[i], ends[i - 4] + 80000000ull) << "write " << i << " started after write " << i - 4 << " completed";
        } else {
            EXPECT_EQ(r.k->stats().swap_tag_waits, 0u);
            EXPECT_LT(r.k->now_ps(), ends[0]) << "the issuer did not wait for any write";
            EXPECT_LT(ends[7], ends[0] + 80000000ull) << "all in flight together";
        }
        r.expect_clean();
    }
}

/* MADV_PAGEOUT's reclaim_pages runs shrink_folio_list as global reclaim: a page it finds under
 * write-back is case 2 (writeback_throttling_sane), marked PG_reclaim and activated
 * (activate_locked), and its write's end moves it to the inactive tail. Page 0 is paged out to
 * an asynchronous device, touched back from the swap cache while its write runs, and paged out
 * again. */
TEST(SwapCache, MadvPageoutActivatesAPageItFindsUnderWriteBack) {
    KernelRig r({}, async_swap());
    r.tagged_pages(1, 1);
    const Pfn pfn(upte::pfn(r.pte(1, kBase)));
    r.k->pageout(1, kBase, kPageSize);
    ASSERT_TRUE(r.touch(1, kBase)) << "mapped back from the swap cache";
    ASSERT_EQ(upte::pfn(r.pte(1, kBase)), pfn);
    ASSERT_TRUE(r.k->find_user_page(pfn)->under_writeback(r.kmem.now_ps()));
    EXPECT_EQ(r.k->stats().lru_writeback_activations, 0u) << "the write this pageout started leaves it inactive";
    r.k->pageout(1, kBase, kPageSize);
    EXPECT_EQ(r.k->find_user_page(pfn)->list, LruLists::active_anon);
    EXPECT_EQ(r.k->stats().lru_writeback_activations, 1u);
    r.expect_clean();
}

/* The same with the page pinned while its write runs, written back in place from the swap cache:
 * MADV_PAGEOUT's path has no pin test of its own, and shrink_folio_list tests PG_writeback before
 * the unmapping a pin makes fail, so the page is activated as under write-back, not passed over
 * as pinned. */
TEST(SwapCache, MadvPageoutActivatesAPinnedPageItFindsUnderWriteBack) {
    KernelRig r({}, async_swap());
    Pfn pfn;
    ASSERT_NO_FATAL_FAILURE(page_reused_in_place(r, pfn));
    r.k->pin(1, kBase, kPageSize, true);
    ASSERT_EQ(r.k->find_user_page(pfn)->pins, 1u);
    ASSERT_TRUE(r.k->find_user_page(pfn)->under_writeback(r.kmem.now_ps()));
    r.k->pageout(1, kBase, kPageSize);
    EXPECT_EQ(r.k->stats().pinned_skipped, 0u);
    EXPECT_EQ(r.k->stats().lru_writeback_activations, 1u);
    EXPECT_EQ(r.k->find_user_page(pfn)->list, LruLists::active_anon);
    r.k->pin(1, kBase, kPageSize, false);
    r.expect_clean();
}

/* A pinned page MADV_PAGEOUT finds in the swap cache and mapped (written back in place, its
 * write complete) fails try_to_unmap (page_try_share_anon_rmap refuses a pinned exclusive page):
 * activated, still mapped and in the swap cache. (Until 2026-12-07 MADV_PAGEOUT passed every
 * pinned page over untouched.) */
TEST(SwapCache, MadvPageoutActivatesAPinnedPageItCannotUnmap) {
    KernelRig r({}, async_swap());
    Pfn pfn;
    ASSERT_NO_FATAL_FAILURE(page_reused_in_place(r, pfn));
    r.kmem.io_wait(1000000);
    r.k->pin(1, kBase, kPageSize, true);
    ASSERT_FALSE(r.k->find_user_page(pfn)->under_writeback(r.kmem.now_ps()));
    ASSERT_TRUE(r.k->find_user_page(pfn)->swapcache());
    r.k->pageout(1, kBase, kPageSize);
    EXPECT_EQ(r.k->stats().pinned_skipped, 1u);
    EXPECT_EQ(r.k->find_user_page(pfn)->list, LruLists::active_anon) << "activate_locked";
    EXPECT_TRUE(r.k->find_user_page(pfn)->swapcache());
    EXPECT_EQ(upte::pfn(r.pte(1, kBase)), pfn) << "still mapped";
    r.k->pin(1, kBase, kPageSize, false);
    r.expect_clean();
}
