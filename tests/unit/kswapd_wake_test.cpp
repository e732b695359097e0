// When kswapd is woken, against Linux's rule: get_page_from_freelist tries each zone of the
// zonelist with ALLOC_WMARK_LOW (__zone_watermark_ok: free - 2^order must stay at the zone's
// low mark), so the highest zone falls back to the next one at its low watermark, not at min;
// only when no zone passes does the allocation enter __alloc_pages_slowpath, wake kswapd
// (wake_all_kswapds) and retry with ALLOC_WMARK_MIN. The expectations are that rule worked
// through by hand: the free pages at the wake are one allocation below the sum of the low
// watermarks, and no zone is below its low mark while another is above it.
#include "kernel_rig.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

using namespace mtesim;
using mtesim::test::KernelRig;

namespace {

MmConfig no_pool() {
    MmConfig mm;
    mm.cma_policy = CmaPolicy::never; /* page-cache pages outside the pool, so the free count moves */
    return mm;
}

/* Records the free pages outside the pool at each wake-up of a kernel thread. */
struct WakeProbe {
    std::vector<std::uint64_t> free_at_wake;
    WakeProbe(Kernel &k, PageAllocator &a) {
        k.set_kthread_waker([this, &a](IKernelThread &) {
            free_at_wake.push_back(a.free_pages_without_pool());
            return false;
        });
    }
};

}  // namespace

TEST(KswapdWake, TheHighestZoneFallsBackAtItsLowWatermarkNotAtMin) {
    KernelRig r(no_pool());
    ASSERT_GE(r.alloc->zones().size(), 2u) << "virt-4g-mte has a DMA32 and a Normal zone";
    // Order-0 kernel allocations down to just above the sum of the low watermarks: every zone
    // serves in the fast path, so each stops at its own low mark before the next is used.
    r.hog(r.alloc->watermark_pages(false) + 64);
    // Free pages as an unmovable request's watermark check counts them: the pool's left out.
    const auto usable = [](const Zone &z) { return z.free_pages() - z.free_pages(MigrateType::cma); };
    const auto &zones = r.alloc->zones();
    const Zone &highest = *zones.front();
    EXPECT_GE(usable(highest), highest.wmark_low) << highest.name() << " kept its low watermark";
    EXPECT_LT(usable(highest), highest.wmark_low + 2) << highest.name() << " was used down to low before the next zone";
    for (std::size_t i = 1; i < zones.size(); ++i) EXPECT_GE(usable(*zones[i]), zones[i]->wmark_low) << zones[i]->name();
}

TEST(KswapdWake, AnOrderZeroAllocationWakesItOnePageBelowTheLowWatermarks) {
    KernelRig r(no_pool());
    WakeProbe probe(*r.k, *r.alloc);
    r.k->thread_start(1);
    const std::uint64_t low = r.alloc->watermark_pages(false);
    r.hog(low + 20);
    ASSERT_EQ(r.alloc->free_pages_without_pool(), low + 20);
    // Page-cache reads one page at a time: the 21st allocation is the first that finds every
    // zone at its low mark (free == low fails free - 1 >= low), takes its page at min and wakes
    // kswapd, leaving low - 1 pages.
    for (std::uint64_t p = 0; p < 40; ++p) r.k->read_file(1, 9, p * kPageSize, kPageSize);
    ASSERT_EQ(probe.free_at_wake.size(), 1u) << "one wake-up; later allocations find kswapd runnable";
    EXPECT_EQ(probe.free_at_wake[0], low - 1);
}

TEST(KswapdWake, AHighOrderAllocationWakesItWhenItWouldCrossTheLowWatermark) {
    KernelRig r(no_pool());
    WakeProbe probe(*r.k, *r.alloc);
    const std::uint64_t low = r.alloc->watermark_pages(false);
    r.hog(low + 8 + 5);
    ASSERT_EQ(r.alloc->free_pages_without_pool(), low + 13);
    // Order 3 (8 pages) from low + 13 leaves low + 5: above low, no wake.
    ASSERT_TRUE(r.k->kalloc(3, kGfpKernel).ok);
    EXPECT_TRUE(probe.free_at_wake.empty());
    // From low + 5 it would leave low - 3: the fast path refuses it in every zone, the slow path
    // takes it at min and kswapd is woken with low - 3 free.
    ASSERT_TRUE(r.k->kalloc(3, kGfpKernel).ok);
    ASSERT_EQ(probe.free_at_wake.size(), 1u);
    EXPECT_EQ(probe.free_at_wake[0], low - 3);
}

