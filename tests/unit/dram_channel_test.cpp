// DramChannel (the per-channel controller) without SystemC: FR-FCFS and its bypass cap, the
// write drain at the high watermark and the opportunistic one, each bus turnaround at t-1 and
// at t, per-bank refresh blocking only its banks, tag reads sharing the read queue and banks
// with data, the latency buckets the stats export, and the address mapping names.
// Expectations come from the timing rules themselves (JEDEC names in the preset), never from
// a previous run's output.
#include "mtesim/common/config_error.h"
#include "mtesim/common/xorshift64_star.h"
#include "mtesim/config/config_loader.h"
#include "mtesim/dram/dram_address_mapper.h"
#include "mtesim/dram/dram_channel.h"
#include "mtesim/dram/dram_timing_engine.h"
#include "mtesim/stats/latency_histogram.h"

#include "dram_channel_rig.h"
#include "dram_test_config.h"

#include <gtest/gtest.h>

#include <utility>

#include <algorithm>
#include <functional>
#include <map>

using namespace mtesim;

namespace {

DramConfig make(const std::string &preset, std::vector<std::string> sets) { return dram_test_config(preset, std::move(sets)); }

using Rig = DramChannelRig;

/// DDR4-3200, refresh off; a low watermark of 0, so that a lone write is drained as soon as no
/// read waits (the turnaround cases need it issued at a known cycle). Later sets win.
DramConfig ddr4(std::vector<std::string> sets = {}) {
    sets.insert(sets.begin(), "dram.write_low_watermark=0");
    sets.push_back("dram.refresh=false");
    return make("ddr4-3200", sets);
}

}  // namespace

/* Bank (0,0) has row 0 open. A read of row 1 (a conflict) arrives, then four row-0 hits. With a
 * cap of 2 the hits overtake it twice; then its PRE goes and the last two hits find row 1 open
 * (they become conflicts themselves). With the default cap (16) all four overtake it. */
TEST(DramChannel, RowHitOvertakesOlderMissUpToTheBypassCap) {
    for (const std::uint32_t cap : {2u, 16u}) {
        SCOPED_TRACE(cap);
        Rig rig(ddr4({"dram.bypass_cap=" + std::to_string(cap)}));
        rig.add(at(0, 0, 0), false, 0);
        rig.ch.drain(&rig);
        const std::uint64_t old_miss = rig.add(at(0, 0, 1), false, 1000);
        std::vector<std::uint64_t> hits;
        for (std::uint64_t col = 1; col <= 4; ++col) hits.push_back(rig.add(at(0, 0, 0, col), false, 1000));
        rig.ch.drain(&rig);
        const std::uint64_t miss_done = rig.by_id.at(old_miss).done;
        const std::uint32_t overtakers = std::min<std::uint32_t>(cap, 4);
        for (std::uint32_t i = 0; i < 4; ++i) {
            if (i < overtakers) {
                EXPECT_LT(rig.by_id.at(hits[i]).done, miss_done) << "hit " << i;
            } else {
                EXPECT_GT(rig.by_id.at(hits[i]).done, miss_done) << "hit " << i;
            }
        }
        EXPECT_EQ(rig.by_id.at(old_miss).outcome, RowOutcome::conflict);
        if (cap == 2) {
            EXPECT_EQ(rig.by_id.at(hits[2]).outcome, RowOutcome::conflict);
        }
    }
}

/* With nothing to overtake for, requests are served oldest first. */
TEST(DramChannel, OldestFirstAmongEquals) {
    Rig rig(ddr4());
    const std::uint64_t a = rig.add(at(0, 0, 3), false, 0);
    const std::uint64_t b = rig.add(at(1, 0, 3), false, 0);
    rig.ch.drain(&rig);
    EXPECT_LT(rig.by_id.at(a).done, rig.by_id.at(b).done);
}

/* Write queue of 8, high watermark 6, low 2. While reads wait, five writes stay queued; the
 * sixth starts a drain that issues writes back to back until two are left, then reads resume. */
TEST(DramChannel, WritesDrainAtTheHighWatermark) {
    Rig rig(ddr4({"dram.write_queue=8", "dram.write_high_watermark=0.75", "dram.write_low_watermark=0.25",
                  "dram.min_writes_per_drain=1"}));
    ASSERT_EQ(rig.cfg.write_high, 6u);
    ASSERT_EQ(rig.cfg.write_low, 2u);
    // 30 reads to rows of all banks: they keep the read queue busy for several hundred cycles.
    for (std::uint32_t i = 0; i < 30; ++i) rig.add(at(i % 4, (i / 4) % 4, 100 + i), false, 0);
    for (std::uint32_t i = 0; i < 5; ++i) rig.add(at(i % 4, 0, 7, i), true, 0);
    rig.ch.advance(100, &rig);
    for (const auto &c : rig.order) EXPECT_FALSE(c.write) << "a write issued below the high watermark";
    EXPECT_EQ(rig.stats.drain_episodes, 0u);
    rig.add(at(1, 1, 7, 9), true, 100);
    rig.ch.drain(&rig);
    EXPECT_EQ(rig.stats.drain_high_watermark, 1u);
    auto first = std::find_if(rig.order.begin(), rig.order.end(), [](const auto &c) { return c.write; });
    ASSERT_NE(first, rig.order.end());
    std::size_t run = 0;
    for (auto it = first; it != rig.order.end() && it->write; ++it) ++run;
    EXPECT_EQ(run, 4u) << "the drain stops at the low watermark";
    ASSERT_NE(first + 4, rig.order.end());
    EXPECT_FALSE((first + 4)->write) << "reads resume after the drain";
}

