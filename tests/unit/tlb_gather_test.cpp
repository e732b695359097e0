// TlbGather and TlbFlusher::range: munmap's and mprotect's TLB invalidation as one range flush
// (mmu_gather -> arm64 __flush_tlb_range, v6.6).
#include "kernel_rig.h"

#include "mtesim/kernel/tlb_flusher.h"

#include <gtest/gtest.h>

using namespace mtesim;
using mtesim::test::KernelRig;
using mtesim::test::kBase;

TEST(TlbFlusherRange, OneTlbiAPageWithoutRangeSupport) {
    EXPECT_EQ(TlbFlusher::range_ops(1, false), 1u);
    EXPECT_EQ(TlbFlusher::range_ops(37, false), 37u);
    EXPECT_EQ(TlbFlusher::range_ops(511, false), 511u);
}

/* __flush_tlb_range_op with FEAT_TLBIRANGE: an odd page alone, then at scale s one range TLBI
 * for ((pages >> (5s + 1)) & 31) << (5s + 1) pages, if that is not 0. */
TEST(TlbFlusherRange, RangeTlbisCoverTheCountScaleByScale) {
    EXPECT_EQ(TlbFlusher::range_ops(1, true), 1u) << "one page: a TLBI by VA";
    EXPECT_EQ(TlbFlusher::range_ops(2, true), 1u) << "2 pages: num 0 at scale 0";
    EXPECT_EQ(TlbFlusher::range_ops(3, true), 2u) << "one page, then 2";
    EXPECT_EQ(TlbFlusher::range_ops(64, true), 1u) << "64 = 1 << 6: one TLBI at scale 1";
    EXPECT_EQ(TlbFlusher::range_ops(65, true), 2u);
    EXPECT_EQ(TlbFlusher::range_ops(510, true), 2u) << "62 at scale 0, then 448 = 7 << 6 at scale 1";
    EXPECT_EQ(TlbFlusher::range_ops(511, true), 3u);
    EXPECT_EQ(TlbFlusher::range_ops(TlbFlusher::kMaxTlbiRangePages - 1, true), 5u) << "odd page, then 31 at each of the four scales";
}

namespace {
/* Process 1 with @pages pages of anonymous memory written, on CPUs with FEAT_TLBIRANGE or not. */
struct Touched {
    KernelRig r;
    Touched(std::uint64_t pages, bool ranged) {
        r.kmem.range_tlbi_supported = ranged;
        r.k->thread_start(1);
        EXPECT_EQ(r.k->mmap(1, kBase, pages * kPageSize, false).error, 0);
        for (std::uint64_t i = 0; i < pages; ++i) EXPECT_TRUE(r.touch(1, kBase + i * kPageSize, true));
    }
};
/* The counts a flush moves, taken before it. */
struct Counts {
    std::uint64_t range_flushes, range_tlbis, own_flushes, tables_freed, asid_flushes;
    explicit Counts(const KernelRig &r)
        : range_flushes(r.kmem.range_flushes), range_tlbis(r.kmem.range_tlbis), own_flushes(r.kmem.tlbis),
          tables_freed(r.k->stats().page_tables_freed), asid_flushes(r.tlb.asids) {}
};
}  // namespace

TEST(TlbGather, MprotectFlushesItsChangedPagesAsOneRange) {
    Touched t(8, false);
    KernelRig &r = t.r;
    const Counts c(r);
    const std::uint64_t dropped = r.tlb.pages;
    ASSERT_EQ(r.k->mprotect(1, kBase, 8 * kPageSize, false, false).error, 0);
    EXPECT_EQ(r.tlb.pages - dropped, 8u) << "each changed entry leaves the TLBs";
    EXPECT_EQ(r.kmem.range_flushes - c.range_flushes, 1u) << "one DSB ISH for the VMA";
    EXPECT_EQ(r.kmem.range_tlbis - c.range_tlbis, 8u) << "a TLBI a page without FEAT_TLBIRANGE";
    EXPECT_EQ(r.kmem.tlbis, c.own_flushes) << "no page flushed on its own";
    EXPECT_EQ(r.k->stats().tlb_range_flushes, 1u);
    r.expect_clean();
}

