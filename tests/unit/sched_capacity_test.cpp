// Capacity awareness of ThreadScheduler (Linux's SD_ASYM_CPUCAPACITY, kernel/sched/fair.c):
// the PELT utilisation it keeps per thread (PeltSignal), each CPU's capacity from the DT
// (CpuCapacity), misfit detection at the tick with the push of a misfit thread to a bigger
// idle CPU (active balance), its pull by a bigger CPU going newly idle, select_idle_capacity
// at wake-up, and UTIL_EST (UtilEst: util_est_update's arithmetic, worked by hand below). Times are in ps; the expected
// figures come from PELT's closed form (util approaches 1024 with a half-life of 32 periods of
// 1024 us, running time counted at capacity / 1024), not from the code under test.
#include "mtesim/common/config_error.h"
#include "mtesim/config/config_store.h"
#include "mtesim/sched/cpu_capacity.h"
#include "mtesim/sched/pelt_signal.h"
#include "mtesim/sched/util_est.h"
#include "sched_rig.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>

using namespace mtesim;

namespace {

constexpr std::uint64_t kUs = 1000000;               /* ps */
constexpr double kHalfLife = 32.0 * 1024.0 * 1e6;    /* ps: 32 PELT periods of 1024 us */

/// Running time (ps) on a CPU of @cap for util to go from @from to @to (PELT's closed form).
double run_time_to(double from, double to, double cap) {
    return kHalfLife * std::log2((1024.0 - from) / (1024.0 - to)) * 1024.0 / cap;
}

struct Rig : SchedRig {
    Rig(std::vector<std::uint32_t> caps, const std::string &threads, bool aware = true, bool util_est = true)
        : SchedRig(static_cast<std::uint32_t>(caps.size()), threads, aware_config(aware, util_est), caps) {}
    static SchedConfig aware_config(bool aware, bool util_est) {
        SchedConfig c;
        c.capacity_aware = aware;
        c.util_est = util_est;
        return c;
    }
};

}  // namespace

TEST(PeltSignal, RunningBuildsUpAndRestingDecaysWithAHalfLifeOf32Periods) {
    PeltSignal p;
    p.start(0, 0);
    p.run_until(static_cast<std::uint64_t>(kHalfLife), 1024);
    EXPECT_NEAR(p.util(), 512.0, 1e-6) << "one half-life of running on the biggest CPU: half of 1024";
    p.rest_until(static_cast<std::uint64_t>(2 * kHalfLife));
    EXPECT_NEAR(p.util(), 256.0, 1e-6) << "one half-life of rest halves it";
    PeltSignal little;
    little.start(0, 0);
    little.run_until(static_cast<std::uint64_t>(kHalfLife), 512);
    EXPECT_NEAR(little.util(), 1024.0 * (1.0 - std::pow(2.0, -0.5)), 1e-6)
        << "on a CPU of half the capacity the same wall time counts as half the PELT time";
    EXPECT_NEAR(little.util_at(static_cast<std::uint64_t>(2 * kHalfLife), 0), little.util() / 2, 1e-6);
    EXPECT_EQ(little.updated_ps(), static_cast<std::uint64_t>(kHalfLife)) << "util_at() does not update";
    PeltSignal waiting;
    waiting.start(512, 0);
    waiting.rest_until(static_cast<std::uint64_t>(kHalfLife), 512);
    EXPECT_NEAR(waiting.util(), 512.0 * std::pow(2.0, -0.5), 1e-6)
        << "waiting on a busy CPU of half the capacity: its clock_pelt runs at half speed";
}

