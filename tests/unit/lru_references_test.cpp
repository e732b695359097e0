// Reclaim's reference checks (mm/vmscan.c folio_check_references and mm/swap.c
// folio_mark_accessed, v6.6, classic LRU): the PTEs' access flags (UserPage::Mapping::young)
// apart from PG_referenced (UserPage::referenced). A page referenced once through its PTE is
// kept inactive on its first scan and activated only if referenced again; more than one young
// PTE activates at once; a page-cache page read once by read(2) is reclaimed clean at its first
// scan, one read twice is activated by the second read.
#include "kernel_rig.h"

#include <gtest/gtest.h>

using namespace mtesim;
using test::kBase;
using Rig = test::KernelRig;

namespace {
/* Process 1 with @pages anonymous pages at kBase, each written once (a young PTE each). */
void anon_pages(Rig &r, unsigned pages) {
    r.k->thread_start(1);
    r.k->mmap(1, kBase, pages * kPageSize, false);
    for (unsigned i = 0; i < pages; ++i) ASSERT_TRUE(r.touch(1, kBase + i * kPageSize, true));
}
const UserPage &page_at(Rig &r, std::uint32_t pid, std::uint64_t va) {
    return *r.k->find_user_page(upte::pfn(r.pte(pid, va)));
}
}  // namespace

/* Four pages each touched once since their fault: the first scan of each keeps it inactive with
 * PG_referenced set (FOLIOREF_KEEP), clearing its access flag and dropping its TLB entry; the
 * second scan of the oldest finds it unreferenced since and swaps it out. Nothing is activated. */
TEST(LruReferences, APageReferencedOnceIsKeptInactiveThenReclaimed) {
    Rig r;
    anon_pages(r, 4);
    const std::uint64_t tlbis = r.tlb.pages;
    std::uint64_t cycles = 0;
    EXPECT_EQ(r.k->reclaim(1, cycles), 1u);
    EXPECT_EQ(r.k->stats().lru_kept, 4u);
    EXPECT_EQ(r.k->stats().lru_activations, 0u);
    EXPECT_EQ(r.kind(1, kBase), upte::Kind::swap) << "the oldest page went";
    EXPECT_EQ(r.tlb.pages - tlbis, 4u + 1u) << "four young entries dropped, and the unmapped page's";
    for (unsigned i = 1; i < 4; ++i) {
        const UserPage &pg = page_at(r, 1, kBase + i * kPageSize);
        EXPECT_TRUE(pg.referenced);
        EXPECT_FALSE(pg.maps.front().young);
        EXPECT_EQ(pg.list, LruLists::inactive_anon);
    }
    r.expect_clean();
}

/* Page 1 touched again after the first scan kept it: the next scan finds it young with
 * PG_referenced (referenced on two scans) and activates it (FOLIOREF_ACTIVATE); page 2, kept and
 * not touched since, is the one swapped out. */
TEST(LruReferences, APageReferencedAgainAfterItWasKeptIsActivated) {
    Rig r;
    anon_pages(r, 4);
    std::uint64_t cycles = 0;
    ASSERT_EQ(r.k->reclaim(1, cycles), 1u);
    ASSERT_TRUE(r.touch(1, kBase + kPageSize));
    EXPECT_TRUE(page_at(r, 1, kBase + kPageSize).maps.front().young);
    EXPECT_EQ(r.k->reclaim(1, cycles), 1u);
    EXPECT_EQ(r.k->stats().lru_activations, 1u);
    EXPECT_EQ(page_at(r, 1, kBase + kPageSize).list, LruLists::active_anon);
    EXPECT_EQ(r.kind(1, kBase + 2 * kPageSize), upte::Kind::swap);
    EXPECT_EQ(r.kind(1, kBase + 3 * kPageSize), upte::Kind::present);
    r.expect_clean();
}

