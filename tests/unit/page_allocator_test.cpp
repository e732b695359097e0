// The page allocator and the tag-storage pool (issue "Kernel memory model, part 1"): buddy
// merge and split, fallback order, pageblock stealing, each pool policy, refcounts across
// high-order allocations, the fast path exactly when a block is free, the slow path migrating
// movable occupants and failing on pinned ones, API errors, OOM and starvation.
#include "mtesim/mm/mm_error.h"
#include "mtesim/mm/page_allocator.h"
#include "sanitized_counts.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <unordered_map>
#include <unordered_set>

using namespace mtesim;

namespace {

/// 64 MiB of data at 0x80000000 with its 2 MiB of tag storage right above, 4 KiB tag blocks.
PlatformDesc small_board(bool reusable = true, unsigned mte = 3, unsigned cpus = 4) {
    PlatformDesc d;
    d.source = "test";
    for (unsigned i = 0; i < cpus; ++i) d.cpus.push_back(CpuDesc{"/cpus/cpu@" + std::to_string(i), i, 2000000000, mte, ""});
    d.memories.push_back(MemoryDesc{"/memory@80000000", AddrRange(PhysAddr(0x80000000), 64ull << 20), 1});
    d.tag_storage.push_back(TagStorageDesc{"/tags", AddrRange(PhysAddr(0x84000000), 2ull << 20), 0x1000, 0, reusable,
                                           TagBindingForm::v3});
    return d;
}

constexpr std::uint64_t kDataPages = 16384, kPoolPages = 512;
const Pfn kPoolStart(0x84000);

/// Records the kernel work asked for; every copy costs 100 cycles a page, a TLBI 20; waits cost
/// what they are asked; every CPU runs a task unless told otherwise.
struct RecordingKmem : IKernelMemory {
    std::uint64_t copied = 0, zeroed = 0, tlbis = 0, invalidated = 0, waited = 0;
    std::vector<std::uint64_t> remote = std::vector<std::uint64_t>(4, 0);
    std::vector<bool> busy = std::vector<bool>(4, true);
    std::uint64_t copy_pages(Pfn, Pfn, std::uint64_t n) override { copied += n; return 100 * n; }
    std::uint64_t zero_pages(Pfn, std::uint64_t n) override { zeroed += n; return 50 * n; }
    bool cpu_busy(unsigned c) const override { return busy[c]; }
    void charge_remote(unsigned c, std::uint64_t cycles) override { remote[c] += cycles; }
    std::uint64_t wait_cycles(std::uint64_t c) override { waited += c; return c; }
    std::uint64_t flush_tlb_page() override { ++tlbis; return 20; }
    std::uint64_t flush_tlb_page_nosync() override { ++tlbis; return 5; }
    std::uint64_t flush_tlb_sync() override { return 15; }
    std::uint64_t flush_tlb_range(std::uint64_t) override { return 20; }
    std::uint64_t invalidate_tag_block(Pfn, std::uint64_t n) override { invalidated += n; return 10; }
    std::uint64_t write_words(PhysAddr, const std::uint64_t *, std::uint64_t) override { return 0; }
    std::uint64_t read_word(PhysAddr, std::uint64_t &v) override { v = 0; return 0; }
    std::uint64_t touch_line(PhysAddr, bool) override { return 0; }
    std::uint64_t barriers() override { return 0; }
    std::uint64_t access_tags(Pfn, std::uint64_t, bool) override { return 0; }
    std::uint64_t io_wait(double) override { return 0; }
    unsigned cpus() const override { return 4; }
};

MmConfig cfg(CmaPolicy p = CmaPolicy::linux_balance, TagReservePath r = TagReservePath::fast_path) {
    MmConfig c;
    c.cma_policy = p;
    c.tag_reserve = r;
    c.min_free_kbytes = 128; /* 32 pages of reserve: small, so tests can fill memory */
    return c;
}

bool in_pool(Pfn p) { return p >= kPoolStart && p < kPoolStart + kPoolPages; }

}  // namespace

TEST(PageAllocator, BootHandsDataAndPoolToTheBuddyAllocator) {
    RecordingKmem k;
    PageAllocator a(small_board(), cfg(), k);
    EXPECT_EQ(a.managed_pages(), kDataPages + kPoolPages);
    EXPECT_EQ(a.free_pages(MigrateType::movable), kDataPages);
    EXPECT_EQ(a.free_pages(MigrateType::cma), kPoolPages);
    EXPECT_EQ(a.pool_pages(), kPoolPages);
    ASSERT_EQ(a.zones().size(), 1u);
    EXPECT_EQ(a.zones()[0]->nr_free(Zone::kMaxOrder, MigrateType::movable), kDataPages / 1024);
    EXPECT_LE(a.metadata_bytes_per_page(), 8.0) << "at most 8 bytes of host memory per simulated page";
    EXPECT_LE(a.side_table_bytes_per_page(), 0.13) << "pageblock types (1/512 B) and tag refcounts (4/32 B)";
    EXPECT_EQ(a.check_invariants(true), "");
}

TEST(PageAllocator, SplitAndMergeRestoreTheFreeLists) {
    RecordingKmem k;
    PageAllocator a(small_board(), cfg(), k);
    const Zone &z = *a.zones()[0];
    auto p = a.alloc_pages(0, kGfpHighUserMovable);
    ASSERT_TRUE(p.ok);
    EXPECT_EQ(z.nr_free(Zone::kMaxOrder, MigrateType::movable), kDataPages / 1024 - 1);
    for (unsigned o = 0; o < Zone::kMaxOrder; ++o) EXPECT_EQ(z.nr_free(o, MigrateType::movable), 1u) << "order " << o;
    auto q = a.alloc_pages(3, kGfpHighUserMovable);
    ASSERT_TRUE(q.ok);
    EXPECT_EQ(q.pfn.value() % 8, 0u) << "blocks are naturally aligned";
    a.free_pages(p.pfn);
    a.free_pages(q.pfn);
    EXPECT_EQ(z.nr_free(Zone::kMaxOrder, MigrateType::movable), kDataPages / 1024);
    for (unsigned o = 0; o < Zone::kMaxOrder; ++o) EXPECT_EQ(z.nr_free(o, MigrateType::movable), 0u);
    EXPECT_EQ(a.check_invariants(true), "");
}

