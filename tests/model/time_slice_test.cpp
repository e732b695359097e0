// User-thread time slicing (sched.time_slice, docs/timing-model.md "Time slices"): two busy
// threads pinned to one core take turns: the running one has a slice (sched.base_slice_us x
// (1 + ilog2(4)) on the four-CPU virt board: 2.25 ms) and gives the core at the first event
// after the first tick past its deadline; with sched.time_slice = off the first runs to its end before the
// second starts (the model before).
#include "child_run.h"
#include "model_run.h"

#include <gtest/gtest.h>

using namespace mtesim;

namespace {

struct Figures {
    std::uint64_t preemptions, run_ps, switches;
};

/* Two threads on core 0, each 400 x 200,000 instructions (tens of microseconds an event). */
std::string pair_on_one_core() {
    std::string s = "thread 1 core=0\nthread 2 core=0\n";
    for (int i = 0; i < 400; ++i) s += "1 compute 200000\n2 compute 200000\n";
    return s;
}

Figures run(bool slice) {
    return test::in_child<Figures>([&] {
        RunResult r = test::run_text_trace("tslice", pair_on_one_core(), {std::string("sched.time_slice=") + (slice ? "on" : "off")});
        return Figures{r.sched.preemptions, r.sim_ps - r.boot_ps, r.cores[0].context_switches};
    });
}

}  // namespace

TEST(TimeSlice, TwoBusyThreadsOnOneCoreTakeTurnsOfOneSlice) {
    const Figures on = run(true), off = run(false);
    EXPECT_EQ(off.preemptions, 0u) << "off: only a kernel thread preempts";
    const double tick = 4e9, event = static_cast<double>(on.run_ps) / 800; /* ps */
    ASSERT_LT(event, tick / 20) << "events are short against the slice";
    // A turn ends at the first event after the first tick (4 ms, HZ = 250) that follows its
    // deadline (2.25 ms after it began): once turns begin just after a tick, each lasts one
    // tick and at most an event more, so there are about run / 4 ms of them (the first may be
    // shorter, the last of each thread is not preempted).
    const double run = static_cast<double>(on.run_ps);
    EXPECT_LE(static_cast<double>(on.preemptions), run / tick + 1);
    EXPECT_GE(static_cast<double>(on.preemptions), run / (tick + event) - 2);
    EXPECT_GE(on.preemptions, 4u);
    EXPECT_NEAR(static_cast<double>(on.run_ps), static_cast<double>(off.run_ps), 0.02 * static_cast<double>(off.run_ps))
        << "the same work either way";
}

namespace {

/* Core 0 runs thread 1 (about 60 ms of work); thread 5, also pinned there, sleeps 1 ms first.
 * Cores 1-3 are busy too (threads 2-4), so no idle core is left to time the sleeper. */
std::string sleeper_behind_busy_core() {
    std::string s = "thread 1 core=0\nthread 2 core=1\nthread 3 core=2\nthread 4 core=3\nthread 5 core=0\n5 sleep 1000\n5 compute 1000\n";
    for (int i = 0; i < 600; ++i)
        for (int t = 1; t <= 4; ++t) s += std::to_string(t) + " compute 400000\n";
    return s;
}

}  // namespace

TEST(TimeSlice, ASleeperWakesOnTimeOnABusyCoreAndTakesItAtTheNextTick) {
    const Figures f = test::in_child<Figures>([] {
        RunResult r = test::run_text_trace("tsleep", sleeper_behind_busy_core(), {});
        return Figures{r.sched.preemptions, r.sim_ps - r.boot_ps, r.cores[0].context_switches};
    });
    ASSERT_GT(f.run_ps, 20000000000ull) << "thread 1 runs for more than 20 ms";
    // Thread 5 waits behind thread 1 from the start: thread 1 gives the core at the tick after its
    // first deadline (1); thread 5 then sleeps, and the busy core wakes it when its timer is due,
    // and thread 1 gives the core again (2). Woken only when a core went idle, it would run after
    // thread 1's 60 ms without a second preemption.
    EXPECT_EQ(f.preemptions, 2u);
}
