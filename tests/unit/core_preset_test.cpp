// CorePreset: a cpu node's compatible picks a real core's parameters, laid under the user's
// settings; an Arm core with no preset, or an unknown core.preset, is one ConfigError.
#include "mtesim/common/config_error.h"
#include "mtesim/config/config_loader.h"
#include "mtesim/cpu/core_config.h"
#include "mtesim/cpu/core_preset.h"

#include <gtest/gtest.h>

using namespace mtesim;

namespace {
CoreConfig resolved(const std::string &compatible, std::vector<std::string> sets = {}) {
    ConfigStore s = ConfigLoader::load({}, sets);
    ConfigStore view = CorePreset::apply(s, compatible, "board.dtb: /cpus/cpu@0");
    return CoreConfig::resolve(view);
}

std::string error_of(const std::string &compatible, std::vector<std::string> sets = {}) {
    try {
        resolved(compatible, sets);
    } catch (const ConfigError &e) {
        return e.what();
    }
    return "(no error)";
}
}  // namespace

TEST(CorePreset, CompatiblePicksTheCore) {
    const CoreConfig n1 = resolved("arm,neoverse-n1");
    EXPECT_TRUE(n1.out_of_order);
    EXPECT_EQ(n1.rob_entries, 128u);
    EXPECT_EQ(n1.dispatch_width, 4u);
    EXPECT_EQ(n1.l1d.size_bytes, 64u * 1024);
    EXPECT_GT(n1.prefetch_degree, 0u) << "the L1D stride prefetcher is on in an out-of-order preset";
    EXPECT_GT(n1.l2_prefetch_degree, 0u) << "so is the L2 stream prefetcher";
    EXPECT_EQ(n1.tlb.l1_entries, 48u) << "Cortex-A76/N1 TRM: 48-entry fully associative L1 dTLB";
    EXPECT_EQ(n1.tlb.l1_ways, 48u);
    EXPECT_EQ(n1.tlb.l2_entries, 1280u) << "1280-entry 5-way L2 TLB";
    EXPECT_EQ(n1.tlb.l2_ways, 5u);
    const CoreConfig a78 = resolved("arm,cortex-a78");
    EXPECT_TRUE(a78.out_of_order);
    EXPECT_EQ(a78.rob_entries, 160u);
    const CoreConfig a55 = resolved("arm,cortex-a55");
    EXPECT_FALSE(a55.out_of_order) << "Cortex-A55 is in order";
    EXPECT_EQ(a55.l1d_latency, 3u);
    EXPECT_EQ(a55.tlb.l1_entries, 16u) << "Cortex-A55 TRM: 16-entry L1 dTLB";
    EXPECT_EQ(a55.tlb.walk_entries, 64u);
}

TEST(CorePreset, UserSettingsOverrideThePreset) {
    const CoreConfig c = resolved("arm,neoverse-n1", {"core.rob_entries=64", "core.model=inorder"});
    EXPECT_EQ(c.rob_entries, 64u);
    EXPECT_FALSE(c.out_of_order);
    EXPECT_EQ(c.dispatch_width, 4u) << "keys the user did not set keep the preset's value";
    const CoreConfig forced = resolved("arm,cortex-a55", {"core.preset=arm,cortex-x3"});
    EXPECT_EQ(forced.rob_entries, 320u) << "core.preset overrides the DT";
    const CoreConfig none = resolved("arm,neoverse-n1", {"core.preset=none"});
    EXPECT_FALSE(none.out_of_order) << "core.preset = none keeps configs/default.ini";
}

TEST(CorePreset, ArchitectureModelsAndOtherVendorsTakeTheDefaults) {
    EXPECT_FALSE(resolved("arm,armv8").out_of_order);
    EXPECT_FALSE(resolved("apple,avalanche").out_of_order);
    EXPECT_FALSE(resolved("").out_of_order);
}

TEST(CorePreset, UnknownCoreIsOneErrorNamingTheNodeOrKey) {
    const std::string dt = error_of("arm,cortex-a999");
    EXPECT_EQ(dt.rfind("board.dtb: /cpus/cpu@0: compatible = \"arm,cortex-a999\"", 0), 0u) << dt;
    EXPECT_EQ(dt.find('\n'), std::string::npos);
    const std::string key = error_of("arm,neoverse-n1", {"core.preset=arm,cortex-a999"});
    EXPECT_EQ(key.rfind("--set: core.preset = 'arm,cortex-a999'", 0), 0u) << key;
}

TEST(CorePreset, EveryValueCitesItsSource) {
    for (const auto &name : CorePreset::names()) {
        const CorePreset *p = CorePreset::find(name);
        ASSERT_NE(p, nullptr);
        for (const auto &v : p->values) EXPECT_GT(std::string(v.source).size(), 8u) << name << " " << v.key;
        EXPECT_NO_THROW(resolved(name)) << name << ": a preset must itself be a valid configuration";
    }
}

TEST(CorePreset, EveryPresetSetsItsBranchMispredictPenalty) {
    // A core's mispredict penalty is its own pipeline's (docs/timing-model.md, "Branch
    // mispredictions"): no preset may fall back to configs/default.ini's N1 value silently.
    for (const auto &name : CorePreset::names()) {
        bool set = false;
        for (const auto &v : CorePreset::find(name)->values) set |= std::string(v.key) == "core.mispredict_penalty_cycles";
        EXPECT_TRUE(set) << name;
        const std::uint32_t penalty = resolved(name).mispredict_penalty_cycles;
        EXPECT_GE(penalty, 5u) << name << ": no Arm A-profile core refills in fewer cycles than its decode depth";
        EXPECT_LE(penalty, 20u) << name;
    }
    EXPECT_EQ(resolved("arm,neoverse-n1", {"core.mispredict_penalty_cycles=3"}).mispredict_penalty_cycles, 3u)
        << "a user setting wins over the preset";
}

TEST(CorePreset, NoOutOfOrderPresetBoundsItsDramLoadsBelowItsL1dMisses) {
    // A core's loads to DRAM are misses of its L1D and of its L2 (docs/timing-model.md, "Core
    // presets"): llc.mshrs below l1d.mshrs would be a per-core limit no source gives (it was the
    // assumed 16 under 20 L1D buffers until 2026-12-03), and above l2.mshrs a bound the L2
    // could never let through.
    for (const auto &name : CorePreset::names()) {
        const CoreConfig c = resolved(name);
        if (!c.out_of_order) continue;
        EXPECT_GE(c.llc_mshrs, c.l1d_mshrs) << name;
        if (c.has_l2()) {
            EXPECT_LE(c.llc_mshrs, c.l2_mshrs) << name;
        }
    }
}