TEST(CpuCapacity, TheDtsDmipsPerMhzAreScaledByClockToTheBiggestCpu) {
    // The phone board: A510 326 at 1.8 GHz, A715 693 at 2.85 GHz, X3 1024 at 3.05 GHz:
    // 326 x 1800 / (1024 x 3050) x 1024 = 192.4, 693 x 2850 / 3123200 x 1024 = 647.6.
    const auto caps = CpuCapacity::normalise({326, 326, 693, 1024}, {1800000000, 1800000000, 2850000000, 3050000000});
    EXPECT_EQ(caps, (std::vector<std::uint32_t>{192, 192, 647, 1024}));
    EXPECT_EQ(CpuCapacity::normalise({0, 0}, {1000000000, 3000000000}), (std::vector<std::uint32_t>{1024, 1024}))
        << "without capacity-dmips-mhz every CPU has 1024, whatever its clock";
    EXPECT_EQ(CpuCapacity::normalise({1024, 1024}, {1000000000, 2000000000}), (std::vector<std::uint32_t>{512, 1024}))
        << "the same core at half the clock has half the capacity";
}

TEST(SchedCapacity, ARunningMisfitThreadIsPushedToABiggerIdleCpuAtTheFirstTickAfterItStopsFitting) {
    Rig r({200, 1024}, "thread 1\n1 compute 1\n");
    ThreadContext *t = r.thread(1);
    ASSERT_EQ(t->core, 0u);
    ASSERT_TRUE(r.s->capacity_aware());
    ASSERT_EQ(r.dispatch(0, 0), t);
    EXPECT_NEAR(t->util.util(), 100.0, 1e-9) << "post_init_entity_util_avg: half of an idle CPU's capacity";
    // Misfit once util x 1280 >= 200 x 1024, util 160: from 100 that takes this long on capacity 200.
    const double cross = run_time_to(100, 160, 200);
    EXPECT_GT(cross, 10000.0 * kUs);
    const auto before = static_cast<std::uint64_t>(cross - 100 * kUs), after = static_cast<std::uint64_t>(cross + 100 * kUs);
    r.woken.clear();
    EXPECT_FALSE(r.s->tick(0, *t, before)) << "still fits";
    EXPECT_EQ(r.s->stats().misfit_ticks, 0u);
    EXPECT_TRUE(r.s->tick(0, *t, after)) << "misfit, and core 1 is idle and bigger";
    EXPECT_EQ(t->core, 1u);
    EXPECT_EQ(r.s->stats().misfit_ticks, 1u);
    EXPECT_EQ(r.s->stats().migrations_misfit, 1u);
    EXPECT_EQ(r.woken, std::vector<std::uint32_t>{1});
    r.s->set_running(0, nullptr, after);
    EXPECT_EQ(r.dispatch(1, after), t) << "the big core runs it next";
    EXPECT_FALSE(r.s->tick(1, *t, after + 4000 * kUs)) << "never misfit on the biggest CPU";
}

TEST(SchedCapacity, ThePushGoesToTheFirstBiggerIdleCpuAfterTheFirstIdleOne) {
    // Cores 1 (647) and 2 (1024) are idle: find_new_ilb picks core 1, whose nohz balance runs the
    // idle CPUs from the one after it (core 2) round to itself last: core 2 pulls.
    Rig r({200, 647, 1024}, "thread 1\n1 compute 1\n");
    ThreadContext *t = r.thread(1);
    ASSERT_EQ(r.dispatch(0, 0), t);
    EXPECT_TRUE(r.s->tick(0, *t, static_cast<std::uint64_t>(run_time_to(100, 160, 200) + 100 * kUs)));
    EXPECT_EQ(t->core, 2u);
}

