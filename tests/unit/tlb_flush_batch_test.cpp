// TlbFlushBatch and the migrations that use it: migrate_pages_batch's deferred TLB flush
// (TTU_BATCH_FLUSH, arm64's arch_tlbbatch_add_pending / arch_tlbbatch_flush).
#include "kernel_rig.h"

#include "mtesim/dt/board_loader.h"
#include "mtesim/mm/functional_kernel_memory.h"
#include "mtesim/mm/page_allocator.h"
#include "mtesim/mm/page_range_isolation.h"
#include "mtesim/mm/tlb_flush_batch.h"

#include <gtest/gtest.h>

#include <unordered_map>

using namespace mtesim;
using mtesim::test::KernelRig;
using mtesim::test::kBase;

namespace {

/* Costs a batch's two halves differently, so a test can tell which were charged. */
struct SplitCostKmem : FunctionalKernelMemory {
    using FunctionalKernelMemory::FunctionalKernelMemory;
    std::uint64_t flush_tlb_page() override { return FunctionalKernelMemory::flush_tlb_page(), 600; }
    std::uint64_t flush_tlb_page_nosync() override { return FunctionalKernelMemory::flush_tlb_page_nosync(), 80; }
    std::uint64_t flush_tlb_sync() override { return FunctionalKernelMemory::flush_tlb_sync(), 520; }
};

/* Owns every movable block; records the batch each move was given, and reports the blocks in
 * @writeback as under write-back (a sync migration waits for them). */
struct RecordingMigrator : IPageMigrator {
    std::unordered_map<std::uint64_t, TlbFlushBatch *> given; /* destination pfn -> batch */
    std::unordered_map<std::uint64_t, bool> writeback;
    bool move(Pfn, Pfn to, unsigned, TlbFlushBatch *batch) override {
        given[to.value()] = batch;
        std::uint64_t cycles = 0;
        if (batch) batch->add_pending(cycles); /* the block's one mapping */
        return true;
    }
    Busy isolate_busy(Pfn pfn) const override { return writeback.count(pfn.value()) ? Busy::writeback : Busy::none; }
};

/* An allocator on virt-4g-mte whose movable blocks the RecordingMigrator owns. */
struct Owned {
    PlatformDesc desc = BoardLoader::load("virt-4g-mte");
    SparseMemory mem;
    FunctionalKernelMemory kmem{mem, 4};
    PageAllocator alloc{desc, MmConfig{}, kmem};
    RecordingMigrator mig;
    Owned() { alloc.set_migrator(&mig); }
};

}  // namespace

TEST(TlbFlushBatch, EachPageIssuesItsTlbiAndOneWaitCompletesThemAll) {
    SparseMemory mem;
    SplitCostKmem k(mem);
    MmStats st;
    TlbFlushBatch b(k, st);
    std::uint64_t cycles = 0;
    b.flush(cycles);
    EXPECT_EQ(cycles, 0u) << "nothing pending: no DSB";
    EXPECT_EQ(k.tlb_syncs, 0u);
    for (int i = 0; i < 5; ++i) b.add_pending(cycles);
    EXPECT_EQ(b.pending(), 5u);
    EXPECT_EQ(cycles, 5u * 80u);
    b.flush(cycles);
    EXPECT_EQ(cycles, 5u * 80u + 520u) << "five issues, one completion wait";
    EXPECT_EQ(b.pending(), 0u);
    EXPECT_EQ(k.tlbis_nosync, 5u);
    EXPECT_EQ(k.tlb_syncs, 1u);
    EXPECT_EQ(k.tlbis, 0u) << "no page flushed on its own";
    EXPECT_EQ(st.tlb_batch_deferred, 5u);
    EXPECT_EQ(st.tlb_batch_flushes, 1u);
    b.flush(cycles);
    EXPECT_EQ(st.tlb_batch_flushes, 1u) << "a second flush finds nothing pending";
}

TEST(TlbFlushBatch, OnlyTheAsynchronousPassDefersASyncMigrationThatWaitedFlushesItsOwn) {
    Owned o;
    PageAllocator &a = o.alloc;
    FunctionalKernelMemory &k = o.kmem;
    RecordingMigrator &mig = o.mig;
    const auto quiet = a.alloc_pages(0, kGfpHighUserMovable);
    const auto busy = a.alloc_pages(0, kGfpHighUserMovable);
    ASSERT_TRUE(quiet.ok && busy.ok);
    mig.writeback[busy.pfn.value()] = true;
    TlbFlushBatch batch(k, a.mutable_stats());
    std::uint64_t cycles = 0;
    const MigrateOptions opt{MigrateMode::sync, false, nullptr, Pfn(0), &batch};
    ASSERT_TRUE(a.migrate_block(quiet.pfn, cycles, opt));
    ASSERT_TRUE(a.migrate_block(busy.pfn, cycles, opt));
    ASSERT_EQ(mig.given.size(), 2u);
    std::size_t with_batch = 0, without = 0;
    for (const auto &[to, b] : mig.given) (b == &batch ? with_batch : without) += 1;
    EXPECT_EQ(with_batch, 1u) << "the page that needed no wait: migrate_pages_batch's asynchronous pass";
    EXPECT_EQ(without, 1u) << "the page under write-back: migrate_pages_sync's one-by-one pass";
    EXPECT_EQ(a.stats().migrate_writeback_waits, 1u);
}

