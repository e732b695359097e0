// The boot's CoreTimingInstructionStream on a real out-of-order TimingModel (the boot core's,
// models/core/timing_model.h), with stores issued as KernelMemoryWork issues the page-table
// writes (begin_access, end_access with the line's latency). Expectations from the mechanism:
// N independent stores that miss cost N / width cycles of dispatch while the store buffer has
// room, and their memory latency once, at the DSB that drains them; a DSB after each store
// pays that latency every time; a load miss followed by a long run of instructions stalls
// dispatch once the ROB is full behind it.
#include "core/local_clock.h"
#include "core/timing_model.h"
#include "mtesim/boot/core_timing_instruction_stream.h"

#include <gtest/gtest.h>

using namespace mtesim;

namespace {

constexpr std::uint64_t kMiss = 200; /* a store's line fill, in core cycles (beyond every L1/LLC hit) */

struct Rig {
    CoreConfig config;
    LocalClock clock{2000000000};
    TimingModel timing;
    CoreTimingInstructionStream stream;
    explicit Rig(CoreConfig c)
        : config(c), timing(config, clock),
          stream(config, CoreTimingPort{[this](std::uint64_t n, std::uint64_t cycles) {
                                            const std::uint64_t before = clock.now_cycles();
                                            timing.dispatch(n, cycles);
                                            return clock.now_cycles() - before;
                                        },
                                        [this] {
                                            const std::uint64_t before = clock.now_cycles();
                                            timing.drain();
                                            return clock.now_cycles() - before;
                                        },
                                        [this](std::uint64_t cycles) {
                                            clock.charge(cycles);
                                            return cycles;
                                        }}) {}
    void access(bool write, std::uint64_t latency) {
        timing.begin_access(0);
        timing.end_access(write, AccessLatency{latency, latency > config.l1d_latency}); /* a miss is a demand miss */
    }
};

CoreConfig n1_like() {
    CoreConfig c;
    c.out_of_order = true;
    c.dispatch_width = 4;
    c.rob_entries = 128;
    c.store_buffer = 24;
    c.l1d_latency = 4;
    c.llc_latency = 7;
    return c;
}

}  // namespace

TEST(BootCoreTiming, IndependentStoresCostTheirDispatchAndOneLatency) {
    constexpr std::uint64_t n = 16; /* fewer than the 24 store-buffer entries */
    Rig rig(n1_like());
    for (std::uint64_t i = 0; i < n; ++i) rig.access(true, kMiss);
    EXPECT_EQ(rig.clock.now_cycles(), n / 4) << "dispatch-bound: N / width";
    const std::uint64_t drained = rig.stream.barrier(Barrier::dsb_st);
    // The last store issued at (N - 1) / width and completes kMiss later.
    EXPECT_EQ(rig.clock.now_cycles(), (n - 1) / 4 + kMiss);
    EXPECT_EQ(drained, (n - 1) / 4 + kMiss - n / 4);
}

TEST(BootCoreTiming, ADsbAfterEachStorePaysTheLatencyEachTime) {
    constexpr std::uint64_t n = 16;
    Rig rig(n1_like());
    for (std::uint64_t i = 0; i < n; ++i) {
        rig.access(true, kMiss);
        rig.stream.barrier(Barrier::dsb_st);
    }
    // Each store waits for its own line: N latencies, plus the dispatch cycles of every
    // width-th store.
    EXPECT_GE(rig.clock.now_cycles(), n * kMiss);
    EXPECT_LE(rig.clock.now_cycles(), n * kMiss + n / 4);
    EXPECT_EQ(rig.stream.stats().barriers, n);
}

TEST(BootCoreTiming, AFullStoreBufferStallsDispatch) {
    // Twice the buffer's stores: the 25th waits for the first to drain.
    Rig rig(n1_like());
    for (std::uint64_t i = 0; i < 48; ++i) rig.access(true, kMiss);
    EXPECT_GE(rig.clock.now_cycles(), kMiss);
    EXPECT_LE(rig.clock.now_cycles(), kMiss + 48 / 4 + 1);
}

TEST(BootCoreTiming, StoresThatHitAreNotWaitedFor) {
    Rig rig(n1_like());
    for (std::uint64_t i = 0; i < 16; ++i) rig.access(true, 4 /* an L1 hit */);
    EXPECT_EQ(rig.stream.barrier(Barrier::dsb), 0u);
    EXPECT_EQ(rig.clock.now_cycles(), 4u);
}

TEST(BootCoreTiming, TheRobFillsBehindALoadMiss) {
    // A load that misses to DRAM (300 cycles), then 1000 independent instructions on a 4-wide
    // core with a 128-entry ROB: the load and 127 of them fill it (in 31.75 cycles), dispatch
    // waits for the miss, the other 873 take 218.25 cycles: 518.25, in whole cycles 518 or 519
    // (the cycles of a part of the stream are shared out between the instructions before the
    // stall and those after it in whole cycles).
    Rig rig(n1_like());
    rig.access(false, 300); /* issues at cycle 0 */
    rig.stream.execute(1000);
    EXPECT_NEAR(static_cast<double>(rig.clock.now_cycles()), 300.0 + 873.0 / 4, 1.0);
    // Without the miss: 250 cycles, dispatch-bound.
    Rig free_run(n1_like());
    free_run.stream.execute(1000);
    EXPECT_EQ(free_run.clock.now_cycles(), 250u);
}

TEST(BootCoreTiming, AnIsbAfterADsbOnlyRefetches) {
    Rig rig(n1_like());
    for (int i = 0; i < 8; ++i) rig.access(true, kMiss);
    rig.stream.barrier(Barrier::dsb_st);
    const std::uint64_t t = rig.clock.now_cycles();
    EXPECT_EQ(rig.stream.barrier(Barrier::isb), rig.config.isb_cycles);
    EXPECT_EQ(rig.clock.now_cycles(), t + rig.config.isb_cycles);
}