/* The opportunistic drain (docs/timing-model.md, "Queues and scheduler"): with no read waiting,
 * writes drain once the write queue holds more than the low watermark, and then keep draining
 * while any remain. Write queue 8, high watermark 6, low 2. Two writes (= low) wait for ever
 * with no read; a third starts a drain that issues all three back to back, as row hits to one
 * bank: WR at T, T + tCCD_L, T + 2 tCCD_L, each done tCWL + tBURST later. */
TEST(DramChannel, OpportunisticDrainStartsAboveTheLowWatermarkWhenNoReadWaits) {
    Rig rig(ddr4({"dram.write_queue=8", "dram.write_high_watermark=0.75", "dram.write_low_watermark=0.25",
                  "dram.min_writes_per_drain=1"}));
    const DramConfig &c = rig.cfg;
    ASSERT_EQ(c.write_low, 2u);
    rig.add(at(0, 0, 0), false, 0); /* opens row 0 of bank (0,0) */
    rig.ch.drain(&rig);
    const std::size_t before = rig.order.size();
    const std::uint64_t w1 = rig.add(at(0, 0, 0, 1), true, 1000);
    const std::uint64_t w2 = rig.add(at(0, 0, 0, 2), true, 1000);
    rig.ch.advance(5000, &rig);
    EXPECT_EQ(rig.order.size(), before) << "writes at the low watermark are not drained";
    EXPECT_EQ(rig.ch.queued(), 2u);
    EXPECT_EQ(rig.stats.drain_episodes, 0u);
    const std::uint64_t T = 5000;
    const std::uint64_t w3 = rig.add(at(0, 0, 0, 3), true, T);
    rig.ch.advance(T + 1000, &rig); /* no flush: the drain empties the queue by itself */
    EXPECT_EQ(rig.ch.queued(), 0u);
    EXPECT_EQ(rig.stats.drain_episodes, 1u);
    EXPECT_EQ(rig.stats.drain_high_watermark, 0u);
    const std::uint64_t wr = c.tCWL + c.tBURST;
    EXPECT_EQ(rig.by_id.at(w1).done, T + wr);
    EXPECT_EQ(rig.by_id.at(w2).done, T + c.tCCD_L + wr);
    EXPECT_EQ(rig.by_id.at(w3).done, T + 2 * c.tCCD_L + wr);
}

/* A read that arrives during an opportunistic drain ends it as soon as the write queue is down
 * to the low watermark (with min_writes_per_drain = 1 issued): five writes to bank (0,0) start
 * a drain at 1000 (WR at 1000); the read to bank group 1 arrives at 1001 with four writes
 * queued, so two more go (1000 + tCCD_L, 1000 + 2 tCCD_L), leaving two; the read's RD then
 * waits tWTR_S after the last write's data (other bank group). The two left stay queued, no
 * read waiting and none above the low watermark, until the flush. */
TEST(DramChannel, OpportunisticDrainYieldsToAReadAtTheLowWatermark) {
    Rig rig(ddr4({"dram.write_queue=8", "dram.write_high_watermark=0.75", "dram.write_low_watermark=0.25",
                  "dram.min_writes_per_drain=1"}));
    const DramConfig &c = rig.cfg;
    rig.add(at(0, 0, 0), false, 0);
    rig.add(at(1, 0, 0), false, 0);
    rig.ch.drain(&rig);
    const std::size_t before = rig.order.size();
    for (std::uint64_t col = 1; col <= 5; ++col) rig.add(at(0, 0, 0, col), true, 1000);
    const std::uint64_t read = rig.add(at(1, 0, 0, 1), false, 1001);
    rig.ch.advance(5000, &rig);
    ASSERT_EQ(rig.order.size(), before + 4);
    for (std::size_t i = 0; i < 3; ++i) EXPECT_TRUE(rig.order[before + i].write) << i;
    EXPECT_EQ(rig.order[before + 3].id, read);
    const std::uint64_t last_wr = 1000 + 2 * c.tCCD_L;
    EXPECT_EQ(rig.by_id.at(read).done, last_wr + c.tCWL + c.tBURST + c.tWTR_S + c.tCL + c.tBURST);
    EXPECT_EQ(rig.ch.queued(), 2u) << "writes at the low watermark wait";
    EXPECT_EQ(rig.stats.drain_episodes, 1u);
    rig.ch.drain(&rig);
    EXPECT_EQ(rig.ch.queued(), 0u);
}

