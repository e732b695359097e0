// kswapd and kcompactd in a simulation: kernel threads the scheduler places on cores. A page
// cache read that takes free memory below the low watermark wakes kswapd, which reclaims on an
// idle core while the reading thread goes on (its time does not include the reclaim, and it
// never reclaims itself above min); on a single core kswapd competes for it, and the reading
// thread finishes later by about kswapd's run time; kcompactd runs after a high-order failure.
#include "child_run.h"
#include "model_run.h"
#include "platform/platform.h"

#include "mtesim/config/config_loader.h"
#include "mtesim/dt/board_loader.h"
#include "mtesim/trace/text_trace_reader.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <type_traits>

using namespace mtesim;

namespace {

using test::in_child;

RunResult run_trace(const std::string &body, std::vector<std::string> sets, unsigned cpus = 0) {
    PlatformDesc desc = BoardLoader::load("virt-4g-mte");
    if (cpus) desc.cpus.resize(cpus);
    return test::run_text_trace("kthreads", body, sets, desc);
}

/* min_free_kbytes 32 MiB: min 8192 pages, low and high 2048 pages apart (min/4) each; the pool
 * unused (under linux-balance the page cache would come from it while it holds most free memory);
 * no lowmem_reserve (the DMA32 zone's 2,035 pages would move every mark this arithmetic uses;
 * tests/unit/kswapd_wake_test.cpp tests the reserve). */
const std::vector<std::string> kSets = {"mm.min_free_kbytes=32768", "mm.cma_policy=never", "mm.lowmem_reserve_ratio=0"};
constexpr std::uint64_t kCachePages = 4096;  /* page cache read first: what kswapd drops */
constexpr std::uint64_t kLeave = 12800;      /* free pages left by the hog, a little above high */
constexpr std::uint64_t kChunks = 375;       /* reads of 16 pages: 6000 pages, to well below low */

std::string cache() { return "1 read 7 0 " + std::to_string(kCachePages * 4096) + "\n"; }

/* Thread 1 takes @blocks order-10 unmovable kernel blocks (h0, h1, ...). */
std::string hog(std::uint64_t blocks) {
    std::string s;
    for (std::uint64_t i = 0; i < blocks; ++i) s += "1 kalloc h" + std::to_string(i) + " 10 unmovable\n";
    return s;
}

/* Thread 1 on CPU 0 reads the cache, takes all but about kLeave free pages with order-10
 * kernel blocks, then reads a second file in chunks; @free_after_cache: the free pages
 * outside the pool after the first read (a probe run). */
std::string pressure(std::uint64_t free_after_cache) {
    std::string s = "thread 1 core=0\n" + cache();
    s += hog((free_after_cache - kLeave) / 1024);
    for (std::uint64_t i = 0; i < kChunks; ++i) s += "1 read 8 " + std::to_string(i * 65536) + " 65536\n";
    return s;
}

std::uint64_t free_after_cache(unsigned cpus) {
    return in_child<std::uint64_t>([cpus] {
        const RunResult probe = run_trace("thread 1 core=0\n" + cache(), kSets, cpus);
        return probe.free_pages - probe.pool_free;
    });
}

std::uint64_t kthread_cycles(const RunResult &r) {
    std::uint64_t n = 0;
    for (const CoreStats &c : r.cores) n += c.kthread_cycles;
    return n;
}

}  // namespace

TEST(KernelThreadsModel, KswapdReclaimsOnAnIdleCoreWhileTheAllocatingThreadGoesOn) {
    const RunResult r = run_trace(pressure(free_after_cache(0)), kSets);
    const KernelStats &k = r.kernel;
    EXPECT_GE(k.kswapd_wakeups, 1u);
    EXPECT_GE(k.kswapd_reclaimed, 2048u) << "from below low back to high, at least once";
    // kswapd does the bulk; the thread reclaims for itself only when it falls below min before
    // kswapd has caught up (on this run, once the first file's cache is used up).
    EXPECT_GT(k.kswapd_reclaimed, 4 * k.direct_reclaimed) << "kswapd, not the allocating thread, reclaimed";
    EXPECT_EQ(r.cores[0].kthread_cycles, 0u) << "kswapd never ran on the allocating thread's core";
    EXPECT_GT(k.kswapd_cycles, 0u);
    EXPECT_EQ(kthread_cycles(r), k.kswapd_cycles + k.kcompactd_cycles) << "its time is the cores' time in kernel threads";
    EXPECT_GE(k.kthread_wake_ipis, 1u) << "an idle CPU was woken for it";
}

TEST(KernelThreadsModel, OnASingleCoreKswapdCompetesWithTheUserThread) {
    const std::uint64_t free = free_after_cache(1);
    struct Four {
        std::uint64_t core0_cycles;
    };
    const Four four = in_child<Four>([free] { return Four{run_trace(pressure(free), kSets, 0).cores[0].cycles}; });
    const RunResult one = run_trace(pressure(free), kSets, 1);
    ASSERT_GT(one.kernel.kswapd_reclaimed, 0u);
    EXPECT_EQ(one.cores[0].kthread_cycles, one.kernel.kswapd_cycles + one.kernel.kcompactd_cycles)
        << "the one core ran kswapd";
    EXPECT_GT(one.kernel.kswapd_cycles, 0u);
    // The user thread's work is the same; on one core kswapd's run time is added to the
    // thread's wall time (on four cores it ran beside it).
    const double user_one = static_cast<double>(one.cores[0].cycles - one.cores[0].kthread_cycles);
    const double wall_four = static_cast<double>(four.core0_cycles);
    EXPECT_NEAR(user_one / wall_four, 1.0, 0.05) << "the thread's own time is the same on one core";
    EXPECT_GT(static_cast<double>(one.cores[0].cycles), wall_four) << "kswapd's time is added to the thread's wall time";
}

