// Load balancing of ThreadScheduler (Linux CFS, kernel/sched/fair.c): newidle_balance,
// periodic load_balance with can_migrate_task's cache-hot rule, wake-up placement
// (select_idle_sibling), fork placement (find_idlest_cpu), the sched.load_balance switch,
// the instructions the work costs and idle time. Times are in ps.
#include "mtesim/common/config_error.h"
#include "mtesim/config/config_store.h"
#include "sched_rig.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>

using namespace mtesim;

namespace {

constexpr std::uint64_t kUs = 1000000; /* ps */

SchedConfig balance_config(bool balance, std::uint64_t migration_cost_ps) {
    SchedConfig c;
    c.load_balance = balance;
    c.migration_cost_ps = migration_cost_ps;
    return c;
}

struct Rig : SchedRig {
    Rig(std::uint32_t cores, const std::string &threads, bool balance = true, std::uint64_t migration_cost_ps = 500 * kUs)
        : SchedRig(cores, threads, balance_config(balance, migration_cost_ps)) {}
};

const std::string kThreeThreads = "thread 1\nthread 2\nthread 3\n1 compute 1\n2 compute 1\n3 compute 1\n";

}  // namespace

TEST(SchedBalance, ACoreGoingIdlePullsAWaitingThreadFromABusyCore) {
    for (bool balance : {true, false}) {
        Rig r(2, kThreeThreads, balance);
        ThreadContext *t1 = r.thread(1), *t2 = r.thread(2), *t3 = r.thread(3);
        ASSERT_TRUE(t1 && t2 && t3);
        EXPECT_EQ(t3->core, 0u) << "two cores, three threads: the third shares core 0";
        ASSERT_EQ(r.dispatch(0, 0), t1);
        ASSERT_EQ(r.dispatch(1, 0), t2);
        r.s->set_running(1, nullptr); /* thread 2 ends */
        ThreadContext *next = r.dispatch(1, 10 * kUs);
        if (balance) {
            EXPECT_EQ(next, t3) << "newidle_balance pulls the waiting thread (it never ran: cache cold)";
            EXPECT_EQ(t3->core, 1u);
            EXPECT_EQ(r.s->stats().migrations_idle_pull, 1u);
            EXPECT_EQ(r.s->stats().balance_passes_newidle, 1u);
        } else {
            EXPECT_EQ(next, nullptr) << "sched.load_balance = off: core 1 stays idle while core 0 has a queue";
            EXPECT_EQ(t3->core, 0u);
            EXPECT_EQ(r.s->stats().balance_passes_newidle + r.s->stats().balance_passes_periodic, 0u);
        }
    }
}

TEST(SchedBalance, ThePassCostsInstructionsOnThePullingCore) {
    Rig r(2, kThreeThreads);
    r.dispatch(0, 0);
    r.dispatch(1, 0);
    r.s->set_running(1, nullptr);
    r.charged = 0;
    ASSERT_TRUE(r.dispatch(1, 10 * kUs));
    const SchedConfig &c = r.s->config();
    EXPECT_EQ(r.charged, 2ull * c.balance_cpu_instructions + c.balance_task_instructions + c.migrate_task_instructions)
        << "statistics of both cores, one thread looked at, one moved";
}

TEST(SchedBalance, APinnedThreadIsNeverPulled) {
    Rig r(2, "thread 1 core=0\nthread 2 core=0\nthread 3 core=1\n1 compute 1\n2 compute 1\n3 compute 1\n");
    r.dispatch(0, 0);
    r.dispatch(1, 0);
    r.s->set_running(1, nullptr);
    EXPECT_EQ(r.dispatch(1, 10 * kUs), nullptr);
    EXPECT_EQ(r.thread(2)->core, 0u);
    EXPECT_EQ(r.s->next_wake(1), ~0ull) << "nothing it could take: it does not wake to balance";
}