TEST(SchedCapacity, NoMisfitPushWithoutCapacityAwarenessForAPinnedThreadOrWithNoBiggerIdleCpu) {
    const std::uint64_t late = 100000 * kUs; /* 100 ms: far past the point where it stops fitting */
    {
        Rig off({200, 1024}, "thread 1\n1 compute 1\n", false);
        ThreadContext *t = off.thread(1);
        ASSERT_FALSE(off.s->capacity_aware());
        ASSERT_EQ(off.dispatch(0, 0), t);
        EXPECT_FALSE(off.s->tick(0, *t, late));
        EXPECT_EQ(off.s->stats().misfit_ticks, 0u) << "sched.capacity_aware = off";
    }
    {
        Rig pinned({200, 1024}, "thread 1 core=0\n1 compute 1\n");
        ThreadContext *t = pinned.thread(1);
        ASSERT_EQ(pinned.dispatch(0, 0), t);
        EXPECT_FALSE(pinned.s->tick(0, *t, late)) << "its affinity is core 0 (nr_cpus_allowed == 1)";
        EXPECT_EQ(t->core, 0u);
    }
    {
        Rig busy({200, 1024}, "thread 1\nthread 2 core=1\n1 compute 1\n2 compute 1\n");
        ThreadContext *t = busy.thread(1);
        ASSERT_EQ(busy.dispatch(0, 0), t);
        ASSERT_EQ(busy.dispatch(1, 0), busy.thread(2));
        EXPECT_FALSE(busy.s->tick(0, *t, late)) << "the big core is busy: nothing to push to";
        EXPECT_EQ(busy.s->stats().misfit_ticks, 1u) << "misfit all the same";
        EXPECT_EQ(busy.s->stats().migrations_misfit, 0u);
    }
    {
        Rig same({200, 205}, "thread 1\n1 compute 1\n");
        ThreadContext *t = same.thread(1);
        ASSERT_EQ(same.dispatch(0, 0), t);
        EXPECT_FALSE(same.s->tick(0, *t, late)) << "205 is not capacity_greater than 200 (5% margin)";
        EXPECT_EQ(same.s->stats().misfit_ticks, 1u);
    }
}

TEST(SchedCapacity, ABigCpuGoingNewlyIdlePullsARunningMisfitThreadAtItsCpusNextEvent) {
    // Thread 1 runs on the little core 0; the big core 1 runs pinned thread 2 until thread 1 no
    // longer fits, then goes idle: newidle_balance finds core 0's misfit thread and queues the
    // active balance on core 0, whose next event moves the thread (take_active_pull).
    Rig r({200, 1024}, "thread 1\nthread 2 core=1\n1 compute 1\n2 compute 1\n");
    ThreadContext *t = r.thread(1);
    ASSERT_EQ(r.dispatch(0, 0), t);
    ASSERT_EQ(r.dispatch(1, 0), r.thread(2));
    const auto late = static_cast<std::uint64_t>(run_time_to(100, 160, 200) + 100 * kUs);
    EXPECT_FALSE(r.s->tick(0, *t, late)) << "misfit, but the big core is busy";
    EXPECT_EQ(r.s->stats().misfit_ticks, 1u);
    EXPECT_EQ(r.s->active_pull(0), ThreadScheduler::kNoPull);
    r.s->set_running(1, nullptr, late); /* thread 2 exits */
    r.woken.clear();
    const std::uint64_t passes = r.s->stats().balance_passes_newidle;
    EXPECT_EQ(r.s->try_next(1, late), nullptr) << "nothing waits anywhere: the misfit thread still runs on core 0";
    EXPECT_EQ(r.s->active_pull(0), 1u) << "core 0's stopper is to push its thread to core 1";
    EXPECT_EQ(r.s->stats().balance_passes_newidle, passes + 1);
    EXPECT_TRUE(r.woken.empty()) << "core 1 waits idle for the thread";
    r.s->take_active_pull(0, *t);
    EXPECT_EQ(t->core, 1u);
    EXPECT_EQ(r.s->active_pull(0), ThreadScheduler::kNoPull);
    EXPECT_EQ(r.s->stats().migrations_misfit, 1u);
    EXPECT_EQ(r.s->stats().migrations_misfit_newidle, 1u);
    EXPECT_EQ(r.woken, std::vector<std::uint32_t>{1});
    r.s->set_running(0, nullptr, late);
    EXPECT_EQ(r.dispatch(1, late), t);
}

