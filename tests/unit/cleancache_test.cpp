// Cleancache as a cleancache (issue 14, part A) and migration retries with a reason (part B):
// a clean page-cache page evicted is copied into the tag-storage pool and copied back on a
// refault; a page stored to through a mapping is written back before it goes; a tag
// reservation drops pool copies without migration, IPIs or TLB invalidations; a miss after a
// drop reads storage. A page still in a remote CPU's LRU-add batch is not isolated, and the
// retry after lru_cache_disable moves it. Expectations are counted from the scenario, not
// read back from a run.
#include "kernel_rig.h"

#include <cstring>

using namespace mtesim;
using test::KernelRig;
using test::kBase;
using test::small_swap;

namespace {

MmConfig cleancache_mm() {
    MmConfig mm;
    mm.tag_reserve = TagReservePath::cleancache;
    return mm;
}

}  // namespace

TEST(Cleancache, APageStoredThroughAnExistingMappingIsWrittenByTheFlusherBeforeItGoes) {
    KernelRig r(cleancache_mm());
    r.k->thread_start(1);
    r.k->mmap(1, kBase, 4 * kPageSize, false, true, 3, 0);
    ASSERT_TRUE(r.touch(1, kBase));                 /* read fault: mapped writable-clean */
    ASSERT_TRUE(r.touch(1, kBase + kPageSize));     /* another page, only ever read */
    EXPECT_TRUE(upte::writable_clean(r.pte(1, kBase)));
    EXPECT_FALSE(upte::dirty(r.pte(1, kBase)));
    // A store through the existing mapping: no write fault of the kernel's own, the entry turns
    // dirty (DBM; the rig's access takes the kernel's pte_mkdirty path as an MMU without
    // FEAT_HAFDBS would).
    ASSERT_TRUE(r.touch(1, kBase, true));
    EXPECT_TRUE(upte::dirty(r.pte(1, kBase)));
    EXPECT_EQ(r.k->stats().faults_file, 2u) << "the store was not a new demand fault";
    std::uint64_t cycles = 0;
    EXPECT_EQ(r.k->reclaim(2, cycles), 2u);
    // Reclaim found the stored page dirty (its PTE read back as it unmapped it) and did not
    // write it: back to the active list, PG_reclaim. Once a whole batch of pages looked at was
    // that dirty page, it woke the flusher, which wrote it; reclaim then waited for the write.
    EXPECT_EQ(r.k->stats().file_writebacks, 0u) << "direct reclaim never writes a file page";
    EXPECT_GE(r.k->stats().file_dirty_activated, 1u);
    EXPECT_EQ(r.k->stats().flusher_wakeups_vmscan, 1u);
    EXPECT_EQ(r.k->stats().flusher_writebacks, 1u) << "the stored page, and only it";
    EXPECT_EQ(r.k->stats().writeback_throttles, 1u) << "reclaim waited for that write to complete";
    EXPECT_EQ(r.k->stats().cleancache_puts, 2u) << "both went to the pool once clean";
    EXPECT_EQ(r.k->cleancache_pages(), 2u);
    r.expect_clean();
}

