// The translation caches and the prefetchers through the whole machine (docs/timing-model.md,
// "Translation" and "Prefetchers"): a working set beyond the L1 dTLB but within the L2 TLB pays
// the L2 TLB's latency per access, one beyond the L2 TLB walks; a 256-byte stride becomes L1D
// hits with the stride prefetcher and not with the L2 stream prefetcher alone; a sequential
// stream is fed by the L2 stream prefetcher; the prefetch counters add up. Expectations come
// from the parameters each test sets. Each TEST elaborates its own platform.
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
    sets.push_back("core.on_fault=continue");
    return test::run_text_trace("tlbpf", body, sets);
}

std::string hex_of(std::uint64_t v) {
    char b[32];
    std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
    return b;
}
constexpr const char *kMarker = "1 ld 0x10 8\n"; /* unmapped: a fault with a time */
constexpr std::uint64_t kBase = 0x80000000ull;

/* Picoseconds between fault markers @a and @b. */
std::uint64_t span(const RunResult &r, std::size_t a, std::size_t b) {
    EXPECT_GT(r.faults.size(), b);
    if (r.faults.size() <= b) return 0;
    return r.faults[b].time_ps - r.faults[a].time_ps;
}

/* One load in page @p: a line chosen so that 256 consecutive pages use 256 different L1D sets
 * (and 2048 pages fit the LLC), so that the data stays cached and the translation is what varies. */
std::string load_in_page(std::uint64_t p) {
    return "1 ld " + hex_of(kBase + p * 4096 + ((p / 4) % 64) * 64) + " 8\n";
}
/* @reps passes over pages 0..@pages-1. */
std::string passes(std::uint64_t pages, std::uint64_t reps) {
    std::string s;
    for (std::uint64_t r = 0; r < reps; ++r)
        for (std::uint64_t p = 0; p < pages; ++p) s += load_in_page(p);
    return s;
}

}  // namespace

TEST(TlbHierarchy, L2TlbReachCostsItsLatencyAndBeyondItWalks) {
    // L1 dTLB 32 entries (fully associative), L2 TLB 256 entries 4-way, 5-cycle L2 TLB hit; an
    // in-order core, whose every cycle is on the clock.
    constexpr std::uint64_t kL1 = 32, kL2 = 256, kL2Latency = 5, kAccesses = 2048, kL1dLatency = 4;
    const std::vector<std::string> sets = {"core.model=inorder", "tlb.l1_entries=32", "tlb.l1_ways=32", "tlb.entries=256",
                                           "tlb.ways=4", "tlb.l2_latency=5", "l1d.latency=4"};
    constexpr std::uint64_t kSmall = kL1 / 2, kMid = kL2 / 2, kBig = 2048;
    // On core 1: core 0 also ran the boot, whose translations its counters include.
    std::string t = "thread 1 core=1\n1 mmap " + hex_of(kBase) + " " + hex_of(kBig * 4096) + "\n" + passes(kBig, 1);
    t += passes(kMid, 1) + passes(kSmall, 1) + kMarker;     /* warm: the TLBs hold the mid set, the L1D its lines */
    t += passes(kSmall, kAccesses / kSmall) + kMarker;     /* within the L1 dTLB */
    t += passes(kMid, kAccesses / kMid) + kMarker;         /* beyond the L1 dTLB, within the L2 TLB */
    t += passes(kBig, kAccesses / kBig) + kMarker;         /* beyond the L2 TLB */
    RunResult r = run_trace(t, sets);
    ASSERT_EQ(r.faults.size(), 4u);
    const double ps_per_cycle = 1e12 / static_cast<double>(r.core_clock_hz[1]);
    const double small = static_cast<double>(span(r, 0, 1)) / ps_per_cycle, mid = static_cast<double>(span(r, 1, 2)) / ps_per_cycle,
                 big = static_cast<double>(span(r, 2, 3)) / ps_per_cycle;
    // The mid set misses the L1 dTLB on every access (a cyclic pass over 128 pages through 32
    // LRU entries) but for the first pass's pages left by the small set, and hits the L2 TLB.
    const double expected = static_cast<double>(kL2Latency) * static_cast<double>(kAccesses - kSmall) / kAccesses;
    EXPECT_NEAR((mid - small) / kAccesses, expected, 0.25) << "each access pays the L2 TLB's latency, nothing more";
    // Beyond the L2 TLB every access walks: at least the leaf descriptor's read through the L1D.
    EXPECT_GT((big - mid) / kAccesses, static_cast<double>(kL1dLatency)) << "a walk per access";
    const CoreStats &c = r.cores[1];
    EXPECT_GE(c.l2_tlb_hits, kAccesses - kSmall);
    EXPECT_GE(c.page_walks, 2 * kBig) << "the first touch and the last pass walk every page";
    EXPECT_GT(c.walk_cache_hits, kBig / 2) << "the walks of the last pass take their upper levels from the walk cache";
    EXPECT_GE(c.walk_cycles, c.page_walks * kL1dLatency);
}