TEST(SchedBalance, ACacheHotThreadIsLeftUntilBalancingHasFailedMoreThanCacheNiceTries) {
    // sched.migration_cost_us raised to 100 ms so that the thread stays hot over several
    // balance intervals. On 2 CPUs min_interval is 2 ms; core 1's periodic pass at 0 (busy,
    // balanced) doubled it to 4 ms, one jiffy at HZ = 250; an unbalanced pass resets it to 2 ms,
    // still one jiffy.
    Rig r(2, kThreeThreads, true, 100000 * kUs);
    ThreadContext *t1 = r.thread(1), *t3 = r.thread(3);
    ASSERT_EQ(r.dispatch(0, 0), t1);
    ASSERT_TRUE(r.dispatch(1, 0));
    r.s->requeue(t1); /* thread 1 yields on core 0 at 10 us: thread 3 runs, thread 1 waits, hot */
    r.s->set_running(0, nullptr);
    ASSERT_EQ(r.dispatch(0, 10 * kUs), t3);
    EXPECT_EQ(t1->last_ran_ps, 10 * kUs);
    r.s->set_running(1, nullptr);
    EXPECT_EQ(r.dispatch(1, 20 * kUs), nullptr) << "newidle: hot, not pulled";
    EXPECT_EQ(r.s->stats().hot_skipped, 1u);
    EXPECT_EQ(r.s->stats().balance_failed, 0u) << "a newly idle pass does not count a failure";
    const std::uint64_t first = r.s->next_wake(1);
    EXPECT_EQ(first, 4000 * kUs) << "idle: the next pass one idle interval after the last (at 0)";
    EXPECT_EQ(r.dispatch(1, first), nullptr) << "periodic (nohz idle) pass 1: hot";
    const std::uint64_t second = r.s->next_wake(1);
    EXPECT_EQ(second, first + 4000 * kUs) << "next balance one jiffy (4 ms) later";
    EXPECT_EQ(r.dispatch(1, second), nullptr) << "pass 2: failures (1) not above cache_nice_tries (1)";
    EXPECT_EQ(r.s->stats().balance_failed, 2u);
    EXPECT_EQ(r.dispatch(1, r.s->next_wake(1)), t1) << "pass 3: two failures, the hot thread is moved";
    EXPECT_EQ(r.s->stats().hot_forced, 1u);
    EXPECT_EQ(r.s->stats().migrations_periodic, 1u);
}

TEST(SchedBalance, AThreadIsColdOnceItHasNotRunForTheMigrationCost) {
    // Thread 1 stops at 10 us; core 1's first periodic pass as an idle core is at 4 ms, 3990 us
    // later: task_hot is delta < sysctl_sched_migration_cost.
    for (std::uint64_t cost_us : {3991ull, 3990ull}) {
        Rig r(2, kThreeThreads, true, cost_us * kUs);
        ThreadContext *t1 = r.thread(1), *t3 = r.thread(3);
        r.dispatch(0, 0);
        r.dispatch(1, 0);
        r.s->requeue(t1);
        r.s->set_running(0, nullptr);
        ASSERT_EQ(r.dispatch(0, 10 * kUs), t3);
        r.s->set_running(1, nullptr);
        EXPECT_EQ(r.dispatch(1, 20 * kUs), nullptr) << "newidle: hot";
        ASSERT_EQ(r.s->next_wake(1), 4000 * kUs);
        if (cost_us == 3991)
            EXPECT_EQ(r.dispatch(1, 4000 * kUs), nullptr) << "ran 3990 us ago, cost 3991 us: hot";
        else
            EXPECT_EQ(r.dispatch(1, 4000 * kUs), t1) << "ran 3990 us ago, cost 3990 us: cold, the first periodic pass takes it";
    }
}

TEST(SchedBalance, AWakingThreadGoesToAnIdleCoreWhenItsOwnIsBusy) {
    for (bool balance : {true, false}) {
        Rig r(2, "thread 1\nthread 2 core=0\n1 compute 1\n2 compute 1\n", balance);
        ThreadContext *t1 = r.thread(1), *t2 = r.thread(2);
        ASSERT_EQ(t1->core, 0u);
        ASSERT_EQ(r.dispatch(0, 0), t1);
        r.s->sleep(t1, 100 * kUs); /* nanosleep */
        r.s->set_running(0, nullptr);
        ASSERT_EQ(r.dispatch(0, 5 * kUs), t2); /* core 0 busy with thread 2 when thread 1 wakes */
        EXPECT_EQ(r.dispatch(1, 1 * kUs), nullptr);
        if (balance) {
            EXPECT_EQ(r.s->next_wake(1), 100 * kUs) << "an idle core wakes for any core's sleeper";
            EXPECT_EQ(r.dispatch(1, 100 * kUs), t1) << "select_idle_sibling: its core is busy, core 1 is idle";
            EXPECT_EQ(r.s->stats().migrations_wake, 1u);
        } else {
            EXPECT_EQ(r.s->next_wake(1), ~0ull);
            EXPECT_EQ(r.dispatch(1, 100 * kUs), nullptr) << "off: it waits for core 0";
            EXPECT_EQ(t1->core, 0u);
        }
    }
}