TEST(Cleancache, APutThenARefaultReturnsTheSameDataForTwoCopies) {
    KernelConfig kc = small_swap();
    kc.data = true;
    KernelRig r(cleancache_mm(), kc);
    r.k->thread_start(1);
    r.k->read_file(1, 9, 5 * kPageSize, kPageSize);
    const std::uint64_t reads = r.k->stats().file_reads;
    ASSERT_EQ(reads, 1u);
    r.k->mmap(1, kBase, kPageSize, false, true, 9, 5); /* file page 5 */
    ASSERT_TRUE(r.touch(1, kBase));
    const Pfn first = upte::pfn(r.pte(1, kBase));
    const char msg[] = "cleancache keeps me";
    r.k->page_data().write(phys_of(first) + 100, reinterpret_cast<const std::uint8_t *>(msg), sizeof msg);
    const std::uint64_t copies0 = r.kmem.copies;
    r.k->pageout(1, kBase, kPageSize);
    EXPECT_EQ(r.k->stats().cleancache_puts, 1u);
    EXPECT_EQ(r.kmem.copies - copies0, 1u) << "the put is one page copy";
    EXPECT_EQ(r.alloc->pool_pages_holding_data(), 1u) << "the pool holds the copy";
    EXPECT_EQ(r.k->page_cache_pages(), 0u);
    ASSERT_TRUE(r.touch(1, kBase)); /* the refault */
    EXPECT_EQ(r.k->stats().cleancache_gets, 1u);
    EXPECT_EQ(r.kmem.copies - copies0, 2u) << "the get is the second copy";
    EXPECT_EQ(r.k->stats().file_reads, reads) << "no storage read";
    EXPECT_EQ(r.k->cleancache_pages(), 0u) << "an exclusive get frees the pool copy";
    EXPECT_EQ(r.alloc->pool_pages_holding_data(), 0u);
    const Pfn second = upte::pfn(r.pte(1, kBase));
    EXPECT_FALSE(r.alloc->in_pool(second)) << "page-cache pages never live in the pool";
    char back[sizeof msg] = {};
    r.k->page_data().read(phys_of(second) + 100, reinterpret_cast<std::uint8_t *>(back), sizeof back);
    EXPECT_STREQ(back, msg);
    r.expect_clean();
}

/* A write(2) over a whole page whose clean copy the pool holds makes that copy stale: the new
 * page is not filled from it (nor read), and the copy is dropped (cleancache_invalidate_page), so
 * a later refault cannot bring the old bytes back. */
TEST(Cleancache, AWholePageWriteDropsThePoolsStaleCopy) {
    KernelRig r(cleancache_mm());
    r.k->thread_start(1);
    r.k->mmap(1, kBase, kPageSize, false, true, 9, 5); /* file page 5 */
    ASSERT_TRUE(r.touch(1, kBase));
    r.k->pageout(1, kBase, kPageSize);
    ASSERT_EQ(r.k->cleancache_pages(), 1u);
    r.k->mmap(1, kBase + 0x100000, kPageSize, false);
    ASSERT_TRUE(r.touch(1, kBase + 0x100000, true));
    const std::uint64_t copies = r.kmem.copies, reads = r.k->stats().file_reads;
    ASSERT_EQ(r.k->user_copy(1, kBase + 0x100000, kPageSize, false, false, false, 9, 5 * kPageSize).error,
              static_cast<std::int64_t>(kPageSize));
    EXPECT_EQ(r.k->stats().file_overwrites, 1u);
    EXPECT_EQ(r.k->stats().cleancache_gets, 0u);
    EXPECT_EQ(r.kmem.copies, copies) << "not filled from the pool";
    EXPECT_EQ(r.k->stats().file_reads, reads);
    EXPECT_EQ(r.k->cleancache_pages(), 0u) << "the stale copy dropped";
    EXPECT_EQ(r.k->stats().cleancache_invalidates, 1u);
    EXPECT_EQ(r.alloc->pool_pages_holding_data(), 0u);
    r.expect_clean();
}

