// LLC accesses across the CMN mesh (docs/timing-model.md, "LLC hits across the mesh"): on
// altra-vm-64g every access that reaches the LLC pays the mesh round trip to its home slice, on
// top of llc.latency. The expectation is counted by hand from the board's device tree: cpu 1
// sits at XP (0,0) of the 6 x 4 mesh; the mean distance to a home XP is 2.5 columns + 1.5 rows,
// plus the two device ports = 6 hops each way; 2 x 6 x 2 (mtesim,hop-cycles) = 24 mesh cycles
// at 1.8 GHz = 13.33 ns = 40 cycles of the 3 GHz core. An in-order core puts every cycle on the
// clock, so a dependent chase that reaches the LLC L times takes 40 x L cycles longer than with
// llc.mesh = off.
#include "child_run.h"
#include "model_run.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

using namespace mtesim;
using test::in_child;

namespace {
constexpr std::uint64_t kBase = 0x80000000ull;
constexpr std::uint64_t kLines = 32768; /* 2 MiB: twice the N1's 1 MiB L2, a quarter of the 8 MiB LLC */
constexpr double kRoundTripCycles = 40.0;

std::string hex_of(std::uint64_t v) {
    char b[32];
    std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
    return b;
}

/* Map and touch 2 MiB; with @chase, then a dependent chase over its lines in a random cyclic
 * order, twice, between two markers (without, the setup alone: its LLC accesses are the same). */
std::string trace(bool chase) {
    std::string s = "thread 1 core=1\n1 mmap " + hex_of(kBase) + " " + hex_of(kLines * 64) + "\n";
    for (std::uint64_t p = 0; p < kLines / 64; ++p) s += "1 st " + hex_of(kBase + p * 4096) + " 8\n";
    if (!chase) return s;
    std::vector<std::uint64_t> order(kLines);
    for (std::uint64_t i = 0; i < kLines; ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), std::mt19937_64(7));
    s += "1 ld 0x10 8\n";
    for (int pass = 0; pass < 2; ++pass)
        for (std::uint64_t i = 0; i < kLines; ++i) s += "1 ld " + hex_of(kBase + order[i] * 64) + " 8 dep=1\n";
    return s + "1 ld 0x10 8\n";
}

struct ChaseRun {
    std::uint64_t window_ps; /* between the markers */
    std::uint64_t llc;       /* cpu 1's LLC accesses (hits + misses), the whole run */
    std::uint64_t clock_hz;
};

ChaseRun run(bool chase, const char *mesh) {
    return in_child<ChaseRun>([&] {
        const RunResult r = test::run_text_trace("meshllc", trace(chase),
                                                 {"core.on_fault=continue", "core.preset=arm,neoverse-n1", "core.model=inorder",
                                                  std::string("llc.mesh=") + mesh},
                                                 "altra-vm-64g");
        ChaseRun c{};
        if (r.faults.size() >= 2) c.window_ps = r.faults[1].time_ps - r.faults[0].time_ps;
        c.llc = r.cores[1].llc_hits + r.cores[1].llc_misses;
        c.clock_hz = r.core_clock_hz[1];
        return c;
    });
}
}  // namespace

TEST(MeshLlc, EachLlcAccessPaysTheMeshRoundTrip) {
    const ChaseRun on = run(true, "on"), off = run(true, "off"), setup = run(false, "on");
    ASSERT_GT(on.window_ps, 0u);
    ASSERT_GT(off.window_ps, 0u);
    ASSERT_EQ(on.clock_hz, 3000000000u);
    EXPECT_EQ(on.llc, off.llc) << "the mesh changes timing, not what hits where";
    const double chase_llc = static_cast<double>(on.llc - setup.llc);
    ASSERT_GT(chase_llc, kLines) << "most of the chase's loads reach the LLC (the set is twice the L2)";
    const double extra_cycles = static_cast<double>(on.window_ps - off.window_ps) * 3e9 / 1e12;
    EXPECT_NEAR(extra_cycles / chase_llc, kRoundTripCycles, 0.5) << "40 cycles per LLC access, nothing else";
}