TEST(PageAllocator, UnmovableFallsBackToMovableAndStealsThePageblock) {
    RecordingKmem k;
    PageAllocator a(small_board(), cfg(), k);
    Zone &z = *a.zones()[0];
    auto u = a.alloc_pages(0, kGfpKernel);
    ASSERT_TRUE(u.ok);
    EXPECT_FALSE(in_pool(u.pfn)) << "unmovable allocations never use the pool";
    EXPECT_EQ(z.pageblock_type(u.pfn), MigrateType::unmovable);
    EXPECT_EQ(z.pageblock_steals(), 1u);
    // The stolen pageblock serves later unmovable requests without another steal.
    auto u2 = a.alloc_pages(2, kGfpKernel);
    EXPECT_EQ(z.pageblock_steals(), 1u);
    EXPECT_EQ(u2.pfn.value() >> kPageblockOrder, u.pfn.value() >> kPageblockOrder);
    // Reclaimable finds the largest fallback block first: a fresh movable one it steals.
    auto r = a.alloc_pages(0, kGfpReclaimable);
    EXPECT_EQ(z.pageblock_steals(), 2u);
    EXPECT_EQ(z.pageblock_type(r.pfn), MigrateType::reclaimable);
    EXPECT_EQ(a.check_invariants(true), "");
}

TEST(PageAllocator, FallbackOrderFollowsLinux) {
    EXPECT_EQ(kFallbacks[0][0], MigrateType::reclaimable);
    EXPECT_EQ(kFallbacks[0][1], MigrateType::movable);
    EXPECT_EQ(kFallbacks[1][0], MigrateType::reclaimable);
    EXPECT_EQ(kFallbacks[1][1], MigrateType::unmovable);
    EXPECT_EQ(kFallbacks[2][0], MigrateType::unmovable);
    EXPECT_EQ(kFallbacks[2][1], MigrateType::movable);
    // With movable memory gone, a reclaimable request is served from the unmovable pageblock.
    RecordingKmem k;
    PageAllocator a(small_board(), cfg(CmaPolicy::never), k);
    auto u = a.alloc_pages(0, kGfpKernel);
    while (a.alloc_pages(Zone::kMaxOrder, kGfpHighUserMovable).ok) {
    }
    auto r = a.alloc_pages(0, kGfpReclaimable);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ((r.pfn.value() >> Zone::kMaxOrder), (u.pfn.value() >> Zone::kMaxOrder)) << "inside the block u stole";
    EXPECT_NE(a.zones()[0]->pageblock_type(r.pfn), MigrateType::movable);
}

TEST(PageAllocator, SmallMovableFallbackTakesABlockWithoutStealing) {
    RecordingKmem k;
    MmConfig c = cfg(CmaPolicy::never);
    c.min_free_kbytes = 4; /* a one-page reserve, so the last small blocks can be handed out */
    PageAllocator a(small_board(), c, k);
    Zone &z = *a.zones()[0];
    // Take every movable page (order-10 blocks), then free one unmovable-typed page.
    std::vector<Pfn> blocks;
    for (;;) {
        auto b = a.alloc_pages(Zone::kMaxOrder, kGfpHighUserMovable);
        if (!b.ok) break;
        blocks.push_back(b.pfn);
    }
    auto u = a.alloc_pages(0, kGfpKernel); /* from what is left: a stolen pageblock */
    ASSERT_TRUE(u.ok);
    // Use up the unmovable pageblock's large free blocks: only orders below 4 stay free.
    for (unsigned o = kPageblockOrder; o >= 4; --o) ASSERT_TRUE(a.alloc_pages(o, kGfpKernel).ok) << o;
    const auto steals = z.pageblock_steals();
    const MigrateType pb = z.pageblock_type(u.pfn);
    auto m = a.alloc_pages(0, kGfpHighUserMovable);
    ASSERT_TRUE(m.ok) << "movable falls back to the unmovable pageblock";
    EXPECT_EQ(z.pageblock_type(m.pfn), pb) << "order 0 movable may not steal the pageblock";
    EXPECT_EQ(z.pageblock_steals(), steals);
    EXPECT_EQ(a.check_invariants(true), "");
}

TEST(PageAllocator, HighOrderAtomicAllocationsReserveAPageblock) {
    RecordingKmem k;
    PageAllocator a(small_board(), cfg(), k);
    GfpFlags atomic = kGfpKernel;
    atomic.atomic = true;
    auto p = a.alloc_pages(2, atomic);
    ASSERT_TRUE(p.ok);
    EXPECT_EQ(a.zones()[0]->pageblock_type(p.pfn), MigrateType::highatomic);
    EXPECT_GT(a.free_pages(MigrateType::highatomic), 0u);
    auto q = a.alloc_pages(2, atomic);
    EXPECT_EQ(q.pfn.value() >> kPageblockOrder, p.pfn.value() >> kPageblockOrder) << "served from the reserve";
    auto n = a.alloc_pages(2, kGfpKernel);
    EXPECT_NE(n.pfn.value() >> kPageblockOrder, p.pfn.value() >> kPageblockOrder) << "others keep off it";
    EXPECT_EQ(a.check_invariants(true), "");
}

TEST(PoolPolicy, NeverKeepsThePoolEmptyOfData) {
    RecordingKmem k;
    PageAllocator a(small_board(), cfg(CmaPolicy::never), k);
    std::uint64_t n = 0;
    for (;; ++n) {
        auto p = a.alloc_pages(0, kGfpHighUserMovable);
        if (!p.ok) break;
        EXPECT_FALSE(in_pool(p.pfn));
    }
    EXPECT_EQ(a.stats().cma_allocs, 0u);
    EXPECT_EQ(a.free_pages(MigrateType::cma), kPoolPages);
    EXPECT_GT(n, kDataPages - 100);
}

TEST(PoolPolicy, CmaFirstUsesThePoolFirst) {
    RecordingKmem k;
    PageAllocator a(small_board(), cfg(CmaPolicy::cma_first), k);
    for (std::uint64_t i = 0; i < kPoolPages; ++i) {
        auto p = a.alloc_pages(0, kGfpHighUserMovable);
        ASSERT_TRUE(p.ok);
        EXPECT_TRUE(in_pool(p.pfn)) << i;
    }
    EXPECT_FALSE(in_pool(a.alloc_pages(0, kGfpHighUserMovable).pfn)) << "pool full: regular memory";
}

