// The page allocator inside a simulation: kalloc/kfree/pin trace events run the allocator on
// the core that executes them, and its kernel work (migration copies, IPIs, TLBIs, cache
// maintenance) costs that core time and memory traffic through the caches and DRAM model.
#include "model_run.h"
#include "platform/platform.h"

#include "mtesim/config/config_loader.h"
#include "mtesim/dt/board_loader.h"
#include "mtesim/trace/text_trace_reader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

using namespace mtesim;

namespace {

RunResult run_trace(const std::string &body, std::vector<std::string> sets) {
    return test::run_text_trace("kalloc", body, sets);
}

/* 31 order-10 movable blocks fill the 31744-page pool under cma-first. */
std::string fill_pool(bool declare = true) {
    std::string s = declare ? "thread 1 core=0\n" : "";
    for (int i = 0; i < 31; ++i) s += "1 kalloc m" + std::to_string(i) + " 10 movable\n";
    return s;
}

/* The pool full of pinned movable blocks (cma-first), so that every tag reservation fails;
 * thread 2, on CPU 1, maps a PROT_MTE page at 0x10000000 and runs @use on it; thread 1 unpins
 * the blocks 3,000,000 cycles later. */
std::string blocked_reservation(const std::string &use) {
    std::string s = fill_pool();
    for (int i = 0; i < 31; ++i) s += "1 pin m" + std::to_string(i) + "\n";
    s += "thread 2 core=1\n2 compute 100000\n2 mmap 0x10000000 0x1000 mte\n" + use;
    s += "1 compute 3000000\n";
    for (int i = 0; i < 31; ++i) s += "1 unpin m" + std::to_string(i) + "\n";
    return s;
}

/* Threads computing on CPUs 1-3 for the whole run, declared before thread 1's events; thread 1
 * computes a while first, so they are running when CPU 0 reserves. */
std::string busy_others() {
    std::string s;
    for (int c = 1; c <= 3; ++c) s += "thread " + std::to_string(c + 1) + " core=" + std::to_string(c) + "\n";
    for (int c = 1; c <= 3; ++c) s += std::to_string(c + 1) + " compute 200000000\n";
    return s + "1 compute 1000000\n";
}

}  // namespace

TEST(KernelAllocation, SlowPathMigratesThroughTheMemorySystem) {
    RunResult r = run_trace("thread 1 core=0\n" + busy_others() + fill_pool(false) + "1 kalloc t 0 tagged\n", {"mm.cma_policy=cma-first"});
    EXPECT_EQ(r.mm_stats.reserve_slow, 1u);
    EXPECT_EQ(r.pool_free, 1023u) << "the emptied block is free again but for its tag page";
    EXPECT_EQ(r.pool_tags, 1u);
    EXPECT_EQ(r.mm_stats.pages_migrated, 1024u) << "the order-10 block holding the tag block moved whole";
    EXPECT_EQ(r.mm_stats.ipis, 3u) << "lru_cache_disable: the expedited-RCU IPI to the three other busy CPUs";
    EXPECT_EQ(r.mm_stats.lru_disable_remote_cycles, 3u * 700u) << "one interrupt each (kernel.irq_cycles)";
    for (int c = 1; c <= 3; ++c) EXPECT_GE(r.cores[c].kernel_cycles, 700u) << "CPU " << c << "'s thread lost the handler's time";
    EXPECT_GT(r.mm_stats.lru_disable_wait_cycles, 2u * 2000u) << "the caller slept and woke for the grace period";
    const CoreStats &c = r.cores[0];
    EXPECT_GE(c.dram_reads, 1024u * 64) << "every line of the block was read from DRAM";
    EXPECT_GT(c.kernel_cycles, 1024u * 64 * 2) << "copying 4 MiB costs at least a cycle per line access";
    EXPECT_EQ(c.kallocs, 32u);
}

