// balance_dirty_pages (mm/page-writeback.c, v6.6): DirtyThrottle's arithmetic against figures
// worked out by hand from the kernel's formulas (pos_ratio's cubic, the device's control line,
// wb_min_pause / wb_max_pause, the write bandwidth estimate), and the writer's pauses through
// write(2) on the kernel model: none at or below the freerun ceiling, one soon above it, each
// the io wait the writer spends.
#include "mtesim/kernel/dirty_throttle.h"
#include "kernel_rig.h"

#include <gtest/gtest.h>

using namespace mtesim;
using test::kBase;
using test::KernelRig;

namespace {
/* Thresholds of 20,000 (dirty) and 10,000 (background) pages: freerun ceiling 15,000, the
 * domain's limit 20,000 (the threshold at boot), setpoint 17,500. */
DirtyThrottle::Counts counts(std::uint64_t dirty) {
    DirtyThrottle::Counts c;
    c.file_dirty = dirty;
    c.thresh = 20000;
    c.bg_thresh = 10000;
    return c;
}
void dirty_pages(DirtyThrottle &t, std::uint64_t n) {
    for (std::uint64_t i = 0; i < n; ++i) t.account_dirtied(1, 0);
}
}  // namespace

TEST(DirtyThrottle, PosRatioIsTwoAtTheFreerunEndOneAtTheSetpointAndZeroAtTheLimit) {
    // x = (setpoint - dirty) * 1024 / ((limit - setpoint) | 1): the gap of 2,047 is odd, so
    // the "| 1" leaves it alone.
    constexpr std::int64_t one = 1 << DirtyThrottle::kRatelimitCalcShift;
    EXPECT_EQ(DirtyThrottle::pos_ratio_polynom(3000, 3000, 5047), one);
    EXPECT_EQ(DirtyThrottle::pos_ratio_polynom(3000, 5047, 5047), 0) << "x = -1024: 1 - 1";
    EXPECT_EQ(DirtyThrottle::pos_ratio_polynom(3000, 953, 5047), 2 * one) << "x = 1024: 1 + 1";
    // Halfway to the limit: x = -1,024 * 1,024 / 2,047 = -512 (truncated), x^3 = -1/8 of 1024.
    EXPECT_EQ(DirtyThrottle::pos_ratio_polynom(3000, 4024, 5047), one - one / 8);
    EXPECT_EQ(DirtyThrottle::pos_ratio_polynom(3000, 9000, 5047), 0) << "clamped";
    // dirty_poll_interval: 2^(ilog2(room) / 2) pages.
    EXPECT_EQ(DirtyThrottle::dirty_poll_interval(0, 1024), 32u);
    EXPECT_EQ(DirtyThrottle::dirty_poll_interval(900, 1000), 8u) << "ilog2(100) = 6";
    EXPECT_EQ(DirtyThrottle::dirty_poll_interval(1000, 1000), 1u);
}

/* At or below the freerun ceiling the writer is never paused, and looks again after
 * dirty_poll_interval pages: 2^(ilog2(20,000 - 15,000) / 2) = 2^6 = 64. */
TEST(DirtyThrottle, AWriterBelowTheFreerunCeilingRunsFree) {
    DirtyThrottle t(1, 20000, 0);
    dirty_pages(t, 32);
    EXPECT_EQ(t.ratelimited(1, 0, 0, counts(15000)), 0);
    EXPECT_EQ(t.nr_dirtied(1), 0u);
    EXPECT_EQ(t.nr_dirtied_pause(1), 64u);
    dirty_pages(t, 63);
    EXPECT_EQ(t.ratelimited(1, 0, 0, counts(15000)), 0);
    EXPECT_EQ(t.nr_dirtied(1), 63u) << "not looked at before 64 pages";
}

/* At the setpoint (17,500 dirty pages, no write completed yet, INIT_BW rates of 25,600 pages a
 * second): pos_ratio 1024, then the device's line. Its share is max(0, (20,000 - 17,500) / 8) =
 * 312 pages; x = (312 << 16) / 20,001 = 1,022; its setpoint 17,500 * 1,022 >> 16 = 272; span
 * (20,000 - 312 + 8 * 25,600) * 1,022 >> 16 = 3,500; 17,500 lies beyond 272 + 3,500 - 875, so
 * pos_ratio / 4 = 256: task_ratelimit 25,600 * 256 >> 10 = 6,400 pages a second. max_pause
 * 17,500 / (1 + 25,600 / 32) + 1 = 22 jiffies; wb_min_pause's target 2 jiffies (HZ / 100), so
 * 25,600 * 2 / 256 = 200 pages a pause, min_pause 1 + 2 / 2 = 2.
 * The first look (32 pages): period 250 * 32 / 6,400 = 1 jiffy, below min_pause: not taken,
 * carried (dirty_paused_when += 1). The second (32 more, still at jiffy 0): 1 - (0 - 1) = 2:
 * a pause of 2 jiffies, the next look after 200 pages. The third, at jiffy 2 once the pause has
 * ended: 250 * 200 / 6,400 = 7 jiffies. */