TEST(PoolPolicy, CmaLastUsesThePoolOnlyWhenTheRegularListsAreEmpty) {
    RecordingKmem k;
    PageAllocator a(small_board(), cfg(CmaPolicy::cma_last), k);
    std::uint64_t regular_free_at_first_pool_alloc = ~0ull;
    for (;;) {
        const std::uint64_t regular = a.free_pages() - a.free_pages(MigrateType::cma);
        auto p = a.alloc_pages(0, kGfpHighUserMovable);
        if (!p.ok) break;
        if (in_pool(p.pfn) && regular_free_at_first_pool_alloc == ~0ull) regular_free_at_first_pool_alloc = regular;
    }
    EXPECT_EQ(regular_free_at_first_pool_alloc, 0u);
}

/* RFC v1's order (BACKGROUND.md section 3): __rmqueue_metadata_fallback right after the
 * request's own lists and before __rmqueue_fallback, so the pool is used before other
 * migratetypes' pageblocks are stolen. */
TEST(PoolPolicy, CmaLastTakesThePoolBeforeStealingOtherPageblocks) {
    RecordingKmem k;
    PageAllocator a(small_board(), cfg(CmaPolicy::cma_last), k);
    ASSERT_TRUE(a.alloc_pages(0, kGfpKernel).ok); /* steals a pageblock: 511 unmovable pages free */
    const std::uint64_t unmovable_free = a.free_pages(MigrateType::unmovable);
    ASSERT_GT(unmovable_free, 0u);
    std::uint64_t unmovable_free_at_first_pool_alloc = ~0ull;
    for (;;) {
        const std::uint64_t unmovable = a.free_pages(MigrateType::unmovable);
        auto p = a.alloc_pages(0, kGfpHighUserMovable);
        if (!p.ok || in_pool(p.pfn)) {
            unmovable_free_at_first_pool_alloc = unmovable;
            break;
        }
    }
    EXPECT_EQ(unmovable_free_at_first_pool_alloc, unmovable_free) << "the pool before stealing the unmovable pageblock";
    EXPECT_EQ(a.stats().cma_allocs, 1u);
    EXPECT_EQ(a.check_invariants(true), "");
}

/* The reviewer's concern on RFC v1: with the pool last, movable data fills regular memory and
 * unmovable requests fail while the pool is free; linux-balance moves movable data into the
 * pool once it holds over half the free memory, so regular memory stays for them. */
TEST(PoolPolicy, CmaLastStarvesUnmovableAllocationsWhereLinuxBalanceDoesNot) {
    std::uint64_t starved[2] = {}, failed[2] = {};
    const CmaPolicy policies[2] = {CmaPolicy::cma_last, CmaPolicy::linux_balance};
    for (int i = 0; i < 2; ++i) {
        RecordingKmem k;
        PageAllocator a(small_board(), cfg(policies[i]), k);
        for (std::uint64_t n = 0; n < kDataPages; ++n) ASSERT_TRUE(a.alloc_pages(0, kGfpHighUserMovable).ok);
        for (int n = 0; n < 64; ++n) failed[i] += !a.alloc_pages(0, kGfpKernel).ok;
        starved[i] = a.stats().starvation;
        EXPECT_EQ(a.check_invariants(true), "");
    }
    EXPECT_EQ(failed[0], 64u) << "cma-last: regular memory is full of movable data";
    EXPECT_EQ(starved[0], 64u) << "each failed while the pool had free pages";
    EXPECT_EQ(failed[1], 0u);
    EXPECT_EQ(starved[1], 0u);
}

TEST(PoolPolicy, LinuxBalanceUsesThePoolWhenItHoldsOverHalfTheFreeMemory) {
    RecordingKmem k;
    PageAllocator a(small_board(), cfg(CmaPolicy::linux_balance), k);
    for (;;) {
        const bool pool_over_half = a.free_pages(MigrateType::cma) > a.free_pages() / 2;
        const bool regular_left = a.free_pages() - a.free_pages(MigrateType::cma) > 0;
        auto p = a.alloc_pages(0, kGfpHighUserMovable);
        if (!p.ok) break;
        if (pool_over_half) {
            ASSERT_TRUE(in_pool(p.pfn)) << "pool over half of free memory: pool first";
        } else if (regular_left) {
            ASSERT_FALSE(in_pool(p.pfn)) << "pool under half: regular lists first";
        }
    }
    EXPECT_GT(a.stats().cma_allocs, 0u);
}

TEST(PoolPolicy, TaggedAndUnmovableNeverUseThePool) {
    for (CmaPolicy p : {CmaPolicy::linux_balance, CmaPolicy::cma_last, CmaPolicy::cma_first}) {
        RecordingKmem k;
        PageAllocator a(small_board(), cfg(p), k);
        for (int i = 0; i < 3000; ++i) {
            auto t = a.alloc_pages(0, kGfpHighUserMovableTagged);
            auto u = a.alloc_pages(0, kGfpKernel);
            if (t.ok) {
                EXPECT_FALSE(in_pool(t.pfn));
            }
            if (u.ok) {
                EXPECT_FALSE(in_pool(u.pfn));
            }
        }
        EXPECT_EQ(a.check_invariants(), "");
    }
}

TEST(TagReservation, RefcountsAcrossHighOrderAllocations) {
    RecordingKmem k;
    PageAllocator a(small_board(), cfg(CmaPolicy::never), k);
    const TagStoragePool &pool = a.tag_pool();
    auto big = a.alloc_pages(6, kGfpHighUserMovableTagged); /* 64 pages: two tag blocks of 32 */
    ASSERT_TRUE(big.ok);
    const std::uint64_t b0 = (big.pfn - pfn_of(PhysAddr(0x80000000))) / 32;
    EXPECT_EQ(pool.refcount(0, b0), 32u);
    EXPECT_EQ(pool.refcount(0, b0 + 1), 32u);
    EXPECT_EQ(a.stats().reserve_fast, 2u);
    auto huge = a.alloc_pages(10, kGfpHighUserMovableTagged); /* 1024 pages: 32 blocks */
    ASSERT_TRUE(huge.ok);
    EXPECT_EQ(a.stats().reserve_fast, 34u);
    EXPECT_EQ(a.pool_pages_holding_tags(), 34u);
    EXPECT_EQ(k.invalidated, 34u) << "each block turning from data to tags gets cache maintenance (one page each here)";
    a.free_pages(big.pfn);
    EXPECT_EQ(pool.refcount(0, b0), 0u);
    EXPECT_EQ(a.stats().tag_blocks_released, 2u);
    EXPECT_EQ(k.invalidated, 36u) << "released blocks get cache maintenance too";
    // 36 one-page blocks of 64-byte lines; the fake charges 10 cycles a block.
    EXPECT_EQ(a.stats().tag_maintained_blocks, 36u);
    EXPECT_EQ(a.stats().tag_maintained_lines, 36u * 4096 / 64);
    EXPECT_EQ(a.stats().tag_maintenance_cycles, 36u * 10);
    EXPECT_EQ(a.check_invariants(true), "");
}

