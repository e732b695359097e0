// The out-of-order TimingModel's structures one at a time, driven directly with the latencies a
// MemoryPath would report (no caches, no DRAM): the store buffer, the load queue, the MSHRs of
// the private L2 and the classification of a miss by the level that served it. Every expectation
// is worked from the CoreConfig parameters and the mechanism documented in
// models/core/timing_model.h and docs/timing-model.md (dispatch_width accesses per cycle; a store
// buffer entry held until the store's line is there; a load-queue entry held from dispatch to
// in-order commit; an MSHR held until the data is back).
#include "core/local_clock.h"
#include "core/timing_model.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

using namespace mtesim;

namespace {

CoreConfig ooo_core() {
    CoreConfig c;
    c.out_of_order = true;
    c.dispatch_width = 4;
    c.rob_entries = 128;
    c.store_buffer = 24;
    c.load_queue = 64;
    c.l1d_mshrs = 16;
    c.l2_mshrs = 46;
    c.llc_mshrs = 16;
    c.l1d_latency = 4;
    c.l2_latency = 7;
    c.llc_latency = 30;
    c.l2.size_bytes = 0; /* no private L2 unless a test gives one */
    return c;
}

struct Rig {
    CoreConfig config;
    LocalClock clock{2000000000};
    TimingModel timing;
    std::uint64_t start;
    explicit Rig(const CoreConfig &c) : config(c), timing(config, clock), start(clock.now_cycles()) {}
    /// Cycles since the rig was made (SystemC time need not start at 0 in the process).
    std::uint64_t now() const { return clock.now_cycles() - start; }
    /// Issues one access with @latency; returns the cycle it issued at (after any dispatch stall).
    std::uint64_t access(bool write, std::uint64_t latency, std::uint64_t bytes = 0, bool pair = false) {
        timing.begin_access(0, write, bytes, pair);
        const std::uint64_t issued = now();
        timing.end_access(write, AccessLatency{latency, latency > config.l1d_latency}); /* a miss is a demand miss */
        return issued;
    }
};

/// The most loads, among those issued at @issue each taking @latency, in flight at one time.
std::size_t max_in_flight(const std::vector<std::uint64_t> &issue, std::uint64_t latency) {
    std::size_t most = 0;
    for (std::size_t i = 0; i < issue.size(); ++i) {
        std::size_t n = 0;
        for (std::size_t j = 0; j <= i; ++j) n += issue[j] + latency > issue[i];
        most = std::max(most, n);
    }
    return most;
}

/// Issues @n independent loads of @latency cycles each on a fresh rig of @c; the most in flight at one time.
std::size_t loads_in_flight(const CoreConfig &c, std::uint64_t n, std::uint64_t latency) {
    Rig rig(c);
    std::vector<std::uint64_t> issue;
    for (std::uint64_t i = 0; i < n; ++i) issue.push_back(rig.access(false, latency));
    return max_in_flight(issue, latency);
}

}  // namespace

/* Store buffer with K entries, N = 4K independent stores each missing for F cycles. The first K
 * take free entries: no stall, only their dispatch slots (K / width cycles). Store K + j needs
 * the entry of store j, which drains F cycles after it issued: each later group of K stores
 * issues one drain (F) after the group before it. */
TEST(TimingModelStructures, StoreBufferHidesKStoreMissesThenStallsOneDrainEach) {
    constexpr std::uint64_t K = 8, N = 4 * K, F = 200;
    CoreConfig c = ooo_core();
    c.store_buffer = K;
    Rig rig(c);
    for (std::uint64_t i = 0; i < N; ++i) {
        rig.access(true, F);
        // Group g = i / K: its first store waited for store (g - 1) K, issued at (g - 1) F (F
        // after it, its entry drains); the rest of the group found their entries drained by then.
        if (i % K == K - 1) {
            EXPECT_EQ(rig.now(), (i / K) * F + K / c.dispatch_width)
                << "group " << i / K << (i < K ? ": the first K stores never stall" : ": one drain after the group before");
        }
    }
    // After all N: (N / K - 1) drains and one group's dispatch.
    EXPECT_EQ(rig.now(), (N / K - 1) * F + K / c.dispatch_width);
    // The drain waits for the last store: issued at (N / K - 1) F + (K - 1) / width, F long.
    rig.timing.drain();
    EXPECT_EQ(rig.now(), (N / K - 1) * F + (K - 1) / c.dispatch_width + F);
}