/* Each turnaround rule: a setup whose last column command releases the probe's column command
 * at cycle t; a probe arriving at t-1 waits exactly one cycle, one arriving at t none. */
namespace {
struct Turnaround {
    const char *name;
    std::function<void(Rig &)> setup;                            /* opens rows, then the command at 1000 */
    DramCoord probe;
    bool write;
    std::function<std::uint64_t(const DramConfig &)> t;
    std::function<DramConfig()> config = nullptr;                /* default: ddr4() */
};

void check(const Turnaround &tc) {
    SCOPED_TRACE(tc.name);
    const DramConfig cfg = tc.config ? tc.config() : ddr4();
    const std::uint64_t t = tc.t(cfg);
    const std::uint64_t base = (tc.write ? cfg.tCWL : cfg.tCL) + cfg.tBURST; /* a row hit */
    Rig early(cfg), exact(cfg);
    tc.setup(early);
    tc.setup(exact);
    const std::uint64_t e = early.add(tc.probe, tc.write, t - 1);
    const std::uint64_t x = exact.add(tc.probe, tc.write, t);
    EXPECT_EQ(early.latency(e), base + 1) << "at t-1";
    EXPECT_EQ(exact.latency(x), base) << "at t";
}
}  // namespace

TEST(DramChannel, EachTurnaroundAtTMinusOneAndAtT) {
    auto open = [](Rig &r, std::vector<DramCoord> rows) {
        for (const auto &k : rows) r.add(k, false, 0);
        r.ch.drain(&r);
    };
    const std::vector<Turnaround> cases = {
        {"tWTR_L (WR to RD, same bank group)",
         [&](Rig &r) { open(r, {at(0, 0, 0), at(0, 1, 0)}); r.add(at(0, 0, 0, 1), true, 1000); },
         at(0, 1, 0, 1), false, [](const DramConfig &c) { return std::uint64_t(1000 + c.tCWL + c.tBURST + c.tWTR_L); }},
        {"tWTR_S (WR to RD, other bank group)",
         [&](Rig &r) { open(r, {at(0, 0, 0), at(1, 0, 0)}); r.add(at(0, 0, 0, 1), true, 1000); },
         at(1, 0, 0, 1), false, [](const DramConfig &c) { return std::uint64_t(1000 + c.tCWL + c.tBURST + c.tWTR_S); }},
        {"tRTW (RD to WR)",
         [&](Rig &r) { open(r, {at(0, 0, 0), at(1, 0, 0)}); r.add(at(0, 0, 0, 1), false, 1000); },
         at(1, 0, 0, 1), true, [](const DramConfig &c) { return std::uint64_t(1000 + c.tCL + c.tBURST + c.tRTRS - c.tCWL); }},
        {"tRTRS (RD to RD, other rank)",
         [&](Rig &r) { open(r, {at(0, 0, 0), at(0, 0, 0, 0, 1)}); r.add(at(0, 0, 0, 1), false, 1000); },
         at(0, 0, 0, 1, 1), false, [](const DramConfig &c) { return std::uint64_t(1000 + c.tBURST + c.tRTRS); }},
        {"tRTRS (WR to WR, other rank)",
         [&](Rig &r) { open(r, {at(0, 0, 0), at(0, 0, 0, 0, 1)}); r.add(at(0, 0, 0, 1), true, 1000); },
         at(0, 0, 0, 1, 1), true, [](const DramConfig &c) { return std::uint64_t(1000 + c.tBURST + c.tRTRS); }},
    };
    const DramConfig cfg = ddr4();
    ASSERT_GT(cfg.tBURST + cfg.tRTRS, cfg.tCCD_S) << "tRTRS must be the binding rule for the rank cases";
    for (const auto &tc : cases) check(tc);
    /* WR to RD, other rank (docs/timing-model.md: tCWL + tBURST + tRTRS - tCL after the WR): the
     * write's data must leave the bus, plus the rank switch, before the read's data arrives
     * tCL after its RD. On DDR4-3200 that is 16 + 4 + 1 - 22 < 1 (the rule never binds), so
     * DDR5-4800 with two ranks, where CWL = CL - 2 and BL16 make it 32 + 8 + 1 - 34 = 7. */
    const auto ddr5_two_ranks = [] {
        return make("ddr5-4800", {"dram.write_low_watermark=0", "dram.ranks=2", "dram.refresh=false"});
    };
    const DramConfig d5 = ddr5_two_ranks();
    ASSERT_GT(d5.tCWL + d5.tBURST + d5.tRTRS, d5.tCL + 1) << "the rule must bind for t-1 to be a later cycle than the WR";
    check({"tCWL + tBURST + tRTRS - tCL (WR to RD, other rank)",
           [&](Rig &r) { open(r, {at(0, 0, 0), at(0, 0, 0, 0, 1)}); r.add(at(0, 0, 0, 1), true, 1000); },
           at(0, 0, 0, 1, 1), false,
           [](const DramConfig &c) { return std::uint64_t(1000 + c.tCWL + c.tBURST + c.tRTRS - c.tCL); }, ddr5_two_ranks});
    // The turnarounds are counted.
    Rig r(cfg);
    r.add(at(0, 0, 0), false, 0);
    r.ch.drain(&r);
    r.add(at(0, 0, 0, 1), true, 100);
    r.ch.drain(&r);
    r.add(at(0, 0, 0, 2), false, 200);
    r.ch.drain(&r);
    EXPECT_EQ(r.stats.read_to_write, 1u);
    EXPECT_EQ(r.stats.write_to_read, 1u);
}