namespace {
/* setup_per_zone_lowmem_reserve() worked by hand for the model's zones: every request may use
 * ZONE_NORMAL, so each zone below 4 GiB keeps managed(Normal zones) / ratio pages (one such
 * zone here), and a Normal zone keeps none. */
std::uint64_t normal_managed(const PageAllocator &a) {
    std::uint64_t n = 0;
    for (const auto &z : a.zones())
        if (z->start().value() >= ((1ull << 32) >> kPageShift)) n += z->managed_pages();
    return n;
}
}  // namespace

// The kernel's arithmetic on a measured machine: an RK3588 board (arm64) reports
// "zone DMA protection: (0, 0, 4192, 4192)" beside "zone Normal managed 1073373" with
// lowmem_reserve_ratio 256 in /proc/zoneinfo; 1,073,373 / 256 = 4,192.9, truncated. On
// virt-4g-mte the DMA32 zone's reserve is likewise managed(Normal) / 256, and 0 with the
// ratio 0; the Normal zone's is 0.
TEST(LowmemReserve, TheZoneBelow4GiBKeepsNormalsManagedPagesOver256) {
    KernelRig r(no_pool());
    const auto &zones = r.alloc->zones();
    ASSERT_EQ(zones.size(), 2u);
    const Zone &normal = *zones[0], &dma32 = *zones[1];
    ASSERT_EQ(normal.name().rfind("Normal", 0), 0u);
    ASSERT_EQ(dma32.name().rfind("DMA32", 0), 0u);
    EXPECT_EQ(normal.lowmem_reserve, 0u);
    EXPECT_EQ(dma32.lowmem_reserve, normal_managed(*r.alloc) / 256);
    EXPECT_GT(dma32.lowmem_reserve, 1000u) << "about 2 GiB of Normal memory: some 2,000 pages";
    MmConfig off = no_pool();
    off.lowmem_reserve_ratio = 0;
    KernelRig r0(off);
    for (const auto &z : r0.alloc->zones()) EXPECT_EQ(z->lowmem_reserve, 0u) << z->name();
}

// __zone_watermark_ok adds the reserve to the mark: once the Normal zone is at its low
// watermark, requests fall back to DMA32 only while it stays above its low mark plus the
// reserve, so kswapd is woken that many pages earlier than with no reserve.
TEST(LowmemReserve, FallbackStopsAtTheLowMarkPlusTheReserveAndKswapdWakesThatMuchEarlier) {
    std::uint64_t wake[2] = {0, 0}, reserve = 0;
    for (int on = 0; on < 2; ++on) {
        MmConfig mm = no_pool();
        if (!on) mm.lowmem_reserve_ratio = 0;
        KernelRig r(mm);
        WakeProbe probe(*r.k, *r.alloc);
        r.k->thread_start(1);
        const Zone &dma32 = *r.alloc->zones()[1];
        if (on) reserve = normal_managed(*r.alloc) / 256;
        // Page-cache reads until kswapd is woken.
        for (std::uint64_t p = 0; probe.free_at_wake.empty() && p < (1ull << 21); ++p)
            r.k->read_file(1, 9, p * kPageSize, kPageSize);
        ASSERT_EQ(probe.free_at_wake.size(), 1u);
        wake[on] = probe.free_at_wake[0];
        // Normal went down to its low mark, then DMA32 to its low mark plus the reserve; the
        // allocation that found both there woke kswapd and took its page from Normal at min.
        const Zone &normal = *r.alloc->zones()[0];
        const auto usable = [](const Zone &z) { return z.free_pages() - z.free_pages(MigrateType::cma); };
        EXPECT_EQ(usable(dma32), dma32.wmark_low + (on ? reserve : 0)) << "on=" << on;
        EXPECT_EQ(usable(normal), normal.wmark_low - 1) << "on=" << on;
    }
    ASSERT_GT(reserve, 0u);
    EXPECT_EQ(wake[1], wake[0] + reserve);
}