namespace {

/// Little core 0 (200) runs thread 1 from 0; big core 1 runs pinned thread 2 until @at, when
/// thread 1 has its tick and core 1, its thread gone, looks for work (newidle_balance).
std::unique_ptr<Rig> big_core_idle_at(std::uint64_t at) {
    auto r = std::make_unique<Rig>(std::vector<std::uint32_t>{200, 1024}, "thread 1\nthread 2 core=1\n1 compute 1\n2 compute 1\n");
    EXPECT_EQ(r->dispatch(0, 0), r->thread(1));
    EXPECT_EQ(r->dispatch(1, 0), r->thread(2));
    EXPECT_FALSE(r->s->tick(0, *r->thread(1), at)) << "core 1 is busy at the tick";
    r->s->set_running(1, nullptr, at);
    EXPECT_EQ(r->s->try_next(1, at), nullptr) << "nothing waits anywhere";
    return r;
}

}  // namespace

TEST(SchedCapacity, NoNewidlePullOfAThreadThatStillFitsOrThatStoppedFirstOrFromAnEqualCpu) {
    const auto cross = run_time_to(100, 160, 200);
    const auto before = static_cast<std::uint64_t>(cross - 100 * kUs), late = static_cast<std::uint64_t>(cross + 100 * kUs);
    EXPECT_EQ(big_core_idle_at(before)->s->active_pull(0), ThreadScheduler::kNoPull) << "it still fits its little core";
    {
        auto r = big_core_idle_at(late);
        ASSERT_EQ(r->s->active_pull(0), 1u);
        r->s->set_running(0, nullptr, late); /* it slept or exited before its CPU's next event */
        EXPECT_EQ(r->s->active_pull(0), ThreadScheduler::kNoPull) << "the stopper finds nothing to move";
        EXPECT_EQ(r->thread(1)->core, 0u);
        EXPECT_EQ(r->s->stats().migrations_misfit, 0u);
    }
    {
        auto r = big_core_idle_at(late); /* a stopper queued on core 0 is cancelled by an I/O wait first */
        ASSERT_EQ(r->s->active_pull(0), 1u);
        r->s->io_wait(0, late, late + 1000 * kUs);
        EXPECT_EQ(r->s->active_pull(0), ThreadScheduler::kNoPull) << "the stopper finds it asleep";
    }
    {
        // A misfit thread on core 0 (200) and core 1 (205) going idle: not capacity_greater.
        Rig r({200, 205, 1024}, "thread 1\nthread 2 core=1\nthread 3 core=2\n1 compute 1\n2 compute 1\n3 compute 1\n");
        ThreadContext *t = r.thread(1);
        ASSERT_EQ(r.dispatch(0, 0), t);
        ASSERT_EQ(r.dispatch(1, 0), r.thread(2));
        ASSERT_EQ(r.dispatch(2, 0), r.thread(3));
        EXPECT_FALSE(r.s->tick(0, *t, late));
        r.s->set_running(1, nullptr, late);
        EXPECT_EQ(r.s->try_next(1, late), nullptr);
        EXPECT_EQ(r.s->active_pull(0), ThreadScheduler::kNoPull) << "205 is not capacity_greater than 200";
        EXPECT_EQ(r.s->stats().balance_passes_newidle, 1u) << "the misfit CPU made core 1 balance, in vain";
    }
}

