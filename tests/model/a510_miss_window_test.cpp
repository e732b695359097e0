// The Cortex-A510 preset's reordering capacity (src/cpu/core_preset.cpp, [CC-A510-MLP]): Chips
// and Cheese measured that "the A510 can overlap two cache misses with the following between
// them: 12 total instructions ... 5 loads", and that it "is not strictly in-order and can handle
// cache misses without blocking up the pipeline". The expectations below are those published
// limits, not the model's output: a second miss after 12 instructions (or 5 loads) overlaps the
// first, one after 13 (or 6) waits for it. The third test's limit, that of three independent
// misses the third waits, is the preset's reading of "two" (Chips and Cheese's test has two
// misses; sbc-bench's ramlat on an A510 keeps two loads in flight to its L2 as well, and about
// four beyond it: docs/fidelity.md, "Cortex-A510 parallel chases").
//
// Each pair is: load A (a DRAM miss), the filler, load B (the next line of A's page: another
// DRAM miss), then a load of a hot line that depends on B (dep=1): B issued after A, and comes
// back after it, so every pair starts with nothing in flight. Phases are timed by markers (a load of an unmapped address
// is a fault recorded with its time, core.on_fault = continue). Each phase uses its own lines of
// the same pages, all of which left the caches during the set-up.
#include "model_run.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

using namespace mtesim;

namespace {

constexpr int kPages = 48;
constexpr std::uint64_t kBase = 0x80000000ull;
constexpr const char *kMarker = "1 ld 0x10 8\n"; /* unmapped: a fault with a time */
constexpr unsigned kLlcCycles = 30;             /* llc.latency, set below */

std::string hex_of(std::uint64_t v) {
    char b[32];
    std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
    return b;
}
std::string load(std::uint64_t addr, const char *extra = "") { return "1 ld " + hex_of(addr) + " 8" + extra + "\n"; }
std::uint64_t line_of(int page, int line) { return kBase + static_cast<std::uint64_t>(page) * 4096 + line * 64ull; }
const std::uint64_t kHot = kBase + 2 * kPages * 4096ull; /* a line of the last page faulted in, which no phase sweeps */

/* Maps and faults in 2 x kPages pages through a 16 KiB L1D and a 64 KiB LLC (their zeroing
 * evicts the first kPages pages' lines from both), touches the hot line, then a marker (fault 0). */
std::string setup() {
    std::string s = "thread 1 core=0\n1 mmap " + hex_of(kBase) + " 0x100000\n";
    for (int p = 0; p <= 2 * kPages; ++p) s += load(kBase + p * 4096ull);
    return s + load(kHot) + kMarker;
}

/* One group a page: line @line (A), then @filler, then lines @line + 1 .. @line + @misses - 1
 * (B, C...), then the barrier (the hot line, dep=1 on the last load). */
std::string pairs(int line, const std::string &filler, int misses = 2) {
    std::string s;
    for (int p = 0; p < kPages; ++p) {
        s += load(line_of(p, line)) + filler;
        for (int m = 1; m < misses; ++m) s += load(line_of(p, line + m));
        s += load(kHot, " dep=1");
    }
    return s + kMarker;
}
std::string compute(int n) { return "1 compute " + std::to_string(n) + "\n"; }
std::string hot_loads(int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += load(kHot);
    return s;
}

RunResult run(const std::string &body) {
    return test::run_text_trace("a510", body,
                                {"core.preset=arm,cortex-a510", "core.on_fault=continue", "l1d.size=16384", "llc.size=65536",
                                 "llc.latency=" + std::to_string(kLlcCycles), "l1d.prefetcher=none", "l2.prefetcher=none",
                                 "kernel.entry_cycles=150"});
}

/* Picoseconds per pair between markers @a and @b. */
double per_pair(const RunResult &r, std::size_t a, std::size_t b) {
    EXPECT_GT(r.faults.size(), b);
    if (r.faults.size() <= b) return 0;
    return static_cast<double>(r.faults[b].time_ps - r.faults[a].time_ps) / kPages;
}

/* The least a second miss costs when it does not overlap the first: an LLC lookup and a DRAM
 * row hit's read (tCL + tBURST). */
double second_miss_floor_ps(const RunResult &r) {
    EXPECT_EQ(r.drams.size(), 1u);
    if (r.drams.size() != 1) return 0;
    const DramConfig &d = r.drams[0].config;
    return (d.tCL + d.tBURST) * d.tck_ps + kLlcCycles * 1e12 / static_cast<double>(r.core_clock_hz[0]);
}

}  // namespace

