// Capacity awareness on the whole machine (docs/timing-model.md, "Capacity awareness"): on the
// phone board (A510 192, A715 647, X3 1024 from its capacity-dmips-mhz), two busy threads placed
// on the first two A510s stop fitting them after about 16 ms of running (PELT from half of 192
// to 192 x 1024 / 1280, at a fifth of the wall clock) and are pushed to idle A715s at a tick:
// the cores' own tick check after each event reaches the scheduler. A misfit thread with no idle
// bigger CPU is pulled by the first bigger one to go newly idle, at its own core's next event.
#include "child_run.h"
#include "model_run.h"

#include <gtest/gtest.h>

#include <cstdio>

using namespace mtesim;

namespace {

struct Figures {
    std::uint64_t misfit, misfit_ticks, sim_ps;
    std::uint64_t events[8];
};

/* Two unpinned threads, each 40,000 x (2,000 instructions and a load): about 45 ms on an A510. */
std::string busy_pair() {
    std::string s = "thread 1\nthread 2\n1 mmap 0x40000000 0x100000\n2 mmap 0x40100000 0x100000\n";
    char b[96];
    for (unsigned i = 0; i < 40000; ++i)
        for (unsigned t = 1; t <= 2; ++t) {
            std::snprintf(b, sizeof b, "%u compute 2000\n%u ld 0x%x 8\n", t, t,
                          (t == 1 ? 0x40000000u : 0x40100000u) + (i * 64u) % 0x100000u);
            s += b;
        }
    return s;
}

Figures run(bool aware) {
    return test::in_child<Figures>([&] {
        RunResult r = test::run_text_trace("capb", busy_pair(), {std::string("sched.capacity_aware=") + (aware ? "on" : "off")},
                                           "phone-8g-lpddr5");
        Figures f{r.sched.migrations_misfit, r.sched.misfit_ticks, r.sim_ps, {}};
        for (std::size_t c = 0; c < 8 && c < r.cores.size(); ++c) f.events[c] = r.cores[c].events;
        return f;
    });
}

}  // namespace

namespace {

/* A busy unpinned thread (1) on an A510 while pinned threads keep the three A715s busy (2-4, about
 * 40 ms each) and the X3 busy for less (5, about 30 ms): thread 1 stops fitting its A510 after
 * about 17 ms of running but no idle CPU is bigger until the X3's thread ends. */
std::string x3_frees_up(bool pin_one) {
    std::string s = pin_one ? "thread 1 core=0\n" : "thread 1\n";
    s += "thread 2 core=4\nthread 3 core=5\nthread 4 core=6\nthread 5 core=7\n1 mmap 0x40000000 0x100000\n";
    char b[96];
    for (unsigned i = 0; i < 60000; ++i) {
        std::snprintf(b, sizeof b, "1 compute 2000\n1 ld 0x%x 8\n", 0x40000000u + (i * 64u) % 0x100000u);
        s += b;
        for (unsigned t = 2; t <= 4; ++t) s += std::to_string(t) + " compute 2000\n";
        if (i < 45000) s += "5 compute 2000\n";
    }
    return s;
}

struct PullFigures {
    std::uint64_t misfit, newidle, misfit_ticks, events_x3;
};

PullFigures run_x3(bool pin_one) {
    return test::in_child<PullFigures>([&] {
        RunResult r = test::run_text_trace("capx3", x3_frees_up(pin_one), {}, "phone-8g-lpddr5");
        return PullFigures{r.sched.migrations_misfit, r.sched.migrations_misfit_newidle, r.sched.misfit_ticks,
                           r.cores.size() > 7 ? r.cores[7].events : 0};
    });
}

}  // namespace

TEST(CapacityBoard, TheX3GoingIdlePullsTheMisfitThreadFromItsA510) {
    const PullFigures f = run_x3(false), pinned = run_x3(true);
    EXPECT_GT(f.misfit_ticks, 0u) << "thread 1 is misfit on the A510 while every bigger CPU is busy";
    EXPECT_EQ(f.misfit, 1u) << "moved once";
    EXPECT_EQ(f.newidle, 1u) << "by the X3 as it went newly idle, not by a tick's nohz push";
    EXPECT_GT(f.events_x3, 45000u) << "the X3 ran thread 5's 45,000 events and then thread 1's";
    EXPECT_EQ(pinned.misfit + pinned.newidle + pinned.misfit_ticks, 0u) << "a pinned thread is never misfit";
    EXPECT_EQ(pinned.events_x3, 45000u);
}

TEST(CapacityBoard, BusyThreadsOnLittleCoresMoveToBigOnesAndFinishSooner) {
    const Figures on = run(true), off = run(false);
    EXPECT_EQ(off.misfit + off.misfit_ticks, 0u) << "sched.capacity_aware = off";
    EXPECT_EQ(off.events[4] + off.events[5] + off.events[6] + off.events[7], 0u) << "off: they stay on cpu0 and cpu1";
    EXPECT_EQ(on.misfit, 2u) << "each thread pushed once";
    EXPECT_GT(on.events[4], 0u) << "the nohz balance runs from the first idle CPU (cpu2): cpu4 is the first bigger one";
    EXPECT_GT(on.events[5], 0u);
    EXPECT_GT(on.events[0], 0u) << "each ran on its A510 first";
    EXPECT_LT(on.sim_ps, off.sim_ps) << "an A715 runs the rest faster";
}
