// Branch mispredictions (a trace's mispredict=M; docs/timing-model.md, "Branch mispredictions")
// through the whole machine: each costs core.mispredict_penalty_cycles on an otherwise idle
// core, in order and out of order; out of order, a mispredict that does not depend on an
// outstanding miss overlaps with it, and one that resolves with the missing load (a ld/st's
// dep=K) adds its refill after the data returns. The penalty is set here (13 cycles, no preset's
// value) so that the expectations do not depend on the presets.
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

constexpr unsigned kPenalty = 13;
const std::string kPenaltySetting = "core.mispredict_penalty_cycles=" + std::to_string(kPenalty);

RunResult run_trace(const std::string &body, std::vector<std::string> sets) {
    sets.push_back("core.on_fault=continue");
    sets.push_back(kPenaltySetting);
    return test::run_text_trace("mispredict", body, sets);
}

constexpr const char *kMarker = "1 ld 0x10 8\n"; /* unmapped: a fault with a time */

/* Picoseconds between fault markers @a and @b. SystemC elaborates one platform per process, so
 * a test compares two phases of one run, each between two markers (same structure: the
 * markers' kernel entries weigh the same in both). */
double span_ps(const RunResult &r, std::size_t a, std::size_t b) {
    EXPECT_GT(r.faults.size(), b);
    return r.faults.size() <= b ? 0.0 : static_cast<double>(r.faults[b].time_ps - r.faults[a].time_ps);
}

double cycle_ps(const RunResult &r) { return 1e12 / static_cast<double>(r.core_clock_hz[0]); }

/* Out of order, accesses take dispatch slots (core.dispatch_width per cycle): where a phase's
 * few accesses fall in the slot count can move it by one cycle against the other phase, which
 * is the tolerance of the comparisons below (a refill is 13). In order there is none. */
double slot_tolerance_ps(const RunResult &r, const char *model) { return std::string(model) == "ooo" ? cycle_ps(r) + 1 : 1.0; }

void idle_core_pays_each_mispredict(const char *model) {
    const std::string body = "thread 1 core=0\n" + std::string(kMarker) + "1 compute 1000\n" + kMarker +
                             "1 compute 1000 mispredict=7\n" + kMarker;
    const RunResult r = run_trace(body, {"core.preset=none", std::string("core.model=") + model});
    EXPECT_NEAR(span_ps(r, 1, 2) - span_ps(r, 0, 1), 7 * kPenalty * cycle_ps(r), slot_tolerance_ps(r, model)) << model;
    EXPECT_EQ(r.cores[0].branch_mispredicts, 7u);
    EXPECT_EQ(r.cores[0].mispredict_cycles, 7u * kPenalty);
}

/* Pages 0 and 1 are read line by line (into the LLC), then the first line of 46 more pages is
 * touched: their demand faults zero 184 KiB, which evicts pages 0 and 1 from the L1D. So a
 * load of line 16 of page 0, or of page 1, is an LLC hit (400 cycles here, no private L2, no
 * prefetcher: core.preset=none), far longer than the refill; the "use" loads hit the L1D. */
std::string window_setup() {
    std::string s = "thread 1 core=0\n1 mmap 0x80000000 0x40000\n";
    char b[64];
    for (int p = 0; p < 2; ++p)
        for (int l = 0; l < 64; ++l) {
            std::snprintf(b, sizeof b, "1 ld 0x%llx 8\n", 0x80000000ull + p * 4096ull + l * 64ull);
            s += b;
        }
    for (int p = 2; p < 48; ++p) {
        std::snprintf(b, sizeof b, "1 ld 0x%llx 8\n", 0x80000000ull + p * 4096ull);
        s += b;
    }
    return s + kMarker;
}

RunResult window_run(const std::string &phase_a, const std::string &phase_b) {
    return run_trace(window_setup() + phase_a + kMarker + phase_b + kMarker,
                     {"core.preset=none", "core.model=ooo", "llc.latency=400", "l2.size=0"});
}

}  // namespace

TEST(BranchMispredict, InOrderIdleCorePaysNTimesThePenalty) { idle_core_pays_each_mispredict("inorder"); }

TEST(BranchMispredict, OutOfOrderIdleCorePaysNTimesThePenalty) { idle_core_pays_each_mispredict("ooo"); }

TEST(BranchMispredict, IndependentMispredictOverlapsAnOutstandingMiss) {
    // The miss is in flight while 20 instructions and the refill of one mispredict (13 cycles)
    // dispatch; the load that uses its data (dep=1) waits for it either way.
    const RunResult r = window_run("1 ld 0x80000400 8\n1 compute 20\n1 ld 0x8002f000 8 dep=1\n",
                                   "1 ld 0x80001400 8\n1 compute 20 mispredict=1\n1 ld 0x8002e000 8 dep=1\n");
    EXPECT_EQ(r.cores[0].branch_mispredicts, 1u);
    EXPECT_GT(span_ps(r, 0, 1), 400 * cycle_ps(r)) << "the phase does wait for the miss";
    EXPECT_NEAR(span_ps(r, 1, 2), span_ps(r, 0, 1), slot_tolerance_ps(r, "ooo")) << "the refill is hidden under the miss";
}

TEST(BranchMispredict, MispredictThatResolvesWithTheMissAddsTheRefillAfterIt) {
    // The branch in the gap before the dependent load compares the missing load's data (dep=1):
    // it resolves when the data is back, and the load issues a refill later.
    const RunResult r = window_run("1 ld 0x80000400 8\n1 ld 0x8002f000 8 gap=4 dep=1\n",
                                   "1 ld 0x80001400 8\n1 ld 0x8002e000 8 gap=4 dep=1 mispredict=1\n");
    EXPECT_GT(span_ps(r, 0, 1), 400 * cycle_ps(r)) << "the phase does wait for the miss";
    EXPECT_NEAR(span_ps(r, 1, 2) - span_ps(r, 0, 1), kPenalty * cycle_ps(r), slot_tolerance_ps(r, "ooo"));
    EXPECT_EQ(r.cores[0].mispredict_cycles, kPenalty);
}