/* Load queue of L entries, independent loads that miss for M cycles, MSHRs and ROB far larger: at
 * most L in flight at any time, and the run takes about N / L misses' time. */
TEST(TimingModelStructures, LoadQueueBoundsOverlappingLoadMisses) {
    constexpr std::uint64_t L = 6, N = 36, M = 300;
    CoreConfig c = ooo_core();
    c.load_queue = L;
    c.l1d_mshrs = 32;
    c.llc_mshrs = 32;
    Rig rig(c);
    std::vector<std::uint64_t> issue;
    for (std::uint64_t i = 0; i < N; ++i) issue.push_back(rig.access(false, M));
    EXPECT_EQ(max_in_flight(issue, M), L) << "at most (and up to) core.load_queue misses overlap";
    rig.timing.drain();
    EXPECT_GE(rig.now(), N / L * M) << "N / L rounds of one miss each";
    EXPECT_LT(rig.now(), (N / L + 1) * M);
}

/* With fewer MSHRs than load-queue entries the MSHRs bind: min(L, MSHRs) in flight. */
TEST(TimingModelStructures, FewerMshrsThanLoadQueueEntriesBind) {
    constexpr std::uint64_t L = 6, mshrs = 4, N = 24, M = 300;
    CoreConfig c = ooo_core();
    c.load_queue = L;
    c.l1d_mshrs = mshrs;
    EXPECT_EQ(loads_in_flight(c, N, M), std::min(L, mshrs));
}

/* A load holds its entry until it commits, in order: L1 hits behind an outstanding miss keep
 * theirs until the miss is back. After one miss and L - 1 hits the queue is full: the next load
 * waits for the miss; a store needs no load-queue entry and does not. */
TEST(TimingModelStructures, HitsBehindAMissHoldTheirLoadQueueEntries) {
    constexpr std::uint64_t L = 8, M = 300;
    CoreConfig c = ooo_core();
    c.load_queue = L;
    {
        Rig rig(c);
        rig.access(false, M);
        for (std::uint64_t i = 1; i < L; ++i) rig.access(false, c.l1d_latency);
        EXPECT_LT(rig.now(), M) << "the L loads dispatched without waiting";
        EXPECT_EQ(rig.access(false, c.l1d_latency), M) << "load L + 1 waits for the miss to commit";
    }
    {
        Rig rig(c);
        rig.access(false, M);
        for (std::uint64_t i = 1; i < L; ++i) rig.access(false, c.l1d_latency);
        EXPECT_LT(rig.access(true, c.l1d_latency), M) << "a store takes no load-queue entry";
    }
    {
        CoreConfig roomy = c;
        roomy.load_queue = L + 1;
        Rig rig(roomy);
        rig.access(false, M);
        for (std::uint64_t i = 1; i < L; ++i) rig.access(false, c.l1d_latency);
        EXPECT_LT(rig.access(false, c.l1d_latency), M) << "with one more entry it does not wait";
    }
}

/* A core with a private L2: l2.mshrs bounds the loads that miss it (an L2 miss takes longer than
 * an L2 hit's L1D + L2 latency), whatever serves them; L2 hits take none. */
TEST(TimingModelStructures, L2MshrsBoundL2Misses) {
    constexpr std::uint64_t N = 24, l2_mshrs = 3;
    CoreConfig c = ooo_core();
    c.l2.size_bytes = 1 << 20;
    c.l2.ways = 8;
    c.l2_mshrs = l2_mshrs;
    const std::uint64_t l2_hit = c.l1d_latency + c.l2_latency, llc_hit = l2_hit + c.llc_latency;
    {
        EXPECT_EQ(loads_in_flight(c, N, llc_hit), l2_mshrs) << "LLC hits miss the L2: l2.mshrs at a time";
    }
    {
        EXPECT_GT(loads_in_flight(c, c.l1d_mshrs, l2_hit), l2_mshrs) << "L2 hits hold L1D MSHRs only";
    }
    {
        CoreConfig no_l2 = c;
        no_l2.l2.size_bytes = 0;
        EXPECT_GT(loads_in_flight(no_l2, N, llc_hit), l2_mshrs) << "without an L2, l2.mshrs bounds nothing";
    }
}

/* An LLC hit behind a private L2 costs L1D + L2 + LLC latency: it is not a DRAM miss and takes no
 * llc.mshrs entry; a longer access does. */
