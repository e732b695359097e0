// SeedSummary (compare/sweep --seeds): mean and sample standard deviation per point, the
// slowdown paired seed by seed, and the "within the spread" mark, against figures computed
// by hand.
#include "app/seed_summary.h"

#include <gtest/gtest.h>

using namespace mtesim;

namespace {

GridPoint run(double time_ps, double fast) {
    GridPoint p;
    p.stats["sim.time_ps"] = time_ps;
    p.stats["mm.reserve.fast"] = fast;
    return p;
}

}  // namespace

TEST(SeedSummary, MeanSpreadPairedSlowdownAndMark) {
    // Point 0 (the baseline) and two points, three seeds each, in run order.
    const std::vector<GridPoint> runs = {run(100, 0), run(110, 0), run(90, 0),     /* baseline: 100 +- 10 */
                                         run(101, 5), run(111, 7), run(89, 6),      /* within the spread */
                                         run(200, 9), run(220, 9), run(180, 9)};   /* twice as slow */
    const SeedSummary s(runs, 3, {0, 0, 0});
    const auto b = s.stat(0, "sim.time_ps");
    EXPECT_DOUBLE_EQ(b.mean, 100);
    EXPECT_DOUBLE_EQ(b.sd, 10); /* sqrt((0 + 100 + 100) / 2) */
    EXPECT_EQ(b.n, 3u);
    const auto f = s.stat(1, "mm.reserve.fast");
    EXPECT_DOUBLE_EQ(f.mean, 6);
    EXPECT_DOUBLE_EQ(f.sd, 1);
    // Paired: 101/100, 111/110, 89/90.
    const auto sl = s.slowdown(1);
    EXPECT_NEAR(sl.mean, (1.01 + 111.0 / 110 + 89.0 / 90) / 3, 1e-12);
    EXPECT_DOUBLE_EQ(s.slowdown(0).mean, 1);
    EXPECT_DOUBLE_EQ(s.slowdown(0).sd, 0);
    EXPECT_DOUBLE_EQ(s.slowdown(2).mean, 2);
    EXPECT_DOUBLE_EQ(s.slowdown(2).sd, 0) << "exactly twice as slow on every seed";
    EXPECT_TRUE(s.within_spread(1, "sim.time_ps")) << "|100.33 - 100| <= 11.0 + 10";
    EXPECT_FALSE(s.within_spread(2, "sim.time_ps"));
    EXPECT_FALSE(s.within_spread(2, "slowdown")) << "2 +- 0 is not 1";
    EXPECT_TRUE(s.within_spread(1, "slowdown")) << "1.0027 +- 0.0119 covers 1";
    const std::vector<GridPoint> shifted = {run(100, 0), run(110, 0), run(90, 0), run(102, 0), run(113, 0), run(90, 0)};
    EXPECT_FALSE(SeedSummary(shifted, 3, {0, 0}).within_spread(1, "slowdown")) << "1.0158 +- 0.0141 does not cover 1";
    EXPECT_FALSE(s.within_spread(0, "sim.time_ps")) << "no difference, nothing to mark";
    EXPECT_FALSE(s.within_spread(1, "mm.reserve.fast")) << "6 +- 1 against 0 +- 0";
}

TEST(SeedSummary, OneSeedHasNoSpreadAndNoMark) {
    const std::vector<GridPoint> runs = {run(100, 0), run(101, 0)};
    const SeedSummary s(runs, 1, {0, 0});
    EXPECT_DOUBLE_EQ(s.stat(1, "sim.time_ps").sd, 0);
    EXPECT_DOUBLE_EQ(s.slowdown(1).mean, 1.01);
    EXPECT_FALSE(s.within_spread(1, "sim.time_ps"));
    EXPECT_FALSE(s.within_spread(1, "slowdown"));
}