TEST(DirtyThrottle, AWriterAtTheSetpointIsHeldToItsTaskRatelimit) {
    DirtyThrottle t(1, 20000, 0);
    dirty_pages(t, 32);
    EXPECT_EQ(t.ratelimited(1, 0, 0, counts(17500)), 0) << "1 jiffy: below min_pause, carried";
    EXPECT_EQ(t.nr_dirtied(1), 0u);
    dirty_pages(t, 32);
    EXPECT_EQ(t.ratelimited(1, 0, 0, counts(17500)), 2);
    EXPECT_EQ(t.nr_dirtied_pause(1), 200u);
    EXPECT_FALSE(t.dirty_exceeded());
    dirty_pages(t, 199);
    EXPECT_EQ(t.ratelimited(1, 0, 2, counts(17500)), 0) << "199 of 200 pages: no look";
    dirty_pages(t, 1);
    EXPECT_EQ(t.ratelimited(1, 0, 2, counts(17500)), 7);
}

/* Past the dirty threshold the pos_ratio is 0 (the dirty pages reach the limit): task_ratelimit
 * 0 and a pause of max_pause, 21,000 / 801 + 1 = 27 jiffies. The device's dirty pages exceed
 * its share (0: it has completed no write) and the global ones the threshold, so dirty_exceeded
 * holds, and any task looks after 8 pages rather than its nr_dirtied_pause (32 for a new one).
 * Beyond 50 jiffies' worth of dirty pages (40,000 / 801 + 1 = 50) the pause is MAX_PAUSE, 200 ms. */
TEST(DirtyThrottle, AWriterPastTheLimitPausesForMaxPause) {
    DirtyThrottle t(1, 20000, 0);
    dirty_pages(t, 32);
    EXPECT_EQ(t.ratelimited(1, 0, 0, counts(21000)), 27);
    EXPECT_TRUE(t.dirty_exceeded());
    for (int i = 0; i < 7; ++i) t.account_dirtied(2, 0);
    EXPECT_EQ(t.ratelimited(2, 0, 0, counts(21000)), 0) << "7 pages: no look";
    t.account_dirtied(2, 0);
    EXPECT_EQ(t.ratelimited(2, 0, 0, counts(21000)), 27) << "8 pages while dirty_exceeded";
    t.account_dirtied(2, 0);
    EXPECT_EQ(t.ratelimited(2, 0, 100, counts(41000)), DirtyThrottle::kMaxPause);
}

/* A CPU that has dirtied ratelimit_pages (here 20,000 / 32 = 625) since its last look makes the
 * next dirtier look, whatever its own count: task 100 with one page is paused. */
TEST(DirtyThrottle, ACpuThatDirtiedRatelimitPagesMakesTheNextDirtierLook) {
    DirtyThrottle t(1, 20000, 0);
    for (int i = 0; i < 625; ++i) t.account_dirtied(1 + i % 31, 0); /* 31 tasks, none at 32 pages */
    t.account_dirtied(100, 0);
    EXPECT_EQ(t.ratelimited(100, 0, 0, counts(21000)), 27) << "looked after one page";
    DirtyThrottle fresh(1, 20000, 0);
    fresh.account_dirtied(100, 0);
    EXPECT_EQ(fresh.ratelimited(100, 0, 0, counts(21000)), 0) << "one page, nobody else: no look";
}

/* The base rate and the write bandwidth, updated when a writer looks 200 ms or more after the
 * last update (__wb_update_bandwidth), against a hand model of the v6.6 functions
 * (bdp_ref.py-style arithmetic, worked for these inputs). A writer that dirtied 20,000 pages in
 * 100 jiffies (dirty_rate 50,000 pages/s) while the device completed 2,500 writes, 18,500 dirty
 * pages (pos_ratio 958 from the cubic, 953 after the device's line): the balanced rate is task_ratelimit *
 * write_bw / dirty_rate = 12,198, but dirty_ratelimit does not move at the first update (the
 * last balanced rate, INIT_BW, is above it: max3 = 25,600). The pause, 250 * 20,000 /
 * task_ratelimit jiffies, exceeds max_pause (18,500 / 801 + 1 = 24): 24, and dirty_paused_when
 * goes min(pause - 24, 24) further (now 100 + 24 + 24 = 148). At the second look (100 jiffies
 * later, the same again) the base rate steps down to 25,598 (the step shrinks near the target:
 * shift = rate / (2 * step + 1)) and the write bandwidth average to 25,364 (1/8 of the way to
 * the previous update's estimate, 23,710, which this one's confirms); at the third, 25,596 and
 * 24,944. */