// The allocator on its own (no kswapd): unmovable order-0 requests until one fails. The fast
// pass stops each zone at its low mark, the slow pass at min; both add the zone's reserve, so
// the DMA32 zone is left with min + reserve free pages (min with the ratio 0), the Normal zone
// with its min.
TEST(LowmemReserve, AllocationsLeaveTheReserveInTheZoneBelow4GiBDownToItsMin) {
    for (int on = 0; on < 2; ++on) {
        MmConfig mm = no_pool();
        if (!on) mm.lowmem_reserve_ratio = 0;
        KernelRig r(mm);
        const GfpFlags gfp{MigrateType::unmovable, false, false};
        while (r.alloc->alloc_pages(0, gfp, true).ok) {}
        const Zone &normal = *r.alloc->zones()[0], &dma32 = *r.alloc->zones()[1];
        const auto usable = [](const Zone &z) { return z.free_pages() - z.free_pages(MigrateType::cma); };
        const std::uint64_t reserve = on ? normal_managed(*r.alloc) / 256 : 0;
        EXPECT_EQ(usable(dma32), dma32.wmark_min + reserve) << "on=" << on;
        EXPECT_EQ(usable(normal), normal.wmark_min) << "on=" << on;
    }
}

// pgdat_balanced and kcompactd test a zone at an order with __zone_watermark_ok: its free
// pages above the mark (plus its reserve) once the block is taken, and a free block of the
// order. A free order-4 block in a zone at its min watermark balances nothing at the high mark
// (kswapd) and is available at min (kcompactd has nothing to do), where a free-list look alone
// (has_free_block) sees the block either way.
TEST(LowmemReserve, AnOrderIsAvailableOnlyWhereTheZonesWatermarkAllowsIt) {
    KernelRig r(no_pool());
    std::vector<Pfn> taken;
    for (;;) {
        const auto a = r.alloc->alloc_pages(0, kGfpKernel, true);
        if (!a.ok) break;
        taken.push_back(a.pfn);
    }
    const Zone &normal = *r.alloc->zones()[0];
    // Free one aligned run of 16 pages of the Normal zone: the buddy lists merge it into an
    // order-4 block, and the zone stands at min + 16.
    std::sort(taken.begin(), taken.end());
    std::size_t run = taken.size();
    for (std::size_t i = 0; i + 16 <= taken.size() && run == taken.size(); ++i)
        if (normal.contains(taken[i]) && taken[i].value() % 16 == 0 && taken[i + 15].value() == taken[i].value() + 15) run = i;
    ASSERT_LT(run, taken.size());
    for (std::size_t i = run; i < run + 16; ++i) r.alloc->free_pages(taken[i]);
    ASSERT_TRUE(r.k->has_free_block(4));
    const std::uint64_t usable = normal.free_pages() - normal.free_pages(MigrateType::cma);
    ASSERT_EQ(usable, normal.wmark_min + 16);
    EXPECT_FALSE(r.alloc->order_available(4, /*high=*/true)) << "below the high mark: kswapd is not balanced";
    EXPECT_TRUE(r.alloc->order_available(4, /*high=*/false)) << "at min + 2^4: the order can be given";
}

namespace {

/* The pool's free pages taken (unmovable, nobody's): Normal's free pages are then its own lists'. */
void take_pool(PageAllocator &a) {
    for (const auto &z : a.zones())
        while (auto p = z->take_smallest(0, MigrateType::cma))
            z->mark_allocated(*p, 0, MigrateType::unmovable, PageMeta::State::allocated_head, 0);
}

}  // namespace