TEST(SchedCapacity, TheBusiestMisfitCpuIsAskedOnceAndASecondIdleCpuDoesNotTakeTheNextOne) {
    // Threads 1 and 2 run misfit on the little cores 0 and 1, thread 1 since 1 ms earlier (so its
    // runnable_avg, the misfit load, is bigger); the big cores 2 and 3 go newly idle in turn.
    // Core 2 asks core 0; core 3 finds core 0 still the busiest misfit CPU with its stopper
    // queued (active_balance) and does nothing, though core 1 is misfit too.
    Rig r({200, 200, 1024, 1024}, "thread 1\nthread 2\nthread 3 core=2\nthread 4 core=3\n"
                                  "1 compute 1\n2 compute 1\n3 compute 1\n4 compute 1\n");
    ASSERT_EQ(r.dispatch(0, 0), r.thread(1));
    ASSERT_EQ(r.dispatch(1, 1000 * kUs), r.thread(2));
    ASSERT_EQ(r.dispatch(2, 0), r.thread(3));
    ASSERT_EQ(r.dispatch(3, 0), r.thread(4));
    const auto late = static_cast<std::uint64_t>(run_time_to(100, 160, 200) + 2000 * kUs);
    EXPECT_FALSE(r.s->tick(0, *r.thread(1), late));
    EXPECT_FALSE(r.s->tick(1, *r.thread(2), late));
    EXPECT_EQ(r.s->stats().misfit_ticks, 2u);
    r.s->set_running(2, nullptr, late);
    EXPECT_EQ(r.s->try_next(2, late), nullptr);
    EXPECT_EQ(r.s->active_pull(0), 2u) << "thread 1 has run longer: the bigger misfit load";
    r.s->set_running(3, nullptr, late);
    EXPECT_EQ(r.s->try_next(3, late), nullptr);
    EXPECT_EQ(r.s->active_pull(1), ThreadScheduler::kNoPull);
    EXPECT_EQ(r.s->active_pull(0), 2u);
}

TEST(SchedCapacity, ANewlyIdleCpuTakesAnOverloadedCpusWaitingThreadBeforeAMisfitOneAndAMisfitOneBeforeASparesWaiting) {
    // Thread 1 runs misfit on little core 0; little core 1 runs thread 3 with thread 4 waiting;
    // big core 2 runs pinned thread 2 and then goes idle. Core 1 is overloaded (group_is_overloaded)
    // once thread 3's utilisation exceeds 200 / 1.17 = 171: after 25 ms of running from 100 it
    // is 1024 - 924 x 2^(-25 x 200 / 1024 / 32.768) = 190. An overloaded CPU ranks above a misfit
    // one (update_sd_pick_busiest), so core 2 takes thread 4; when thread 4 is pinned to core 1
    // (LBF_ALL_PINNED: the pass is redone without core 1), the misfit thread. At 16.3 ms thread 3
    // is at 160, core 1 has spare capacity (160 x 1.17 < 200), and the misfit CPU ranks first.
    const auto overloaded = 25000 * kUs, spare = static_cast<std::uint64_t>(run_time_to(100, 160, 200) + 100 * kUs);
    for (const bool pinned : {false, true})
        for (const std::uint64_t late : {overloaded, spare}) {
            const std::string four = pinned ? "thread 4 core=1\n" : "thread 4\n";
            Rig r({200, 200, 1024}, "thread 1\nthread 2 core=2\nthread 3 core=1\n" + four +
                                        "1 compute 1\n2 compute 1\n3 compute 1\n4 compute 1\n");
            ThreadContext *t = r.thread(1);
            ASSERT_EQ(r.dispatch(0, 0), t);
            ASSERT_EQ(r.dispatch(1, 0), r.thread(3));
            ASSERT_EQ(r.dispatch(2, 0), r.thread(2));
            ASSERT_EQ(r.thread(4)->core, 1u) << "placed on the least loaded core from the cursor";
            EXPECT_FALSE(r.s->tick(0, *t, late));
            r.s->set_running(2, nullptr, late);
            ThreadContext *next = r.s->try_next(2, late);
            if (!pinned && late == overloaded) {
                EXPECT_EQ(next, r.thread(4)) << "the overloaded CPU's waiting thread is pulled (newidle_balance)";
                EXPECT_EQ(r.s->active_pull(0), ThreadScheduler::kNoPull);
            } else {
                EXPECT_EQ(next, nullptr);
                EXPECT_EQ(r.s->active_pull(0), 2u) << (pinned ? "the waiting thread is pinned" : "core 1 has spare capacity")
                                                   << ": the misfit thread is pulled";
                EXPECT_EQ(r.thread(4)->core, 1u);
            }
            EXPECT_EQ(r.s->stats().balance_passes_newidle, 1u) << "one pass either way";
        }
    {
        // The waiting thread is cache hot (it ran until 100 us ago): the pass on the overloaded
        // core moves nothing, and since that core, not the misfit one, was the busiest, no active
        // balance follows (need_active_balance: not migrate_misfit).
        Rig r({200, 200, 1024}, "thread 1\nthread 2 core=2\nthread 4\nthread 3 core=1\n"
                                "1 compute 1\n2 compute 1\n3 compute 1\n4 compute 1\n");
        ThreadContext *t = r.thread(1);
        ASSERT_EQ(r.dispatch(0, 0), t);
        ASSERT_EQ(r.dispatch(1, 0), r.thread(4));
        ASSERT_EQ(r.dispatch(2, 0), r.thread(2));
        const std::uint64_t late = overloaded;
        r.s->requeue(r.thread(4)); /* it yields 100 us before core 2 goes idle */
        r.s->set_running(1, nullptr, late - 100 * kUs);
        ASSERT_EQ(r.dispatch(1, late - 100 * kUs), r.thread(3));
        EXPECT_FALSE(r.s->tick(0, *t, late));
        r.s->set_running(2, nullptr, late);
        EXPECT_EQ(r.s->try_next(2, late), nullptr);
        EXPECT_EQ(r.s->stats().hot_skipped, 1u);
        EXPECT_EQ(r.s->active_pull(0), ThreadScheduler::kNoPull);
    }
}

