// The DT reader on valid input: the built-in boards, both binding forms, and the values the
// reader must carry into PlatformDesc.
#include "mtesim/common/config_error.h"
#include "mtesim/dt/board_loader.h"
#include "mtesim/dt/built_in_boards.h"

#include <gtest/gtest.h>

using namespace mtesim;

namespace {
const std::string kData = MTESIM_TEST_DATA_DIR;
const std::string kBoards = MTESIM_BOARD_DIR;
}  // namespace

TEST(PlatformReader, FvpBoardIsTheRfcLayout) {
    const PlatformDesc d = BoardLoader::load(kBoards + "/fvp-revc-mte.dts");
    ASSERT_EQ(d.memories.size(), 2u);
    ASSERT_EQ(d.tag_storage.size(), 2u);
    EXPECT_EQ(d.memories[0].range.base(), PhysAddr(0x80000000));
    EXPECT_EQ(d.memories[0].range.size(), 0x7c000000u);
    EXPECT_EQ(d.memories[1].range.base(), PhysAddr(0x880000000));
    for (const auto &t : d.tag_storage) {
        const auto &m = d.memories[t.memory_index];
        EXPECT_EQ(t.range.base(), m.range.end()) << "tags directly above their data";
        EXPECT_EQ(t.range.size(), 0x3e00000u);
        EXPECT_EQ(t.block_size, 0x1000u);
        EXPECT_TRUE(t.reusable);
        EXPECT_EQ(t.form, TagBindingForm::v3);
    }
}

TEST(PlatformReader, AcceptsTheV1BindingForm) {
    const PlatformDesc d = BoardLoader::load(kData + "/dts/good-v1.dts");
    ASSERT_EQ(d.tag_storage.size(), 1u);
    EXPECT_EQ(d.tag_storage[0].form, TagBindingForm::v1);
    EXPECT_TRUE(d.tag_storage[0].reusable);
    EXPECT_EQ(d.tag_storage[0].block_size, 0x2000u);
    EXPECT_EQ(d.dram_controllers[0].timing_preset, "ddr3-1600");
}

TEST(PlatformReader, StaticCarveoutIsNotReusable) {
    const PlatformDesc d = BoardLoader::load("static-carveout-4g");
    ASSERT_EQ(d.tag_storage.size(), 1u);
    EXPECT_FALSE(d.tag_storage[0].reusable);
}

TEST(PlatformReader, ReadsCpusAndClocks) {
    const PlatformDesc d = BoardLoader::load("phone-8g-lpddr5");
    ASSERT_EQ(d.cpus.size(), 8u);
    EXPECT_EQ(d.cpus[0].clock_hz, 1800000000u);
    EXPECT_EQ(d.cpus[7].clock_hz, 3050000000u);
    EXPECT_EQ(d.cpus[7].path, "/cpus/cpu@7");
    EXPECT_EQ(d.cpus[0].mte_version, 3u);
    EXPECT_EQ(d.data_bytes() + d.tag_storage_bytes() <= 8ull << 30, true);
}

TEST(PlatformReader, CpusNamingOneL2NodeShareIt) {
    const PlatformDesc d = BoardLoader::load(kData + "/dts/good-shared-l2.dts");
    ASSERT_EQ(d.cpus.size(), 3u);
    ASSERT_EQ(d.l2_caches.size(), 2u);
    EXPECT_EQ(d.cpus[0].l2_cache, d.cpus[1].l2_cache) << "cpu@0 and cpu@1 name the same node";
    EXPECT_NE(d.cpus[2].l2_cache, d.cpus[0].l2_cache);
    const CacheNodeDesc &complex = d.l2_caches[static_cast<std::size_t>(d.cpus[0].l2_cache)];
    EXPECT_EQ(complex.path, "/cpus/l2-cache-complex");
    EXPECT_EQ(complex.size_bytes, 0x40000u);
    EXPECT_EQ(complex.sets, 512u);
    EXPECT_EQ(complex.line_bytes, 64u);
    const CacheNodeDesc &own = d.l2_caches[static_cast<std::size_t>(d.cpus[2].l2_cache)];
    EXPECT_EQ(own.path, "/cpus/cpu@2/l2-cache");
    EXPECT_EQ(own.size_bytes, 0u) << "no geometry: the core preset's l2.* apply";
    ASSERT_TRUE(d.llc) << "both L2 nodes name the level-3 node";
    EXPECT_EQ(d.llc->path, "/cpus/l3-cache");
    EXPECT_EQ(d.llc->size_bytes, 0u) << "no geometry: llc.* apply";
    const PlatformDesc base = BoardLoader::load(kData + "/dts/good-base.dts");
    EXPECT_EQ(base.cpus[0].l2_cache, -1) << "no next-level-cache";
    EXPECT_FALSE(base.llc);
}