/* After fork a page's PTE in the child is old (copy_present_pte: pte_mkold). Page 0 read by the
 * child too has two young PTEs: activated at its first scan (referenced_ptes > 1). Page 1, young
 * in the parent only, is kept, and then swapped out with both its PTEs. */
TEST(LruReferences, APageYoungInTwoProcessesIsActivatedAtOnce) {
    Rig r;
    anon_pages(r, 2);
    ASSERT_EQ(r.k->fork(1, 2).outcome, KernelOutcome::ok);
    EXPECT_FALSE(page_at(r, 2, kBase).maps.back().young) << "the child's entry starts old";
    ASSERT_TRUE(r.touch(2, kBase));
    std::uint64_t cycles = 0;
    EXPECT_EQ(r.k->reclaim(1, cycles), 1u);
    EXPECT_EQ(r.k->stats().lru_activations, 1u);
    EXPECT_EQ(r.k->stats().lru_kept, 1u);
    EXPECT_EQ(page_at(r, 1, kBase).list, LruLists::active_anon);
    EXPECT_EQ(r.kind(1, kBase + kPageSize), upte::Kind::swap);
    EXPECT_EQ(r.kind(2, kBase + kPageSize), upte::Kind::swap);
    r.expect_clean();
}

/* read(2) marks a page-cache page accessed: the first read sets PG_referenced, a second one
 * activates it (folio_mark_accessed). Page 1, read once and mapped nowhere, is reclaimed at its
 * first scan (FOLIOREF_RECLAIM_CLEAN: clean, so dropped) with no second chance; page 0 stays. */
TEST(LruReferences, AFilePageReadOnceIsReclaimedAndOneReadTwiceIsActivated) {
    Rig r;
    constexpr std::uint32_t kFile = 7;
    r.k->thread_start(1);
    r.k->read_file(1, kFile, 0, 2 * kPageSize);
    const auto p0 = r.k->page_cache_find(kFile, 0), p1 = r.k->page_cache_find(kFile, 1);
    ASSERT_TRUE(p0 && p1);
    EXPECT_TRUE(r.k->find_user_page(*p1)->referenced);
    r.k->read_file(1, kFile, 0, kPageSize);
    EXPECT_EQ(r.k->stats().lru_accessed_activations, 1u);
    EXPECT_FALSE(r.k->find_user_page(*p0)->referenced) << "activation clears PG_referenced";
    std::uint64_t cycles = 0;
    EXPECT_EQ(r.k->reclaim(1, cycles), 1u);
    EXPECT_EQ(r.k->stats().lru_activations, 0u);
    EXPECT_EQ(r.k->stats().lru_kept, 0u);
    EXPECT_EQ(r.k->stats().file_pages_dropped, 1u);
    EXPECT_FALSE(r.k->page_cache_find(kFile, 1).has_value());
    ASSERT_TRUE(r.k->page_cache_find(kFile, 0).has_value());
    EXPECT_EQ(r.k->find_user_page(*r.k->page_cache_find(kFile, 0))->list, LruLists::active_file)
        << "the second read activated it (in the LRU-add batch: on the active list once drained)";
    r.expect_clean();
}

/* A page under write-back is not looked at for references (shrink_folio_list handles
 * write-back first): its access flag survives the look, and the page is activated
 * (activate_locked), not as a referenced page is. An asynchronous swap device's write keeps
 * page 0 under write-back after MADV_PAGEOUT; touched again meanwhile (swapped in from the swap
 * cache, a young PTE), it stays young through kswapd's look at it. The call stops after that
 * one look: on lists this short, the balance that follows would deactivate it again, and
 * shrink_active_list's folio_referenced clears the flag. */