TEST(A510MissWindow, TwelveInstructionsBetweenTwoMissesOverlapThirteenDoNot) {
    // Markers 1..2: A alone; 2..3: A, 12 instructions, B; 3..4: A, 13 instructions, B.
    const RunResult r = run(setup() + kMarker + pairs(8, "", 1) + pairs(16, compute(12)) + pairs(24, compute(13)));
    ASSERT_EQ(r.faults.size(), 5u);
    const double alone = per_pair(r, 1, 2), twelve = per_pair(r, 2, 3), thirteen = per_pair(r, 3, 4);
    RecordProperty("alone_ps", std::to_string(alone));
    RecordProperty("twelve_ps", std::to_string(twelve));
    RecordProperty("thirteen_ps", std::to_string(thirteen));
    EXPECT_GT(alone, second_miss_floor_ps(r)) << "A came from DRAM";
    EXPECT_LT(twelve, 1.3 * alone) << "B overlaps A: the pair costs about one miss";
    EXPECT_GT(thirteen - twelve, second_miss_floor_ps(r)) << "B waits for A: a whole second miss is exposed";
}

TEST(A510MissWindow, FiveLoadsBetweenTwoMissesOverlapSixDoNot) {
    // Markers 1..2: A alone; 2..3: A, 5 L1D-hit loads, B; 3..4: A, 6 of them, B.
    const RunResult r = run(setup() + kMarker + pairs(8, "", 1) + pairs(16, hot_loads(5)) + pairs(24, hot_loads(6)));
    ASSERT_EQ(r.faults.size(), 5u);
    const double alone = per_pair(r, 1, 2), five = per_pair(r, 2, 3), six = per_pair(r, 3, 4);
    EXPECT_LT(five, 1.3 * alone) << "B overlaps A";
    EXPECT_GT(six - five, second_miss_floor_ps(r)) << "the load queue is full: B waits for A";
}

TEST(A510MissWindow, TwoIndependentMissesOverlapAThirdWaits) {
    // Markers 1..2: A alone; 2..3: A and B back to back; 3..4: A, B and C back to back.
    const RunResult r = run(setup() + kMarker + pairs(8, "", 1) + pairs(16, "", 2) + pairs(24, "", 3));
    ASSERT_EQ(r.faults.size(), 5u);
    const double alone = per_pair(r, 1, 2), two = per_pair(r, 2, 3), three = per_pair(r, 3, 4);
    EXPECT_LT(two, 1.3 * alone) << "two misses overlap";
    EXPECT_GT(three - two, second_miss_floor_ps(r)) << "two miss buffers: C waits for A";
}

TEST(A510MissWindow, ALoadMergingIntoAMissInFlightTakesNoMissBuffer) {
    // Markers 1..2: A alone; 2..3: A, a second load of A's line (it merges into A's fill), B;
    // 3..4: A, a load of a third line, B. With two miss buffers the merge leaves B one (B
    // overlaps A), where a third demand miss takes it (B waits for A).
    std::string merging, third;
    for (int p = 0; p < kPages; ++p) {
        merging += load(line_of(p, 16)) + load(line_of(p, 16) + 8) + load(line_of(p, 17)) + load(kHot, " dep=1");
        third += load(line_of(p, 24)) + load(line_of(p, 40)) + load(line_of(p, 25)) + load(kHot, " dep=1");
    }
    const RunResult r = run(setup() + kMarker + pairs(8, "", 1) + merging + kMarker + third + kMarker);
    ASSERT_EQ(r.faults.size(), 5u);
    const double alone = per_pair(r, 1, 2), merged = per_pair(r, 2, 3), three = per_pair(r, 3, 4);
    EXPECT_LT(merged, 1.3 * alone) << "the merge holds no miss buffer: B overlaps A";
    EXPECT_GT(three - merged, second_miss_floor_ps(r)) << "a third demand miss holds the second buffer: B waits";
}