TEST(DirtyThrottle, TheBaseRateFollowsTheBalancedRateInDampedSteps) {
    DirtyThrottle t(1, 20000, 0);
    DirtyThrottle::Counts c = counts(18500);
    const std::uint64_t written[] = {2500, 2500, 2500};
    const std::uint64_t rate[] = {25600, 25598, 25596}, avg[] = {25600, 25364, 24944};
    for (int i = 0; i < 3; ++i) {
        dirty_pages(t, 20000);
        t.written(written[i]);
        EXPECT_EQ(t.ratelimited(1, 0, 100u * (i + 1), c), 24) << i;
        EXPECT_EQ(t.dirty_ratelimit(), rate[i]) << i;
        EXPECT_EQ(t.avg_write_bandwidth(), avg[i]) << i;
        EXPECT_EQ(t.paused_when(1), 100u * (i + 1) + 48) << "now + min(pause - max_pause, max_pause) + pause";
    }
    EXPECT_EQ(t.nr_dirtied_pause(1), 199u);
}

/* The domain's dirty limit (domain_update_dirty_limit, at a rate update): a threshold that fell
 * (to 16,000, 15,000 pages dirty) is followed by 1/32 of the gap, 20,000 - 4,000 / 32 = 19,875;
 * a higher one (30,000) at once. */
TEST(DirtyThrottle, TheDomainLimitFollowsAFallingThresholdSlowlyAndARisingOneAtOnce) {
    DirtyThrottle t(1, 20000, 0);
    DirtyThrottle::Counts c = counts(15000);
    c.thresh = 16000;
    c.bg_thresh = 8000;
    dirty_pages(t, 32);
    t.ratelimited(1, 0, 60, c);
    EXPECT_EQ(t.dirty_limit(), 19875u);
    c.thresh = 30000;
    c.bg_thresh = 10000;
    c.file_dirty = 25000;
    dirty_pages(t, 200);
    t.ratelimited(1, 0, 120, c);
    EXPECT_EQ(t.dirty_limit(), 30000u);
}

/* The write bandwidth estimate (wb_update_write_bandwidth), updated by the flusher's writes once
 * 200 ms have passed: 4,000 pages written in 100 jiffies give (4,000 * 250 + 25,600 * (1,024 -
 * 100)) >> 10 = 24,076 pages a second, the average staying at 25,600 (it moves only towards an
 * old rate that the new one confirms); 4,000 more in the next 100 jiffies give (1,000,000 +
 * 24,076 * 924) >> 10 = 22,701, and the average moves an eighth of the way to the old 24,076:
 * 25,600 - 1,524 / 8 = 25,410. */
TEST(DirtyThrottle, TheWriteBandwidthFollowsTheCompletedWrites) {
    DirtyThrottle t(1, 20000, 0);
    t.writepages(40, true);
    EXPECT_EQ(t.avg_write_bandwidth(), DirtyThrottle::kInitBw) << "not 200 ms yet";
    t.written(4000);
    t.writepages(100, false);
    EXPECT_EQ(t.avg_write_bandwidth(), 25600u);
    t.written(4000);
    t.writepages(200, false);
    EXPECT_EQ(t.avg_write_bandwidth(), 25410u);
}

/* write(2) on the kernel model, with vm.dirty_background_ratio 1 and vm.dirty_ratio 2 and a
 * flusher that does not run: whole pages written (no read, so no time passes but the pauses),
 * one a call. No pause while the dirty pages stay at or below the freerun ceiling; the first
 * comes within two looks after it, each after the 64 pages of dirty_poll_interval (about 5,200
 * pages below the threshold; the first look's pause may be too short to take, and is carried);
 * the writer's time is the pauses'. */
TEST(DirtyThrottle, AWriterPastTheFreerunCeilingIsPausedInWrite) {
    KernelConfig kc = test::small_swap();
    kc.dirty_background_ratio = 1;
    kc.dirty_ratio = 2;
    KernelRig r({}, kc);
    test::Waker waker(*r.k);
    r.k->thread_start(1);
    r.k->mmap(1, kBase, kPageSize, false);
    ASSERT_TRUE(r.touch(1, kBase, true));
    std::uint64_t page = 0, crossed = 0;
    while (r.k->stats().dirty_pauses == 0 && page < 40000) {
        const DirtyThrottle::Counts c = r.k->dirty_counts();
        const std::uint64_t freerun = (c.thresh + c.bg_thresh) / 2;
        if (c.file_dirty + c.writeback <= freerun) ASSERT_EQ(r.k->stats().dirty_pauses, 0u);
        else if (!crossed) crossed = page;
        ASSERT_EQ(r.k->user_copy(1, kBase, kPageSize, false, false, false, 3, page * kPageSize).error,
                  static_cast<std::int64_t>(kPageSize));
        ++page;
    }
    ASSERT_EQ(r.k->stats().dirty_pauses, 1u);
    ASSERT_GT(crossed, 0u);
    EXPECT_LE(page - crossed, 2 * 64u + 1u);
    EXPECT_GT(r.k->stats().dirty_paused_jiffies, 0u);
    EXPECT_DOUBLE_EQ(r.kmem.io_ns, static_cast<double>(r.k->stats().dirty_paused_jiffies) * 4e6) << "the pause is the only wait";
    r.expect_clean();
}
