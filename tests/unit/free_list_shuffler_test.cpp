// FreeListShuffler (page_alloc.shuffle, mm/shuffle.c): the top-order free lists of a zone are
// permuted by the seed, nothing is lost or added, and the allocator then hands out its 4 MiB
// blocks in a seed-dependent order; the same seed gives the same order.
#include "mtesim/mm/free_list_shuffler.h"
#include "mtesim/mm/zone.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

using namespace mtesim;

namespace {

constexpr std::uint64_t kBlocks = 32; /* 128 MiB */

/// The order in which a zone of kBlocks free top-order blocks hands them out after a shuffle
/// with @seed (or none).
std::vector<std::uint64_t> allocation_order(bool shuffle, std::uint64_t seed, std::uint64_t *moved = nullptr) {
    Zone z("Normal@test", Pfn(0x80000), kBlocks * Zone::kMaxOrderPages);
    z.add_free_range(Pfn(0x80000), kBlocks * Zone::kMaxOrderPages, MigrateType::movable);
    EXPECT_EQ(z.nr_free(Zone::kMaxOrder, MigrateType::movable), kBlocks);
    if (shuffle) {
        const std::uint64_t n = FreeListShuffler(seed).shuffle(z);
        if (moved) *moved = n;
    }
    EXPECT_EQ(z.free_pages(), kBlocks * Zone::kMaxOrderPages) << "shuffling keeps every free page";
    EXPECT_EQ(z.nr_free(Zone::kMaxOrder, MigrateType::movable), kBlocks);
    std::vector<std::uint64_t> order;
    while (auto p = z.take_smallest(Zone::kMaxOrder, MigrateType::movable)) order.push_back(p->value());
    return order;
}

}  // namespace

TEST(FreeListShuffler, PermutesTopOrderBlocksBySeed) {
    const auto plain = allocation_order(false, 0);
    ASSERT_EQ(plain.size(), kBlocks);
    std::uint64_t moved = 0;
    const auto one = allocation_order(true, 1, &moved);
    EXPECT_EQ(moved, kBlocks);
    auto sorted = one;
    std::sort(sorted.begin(), sorted.end());
    auto plain_sorted = plain;
    std::sort(plain_sorted.begin(), plain_sorted.end());
    EXPECT_EQ(sorted, plain_sorted) << "the same blocks, in another order";
    EXPECT_NE(one, plain) << "32 blocks: the identity permutation has probability 1/32!";
    EXPECT_EQ(allocation_order(true, 1), one) << "deterministic for a seed";
    EXPECT_NE(allocation_order(true, 2), one) << "another seed, another order";
}

TEST(FreeListShuffler, LeavesSmallerBlocksAlone) {
    // Seven and a half top-order blocks of memory: the half is an order-9 block that stays.
    Zone z("Normal@test", Pfn(0), 8 * Zone::kMaxOrderPages);
    z.add_free_range(Pfn(0), 8 * Zone::kMaxOrderPages - Zone::kMaxOrderPages / 2, MigrateType::movable);
    const std::uint64_t free_before = z.free_pages();
    ASSERT_EQ(z.nr_free(Zone::kMaxOrder - 1, MigrateType::movable), 1u);
    EXPECT_EQ(FreeListShuffler(7).shuffle(z), 7u);
    EXPECT_EQ(z.free_pages(), free_before);
    EXPECT_EQ(z.nr_free(Zone::kMaxOrder, MigrateType::movable), 7u);
    EXPECT_EQ(z.nr_free(Zone::kMaxOrder - 1, MigrateType::movable), 1u);
    EXPECT_EQ(z.take_smallest(Zone::kMaxOrder - 1, MigrateType::movable)->value(), 7 * Zone::kMaxOrderPages);
}
