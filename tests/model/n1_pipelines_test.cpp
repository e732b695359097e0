// The Neoverse N1 preset's load/store pipelines (src/cpu/core_preset.cpp, [LLVM]): two pipelines
// that take loads and stores, a store taking one per 8 bytes. The expectation is not the model's
// output but a measured one: an Ampere Altra (Neoverse N1) fills memory with STPs at 16.0 bytes a
// cycle (sbc-bench 4zkJ, tinymembench's `ARM STP fill` 41.54 GB/s at 2.6 GHz; docs/fidelity.md,
// "fill"), the store pipelines' rate: one 16-byte STP a cycle, or two 8-byte STRs. The core's
// 4-wide dispatch alone would issue four STPs a cycle (64 bytes), as the preset did before.
#include "core/local_clock.h"
#include "core/timing_model.h"
#include "mtesim/config/config_loader.h"
#include "mtesim/cpu/core_config.h"
#include "mtesim/cpu/core_preset.h"

#include <gtest/gtest.h>

using namespace mtesim;

namespace {

CoreConfig n1() {
    ConfigStore s = ConfigLoader::load({}, {});
    ConfigStore view = CorePreset::apply(s, "arm,neoverse-n1", "board.dtb: /cpus/cpu@0");
    return CoreConfig::resolve(view);
}

/* Cycles @n L1D-hit stores of @bytes each take on a fresh N1 timing model. */
std::uint64_t store_cycles(int n, std::uint64_t bytes) {
    const CoreConfig c = n1();
    LocalClock clock{3000000000};
    TimingModel timing(c, clock);
    const std::uint64_t start = clock.now_cycles();
    for (int i = 0; i < n; ++i) {
        timing.begin_access(0, true, bytes);
        timing.end_access(true, AccessLatency{c.l1d_latency, false});
    }
    return clock.now_cycles() - start;
}

}  // namespace

TEST(NeoverseN1Pipelines, StoresFillAtTheAltrasSixteenBytesACycle) {
    constexpr int kLines = 256;
    const double stp = 64.0 * kLines / static_cast<double>(store_cycles(4 * kLines, 16));
    EXPECT_NEAR(stp, 16.0, 0.2) << "four 16-byte STPs a line: bytes a cycle (Altra: 16.0)";
    const double str = 64.0 * kLines / static_cast<double>(store_cycles(8 * kLines, 8));
    EXPECT_NEAR(str, 16.0, 0.2) << "eight 8-byte STRs a line: two a cycle, the same bytes";
}