TEST(PlatformReader, BuiltInBoardsDescribeTheirChipsCaches) {
    // The phone board's Cortex-A510s pair up in complexes, each pair sharing one L2 (Chips and
    // Cheese, 2023); its other cores name none (their presets' private L2s).
    const PlatformDesc phone = BoardLoader::load("phone-8g-lpddr5");
    ASSERT_EQ(phone.l2_caches.size(), 2u);
    EXPECT_EQ(phone.cpus[0].l2_cache, phone.cpus[1].l2_cache);
    EXPECT_EQ(phone.cpus[2].l2_cache, phone.cpus[3].l2_cache);
    EXPECT_NE(phone.cpus[0].l2_cache, phone.cpus[2].l2_cache);
    for (std::size_t i = 4; i < phone.cpus.size(); ++i) EXPECT_EQ(phone.cpus[i].l2_cache, -1) << i;
    EXPECT_FALSE(phone.llc);
    // The Altra boards' LLC is the chip's 32 MiB system-level cache (AnandTech, "The Ampere
    // Altra Review", 2020).
    for (const char *name : {"altra-512g", "altra-vm-64g", "altra-vm-256g"}) {
        const PlatformDesc d = BoardLoader::load(name);
        ASSERT_TRUE(d.llc) << name;
        EXPECT_EQ(d.llc->size_bytes, 32ull << 20) << name;
    }
}

TEST(PlatformReader, EveryBuiltInBoardLoadsAndMatchesItsSource) {
    const auto names = BuiltInBoards::names();
    EXPECT_GE(names.size(), 9u);
    for (const auto &n : names) {
        const PlatformDesc built_in = BoardLoader::load(n);
        const PlatformDesc from_dts = BoardLoader::load(kBoards + "/" + n + ".dts");
        EXPECT_EQ(built_in.data_bytes(), from_dts.data_bytes()) << n;
        EXPECT_EQ(built_in.tag_storage_bytes(), from_dts.tag_storage_bytes()) << n;
        EXPECT_EQ(built_in.cpus.size(), from_dts.cpus.size()) << n;
        for (const auto &t : built_in.tag_storage)
            EXPECT_EQ(t.range.size() * 32, built_in.memories[t.memory_index].range.size()) << n;
    }
}

TEST(PlatformReader, BoardSizesMatchTheirNames) {
    EXPECT_EQ(BoardLoader::load("virt-4g-mte").cpus.size(), 4u);
    EXPECT_EQ(BoardLoader::load("server-64g-mte").cpus.size(), 16u);
    const std::pair<const char *, std::uint64_t> sizes[] = {
        {"virt-4g-mte", 4}, {"phone-8g-lpddr5", 8}, {"server-64g-mte", 64}, {"linearmap-16g", 16},
        {"linearmap-64g", 64}, {"linearmap-256g", 256}, {"linearmap-512g", 512}};
    for (const auto &[name, gib] : sizes) {
        const PlatformDesc d = BoardLoader::load(name);
        std::uint64_t dram = 0;
        for (const auto &dc : d.dram_controllers)
            for (const auto &r : dc.ranges) dram += r.size();
        EXPECT_EQ(dram, gib << 30) << name;
        /* data + tags fill all but less than one 64 MiB slice of DRAM (pageblock rounding) */
        EXPECT_LT(dram - d.data_bytes() - d.tag_storage_bytes(), 66ull << 20) << name;
    }
}

TEST(BoardLoader, UnknownBoardNamesTheBuiltIns) {
    try {
        BoardLoader::load("no-such-board");
        FAIL();
    } catch (const ConfigError &e) {
        const std::string msg = e.what();
        EXPECT_EQ(msg.rfind("no-such-board: no such board file", 0), 0u) << msg;
        EXPECT_NE(msg.find("virt-4g-mte"), std::string::npos) << msg;
    }
}