TEST(LruReferences, APageUnderWriteBackKeepsItsAccessFlag) {
    Rig r({}, test::async_swap());
    anon_pages(r, 1);
    r.k->pageout(1, kBase, kPageSize);
    ASSERT_TRUE(r.touch(1, kBase));
    const UserPage &pg = page_at(r, 1, kBase);
    ASSERT_TRUE(pg.under_writeback(r.kmem.now_ps()));
    ASSERT_TRUE(pg.maps.front().young);
    std::uint64_t cycles = 0;
    ReclaimLooks looks;
    looks.limit = 1;
    r.k->reclaim(1, cycles, false, &looks); /* kswapd's: it does not wait for the write */
    EXPECT_TRUE(page_at(r, 1, kBase).maps.front().young);
    EXPECT_EQ(page_at(r, 1, kBase).list, LruLists::active_anon) << "activate_locked";
    EXPECT_EQ(r.k->stats().lru_writeback_activations, 1u);
    EXPECT_EQ(r.k->stats().lru_kept, 0u);
    EXPECT_EQ(r.k->stats().lru_activations, 0u);
}

/* Deactivation (shrink_active_list) clears the access flags but leaves PG_referenced. Pages 0
 * and 1, read by a forked child too (two young PTEs each), are activated at their first scan
 * (PG_referenced set); page 0, deactivated, is swapped out to the device's one slot. With swap
 * full, anonymous pages are no longer scanned, but a reclaim that frees a page-cache page still
 * deactivates page 1: it reaches the inactive list with PG_referenced and no young PTE. */
TEST(LruReferences, DeactivationClearsTheAccessFlagsButNotPgReferenced) {
    Rig r({}, test::small_swap(1));
    anon_pages(r, 2);
    ASSERT_EQ(r.k->fork(1, 2).outcome, KernelOutcome::ok);
    ASSERT_TRUE(r.touch(2, kBase));
    ASSERT_TRUE(r.touch(2, kBase + kPageSize));
    std::uint64_t cycles = 0;
    ASSERT_EQ(r.k->reclaim(1, cycles), 1u);
    EXPECT_EQ(r.k->stats().lru_activations, 2u);
    ASSERT_EQ(r.kind(1, kBase), upte::Kind::swap);
    ASSERT_EQ(r.k->swap_slots().used(), 1u) << "swap full";
    ASSERT_EQ(page_at(r, 1, kBase + kPageSize).list, LruLists::active_anon);
    r.k->read_file(1, 7, 0, kPageSize);
    EXPECT_EQ(r.k->reclaim(1, cycles), 1u);
    EXPECT_EQ(r.k->stats().file_pages_dropped, 1u);
    const UserPage &pg = page_at(r, 1, kBase + kPageSize);
    EXPECT_EQ(pg.list, LruLists::inactive_anon);
    EXPECT_TRUE(pg.referenced);
    for (const UserPage::Mapping &m : pg.maps) EXPECT_FALSE(m.young);
    r.expect_clean();
}

/* MADV_PAGEOUT clears PG_referenced but not the PTEs' access flags (madvise_cold_or_pageout_pte_range
 * clears them only for MADV_COLD): page 0, mapped back while its swap write runs, stays young
 * through a second MADV_PAGEOUT that cannot free it. */
TEST(LruReferences, PageoutLeavesTheAccessFlags) {
    Rig r({}, test::async_swap());
    anon_pages(r, 1);
    r.k->pageout(1, kBase, kPageSize);
    ASSERT_TRUE(r.touch(1, kBase));
    ASSERT_TRUE(page_at(r, 1, kBase).under_writeback(r.kmem.now_ps()));
    r.k->pageout(1, kBase, kPageSize);
    ASSERT_EQ(r.kind(1, kBase), upte::Kind::present) << "not freed: its write still runs";
    EXPECT_TRUE(page_at(r, 1, kBase).maps.front().young);
    EXPECT_FALSE(page_at(r, 1, kBase).referenced);
}