/* Per-bank refresh (DDR5 REFsb style: bank k of every bank group): while bank 0 of each bank
 * group refreshes for tRFCpb, bank 1 is served at once; under all-bank refresh it would wait. */
TEST(DramChannel, PerBankRefreshBlocksOnlyItsBanks) {
    const DramConfig cfg = make("ddr4-3200", {"dram.ranks=1", "dram.refresh_mode=per-bank", "dram.tRFCpb=280"});
    const std::uint64_t miss = cfg.tRCD + cfg.tCL + cfg.tBURST;
    const std::uint64_t first = cfg.tREFI / cfg.banks_per_group; /* rank 0's first REFsb, to bank 0 */
    const std::uint64_t t = first + 10;
    Rig blocked(cfg), free_bank(cfg);
    const std::uint64_t a = blocked.add(at(1, 0, 5), false, t);
    const std::uint64_t b = free_bank.add(at(1, 1, 5), false, t);
    EXPECT_EQ(blocked.latency(a), first + cfg.tRFCpb - t + miss);
    EXPECT_EQ(free_bank.latency(b), miss);
    EXPECT_EQ(blocked.stats.refreshes_per_bank, 1u);
    EXPECT_EQ(blocked.stats.refreshes_all_bank, 0u);
    // The next REFsb goes to bank 1 of every group, tREFI / banks_per_group later.
    Rig next(cfg);
    const std::uint64_t c = next.add(at(2, 1, 5), false, 2 * first + 10);
    EXPECT_EQ(next.latency(c), cfg.tRFCpb - 10 + miss);

    const DramConfig all = make("ddr4-3200", {"dram.ranks=1"});
    Rig rank_wide(all);
    const std::uint64_t d = rank_wide.add(at(1, 1, 5), false, all.tREFI + 10);
    EXPECT_EQ(rank_wide.latency(d), all.tRFC - 10 + miss);
}

/* The closed-page policy precharges after the access unless a queued request hits the row; the
 * timeout policy closes an idle row page_timeout cycles after its last use. */
TEST(DramChannel, PagePolicies) {
    const std::uint64_t miss_lat = [] { const DramConfig c = ddr4(); return std::uint64_t(c.tRCD + c.tCL + c.tBURST); }();
    {
        Rig r(ddr4({"dram.page_policy=closed"}));
        r.add(at(0, 0, 0), false, 0);
        r.ch.drain(&r);
        EXPECT_EQ(r.latency(r.add(at(0, 0, 0, 1), false, 1000)), miss_lat); /* the row was closed */
    }
    {
        Rig r(ddr4({"dram.page_policy=timeout", "dram.page_timeout=200"}));
        r.add(at(0, 0, 0), false, 0);
        r.ch.drain(&r);
        const DramConfig &c = r.cfg;
        EXPECT_EQ(r.latency(r.add(at(0, 0, 0, 1), false, 100)), std::uint64_t(c.tCL + c.tBURST)); /* still open */
        EXPECT_EQ(r.latency(r.add(at(0, 0, 0, 2), false, 2000)), miss_lat);                       /* timed out */
    }
}

/* The timeout (adaptive) policy at its boundary: a read opens row 0 of bank (0,0), so its RD
 * (the row's last use) issues at tRCD. A row-0 read arriving at tRCD + page_timeout is served
 * before the timeout PRE (requests come first at a cycle): a hit. One arriving a cycle later
 * finds the row closed by the timeout PRE of the cycle before: a miss, which also waits out the
 * rest of that PRE's tRP (tRP - 1), so tRP - 1 + tRCD + tCL + tBURST. A request for another
 * row is the same miss, not a conflict. */