TEST(TagReservation, SharedBlockRefcountHits) {
    RecordingKmem k;
    PageAllocator a(small_board(), cfg(CmaPolicy::never), k);
    std::vector<Pfn> pages;
    for (int i = 0; i < 32; ++i) pages.push_back(a.alloc_pages(0, kGfpHighUserMovableTagged).pfn);
    EXPECT_EQ(a.stats().reserve_fast + a.stats().reserve_refcount_hits, 32u);
    EXPECT_GE(a.stats().reserve_refcount_hits, 16u) << "neighbouring pages share a tag block";
    EXPECT_EQ(a.check_invariants(true), "");
    for (Pfn p : pages) a.free_pages(p);
    EXPECT_EQ(a.pool_pages_holding_tags(), 0u);
    EXPECT_EQ(a.free_pages(MigrateType::cma), kPoolPages);
}

/* Fill the pool with movable data (cma-first), so every tag block holds data. */
static std::vector<Pfn> fill_pool(PageAllocator &a) {
    std::vector<Pfn> v;
    while (a.free_pages(MigrateType::cma)) {
        auto p = a.alloc_pages(0, kGfpHighUserMovable);
        if (!p.ok || !in_pool(p.pfn)) break;
        v.push_back(p.pfn);
    }
    return v;
}

TEST(TagReservation, FastPathExactlyWhenTheBlockIsFree) {
    RecordingKmem k;
    PageAllocator a(small_board(), cfg(CmaPolicy::cma_first), k);
    auto t1 = a.alloc_pages(0, kGfpHighUserMovableTagged);
    EXPECT_EQ(a.stats().reserve_fast, 1u);
    EXPECT_EQ(a.stats().reserve_slow, 0u);
    EXPECT_EQ(a.stats().ipis, 0u);
    auto data = fill_pool(a);
    EXPECT_EQ(data.size(), kPoolPages - 1);
    // The next tag block holds data: the slow path migrates it out.
    auto t2 = a.alloc_pages(5, kGfpHighUserMovableTagged);
    ASSERT_TRUE(t2.ok);
    EXPECT_FALSE(t2.tags_pending);
    EXPECT_EQ(a.stats().reserve_fast, 1u);
    EXPECT_EQ(a.stats().reserve_slow, 1u);
    EXPECT_EQ(a.stats().pages_migrated, 1u);
    EXPECT_EQ(k.copied, 1u);
    EXPECT_EQ(a.stats().ipis, 3u) << "synchronize_rcu_expedited: one IPI to each other busy CPU";
    EXPECT_EQ(k.tlbis, 0u) << "no migrator: the block is mapped nowhere, no TLB entry to shoot down";
    // The config's costs: three SGIs, one delivery, the last handler, and the caller's sleep
    // and wake-up (two switches); no LRU batch to drain.
    const LruDisableCosts &l = a.config().lru_disable;
    const std::uint64_t rcu = 3ull * l.ipi_send_cycles + l.ipi_delivery_cycles + l.irq_cycles + 2ull * l.context_switch_cycles;
    EXPECT_EQ(t2.cycles, 100u + rcu + 10u)
        << "copy + lru_cache_disable's wait + the block's cache maintenance (the fake's 10), as the kernel memory reported them";
    EXPECT_EQ(k.remote, (std::vector<std::uint64_t>{0, l.irq_cycles, l.irq_cycles, l.irq_cycles})) << "each other CPU ran the RCU handler";
    EXPECT_EQ(a.check_invariants(true), "");
    (void)t1;
}

TEST(TagReservation, IsolatingInsideALargerFreeBlockLeavesNothingOnTheIsolateList) {
    // 128 MiB of data and a 4 MiB pool: the pool starts as one order-10 free block spanning
    // two pageblocks, and alloc_contig_range isolates only one of them.
    PlatformDesc d = small_board();
    d.memories[0].range = AddrRange(PhysAddr(0x80000000), 128ull << 20);
    d.tag_storage[0].range = AddrRange(PhysAddr(0x88000000), 4ull << 20);
    RecordingKmem k;
    PageAllocator a(d, cfg(CmaPolicy::never, TagReservePath::contig_range), k);
    ASSERT_EQ(a.zones()[0]->nr_free(Zone::kMaxOrder, MigrateType::cma), 1u);
    auto t = a.alloc_pages(0, kGfpHighUserMovableTagged);
    ASSERT_TRUE(t.ok);
    EXPECT_EQ(a.stats().reserve_slow, 1u);
    EXPECT_EQ(a.free_pages(MigrateType::isolate), 0u);
    EXPECT_EQ(a.free_pages(MigrateType::cma), 1023u);
    EXPECT_EQ(a.check_invariants(true), "");
}

TEST(TagReservation, ContigRangePolicyAlwaysTakesTheSlowPath) {
    RecordingKmem k;
    PageAllocator a(small_board(), cfg(CmaPolicy::never, TagReservePath::contig_range), k);
    auto t = a.alloc_pages(0, kGfpHighUserMovableTagged);
    ASSERT_TRUE(t.ok);
    EXPECT_EQ(a.stats().reserve_fast, 0u);
    EXPECT_EQ(a.stats().reserve_slow, 1u);
    EXPECT_EQ(a.stats().pages_migrated, 0u);
    EXPECT_EQ(a.stats().ipis, 3u);
    EXPECT_EQ(a.check_invariants(true), "");
}

