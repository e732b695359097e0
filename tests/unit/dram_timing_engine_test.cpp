// DramTimingEngine without SystemC: a read's predicted completion must leave the committed
// schedule exactly as replay (submit(), no prediction) gives it, whether the engine adopts the
// prediction's run as the channel's future (the next request arrives after it ends) or drops
// it (the next request arrives earlier). The expectation is the replay path, which never
// predicts: every count, histogram and completion cycle must agree.
#include "mtesim/config/config_loader.h"
#include "mtesim/dram/dram_timing_engine.h"

#include "dram_same_stats.h"
#include "dram_test_config.h"

#include <gtest/gtest.h>

#include <utility>

#include <cstdint>
#include <string>
#include <vector>

using namespace mtesim;

namespace {

DramConfig make(const std::string &preset, std::vector<std::string> sets) { return dram_test_config(preset, std::move(sets)); }

struct Req {
    std::uint64_t addr;
    bool write;
    std::uint64_t arrival;
    std::uint32_t bytes;
};

/// A deterministic mix (xorshift): a few rows in a few banks, so that hits, misses and
/// conflicts all occur; gaps from 0 to 400 cycles, so that the next request sometimes comes
/// before a prediction's run ends and sometimes after; a few 128-byte requests, which can span
/// channels.
std::vector<Req> workload(std::size_t n) {
    std::vector<Req> v;
    std::uint64_t x = 0x9e3779b97f4a7c15ull, t = 0;
    auto next = [&x] {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return x;
    };
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t r = next();
        t += (r & 7) == 0 ? (r >> 8) % 400 : (r >> 8) % 12;
        const std::uint64_t addr = ((r >> 20) % 64) * 64 + ((r >> 30) % 6) * (1ull << 21) + ((r >> 40) % 8) * (1ull << 14);
        v.push_back({addr, (r >> 50) % 3 == 0, t, (r >> 56) % 9 == 0 ? 128u : 64u});
    }
    return v;
}

void expect_same_schedule(const std::string &preset, const std::vector<std::string> &sets) {
    SCOPED_TRACE(preset);
    const DramConfig cfg = make(preset, sets);
    DramTimingEngine tlm(cfg), replay(cfg);
    const std::vector<Req> reqs = workload(6000);
    std::uint64_t early = 0;
    for (const Req &q : reqs) {
        const auto k = DramTimingEngine::Klass::data;
        const DramTimingEngine::Result r = tlm.access(DramAddr(q.addr), q.write, q.arrival, q.bytes, k);
        const std::uint64_t entry = replay.submit(DramAddr(q.addr), q.write, q.arrival, q.bytes, k);
        ASSERT_EQ(r.entry, entry) << "request at " << q.arrival;
        if (!q.write) {
            EXPECT_GT(r.done, r.entry);
            early += r.done < q.arrival + 40;
        }
    }
    tlm.flush();
    replay.flush();
    EXPECT_GT(early, 0u) << "some reads should be fast row hits";
    expect_same_traffic(tlm.traffic(DramTimingEngine::Klass::data), replay.traffic(DramTimingEngine::Klass::data));
    expect_same_scheduler(tlm.scheduler(), replay.scheduler());
    EXPECT_EQ(tlm.last_done(), replay.last_done());
    EXPECT_EQ(tlm.bus_busy_cycles(), replay.bus_busy_cycles());
    EXPECT_EQ(tlm.outstanding(), 0u);
    // Both ways out of a prediction were taken, so both are checked above.
    EXPECT_GT(tlm.lookaheads_adopted(), 0u);
    EXPECT_GT(tlm.lookaheads_dropped(), 0u);
}

}  // namespace

TEST(DramTimingEngine, PredictionsLeaveTheReplayScheduleUnchanged) {
    expect_same_schedule("ddr4-3200", {"dram.bypass_cap=2"});
    expect_same_schedule("ddr4-3200", {"dram.channels=2", "dram.page_policy=timeout", "dram.page_timeout=50"});
    expect_same_schedule("ddr5-4800", {"dram.refresh_mode=per-bank", "dram.ranks=2"});
    expect_same_schedule("ddr3-1600", {"dram.page_policy=closed", "dram.tREFI=1200"});
}

// The host counts (stats.json "host"): replay never predicts, so its channels issue exactly the
// committed schedule's commands, counted here from the simulated stats (ACT, PRE, refresh and
// one column command per burst served from DRAM); the TLM path issues those again for every
// dropped prediction, and fewer of them with late entries on, which is what late entries are for.
TEST(DramTimingEngine, HostCountsSeparateRedoneCommandsFromTheSchedule) {
    const std::vector<std::string> ddr5 = {"dram.refresh_mode=per-bank", "dram.ranks=2"};
    for (const auto &sets : {std::vector<std::string>{}, ddr5}) {
        const DramConfig cfg = make(sets.empty() ? "ddr4-3200" : "ddr5-4800", sets);
        DramTimingEngine replay(cfg), on(cfg), off(cfg);
        off.set_late_entries(false);
        const auto k = DramTimingEngine::Klass::data;
        for (const Req &q : workload(6000)) {
            replay.submit(DramAddr(q.addr), q.write, q.arrival, q.bytes, k);
            on.access(DramAddr(q.addr), q.write, q.arrival, q.bytes, k);
            off.access(DramAddr(q.addr), q.write, q.arrival, q.bytes, k);
        }
        replay.flush();
        on.flush();
        off.flush();
        const DramTrafficStats &t = replay.traffic(k);
        const DramSchedulerStats &s = replay.scheduler();
        const std::uint64_t committed = s.acts + s.pres + replay.refreshes() + t.reads + t.writes - t.from_write_queue;
        EXPECT_EQ(replay.host_counts().commands, committed);
        EXPECT_GE(replay.host_counts().steps, committed);
        EXPECT_EQ(replay.lookaheads_adopted() + replay.lookaheads_dropped(), 0u);
        EXPECT_GT(off.lookaheads_dropped(), 0u);
        EXPECT_GT(off.host_counts().commands, committed);
        EXPECT_GT(on.late_entries(), 0u);
        EXPECT_LT(on.host_counts().commands, off.host_counts().commands);
        EXPECT_GE(on.host_counts().commands, committed);
    }
}
