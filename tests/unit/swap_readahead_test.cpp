// Swap-in readahead (mm/swap_state.c v6.6: swap_vma_readahead, swap_ra_info, __swapin_nr_pages):
// the window's size and place from hand-worked cases, then a sequential swap-in whose reads,
// readahead pages and hits are counted from the window rule, with every tag checked.
#include "mtesim/kernel/kernel.h"
#include "mtesim/kernel/shadow_tag_checker.h"
#include "mtesim/kernel/swap_readahead.h"
#include "mtesim/kernel/user_pte.h"
#include "kernel_rig.h"

#include <gtest/gtest.h>

#include <vector>

using namespace mtesim;
using test::async_swap;
using test::kBase;
using test::KernelRig;

namespace {
constexpr std::uint64_t kPage = 4096;
/* Process 1's first @pages pages, tagged, swapped out and, their writes done, freed from the
 * swap cache by reclaim: each swap PTE names a slot holding the page's bytes and tags. */
void swapped_out_and_freed(KernelRig &r, unsigned pages) {
    r.tagged_pages(1, pages);
    r.k->lru_add_drain_cpu(0);
    r.k->pageout(1, kBase, pages * kPage);
    r.kmem.io_wait(200000); /* every write has completed */
    std::uint64_t cycles = 0;
    ASSERT_EQ(r.k->reclaim(pages, cycles), pages);
    ASSERT_EQ(r.k->swap_cache_pages(), 0u);
}

Vma vma_at(std::uint64_t start, std::uint64_t pages) {
    Vma v;
    v.start = start;
    v.end = start + pages * kPage;
    return v;
}
}  // namespace

TEST(SwapReadahead, WindowSizeFollowsHitsAndNeverShrinksBelowHalf) {
    // No hits: 2 pages for a fault next to the last one (either side), else 1.
    EXPECT_EQ(swapin_nr_pages(100, 101, 0, 8, 0), 2u);
    EXPECT_EQ(swapin_nr_pages(100, 99, 0, 8, 0), 2u);
    EXPECT_EQ(swapin_nr_pages(100, 105, 0, 8, 0), 1u);
    // hits + 2, rounded up to a power of two from 4, at most the maximum.
    EXPECT_EQ(swapin_nr_pages(100, 105, 1, 8, 0), 4u);
    EXPECT_EQ(swapin_nr_pages(100, 105, 2, 8, 0), 4u);
    EXPECT_EQ(swapin_nr_pages(100, 105, 3, 8, 0), 8u);
    EXPECT_EQ(swapin_nr_pages(100, 105, 30, 8, 0), 8u);
    EXPECT_EQ(swapin_nr_pages(100, 105, 30, 4, 0), 4u);
    // Not below half the last window.
    EXPECT_EQ(swapin_nr_pages(100, 105, 0, 8, 8), 4u);
    EXPECT_EQ(swapin_nr_pages(100, 101, 0, 8, 8), 4u);
}