TEST(Cleancache, AReservationDropsPoolCopiesWithoutMigrationIpisOrTlbInvalidationAndAMissReadsStorage) {
    KernelRig r(cleancache_mm());
    r.k->thread_start(1);
    // Anonymous memory never goes to a cleancache pool.
    r.k->mmap(1, kBase, 64 * kPageSize, false);
    for (unsigned i = 0; i < 64; ++i) ASSERT_TRUE(r.touch(1, kBase + i * kPageSize, true));
    EXPECT_EQ(r.alloc->pool_pages_holding_data(), 0u);
    // The page cache is evicted into the pool until it is full.
    const std::uint64_t pool = r.alloc->free_pages(MigrateType::cma);
    ASSERT_GT(pool, 0u);
    r.k->read_file(1, 5, 0, pool * kPageSize);
    std::uint64_t cycles = 0;
    EXPECT_EQ(r.k->reclaim(pool, cycles), pool);
    EXPECT_EQ(r.k->stats().cleancache_puts, pool);
    EXPECT_EQ(r.alloc->free_pages(MigrateType::cma), 0u) << "every pool page holds a copy";
    const std::uint64_t reads = r.k->stats().file_reads, tlbis = r.tlb.pages, copies = r.kmem.copies;
    // A tagged page needs a tag block holding copies: they are dropped.
    r.k->mmap(1, kBase + (1ull << 30), kPageSize, true);
    ASSERT_TRUE(r.touch(1, kBase + (1ull << 30)));
    const MmStats &m = r.alloc->stats();
    EXPECT_EQ(m.reserve_dropped, 1u);
    EXPECT_GT(m.reserve_drop_pages, 0u);
    EXPECT_EQ(r.k->stats().cleancache_drops, m.reserve_drop_pages);
    EXPECT_EQ(r.k->cleancache_pages(), pool - m.reserve_drop_pages);
    EXPECT_EQ(m.ipis, 0u) << "no lru_cache_disable";
    EXPECT_EQ(m.lru_disables, 0u);
    EXPECT_EQ(m.pages_migrated, 0u) << "no migration";
    EXPECT_EQ(r.kmem.copies, copies) << "no copy";
    EXPECT_EQ(r.tlb.pages, tlbis) << "the copies were mapped nowhere";
    EXPECT_TRUE(upte::tagged(r.pte(1, kBase + (1ull << 30))));
    // Reading the file again: the dropped pages miss and read storage, the others are gets.
    r.k->read_file(1, 5, 0, pool * kPageSize);
    EXPECT_EQ(r.k->stats().file_reads - reads, m.reserve_drop_pages);
    EXPECT_EQ(r.k->stats().cleancache_refaults, m.reserve_drop_pages);
    EXPECT_EQ(r.k->stats().cleancache_gets, pool - m.reserve_drop_pages);
    r.expect_clean();
}

TEST(Cleancache, AFullPoolEvictsItsOldestCopyForAPut) {
    KernelRig r(cleancache_mm());
    r.k->thread_start(1);
    const std::uint64_t pool = r.alloc->free_pages(MigrateType::cma);
    r.k->read_file(1, 6, 0, (pool + 8) * kPageSize);
    std::uint64_t cycles = 0;
    EXPECT_EQ(r.k->reclaim(pool + 8, cycles), pool + 8);
    EXPECT_EQ(r.k->stats().cleancache_puts, pool + 8);
    EXPECT_EQ(r.k->stats().cleancache_evictions, 8u);
    EXPECT_EQ(r.k->cleancache_pages(), pool);
    r.expect_clean();
}

/* Part B: a page still in another CPU's LRU-add batch is not isolated; lru_cache_disable drains
 * every batch and the retry moves it. */
TEST(MigrationRetry, APageInARemoteLruBatchFailsFirstAndMovesAfterLruCacheDisable) {
    KernelRig r;
    r.k->thread_start(1);
    r.k->mmap(1, kBase, kPageSize, false);
    r.kmem.cpu = 2; /* the fault runs on CPU 2: the page waits in its batch */
    ASSERT_TRUE(r.touch(1, kBase, true));
    const Pfn before = upte::pfn(r.pte(1, kBase));
    EXPECT_EQ(r.k->lru_batch_folios(2), 1u);
    r.kmem.cpu = 0;
    std::uint64_t cycles = 0;
    ASSERT_TRUE(r.k->migrate_user_page(1, kBase, cycles));
    const MmStats &m = r.alloc->stats();
    EXPECT_EQ(m.migrate_busy_lru_batch, 1u) << "the first attempt could not isolate it";
    EXPECT_EQ(m.migrate_retries_lru_batch, 1u);
    EXPECT_EQ(m.lru_disables, 1u);
    EXPECT_EQ(r.k->lru_batch_folios(2), 0u) << "drained by lru_cache_disable's kworker";
    EXPECT_NE(upte::pfn(r.pte(1, kBase)), before);
    EXPECT_EQ(m.pages_migrated, 1u);
    // Its own CPU's batch needs no IPI: drained locally first (lru_add_drain).
    r.k->mmap(1, kBase + kPageSize, kPageSize, false);
    ASSERT_TRUE(r.touch(1, kBase + kPageSize, true));
    EXPECT_EQ(r.k->lru_batch_folios(0), 1u);
    ASSERT_TRUE(r.k->migrate_user_page(1, kBase + kPageSize, cycles));
    EXPECT_EQ(m.migrate_busy_lru_batch, 1u);
    EXPECT_EQ(m.lru_disables, 1u);
    r.expect_clean();
}