TEST(TlbGather, WithRangeSupportEightPagesAreOneTlbi) {
    Touched t(8, true);
    KernelRig &r = t.r;
    const std::uint64_t tlbis = r.kmem.range_tlbis;
    ASSERT_EQ(r.k->mprotect(1, kBase, 8 * kPageSize, false, false).error, 0);
    EXPECT_EQ(r.kmem.range_tlbis - tlbis, 1u) << "TLBI RVALE1IS for 8 pages (num 3, scale 0)";
}

TEST(TlbGather, AMunmapOfMaxTlbiOpsPagesFlushesTheAsidWithoutRangeSupport) {
    Touched t(600, false);
    KernelRig &r = t.r;
    const Counts c(r);
    ASSERT_EQ(r.k->munmap(1, kBase, 600 * kPageSize).error, 0);
    EXPECT_EQ(r.k->stats().page_tables_freed - c.tables_freed, 2u) << "pages 0-511 and 512-599: two tables";
    EXPECT_EQ(r.tlb.asids - c.asid_flushes, 2u)
        << "the PTEs: 600 pages >= MAX_TLBI_OPS, flush_tlb_mm; the two tables' pages, 2 MiB apart: 513 pages, flush_tlb_mm";
    EXPECT_EQ(r.kmem.range_tlbis, c.range_tlbis);
    EXPECT_EQ(r.kmem.tlbis - c.own_flushes, 2u) << "one broadcast TLBI by ASID each";
    EXPECT_EQ(r.k->stats().tlb_range_asid, 2u);
    r.expect_clean();
}

TEST(TlbGather, WithRangeSupportTheSameMunmapIsRangeTlbis) {
    Touched t(600, true);
    KernelRig &r = t.r;
    const std::uint64_t asids = r.tlb.asids, tlbis = r.kmem.range_tlbis;
    ASSERT_EQ(r.k->munmap(1, kBase, 600 * kPageSize).error, 0);
    EXPECT_EQ(r.tlb.asids, asids) << "both ranges fit range TLBIs";
    EXPECT_EQ(r.kmem.range_tlbis - tlbis, TlbFlusher::range_ops(600, true) + TlbFlusher::range_ops(513, true));
    EXPECT_EQ(TlbFlusher::range_ops(600, true), 2u) << "24 pages at scale 0, then 9 << 6 = 576 at scale 1";
    EXPECT_EQ(TlbFlusher::range_ops(513, true), 2u) << "the odd page, then 512 = 8 << 6 at scale 1";
}

TEST(TlbGather, TheRangeSpansTheLowestToTheHighestChangedPage) {
    KernelRig r;
    r.k->thread_start(1);
    ASSERT_EQ(r.k->mmap(1, kBase, 64 * kPageSize, false).error, 0);
    ASSERT_TRUE(r.touch(1, kBase + 3 * kPageSize, true));
    ASSERT_TRUE(r.touch(1, kBase + 12 * kPageSize, true));
    const std::uint64_t tlbis = r.kmem.range_tlbis;
    ASSERT_EQ(r.k->dontneed(1, kBase, 64 * kPageSize).error, 0); /* keeps the table */
    EXPECT_EQ(r.kmem.range_tlbis - tlbis, 10u) << "pages 3 to 12: tlb->start .. tlb->end, holes included";
}

/* unmap_region: the VMA's PTEs flushed at its end (tlb_end_vma resets the range), then the freed
 * table's page (pte_free_tlb) in tlb_finish_mmu's flush: two range flushes, none by page. */
TEST(TlbGather, AMunmapFlushesItsVmaThenTheTablesItFreed) {
    Touched t(8, false);
    KernelRig &r = t.r;
    const Counts c(r);
    ASSERT_EQ(r.k->munmap(1, kBase, 8 * kPageSize).error, 0);
    EXPECT_EQ(r.k->stats().page_tables_freed - c.tables_freed, 1u) << "the 2 MiB range has no VMA left";
    EXPECT_EQ(r.kmem.range_flushes - c.range_flushes, 2u);
    EXPECT_EQ(r.kmem.range_tlbis - c.range_tlbis, 8u + 1u) << "the 8 pages, then the table's one";
    EXPECT_EQ(r.kmem.tlbis, c.own_flushes) << "no flush by page";
    r.expect_clean();
}
