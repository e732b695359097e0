// Zone::take_free_block: the free list each half of a split block goes back to.
#include "mtesim/mm/zone.h"

#include <gtest/gtest.h>

using namespace mtesim;

/* An order-10 block whose first pageblock is isolated (alloc_contig_range) is freed whole onto
 * the isolate list, as __free_one_page does with the head's type; taking one page of it must
 * give the other pageblock's half back to that pageblock's own (CMA) list, as
 * free_contig_range gives back the pages alloc_contig_range isolated but did not use. Before,
 * the half stayed on the isolate list after the isolation was undone: 512 pool pages lost. */
namespace {

/* A CMA zone of one order-10 block, allocated, then freed whole while its first pageblock is
 * isolated: the whole block lies on the isolate list. */
void free_whole_while_isolated(Zone &z) {
    z.add_free_range(Pfn(0), 1024, MigrateType::cma);
    const auto head = z.take_smallest(10, MigrateType::cma);
    ASSERT_TRUE(head);
    z.mark_allocated(*head, 10, MigrateType::movable, PageMeta::State::allocated_head, 0);
    z.set_pageblock_type(Pfn(0), MigrateType::isolate);
    z.free_block(*head);
    ASSERT_EQ(z.free_pages(MigrateType::isolate), 1024u) << "freed whole onto the head pageblock's list";
}

}  // namespace

TEST(Zone, TakingABlockGivesEachHalfBackToItsOwnPageblocksList) {
    Zone z("t", Pfn(0), 1024);
    ASSERT_NO_FATAL_FAILURE(free_whole_while_isolated(z));
    ASSERT_TRUE(z.take_free_block(Pfn(5), 0));
    EXPECT_EQ(z.free_pages(MigrateType::isolate), 511u) << "the isolated pageblock's rest";
    EXPECT_EQ(z.free_pages(MigrateType::cma), 512u) << "the other pageblock's half, on its own list";
    z.set_pageblock_type(Pfn(0), MigrateType::cma); /* undo_isolate_page_range */
    z.move_free_pages_block(Pfn(0), MigrateType::cma);
    EXPECT_EQ(z.free_pages(MigrateType::cma), 1023u);
    EXPECT_EQ(z.free_pages(MigrateType::isolate), 0u);
}

/* The same block undone before any page of it was taken (an alloc_contig_range attempt that
 * fails and gives up its isolation): moving the isolated pageblock back splits the free block
 * into pageblocks, and the other pageblock's half goes to its own (CMA) list, as split_free_page
 * frees each piece with its pageblock's type. */
TEST(Zone, UndoingAnIsolationGivesABlockFreedWholeBackToEachPageblocksList) {
    Zone z("t", Pfn(0), 1024);
    ASSERT_NO_FATAL_FAILURE(free_whole_while_isolated(z));
    z.set_pageblock_type(Pfn(0), MigrateType::cma);
    z.move_free_pages_block(Pfn(0), MigrateType::cma);
    EXPECT_EQ(z.free_pages(MigrateType::cma), 1024u);
    EXPECT_EQ(z.free_pages(MigrateType::isolate), 0u);
}

/* The struct pages the buddy algorithm touches beyond the block itself (the memmap's accesses):
 * an allocation that splits an order-3 block writes the three halves it puts back; a free
 * reads each buddy it looks at and writes each one it merges. */
TEST(Zone, SplitsWriteEachHalfAndFreesReadEachBuddyLookedAt) {
    Zone z("t", Pfn(0), 1024);
    z.add_free_range(Pfn(0), 8, MigrateType::movable); /* one order-3 block, pages 0-7 */
    std::vector<std::pair<std::uint64_t, bool>> seen;
    z.set_struct_page_hook([&](Pfn p, bool write) { seen.emplace_back(p.value(), write); });
    const auto p = z.take_smallest(0, MigrateType::movable);
    ASSERT_TRUE(p);
    EXPECT_EQ(*p, Pfn(0));
    const std::vector<std::pair<std::uint64_t, bool>> halves = {{4, true}, {2, true}, {1, true}};
    EXPECT_EQ(seen, halves) << "expand: the order-2, -1 and -0 halves, each written onto its list";
    seen.clear();
    z.mark_allocated(*p, 0, MigrateType::movable, PageMeta::State::allocated_head, 0);
    z.free_block(*p);
    const std::vector<std::pair<std::uint64_t, bool>> buddies = {{1, true}, {2, true}, {4, true}, {8, false}};
    EXPECT_EQ(seen, buddies) << "merged with 1, 2 and 4; page 8's struct page read and found not free";
}
