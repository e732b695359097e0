// HeapModel (issue "Workloads", the user-space heap): size classes, the slot layout with a
// header granule between chunks, parity alternation of neighbours, LIFO reuse, secondary
// mappings, and the chunk-state checks that catch double and invalid frees. The tag
// properties in a running simulation are in tests/model/heap_test.cpp.
#include "mtesim/heap/heap_model.h"
#include "mtesim/mte/tag_check_unit.h"

#include <gtest/gtest.h>

using namespace mtesim;

TEST(HeapModel, SizeClassesCoverEveryRequestWithTheSmallestFit) {
    EXPECT_EQ(HeapModel::class_bytes(HeapModel::class_of(1)), 16u + 16u);
    EXPECT_EQ(HeapModel::class_bytes(HeapModel::class_of(16)), 16u + 16u);
    EXPECT_EQ(HeapModel::class_bytes(HeapModel::class_of(17)), 32u + 16u);
    EXPECT_EQ(HeapModel::class_bytes(HeapModel::class_of(256)), 256u + 16u);
    EXPECT_EQ(HeapModel::class_bytes(HeapModel::class_of(257)), 320u + 16u);
    for (std::uint64_t s = 1; s <= HeapModel::kMaxPrimary; s += 7) {
        const unsigned c = HeapModel::class_of(s);
        ASSERT_GE(HeapModel::class_bytes(c) - HeapModel::kHeader, s);
        if (c > 0) {
            ASSERT_LT(HeapModel::class_bytes(c - 1) - HeapModel::kHeader, (s + 15) / 16 * 16) << s;
        }
    }
}

TEST(HeapModel, NeighboursAlternateParityAndAreSeparatedByAHeader) {
    HeapModel h(true);
    std::vector<HeapModel::Map> maps;
    const auto a = h.allocate(24, maps), b = h.allocate(24, maps), c = h.allocate(24, maps);
    ASSERT_EQ(maps.size(), 1u) << "the class region's first MiB";
    EXPECT_EQ(maps[0].base, HeapModel::kBase + HeapModel::class_of(24) * HeapModel::kRegionBytes);
    EXPECT_EQ(a.addr, maps[0].base + HeapModel::kHeader);
    EXPECT_EQ(b.addr - a.addr, 48u) << "32-byte chunk + 16-byte header";
    EXPECT_NE(a.odd, b.odd);
    EXPECT_NE(b.odd, c.odd);
    EXPECT_EQ(a.span, 32u);
    // Parity masks: the two never share a tag, tag 0 is never drawn.
    EXPECT_EQ(HeapModel::parity_exclude(false) & HeapModel::parity_exclude(true), 1u);
    EXPECT_EQ(HeapModel::parity_exclude(false) | HeapModel::parity_exclude(true), 0xffffu);
    MteThreadState s;
    s.rng = 7;
    s.exclude = 0; /* an include mask set (the exec default excludes every tag) */
    for (int i = 0; i < 1000; ++i) {
        const Tag even = TagCheckUnit::irg(s, HeapModel::parity_exclude(false));
        const Tag odd = TagCheckUnit::irg(s, HeapModel::parity_exclude(true));
        ASSERT_EQ(even % 2, 0);
        ASSERT_NE(even, 0);
        ASSERT_EQ(odd % 2, 1);
    }
}

TEST(HeapModel, FreedSlotsAreReusedLastInFirstOut) {
    HeapModel h(true);
    std::vector<HeapModel::Map> maps;
    const auto a = h.allocate(100, maps), b = h.allocate(100, maps);
    HeapModel::Chunk out;
    ASSERT_EQ(h.release(a.addr, out), HeapModel::FreeResult::ok);
    ASSERT_EQ(h.release(b.addr, out), HeapModel::FreeResult::ok);
    EXPECT_EQ(h.allocate(100, maps).addr, b.addr);
    EXPECT_EQ(h.allocate(100, maps).addr, a.addr);
    EXPECT_EQ(h.live_chunks(), 2u);
}

TEST(HeapModel, DoubleAndInvalidFreesAreDetectedFromChunkState) {
    HeapModel h(false);
    std::vector<HeapModel::Map> maps;
    const auto a = h.allocate(64, maps);
    HeapModel::Chunk out;
    EXPECT_EQ(h.release(a.addr + 16, out), HeapModel::FreeResult::invalid_pointer);
    EXPECT_EQ(h.release(0x1234, out), HeapModel::FreeResult::invalid_pointer);
    ASSERT_EQ(h.release(a.addr, out), HeapModel::FreeResult::ok);
    EXPECT_EQ(out.size, 64u);
    EXPECT_EQ(h.release(a.addr, out), HeapModel::FreeResult::double_free);
    EXPECT_EQ(h.live(a.addr), nullptr);
}

TEST(HeapModel, LargeRequestsGetTheirOwnMappingWithAGuardPage) {
    HeapModel h(true);
    std::vector<HeapModel::Map> maps;
    const auto a = h.allocate(100000, maps);
    const auto b = h.allocate(70000, maps);
    ASSERT_EQ(maps.size(), 2u);
    EXPECT_TRUE(a.secondary);
    EXPECT_EQ(a.mapping_length, 25u * 4096);
    EXPECT_EQ(b.mapping, a.mapping + a.mapping_length + 4096) << "a guard page between them";
    HeapModel::Chunk out;
    ASSERT_EQ(h.release(a.addr, out), HeapModel::FreeResult::ok);
    EXPECT_EQ(out.mapping_length, 25u * 4096);
    EXPECT_EQ(h.release(a.addr, out), HeapModel::FreeResult::double_free);
}
