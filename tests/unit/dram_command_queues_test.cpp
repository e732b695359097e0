// DramCommandQueues (dram.queue_structure = per-bank, DRAMsim3's PER_BANK structure) through
// DramChannel: a full command queue holds a transaction in its transaction queue while a
// younger one to another bank moves past it; the command queues are served round robin over
// the banks, not oldest first; a write drain moves writes only; a read's latency counts from its
// transaction-queue entry; and a read's predicted completion (the TLM path) leaves the replay
// schedule unchanged. Expectations come from the mechanism (DRAMsim3's controller.cc and
// command_queue.cc) and the preset's JEDEC timings, never from a previous run's output.
#include "mtesim/dram/dram_address_mapper.h"
#include "mtesim/dram/dram_channel.h"
#include "mtesim/dram/dram_timing_engine.h"

#include "dram_channel_rig.h"
#include "dram_test_config.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

using namespace mtesim;

namespace {

/// DDR4-3200 (4 bank groups of 4 banks), refresh off, the per-bank structure; later sets win.
DramConfig per_bank(std::vector<std::string> sets = {}) {
    sets.insert(sets.begin(), "dram.queue_structure=per-bank");
    sets.push_back("dram.refresh=false");
    return dram_test_config("ddr4-3200", sets);
}

/// The shared rig; no request in these tests is answered from a queued write.
struct Rig : DramChannelRig {
    using DramChannelRig::DramChannelRig;
    std::uint64_t add(const DramCoord &k, bool write, std::uint64_t t) {
        const std::uint64_t id = DramChannelRig::add(k, write, t);
        EXPECT_FALSE(answered);
        return id;
    }
};

}  // namespace

/* Read queue of 3, command queues of 2. Three reads to bank (0,0) arrive at cycle 0: one moves
 * per cycle, so after cycles 0 and 1 that bank's command queue is full and the third stays in
 * the read queue (one slot used: the queue accepts). Two reads to bank (1,0) then fill the read
 * queue; at cycle 10 the older of them moves past the held read, whose bank has no room. The
 * held read moves only when its bank's first RD has issued, and its latency counts from cycle
 * 0, when it entered the read queue. */
TEST(DramCommandQueues, AFullCommandQueueHoldsTheTransactionInItsQueue) {
    Rig rig(per_bank({"dram.read_queue=3", "dram.command_queue=2"}));
    const std::uint64_t a0 = rig.add(at(0, 0, 5, 0), false, 0);
    rig.add(at(0, 0, 5, 8), false, 0);
    const std::uint64_t held = rig.add(at(0, 0, 5, 16), false, 0);
    EXPECT_FALSE(rig.ch.can_accept(false)); /* 3 in the read queue */
    rig.ch.advance(10, &rig);
    EXPECT_EQ(rig.ch.queued(), 3u);
    EXPECT_TRUE(rig.ch.can_accept(false)); /* two moved, the held one remains */
    rig.add(at(1, 0, 7, 0), false, 10);
    rig.add(at(1, 0, 7, 8), false, 10);
    EXPECT_FALSE(rig.ch.can_accept(false)); /* held + two to bank (1,0) */
    rig.ch.advance(11, &rig);               /* cycle 10: one to bank (1,0) moved past the held read */
    EXPECT_TRUE(rig.ch.can_accept(false));
    rig.ch.advance(12, &rig);               /* cycle 11: the other one too */
    EXPECT_TRUE(rig.ch.can_accept(false));
    rig.ch.drain(&rig);
    ASSERT_EQ(rig.order.size(), 5u);
    const DramConfig &c = rig.cfg;
    // Bank (0,0): ACT at cycle 1 (the first read moved at cycle 0), its RD at 1 + tRCD.
    const std::uint64_t first_rd = 1 + c.tRCD;
    EXPECT_EQ(rig.by_id.at(a0).done, first_rd + c.tCL + c.tBURST);
    // The held read moved at the first RD's cycle at the earliest, so its own RD came later
    // than that and later than the second read's RD (tCCD_L after the first).
    const DramChannel::Completion &h = rig.by_id.at(held);
    EXPECT_EQ(h.arrival, 0u) << "latency counts from the read queue's entry";
    EXPECT_GE(h.done, first_rd + 2 * c.tCCD_L + c.tCL + c.tBURST);
}

/* Rows 0 of banks in bank groups 0, 1 and 2 are open. Two row hits per bank then arrive at
 * cycle 1000 in the order bank group 2, 2, 0, 0, 1, 1 (one moves per cycle). The column bus
 * allows one RD every tCCD_S across bank groups, so several queues hold a ready RD at each
 * turn: the round robin takes the next bank after the one that issued last, giving 2, 0, 1,
 * 2, 0, 1. The shared structure's FR-FCFS takes the oldest ready hit, a bank group's second
 * hit being ready tCCD_L after its first: 2, 0, 2, 0, 1, 1. */