TEST(TlbHierarchy, ShootdownDropsEveryLevel) {
    // A page's translation is cached in both TLB levels and its walk in the walk cache; after an
    // munmap (a broadcast TLBI of each page) and a new mapping at the same address, the next
    // access must walk the new tables: the translation it gets is the new page's (a load that
    // hit a stale entry would not fault; the unmapped one must).
    std::string t = "thread 1 core=0\n1 mmap " + hex_of(kBase) + " 0x2000\n1 ld " + hex_of(kBase) + " 8\n1 ld " + hex_of(kBase) + " 8\n";
    t += "1 munmap " + hex_of(kBase) + " 0x2000\n1 ld " + hex_of(kBase) + " 8\n";
    RunResult r = run_trace(t, {});
    ASSERT_EQ(r.faults.size(), 1u) << "the load after munmap faults: no level kept the translation";
    EXPECT_EQ(r.faults[0].address, kBase);
}

namespace {
constexpr std::uint64_t kStridePages = 256;
/* A 256-byte stride over kStridePages pages (the pages were touched once, at line 0), on core 1:
 * core 0 also ran the boot, whose accesses its counters include. Core 1's counters hold the
 * loop and the setup's page faults (a few dozen L1D misses). */
std::string strided() {
    std::string s = "thread 1 core=1\n1 mmap " + hex_of(kBase) + " " + hex_of(kStridePages * 4096) + "\n";
    for (std::uint64_t p = 0; p < kStridePages; ++p) s += "1 ld " + hex_of(kBase + p * 4096) + " 8\n";
    s += kMarker;
    for (std::uint64_t p = 0; p < kStridePages; ++p)
        for (std::uint64_t o = 0; o < 4096; o += 256) s += "1 ld " + hex_of(kBase + p * 4096 + o) + " 8\n";
    return s + kMarker;
}
constexpr std::uint64_t kStrided = kStridePages * 16;
}  // namespace

TEST(Prefetchers, StrideOf256BytesBecomesHitsWithTheStridePrefetcher) {
    RunResult r = run_trace(strided(), {"core.model=ooo", "l1d.prefetcher=stride", "l2.prefetcher=none", "l1d.stride_max=4"});
    const CoreStats &c = r.cores[1];
    // Per page: line 0 may still be cached, three misses train the 4-line stride, the other
    // twelve accesses find prefetched lines.
    EXPECT_LT(c.l1_misses, kStrided * 3 / 10) << "mostly hits";
    EXPECT_GT(c.prefetch_useful, kStrided / 2);
    EXPECT_LE(c.prefetch_useful, c.prefetch_issued);
    EXPECT_LE(c.prefetch_late, c.prefetch_useful);
}

TEST(Prefetchers, StrideOf256BytesStaysMissesWithTheStreamPrefetcherAlone) {
    RunResult r = run_trace(strided(), {"core.model=ooo", "l1d.prefetcher=none", "l2.prefetcher=stream"});
    const CoreStats &c = r.cores[1];
    EXPECT_GT(c.l1_misses, kStrided * 9 / 10) << "a stream prefetcher follows line after line, not a 4-line stride";
    EXPECT_EQ(c.prefetch_issued, 0u);
    EXPECT_LE(c.l2_prefetch_useful, c.l2_prefetch_issued);
    EXPECT_LE(c.l2_prefetch_late, c.l2_prefetch_useful);
}

TEST(Prefetchers, L2StreamPrefetcherFeedsASequentialStream) {
    // 4 MiB read line after line: beyond the 512 KiB L2, so the lines the page faults zeroed
    // are mostly gone from it; the stream prefetcher brings the next lines into the L2. (One
    // platform per process: the run without the prefetcher is the stride test's above.)
    constexpr std::uint64_t kPages = 1024, kLines = kPages * 64;
    std::string s = "thread 1 core=1\n1 mmap " + hex_of(kBase) + " " + hex_of(kPages * 4096) + "\n";
    for (std::uint64_t p = 0; p < kPages; ++p) s += "1 ld " + hex_of(kBase + p * 4096) + " 8\n";
    for (std::uint64_t l = 0; l < kLines; ++l) s += "1 ld " + hex_of(kBase + l * 64) + " 8\n";
    RunResult on = run_trace(s, {"core.model=ooo", "l1d.prefetcher=none", "l2.prefetcher=stream", "l2.size=524288"});
    const CoreStats &c = on.cores[1]; /* core 0 also ran the boot */
    EXPECT_GT(c.l2_prefetch_useful, kLines / 2) << "most lines came from an L2 prefetch";
    EXPECT_LE(c.l2_prefetch_useful, c.l2_prefetch_issued);
    EXPECT_LE(c.l2_prefetch_late, c.l2_prefetch_useful);
    // Without the prefetcher at most the L2's 512 KiB (1/8 of the stream) could still be there.
    EXPECT_GT(c.l2_hits, kLines / 2) << "the L1D misses hit the L2";
}