TEST(TimingModelStructures, LlcHitsBehindAnL2AreNotCountedAsDramMisses) {
    constexpr std::uint64_t N = 12, llc_mshrs = 2;
    CoreConfig c = ooo_core();
    c.l2.size_bytes = 1 << 20;
    c.l2.ways = 8;
    c.llc_mshrs = llc_mshrs;
    const std::uint64_t llc_hit = c.l1d_latency + c.l2_latency + c.llc_latency, dram = llc_hit + 100;
    {
        EXPECT_EQ(loads_in_flight(c, N, llc_hit), N) << "LLC hits: bounded by neither llc.mshrs nor (16) L1D MSHRs here";
    }
    {
        EXPECT_EQ(loads_in_flight(c, N, dram), llc_mshrs) << "DRAM misses: llc.mshrs at a time";
    }
}

/* The private L2's miss buffers are shared by demand misses and prefetches that miss the L2
 * (Cortex-A76: 46 L2 misses in flight, where the L1D's 20 are "non-prefetch misses"); the
 * MemoryPath records each request that truly missed the L2 as a hold. With l2.mshrs = 3 and
 * three holds until cycles 100, 200 and 300, a request missing the L2 at cycle 50 goes at 100,
 * when the first frees. A load in the window holds none by its latency alone (one that merged
 * into a line on its way is as long as a miss). A hold counts only from its start, but a
 * request cannot take a buffer that a hold recorded as starting later would then find full. */
TEST(TimingModelStructures, PrefetchesHoldL2MissBuffersWithDemandMisses) {
    CoreConfig c = ooo_core();
    c.l2.size_bytes = 1 << 20;
    c.l2.ways = 8;
    c.l2_mshrs = 3;
    {
        Rig rig(c);
        const std::uint64_t t0 = rig.start;
        EXPECT_EQ(rig.timing.l2_buffer_free_at(t0 + 50, t0), t0 + 50) << "nothing held: at once";
        std::size_t n = 0;
        for (std::uint64_t done : {100, 200, 300}) EXPECT_EQ(rig.timing.hold_l2_buffer(t0, t0 + done), ++n) << "the peak";
        EXPECT_EQ(rig.timing.l2_buffer_free_at(t0 + 50, t0), t0 + 100) << "all three held: the first to free";
        EXPECT_EQ(rig.timing.l2_buffer_free_at(t0 + 150, t0), t0 + 150) << "one free again by 150";
        EXPECT_EQ(rig.timing.l2_buffer_free_at(t0 + 350, t0), t0 + 350);
    }
    {
        Rig rig(c);
        const std::uint64_t t0 = rig.start;
        rig.access(false, 400); /* a load longer than an L2 hit (L1D + L2), recorded as no hold */
        rig.timing.hold_l2_buffer(t0, t0 + 100);
        rig.timing.hold_l2_buffer(t0, t0 + 200);
        EXPECT_EQ(rig.timing.l2_buffer_free_at(t0 + 10, t0), t0 + 10) << "two of three held: the window's load is not counted";
    }
    {
        Rig rig(c);
        const std::uint64_t t0 = rig.start;
        rig.timing.hold_l2_buffer(t0, t0 + 100);
        rig.timing.hold_l2_buffer(t0, t0 + 200);
        rig.timing.hold_l2_buffer(t0 + 60, t0 + 300); /* a prefetch that waited, leaving at 60 */
        EXPECT_EQ(rig.timing.l2_buffer_free_at(t0 + 50, t0), t0 + 100)
            << "two held at 50, but a request then would make four at 60, when the third leaves";
        EXPECT_EQ(rig.timing.hold_l2_buffer(t0 + 100, t0 + 400), 3u) << "it takes the buffer freed at 100";
        EXPECT_EQ(rig.timing.l2_buffer_free_at(t0 + 70, t0), t0 + 200)
            << "the buffer freed at 100 is taken again at once: the next completion frees one";
        EXPECT_EQ(rig.timing.hold_l2_buffer(t0 + 150, t0 + 250), 4u) << "a hold that did not wait: four at 150";
    }
}

/* Load and store pipelines (core.load_pipes, core.store_pipes): N L1D hits of one kind issue at
 * min(pipes, dispatch_width) a cycle; loads and stores interleaved each use their own pipes.
 * (Within one cycle: a cycle the pipes filled is left open until the next access needs one.) */