TEST(TagReservation, PinnedOccupantsBlockTheSlowPathUntilUnpinned) {
    RecordingKmem k;
    PageAllocator a(small_board(), cfg(CmaPolicy::cma_first), k);
    auto data = fill_pool(a);
    ASSERT_EQ(data.size(), kPoolPages);
    for (Pfn p : data) a.set_pinned(p, true);
    auto t = a.alloc_pages(0, kGfpHighUserMovableTagged);
    ASSERT_TRUE(t.ok) << "the data pages are allocated; only their tags are pending";
    EXPECT_TRUE(t.tags_pending);
    EXPECT_EQ(a.stats().reserve_failed, 1u);
    EXPECT_EQ(a.stats().migrate_blocked_pinned, 3u) << "3 retries, each stopped by the pin";
    EXPECT_EQ(a.stats().contig_attempts, 3u);
    EXPECT_EQ(a.check_invariants(true), "");
    for (Pfn p : data) a.set_pinned(p, false);
    EXPECT_TRUE(a.retry_tag_reservation(t.pfn));
    EXPECT_EQ(a.stats().reserve_slow, 1u);
    EXPECT_EQ(a.check_invariants(true), "");
    a.free_pages(t.pfn);
    EXPECT_EQ(a.check_invariants(true), "");
}

TEST(TagReservation, OwnerRefusingTheMoveFailsTheReservation) {
    struct Refuser : IPageMigrator {
        int asked = 0;
        bool move(Pfn, Pfn, unsigned, TlbFlushBatch *) override { ++asked; return false; }
    } refuser;
    RecordingKmem k;
    PageAllocator a(small_board(), cfg(CmaPolicy::cma_first), k);
    a.set_migrator(&refuser);
    fill_pool(a);
    auto t = a.alloc_pages(0, kGfpHighUserMovableTagged);
    EXPECT_TRUE(t.tags_pending);
    EXPECT_EQ(refuser.asked, 3);
    EXPECT_EQ(a.check_invariants(true), "");
}

TEST(TagReservation, StaticCarveoutAndNoMte) {
    RecordingKmem k;
    PageAllocator s(small_board(false), cfg(), k);
    EXPECT_EQ(s.pool_pages(), 0u);
    EXPECT_EQ(s.managed_pages(), kDataPages) << "a static carve-out never joins the allocator";
    auto t = s.alloc_pages(0, kGfpHighUserMovableTagged);
    EXPECT_TRUE(t.ok);
    EXPECT_EQ(s.stats().reserve_static, 1u);
    EXPECT_EQ(s.check_invariants(true), "");
    PageAllocator n(small_board(true, 0), cfg(), k);
    EXPECT_EQ(n.free_pages(MigrateType::movable), kDataPages + kPoolPages) << "without MTE, tag storage is plain memory";
    EXPECT_EQ(n.free_pages(MigrateType::cma), 0u);
}

/* zone_batchsize / zone_highsize (mm/page_alloc.c, v6.6) for the 16,896-page zone, by hand:
 * batch = min(16896 >> 10, 256) / 4 = 4; 4 + 4/2 = 6, rounded down to a power of two 4, minus 1
 * = 3. high = max(low watermark / CPUs, 4 x batch): min_free 128 KiB = 32 pages, low = 32 +
 * max(32/4, 16896 x 10/10000) = 48, 48 / 4 CPUs = 12 = 4 x 3. */
TEST(PerCpuLists, BatchAndHighComeFromTheZoneSizeAndRefillAndSpillInBatches) {
    RecordingKmem k;
    MmConfig c = cfg();
    c.pcp_lists = true;
    PageAllocator a(small_board(), c, k);
    const Zone &z = *a.zones()[0];
    EXPECT_EQ(a.pcp_batch(z), 3u);
    EXPECT_EQ(a.pcp_high(z), 12u);
    auto p = a.alloc_pages(0, kGfpKernel);
    ASSERT_TRUE(p.ok);
    EXPECT_EQ(a.stats().pcp_refills, 1u);
    EXPECT_EQ(a.pcp_pages(), 2u) << "a batch of 3 taken under zone->lock, one handed out";
    ASSERT_TRUE(a.alloc_pages(0, kGfpKernel).ok);
    EXPECT_EQ(a.stats().pcp_hits, 1u);
    std::vector<Pfn> held;
    for (int i = 0; i < 20; ++i) held.push_back(a.alloc_pages(0, kGfpKernel).pfn);
    const std::uint64_t before = a.free_pages(), pcp_before = a.pcp_pages();
    for (Pfn q : held) a.free_pages(q);
    EXPECT_GT(a.stats().pcp_spills, 0u) << "count reached high: a batch went back";
    EXPECT_LT(a.pcp_pages(), a.pcp_high(z));
    EXPECT_EQ(a.free_pages() - before + a.pcp_pages() - pcp_before, 20u) << "every freed page is on a list or in the buddy lists";
    EXPECT_EQ(a.check_invariants(true), "");
    EXPECT_THROW(a.free_pages(held.back()), MmError) << "a page on a per-CPU list is not allocated";
}

/* RFC v2 patch 26 fast-tracks a tag block only when it is free in the buddy allocator
 * (is_free_buddy_page): pool pages freed onto a per-CPU list are not, so their blocks take the
 * slow path, whose alloc_contig_range drains the lists first. Without per-CPU lists every block
 * is free in the buddy lists and takes the fast path. */
TEST(PerCpuLists, PagesOnPerCpuListsAreHiddenFromTheFastPath) {
    std::uint64_t slow[2] = {}, fast[2] = {}, drains[2] = {};
    for (int pcp = 0; pcp < 2; ++pcp) {
        RecordingKmem k;
        MmConfig c = cfg(CmaPolicy::cma_first);
        c.pcp_lists = pcp != 0;
        PageAllocator a(small_board(), c, k);
        std::vector<Pfn> pool_pages;
        while (a.free_pages(MigrateType::cma) > 0) {
            auto p = a.alloc_pages(0, kGfpHighUserMovable);
            ASSERT_TRUE(p.ok);
            pool_pages.push_back(p.pfn);
        }
        for (Pfn q : pool_pages) a.free_pages(q);
        if (pcp) {
            EXPECT_GT(a.pcp_pages(), 0u) << "the last pages freed stay on the CPU's list";
        }
        for (;;) {
            auto t = a.alloc_pages(0, kGfpHighUserMovableTagged);
            if (!t.ok) break;
        }
        slow[pcp] = a.stats().reserve_slow;
        fast[pcp] = a.stats().reserve_fast;
        drains[pcp] = a.stats().pcp_drains;
        EXPECT_EQ(a.check_invariants(true), "");
    }
    EXPECT_EQ(slow[0], 0u);
    EXPECT_GT(fast[0], 0u);
    EXPECT_GT(slow[1], 0u) << "blocks on a per-CPU list are not free buddy pages";
    EXPECT_GT(drains[1], 0u);
}

