// Branch mispredictions (a trace's mispredict=M; docs/timing-model.md, "Branch mispredictions")
// through the whole machine: each costs core.mispredict_penalty_cycles on an otherwise idle
// core, in order and out of order; out of order, a mispredict that does not depend on an
// outstanding miss overlaps with it, and one that resolves with the missing load (a ld/st's
// dep=K) adds its refill after the data returns. The penalty is set here (13 cycles, no preset's
// value) so that the expectations do not depend on the presets.
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
    const std::string path = "/tmp/mtesim-mispredict-" + std::to_string(getpid()) + ".trace";
    std::ofstream(path) << "mtesim-trace 1\n" << body;
    sets.push_back("core.on_fault=continue");
    sets.push_back(kPenaltySetting);
    ConfigStore store = ConfigLoader::load({}, sets);
    Platform platform("board", BoardLoader::load("virt-4g-mte"), store, std::make_unique<TextTraceReader>(path));
    RunResult r = platform.run();
    std::remove(path.c_str());
    return r;
}

constexpr const char *kMarker = "1 ld 0x10 8\n"; /* unmapped: a fault with a time */

/* Picoseconds between the first and the second fault marker. */
double span_ps(const RunResult &r) {
    EXPECT_EQ(r.faults.size(), 2u);
    return r.faults.size() < 2 ? 0.0 : static_cast<double>(r.faults[1].time_ps - r.faults[0].time_ps);
}

double cycle_ps(const RunResult &r) { return 1e12 / static_cast<double>(r.core_clock_hz[0]); }

void idle_core_pays_each_mispredict(const char *model) {
    const std::string base = "thread 1 core=0\n" + std::string(kMarker) + "1 compute 1000";
    const RunResult without = run_trace(base + "\n" + kMarker, {std::string("core.model=") + model});
    const RunResult with = run_trace(base + " mispredict=7\n" + kMarker, {std::string("core.model=") + model});
    EXPECT_NEAR(span_ps(with) - span_ps(without), 7 * kPenalty * cycle_ps(with), 1.0) << model;
    EXPECT_EQ(with.cores[0].branch_mispredicts, 7u);
    EXPECT_EQ(with.cores[0].mispredict_cycles, 7u * kPenalty);
    EXPECT_EQ(without.cores[0].branch_mispredicts, 0u);
    EXPECT_EQ(without.cores[0].mispredict_cycles, 0u);
}

/* A mapped page whose line 0 is touched (fault, TLB fill), a marker, then @phase, a marker. The
 * LLC latency is long (400 cycles) and there is no private L2, so a load of another line of the
 * page is a miss far longer than the refill. */
RunResult window_run(const std::string &phase) {
    const std::string setup = "thread 1 core=0\n1 mmap 0x80000000 0x10000\n1 ld 0x80000000 8\n1 ld 0x80001000 8\n";
    return run_trace(setup + kMarker + phase + kMarker, {"core.model=ooo", "llc.latency=400", "l2.size=0"});
}

}  // namespace

TEST(BranchMispredict, InOrderIdleCorePaysNTimesThePenalty) { idle_core_pays_each_mispredict("inorder"); }

TEST(BranchMispredict, OutOfOrderIdleCorePaysNTimesThePenalty) { idle_core_pays_each_mispredict("ooo"); }

TEST(BranchMispredict, IndependentMispredictOverlapsAnOutstandingMiss) {
    // The miss (line 0x400 of page 0) is in flight while 20 instructions and the refill of one
    // mispredict (13 cycles) dispatch; the load that uses its data waits for it either way.
    const std::string miss = "1 ld 0x80000400 8\n";
    const std::string use = "1 ld 0x80001000 8 dep=2\n"; /* an L1 hit whose address is the miss's data */
    const RunResult without = window_run(miss + "1 compute 20\n" + use);
    const RunResult with = window_run(miss + "1 compute 20 mispredict=1\n" + use);
    EXPECT_EQ(with.cores[0].branch_mispredicts, 1u);
    EXPECT_NEAR(span_ps(with), span_ps(without), 1.0) << "the refill is hidden under the miss";
    EXPECT_GT(span_ps(without), 400 * cycle_ps(without)) << "the phase does wait for the miss";
}

TEST(BranchMispredict, MispredictThatResolvesWithTheMissAddsTheRefillAfterIt) {
    // The branch in the gap before the dependent load compares the missing load's data (dep=1):
    // it resolves when the data is back, and the load issues a refill later.
    const std::string miss = "1 ld 0x80000400 8\n";
    const RunResult without = window_run(miss + "1 ld 0x80001000 8 gap=4 dep=1\n");
    const RunResult with = window_run(miss + "1 ld 0x80001000 8 gap=4 dep=1 mispredict=1\n");
    EXPECT_NEAR(span_ps(with) - span_ps(without), kPenalty * cycle_ps(with), 1.0);
    EXPECT_EQ(with.cores[0].mispredict_cycles, kPenalty);
}