TEST(TimingModelStructures, PipelinesBoundAccessesOfTheirKindPerCycle) {
    constexpr int kN = 64;
    for (unsigned store_pipes : {0u, 1u, 2u}) {
        CoreConfig c = ooo_core();
        c.load_pipes = 2;
        c.store_pipes = store_pipes;
        Rig loads(c);
        for (int i = 0; i < kN; ++i) loads.access(false, c.l1d_latency);
        EXPECT_NEAR(static_cast<double>(loads.now()), kN / 2.0, 1.0) << "two load pipes: two loads a cycle";
        Rig stores(c);
        for (int i = 0; i < kN; ++i) stores.access(true, c.l1d_latency);
        const unsigned per_cycle = store_pipes ? store_pipes : c.dispatch_width;
        EXPECT_NEAR(static_cast<double>(stores.now()), static_cast<double>(kN) / per_cycle, 1.0)
            << store_pipes << " store pipes (0: the dispatch width)";
        Rig mixed(c);
        for (int i = 0; i < kN; ++i) mixed.access(i % 2 != 0, c.l1d_latency);
        /* a load and a store a cycle with one store pipe (the first cycle takes a second load);
         * two of each (the width, 4) with two or more */
        EXPECT_NEAR(static_cast<double>(mixed.now()), store_pipes == 1 ? kN / 2.0 : kN / 4.0, 1.0)
            << store_pipes << " store pipes, interleaved";
    }
}

TEST(TimingModelStructures, PipelinesAtTheDispatchWidthChangeNothing) {
    CoreConfig c = ooo_core();
    Rig free_pipes(c);
    c.load_pipes = c.store_pipes = c.dispatch_width;
    Rig at_width(c);
    for (int i = 0; i < 100; ++i) {
        free_pipes.access(i % 3 == 0, i % 7 == 0 ? 200 : c.l1d_latency);
        at_width.access(i % 3 == 0, i % 7 == 0 ? 200 : c.l1d_latency);
    }
    EXPECT_EQ(free_pipes.now(), at_width.now());
}

/* Pipeline slots by size (core.load_slot_bytes, core.store_slot_bytes) on pipelines loads and
 * stores share (core.load_store_pipes): Neoverse N1's two load/store pipelines as LLVM's N1
 * model gives them, where an 8-byte store takes one, a 16-byte STP X or STR Q both, a 32-byte
 * STP Q four slots (two cycles), a load one slot per 16 bytes and a load pair one per register.
 * N L1D hits then take N x slots / 2 cycles, whatever the dispatch width (4 here). */
TEST(TimingModelStructures, PipelineSlotsFollowTheAccessSize) {
    constexpr int kN = 64;
    CoreConfig c = ooo_core();
    c.load_pipes = c.store_pipes = c.load_store_pipes = 2;
    c.load_slot_bytes = 16;
    c.store_slot_bytes = 8;
    const struct {
        bool write;
        std::uint64_t bytes;
        bool pair;
        double cycles;
        const char *what;
    } cases[] = {
        {true, 8, false, kN / 2.0, "STR X: one slot, two a cycle"},
        {true, 16, false, kN, "STP X / STR Q: both pipelines, one a cycle"},
        {true, 32, false, 2.0 * kN, "STP Q: four slots, two cycles each"},
        {true, 0, false, kN / 2.0, "a size not given (a DC ZVA): one slot"},
        {false, 16, false, kN / 2.0, "LDR Q: one slot"},
        {false, 16, true, kN, "LDP X: a slot for each register"},
        {false, 32, false, kN, "LDP Q's 32 bytes: two slots"},
    };
    for (const auto &k : cases) {
        Rig rig(c);
        for (int i = 0; i < kN; ++i) rig.access(k.write, c.l1d_latency, k.bytes, k.pair);
        EXPECT_NEAR(static_cast<double>(rig.now()), k.cycles, 1.0) << k.what;
    }
    c.load_slot_bytes = c.store_slot_bytes = 0;
    Rig per_access(c);
    for (int i = 0; i < kN; ++i) per_access.access(true, c.l1d_latency, 16);
    EXPECT_NEAR(static_cast<double>(per_access.now()), kN / 2.0, 1.0) << "no slot sizes: one slot an access, whatever its size";
}

/* core.load_pair_slots overrides the per-register slots of a load pair (the kernel's LDP X):
 * with 16-byte load slots a pair of 8-byte registers takes two slots, one a register; given one
 * (Neoverse V2's model), two pairs issue a cycle on two pipelines. Other loads keep their size's. */