// Compaction's free scanner (isolate_freepages -> __isolate_free_page) takes its destinations in
// the zone being compacted, which it tests at min with no lowmem_reserve (highest_zoneidx 0);
// the allocator's migration target (alloc_migration_target, as alloc_contig_range uses) may take
// any zone, each at min plus its reserve. An allocator of its own (no kernel: no page owners).
TEST(LowmemReserve, CompactionsDestinationsStayInTheirZoneAndIgnoreTheReserve) {
    KernelRig base(no_pool());
    PageAllocator a(base.desc, no_pool(), base.kmem);
    const Zone &normal = *a.zones()[0], &dma32 = *a.zones()[1];
    const GfpFlags unmovable{MigrateType::unmovable, false, false}, movable{MigrateType::movable, false, false};
    const auto first = a.alloc_pages(0, movable);
    ASSERT_TRUE(first.ok);
    ASSERT_TRUE(normal.contains(first.pfn));
    std::vector<Pfn> in_dma32;
    for (;;) {
        const auto r = a.alloc_pages(0, unmovable);
        if (!r.ok) break;
        if (dma32.contains(r.pfn)) in_dma32.push_back(r.pfn);
    }
    ASSERT_GE(in_dma32.size(), 2u);
    const auto usable = [](const Zone &z) { return z.free_pages() - z.free_pages(MigrateType::cma); };
    ASSERT_EQ(usable(dma32), dma32.wmark_min + dma32.lowmem_reserve);
    ASSERT_EQ(usable(normal), normal.wmark_min);
    a.free_pages(in_dma32.back());
    const auto second = a.alloc_pages(0, movable);
    ASSERT_TRUE(second.ok);
    ASSERT_TRUE(dma32.contains(second.pfn)) << "Normal at min: the one page above DMA32's reserve";
    std::uint64_t cycles = 0;
    EXPECT_FALSE(a.migrate_block(second.pfn, cycles)) << "the allocator's target keeps DMA32's reserve and Normal's min";
    EXPECT_TRUE(a.migrate_block(second.pfn, cycles, MigrateOptions{MigrateMode::async, /*free_scanner=*/true})) << "compaction's may go down to DMA32's min";
    EXPECT_EQ(usable(dma32), dma32.wmark_min + dma32.lowmem_reserve) << "one page taken in DMA32, one freed there";
    EXPECT_EQ(usable(normal), normal.wmark_min);
    a.free_pages(in_dma32.front()); /* DMA32 one page above min + reserve */
    take_pool(a); /* compaction's test counts the pool's free pages (ALLOC_CMA): none left */
    EXPECT_FALSE(a.migrate_block(first.pfn, cycles, MigrateOptions{MigrateMode::async, /*free_scanner=*/true})) << "compacting Normal takes Normal's pages only: it is at min";
    EXPECT_TRUE(a.migrate_block(first.pfn, cycles)) << "the allocator's target may take DMA32's page above its reserve";
    EXPECT_EQ(usable(normal), normal.wmark_min + 1);
}

// __isolate_free_page tests the zone at min + 2^order with ALLOC_CMA: the pool's free pages
// count, even for a page going to the zone's own lists, while the allocator's target (an
// unmovable-class test, as the model's alloc_migration_target makes) does not count them.
TEST(LowmemReserve, CompactionsWatermarkCountsThePoolsFreePages) {
    KernelRig base(no_pool());
    PageAllocator a(base.desc, no_pool(), base.kmem);
    const Zone &normal = *a.zones()[0];
    const GfpFlags unmovable{MigrateType::unmovable, false, false}, movable{MigrateType::movable, false, false};
    const auto first = a.alloc_pages(0, movable);
    ASSERT_TRUE(first.ok && normal.contains(first.pfn));
    while (a.alloc_pages(0, unmovable).ok) {
    }
    const std::uint64_t pool = normal.free_pages(MigrateType::cma);
    ASSERT_GT(pool, 0u) << "the pool is left free (cma_policy never)";
    ASSERT_EQ(normal.free_pages() - pool, normal.wmark_min) << "Normal at min on its own lists";
    std::uint64_t cycles = 0;
    EXPECT_TRUE(a.migrate_block(first.pfn, cycles, MigrateOptions{MigrateMode::async, /*free_scanner=*/true})) << "min + 1 counting the pool";
    EXPECT_EQ(normal.free_pages() - normal.free_pages(MigrateType::cma), normal.wmark_min)
        << "a page of Normal's own lists taken, the old one freed";
    EXPECT_EQ(normal.free_pages(MigrateType::cma), pool) << "the destination is not the pool's";
}