/* madvise_cold_or_pageout_pte_range (v6.6) leaves alone a folio mapped more than once, file
 * pages included ("Do not interfere with other mappings of this folio": folio_mapcount != 1), and
 * one not on an LRU list: page 0 of file 7, mapped by processes 1 and 2, stays mapped in both and
 * cached; process 1's anonymous page, faulted on CPU 2 and still in that CPU's LRU-add batch
 * (MADV_PAGEOUT drains only its own CPU's), is not swapped out; page 1 of the file, mapped by
 * process 1 alone, is dropped. */
TEST(LruReferences, PageoutLeavesSharedPagesAndOtherCpusBatchesAlone) {
    Rig r;
    constexpr std::uint32_t kFile = 7;
    for (std::uint32_t pid : {1u, 2u}) {
        r.k->thread_start(pid);
        r.k->mmap(pid, kBase, 2 * kPageSize, false, true, kFile, 0);
        ASSERT_TRUE(r.touch(pid, kBase));
    }
    ASSERT_TRUE(r.touch(1, kBase + kPageSize));
    r.k->mmap(1, kBase + 0x100000, kPageSize, false);
    r.kmem.cpu = 2;
    ASSERT_TRUE(r.touch(1, kBase + 0x100000, true));
    r.kmem.cpu = 0;
    const Pfn anon(upte::pfn(r.pte(1, kBase + 0x100000)));
    ASSERT_GE(r.k->find_user_page(anon)->batch_cpu, 0) << "in CPU 2's batch";
    const auto p0 = r.k->page_cache_find(kFile, 0), p1 = r.k->page_cache_find(kFile, 1);
    ASSERT_TRUE(p0 && p1);
    ASSERT_EQ(r.k->find_user_page(*p0)->maps.size(), 2u);
    r.k->pageout(1, kBase, 2 * kPageSize);
    r.k->pageout(1, kBase + 0x100000, kPageSize);
    EXPECT_EQ(r.kind(1, kBase), upte::Kind::present) << "mapped twice: left alone";
    EXPECT_EQ(r.kind(2, kBase), upte::Kind::present);
    EXPECT_TRUE(r.k->page_cache_find(kFile, 0));
    EXPECT_FALSE(r.k->page_cache_find(kFile, 1)) << "mapped once: dropped";
    EXPECT_EQ(r.kind(1, kBase + 0x100000), upte::Kind::present) << "not on an LRU list: left alone";
    EXPECT_EQ(r.k->stats().swap_outs, 0u);
    r.expect_clean();
}

/* munmap of a file page whose PTE is young marks the page accessed (zap_pte_range:
 * folio_mark_accessed for a page that is not anonymous), so the reference outlives the entry:
 * page 0, mapped and touched, is PG_referenced once unmapped; page 1, read once by read(2)
 * first (PG_referenced), is activated by the unmap of its young PTE. */
TEST(LruReferences, UnmappingAYoungFilePageMarksItAccessed) {
    Rig r;
    constexpr std::uint32_t kFile = 7;
    r.k->thread_start(1);
    r.k->read_file(1, kFile, kPageSize, kPageSize);
    r.k->mmap(1, kBase, 2 * kPageSize, false, true, kFile, 0);
    ASSERT_TRUE(r.touch(1, kBase));
    ASSERT_TRUE(r.touch(1, kBase + kPageSize));
    const auto p0 = r.k->page_cache_find(kFile, 0), p1 = r.k->page_cache_find(kFile, 1);
    ASSERT_TRUE(p0 && p1);
    EXPECT_FALSE(r.k->find_user_page(*p0)->referenced) << "a fault marks the PTE young, not the page";
    EXPECT_EQ(r.k->munmap(1, kBase, 2 * kPageSize).error, 0);
    EXPECT_TRUE(r.k->find_user_page(*p0)->referenced);
    EXPECT_EQ(r.k->stats().lru_accessed_activations, 1u);
    EXPECT_EQ(r.k->find_user_page(*p1)->list, LruLists::active_file);
    r.expect_clean();
}