TEST(KernelAllocation, FastPathCostsNoMigrationAndFewCycles) {
    RunResult r = run_trace("thread 1 core=0\n1 kalloc t 0 tagged\n1 kalloc u 0 tagged\n", {});
    EXPECT_EQ(r.mm_stats.reserve_fast, 1u);
    EXPECT_EQ(r.mm_stats.reserve_refcount_hits, 1u);
    EXPECT_EQ(r.mm_stats.pages_migrated, 0u);
    EXPECT_EQ(r.mm_stats.ipis, 0u);
    // Bookkeeping only (docs/timing-model.md): two refcounts, one is_free_buddy_page, one block
    // off the free list under zone->lock: 2 x 5 + 12 + 30 + 120 instructions at CPI <= 2.
    EXPECT_GT(r.mm_stats.reserve_cycles, 0u) << "no kernel operation is free";
    // Plus the block's cache maintenance as it turns from data to tags: one 4 KiB block, 64
    // lines at kernel.cmo_line_cycles (8 by default).
    EXPECT_EQ(r.mm_stats.tag_maintained_lines, 64u);
    EXPECT_EQ(r.mm_stats.tag_maintenance_cycles, 64u * 8u);
    EXPECT_LE(r.mm_stats.reserve_cycles, 2u * (2 * 5 + 12 + 30 + 120) + 64u * 8u) << "the fast path does no memory work";
}

TEST(KernelAllocation, PinnedPoolPagesBlockTheReservation) {
    std::string s = fill_pool(false);
    for (int i = 0; i < 31; ++i) s += "1 pin m" + std::to_string(i) + "\n";
    RunResult r = run_trace("thread 1 core=0\n" + busy_others() + s + "1 kalloc t 0 tagged\n", {"mm.cma_policy=cma-first"});
    EXPECT_EQ(r.mm_stats.reserve_failed, 1u);
    EXPECT_EQ(r.mm_stats.migrate_blocked_pinned, 3u);
    EXPECT_EQ(r.mm_stats.ipis, 9u) << "three attempts, three IPIs each";
}

TEST(KernelAllocation, FreeingAFailedAllocationIsCountedNotFatal) {
    // Exhaust memory: the last kallocs fail, and their names hold no block at run time (the
    // trace reader rejects frees it can see are wrong; these it cannot).
    std::string s = "thread 1 core=0\n";
    for (int i = 0; i < 3990; ++i) s += "1 kalloc k" + std::to_string(i) + " 10 unmovable\n";
    s += "1 kfree k3989\n1 pin k3988\n1 kfree k0\n";
    RunResult r = run_trace(s, {});
    EXPECT_GT(r.cores[0].kalloc_failures, 2u);
    EXPECT_EQ(r.cores[0].kfrees, 1u);
    EXPECT_EQ(r.cores[0].bad_kernel_frees, 2u);
}

TEST(KernelAllocation, UnmovableStarvationWhileThePoolIsFree) {
    // 4 GiB board: exhaust regular memory with unmovable order-10 blocks; the pool stays free.
    std::string s = "thread 1 core=0\n";
    for (int i = 0; i < 3980; ++i) s += "1 kalloc k" + std::to_string(i) + " 10 unmovable\n";
    RunResult r = run_trace(s, {});
    EXPECT_GT(r.mm_stats.starvation, 0u);
    EXPECT_EQ(r.pool_free, r.pool_pages);
}

TEST(KernelAllocation, KfreeChargesTheCacheMaintenanceOfAFreedTagBlockOnce) {
    // Freeing the only tagged page of a tag block releases the block: DC cache maintenance of
    // its lines, a named cost per line (kernel.cmo_line_cycles), made very dear here. The core's
    // time is its kernel work plus a few exception entries: the maintenance is charged once, as
    // it runs (what free_pages returns is not charged again).
    constexpr std::uint64_t kCmo = 1000000;
    RunResult r = run_trace("thread 1 core=0\n1 kalloc t 0 tagged\n1 kfree t\n",
                            {"kernel.cmo_line_cycles=" + std::to_string(kCmo)});
    ASSERT_EQ(r.mm_stats.tag_blocks_released, 1u);
    const CoreStats &c = r.cores[0];
    EXPECT_GE(c.kernel_cycles, 64 * kCmo) << "at least one page of lines maintained";
    EXPECT_GE(c.cycles, c.kernel_cycles);
    EXPECT_LT(c.cycles - c.kernel_cycles, kCmo) << "outside kernel work, only entries and exits";
}