TEST(PageAllocator, ApiMisuseIsAClearError) {
    RecordingKmem k;
    PageAllocator a(small_board(), cfg(), k);
    EXPECT_THROW(a.alloc_pages(11, kGfpKernel), MmError);
    auto p = a.alloc_pages(2, kGfpKernel);
    EXPECT_THROW(a.free_pages(p.pfn + 1), MmError) << "not the head";
    EXPECT_THROW(a.free_pages(Pfn(0x10)), MmError) << "outside memory";
    a.free_pages(p.pfn);
    try {
        a.free_pages(p.pfn);
        FAIL() << "double free accepted";
    } catch (const MmError &e) {
        EXPECT_NE(std::string(e.what()).find("is not the head of an allocated block"), std::string::npos);
    }
}

TEST(PageAllocator, OomIsAResultAndUnmovableStarvationIsCounted) {
    RecordingKmem k;
    PageAllocator a(small_board(), cfg(CmaPolicy::never), k);
    std::uint64_t ok = 0;
    for (;;) {
        auto p = a.alloc_pages(0, kGfpKernel);
        if (!p.ok) break;
        ++ok;
    }
    EXPECT_GT(ok, kDataPages - 100);
    EXPECT_EQ(a.stats().alloc_failures[static_cast<unsigned>(MigrateType::unmovable)], 1u);
    EXPECT_EQ(a.stats().starvation, 1u) << "the pool had 512 free pages the request could not use";
    EXPECT_EQ(a.free_pages(MigrateType::cma), kPoolPages);
    EXPECT_EQ(a.check_invariants(true), "");
}

TEST(PageAllocator, StarvationIsCountedOncePerAllocationAcrossItsRetries) {
    RecordingKmem k;
    PageAllocator a(small_board(), cfg(CmaPolicy::never), k);
    while (a.alloc_pages(0, kGfpKernel).ok) {
    }
    ASSERT_EQ(a.stats().starvation, 1u);
    {
        PageAllocator::SlowPath slow(a); /* one allocation: first try, two retries after "reclaim" */
        EXPECT_FALSE(a.alloc_pages(0, kGfpKernel, false).ok);
        EXPECT_FALSE(a.alloc_pages(0, kGfpKernel, false).ok);
        EXPECT_FALSE(a.alloc_pages(0, kGfpKernel, true).ok);
    }
    EXPECT_EQ(a.stats().starvation, 2u) << "three attempts of one allocation: one event";
    EXPECT_EQ(a.stats().alloc_failures[static_cast<unsigned>(MigrateType::unmovable)], 2u);
    {
        PageAllocator::SlowPath slow(a); /* an allocation that needed reclaim, then succeeded */
        EXPECT_FALSE(a.alloc_pages(0, kGfpKernel, false).ok);
    }
    EXPECT_EQ(a.stats().starvation, 3u) << "needing reclaim while the pool is free counts too";
}

/*
 * The randomized invariant test: fixed seeds, mixing allocations of every class and order,
 * frees, pins and reservation retries on every pool policy and reservation path, with the
 * invariants checked after every step: 250 000 steps a seed, 2 x 10^6 in all; the sanitizer
 * build runs 50 000 of each (sanitized_counts.h).
 */
class RandomizedInvariants : public ::testing::TestWithParam<std::tuple<std::uint64_t, CmaPolicy, TagReservePath, bool>> {};

/* The owner of the test's live blocks: follows migrations, as a PTE would. */
struct LiveBlocks : IPageMigrator {
    std::vector<std::pair<Pfn, unsigned>> blocks;
    std::unordered_map<std::uint64_t, std::size_t> index; /* pfn -> position in blocks */
    std::uint64_t pages = 0, moves = 0;
    void add(Pfn p, unsigned order) {
        index[p.value()] = blocks.size();
        blocks.emplace_back(p, order);
        pages += 1ull << order;
    }
    void remove(std::size_t j) {
        pages -= 1ull << blocks[j].second;
        index.erase(blocks[j].first.value());
        if (j != blocks.size() - 1) {
            blocks[j] = blocks.back();
            index[blocks[j].first.value()] = j;
        }
        blocks.pop_back();
    }
    /* Cleancache copies (alloc_cleancache_page): dropped on demand, never isolated. */
    std::unordered_set<std::uint64_t> copies;
    std::uint64_t drops = 0;
    bool drop(Pfn pfn) override {
        if (!copies.erase(pfn.value())) return false;
        auto it = index.find(pfn.value());
        EXPECT_NE(it, index.end());
        remove(it->second);
        dropper->free_pages(pfn);
        ++drops;
        return true;
    }
    Busy isolate_busy(Pfn pfn) const override { return copies.count(pfn.value()) ? Busy::not_lru : Busy::none; }
    PageAllocator *dropper = nullptr;
    bool move(Pfn from, Pfn to, unsigned order, TlbFlushBatch *) override {
        auto it = index.find(from.value());
        EXPECT_NE(it, index.end()) << "moved a block nobody owns";
        if (it == index.end()) return false;
        EXPECT_EQ(blocks[it->second].second, order);
        const std::size_t j = it->second;
        index.erase(it);
        blocks[j].first = to;
        index[to.value()] = j;
        ++moves;
        return true;
    }
};

