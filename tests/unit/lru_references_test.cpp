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
 * write-back first): its access flag survives the scan. An asynchronous swap device's write
 * keeps page 0 under write-back after MADV_PAGEOUT; touched again meanwhile (swapped in from the
 * swap cache, a young PTE), it stays young through a kswapd pass that passes it over. */
TEST(LruReferences, APageUnderWriteBackKeepsItsAccessFlag) {
    Rig r({}, test::async_swap());
    anon_pages(r, 1);
    r.k->pageout(1, kBase, kPageSize);
    ASSERT_TRUE(r.touch(1, kBase));
    const UserPage &pg = page_at(r, 1, kBase);
    ASSERT_TRUE(pg.under_writeback(r.kmem.now_ps()));
    ASSERT_TRUE(pg.maps.front().young);
    std::uint64_t cycles = 0;
    r.k->reclaim(1, cycles, false); /* kswapd's: it does not wait for the write */
    EXPECT_TRUE(page_at(r, 1, kBase).maps.front().young);
    EXPECT_EQ(r.k->stats().lru_kept, 0u);
    EXPECT_EQ(r.k->stats().lru_activations, 0u);
}