/* A read that goes on in the page the last read of the file ended in does not mark that page
 * again (filemap_read: pos_same_folio with ra->prev_pos): 1 KiB reads one after another mark
 * page 0 once, and no page is activated; a read from the start again after a read that ended
 * in page 1 marks page 0 a second time and activates it. */
TEST(LruReferences, SequentialSmallReadsMarkAPageOnce) {
    Rig r;
    constexpr std::uint32_t kFile = 7;
    r.k->thread_start(1);
    for (std::uint64_t off = 0; off < 2 * kPageSize; off += 1024) r.k->read_file(1, kFile, off, 1024);
    EXPECT_EQ(r.k->stats().lru_accessed_activations, 0u);
    const auto p0 = r.k->page_cache_find(kFile, 0);
    ASSERT_TRUE(p0);
    EXPECT_TRUE(r.k->find_user_page(*p0)->referenced);
    r.k->read_file(1, kFile, 0, 1024);
    EXPECT_EQ(r.k->stats().lru_accessed_activations, 1u);
    r.expect_clean();
}

/* A dirty file page with PG_referenced alone is reclaimed only if clean (FOLIOREF_RECLAIM_CLEAN):
 * even kswapd under PGDAT_DIRTY does not write it at that look. Page 0 of a file, written whole
 * by write(2) (dirty, never marked accessed), is found dirty by a first kswapd pass (PG_reclaim
 * set, PGDAT_DIRTY). In a second pass kswapd writes it at its first look; when a read(2) marked
 * it accessed in between, that first look keeps it on the inactive list unwritten
 * (shrink_folio_list's keep_locked: not activated, as kswapd could write it), having cleared
 * PG_referenced (folio_test_clear_referenced), and the write comes at the next look. */
namespace {
struct SecondPass {
    std::uint64_t writebacks = 0, dirty_activated = 0, dirty_kept = 0;
};
SecondPass second_kswapd_pass(bool read_between) {
    Rig r;
    test::Waker waker(*r.k); /* the flusher reclaim wakes does not run here: the page stays dirty */
    constexpr std::uint32_t kFile = 7;
    r.k->thread_start(1);
    r.k->mmap(1, kBase, kPageSize, false);
    EXPECT_TRUE(r.touch(1, kBase, true));
    EXPECT_EQ(r.k->user_copy(1, kBase, kPageSize, false, false, false, kFile, 0).error, static_cast<std::int64_t>(kPageSize));
    std::uint64_t cycles = 0;
    r.k->reclaim(1, cycles, false);
    EXPECT_TRUE(r.k->pgdat_dirty());
    const auto w = r.k->page_cache_find(kFile, 0);
    EXPECT_TRUE(w && r.k->find_user_page(*w)->reclaim && r.k->find_user_page(*w)->dirty);
    EXPECT_EQ(r.k->stats().file_writebacks, 0u) << "not PGDAT_DIRTY yet at the first pass";
    if (read_between) r.k->read_file(1, kFile, 0, 64);
    const std::uint64_t activated = r.k->stats().file_dirty_activated;
    r.k->reclaim(1, cycles, false);
    return {r.k->stats().file_writebacks, r.k->stats().file_dirty_activated - activated, r.k->stats().file_dirty_kept};
}
}  // namespace

TEST(LruReferences, KswapdDoesNotWriteADirtyFilePageWithPgReferencedAlone) {
    const SecondPass plain = second_kswapd_pass(false), read = second_kswapd_pass(true);
    EXPECT_EQ(plain.writebacks, 1u);
    EXPECT_EQ(plain.dirty_activated, 0u) << "written at its first look";
    EXPECT_EQ(plain.dirty_kept, 0u);
    EXPECT_EQ(read.writebacks, 1u) << "written at its second look";
    EXPECT_EQ(read.dirty_kept, 1u) << "the first look (RECLAIM_CLEAN) keeps it unwritten";
    EXPECT_EQ(read.dirty_activated, 0u) << "kept inactive, not activated: kswapd could write it";
}

