// The load/store pipelines of the presets LLVM schedules with its Neoverse N2 model (Cortex-A710,
// A715) and its V2 model (Cortex-X3, Neoverse V2): src/cpu/core_preset.cpp, [LLVM]. The
// expectations are the scheduling models' pipeline counts, not the timing model's output: three
// pipelines take loads (N2UnitL01 x2 and N2UnitL2), two of them stores, every store form up to STP
// Q takes one, and a load pair of X registers takes two on N2 and one on V2. Before the presets
// gave these, an L1D-resident stream issued at the dispatch width (5 or 6 a cycle).
#include "core/local_clock.h"
#include "core/timing_model.h"
#include "mtesim/config/config_loader.h"
#include "mtesim/cpu/core_config.h"
#include "mtesim/cpu/core_preset.h"

#include <gtest/gtest.h>

using namespace mtesim;

namespace {

CoreConfig preset(const char *compatible) {
    ConfigStore s = ConfigLoader::load({}, {});
    ConfigStore view = CorePreset::apply(s, compatible, "board.dtb: /cpus/cpu@0");
    return CoreConfig::resolve(view);
}

struct Access {
    bool write;
    std::uint64_t bytes;
    bool pair;
};

/* Accesses per cycle when @pattern repeats @rounds times, each an L1D hit, on a fresh timing
 * model of @compatible. */
double per_cycle(const char *compatible, const std::vector<Access> &pattern, int rounds = 256) {
    const CoreConfig c = preset(compatible);
    LocalClock clock{2000000000};
    TimingModel timing(c, clock);
    const std::uint64_t start = clock.now_cycles();
    for (int r = 0; r < rounds; ++r)
        for (const Access &a : pattern) {
            timing.begin_access(0, a.write, a.bytes, a.pair);
            timing.end_access(a.write, AccessLatency{c.l1d_latency, false});
        }
    return static_cast<double>(rounds * pattern.size()) / static_cast<double>(clock.now_cycles() - start);
}

const char *const kCores[] = {"arm,cortex-a710", "arm,cortex-a715", "arm,cortex-x3", "arm,neoverse-v2"};

}  // namespace

TEST(N2V2Pipelines, ThreeLoadsTwoStoresAndThreeAccessesACycle) {
    for (const char *core : kCores) {
        SCOPED_TRACE(core);
        EXPECT_NEAR(per_cycle(core, {{false, 8, false}}), 3.0, 0.05) << "LDR X: three load pipelines";
        EXPECT_NEAR(per_cycle(core, {{false, 16, false}}), 3.0, 0.05) << "LDR Q: one slot each";
        EXPECT_NEAR(per_cycle(core, {{false, 32, false}}), 1.5, 0.05) << "LDP Q: two slots each";
        EXPECT_NEAR(per_cycle(core, {{true, 8, false}}), 2.0, 0.05) << "STR X: two store pipelines";
        EXPECT_NEAR(per_cycle(core, {{true, 32, false}}), 2.0, 0.05) << "STP Q: still one slot each";
        EXPECT_NEAR(per_cycle(core, {{false, 8, false}, {true, 8, false}}), 3.0, 0.05)
            << "loads and stores together: three pipelines in all";
    }
}

TEST(N2V2Pipelines, ALoadPairTakesTwoSlotsOnN2AndOneOnV2) {
    EXPECT_NEAR(per_cycle("arm,cortex-a710", {{false, 16, true}}), 1.5, 0.05) << "N2: LDP X 4c_2L";
    EXPECT_NEAR(per_cycle("arm,cortex-a715", {{false, 16, true}}), 1.5, 0.05) << "N2: LDP X 4c_2L";
    EXPECT_NEAR(per_cycle("arm,cortex-x3", {{false, 16, true}}), 3.0, 0.05) << "V2: LDP X WriteLD, 4c_1L";
    EXPECT_NEAR(per_cycle("arm,neoverse-v2", {{false, 16, true}}), 3.0, 0.05) << "V2: LDP X WriteLD, 4c_1L";
}