TEST(KernelThreadsModel, KcompactdRunsOnAnotherCoreAfterAHighOrderFailure) {
    // Fragmentation: order-10 kernel blocks take most memory, order-0 movable pages the rest
    // (the pool unused: cma_policy never; min_free_kbytes at its 128 KiB floor and no
    // lowmem_reserve, so that the pages left are too few to hold an order-6 block: the DMA32
    // zone's reserve, some 2,000 pages, would stay free through the fill as whole blocks, and
    // once every other small page is freed its free count passes min + reserve and the order-6
    // request takes one of them, as Linux's would), and every other one is freed: plenty of
    // free pages, no free block of order 6.
    const std::vector<std::string> sets = {"mm.min_free_kbytes=128", "mm.cma_policy=never", "mm.lowmem_reserve_ratio=0"};
    const std::uint64_t free0 = in_child<std::uint64_t>([&sets] {
        const RunResult probe = run_trace("thread 1 core=0\n1 compute 1\n", sets);
        return probe.free_pages - probe.pool_free;
    });
    const std::uint64_t blocks = (free0 - 12000) / 1024, small = free0 - blocks * 1024;
    std::string s = "thread 1 core=0\n";
    s += hog(blocks);
    // noretry: the last of these fail at the min watermark, as they should, without calling
    // the OOM killer (which would take process 1, whose page tables are all it has).
    for (std::uint64_t i = 0; i < small; ++i) s += "1 kalloc p" + std::to_string(i) + " 0 movable noretry\n";
    for (std::uint64_t i = 0; i + 200 < small; i += 2) s += "1 kfree p" + std::to_string(i) + "\n";
    s += "1 kalloc big 6 movable atomic\n"; /* fails: wakes kcompactd (kswapd is hopeless by then) */
    s += "1 compute 40000000\n";             /* 20 ms of the thread's own work meanwhile */
    s += "1 kalloc big2 6 movable atomic\n";
    const RunResult r = run_trace(s, sets);
    const KernelStats &k = r.kernel;
    // The fill took the free pages below low: kswapd was woken, found nothing to reclaim (the
    // pages are the kernel's), and balanced again at once until MAX_RECLAIM_RETRIES (16)
    // failures in a row made the node hopeless. wakeup_kswapd then leaves kswapd asleep, and
    // the atomic order-6 request, which cannot compact, wakes kcompactd instead.
    EXPECT_EQ(k.kswapd_wakeups, 1u);
    EXPECT_EQ(k.kswapd_failures, 16u);
    EXPECT_EQ(k.kswapd_hopeless, 1u);
    EXPECT_GE(k.kswapd_hopeless_wakeups, 1u);
    EXPECT_EQ(k.kcompactd_wakeups, 1u) << "the hopeless node's atomic high-order request woke kcompactd";
    EXPECT_EQ(k.kcompactd_runs, 1u);
    EXPECT_EQ(k.kcompactd_success, 1u);
    EXPECT_GE(k.kcompactd_pages_migrated, 1u);
    EXPECT_GT(k.kcompactd_cycles, 0u);
    EXPECT_EQ(r.mm_stats.compact_stalls, 0u) << "an atomic request never compacts itself";
    EXPECT_EQ(r.cores[0].kthread_cycles, 0u) << "kcompactd ran on another core";
    EXPECT_EQ(kthread_cycles(r), k.kswapd_cycles + k.kcompactd_cycles);
}

/* kswapd's writeback throttle through the thread scheduler's timers. Anonymous memory written
 * past the low watermark on a swap device whose writes take 100 ms: kswapd swaps pages out,
 * then finds passes of nothing but pages under write-back (PGDAT_WRITEBACK) and then such pages
 * again, already PG_reclaim (nr_immediate): each such pass puts it to sleep on its timer
 * (reclaim_throttle), and the timer ends the sleep while the thread goes on. */
TEST(KernelThreadsModel, KswapdSleepsOnItsTimerWhenItFindsPagesStillUnderWriteBack) {
    std::vector<std::string> sets = kSets;
    sets.push_back("swap.write_latency_us=100000");
    const std::uint64_t free = free_after_cache(0);
    constexpr std::uint64_t kAnon = 16384;
    std::string s = "thread 1 core=0\n" + hog((free - kLeave) / 1024);
    s += "1 mmap 0x10000000 " + std::to_string(kAnon * 4096) + "\n";
    for (std::uint64_t p = 0; p < kAnon; ++p) s += "1 st " + std::to_string(0x10000000 + p * 4096) + " 8\n";
    s += "1 compute 40000000\n";
    const RunResult r = run_trace(s, sets);
    const KernelStats &k = r.kernel;
    EXPECT_GT(k.swap_outs, 0u);
    EXPECT_GT(k.kswapd_immediate, 0u);
    EXPECT_GE(k.kswapd_writeback_throttles, 2u);
    EXPECT_GT(k.kswapd_throttled_us, 0u) << "a throttle's timer fired and ended it";
    // A sleep lasts until the 33rd write completes after it began, or 100 ms: never longer.
    EXPECT_LE(k.kswapd_throttled_us, k.kswapd_writeback_throttles * 100000u);
}