TEST(SchedCapacity, AnIoWaitIsNotRunningTime) {
    Rig r({200, 1024}, "thread 1\n1 compute 1\n");
    ThreadContext *t = r.thread(1);
    ASSERT_EQ(r.dispatch(0, 0), t);
    const std::uint64_t end = 2 * static_cast<std::uint64_t>(run_time_to(100, 160, 200));
    r.s->io_wait(0, 1000 * kUs, end - 1000 * kUs); /* asleep on its I/O for nearly all of it */
    EXPECT_FALSE(r.s->tick(0, *t, end)) << "2 ms of running leave it far below the misfit point";
    // 1 ms running at capacity 200, the wait at the wall clock, 1 ms running again.
    const double run1 = 1000.0 * kUs * 200 / 1024;
    const double u1 = 1024 - 924 * std::exp2(-run1 / kHalfLife);
    const double u2 = u1 * std::exp2(-static_cast<double>(end - 2000 * kUs) / kHalfLife);
    EXPECT_NEAR(t->util.util_at(end, 200), 1024 - (1024 - u2) * std::exp2(-run1 / kHalfLife), 1e-6);
}

TEST(SchedCapacity, AWakingThreadGoesToAnIdleCpuItFitsElseTheBiggestIdleOne) {
    // Cores 0 and 1 little (200), core 2 big (1024). Thread 1 runs on core 0 until it no longer
    // fits a little core (pinned thread 2 keeps core 2 busy, so no push), then sleeps.
    Rig r({200, 200, 1024}, "thread 1\nthread 2 core=2\n1 compute 1\n2 compute 1\n");
    ThreadContext *t1 = r.thread(1), *t2 = r.thread(2);
    ASSERT_EQ(t1->core, 0u);
    ASSERT_EQ(r.dispatch(2, 0), t2);
    ASSERT_EQ(r.dispatch(0, 0), t1);
    const auto ran = static_cast<std::uint64_t>(run_time_to(100, 170, 200));
    r.s->sleep(t1, ran + 10 * kUs);
    r.s->set_running(0, nullptr, ran);
    ASSERT_GT(t1->util.util(), 160.0);
    r.s->set_running(2, nullptr, ran); /* thread 2 stops: core 2 idle */
    EXPECT_EQ(r.dispatch(1, ran + 10 * kUs), nullptr) << "core 1 wakes the sleeper, which goes elsewhere";
    EXPECT_EQ(t1->core, 2u) << "its own core 0 is idle but too small: select_idle_capacity finds core 2";
    EXPECT_EQ(r.s->stats().migrations_wake, 1u);

    // The same with a thread that still fits: it returns to its idle core.
    Rig small({200, 200, 1024}, "thread 1\n1 compute 1\n");
    ThreadContext *s1 = small.thread(1);
    ASSERT_EQ(small.dispatch(0, 0), s1);
    small.s->sleep(s1, 1010 * kUs);
    small.s->set_running(0, nullptr, 1000 * kUs);
    EXPECT_EQ(small.dispatch(1, 1010 * kUs), nullptr);
    EXPECT_EQ(s1->core, 0u) << "idle and it fits: asym_fits_cpu keeps it on its previous CPU (as without capacity awareness)";

    // Too big for every little core, and the big one busy: the idle CPU of greatest capacity.
    Rig none({200, 300, 1024}, "thread 1\nthread 2 core=2\n1 compute 1\n2 compute 1\n");
    ThreadContext *n1 = none.thread(1);
    ASSERT_EQ(none.dispatch(2, 0), none.thread(2));
    ASSERT_EQ(none.dispatch(0, 0), n1);
    const auto long_run = static_cast<std::uint64_t>(run_time_to(100, 300, 200));
    none.s->sleep(n1, long_run + 10 * kUs);
    none.s->set_running(0, nullptr, long_run);
    ASSERT_GT(n1->util.util(), 240.0) << "does not fit 300 either (needs util < 240)";
    EXPECT_EQ(none.dispatch(0, long_run + 10 * kUs), nullptr);
    EXPECT_EQ(n1->core, 1u) << "no idle CPU fits: the idle one of greatest capacity (300 over 200)";
}