TEST(DramChannel, TimeoutPolicyClosesAnIdleRowExactlyAtItsTimeout) {
    const std::uint32_t timeout = 150;
    const DramConfig c = ddr4({"dram.page_policy=timeout", "dram.page_timeout=" + std::to_string(timeout)});
    const std::uint64_t hit = c.tCL + c.tBURST, miss = c.tRP - 1 + c.tRCD + c.tCL + c.tBURST;
    const std::uint64_t last_use = c.tRCD;
    {
        Rig r(c);
        r.add(at(0, 0, 0), false, 0);
        EXPECT_EQ(r.latency(r.add(at(0, 0, 0, 1), false, last_use + timeout)), hit);
    }
    {
        Rig r(c);
        r.add(at(0, 0, 0), false, 0);
        EXPECT_EQ(r.latency(r.add(at(0, 0, 0, 1), false, last_use + timeout + 1)), miss);
        EXPECT_EQ(r.stats.pres, 1u);
    }
    {
        Rig r(c);
        r.add(at(0, 0, 0), false, 0);
        EXPECT_EQ(r.latency(r.add(at(0, 0, 5), false, last_use + timeout + 1)), miss);
        EXPECT_EQ(r.stats.bg_conflicts[0], 0u);
    }
}

TEST(DramAddressMapping, DramSim3AndRamulatorNames) {
    // DRAMsim3 rochrababgco on DDR3 (1 channel, 1 rank, no bank groups): column bits right above
    // the 64-byte burst offset, then 3 bank bits, then the row.
    const DramConfig d3 = make("ddr3-1600", {"dram.address_mapping=rochrababgco"});
    DramAddressMapper m3(d3);
    EXPECT_EQ(m3.decode(DramAddr(1ull << 6)).column, 1u);
    EXPECT_EQ(m3.decode(DramAddr(1ull << 13)).bank, 1u);
    EXPECT_EQ(m3.decode(DramAddr(1ull << 16)).row, 1u);
    // Ramulator RoBaRaCoCh on DDR4 (2 channels, 2 ranks, 4x4 banks): Ba is bank over bank group.
    const DramConfig d4 = make("ddr4-3200", {"dram.address_mapping=RoBaRaCoCh"});
    EXPECT_EQ(d4.field_order, "RoBaBgRaCoCh");
    DramAddressMapper m4(d4);
    EXPECT_EQ(m4.decode(DramAddr(1ull << 6)).channel, 1u);
    EXPECT_EQ(m4.decode(DramAddr(1ull << 7)).column, 1u);
    EXPECT_EQ(m4.decode(DramAddr(1ull << 14)).rank, 1u);
    EXPECT_EQ(m4.decode(DramAddr(1ull << 15)).bankgroup, 1u);
    EXPECT_EQ(m4.decode(DramAddr(1ull << 17)).bank, 1u);
    EXPECT_EQ(m4.decode(DramAddr(1ull << 19)).row, 1u);
}

/* Impossible settings: one ConfigError naming the key. */
TEST(DramConfigCheck, ImpossibleSettingsNameTheKey) {
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
        {{"dram.tWTR_L=60"}, "dram.tWTR_L"},                       /* longer than tRAS (52) */
        {{"dram.read_queue=0"}, "dram.read_queue"},
        {{"dram.write_queue=0"}, "dram.write_queue"},
        {{"dram.address_mapping=RoRaBaCoBg"}, "dram.address_mapping"}, /* 2 channels, no Ch bits */
        {{"dram.address_mapping=RoRoBaCoBgCh"}, "dram.address_mapping"},
        {{"dram.refresh_mode=per-bank"}, "dram.tRFCpb"},
        {{"dram.page_policy=timeout"}, "dram.page_timeout"},
        {{"dram.write_low_watermark=0.9"}, "dram.write_low_watermark"},
    };
    for (const auto &[sets, key] : cases) {
        try {
            make("ddr4-3200", sets);
            ADD_FAILURE() << sets[0] << " accepted";
        } catch (const ConfigError &e) {
            EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
        }
    }
}

/* The TLM path (DramTimingEngine::access): a read arriving after the scheduler's clock has
 * passed its cycle (out of simulated-time order) enters at the clock and reports the skew;
 * a posted write is answered at entry; the same calls give the same answers every time. */
TEST(DramTimingEngine, OutOfOrderArrivalEntersAtTheClockDeterministically) {
    const DramConfig cfg = ddr4();
    auto run = [&] {
        DramTimingEngine e(cfg);
        std::vector<std::uint64_t> out;
        const auto a = e.access(DramAddr(0), false, 1000, 64, DramTimingEngine::Klass::data);
        const auto b = e.access(DramAddr(1ull << 20), false, 400, 64, DramTimingEngine::Klass::data);
        const auto w = e.access(DramAddr(1ull << 21), true, 1200, 64, DramTimingEngine::Klass::data);
        EXPECT_EQ(a.skew, 0u);
        EXPECT_EQ(a.done - a.entry, std::uint64_t(cfg.tRCD + cfg.tCL + cfg.tBURST)); /* a miss on an idle controller */
        EXPECT_EQ(b.entry, 1000u);
        EXPECT_EQ(b.skew, 600u);
        EXPECT_GT(b.done, b.entry);
        EXPECT_EQ(w.done, w.entry); /* posted */
        e.flush();
        EXPECT_EQ(e.traffic(DramTimingEngine::Klass::data).reads, 2u);
        EXPECT_EQ(e.traffic(DramTimingEngine::Klass::data).writes, 1u);
        out = {a.done, b.entry, b.done, w.entry, e.last_done()};
        return out;
    };
    EXPECT_EQ(run(), run());
}