/* alloc_contig_range's evacuation: 40 blocks in the range, isolated 32 pages at a time. */
TEST(TlbFlushBatch, AnEvacuationWaitsOnceForEachClusterOfPages) {
    Owned o;
    PageAllocator &a = o.alloc;
    FunctionalKernelMemory &k = o.kmem;
    Zone &z = *a.zones().back();
    const Pfn base(z.start().value() + 32 * kPageblockPages);
    for (Pfn p = base; p < base + 40; p = p + 1) {
        ASSERT_TRUE(z.take_free_block(p, 0));
        z.mark_allocated(p, 0, MigrateType::movable, PageMeta::State::allocated_head, 0);
    }
    PageRangeIsolation::isolate(z, base, kPageblockPages);
    std::uint64_t cycles = 0;
    const PageRangeIsolation::Evacuation e = PageRangeIsolation::evacuate(a, z, base, kPageblockPages, cycles, MigrateMode::sync);
    PageRangeIsolation::undo(z, base, kPageblockPages, MigrateType::movable);
    ASSERT_TRUE(e.ok);
    EXPECT_EQ(e.pages_migrated, 40u);
    EXPECT_EQ(k.tlbis_nosync, 40u);
    EXPECT_EQ(k.tlb_syncs, 2u) << "a batch of 32 pages, then one of 8";
    EXPECT_EQ(k.tlbis, 0u);
    EXPECT_EQ(o.mig.given.size(), 40u);
}

/* A full compaction of mapped user pages: each page's TLBI is issued into its batch of at most
 * COMPACT_CLUSTER_MAX pages, and each batch waits once. */
TEST(TlbFlushBatch, FullCompactionWaitsOnceABatchForTheTlbisOfItsPages) {
    KernelRig r;
    r.k->thread_start(1);
    constexpr std::uint64_t kPages = 2048;
    ASSERT_EQ(r.k->mmap(1, kBase, kPages * kPageSize, false).error, 0);
    for (std::uint64_t i = 0; i < kPages; ++i) ASSERT_TRUE(r.touch(1, kBase + i * kPageSize, true));
    for (std::uint64_t i = 0; i < kPages; i += 2) ASSERT_EQ(r.k->munmap(1, kBase + i * kPageSize, kPageSize).error, 0);
    const std::uint64_t flushes = r.kmem.tlbis, issued = r.kmem.tlbis_nosync, waits = r.kmem.tlb_syncs;
    const std::uint64_t moved_before = r.alloc->stats().compact_pages_migrated;
    r.k->compact_memory();
    const std::uint64_t moved = r.alloc->stats().compact_pages_migrated - moved_before;
    ASSERT_GT(moved, kCompactClusterMax) << "the test needs more than one batch";
    EXPECT_EQ(r.kmem.tlbis_nosync - issued, moved) << "one TLBI issued for each page, each mapped once";
    EXPECT_EQ(r.kmem.tlbis, flushes) << "none flushed on its own";
    const std::uint64_t batches = r.kmem.tlb_syncs - waits;
    EXPECT_EQ(batches, r.alloc->stats().tlb_batch_flushes);
    EXPECT_GE(batches, (moved + kCompactClusterMax - 1) / kCompactClusterMax) << "no batch is larger than 32 pages";
    EXPECT_LT(batches, moved / 4) << "pages share their waits";
    r.expect_clean();
}

/* MADV_PAGEOUT of a file mapping: shrink_folio_list's TLBIs wait once at its end. A page with a
 * dirty PTE is not written out (only kswapd, or direct reclaim standing in for the flusher,
 * writes file pages), so it changes nothing. Page 0 and 1 of the mapping, one read (clean PTE)
 * and one written (dirty). (The wait for pending TLBIs before kswapd's write,
 * try_to_unmap_flush_dirty, gives the same count as the batch's own wait at its end, so no test
 * here tells the two apart.) */
namespace {
struct PageoutFlushes {
    std::uint64_t issued = 0, waits = 0, own = 0;
};
PageoutFlushes pageout_two_file_pages(bool dirty_first) {
    KernelRig r;
    r.k->thread_start(1);
    r.k->read_file(1, 7, 0, 2 * kPageSize);
    r.k->mmap(1, kBase, 2 * kPageSize, false, true, 7, 0);
    EXPECT_TRUE(r.touch(1, kBase, dirty_first));
    EXPECT_TRUE(r.touch(1, kBase + kPageSize, !dirty_first));
    const PageoutFlushes before{r.kmem.tlbis_nosync, r.kmem.tlb_syncs, r.kmem.tlbis};
    r.k->pageout(1, kBase, 2 * kPageSize);
    EXPECT_EQ(r.k->stats().file_writebacks, 0u) << "MADV_PAGEOUT does not write a dirty file page";
    EXPECT_EQ(r.k->stats().file_dirty_activated, 1u) << "it goes back to the active list, PG_reclaim";
    return {r.kmem.tlbis_nosync - before.issued, r.kmem.tlb_syncs - before.waits, r.kmem.tlbis - before.own};
}
}  // namespace