TEST(SchedCapacity, TheSwitchesAreConfigKeys) {
    for (const std::string key : {"sched.capacity_aware", "sched.util_est"}) {
        ConfigStore s;
        s.set_from_command_line(key + "=off");
        const SchedConfig c = SchedConfig::resolve(s);
        EXPECT_FALSE(key == "sched.capacity_aware" ? c.capacity_aware : c.util_est) << key;
        EXPECT_TRUE(key == "sched.capacity_aware" ? c.util_est : c.capacity_aware) << key;
        ConfigStore bad;
        bad.set_from_command_line(key + "=sometimes");
        try {
            SchedConfig::resolve(bad);
            FAIL() << "expected a ConfigError for " << key;
        } catch (const ConfigError &e) {
            EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
        }
    }
}

TEST(UtilEst, SamplesRisesAtOnceAndFallsAQuarterOfTheWay) {
    UtilEst e;
    e.update(300, 300, 1024);
    EXPECT_EQ(e.enqueued(), 300u);
    EXPECT_EQ(e.ewma(), 300u) << "a rise is taken at once (UTIL_EST_FASTUP)";
    e.update(100, 100, 1024);
    EXPECT_EQ(e.enqueued(), 300u) << "util_avg has not changed since the last sample (UTIL_AVG_UNCHANGED)";
    e.changed();
    e.update(100, 100, 1024);
    EXPECT_EQ(e.enqueued(), 100u);
    EXPECT_EQ(e.ewma(), 250u) << "(4 x 300 - 200) / 4";
    EXPECT_EQ(e.value(), 250u);
    e.changed();
    e.update(245, 245, 1024);
    EXPECT_EQ(e.ewma(), 250u) << "within 1% (10) of the average: the average stays";
    EXPECT_EQ(e.enqueued(), 245u) << "but the sample moved by more than 1% from the last one: kept";
    e.changed();
    e.update(248, 248, 1024);
    EXPECT_EQ(e.enqueued(), 245u) << "within 1% of both: nothing kept";
    e.update(180, 180, 1024);
    EXPECT_EQ(e.enqueued(), 180u) << "nothing was kept, so util_avg still counts as changed: this one is sampled";
    EXPECT_EQ(e.ewma(), 232u) << "(4 x 250 - 70) / 4, rounded down";
}

