// TlbHierarchy (L1 dTLB, L2 TLB, walk cache) refills and invalidations; the stride and stream
// prefetchers' training, each against expectations derived from their parameters.
#include "mtesim/cache/stream_prefetcher.h"
#include "mtesim/cache/stride_prefetcher.h"
#include "mtesim/cache/tlb_hierarchy.h"

#include <gtest/gtest.h>

using namespace mtesim;

namespace {
TlbGeometry small() {
    TlbGeometry g;
    g.l1_entries = g.l1_ways = 4;
    g.l2_entries = 64;
    g.l2_ways = 4;
    g.walk_entries = 16;
    g.walk_ways = 4;
    return g;
}
}  // namespace

TEST(TlbHierarchy, AnL2HitRefillsTheL1AndTheL1EvictsByLru) {
    TlbHierarchy t(small());
    for (std::uint64_t p = 0; p < 5; ++p) t.insert(Tlb::key(1, p), 0x100 + p, false, true);
    EXPECT_EQ(t.lookup_l1(Tlb::key(1, 0)), nullptr) << "five pages through a 4-entry L1: the oldest left";
    const Tlb::Entry *e = t.lookup_l2(Tlb::key(1, 0));
    ASSERT_NE(e, nullptr) << "the L2 TLB still holds it";
    EXPECT_EQ(e->pfn, 0x100u);
    ASSERT_NE(t.lookup_l1(Tlb::key(1, 0)), nullptr) << "the L2 hit refilled the L1";
}

TEST(TlbHierarchy, TlbiByVaDropsBothLevelsAndTheWalkCachePath) {
    TlbHierarchy t(small());
    const std::uint64_t va = 0x7f0012345000ull, other = 0x100000000ull; /* other: another level-0..2 path */
    t.insert(Tlb::key(1, va >> 12), 0x200, true, true);
    for (unsigned level = 0; level < TlbHierarchy::kWalkLevels; ++level) {
        t.walk_cache().insert(TlbHierarchy::walk_key(1, level, va), 0x300 + level, false, true);
        t.walk_cache().insert(TlbHierarchy::walk_key(1, level, other), 0x400 + level, false, true);
    }
    t.flush_key(Tlb::key(1, va >> 12));
    EXPECT_EQ(t.lookup_l1(Tlb::key(1, va >> 12)), nullptr);
    EXPECT_EQ(t.lookup_l2(Tlb::key(1, va >> 12)), nullptr);
    for (unsigned level = 0; level < TlbHierarchy::kWalkLevels; ++level)
        EXPECT_EQ(t.walk_cache().lookup(TlbHierarchy::walk_key(1, level, va)), nullptr) << "level " << level;
    EXPECT_NE(t.walk_cache().lookup(TlbHierarchy::walk_key(1, 2, other)), nullptr) << "another 2 MiB region's table stays";
}

TEST(TlbHierarchy, TlbiByAsidDropsEveryLevelOfThatAsidOnly) {
    TlbHierarchy t(small());
    t.insert(Tlb::key(1, 5), 0x10, false, true);
    t.insert(Tlb::key(2, 5), 0x20, false, true);
    t.walk_cache().insert(TlbHierarchy::walk_key(1, 2, 0x5000), 0x30, false, true);
    t.walk_cache().insert(TlbHierarchy::walk_key(2, 2, 0x5000), 0x40, false, true);
    t.flush_asid(1);
    EXPECT_EQ(t.lookup_l2(Tlb::key(1, 5)), nullptr);
    EXPECT_EQ(t.walk_cache().lookup(TlbHierarchy::walk_key(1, 2, 0x5000)), nullptr);
    EXPECT_NE(t.lookup_l2(Tlb::key(2, 5)), nullptr);
    EXPECT_NE(t.walk_cache().lookup(TlbHierarchy::walk_key(2, 2, 0x5000)), nullptr);
}

TEST(StridePrefetcher, AConfirmedStrideIsPrefetchedAheadWithinItsRegion) {
    StridePrefetcher::Config c;
    c.confirm = 1;
    c.degree = 3;
    c.max_stride = 4;
    StridePrefetcher p(c);
    std::uint64_t out[StridePrefetcher::kMaxDegree];
    const std::uint64_t base = 64 * 10; /* line 0 of region 10 */
    EXPECT_EQ(p.train(base, out), 0u) << "first line: no stride yet";
    EXPECT_EQ(p.train(base + 4, out), 0u) << "a stride seen once";
    ASSERT_EQ(p.train(base + 8, out), 3u) << "seen twice: confirmed";
    EXPECT_EQ(out[0], base + 12);
    EXPECT_EQ(out[2], base + 20);
    ASSERT_EQ(p.train(base + 56, out), 0u) << "a new stride (12 lines) beyond max_stride is not followed";
    StridePrefetcher q(c);
    q.train(base + 52, out);
    q.train(base + 56, out);
    EXPECT_EQ(q.train(base + 60, out), 0u) << "the next line of the stride, base + 64, is another region";
}

TEST(StridePrefetcher, DescendingStridesToo) {
    StridePrefetcher::Config c;
    c.confirm = 1;
    c.degree = 2;
    StridePrefetcher p(c);
    std::uint64_t out[StridePrefetcher::kMaxDegree];
    p.train(640 + 40, out);
    p.train(640 + 38, out);
    ASSERT_EQ(p.train(640 + 36, out), 2u);
    EXPECT_EQ(out[0], 640u + 34);
    EXPECT_EQ(out[1], 640u + 32);
}

TEST(StreamPrefetcher, FollowsAscendingLinesNotStrides) {
    StreamPrefetcher p(8, 4, 6);
    std::uint64_t out[StreamPrefetcher::kMaxDegree];
    EXPECT_EQ(p.on_miss(128, out), 0u);
    ASSERT_EQ(p.on_miss(129, out), 4u) << "the line after a stream's last: prefetch the next four";
    EXPECT_EQ(out[0], 130u);
    EXPECT_EQ(out[3], 133u);
    EXPECT_EQ(p.on_miss(300, out), 0u);
    EXPECT_EQ(p.on_miss(304, out), 0u) << "a 4-line stride is no stream";
    EXPECT_EQ(p.on_miss(308, out), 0u);
    ASSERT_EQ(p.on_miss(190, out), 0u);
    EXPECT_EQ(p.on_miss(191, out), 0u) << "line 192 is the next page: nothing to prefetch";
}