TEST(TlbFlushBatch, PageoutOfFilePagesWaitsOnceWhetherAPageIsDirtyOrNot) {
    for (bool dirty_first : {false, true}) {
        const PageoutFlushes f = pageout_two_file_pages(dirty_first);
        EXPECT_EQ(f.issued, 2u);
        EXPECT_EQ(f.waits, 1u) << "no write-out of the dirty page: one wait at the end for both";
        EXPECT_EQ(f.own, 0u);
    }
}

/* Swapping out written anonymous pages: each PTE was dirty, so each page waits for its TLBI
 * before (here: with) its write, as try_to_unmap_flush_dirty makes it. */
TEST(TlbFlushBatch, EachDirtyAnonymousPageWaitsBeforeItsSwapWrite) {
    KernelRig r;
    r.k->thread_start(1);
    r.k->mmap(1, kBase, 16 * kPageSize, false);
    for (std::uint64_t i = 0; i < 16; ++i) ASSERT_TRUE(r.touch(1, kBase + i * kPageSize, true));
    const std::uint64_t issued = r.kmem.tlbis_nosync, waits = r.kmem.tlb_syncs;
    r.k->pageout(1, kBase, 16 * kPageSize);
    EXPECT_EQ(r.k->stats().swap_outs, 16u);
    EXPECT_EQ(r.kmem.tlbis_nosync - issued, 16u);
    EXPECT_EQ(r.kmem.tlb_syncs - waits, 16u);
    r.expect_clean();
}

/* A written anonymous page shared by fork is still dirty: fork write-protects its entries but
 * keeps their dirty state in PTE_DIRTY (arm64's pte_wrprotect), so reclaim waits for its two
 * TLBIs before the swap write, as for a page mapped once. Counting the page clean instead
 * would leave every wait but the batch's last out. */
TEST(TlbFlushBatch, AWrittenPageSharedByForkStaysDirtyForReclaim) {
    KernelRig r;
    r.k->thread_start(1);
    constexpr std::uint64_t kPages = 16;
    r.k->mmap(1, kBase, kPages * kPageSize, false);
    for (std::uint64_t i = 0; i < kPages; ++i) ASSERT_TRUE(r.touch(1, kBase + i * kPageSize, true));
    ASSERT_EQ(r.k->fork(1, 2).outcome, Kernel::Outcome::ok);
    const std::uint64_t issued = r.kmem.tlbis_nosync, waits = r.kmem.tlb_syncs, swapped = r.k->stats().swap_outs;
    std::uint64_t cycles = 0;
    const std::uint64_t reclaimed = r.k->reclaim(kPages, cycles);
    const std::uint64_t out = r.k->stats().swap_outs - swapped;
    ASSERT_GT(out, 0u) << reclaimed << " reclaimed";
    // Two unmapping TLBIs a page, and one for each parent PTE whose access flag reclaim cleared
    // at its first look (ptep_clear_flush_young, not waited for); the child's entries start old.
    EXPECT_EQ(out, kPages);
    EXPECT_EQ(r.kmem.tlbis_nosync - issued, 2 * out + kPages) << "two mappings a page, one young";
    EXPECT_EQ(r.kmem.tlb_syncs - waits, out) << "each swapped page waits before its write";
    r.expect_clean();
}

/* Reclaim of clean, mapped page-cache pages: their TLBIs share the waits of the
 * shrink_folio_list calls (32 pages looked at each); clearing the access flags waits for none. */
TEST(TlbFlushBatch, ReclaimOfCleanMappedFilePagesSharesTheWaits) {
    KernelRig r;
    r.k->thread_start(1);
    constexpr std::uint64_t kPages = 256;
    r.k->read_file(1, 7, 0, kPages * kPageSize);
    r.k->mmap(1, kBase, kPages * kPageSize, false, true, 7, 0);
    for (std::uint64_t i = 0; i < kPages; ++i) ASSERT_TRUE(r.touch(1, kBase + i * kPageSize));
    const std::uint64_t issued = r.kmem.tlbis_nosync, waits = r.kmem.tlb_syncs, own = r.kmem.tlbis;
    std::uint64_t cycles = 0;
    EXPECT_EQ(r.k->reclaim(kPages, cycles), kPages);
    // Each page mapped once: one TLBI as reclaim clears its young PTE's access flag (the page,
    // read and mapped, is activated), one as it unmaps it.
    EXPECT_EQ(r.k->stats().lru_activations, kPages);
    EXPECT_EQ(r.kmem.tlbis_nosync - issued, 2 * kPages) << "each page mapped once";
    EXPECT_EQ(r.kmem.tlbis, own) << "none flushed on its own";
    const std::uint64_t w = r.kmem.tlb_syncs - waits;
    EXPECT_GE(w, kPages / 32);
    EXPECT_LE(w, kPages / 16) << "referenced pages take a second look: at most twice the looks";
    r.expect_clean();
}
