// CoreTimingInstructionStream against a recording port: what it asks of the boot core's timing
// model. Instructions dispatch at core.dispatch_width on an out-of-order core and at
// core.base_cpi on an in-order one; an out-of-order DSB is the window's drain and nothing
// else, an ISB the drain and the refetch (kernel.isb_cycles); an in-order core's barriers are
// the named costs. The drain's own timing (store buffer, ROB) is tested on a real TimingModel
// in tests/model/boot_core_timing_test.cpp.
#include "mtesim/boot/core_timing_instruction_stream.h"
#include "mtesim/boot/linear_map_instruction_costs.h"

#include <gtest/gtest.h>

#include <vector>

using namespace mtesim;

namespace {

struct Recorder {
    std::vector<std::pair<std::uint64_t, std::uint64_t>> dispatched; /* (instructions, cycles) */
    unsigned drains = 0;
    std::uint64_t drain_cost = 0;
    std::vector<std::uint64_t> stalls;
    CoreTimingPort port() {
        return CoreTimingPort{[this](std::uint64_t n, std::uint64_t c) {
                                  dispatched.emplace_back(n, c);
                                  return c;
                              },
                              [this] {
                                  ++drains;
                                  return drain_cost;
                              },
                              [this](std::uint64_t c) {
                                  stalls.push_back(c);
                                  return c;
                              }};
    }
    std::uint64_t instructions() const {
        std::uint64_t n = 0;
        for (const auto &d : dispatched) n += d.first;
        return n;
    }
};

CoreConfig ooo(unsigned width, unsigned rob = 128) {
    CoreConfig c;
    c.out_of_order = true;
    c.dispatch_width = width;
    c.rob_entries = rob;
    c.isb_cycles = 20;
    c.dsb_cycles = 80;
    return c;
}

}  // namespace

TEST(CoreTimingStream, OutOfOrderDispatchesAtItsWidth) {
    Recorder r;
    CoreTimingInstructionStream s(ooo(4), r.port());
    EXPECT_EQ(s.execute(1000), 250u);
    // A PTE table of the derivation: 512 iterations of kPte on a 5-wide core, fractions carried.
    Recorder r5;
    CoreTimingInstructionStream s5(ooo(5), r5.port());
    std::uint64_t c = 0;
    for (int i = 0; i < 512; ++i) c += s5.execute(linear_map_cost::kPte);
    EXPECT_EQ(c, 512u * linear_map_cost::kPte / 5);
    EXPECT_EQ(r5.instructions(), 512u * linear_map_cost::kPte);
    EXPECT_EQ(s5.stats().instructions, 512u * linear_map_cost::kPte);
}

TEST(CoreTimingStream, ABatchIsDispatchedWholeWithItsFractionCarried) {
    // The window's own check stops a run where the ROB fills behind a miss
    // (TimingModel::dispatch, TimingModelStructures.InstructionsBeyondTheRobWaitForTheMissAhead),
    // so a batch longer than the ROB goes to the port in one step, at 4 instructions a cycle.
    Recorder r;
    CoreTimingInstructionStream s(ooo(4, 128), r.port());
    s.execute(1000);
    ASSERT_EQ(r.dispatched.size(), 1u);
    EXPECT_EQ(r.dispatched[0], std::make_pair(std::uint64_t{1000}, std::uint64_t{250}));
    s.execute(3); /* 0.75 of a cycle: none yet, the fraction carried */
    s.execute(1);
    ASSERT_EQ(r.dispatched.size(), 3u);
    EXPECT_EQ(r.dispatched[1], std::make_pair(std::uint64_t{3}, std::uint64_t{0}));
    EXPECT_EQ(r.dispatched[2], std::make_pair(std::uint64_t{1}, std::uint64_t{1}));
}

TEST(CoreTimingStream, InOrderCostsTheBaseCpi) {
    Recorder r;
    CoreConfig c;
    c.out_of_order = false;
    c.base_cpi = 1.5;
    CoreTimingInstructionStream s(c, r.port());
    EXPECT_EQ(s.execute(1000), 1500u);
    EXPECT_EQ(s.barrier(Barrier::dsb), c.dsb_cycles);
    EXPECT_EQ(s.barrier(Barrier::isb), c.isb_cycles);
    EXPECT_EQ(r.drains, 0u) << "a blocking core has nothing outstanding";
}

TEST(CoreTimingStream, OutOfOrderBarriersDrainTheWindow) {
    Recorder r;
    r.drain_cost = 123;
    CoreTimingInstructionStream s(ooo(4), r.port());
    EXPECT_EQ(s.barrier(Barrier::dsb_st), 123u) << "a DSB costs its drain, no named cost";
    EXPECT_EQ(s.barrier(Barrier::dsb), 123u);
    EXPECT_EQ(s.barrier(Barrier::isb), 123u + 20u) << "an ISB: the drain, then the refetch";
    EXPECT_EQ(r.drains, 3u);
    r.drain_cost = 0;
    EXPECT_EQ(s.barrier(Barrier::dsb), 0u) << "nothing outstanding: nothing to wait for";
    EXPECT_EQ(s.stats().barriers, 4u);
    EXPECT_EQ(s.stats().drain_cycles, 3u * 123u);
    EXPECT_EQ(s.stats().barrier_cycles, 3u * 123u + 20u);
    EXPECT_EQ(s.wait(777), 777u);
    EXPECT_EQ(s.stats().wait_cycles, 777u);
}
