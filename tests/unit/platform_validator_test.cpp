// Every validation rule of the DT reader (issue "Foundation", BACKGROUND.md section 2) with
// one small broken fixture under tests/data/dts/bad/. Each fixture must fail with its own
// message: the expected text below names the rule, so a fixture that trips the wrong rule
// fails the test.
#include "mtesim/common/config_error.h"
#include "mtesim/dt/board_loader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>

using namespace mtesim;

namespace {

const std::string kBad = std::string(MTESIM_TEST_DATA_DIR) + "/dts/bad/";

struct BadCase {
    const char *file;
    const char *node;     /* the node path the message must name ("" for tree-level errors) */
    const char *expected; /* text of that rule's message */
};

const BadCase kCases[] = {
    {"ratio", "/reserved-memory/tag-storage@fc000000", "size 0x3c00000 * 32 != 0x7c000000 (memory@80000000)"},
    {"huge-size", "/reserved-memory/tag-storage@fc000000", "size 0x280000000 * 32 != 0x7c000000"},
    {"unaligned", "/reserved-memory/tag-storage@fc000000", "is not aligned to the 0x200000-byte pageblock"},
    {"outside-dram", "/reserved-memory/tag-storage@fc000000", "is not inside addressable DRAM"},
    {"straddle", "/reserved-memory/tag-storage@fc000000", "straddles the end of DRAM range"},
    {"split-regions", "/reserved-memory/tag-storage@fc000000", "lie in different memory-map regions"},
    {"below-data", "/reserved-memory/tag-storage@fc000000", "expected the tag region above the data it covers"},
    {"overlap", "/reserved-memory/tag-storage@fc000000", "overlaps /memory@80000000"},
    {"overlapping-dram", "/dram-controller@1", "overlaps /dram-controller@0"},
    {"block-not-pages", "/reserved-memory/tag-storage@fc000000", "block-size 0x1800 is not a whole number of 4096-byte pages"},
    {"block-too-big", "/reserved-memory/tag-storage@fc000000", "block-size 0x400000, expected a power-of-two number of pages"},
    {"block-not-pow2", "/reserved-memory/tag-storage@fc000000", "block-size 0x3000, expected a power-of-two number of pages"},
    {"size-not-block-multiple", "/reserved-memory/tag-storage@fc000000", "size 0x3e01000 is not a multiple of block-size 0x2000"},
    {"too-many-regions", "/reserved-memory/tag-storage@184000000", "33 tag-storage regions, expected at most 32"},
    {"missing-phandle", "/reserved-memory/tag-storage@fc000000", "missing property \"tagged-memory\""},
    {"dangling-phandle", "/reserved-memory/tag-storage@fc000000", "tagged-memory = <0x1234> is a dangling phandle"},
    {"phandle-not-memory", "/reserved-memory/tag-storage@fc000000", "points to /cpus/cpu@0, expected a node with device_type = \"memory\""},
    {"multi-range-memory", "/reserved-memory/tag-storage@fc000000", "with 2 reg ranges, expected a memory node with exactly one"},
    {"two-regions-one-memory", "/reserved-memory/tag-storage@ffe00000", "already has a tag-storage region"},
    {"tag-reg-two-ranges", "/reserved-memory/tag-storage@fc000000", "reg has 2 ranges, expected exactly one"},
    {"zone-cross", "/reserved-memory/tag-storage@fc000000", "crosses the ZONE_DMA32/ZONE_NORMAL boundary"},
    {"missing-block-size", "/reserved-memory/tag-storage@fc000000", "missing property \"block-size\""},
    {"no-dram-controller", "/", "no node with compatible = \"mtesim,dram-controller\""},
    {"memory-outside-dram", "/memory@80000000", "is not inside one range of a DRAM controller"},
    {"address-cells", "/reserved-memory", "#address-cells = <3>, expected 1 or 2"},
    {"reg-length", "/reserved-memory/tag-storage@fc000000", "reg has 12 bytes, expected a multiple of 16"},
    {"reg-size-zero", "/memory@80000000", "has size 0, expected > 0"},
    {"reg-overflow", "/memory@80000000", "overflows the 64-bit physical address space"},
    {"no-cpus", "/cpus", "no cpu nodes"},
    {"no-clock", "/cpus/cpu@0", "missing or zero \"clock-frequency\""},
    {"no-memory", "/", "no memory nodes"},
    {"no-timing", "/dram-controller@0", "missing property \"mtesim,timing\""},
    {"mte-version", "/cpus/cpu@0", "mtesim,mte-version = <7>, expected 0 (none), 2 (FEAT_MTE2) or 3"},
    {"unknown-core-preset", "/cpus/cpu@0", "compatible = \"arm,cortex-a999\", no core preset for this core, expected one of: arm,cortex-a55"},
    {"duplicate-cpu", "/cpus/cpu@1", "is used by another cpu"},
    {"mixed-mte", "/cpus/cpu@1", "expected the same MTE level on every CPU"},
    {"interconnect-unreadable-mesh", "/interconnect", "mtesim,mesh, expected <columns rows>"},
    {"interconnect-mesh-vs-cpus", "/interconnect", "mtesim,cpu-xps places 3 cores, but /cpus has 2"},
    {"block-devices-none", "/block-devices", "neither \"mtesim,storage\" nor \"mtesim,swap\", expected at least one"},
    {"block-devices-twice", "/block-devices@1", "a second \"mtesim,block-devices\" node (the first is /block-devices@0)"},
    {"block-devices-unknown", "/block-devices", "mtesim,storage = \"floppy\", no such preset in configs/storage/, expected one of: intel-x25m-g2, ufs-3.1"},
    {"block-devices-empty-name", "/block-devices", "property \"mtesim,swap\" is empty, expected the name of a preset in configs/swap/"},
    {"l2-dangling-next-level-cache", "/cpus/cpu@0", "next-level-cache = <0x777> is a dangling phandle"},
    {"cache-not-level-2-or-3", "/cpus/l4-cache", "cache-level = <4>, expected <2> (the cpu's L2) or <3>"},
    {"l2-zero-size", "/cpus/l2-cache", "cache-size = <0>, expected the cache's capacity in bytes"},
    {"l2-sets-without-size", "/cpus/l2-cache", "cache-sets without cache-size"},
    {"llc-two-nodes", "/cpus/cpu@1", "a second level-3 cache node (the first is /cpus/l3-cache-a)"},
    {"llc-below-not-level-3", "/cpus/l2-cache-b", "cache-level = <2>, expected <3>: an L2 node's next-level-cache names the LLC"},
    {"llc-next-level", "/cpus/l3-cache", "next-level-cache below the LLC, expected none"},
    {"capacity-some-cpus", "/cpus/cpu@0", "missing property \"capacity-dmips-mhz\", expected it on every cpu once one has it"},
    {"capacity-zero", "/cpus/cpu@0", "capacity-dmips-mhz, expected one cell above 0"},
    {"syntax-error", "", "syntax-error.dts:5.1-2 syntax error (dtc)"},
};

class BadFixture : public ::testing::TestWithParam<BadCase> {};

}  // namespace

TEST_P(BadFixture, FailsWithItsOwnMessageNamingFileAndNode) {
    const BadCase &c = GetParam();
    const std::string path = kBad + c.file + ".dts";
    try {
        BoardLoader::load(path);
        FAIL() << path << " was accepted";
    } catch (const ConfigError &e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find(c.expected), std::string::npos) << "message: " << msg;
        if (*c.node) {
            EXPECT_EQ(msg.rfind(path + ": " + c.node + ":", 0), 0u) << "message: " << msg;
        }
        EXPECT_EQ(msg.find('\n'), std::string::npos) << "one line only: " << msg;
    }
}

INSTANTIATE_TEST_SUITE_P(Rules, BadFixture, ::testing::ValuesIn(kCases),
                         [](const auto &info) {
                             std::string n = info.param.file;
                             for (auto &ch : n) if (ch == '-') ch = '_';
                             return n;
                         });

TEST(BadFixtures, EveryFixtureFileHasACase) {
    std::set<std::string> listed;
    for (const auto &c : kCases) listed.insert(std::string(c.file) + ".dts");
    for (const auto &entry : std::filesystem::directory_iterator(kBad))
        EXPECT_TRUE(listed.count(entry.path().filename().string())) << entry.path() << " has no test case";
}
