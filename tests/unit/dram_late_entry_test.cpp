// Late entries (DramLateEntry): a request arriving inside a prediction's run enters that run when
// it changes none of the run's decisions. The expectation is the engine with late entries off,
// where every such request drops the run and the channel steps to it itself: each request's
// answer (entry cycle, predicted completion, skew) and every statistic must be the same. The
// traffic is built so that late entries are both admitted and refused (row hits that would
// overtake a recorded ACT, writes that would start a drain, full queues, forwarding), and the
// tests check that some were admitted, and that some reads took their PRE or ACT in the run's
// idle cycles (DramLateEntry::take), so that the comparison covers them.
#include "mtesim/dram/dram_address_mapper.h"
#include "mtesim/dram/dram_timing_engine.h"

#include "dram_same_stats.h"
#include "dram_test_config.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

using namespace mtesim;

namespace {

struct Req {
    std::uint64_t addr;
    bool write;
    std::uint64_t arrival;
    std::uint32_t bytes;
};

struct Rng {
    std::uint64_t x;
    std::uint64_t operator()() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return x;
    }
};

/// Cores streaming: each of @streams walks its own region line by line, reading and now and
/// then writing back a line it read earlier, with gaps of 0-20 cycles; one request in 16
/// arrives up to 60 cycles before the previous one (another core's local time, behind), one in
/// 64 after a pause of up to 2000 cycles; a few random lines anywhere (conflicts).
std::vector<Req> streams(std::size_t n, unsigned streams, std::uint64_t seed) {
    Rng rng{seed};
    std::vector<Req> v;
    std::vector<std::uint64_t> pos(streams);
    for (unsigned s = 0; s < streams; ++s) pos[s] = (std::uint64_t(s) * 37 + 5) << 22;
    std::uint64_t t = 1000;
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t r = rng();
        const unsigned s = static_cast<unsigned>(r % streams);
        t += (r >> 8) % 64 == 0 ? (r >> 16) % 2000 : (r >> 8) % 21;
        std::uint64_t arrival = t;
        if ((r >> 24) % 16 == 0) arrival = t > (r >> 28) % 60 ? t - (r >> 28) % 60 : 0;
        std::uint64_t addr;
        bool write = false;
        const unsigned what = static_cast<unsigned>((r >> 36) % 10);
        if (what < 6) {
            addr = pos[s];
            pos[s] += 64;
        } else if (what < 9) {
            write = true;
            addr = pos[s] > 64 * 24 ? pos[s] - 64 * (1 + (r >> 40) % 24) : pos[s];
        } else {
            addr = ((r >> 20) % (1ull << 27)) & ~63ull;
            write = (r >> 50) & 1;
        }
        v.push_back({addr, write, arrival, 64});
    }
    return v;
}

struct Admitted {
    std::uint64_t entries = 0;  /* late entries admitted */
    std::uint64_t commands = 0; /* of those, reads that took a PRE or ACT in the run's idle cycles */
};

/// Runs @reqs through two engines, late entries on and off; returns what the first admitted.
Admitted expect_same_answers(const DramConfig &cfg, const std::vector<Req> &reqs) {
    DramTimingEngine on(cfg), off(cfg);
    off.set_late_entries(false);
    for (std::size_t i = 0; i < reqs.size(); ++i) {
        const Req &q = reqs[i];
        const auto k = (i % 7 == 0) ? DramTimingEngine::Klass::tag : DramTimingEngine::Klass::data;
        const DramTimingEngine::Result a = on.access(DramAddr(q.addr), q.write, q.arrival, q.bytes, k);
        const DramTimingEngine::Result b = off.access(DramAddr(q.addr), q.write, q.arrival, q.bytes, k);
        EXPECT_EQ(a.entry, b.entry) << "request " << i;
        EXPECT_EQ(a.done, b.done) << "request " << i;
        EXPECT_EQ(a.skew, b.skew) << "request " << i;
        if (a.done != b.done || a.entry != b.entry) return {on.late_entries(), on.late_commands()};
    }
    on.flush();
    off.flush();
    EXPECT_EQ(off.late_entries(), 0u);
    for (auto k : {DramTimingEngine::Klass::data, DramTimingEngine::Klass::tag}) expect_same_traffic(on.traffic(k), off.traffic(k));
    expect_same_scheduler(on.scheduler(), off.scheduler());
    EXPECT_EQ(on.last_done(), off.last_done());
    EXPECT_EQ(on.bus_busy_cycles(), off.bus_busy_cycles());
    EXPECT_EQ(on.outstanding(), 0u);
    EXPECT_EQ(off.late_commands(), 0u);
    return {on.late_entries(), on.late_commands()};
}