TEST(DramCommandQueues, CommandQueuesAreServedRoundRobinOverBanks) {
    for (const bool pb : {true, false}) {
        SCOPED_TRACE(pb ? "per-bank" : "shared");
        Rig rig(pb ? per_bank() : dram_test_config("ddr4-3200", {"dram.refresh=false"}));
        for (std::uint32_t bg : {0u, 1u, 2u}) rig.add(at(bg, 0, 0, 0), false, 0);
        rig.ch.drain(&rig);
        rig.order.clear();
        for (std::uint32_t bg : {2u, 2u, 0u, 0u, 1u, 1u}) rig.add(at(bg, 0, 0, 8 * (rig.next_id + 1)), false, 1000);
        rig.ch.drain(&rig);
        for (const auto &c : rig.order) EXPECT_EQ(c.outcome, RowOutcome::hit);
        std::vector<std::uint32_t> got;
        const std::vector<std::uint32_t> arrival_bg{2, 2, 0, 0, 1, 1};
        for (const auto &c : rig.order) got.push_back(arrival_bg[c.id - 3]);
        const std::vector<std::uint32_t> want = pb ? std::vector<std::uint32_t>{2, 0, 1, 2, 0, 1}
                                                   : std::vector<std::uint32_t>{2, 0, 2, 0, 1, 1};
        EXPECT_EQ(got, want);
        // One RD every tCCD_S once the round robin runs (per-bank: the first at cycle 1001).
        if (pb) {
            for (std::size_t i = 1; i < rig.order.size(); ++i)
                EXPECT_EQ(rig.order[i].done - rig.order[i - 1].done, rig.cfg.tCCD_S) << i;
        }
    }
}

/* Write queue of 8, high watermark 6. Six writes to bank (0,0) arrive at cycle 0 with a read to
 * bank (2,0) just after them; command queues hold 2. The drain starts at cycle 0 and moves
 * writes only until all six have moved; the 5th and 6th need room, made by the 3rd and 4th
 * WRs. So the read, though its bank's command queue is empty, moves only after the 4th WR: its
 * ACT one cycle later at the earliest. Without the writes it would be served from cycle 1. */
TEST(DramCommandQueues, AWriteDrainMovesWritesOnly) {
    const std::vector<std::string> sets{"dram.write_queue=8", "dram.write_high_watermark=0.75",
                                        "dram.write_low_watermark=0.25", "dram.command_queue=2"};
    Rig rig(per_bank(sets));
    ASSERT_EQ(rig.cfg.write_high, 6u);
    std::vector<std::uint64_t> w;
    for (std::uint64_t i = 0; i < 6; ++i) w.push_back(rig.add(at(0, 0, 3, 8 * i), true, 0));
    const std::uint64_t rd = rig.add(at(2, 0, 9), false, 0);
    rig.ch.drain(&rig);
    const DramConfig &c = rig.cfg;
    const std::uint64_t wr4 = rig.by_id.at(w[3]).done - c.tCWL - c.tBURST; /* cycle of the 4th WR */
    EXPECT_GE(rig.by_id.at(rd).done, wr4 + 1 + 1 + c.tRCD + c.tCL + c.tBURST);
    EXPECT_EQ(rig.stats.drain_episodes, 1u);
    EXPECT_EQ(rig.stats.drain_high_watermark, 1u);

    Rig alone(per_bank(sets));
    const std::uint64_t r2 = alone.add(at(2, 0, 9), false, 0);
    alone.ch.drain(&alone);
    EXPECT_EQ(alone.by_id.at(r2).done, 1 + c.tRCD + c.tCL + c.tBURST);
}

/* The TLM path predicts each read by running a copy of its channel; with the per-bank structure
 * the committed schedule must still be the replay's (the same check as DramTimingEngine's
 * PredictionsLeaveTheReplayScheduleUnchanged, on a random mix of reads and writes). */
TEST(DramCommandQueues, PredictionsLeaveTheReplayScheduleUnchanged) {
    for (const std::vector<std::string> &extra :
         {std::vector<std::string>{}, std::vector<std::string>{"dram.refresh=true", "dram.tREFI=1200", "dram.channels=2"},
          std::vector<std::string>{"dram.refresh=true", "dram.refresh_mode=per-bank", "dram.tRFCpb=100"}}) {
        const DramConfig cfg = per_bank(extra);
        DramTimingEngine tlm(cfg), replay(cfg);
        std::uint64_t x = 0x2545f4914f6cdd1dull, t = 0;
        for (int i = 0; i < 4000; ++i) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            t += (x & 7) == 0 ? (x >> 8) % 300 : (x >> 8) % 10;
            const std::uint64_t addr = ((x >> 20) % 64) * 64 + ((x >> 30) % 6) * (1ull << 21) + ((x >> 40) % 8) * (1ull << 14);
            const bool write = (x >> 50) % 3 == 0;
            const auto k = DramTimingEngine::Klass::data;
            const DramTimingEngine::Result r = tlm.access(DramAddr(addr), write, t, 64, k);
            ASSERT_EQ(r.entry, replay.submit(DramAddr(addr), write, t, 64, k)) << i;
        }
        tlm.flush();
        replay.flush();
        const auto &a = tlm.traffic(DramTimingEngine::Klass::data), &b = replay.traffic(DramTimingEngine::Klass::data);
        EXPECT_EQ(a.reads, b.reads);
        EXPECT_EQ(a.row_hits, b.row_hits);
        EXPECT_EQ(a.row_conflicts, b.row_conflicts);
        EXPECT_EQ(a.latency.mean(), b.latency.mean());
        EXPECT_EQ(a.latency.max(), b.latency.max());
        EXPECT_EQ(tlm.last_done(), replay.last_done());
        EXPECT_EQ(tlm.scheduler().drain_episodes, replay.scheduler().drain_episodes);
        EXPECT_EQ(tlm.scheduler().read_queue_cycles, replay.scheduler().read_queue_cycles);
        EXPECT_GT(tlm.lookaheads_adopted(), 0u);
        EXPECT_GT(a.row_hits, 0u);
    }
}