/* Tag traffic (Klass::tag: tag-cache fills) goes through the same read queue and bank state as
 * data (docs/timing-model.md, "The tag region"). DDR4-3200, idle controller, rank 0:
 *  - a tag read of row 1 of bank (0,0) at cycle 0, then a data read of row 2 of the same bank:
 *    the tag read is the older, so it opens its row (ACT 0, RD tRCD) and the data read is a
 *    conflict behind it: PRE at ACT + tRAS (> RD + tRTP), ACT tRP later, then tRCD + tCL +
 *    tBURST. Alone, the data read would be a miss, tRCD + tCL + tBURST;
 *  - the same with the tag read replaced by a data read gives the same cycles (no class is
 *    favoured), and each class's statistics count their own request;
 *  - each latency lands in its power-of-two bucket of the class's histogram. */
TEST(DramTimingEngine, TagReadsShareTheBanksWithDataReads) {
    const DramConfig cfg = ddr4();
    const DramAddressMapper mapper(cfg);
    const std::uint64_t miss = cfg.tRCD + cfg.tCL + cfg.tBURST;
    const std::uint64_t conflict_behind = cfg.tRAS + cfg.tRP + cfg.tRCD + cfg.tCL + cfg.tBURST;
    ASSERT_GT(cfg.tRAS, cfg.tRCD + cfg.tRTP) << "tRAS must be what holds the PRE";
    for (const auto first : {DramTimingEngine::Klass::tag, DramTimingEngine::Klass::data}) {
        SCOPED_TRACE(first == DramTimingEngine::Klass::tag ? "tag first" : "data first");
        DramTimingEngine e(cfg);
        const auto a = e.access(mapper.encode(at(0, 0, 1)), false, 0, 64, first);
        const auto d = e.access(mapper.encode(at(0, 0, 2)), false, 0, 64, DramTimingEngine::Klass::data);
        EXPECT_EQ(a.done, miss);
        EXPECT_EQ(d.done, conflict_behind);
        e.flush();
        const auto &tag = e.traffic(DramTimingEngine::Klass::tag);
        const auto &data = e.traffic(DramTimingEngine::Klass::data);
        if (first == DramTimingEngine::Klass::tag) {
            EXPECT_EQ(tag.reads, 1u);
            EXPECT_EQ(tag.row_misses, 1u);
            EXPECT_EQ(data.reads, 1u);
            EXPECT_EQ(data.row_conflicts, 1u);
            EXPECT_EQ(tag.latency.count_in(32, 64), 1u) << miss << " cycles";
            EXPECT_EQ(data.latency.count_in(64, 128), 1u) << conflict_behind << " cycles";
        } else {
            EXPECT_EQ(tag.reads, 0u);
            EXPECT_EQ(data.reads, 2u);
        }
    }
    DramTimingEngine alone(cfg);
    EXPECT_EQ(alone.access(mapper.encode(at(0, 0, 2)), false, 0, 64, DramTimingEngine::Klass::data).done, miss);
}

/* The stats' power-of-two latency buckets (docs/stats.md: [0, 16), [16, 32), ..., [2^16, inf))
 * read from LatencyHistogram::count_in, which is exact at those edges on both sides of the
 * histogram's own exact/log boundary (4096 cycles): each sample lands in the one bucket whose
 * bounds hold it, and the buckets add up to the samples. */
TEST(DramLatencyHistogram, PowerOfTwoBucketsHoldEachSampleOnce) {
    LatencyHistogram h;
    const std::vector<std::uint64_t> samples{0, 1, 15, 16, 48, 4095, 4096, 5000, 8191, 8192, 65535, 65536, 1u << 20};
    for (const std::uint64_t v : samples) h.add(v);
    std::vector<std::pair<std::uint64_t, std::uint64_t>> buckets{{0, 16}};
    for (std::uint64_t lo = 16; lo < 65536; lo *= 2) buckets.push_back({lo, 2 * lo});
    buckets.push_back({65536, UINT64_MAX});
    std::uint64_t sum = 0;
    for (const auto &[lo, hi] : buckets) {
        std::uint64_t expected = 0;
        for (const std::uint64_t v : samples) expected += v >= lo && v < hi;
        EXPECT_EQ(h.count_in(lo, hi), expected) << lo << ".." << hi;
        sum += h.count_in(lo, hi);
    }
    EXPECT_EQ(sum, h.count());
    EXPECT_EQ(h.count_in(32, 64), 1u) << "48";
    EXPECT_EQ(h.count_in(4096, 8192), 3u) << "4096, 5000, 8191";
}