/* read(2) marks the batch's first page at the lookup and each later page as the copy reaches it
 * (filemap_read's "if (i > 0) folio_mark_accessed(folio)" before copy_folio_to_iter), so a copy
 * that stops early leaves the pages after the one it stopped in unmarked. Process 1's buffer is
 * two pages at kBase, the second PROT_MTE with tag 5; a read of three file pages into it with
 * pointer tag 0 copies file page 0 and stops at file page 1's first byte (the tag mismatch),
 * having reached page 1 but not page 2. */
TEST(LruReferences, ReadMarksEachLaterPageAsItsCopyReachesIt) {
    Rig r;
    constexpr std::uint32_t kFile = 7;
    r.k->thread_start(1);
    r.k->mmap(1, kBase, kPageSize, false);
    r.k->mmap(1, kBase + kPageSize, kPageSize, true);
    ASSERT_TRUE(r.touch(1, kBase, true));
    ASSERT_TRUE(r.touch(1, kBase + kPageSize, true));
    for (std::uint64_t g = 0; g < kPageSize / 16; ++g) r.stg(1, kBase + kPageSize + 16 * g, 0x5);
    EXPECT_EQ(r.k->user_copy(1, kBase, 3 * kPageSize, true, true, false, kFile, 0).error,
              static_cast<std::int64_t>(kPageSize));
    for (std::uint64_t i = 0; i < 3; ++i) {
        const auto pfn = r.k->page_cache_find(kFile, i);
        ASSERT_TRUE(pfn) << "page " << i << ": the batch looked up all three";
        EXPECT_EQ(r.k->find_user_page(*pfn)->referenced, i < 2) << "page " << i;
    }
    // One buffer page from file byte 2048: its copy takes file bytes 2048-6143 and reaches file
    // page 1 halfway (the batch: pages 0 and 1). Both are marked, page 1 by the copy alone.
    constexpr std::uint32_t kOther = 8;
    EXPECT_EQ(r.k->user_copy(1, kBase, kPageSize, true, true, false, kOther, 2048).error,
              static_cast<std::int64_t>(kPageSize));
    EXPECT_FALSE(r.k->page_cache_find(kOther, 2)) << "not in the batch";
    for (std::uint64_t i = 0; i < 2; ++i) {
        const auto pfn = r.k->page_cache_find(kOther, i);
        ASSERT_TRUE(pfn) << "page " << i;
        EXPECT_TRUE(r.k->find_user_page(*pfn)->referenced) << "page " << i;
    }
    r.expect_clean();
}

/* activate_locked, then folio_rotate_reclaimable: a page reclaim finds under write-back goes to
 * the active list, out of the scans' way (Linux since 4.11, "mm: vmscan: move dirty pages out of
 * the way until they're flushed"), and its write's end moves it from there to the inactive tail,
 * where the next reclaim frees it first. Page 0, paged out to an asynchronous device, is in the
 * swap cache under write-back when kswapd looks at it. */
TEST(LruReferences, APageFoundUnderWriteBackIsActivatedAndItsWritesEndMovesItToTheInactiveTail) {
    Rig r({}, test::async_swap());
    anon_pages(r, 1);
    const Pfn pfn(upte::pfn(r.pte(1, kBase)));
    r.k->pageout(1, kBase, kPageSize);
    ASSERT_EQ(r.k->swap_cache_pages(), 1u);
    ASSERT_TRUE(r.k->find_user_page(pfn)->under_writeback(r.kmem.now_ps()));
    std::uint64_t cycles = 0;
    ReclaimLooks looks;
    looks.limit = 1;
    EXPECT_EQ(r.k->reclaim(1, cycles, false, &looks), 0u);
    EXPECT_EQ(r.k->find_user_page(pfn)->list, LruLists::active_anon);
    EXPECT_EQ(r.k->stats().lru_writeback_activations, 1u);
    r.kmem.io_wait(1000000); /* 1 ms: the write is done */
    EXPECT_EQ(r.k->reclaim(1, cycles), 1u);
    EXPECT_EQ(r.k->stats().writeback_rotations, 1u) << "from the active list to the inactive tail";
    EXPECT_EQ(r.k->stats().lru_writeback_activations, 1u);
    EXPECT_EQ(r.k->swap_cache_pages(), 0u);
    r.expect_clean();
}

