// Capacity awareness on the whole machine (docs/timing-model.md, "Capacity awareness"): on the
// phone board (A510 192, A715 647, X3 1024 from its capacity-dmips-mhz), two busy threads placed
// on the first two A510s stop fitting them after about 16 ms of running (PELT from half of 192
// to 192 x 1024 / 1280, at a fifth of the wall clock) and are pushed to idle A715s at a tick:
// the cores' own tick check after each event reaches the scheduler.
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