TEST_P(RandomizedInvariants, HoldAfterEveryStep) {
    const auto [seed, policy, path, pcp] = GetParam();
    RecordingKmem k;
    MmConfig c = cfg(policy, path);
    c.pcp_lists = pcp;
    PageAllocator a(small_board(), c, k);
    LiveBlocks live;
    live.dropper = &a;
    a.set_migrator(&live);
    std::mt19937_64 rng(seed);
    const std::uint64_t steps = test::count_for_build(250000, 50000);
    for (std::uint64_t i = 0; i < steps; ++i) {
        const unsigned op = rng() % 100;
        if (path == TagReservePath::cleancache && op < 10) {
            // A cleancache put: a pool page holds a copy until it is freed (a get) or dropped.
            if (auto p = a.alloc_cleancache_page()) {
                live.add(*p, 0);
                live.copies.insert(p->value());
            }
        } else if (op < 50 || live.blocks.empty()) {
            unsigned order = rng() % 8 == 0 ? static_cast<unsigned>(rng() % 11) : static_cast<unsigned>(rng() % 4);
            const GfpFlags kinds[] = {kGfpKernel, kGfpReclaimable, kGfpHighUserMovable, kGfpHighUserMovableTagged};
            auto p = a.alloc_pages(order, kinds[rng() % 4]);
            if (p.ok) live.add(p.pfn, order);
        } else if (op < 92) {
            const std::size_t j = rng() % live.blocks.size();
            a.free_pages(live.blocks[j].first);
            live.copies.erase(live.blocks[j].first.value());
            live.remove(j);
        } else if (op < 97) {
            a.set_pinned(live.blocks[rng() % live.blocks.size()].first, rng() % 2);
        } else {
            a.retry_tag_reservation(live.blocks[rng() % live.blocks.size()].first);
        }
        const std::string err = a.check_invariants((i % 4096) == 0);
        ASSERT_EQ(err, "") << "step " << i;
        ASSERT_EQ(live.pages + a.free_pages() + a.pcp_pages() + a.pool_pages_holding_tags(), a.managed_pages()) << "step " << i;
    }
    EXPECT_GT(a.stats().reserve_fast + a.stats().reserve_slow, 1000u);
    if (path == TagReservePath::cleancache) {
        EXPECT_GT(a.stats().reserve_dropped, 0u) << "reservations dropped pool copies";
        EXPECT_EQ(live.drops, a.stats().reserve_drop_pages);
        EXPECT_EQ(a.stats().lru_disables, 0u) << "no lru_cache_disable on the cleancache path";
    } else if (path == TagReservePath::contig_range || policy == CmaPolicy::cma_first) {
        EXPECT_GT(live.moves, 0u) << "the slow path migrated pool occupants";
    }
}

INSTANTIATE_TEST_SUITE_P(
    Seeds, RandomizedInvariants,
    ::testing::Values(std::make_tuple(1ull, CmaPolicy::linux_balance, TagReservePath::fast_path, false),
                      std::make_tuple(2ull, CmaPolicy::cma_first, TagReservePath::fast_path, false),
                      std::make_tuple(3ull, CmaPolicy::cma_last, TagReservePath::contig_range, false),
                      std::make_tuple(4ull, CmaPolicy::linux_balance, TagReservePath::contig_range, false),
                      std::make_tuple(5ull, CmaPolicy::linux_balance, TagReservePath::fast_path, true),
                      std::make_tuple(6ull, CmaPolicy::cma_last, TagReservePath::contig_range, true),
                      std::make_tuple(7ull, CmaPolicy::linux_balance, TagReservePath::cleancache, false),
                      std::make_tuple(8ull, CmaPolicy::cma_last, TagReservePath::cleancache, true)));

namespace {
/// RecordingKmem that also counts bookkeeping instructions, one cycle each (CPI 1).
struct CountingKmem : RecordingKmem {
    std::uint64_t instr = 0;
    std::uint64_t instructions(std::uint64_t n) override {
        instr += n;
        return n;
    }
};
}  // namespace

/* Bookkeeping costs instructions (issue #14). Each expectation is built from the KernelOpCosts
 * values set here, distinct so that a charge in the wrong place shows: a call's entry cost
 * (alloc_entry / free_entry) once, zone->lock once per hold, buddy_page per block moved. */
MmConfig costed(MmConfig c) {
    c.ops.alloc_entry = 1000;
    c.ops.free_entry = 300;
    c.ops.zone_lock = 20;
    c.ops.buddy_page = 7;
    c.ops.refcount = 5;
    c.ops.page_scan = 12;
    return c;
}

TEST(KernelBookkeeping, BuddyAllocationAndFreeEachTakeTheZoneLockAndOneBlock) {
    CountingKmem k;
    const MmConfig c = costed(cfg());
    PageAllocator a(small_board(), c, k);
    auto p = a.alloc_pages(0, kGfpKernel);
    ASSERT_TRUE(p.ok);
    const std::uint64_t alloc = c.ops.alloc_entry + c.ops.zone_lock + c.ops.buddy_page;
    EXPECT_EQ(k.instr, alloc);
    EXPECT_EQ(p.cycles, alloc) << "the cycles charged are the ones returned";
    const std::uint64_t free = c.ops.free_entry + c.ops.zone_lock + c.ops.buddy_page;
    EXPECT_EQ(a.free_pages(p.pfn), free);
    EXPECT_EQ(k.instr, alloc + free);
}

TEST(KernelBookkeeping, APerCpuRefillOfBatchBChargesTheEntryTheLockOnceAndBBlocks) {
    CountingKmem k;
    MmConfig c = costed(cfg());
    c.pcp_lists = true;
    PageAllocator a(small_board(), c, k);
    const std::uint64_t b = a.pcp_batch(*a.zones()[0]);
    ASSERT_EQ(b, 3u) << "zone_batchsize of the small board's zone (PerCpuLists test above)";
    auto first = a.alloc_pages(0, kGfpKernel);
    ASSERT_TRUE(first.ok);
    EXPECT_EQ(a.stats().pcp_refills, 1u);
    EXPECT_EQ(first.cycles, c.ops.alloc_entry + c.ops.zone_lock + b * c.ops.buddy_page)
        << "rmqueue_bulk: zone->lock once, then B blocks";
    auto hit = a.alloc_pages(0, kGfpKernel);
    EXPECT_EQ(hit.cycles, c.ops.alloc_entry) << "served from the CPU's list: the entry cost only, no lock";
    EXPECT_EQ(a.free_pages(hit.pfn), c.ops.free_entry) << "onto the list: the entry cost only, no lock";
}