TEST(UtilEst, NoAverageFromAThreadBiggerThanItsCpuOrOneThatWaited) {
    UtilEst e;
    e.update(250, 250, 1024);
    e.changed();
    e.update(210, 210, 200);
    EXPECT_EQ(e.enqueued(), 250u) << "util_avg above the CPU's capacity: no idle time shown, nothing kept";
    EXPECT_EQ(e.ewma(), 250u);
    e.update(150, 200, 1024);
    EXPECT_EQ(e.enqueued(), 150u) << "runnable_avg 200 > 150 + 10: it waited for its CPU; the sample is kept";
    EXPECT_EQ(e.ewma(), 250u) << "but the average is not lowered";
}

TEST(SchedCapacity, AThreadThatSleptKeepsItsUtilEstimateAtWakeUp) {
    // On a CPU of 400 the thread runs from 200 (half of it) until util 340, which no longer fits
    // (340 x 1280 >= 400 x 1024; no tick is called, so it is not pushed), then sleeps 200 ms:
    // util_avg decays to 340 x 2^(-200 / 32.768) ~ 5, but UTIL_EST kept 340, so at wake-up it
    // does not fit its idle last CPU and goes to the idle big one; without UTIL_EST it stays.
    for (const bool on : {true, false}) {
        Rig r({400, 1024}, "thread 1\n1 compute 1\n", true, on);
        ThreadContext *t = r.thread(1);
        ASSERT_EQ(r.dispatch(0, 0), t);
        const auto stop = static_cast<std::uint64_t>(run_time_to(200, 340, 400));
        r.s->sleep(t, stop + 200000 * kUs);
        r.s->set_running(0, nullptr, stop);
        if (on) {
            EXPECT_NEAR(static_cast<double>(t->util_est.enqueued()), 340.0, 1.0);
            EXPECT_EQ(t->util_est.ewma(), t->util_est.enqueued());
        } else {
            EXPECT_EQ(t->util_est.value(), 0u) << "sched.util_est = off: no samples";
        }
        ThreadContext *next = r.s->try_next(1, stop + 200000 * kUs);
        EXPECT_NEAR(t->util.util(), 340.0 * std::exp2(-200000.0 * kUs / kHalfLife), 0.5);
        if (on) {
            EXPECT_EQ(next, t) << "340 does not fit core 0: the big core 1, idle, takes it";
        } else {
            EXPECT_EQ(next, nullptr);
            EXPECT_EQ(t->core, 0u) << "util_avg ~5 fits its idle last CPU";
        }
    }
}

TEST(SchedCapacity, AnIoWaitIsASleepForUtilEstAPreemptionIsNot) {
    {
        Rig r({400, 1024}, "thread 1\n1 compute 1\n");
        ThreadContext *t = r.thread(1);
        ASSERT_EQ(r.dispatch(0, 0), t);
        const auto from = static_cast<std::uint64_t>(run_time_to(200, 300, 400));
        r.s->io_wait(0, from, from + 100000 * kUs);
        EXPECT_NEAR(static_cast<double>(t->util_est.enqueued()), 300.0, 1.0) << "io_schedule: a dequeue for sleep";
    }
    {
        Rig r({400, 1024}, "thread 1\n1 compute 1\n");
        ThreadContext *t = r.thread(1);
        ASSERT_EQ(r.dispatch(0, 0), t);
        r.s->requeue(t);
        r.s->set_running(0, nullptr, static_cast<std::uint64_t>(run_time_to(200, 300, 400)));
        EXPECT_EQ(t->util_est.value(), 0u) << "a yield or preemption is no activation's end";
    }
}