TEST(SwapReadahead, WindowLiesAheadBehindOrAroundTheFaultWithinVmaAndPmd) {
    const std::uint64_t base = 0x40000000; /* 2 MiB aligned */
    Vma v = vma_at(base, 1024);            /* 4 MiB: two PMDs */
    // A first fault: no history, one page; the state now names it.
    SwapRaWindow w = swap_ra_window(v, base + 10 * kPage, 8);
    EXPECT_EQ(w.pages, 1u);
    EXPECT_EQ(v.swap_ra.addr, base + 10 * kPage);
    EXPECT_EQ(v.swap_ra.win, 1u);
    // The next page: 2 pages ahead of it.
    w = swap_ra_window(v, base + 11 * kPage, 8);
    EXPECT_EQ(w.start, base + 11 * kPage);
    EXPECT_EQ(w.pages, 2u);
    // The page before the last: the window behind it. 3 hits since: 5 -> 8 pages.
    v.swap_ra.hits = 3;
    w = swap_ra_window(v, base + 10 * kPage, 8);
    EXPECT_EQ(w.start, base + 3 * kPage);
    EXPECT_EQ(w.pages, 8u);
    EXPECT_EQ(v.swap_ra.hits, 0u) << "a readahead clears the hits";
    // Elsewhere: around the fault, (8 - 1) / 2 = 3 pages before it (the last window 8: not
    // below 4; with 1 hit, 4 -> max(4, 4)); here 4 pages, 1 before.
    v.swap_ra.hits = 1;
    w = swap_ra_window(v, base + 100 * kPage, 8);
    EXPECT_EQ(w.start, base + 99 * kPage);
    EXPECT_EQ(w.pages, 4u);
    // Clamped to the fault's PMD: a fault on the second PMD's first page, elsewhere than the last
    // (no hits, but not below half the last window of 8): 4 pages around it, [511, 515), cut at
    // the PMD boundary to [512, 515).
    v.swap_ra = Vma::SwapRa{base + 700 * kPage, 8, 0};
    w = swap_ra_window(v, base + 512 * kPage, 8);
    EXPECT_EQ(w.start, base + 512 * kPage);
    EXPECT_EQ(w.pages, 3u);
    // Clamped to the VMA's end.
    v.swap_ra = Vma::SwapRa{base + 1022 * kPage, 1, 3};
    w = swap_ra_window(v, base + 1023 * kPage, 8);
    EXPECT_EQ(w.start, base + 1023 * kPage);
    EXPECT_EQ(w.pages, 1u) << "[1023, 1031) cut at the VMA's end";
    // page_cluster 0: one page, and the state is not touched.
    v.swap_ra = Vma::SwapRa{};
    w = swap_ra_window(v, base + 5 * kPage, 1);
    EXPECT_EQ(w.pages, 1u);
    EXPECT_EQ(v.swap_ra.addr, 0u);
}

/* 16 tagged pages swapped out and freed from the swap cache, then touched in order. The
 * windows (above): page 0 a first fault, 1 page; page 1 follows it, 2 pages (page 2 read
 * ahead); page 2 a hit; page 3: 1 hit -> 4 pages (4-6 ahead); 4-6 hits; page 7: 3 hits -> 8
 * pages (8-14 ahead); 8-14 hits; page 15: 7 hits -> 16, at most 8, and nothing beyond page 15 is
 * swapped. So 5 faults read from the device (0, 1, 3, 7, 15) and 11 pages are read ahead, all
 * hit. */
TEST(SwapReadahead, ASequentialSwapInReadsAheadAndHitsAsTheWindowGrows) {
    KernelRig r({}, async_swap());
    swapped_out_and_freed(r, 16);
    const std::uint64_t reads = r.k->swap_device().reads();
    for (unsigned i = 0; i < 16; ++i) ASSERT_TRUE(r.touch(1, kBase + i * kPage)) << i;
    EXPECT_EQ(r.k->stats().swap_ins, 5u);
    EXPECT_EQ(r.k->stats().swap_readahead, 11u);
    EXPECT_EQ(r.k->stats().swap_readahead_hits, 11u);
    EXPECT_EQ(r.k->stats().swap_cache_hits, 11u);
    EXPECT_EQ(r.k->swap_device().reads() - reads, 16u);
    // Read faults keep every page in the swap cache with its slot (should_try_to_free_swap).
    EXPECT_EQ(r.k->stats().swap_cache_kept, 16u);
    EXPECT_EQ(r.k->swap_slots().used(), 16u);
    EXPECT_EQ(r.k->swap_tags().entries(), 16u);
    for (unsigned i = 0; i < 16; ++i) r.expect_pattern(1, kBase + i * kPage, i);
    r.expect_clean();
}

/* With vm.page_cluster 0 no page is read ahead: 16 faults, 16 reads. */
TEST(SwapReadahead, PageClusterZeroReadsOnlyTheFaultingPage) {
    KernelConfig kc = async_swap();
    kc.page_cluster = 0;
    KernelRig r({}, kc);
    swapped_out_and_freed(r, 16);
    for (unsigned i = 0; i < 16; ++i) ASSERT_TRUE(r.touch(1, kBase + i * kPage)) << i;
    EXPECT_EQ(r.k->stats().swap_ins, 16u);
    EXPECT_EQ(r.k->stats().swap_readahead, 0u);
    r.expect_clean();
}

