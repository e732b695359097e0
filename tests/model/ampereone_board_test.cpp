// The built-in AmpereOne-class board (dts/ampereone-192c.dts): its description is what the
// sources in the DTS say (192 MTE cores at 3.0 GHz, 8 DDR5 channels behind one controller, tag
// storage of 1/32 of its memory), and it boots and runs the generated workload on every core.
#include "platform/platform.h"

#include "mtesim/config/config_loader.h"
#include "mtesim/dt/board_loader.h"
#include "mtesim/dt/built_in_boards.h"
#include "mtesim/trace/synthetic_source.h"

#include <gtest/gtest.h>

#include <algorithm>

using namespace mtesim;

TEST(AmpereOneBoard, IsBuiltInWith192MteCoresAnd8Ddr5Channels) {
    const auto names = BuiltInBoards::names();
    ASSERT_NE(std::find(names.begin(), names.end(), "ampereone-192c"), names.end());
    const PlatformDesc d = BoardLoader::load("ampereone-192c");
    ASSERT_EQ(d.cpus.size(), 192u);
    for (const auto &c : d.cpus) {
        EXPECT_EQ(c.clock_hz, 3000000000u) << c.path;
        EXPECT_GE(c.mte_version, 2u) << c.path << ": an MTE-capable core";
    }
    ASSERT_EQ(d.dram_controllers.size(), 1u);
    EXPECT_EQ(d.dram_controllers[0].timing_preset, "ddr5-4800-rdimm");
    ConfigStore store = ConfigLoader::load({}, {});
    ConfigStore dram = ConfigLoader::with_dram_preset(store, "ddr5-4800-rdimm", "test");
    EXPECT_EQ(dram.get_u64("dram.channels", 0, "count", "channels"), 16u) << "8 DDR5 channels of two subchannels";
    ASSERT_EQ(d.tag_storage.size(), 1u);
    EXPECT_EQ(d.tag_storage[0].range.size() * 32, d.memories[d.tag_storage[0].memory_index].range.size());
}

TEST(AmpereOneBoard, BootsAndRunsTheGeneratedWorkloadOnEveryCore) {
    const PlatformDesc d = BoardLoader::load("ampereone-192c");
    SyntheticParams p;
    p.threads = 192;
    p.accesses_per_thread = 200; /* small: the test is that all 192 cores boot and run, not their rate */
    p.use_after_free = true;
    p.base = d.memories[0].range.base().value();
    ConfigStore store = ConfigLoader::load({}, {});
    Platform platform("board", d, store, std::make_unique<SyntheticSource>(p));
    const RunResult r = platform.run();
    EXPECT_TRUE(r.stopped_early.empty()) << r.stopped_early;
    EXPECT_EQ(r.threads, 192u);
    ASSERT_EQ(r.cores.size(), 192u);
    std::uint64_t checked = 0;
    for (std::size_t i = 0; i < r.cores.size(); ++i) {
        EXPECT_GE(r.cores[i].loads + r.cores[i].stores, 200u) << "core " << i << " ran its thread";
        checked += r.cores[i].tag_checks;
    }
    EXPECT_GE(checked, 192u * 200u) << "every access is tag checked (tcf = sync)";
    ASSERT_EQ(r.faults.size(), 1u) << "thread 0's use-after-free is caught";
}