void check(const std::string &preset, const std::vector<std::string> &sets, unsigned nstreams, std::uint64_t seed,
           std::size_t n = 20000) {
    SCOPED_TRACE(preset + " streams " + std::to_string(nstreams) + " seed " + std::to_string(seed));
    const DramConfig cfg = dram_test_config(preset, sets);
    const Admitted late = expect_same_answers(cfg, streams(n, nstreams, seed));
    EXPECT_GT(late.entries, n / 20) << "too few late entries for the comparison to cover them";
    EXPECT_GT(late.commands, n / 200) << "too few late reads took commands for the comparison to cover them";
}

}  // namespace

TEST(DramLateEntry, AnswersAndStatsAreThoseOfSteppingTheChannel) {
    check("ddr4-3200", {}, 1, 1);
    check("ddr4-3200", {}, 4, 2);
    check("ddr4-3200", {"dram.bypass_cap=2"}, 6, 3);
    check("ddr4-3200", {"dram.write_queue=16", "dram.min_writes_per_drain=4"}, 3, 4);
    check("ddr4-3200", {"dram.read_queue=8"}, 8, 5);
    check("ddr3-1600", {"dram.tREFI=1200"}, 2, 6);
    check("ddr5-4800", {"dram.refresh_mode=per-bank", "dram.ranks=2"}, 4, 7);
    check("lpddr5-6400", {}, 3, 8);
    // Traffic where a late row hit would become legal at the very cycle of a recorded ACT or
    // PRE (it would win: row hits first), or during a recorded idle stretch that issued no
    // command (the bypass cap held hits back): found by a search over seeds; without those two
    // rules these runs give other answers.
    check("ddr4-3200", {"dram.bypass_cap=1", "dram.write_queue=17", "dram.min_writes_per_drain=2"}, 2, 33);
    check("ddr3-1600", {"dram.bypass_cap=3"}, 5, 98);
    check("ddr3-1600", {"dram.bypass_cap=2"}, 3, 119);
    // Late reads that take their PRE or ACT in the run's idle cycles, where that is exact only
    // with the rules of DramLateEntry::take() and its caller: the run's last four ACTs before
    // it counted in the tFAW window (two ranks, so one rank's ACTs are older than the run), and
    // no command taken in a step whose scans count row hits held back by the bypass cap (found
    // by a search over seeds; without either rule these runs give other answers).
    check("ddr5-4800", {"dram.ranks=2"}, 4, 3 * 7919, 4000);
    check("ddr3-1600", {"dram.ranks=2"}, 8, 87 * 7919, 4000);
}

TEST(DramLateEntry, ConfigurationsTheCheckDoesNotCoverTakeNone) {
    // Closed and timeout pages and per-bank queues: their precharge decisions read both queues.
    // A bypass cap of 0: every request is at the cap as it enters. The check does not reason
    // about them; the answers must still be the same.
    for (const std::vector<std::string> &sets :
         {std::vector<std::string>{"dram.page_policy=closed"},
          std::vector<std::string>{"dram.page_policy=timeout", "dram.page_timeout=50"},
          std::vector<std::string>{"dram.queue_structure=per-bank"}, std::vector<std::string>{"dram.bypass_cap=0"}}) {
        SCOPED_TRACE(sets[0]);
        const DramConfig cfg = dram_test_config("ddr4-3200", sets);
        EXPECT_EQ(expect_same_answers(cfg, streams(4000, 3, 9)).entries, 0u);
    }
}

TEST(DramLateEntry, AReadToAnotherRowTakesItsPreAndActInTheRunsIdleCycles) {
    // DDR4-3200, one channel: bank group 0's bank 0 has row 5 open (an earlier read); a burst of
    // four reads to row 7 of bank group 1 arrives at once, so the run of the first one's
    // prediction goes on to serve all four (ACT, then an RD every tCCD_L = 8 cycles). A read to
    // row 9 of bank group 0's bank 0 arrives 20 cycles into that run: its bank needs a PRE, legal
    // at once, and the run issues nothing then; its ACT is legal tRP = 22 cycles later, between
    // two of the run's RDs, and its RD tRCD = 22 cycles after that, when the run has served the
    // burst. Both commands go into the run's idle cycles instead of dropping it, and the answers
    // and statistics are those of the engine that drops the run and steps the channel.
    const DramConfig cfg = dram_test_config("ddr4-3200", {"dram.channels=1"});
    const DramAddressMapper map(cfg);
    const auto at = [&](std::uint32_t bg, std::uint64_t row, std::uint64_t col) {
        DramCoord c;
        c.bankgroup = bg;
        c.row = row;
        c.column = col;
        return map.encode(c).value();
    };
    std::vector<Req> reqs = {{at(0, 5, 0), false, 1000, 64}};
    for (std::uint64_t col = 0; col < 4; ++col) reqs.push_back({at(1, 7, col), false, 10000, 64});
    reqs.push_back({at(0, 9, 0), false, 10020, 64});
    reqs.push_back({at(0, 9, 1), false, 20000, 64}); /* after the run: it is adopted */
    const Admitted late = expect_same_answers(cfg, reqs);
    EXPECT_EQ(late.entries, 4u); /* three of the burst behind the first, and the read to row 9 */
    EXPECT_EQ(late.commands, 1u);
}