/* Pages read ahead and never touched are clean swap-cache pages: reclaim frees them, their
 * slots and saved tags staying with the swap PTEs. A page whose read is still in flight is
 * locked: munmap leaves it in the swap cache, holding its slot (free_swap_and_cache's trylock
 * fails), until reclaim frees it. */
TEST(SwapReadahead, UntouchedReadaheadPagesAreReclaimedAndTheirSlotsKept) {
    KernelRig r({}, async_swap());
    swapped_out_and_freed(r, 8);
    std::uint64_t cycles = 0;
    // Stores: each fault frees its slot, so only the page read ahead stays in the swap cache.
    ASSERT_TRUE(r.touch(1, kBase + 3 * kPage, true)); /* a first fault: 1 page */
    ASSERT_TRUE(r.touch(1, kBase + 4 * kPage, true)); /* follows it: pages 4 and 5 */
    EXPECT_EQ(r.k->stats().swap_readahead, 1u);
    EXPECT_EQ(r.k->swap_cache_pages(), 1u);
    r.expect_clean();
    r.kmem.io_wait(200000); /* page 5's read has completed */
    EXPECT_EQ(r.k->reclaim(1, cycles), 1u);
    EXPECT_EQ(r.k->swap_cache_pages(), 0u);
    EXPECT_EQ(r.kind(1, kBase + 5 * kPage), upte::Kind::swap);
    EXPECT_EQ(r.k->swap_slots().used(), 6u) << "pages 0-2 and 5-7";
    r.expect_clean();
    ASSERT_TRUE(r.touch(1, kBase + 5 * kPage, true)); /* follows page 4 (no hits): pages 5 and 6 */
    r.expect_pattern(1, kBase + 5 * kPage, 5);
    EXPECT_EQ(r.k->stats().swap_readahead, 2u);
    r.k->munmap(1, kBase, 0x100000);
    EXPECT_EQ(r.k->swap_slots().used(), 1u) << "page 6's, its read in flight";
    EXPECT_EQ(r.k->swap_tags().entries(), 1u);
    EXPECT_EQ(r.k->swap_cache_pages(), 1u);
    r.expect_clean();
    r.kmem.io_wait(200000);
    EXPECT_EQ(r.k->reclaim(1, cycles), 1u);
    EXPECT_EQ(r.k->swap_slots().used(), 0u);
    EXPECT_EQ(r.k->swap_tags().entries(), 0u);
    EXPECT_EQ(r.k->user_pages(), 0u);
    r.expect_clean();
}

/* A window's reads are submitted together after the fault's own (blk_finish_plug), a run of
 * consecutive slots as one request: pages 4-6, read ahead by the fault on page 3 (1 hit: a window
 * of 4 pages), complete together, their data (3 pages at 2000 MB/s) right after the fault's
 * page's on the device's data path; page by page they would complete one transfer apart. */
TEST(SwapReadahead, AWindowsConsecutiveSlotsAreOneRequestAfterTheFaultsOwnRead) {
    KernelRig r({}, async_swap());
    swapped_out_and_freed(r, 8);
    std::vector<std::uint64_t> slots;
    for (unsigned i = 0; i < 8; ++i) slots.push_back(upte::swap_slot(r.pte(1, kBase + i * kPage)));
    for (unsigned i = 4; i <= 6; ++i) ASSERT_EQ(slots[i], slots[i - 1] + 1) << "the slots of pages 3-6 follow one another";
    for (unsigned i = 0; i < 4; ++i) ASSERT_TRUE(r.touch(1, kBase + i * kPage)) << i;
    ASSERT_EQ(r.k->stats().swap_readahead, 4u) << "page 2 (by page 1's fault), pages 4-6";
    const std::uint64_t fault_done = r.k->find_user_page(upte::pfn(r.pte(1, kBase + 3 * kPage)))->locked_until_ps;
    for (unsigned i = 4; i <= 6; ++i) {
        const auto pfn = r.k->page_of_swap_slot(slots[i]);
        ASSERT_TRUE(pfn.has_value()) << i;
        EXPECT_EQ(r.k->find_user_page(*pfn)->locked_until_ps, fault_done + 3 * 2048000u) << "page " << i;
    }
    r.expect_clean();
}