TEST(KernelAllocation, ReservingTagBlocksChargesTheirCacheMaintenancePerLine) {
    // A tagged allocation turns its tag blocks from data to tags: DC by VA over every line of
    // each block, charged on the allocating core as it runs (kernel.cmo_line_cycles a line,
    // made very dear here). Nothing is freed, so all maintenance is the reservation's. An
    // order-10 allocation needs 32 one-page blocks, 32 x 64 lines (the order-0 case, 64 lines,
    // is FastPathCostsNoMigrationAndFewCycles).
    constexpr std::uint64_t kCmo = 100000;
    RunResult r = run_trace("thread 1 core=0\n1 kalloc t 10 tagged\n", {"kernel.cmo_line_cycles=" + std::to_string(kCmo)});
    ASSERT_EQ(r.mm_stats.tag_blocks_released, 0u);
    EXPECT_EQ(r.mm_stats.tag_maintained_blocks, 32u) << "one maintenance per block turned from data to tags";
    EXPECT_EQ(r.mm_stats.tag_maintained_lines, 32u * 64u);
    EXPECT_EQ(r.mm_stats.tag_maintenance_cycles, 32u * 64u * kCmo) << "one DC op a line";
    EXPECT_GE(r.cores[0].kernel_cycles, 32u * 64u * kCmo) << "charged on the allocating core";
}

TEST(KernelAllocation, ABlockedTagReservationIsReplayedUntilItSucceedsNotEndedWithSegv) {
    // The pool is full of pinned movable blocks, so the tag reservation of thread 2's PROT_MTE
    // page fails at each fault and leaves the PTE "metadata none"; the core replays the access
    // (the RFC's fault-on-access) beyond its four-faults-without-progress limit, until thread 1
    // unpins the blocks and a reservation migrates them.
    RunResult r = run_trace(blocked_reservation("2 st 0x10000000 8\n"), {"mm.cma_policy=cma-first"});
    for (const FaultRecord &f : r.faults) EXPECT_NE(f.kind, FaultKind::maperr) << "the thread was not ended with SEGV_MAPERR";
    EXPECT_GT(r.kernel.tag_fault_retries, 4u) << "more replays than the four faults a non-progressing access gets";
    EXPECT_GE(r.mm_stats.reserve_slow, 1u) << "once unpinned, the reservation migrated the occupant";
    EXPECT_EQ(r.kernel.oom_kills, 0u);
}

TEST(KernelAllocation, AWriteFromABufferWaitingForTagStorageWaitsAndCompletes) {
    // As above, but thread 2's first use of its PROT_MTE page is write(2) from it: the kernel's
    // fault-in of the buffer leaves the entry "metadata none", and the call waits (the core
    // leaves the kernel so that thread 1 runs) and goes on once the blocks are unpinned,
    // instead of returning -EFAULT after four faults.
    RunResult r = run_trace(blocked_reservation("2 write 5 0 0x1000 buf=0x10000000\n"), {"mm.cma_policy=cma-first"});
    EXPECT_GT(r.kernel.uaccess_tag_waits, 0u);
    EXPECT_EQ(r.kernel.uaccess_gave_up, 0u);
    EXPECT_EQ(r.kernel.uaccess_calls, 1u);
    EXPECT_EQ(r.kernel.uaccess_bytes, 4096u) << "the whole page written";
    EXPECT_EQ(r.kernel.uaccess_short, 0u);
    EXPECT_GE(r.mm_stats.reserve_slow, 1u) << "once unpinned, the reservation migrated the occupant";
}