TEST(TimingModelStructures, ALoadPairTakesItsGivenSlots) {
    constexpr int kN = 64;
    CoreConfig c = ooo_core();
    c.load_pipes = c.store_pipes = c.load_store_pipes = 2;
    c.load_slot_bytes = 16;
    Rig per_register(c);
    for (int i = 0; i < kN; ++i) per_register.access(false, c.l1d_latency, 16, true);
    EXPECT_NEAR(static_cast<double>(per_register.now()), kN, 1.0) << "unset: a slot a register, one pair a cycle";
    c.load_pair_slots = 1;
    Rig given(c);
    for (int i = 0; i < kN; ++i) given.access(false, c.l1d_latency, 16, true);
    EXPECT_NEAR(static_cast<double>(given.now()), kN / 2.0, 1.0) << "one slot a pair: two a cycle";
    Rig wide(c);
    for (int i = 0; i < kN; ++i) wide.access(false, c.l1d_latency, 32);
    EXPECT_NEAR(static_cast<double>(wide.now()), kN, 1.0) << "a 32-byte load, not a pair: two slots as before";
}

/* Shared pipelines (core.load_store_pipes) bound loads and stores together: interleaved, two
 * load and two store pipelines issue two accesses a cycle when they are the same two, four (the
 * dispatch width) when they are not. */
TEST(TimingModelStructures, SharedPipelinesBoundLoadsAndStoresTogether) {
    constexpr int kN = 64;
    for (unsigned shared : {0u, 2u, 3u}) {
        CoreConfig c = ooo_core();
        c.load_pipes = c.store_pipes = 2;
        c.load_store_pipes = shared;
        Rig mixed(c);
        for (int i = 0; i < kN; ++i) mixed.access(i % 2 != 0, c.l1d_latency);
        const double per_cycle = shared ? shared : c.dispatch_width;
        EXPECT_NEAR(static_cast<double>(mixed.now()), kN / per_cycle, 1.0) << shared << " shared pipelines (0: none)";
    }
}

/* Non-memory instructions behind a miss (TimingModel::dispatch): the ROB holds the miss and
 * rob_entries - 1 of them; the rest dispatch only once the miss is back (at the base CPI of 1 here). */
TEST(TimingModelStructures, InstructionsBeyondTheRobWaitForTheMissAhead) {
    CoreConfig c = ooo_core();
    Rig overfull(c);
    overfull.access(false, 300); /* a DRAM miss issued at cycle 0; its dispatch slot is the first of a cycle */
    overfull.timing.compute(1000);
    EXPECT_EQ(overfull.now(), 300u + (1000u - (c.rob_entries - 1))) << "127 under the miss, 873 after it";
    Rig fits(c);
    fits.access(false, 300);
    fits.timing.compute(100);
    EXPECT_EQ(fits.now(), 100u) << "100 fit in the ROB behind the miss: no wait";
    Rig no_miss(c);
    no_miss.timing.compute(1000);
    EXPECT_EQ(no_miss.now(), 1000u);
}

/* A store whose tag check faults synchronously cannot retire before its check (the fault is
 * precise; docs/timing-model.md, "Tag checks"): a miss of it holds the ROB as a load miss does,
 * where an ordinary store miss retires into the store buffer and holds nothing. */
TEST(TimingModelStructures, ASyncCheckedStoreMissHoldsTheRobAsALoadDoes) {
    const CoreConfig c = ooo_core();
    const auto store_then_compute = [&](bool precise) {
        Rig rig(c);
        rig.timing.begin_access(0, true);
        AccessLatency a{300, true};
        a.precise_store = precise;
        rig.timing.end_access(true, a);
        rig.timing.compute(1000);
        return rig.now();
    };
    EXPECT_EQ(store_then_compute(true), 300u + (1000u - (c.rob_entries - 1))) << "127 under the store's check, 873 after it";
    EXPECT_EQ(store_then_compute(false), 1000u) << "an ordinary store miss: its store-buffer entry only";
    // A precise store that hit (its tags in the L1D) retires at once.
    Rig hit(c);
    hit.timing.begin_access(0, true);
    AccessLatency h{c.l1d_latency, false};
    h.precise_store = true;
    hit.timing.end_access(true, h);
    hit.timing.compute(1000);
    EXPECT_EQ(hit.now(), 1000u);
}