/* A page a chain of kswapd's passes wrote counts among the pages it knows only busy (its
 * inactive list's pages under write-back); found there again, still under write-back, and
 * activated, it no longer counts, so the chain goes on to the pages behind it. The first call
 * (stopped at 32 looks) keeps each of 16 young pages once and swaps each out at its second look:
 * 16 writes in flight (82 us each on this device), 16 busy pages known. 16 more pages are touched;
 * the second call of the same chain activates the 16 written ones as it finds them, then swaps the
 * new ones out in turn. Were the activated pages still counted, the chain would think the 16
 * new pages busy and stop before them. */
TEST(LruReferences, APageWrittenByAChainAndActivatedLaterInItNoLongerCountsAsBusy) {
    Rig r({}, test::async_swap());
    anon_pages(r, 16);
    std::uint64_t cycles = 0;
    ReclaimLooks looks;
    looks.limit = 32;
    EXPECT_EQ(r.k->reclaim(16, cycles, false, &looks), 0u);
    ASSERT_EQ(r.k->stats().swap_outs, 16u);
    ASSERT_EQ(looks.anon_busy, 16u);
    r.k->mmap(1, kBase + 16 * kPageSize, 16 * kPageSize, false);
    for (unsigned i = 16; i < 32; ++i) ASSERT_TRUE(r.touch(1, kBase + i * kPageSize, true));
    looks.limit = 0;
    r.k->reclaim(16, cycles, false, &looks);
    EXPECT_EQ(r.k->stats().lru_writeback_activations, 16u);
    EXPECT_EQ(r.k->stats().swap_outs, 32u) << "the new pages were swapped out too";
    EXPECT_EQ(looks.anon_busy, 16u) << "the 16 new pages written; the activated ones no longer counted";
    r.expect_clean();
}

/* A pinned anonymous page not in the swap cache gets no swap slot (v6.6 shrink_folio_list:
 * folio_maybe_dma_pinned -> keep_locked): once its references allow reclaim it stays mapped on the
 * inactive list, not activated, and the next page goes instead. Page 0, the oldest, is pinned. */
TEST(LruReferences, APinnedAnonymousPageIsKeptInactiveWithoutASwapSlot) {
    Rig r;
    anon_pages(r, 4);
    r.k->pin(1, kBase, kPageSize, true);
    const Pfn pfn(upte::pfn(r.pte(1, kBase)));
    std::uint64_t cycles = 0;
    EXPECT_EQ(r.k->reclaim(1, cycles), 1u);
    EXPECT_EQ(r.k->stats().lru_kept, 4u) << "each page's first look: one young PTE";
    EXPECT_EQ(r.k->stats().pinned_skipped, 1u) << "page 0's second look";
    EXPECT_EQ(r.k->stats().lru_activations, 0u);
    const UserPage *pg = r.k->find_user_page(pfn);
    ASSERT_NE(pg, nullptr);
    EXPECT_EQ(pg->list, LruLists::inactive_anon) << "keep_locked, not activate_locked";
    EXPECT_FALSE(pg->swapcache()) << "no slot for a pinned page";
    EXPECT_EQ(r.kind(1, kBase), upte::Kind::present);
    EXPECT_EQ(r.kind(1, kBase + kPageSize), upte::Kind::swap) << "the next oldest went instead";
    EXPECT_EQ(r.k->stats().swap_outs, 1u);
    r.k->pin(1, kBase, kPageSize, false);
    r.expect_clean();
}