/* Part B: a page under write-back. Reclaim (here MADV_PAGEOUT) of a dirty file page unmaps it
 * but does not write it: it goes back to the active list, PG_reclaim, and the flusher starts its
 * write; the page stays in the page cache, PG_writeback, for a device latency and a transfer
 * (small_swap: 80 us + 4 KiB at 2000 MB/s). */
namespace {
Pfn dirty_page_under_writeback(KernelRig &r) {
    r.k->thread_start(1);
    r.k->mmap(1, kBase, kPageSize, false, true, 4, 0);
    EXPECT_TRUE(r.touch(1, kBase, true));
    const Pfn pfn = upte::pfn(r.pte(1, kBase));
    r.k->lru_add_drain_cpu(0); /* on the LRU lists: only write-back stands in the way */
    r.k->pageout(1, kBase, kPageSize);
    EXPECT_EQ(r.k->stats().file_writebacks, 0u) << "reclaim does not write a dirty file page";
    EXPECT_EQ(r.k->stats().file_dirty_activated, 1u);
    EXPECT_EQ(r.k->dirty_file_pages(), 1u);
    EXPECT_EQ(r.run_flusher(), 1u);
    EXPECT_EQ(r.k->dirty_file_pages(), 0u);
    EXPECT_EQ(r.k->page_cache_pages(), 1u) << "the page stays until its write completes";
    EXPECT_EQ(r.kind(1, kBase), upte::Kind::none) << "but it is unmapped";
    return pfn;
}
}  // namespace

TEST(MigrationRetry, APageUnderWritebackFailsAsyncMigrationAndMovesOnceTheWriteCompletes) {
    KernelRig r;
    const Pfn pfn = dirty_page_under_writeback(r);
    std::uint64_t cycles = 0;
    EXPECT_FALSE(r.alloc->migrate_block(pfn, cycles)) << "MIGRATE_ASYNC gives up on write-back";
    EXPECT_EQ(r.alloc->stats().migrate_busy_writeback, 1u);
    EXPECT_EQ(r.kmem.copies, 0u);
    r.kmem.io_wait(100000); /* 100 us pass: the write (about 82 us) has completed */
    EXPECT_TRUE(r.alloc->migrate_block(pfn, cycles));
    EXPECT_EQ(r.alloc->stats().migrate_busy_writeback, 1u);
    EXPECT_EQ(r.k->stats().user_pages_migrated, 1u);
    r.expect_clean();
}

TEST(MigrationRetry, ASyncMigrationWaitsForTheWriteToComplete) {
    KernelRig r;
    const Pfn pfn = dirty_page_under_writeback(r);
    const double before = r.kmem.io_ns;
    std::uint64_t cycles = 0;
    EXPECT_TRUE(r.alloc->migrate_block(pfn, cycles, MigrateOptions{MigrateMode::sync}));
    EXPECT_EQ(r.alloc->stats().migrate_busy_writeback, 1u);
    EXPECT_EQ(r.alloc->stats().migrate_writeback_waits, 1u);
    // It waited out the rest of the write: 80 us of latency + 2048 ns of transfer, less the
    // transfer the issuer already paid.
    EXPECT_NEAR(r.kmem.io_ns - before, 80000.0, 1.0);
    r.expect_clean();
}

TEST(MigrationRetry, DirectReclaimWaitsForWritebackAndThenDropsThePage) {
    KernelRig r(cleancache_mm());
    const Pfn pfn = dirty_page_under_writeback(r);
    (void)pfn;
    std::uint64_t cycles = 0;
    EXPECT_EQ(r.k->reclaim(1, cycles), 1u);
    EXPECT_EQ(r.k->stats().writeback_throttles, 1u);
    EXPECT_EQ(r.k->stats().flusher_writebacks, 1u) << "written once, by the flusher";
    EXPECT_EQ(r.k->stats().file_writebacks, 0u);
    EXPECT_EQ(r.k->stats().cleancache_puts, 1u) << "clean once written: into the pool";
    EXPECT_EQ(r.k->page_cache_pages(), 0u);
    r.expect_clean();
}