/* A tag read holds a read-queue slot like any read. Read queue of 2: a tag read and a data read
 * of row 0 of bank (0,0) fill it at cycle 0; a third read (bank group 1) enters only when the
 * first one's RD (at tRCD, after its ACT at 0) frees a slot, at the next undecided cycle
 * tRCD + 1; its ACT then, its data tRCD + tCL + tBURST later. The second read, a row hit
 * behind the first in the same bank group, has its RD tCCD_L after the first. */
TEST(DramTimingEngine, TagReadsTakeReadQueueSlots) {
    const DramConfig cfg = ddr4({"dram.read_queue=2"});
    const DramAddressMapper mapper(cfg);
    for (const auto first : {DramTimingEngine::Klass::tag, DramTimingEngine::Klass::data}) {
        SCOPED_TRACE(first == DramTimingEngine::Klass::tag ? "tag first" : "data first");
        DramTimingEngine e(cfg);
        const auto t = e.access(mapper.encode(at(0, 0, 0, 0)), false, 0, 64, first);
        const auto a = e.access(mapper.encode(at(0, 0, 0, 1)), false, 0, 64, DramTimingEngine::Klass::data);
        const auto b = e.access(mapper.encode(at(1, 0, 0)), false, 0, 64, DramTimingEngine::Klass::data);
        EXPECT_EQ(t.done, std::uint64_t(cfg.tRCD + cfg.tCL + cfg.tBURST));
        EXPECT_EQ(a.entry, 0u);
        EXPECT_EQ(a.done, std::uint64_t(cfg.tRCD + cfg.tCCD_L + cfg.tCL + cfg.tBURST));
        EXPECT_EQ(b.entry, std::uint64_t(cfg.tRCD + 1)) << "the queue was full until the first RD";
        EXPECT_EQ(b.done, std::uint64_t(2 * cfg.tRCD + 1 + cfg.tCL + cfg.tBURST));
    }
}

/* An idle gap of a thousand refresh intervals: every refresh that falls due in it is counted
 * (skipped intervals included) and the gap costs no simulation step per refresh; the rows the
 * first refresh closed stay closed, so a read after the gap to the row read before it misses. */
TEST(DramChannel, IdleGapCountsEveryRefreshAndLeavesRowsClosed) {
    Rig r(make("ddr4-3200", {"dram.write_low_watermark=0"}));
    const std::uint64_t refi = r.cfg.tREFI;
    const std::uint64_t gap_end = 1000 * refi + refi / 8; /* no refresh falls due near it */
    r.add(at(0, 0, 7), false, 0);
    r.ch.drain(&r);
    const std::uint64_t hits_before = r.stats.bg_hits[0];
    const std::uint64_t id = r.add(at(0, 0, 7), false, gap_end);
    std::uint64_t expected = 0;
    for (std::uint32_t rank = 0; rank < r.cfg.ranks; ++rank) {
        const std::uint64_t first = refi + rank * (refi / r.cfg.ranks); /* the staggered first REFab */
        if (first <= gap_end) expected += (gap_end - first) / refi + 1;
    }
    EXPECT_EQ(r.stats.refreshes_all_bank, expected);
    r.latency(id);
    EXPECT_EQ(r.stats.bg_hits[0], hits_before) << "the refresh closed row 7: the read after the gap is no row hit";
}

// The scheduler may jump over idle cycles and issue, at the end of a jump, the command that
// becomes legal first (DramChannel::step). The reference is a controller that decides every
// cycle: the same requests, enqueued at the same cycles, advanced one cycle at a time (an
// advance to t + 1 can never jump past a cycle). Both must issue every request at the same
// cycle with the same row outcome, and the same ACT, PRE and refresh commands.
TEST(DramChannel, JumpingOverIdleCyclesDecidesAsSteppingEveryCycle) {
    for (const char *policy : {"open", "closed"}) {
        const DramConfig cfg = make("ddr4-3200", {std::string("dram.page_policy=") + policy});
        Rig jump(cfg), every(cfg);
        std::uint64_t seed = 12345, t = 0;
        auto rnd = [&seed](std::uint64_t n) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            return (seed >> 33) % n;
        };
        for (int burst = 0; burst < 150; ++burst) {
            t += 50 + rnd(400); /* bursts far enough apart that the queues never fill */
            const std::uint64_t n = 1 + rnd(12);
            for (std::uint64_t i = 0; i < n; ++i) {
                const DramCoord k = at(static_cast<std::uint32_t>(rnd(cfg.bankgroups)),
                                       static_cast<std::uint32_t>(rnd(cfg.banks_per_group)), rnd(3), rnd(64),
                                       static_cast<std::uint32_t>(rnd(cfg.ranks)));
                const bool write = rnd(10) < 3;
                jump.add(k, write, t);
                while (every.ch.now() < t) every.ch.advance(every.ch.now() + 1, &every);
                every.add(k, write, t);
            }
        }
        const std::uint64_t end = t + 100000;
        jump.ch.advance(end, &jump);
        while (every.ch.now() < end) every.ch.advance(every.ch.now() + 1, &every);
        /* writes at or below the low watermark wait for more (no drain without a flush) */
        ASSERT_EQ(jump.ch.queued(), every.ch.queued()) << policy;
        ASSERT_GT(jump.order.size(), 500u) << policy;
        ASSERT_EQ(jump.order.size(), every.order.size()) << policy;
        for (std::size_t i = 0; i < jump.order.size(); ++i) {
            const auto &a = jump.order[i], &b = every.order[i];
            ASSERT_EQ(a.id, b.id) << policy << " completion " << i;
            EXPECT_EQ(a.done, b.done) << policy << " request " << a.id;
            EXPECT_EQ(a.outcome, b.outcome) << policy << " request " << a.id;
        }
        EXPECT_EQ(jump.stats.acts, every.stats.acts) << policy;
        EXPECT_EQ(jump.stats.pres, every.stats.pres) << policy;
        EXPECT_EQ(jump.stats.refreshes_all_bank, every.stats.refreshes_all_bank) << policy;
        EXPECT_GT(jump.stats.refreshes_all_bank, 0u) << policy << ": the run spans refreshes";
    }
}

