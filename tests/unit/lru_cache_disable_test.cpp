// lru_cache_disable as Linux does it (issue #14): the cost on the caller and on every other CPU
// from the CPUs' state (LruCacheDisable::plan), and the kernel model's per-CPU LRU-add batches
// that its drain works empty.
#include "mtesim/mm/lru_cache_disable.h"
#include "kernel_rig.h"

#include <gtest/gtest.h>

#include <vector>

using namespace mtesim;
using test::kBase;
using test::KernelRig;

namespace {

std::vector<LruCacheDisable::Cpu> cpus(unsigned n, bool busy, std::uint64_t batch) {
    return std::vector<LruCacheDisable::Cpu>(n, LruCacheDisable::Cpu{busy, batch});
}

}  // namespace

TEST(LruCacheDisable, RemoteCostGrowsWithTheCpuCountWhenTheCpusAreBusy) {
    const LruDisableCosts k;
    std::uint64_t last = 0;
    for (unsigned n : {4u, 8u, 16u, 64u}) {
        const auto p = LruCacheDisable::plan(k, 0, cpus(n, true, 0));
        EXPECT_EQ(p.rcu_ipis, n - 1) << n << " CPUs: every other busy CPU gets the expedited-RCU IPI";
        EXPECT_EQ(p.remote_cycles(), std::uint64_t{n - 1} * k.irq_cycles) << "each loses one interrupt";
        EXPECT_EQ(p.cpu_cycles[0], 0u) << "the caller's own time is its wait, not a remote charge";
        EXPECT_GT(p.remote_cycles(), last);
        last = p.remote_cycles();
        EXPECT_EQ(p.initiator_cycles,
                  std::uint64_t{n - 1} * k.ipi_send_cycles + k.ipi_delivery_cycles + k.irq_cycles + 2ull * k.context_switch_cycles)
            << "the sends one after another, then the last handler, then the caller's wake-up";
    }
}

TEST(LruCacheDisable, IdleCpusAreNotInterruptedUnlessTheirBatchHoldsFolios) {
    const LruDisableCosts k;
    for (unsigned n : {4u, 8u, 16u, 64u}) {
        std::vector<LruCacheDisable::Cpu> c = cpus(n, false, 0);
        c[0].busy = true; /* the caller */
        const auto idle = LruCacheDisable::plan(k, 0, c);
        EXPECT_EQ(idle.rcu_ipis, 0u) << "idle CPUs are in an extended quiescent state";
        EXPECT_EQ(idle.remote_cycles(), 0u);
        EXPECT_EQ(idle.initiator_cycles, 0u) << "nothing to wait for";
        // Folios left in the idle CPUs' batches: each runs a drain work.
        for (unsigned i = 1; i < n; ++i) c[i].batch_folios = 3;
        const auto drain = LruCacheDisable::plan(k, 0, c);
        EXPECT_EQ(drain.drain_works, n - 1);
        const std::uint64_t per_cpu = k.irq_cycles + 2ull * k.context_switch_cycles + 3ull * k.lru_add_folio_cycles;
        EXPECT_EQ(drain.remote_cycles(), std::uint64_t{n - 1} * per_cpu) << "a switch to the kworker, the drain, a switch back";
        EXPECT_EQ(drain.initiator_cycles,
                  std::uint64_t{n - 1} * k.ipi_send_cycles + k.ipi_delivery_cycles + per_cpu + 2ull * k.context_switch_cycles)
            << "flush_work waits for the last CPU queued";
    }
}

TEST(LruCacheDisable, BusyCpusWithFullBatchesPayBothPhases) {
    const LruDisableCosts k;
    const auto busy = LruCacheDisable::plan(k, 2, cpus(8, true, 14));
    EXPECT_EQ(busy.rcu_ipis, 7u);
    EXPECT_EQ(busy.drain_works, 8u) << "the caller's own batch is drained by its kworker too";
    EXPECT_EQ(busy.cpu_cycles[2], 0u);
    EXPECT_EQ(busy.cpu_cycles[5], 2ull * k.irq_cycles + 2ull * k.context_switch_cycles + 14ull * k.lru_add_folio_cycles);
}

TEST(LruAddBatches, FaultsFillTheirCpusBatchUntilItIsFullThenItJoinsTheLru) {
    KernelRig r;
    r.k->thread_start(1);
    r.k->mmap(1, kBase, 64 * kPageSize, false);
    r.kmem.cpu = 2;
    for (unsigned i = 0; i < LruAddBatches::kBatchFolios - 1; ++i) ASSERT_TRUE(r.touch(1, kBase + i * kPageSize, true));
    EXPECT_EQ(r.k->lru_batch_folios(2), LruAddBatches::kBatchFolios - 1);
    EXPECT_EQ(r.k->lru_batch_folios(0), 0u);
    ASSERT_TRUE(r.touch(1, kBase + 20 * kPageSize, true));
    EXPECT_EQ(r.k->lru_batch_folios(2), 0u) << "the 15th folio filled the batch: all moved to the LRU lists";
    r.kmem.cpu = 1;
    ASSERT_TRUE(r.touch(1, kBase + 30 * kPageSize, true));
    EXPECT_EQ(r.k->lru_batch_folios(1), 1u);
    r.expect_clean();
    r.k->munmap(1, kBase + 30 * kPageSize, kPageSize);
    EXPECT_EQ(r.k->lru_batch_folios(1), 0u) << "a page freed before its batch drained leaves the batch";
    r.expect_clean();
}

TEST(LruAddBatches, LruCacheDisableDrainsEveryBatchAndBypassesThemUntilEnabled) {
    KernelRig r;
    r.k->thread_start(1);
    r.k->mmap(1, kBase, 64 * kPageSize, false);
    for (unsigned c = 0; c < 4; ++c) {
        r.kmem.cpu = c;
        for (unsigned i = 0; i <= c; ++i) ASSERT_TRUE(r.touch(1, kBase + (8 * c + i) * kPageSize, true));
    }
    EXPECT_EQ(r.k->lru_batch_folios(3), 4u);
    r.kmem.cpu = 0;
    r.alloc->lru_cache_disable();
    for (unsigned c = 0; c < 4; ++c) EXPECT_EQ(r.k->lru_batch_folios(c), 0u) << "CPU " << c;
    EXPECT_EQ(r.alloc->stats().lru_drain_works, 4u);
    EXPECT_EQ(r.alloc->stats().ipis, 3u) << "a drain work sent to each other CPU (the idle ones get no RCU IPI)";
    ASSERT_TRUE(r.touch(1, kBase + 40 * kPageSize, true));
    EXPECT_EQ(r.k->lru_batch_folios(0), 0u) << "while disabled, folios go straight to the lists";
    r.alloc->lru_cache_enable();
    ASSERT_TRUE(r.touch(1, kBase + 41 * kPageSize, true));
    EXPECT_EQ(r.k->lru_batch_folios(0), 1u);
    r.expect_clean();
}