/* A pinned file page is unmapped as any other (try_to_unmap does not fail on a pin), then
 * activated, not freed: "Folio is unmapped now so it cannot be newly pinned anymore"
 * (shrink_folio_list, since v6.4: activate_locked). Process 1 reads page 0 of file 7 through a
 * private mapping, which reads a window around it, and pins page 0; reclaim takes every other
 * page. A look at page 0 alone then activates it. Unpinned, it is reclaimed: the unpin finds the
 * page through the file though reclaim unmapped it (unpin_user_page holds the page). */
TEST(LruReferences, APinnedFilePageIsUnmappedAndActivatedNotFreed) {
    Rig r;
    r.k->thread_start(1);
    r.k->mmap(1, kBase, 64 * kPageSize, false, true, 7, 0);
    ASSERT_TRUE(r.touch(1, kBase));
    r.k->pin(1, kBase, kPageSize, true);
    const Pfn pfn(upte::pfn(r.pte(1, kBase)));
    r.k->lru_add_drain_cpu(0);
    std::uint64_t cycles = 0;
    r.k->reclaim(1000, cycles);
    ASSERT_EQ(r.k->page_cache_pages(), 1u) << "the rest of the window freed";
    const UserPage *pg = r.k->find_user_page(pfn);
    ASSERT_NE(pg, nullptr) << "not freed";
    EXPECT_TRUE(pg->maps.empty()) << "unmapped";
    EXPECT_NE(r.kind(1, kBase), upte::Kind::present);
    const std::uint64_t skipped = r.k->stats().pinned_skipped;
    EXPECT_GE(skipped, 1u);
    ReclaimLooks looks;
    looks.limit = 1;
    EXPECT_EQ(r.k->reclaim(1, cycles, true, &looks), 0u);
    EXPECT_EQ(r.k->stats().pinned_skipped, skipped + 1) << "one look";
    EXPECT_EQ(r.k->find_user_page(pfn)->list, LruLists::active_file) << "activate_locked";
    r.k->pin(1, kBase, kPageSize, false);
    EXPECT_EQ(r.k->find_user_page(pfn)->pins, 0u) << "unpinned though unmapped";
    EXPECT_EQ(r.k->stats().unpins, 1u);
    r.k->reclaim(1, cycles);
    EXPECT_EQ(r.k->find_user_page(pfn), nullptr) << "freed once unpinned";
    r.expect_clean();
}

/* shrink_folio_list tests PG_writeback before it tries to unmap a page, which a pin makes fail:
 * a pinned page under write-back is case 2 (marked, counted as nr_writeback, activated), not a
 * pinned page passed over. Page 0 is paged out to an asynchronous device, written back in place
 * from the swap cache while its write runs (it keeps its slot: exclusive), and pinned. */
TEST(LruReferences, APinnedPageUnderWriteBackIsHandledAsUnderWriteBack) {
    Rig r({}, test::async_swap());
    anon_pages(r, 1);
    const Pfn pfn(upte::pfn(r.pte(1, kBase)));
    r.k->pageout(1, kBase, kPageSize);
    ASSERT_TRUE(r.touch(1, kBase, true));
    ASSERT_EQ(upte::pfn(r.pte(1, kBase)), pfn) << "reused in place";
    r.k->pin(1, kBase, kPageSize, true);
    ASSERT_EQ(r.k->find_user_page(pfn)->pins, 1u);
    ASSERT_TRUE(r.k->find_user_page(pfn)->under_writeback(r.kmem.now_ps()));
    std::uint64_t cycles = 0;
    ReclaimLooks looks;
    looks.limit = 1;
    r.k->reclaim(1, cycles, false, &looks);
    EXPECT_EQ(r.k->stats().pinned_skipped, 0u);
    EXPECT_EQ(r.k->stats().lru_writeback_activations, 1u);
    EXPECT_EQ(looks.writeback, 1u) << "nr_writeback";
    r.k->pin(1, kBase, kPageSize, false);
    r.expect_clean();
}