/* A prediction of one queued request: run_until_served (told it is queued) and run_until_done
 * (which counts it in the queues) run copies of the channel to the same cycle and give the
 * same completion, which is the one the channel itself reports for it when drained without
 * further arrivals. Random reads and writes over 8 banks and 4 rows, in and out of drains, with
 * the shared queues and with per-bank command queues. */
TEST(DramChannel, PredictingOneQueuedRequestNeedsNoCountOfTheQueues) {
    for (const char *structure : {"shared", "per-bank"}) {
        Rig rig(ddr4({"dram.write_queue=16", "dram.queue_structure=" + std::string(structure)}));
        std::uint64_t rng = 5, t = 0;
        const auto next = [&](std::uint64_t n) {
            return (xorshift64_star(rng) >> 32) % n;
        };
        int predicted = 0;
        for (int i = 0; i < 400; ++i) {
            t += next(6);
            const bool write = next(3) == 0;
            const std::uint64_t id = rig.add(at(static_cast<std::uint32_t>(next(2)), static_cast<std::uint32_t>(next(4)), next(4), next(64)), write, t);
            if (write || rig.answered || next(4) != 0) continue;
            DramChannel a(rig.cfg, 0), b(rig.cfg, 0), c(rig.cfg, 0);
            a.copy_for_prediction(rig.ch);
            b.copy_for_prediction(rig.ch);
            c.copy_for_prediction(rig.ch);
            const std::uint64_t served = a.run_until_served(id), counted = b.run_until_done(id, id);
            ASSERT_EQ(served, counted) << structure << ", request " << i;
            ASSERT_EQ(a.now(), b.now()) << structure << ", request " << i;
            DramChannelRig sink(rig.cfg);
            c.drain(&sink);
            ASSERT_EQ(served, sink.by_id.at(id).done) << "the channel serves it then, with nothing arriving";
            ++predicted;
        }
        EXPECT_GT(predicted, 50) << structure;
    }
}

/* The scheduler keeps each bank's FR-FCFS summary up to date as requests enter (extend_summary)
 * and as row hits are served (summary_after_hit), instead of rescanning the list at every step.
 * Over random traffic (few rows, so hits, conflicts and lists that empty and refill; small
 * bypass caps, so capped requests; drains), every kept summary must equal the one computed
 * from the list itself, after every request and every step. */
TEST(DramChannel, KeptSummariesAreThoseOfTheQueuedRequests) {
    for (const char *cap : {"1", "2", "16"}) {
        Rig rig(ddr4({"dram.bypass_cap=" + std::string(cap), "dram.write_queue=16"}));
        std::uint64_t rng = 11, t = 0;
        const auto next = [&](std::uint64_t n) {
            return (xorshift64_star(rng) >> 32) % n;
        };
        std::size_t checks = 0;
        for (int i = 0; i < 3000; ++i) {
            t += next(8);
            rig.add(at(static_cast<std::uint32_t>(next(2)), static_cast<std::uint32_t>(next(2)), next(3), next(64)),
                    next(3) == 0, t);
            ASSERT_EQ(rig.ch.stale_summaries(), 0u) << "cap " << cap << ", after request " << i;
            for (int s = 0; s < 3 && !rig.ch.idle(); ++s) {
                rig.ch.advance(rig.ch.now() + 1, &rig);
                ASSERT_EQ(rig.ch.stale_summaries(), 0u) << "cap " << cap << ", after request " << i << ", step " << s;
                ++checks;
            }
        }
        EXPECT_GT(checks, 3000u) << cap;
    }
}
