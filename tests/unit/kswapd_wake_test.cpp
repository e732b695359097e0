// When kswapd is woken, against Linux's rule: get_page_from_freelist tries each zone of the
// zonelist with ALLOC_WMARK_LOW (__zone_watermark_ok: free - 2^order must stay at the zone's
// low mark), so the highest zone falls back to the next one at its low watermark, not at min;
// only when no zone passes does the allocation enter __alloc_pages_slowpath, wake kswapd
// (wake_all_kswapds) and retry with ALLOC_WMARK_MIN. The expectations are that rule worked
// through by hand: the free pages at the wake are one allocation below the sum of the low
// watermarks, and no zone is below its low mark while another is above it.
#include "kernel_rig.h"

#include <gtest/gtest.h>

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