TEST(SchedBalance, AWakingThreadStaysOnItsOwnCoreWhenThatIsIdle) {
    Rig r(2, "thread 1\nthread 2\n1 compute 1\n2 compute 1\n");
    ThreadContext *t1 = r.thread(1);
    ASSERT_EQ(r.dispatch(0, 0), t1);
    r.s->sleep(t1, 100 * kUs);
    r.s->set_running(0, nullptr);
    EXPECT_EQ(r.dispatch(0, 5 * kUs), nullptr);
    r.woken.clear();
    EXPECT_EQ(r.dispatch(1, 100 * kUs), r.thread(2)) << "core 1 runs its own thread";
    EXPECT_EQ(t1->core, 0u) << "core 0 is idle: the sleeper returns there (cache warm)";
    EXPECT_EQ(r.woken, std::vector<std::uint32_t>{0});
    EXPECT_EQ(r.s->stats().migrations_wake, 0u);
}

TEST(SchedBalance, NewThreadsSpreadOntoIdleCores) {
    // Thread 1 is pinned to core 1; round robin would put thread 3 there too.
    const std::string trace = "thread 1 core=1\nthread 2\nthread 3\n1 compute 1\n2 compute 1\n3 compute 1\n";
    Rig on(3, trace, true), off(3, trace, false);
    EXPECT_EQ(on.thread(2)->core, 0u);
    EXPECT_EQ(on.thread(3)->core, 2u) << "find_idlest_cpu: core 1 has a thread, core 2 is idle";
    EXPECT_EQ(off.thread(3)->core, 1u) << "off: round robin";
}

TEST(SchedBalance, IdleTimeIsCountedPerCore) {
    Rig r(2, "thread 1 core=0\n1 compute 1\n");
    ThreadContext *t1 = r.thread(1);
    EXPECT_EQ(r.dispatch(1, 0), nullptr);
    ASSERT_EQ(r.dispatch(0, 0), t1);
    r.s->sleep(t1, 300 * kUs);
    r.s->set_running(0, nullptr);
    EXPECT_EQ(r.dispatch(0, 100 * kUs), nullptr);
    ASSERT_EQ(r.dispatch(0, 300 * kUs), t1) << "its core was idle: it wakes there";
    r.s->set_running(0, nullptr);
    EXPECT_EQ(r.dispatch(1, 400 * kUs), nullptr);
    r.s->retire(1);
    EXPECT_EQ(r.s->stats().idle_ps[0], 200 * kUs);
    EXPECT_EQ(r.s->stats().idle_ps[1], 400 * kUs);
}

TEST(SchedBalance, TheConfigKeysAreReadAndChecked) {
    ConfigStore s;
    s.set_from_command_line("sched.load_balance=off");
    s.set_from_command_line("sched.migration_cost_us=250");
    const SchedConfig c = SchedConfig::resolve(s);
    EXPECT_FALSE(c.load_balance);
    EXPECT_EQ(c.migration_cost_ps, 250 * kUs);
    ConfigStore bad;
    bad.set_from_command_line("sched.load_balance=maybe");
    try {
        SchedConfig::resolve(bad);
        FAIL() << "expected a ConfigError";
    } catch (const ConfigError &e) {
        EXPECT_NE(std::string(e.what()).find("sched.load_balance"), std::string::npos) << e.what();
    }
}

TEST(SchedBalance, AUserThreadGivesItsCoreToAWaitingThreadAtTheEndOfItsSlice) {
    for (bool slice : {true, false}) {
        SchedConfig c;
        c.time_slice = slice;
        SchedRig r(1, "thread 1\nthread 2\n1 compute 1\n2 compute 1\n", c);
        ThreadContext *t1 = r.thread(1);
        ASSERT_EQ(r.dispatch(0, 0), t1);
        const std::uint64_t s = r.s->slice_ps();
        EXPECT_EQ(s, 750 * kUs) << "one CPU: the base slice unscaled (1 + ilog2(1))";
        const std::uint64_t tick = 4000 * kUs; /* HZ = 250: the first tick after the deadline */
        EXPECT_FALSE(r.s->should_preempt(0, *t1, 0, s - 1)) << "its slice is not used yet";
        EXPECT_FALSE(r.s->should_preempt(0, *t1, 0, tick - 1)) << "used, but EEVDF looks again at the next tick";
        EXPECT_EQ(r.s->should_preempt(0, *t1, 0, tick), slice) << (slice ? "thread 2 waits" : "off: a user thread waiting does not preempt");
        r.s->preempted(t1);
        EXPECT_EQ(r.s->stats().preemptions, 1u);
        r.s->set_running(0, nullptr, tick);
        EXPECT_EQ(r.dispatch(0, tick), r.thread(2)) << "the waiting thread runs next, the preempted one queues behind it";
    }
}
