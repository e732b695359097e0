// TagLayout: the data -> tag-storage address math of BACKGROUND.md section 2, checked at
// region edges, nibble parity and block boundaries, on the FVP layout with two regions.
#include "mtesim/dt/board_loader.h"
#include "mtesim/mte/tag_layout.h"

#include <gtest/gtest.h>

using namespace mtesim;

class TagLayoutTest : public ::testing::Test {
protected:
    PlatformDesc desc = BoardLoader::load("fvp-revc-mte");
    TagLayout layout{desc};
};

TEST_F(TagLayoutTest, EvenGranuleLowNibbleOddGranuleHigh) {
    auto a = layout.locate(PhysAddr(0x80000000));
    auto b = layout.locate(PhysAddr(0x80000010));
    auto c = layout.locate(PhysAddr(0x80000020));
    ASSERT_TRUE(a && b && c);
    EXPECT_EQ(a->byte, TagAddr(0xfc000000));
    EXPECT_EQ(b->byte, TagAddr(0xfc000000));
    EXPECT_EQ(c->byte, TagAddr(0xfc000001));
    EXPECT_EQ(a->nibble, 0u);
    EXPECT_EQ(b->nibble, 1u);
    EXPECT_EQ(c->nibble, 0u);
    /* every byte of a granule shares its tag */
    EXPECT_EQ(layout.locate(PhysAddr(0x8000001f))->byte, b->byte);
    EXPECT_EQ(layout.locate(PhysAddr(0x8000001f))->nibble, 1u);
}

TEST_F(TagLayoutTest, OneTagPageCoversThirtyTwoDataPages) {
    auto last_in_block = layout.locate(PhysAddr(0x80000000 + 32 * kPageSize - 1));
    auto first_of_next = layout.locate(PhysAddr(0x80000000 + 32 * kPageSize));
    ASSERT_TRUE(last_in_block && first_of_next);
    EXPECT_EQ(last_in_block->block, 0u);
    EXPECT_EQ(last_in_block->byte, TagAddr(0xfc000fff));
    EXPECT_EQ(first_of_next->block, 1u);
    EXPECT_EQ(first_of_next->block_base, TagAddr(0xfc001000));
    EXPECT_EQ(layout.regions()[0].data_covered_by_block(1).base(), PhysAddr(0x80020000));
    EXPECT_EQ(layout.regions()[0].data_covered_by_block(1).size(), 0x20000u);
}

TEST_F(TagLayoutTest, RegionEdgesAndSecondRegion) {
    auto last = layout.locate(PhysAddr(0xfbffffff));
    ASSERT_TRUE(last);
    EXPECT_EQ(last->byte, TagAddr(0xfc000000 + 0x3e00000 - 1));
    EXPECT_EQ(last->block, layout.regions()[0].block_count() - 1);
    EXPECT_FALSE(layout.locate(PhysAddr(0xfc000000))) << "tag storage is not tagged data";
    EXPECT_EQ(layout.tag_region_of(PhysAddr(0xfc000000)), std::optional<std::size_t>(0));
    EXPECT_FALSE(layout.locate(PhysAddr(0x7fffffff)));
    auto hi = layout.locate(PhysAddr(0x880000000 + 0x40));
    ASSERT_TRUE(hi);
    EXPECT_EQ(hi->region, 1u);
    EXPECT_EQ(hi->byte, TagAddr(0x8fc000002));
}