TEST(KernelBookkeeping, APerCpuSpillAndADrainChargeTheLockOnceAndOneBlockEach) {
    CountingKmem k;
    MmConfig c = costed(cfg());
    c.pcp_lists = true;
    PageAllocator a(small_board(), c, k);
    const Zone &z = *a.zones()[0];
    const std::uint64_t b = a.pcp_batch(z), high = a.pcp_high(z);
    ASSERT_EQ(high, 12u);
    std::vector<Pfn> held;
    for (std::uint64_t i = 0; i < high + 2; ++i) held.push_back(a.alloc_pages(0, kGfpKernel).pfn);
    ASSERT_EQ(a.pcp_pages(), 1u) << "5 refills of 3 for 14 pages: one left on the list";
    for (Pfn q : held) {
        const std::uint64_t spills = a.stats().pcp_spills;
        const std::uint64_t cyc = a.free_pages(q);
        if (a.stats().pcp_spills != spills)
            EXPECT_EQ(cyc, c.ops.free_entry + c.ops.zone_lock + b * c.ops.buddy_page)
                << "free_pcppages_bulk: zone->lock once, then a batch of B blocks";
        else
            EXPECT_EQ(cyc, c.ops.free_entry);
    }
    EXPECT_EQ(a.stats().pcp_spills, 2u) << "1 + 11 frees reach high (12), 3 go back; 3 more frees reach it again";
    const std::uint64_t on_list = a.pcp_pages();
    ASSERT_EQ(on_list, 15u - 2 * b);
    const std::uint64_t before = k.instr;
    EXPECT_EQ(a.drain_all_pages(*a.zones()[0]), on_list);
    EXPECT_EQ(k.instr - before, c.ops.zone_lock + on_list * c.ops.buddy_page) << "one CPU's list: one hold, one block each";
}

/* The orders the lists hold (issue 14: "the orders they hold"): 0..PAGE_ALLOC_COSTLY_ORDER (3).
 * An order-2 refill takes max(batch >> 2, 2) = 2 blocks (rmqueue_bulk's count for order > 0);
 * an order-4 request goes to the buddy lists (rmqueue_buddy) and leaves the lists alone. */
TEST(KernelBookkeeping, ListsHoldOrdersUpToThreeAndAHigherOrderTakesTheBuddyLists) {
    CountingKmem k;
    MmConfig c = costed(cfg());
    c.pcp_lists = true;
    PageAllocator a(small_board(), c, k);
    ASSERT_EQ(a.pcp_batch(*a.zones()[0]), 3u);
    auto o2 = a.alloc_pages(2, kGfpKernel);
    ASSERT_TRUE(o2.ok);
    EXPECT_EQ(a.stats().pcp_refills, 1u);
    EXPECT_EQ(o2.cycles, c.ops.alloc_entry + c.ops.zone_lock + 2 * c.ops.buddy_page) << "a refill of 2 order-2 blocks";
    EXPECT_EQ(a.pcp_pages(), 4u) << "the second block (4 pages) stays on the CPU's order-2 list";
    auto o4 = a.alloc_pages(4, kGfpKernel);
    ASSERT_TRUE(o4.ok);
    EXPECT_EQ(a.stats().pcp_refills, 1u) << "order 4 has no per-CPU list";
    EXPECT_EQ(o4.cycles, c.ops.alloc_entry + c.ops.zone_lock + c.ops.buddy_page);
    EXPECT_EQ(a.free_pages(o4.pfn), c.ops.free_entry + c.ops.zone_lock + c.ops.buddy_page) << "freed straight to the buddy lists";
    EXPECT_EQ(a.free_pages(o2.pfn), c.ops.free_entry) << "an order-2 block goes back onto the list";
    EXPECT_EQ(a.pcp_pages(), 8u);
}

/* alloc_contig_range's own work (issue 14, "its isolation checks"): start_isolate_page_range and
 * undo_isolate_page_range take zone->lock, has_unmovable_pages and test_pages_isolated look at
 * every page of the block, and lru_cache_disable's expedited grace period interrupts the three
 * other (busy) CPUs. On a free block nothing else is added (no migration, no LRU batch, no
 * per-CPU lists to drain). */
TEST(KernelBookkeeping, AContigRangeAttemptChargesItsIsolationChecksPerPageOfTheBlock) {
    CountingKmem k;
    const MmConfig c = costed(cfg(CmaPolicy::linux_balance, TagReservePath::contig_range));
    PageAllocator a(small_board(), c, k);
    const std::uint64_t block_pages = 1ull << a.tag_pool().block_order(0);
    auto t = a.alloc_pages(0, kGfpHighUserMovableTagged);
    ASSERT_TRUE(t.ok);
    ASSERT_EQ(a.stats().reserve_slow, 1u);
    ASSERT_EQ(a.stats().contig_attempts, 1u);
    const LruDisableCosts &l = c.lru_disable;
    const std::uint64_t rcu = 3ull * l.ipi_send_cycles + l.ipi_delivery_cycles + l.irq_cycles + 2ull * l.context_switch_cycles;
    EXPECT_EQ(k.waited, rcu) << "three SGIs sent, the last delivered and handled, the caller's sleep and wake-up";
    const KernelOpCosts &o = c.ops;
    EXPECT_EQ(t.cycles, (o.alloc_entry + o.zone_lock + o.buddy_page) + o.refcount +
                            (2 * o.zone_lock + 2 * block_pages * o.page_scan) + rcu + 10u)
        << "the data page, the refcount, the isolation and its checks, the grace period, the block's cache maintenance (the fake's 10)";
}

TEST(KernelBookkeeping, TheFastPathCostsMoreThanARefcountHitAndNothingIsFree) {
    CountingKmem k;
    PageAllocator a(small_board(), cfg(), k);
    auto t1 = a.alloc_pages(0, kGfpHighUserMovableTagged);
    ASSERT_TRUE(t1.ok);
    EXPECT_EQ(a.stats().reserve_fast, 1u);
    const KernelOpCosts &o = a.config().ops;
    const std::uint64_t data_page = o.alloc_entry + o.zone_lock + o.buddy_page;
    EXPECT_EQ(t1.cycles, data_page + o.refcount + o.page_scan + (o.zone_lock + o.buddy_page) + 10u)
        << "the data page, the refcount, is_free_buddy_page, the block off the free list, its cache maintenance (the fake's 10)";
    auto t2 = a.alloc_pages(0, kGfpHighUserMovableTagged);
    ASSERT_TRUE(t2.ok);
    EXPECT_EQ(a.stats().reserve_refcount_hits, 1u);
    EXPECT_EQ(t2.cycles, data_page + o.refcount) << "the data page and a refcount";
}
