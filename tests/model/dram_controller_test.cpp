// DRAM controller model tests (SystemC fixture). Each JEDEC timing rule is checked at t-1 and
// at t: a request that arrives one cycle before the rule releases its command is delayed by
// exactly one cycle, and one that arrives at t is not delayed at all. Also: the row hit <
// miss < conflict ordering, refresh, closed-page, tag traffic and peak-bandwidth saturation
// with several initiators.
#include "dram/dram_controller.h"
#include "interconnect/interconnect.h"

#include "mtesim/config/config_loader.h"
#include "mtesim/dram/dram_address_mapper.h"

#include <gtest/gtest.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include <functional>
#include <memory>
#include <set>
#include <tuple>

using namespace mtesim;
using sc_core::sc_time;

namespace {

DramConfig dram_config(const std::string &preset, std::vector<std::string> sets) {
    sets.insert(sets.begin(), "dram.controller_latency_ns=0");
    ConfigStore store = ConfigLoader::with_dram_preset(ConfigLoader::load({}, sets), preset, "test");
    return DramConfig::resolve(store);
}

struct DramBench : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<DramBench> socket{"initiator"};
    PlatformDesc empty;
    TagLayout layout{empty};
    SparseMemory memory;
    TagStore tags{layout, memory};
    DramConfig cfg;
    DramAddressMapper mapper;
    std::unique_ptr<DramController> ctrl;

    DramBench(const DramConfig &c, const TagCacheConfig &tc = {}, sc_core::sc_module_name n = "bench")
        : sc_core::sc_module(n), cfg(c), mapper(c) {
        DramControllerParams p{{AddrRange(PhysAddr(0), c.capacity_bytes())}, c, tc};
        ctrl = std::make_unique<DramController>("dram", p, memory, tags);
        socket.bind(ctrl->socket);
    }

    /// Issues one 64-byte request arriving at cycle @arrival; returns its latency in cycles.
    std::uint64_t access(const DramCoord &k, bool write, std::uint64_t arrival) {
        unsigned char data[64] = {};
        tlm::tlm_generic_payload t;
        t.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
        t.set_address(mapper.encode(k).value());
        t.set_data_ptr(data);
        t.set_data_length(64);
        t.set_streaming_width(64);
        const sc_time tck(cfg.tck_ps, sc_core::SC_PS);
        sc_time delay = tck * static_cast<double>(arrival);
        socket->b_transport(t, delay);
        EXPECT_EQ(t.get_response_status(), tlm::TLM_OK_RESPONSE);
        return static_cast<std::uint64_t>(delay / tck + 0.5) - arrival;
    }
    std::uint64_t read(const DramCoord &k, std::uint64_t arrival) { return access(k, false, arrival); }
    std::uint64_t access_addr(std::uint64_t addr, bool write, std::uint64_t arrival) {
        return access(mapper.decode(DramAddr(addr)), write, arrival);
    }
};

DramCoord at(std::uint32_t bg, std::uint32_t bank, std::uint64_t row, std::uint64_t col = 0) {
    DramCoord c;
    c.bankgroup = bg;
    c.bank = bank;
    c.row = row;
    c.column = col;
    return c;
}

/// DDR4-3200 with refresh off, so only the rule under test can delay a request, and a low
/// watermark of 0, so that a lone write is drained as soon as no read waits.
DramConfig ddr4(std::vector<std::string> sets = {}) {
    sets.insert(sets.begin(), "dram.write_low_watermark=0");
    sets.push_back("dram.refresh=false");
    return dram_config("ddr4-3200", sets);
}

}  // namespace

TEST(DramTiming, RowHitMissConflictLatenciesAndOrdering) {
    DramBench b(ddr4());
    const auto &c = b.cfg;
    const std::uint64_t miss = b.read(at(0, 0, 0), 0);
    const std::uint64_t hit = b.read(at(0, 0, 0, 1), 1000);
    const std::uint64_t conflict = b.read(at(0, 0, 1), 2000);
    EXPECT_EQ(miss, c.tRCD + c.tCL + c.tBURST);
    EXPECT_EQ(hit, c.tCL + c.tBURST);
    EXPECT_EQ(conflict, c.tRP + c.tRCD + c.tCL + c.tBURST);
    EXPECT_LT(hit, miss);
    EXPECT_LT(miss, conflict);
    const auto s = b.ctrl->stats();
    EXPECT_EQ(s.data.row_hits, 1u);
    EXPECT_EQ(s.data.row_misses, 1u);
    EXPECT_EQ(s.data.row_conflicts, 1u);
}

/* Writes are posted: the initiator is answered when the write enters the write queue. With
 * no read waiting it is drained at once, and its data reaches DRAM tCWL + tBURST after its WR
 * (a row hit here): the write latency histogram holds exactly that. */
TEST(DramTiming, WritesArePostedAndUseTCWL) {
    DramBench b(ddr4());
    b.read(at(0, 0, 0), 0);
    EXPECT_EQ(b.access(at(0, 0, 0, 1), true, 1000), 0u);
    const auto s = b.ctrl->stats();
    EXPECT_EQ(s.data.writes, 1u);
    EXPECT_EQ(s.data.write_latency.max(), b.cfg.tCWL + b.cfg.tBURST);
    EXPECT_EQ(s.data.row_hits, 1u);
}

/* Each rule: a setup, then a probe at t-1 (delayed by 1) and at t (not delayed). A fresh
 * controller per probe keeps the two probes independent. */
struct RuleCase {
    const char *name;
    std::vector<std::string> sets;
    std::function<void(DramBench &)> setup;
    DramCoord probe;
    bool write;
    std::function<std::uint64_t(const DramConfig &)> t;         /* the release cycle */
    std::function<std::uint64_t(const DramConfig &)> base;      /* undelayed latency */
};

static void check_rule(const RuleCase &rc) {
    SCOPED_TRACE(rc.name);
    const DramConfig cfg = ddr4(rc.sets);
    const std::uint64_t t = rc.t(cfg), base = rc.base(cfg);
    ASSERT_GT(t, 0u);
    // Two benches in one elaboration, one per probe.
    DramBench early(cfg, {}, (std::string(rc.name) + "_early").c_str());
    DramBench exact(cfg, {}, (std::string(rc.name) + "_exact").c_str());
    rc.setup(early);
    rc.setup(exact);
    EXPECT_EQ(early.access(rc.probe, rc.write, t - 1), base + 1) << "at t-1";
    EXPECT_EQ(exact.access(rc.probe, rc.write, t), base) << "at t";
}

TEST(DramTiming, EachRuleAtTMinusOneAndAtT) {
    auto conflict = [](const DramConfig &c) { return std::uint64_t(c.tRP + c.tRCD + c.tCL + c.tBURST); };
    auto miss = [](const DramConfig &c) { return std::uint64_t(c.tRCD + c.tCL + c.tBURST); };
    auto hit = [](const DramConfig &c) { return std::uint64_t(c.tCL + c.tBURST); };
    const std::vector<RuleCase> cases = {
        {"tRAS", {}, [](DramBench &b) { b.read(at(0, 0, 0), 0); }, at(0, 0, 1), false,
         [](const DramConfig &c) { return std::uint64_t(c.tRAS); }, conflict},
        {"tWR", {}, [](DramBench &b) { b.access(at(0, 0, 0), true, 0); }, at(0, 0, 1), false,
         [](const DramConfig &c) { return std::uint64_t(c.tRCD + c.tCWL + c.tBURST + c.tWR); }, conflict},
        {"tRTP", {}, [](DramBench &b) { b.read(at(0, 0, 0), 0); b.read(at(0, 0, 0, 1), 100); }, at(0, 0, 1), false,
         [](const DramConfig &c) { return std::uint64_t(100 + c.tRTP); }, conflict},
        {"tRP", {"dram.page_policy=closed"}, [](DramBench &b) { b.read(at(0, 0, 0), 0); }, at(0, 0, 1), false,
         [](const DramConfig &c) { return std::uint64_t(c.tRAS + c.tRP); }, miss},
        {"tCCD_L", {}, [](DramBench &b) { b.read(at(0, 1, 0), 0); b.read(at(0, 0, 0), 200); b.read(at(0, 0, 0, 1), 300); },
         at(0, 1, 0, 1), false, [](const DramConfig &c) { return std::uint64_t(300 + c.tCCD_L); }, hit},
        {"tCCD_S", {"dram.tCCD_S=6"}, [](DramBench &b) { b.read(at(1, 0, 0), 0); b.read(at(0, 0, 0), 200); b.read(at(0, 0, 0, 1), 300); },
         at(1, 0, 0, 1), false, [](const DramConfig &c) { return std::uint64_t(300 + c.tCCD_S); }, hit},
        {"tRRD_L", {}, [](DramBench &b) { b.read(at(0, 0, 0), 0); }, at(0, 1, 0), false,
         [](const DramConfig &c) { return std::uint64_t(c.tRRD_L); }, miss},
        {"tRRD_S", {}, [](DramBench &b) { b.read(at(0, 0, 0), 0); }, at(1, 0, 0), false,
         [](const DramConfig &c) { return std::uint64_t(c.tRRD_S); }, miss},
        // The fourth ACT one cycle late, so that its RD (tRCD later) does not take the
        // command bus at the probe's cycle: one command per cycle.
        {"tFAW", {},
         [](DramBench &b) {
             for (std::uint32_t g = 0; g < 4; ++g) b.read(at(g, 0, 0), g * b.cfg.tRRD_S + (g == 3));
         },
         at(0, 1, 0), false, [](const DramConfig &c) { return std::uint64_t(c.tFAW); }, miss},
    };
    for (const auto &rc : cases) check_rule(rc);
}

TEST(DramTiming, RcdAndClAreAddedExactly) {
    DramBench a(ddr4(), {}, "a");
    DramBench b(ddr4({"dram.tRCD=30", "dram.tCL=25"}), {}, "b");
    EXPECT_EQ(b.read(at(0, 0, 0), 0) - a.read(at(0, 0, 0), 0), (30u - 22u) + (25u - 22u));
}

/* All-bank refresh on one rank: when the window opens at tREFI the rank takes no new command
 * until its open banks are precharged (after tRAS) and REFab has held it for tRFC. */
TEST(DramTiming, RefreshBlocksTheRankForTRFCAtTREFI) {
    const DramConfig cfg = dram_config("ddr4-3200", {"dram.ranks=1"});
    const std::uint64_t miss = cfg.tRCD + cfg.tCL + cfg.tBURST;
    DramBench early(cfg, {}, "early"), exact(cfg, {}, "exact");
    // Column command at tREFI - 1: before the first refresh window.
    EXPECT_EQ(early.read(at(0, 0, 0), cfg.tREFI - cfg.tRCD - 1), miss);
    EXPECT_EQ(early.ctrl->stats().refreshes, 0u);
    // Column command due at tREFI: the window has opened. The ACT (at tREFI - tRCD) stands;
    // the bank is precharged at ACT + tRAS, REF follows tRP later, then ACT and RD again.
    const std::uint64_t arrival = cfg.tREFI - cfg.tRCD;
    EXPECT_EQ(exact.read(at(0, 0, 0), arrival), cfg.tRAS + cfg.tRP + cfg.tRFC + miss);
    EXPECT_EQ(exact.ctrl->stats().refreshes, 1u);
    // That access reopened the row; it stays open until the next window, tREFI later, which
    // closes it again: the access after it is a miss.
    EXPECT_EQ(exact.read(at(0, 0, 0), 2 * cfg.tREFI - 2000), cfg.tCL + cfg.tBURST);
    EXPECT_EQ(exact.ctrl->stats().refreshes, 1u);
    EXPECT_EQ(exact.read(at(0, 0, 0), 2 * cfg.tREFI + cfg.tRFC + 100), miss);
    EXPECT_EQ(exact.ctrl->stats().refreshes, 2u);
}

/* A request after a long idle gap (a million refresh windows): the windows in between are
 * all carried out and the last one still holds the rank. */
TEST(DramTiming, LongIdleGapCatchesUpEveryRefreshWindow) {
    const DramConfig cfg = dram_config("ddr4-3200", {"dram.ranks=1"});
    const std::uint64_t miss = cfg.tRCD + cfg.tCL + cfg.tBURST;
    const std::uint64_t windows = 1000000;
    DramBench after(cfg, {}, "after"), during(cfg, {}, "during");
    after.read(at(0, 0, 0), 0);
    during.read(at(0, 0, 0), 0);
    // After the last window's tRFC: the row was closed by the refreshes, so a plain miss.
    EXPECT_EQ(after.read(at(0, 0, 0), windows * cfg.tREFI + cfg.tRFC + 100), miss);
    EXPECT_EQ(after.ctrl->stats().refreshes, windows);
    // Inside the last window's tRFC: the ACT waits for the refresh to end.
    EXPECT_EQ(during.read(at(0, 0, 0), windows * cfg.tREFI + 10), cfg.tRFC - 10 + miss);
    EXPECT_EQ(during.ctrl->stats().refreshes, windows);
}

/* Two ranks: each refreshes on its own staggered schedule (DRAMsim3 RANK_LEVEL_STAGGERED);
 * while rank 0 is in tRFC, rank 1 serves requests at once. */
TEST(DramTiming, RankRefreshLeavesTheOtherRankFree) {
    const DramConfig cfg = dram_config("ddr4-3200", {});
    ASSERT_EQ(cfg.ranks, 2u);
    const std::uint64_t miss = cfg.tRCD + cfg.tCL + cfg.tBURST;
    DramBench b(cfg);
    DramCoord r1 = at(0, 0, 0);
    r1.rank = 1;
    EXPECT_EQ(b.read(r1, cfg.tREFI + 10), miss);
    EXPECT_EQ(b.read(at(1, 0, 0), cfg.tREFI + 20), cfg.tRFC - 20 + miss);
}

TEST(DramTagTraffic, TagCacheMissCostsATagRegionRead) {
    // A board with tag storage: data [0, 62 MiB*32), tags above it.
    PlatformDesc d;
    d.memories.push_back(MemoryDesc{"/memory@0", AddrRange(PhysAddr(0), 0x7c000000), 1});
    d.tag_storage.push_back(TagStorageDesc{"/tags", AddrRange(PhysAddr(0x7c000000), 0x3e00000), 0x1000, 0, true, TagBindingForm::v3});
    TagLayout layout(d);
    const DramConfig cfg = ddr4();
    DramControllerParams p{{AddrRange(PhysAddr(0), 0x80000000)}, cfg, TagCacheConfig{4096, 4, 64}};
    SparseMemory memory;
    TagStore tags(layout, memory);
    DramController ctrl("dram", p, memory, tags);
    struct Top : sc_core::sc_module {
        tlm_utils::simple_initiator_socket<Top> socket{"s"};
        explicit Top(sc_core::sc_module_name nm) : sc_core::sc_module(nm) {}
    } top("top");
    top.socket.bind(ctrl.socket);

    auto access = [&](std::uint64_t addr, MteExtension::TagOp op, Tag value) {
        unsigned char data[64] = {};
        tlm::tlm_generic_payload t;
        MteExtension ext;
        ext.tag_op = op;
        ext.tags.fill(value);
        t.set_command(op == MteExtension::TagOp::write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
        t.set_address(addr);
        t.set_data_ptr(data);
        t.set_data_length(64);
        t.set_streaming_width(64);
        t.set_extension(&ext);
        sc_time delay = sc_core::SC_ZERO_TIME;
        top.socket->b_transport(t, delay);
        t.clear_extension(&ext);
        return ext;
    };
    // Write tags 0x5 to line 0x1000 (a writeback carrying tags): tag cache miss -> one tag-line read.
    access(0x1000, MteExtension::TagOp::write, 5);
    auto s = ctrl.stats();
    EXPECT_EQ(s.tag_cache.misses, 1u);
    EXPECT_EQ(s.tag.reads, 1u);
    EXPECT_EQ(s.data.writes, 1u);
    // Reading the line back returns the tags, and the tag line now hits.
    MteExtension back = access(0x1000, MteExtension::TagOp::read, 0);
    EXPECT_TRUE(back.tagged_memory);
    for (unsigned g = 0; g < 4; ++g) EXPECT_EQ(back.tags[g], 5);
    s = ctrl.stats();
    EXPECT_EQ(s.tag_cache.hits, 1u);
    EXPECT_EQ(s.tag.reads, 1u);
    // The tag bytes sit where TagLayout says: granules 0x100..0x103 -> tag bytes 0x7c000080/81.
    EXPECT_EQ(memory.read_byte(PhysAddr(0x7c000080)), 0x55);
    EXPECT_EQ(memory.read_byte(PhysAddr(0x7c000081)), 0x55);
    // Tag storage itself is not tagged memory. A payload to a tag-storage page is data (the
    // RFC's pool lends those pages to the allocator): it counts as data, not tag traffic.
    MteExtension none = access(0x7c000000, MteExtension::TagOp::read, 0);
    EXPECT_FALSE(none.tagged_memory);
    s = ctrl.stats();
    EXPECT_EQ(s.data.reads, 2u); /* the read of 0x1000 and this one */
    EXPECT_EQ(s.tag.reads, 1u);  /* still only the tag cache's fill */
    // Evicting dirty tag lines writes them back: touch 5 lines mapping to one set (4 ways).
    const std::uint64_t sets = 4096 / (4 * 64);
    for (std::uint64_t i = 1; i <= 4; ++i) access(0x1000 + i * sets * 64 * 32, MteExtension::TagOp::read, 0);
    s = ctrl.stats();
    EXPECT_EQ(s.tag_cache.writebacks, 1u);
    EXPECT_EQ(s.tag.writes, 1u);
}

namespace {

/// N initiators, each an SC_THREAD streaming 64-byte reads through its own 1 MiB region with
/// one request outstanding, using temporal decoupling (tlm_quantumkeeper).
struct Streamer : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<Streamer> socket{"s"};
    std::uint64_t base, count;
    SC_HAS_PROCESS(Streamer);
    Streamer(sc_core::sc_module_name n, std::uint64_t b, std::uint64_t c) : sc_core::sc_module(n), base(b), count(c) {
        SC_THREAD(run);
    }
    void run() {
        tlm_utils::tlm_quantumkeeper qk;
        qk.reset();
        unsigned char data[64];
        for (std::uint64_t i = 0; i < count; ++i) {
            tlm::tlm_generic_payload t;
            t.set_command(tlm::TLM_READ_COMMAND);
            t.set_address(base + (i * 64) % (1u << 20));
            t.set_data_ptr(data);
            t.set_data_length(64);
            t.set_streaming_width(64);
            // Synchronise before every DRAM access so that requests reach the controller in
            // time order (the cores do the same on a cache miss; docs/timing-model.md).
            qk.sync();
            sc_time d = sc_core::SC_ZERO_TIME;
            socket->b_transport(t, d);
            qk.set(d);
        }
        qk.sync();
    }
};

/// Initiator i starts @stride * i bytes in.
double saturation(const std::string &preset, unsigned initiators, std::uint64_t per_initiator, std::uint64_t stride) {
    const DramConfig cfg = dram_config(preset, {});
    PlatformDesc empty;
    TagLayout layout(empty);
    DramControllerParams p{{AddrRange(PhysAddr(0), cfg.capacity_bytes())}, cfg, {}};
    SparseMemory memory;
    TagStore tags(layout, memory);
    DramController ctrl("dram", p, memory, tags);
    Interconnect bus("bus", InterconnectConfig{});
    bus.initiator_socket.bind(ctrl.socket);
    bus.add_route(AddrRange(PhysAddr(0), cfg.capacity_bytes()), 0);
    tlm_utils::tlm_quantumkeeper::set_global_quantum(sc_time(100, sc_core::SC_NS));
    std::vector<std::unique_ptr<Streamer>> s;
    for (unsigned i = 0; i < initiators; ++i) {
        s.push_back(std::make_unique<Streamer>(("s" + std::to_string(i)).c_str(), stride * i, per_initiator));
        s.back()->socket.bind(bus.target_socket);
    }
    sc_core::sc_start();
    const auto st = ctrl.stats();
    const double seconds = static_cast<double>(st.last_done_cycle) * cfg.tck_ps * 1e-12;
    return static_cast<double>(st.data.bytes) / seconds / cfg.peak_bytes_per_second();
}

}  // namespace

struct SaturationCase {
    const char *preset;
    unsigned initiators;
    std::uint64_t stride;  /* bytes between the initiators' regions */
    double min_ratio;      /* of the configured peak */
};

class DramBandwidth : public ::testing::TestWithParam<SaturationCase> {};

/* Sustained bandwidth never exceeds the configured peak, and with enough initiators streaming
 * through distinct banks it reaches it within 5% on DDR3-1600 (one rank: refresh costs
 * tRFC/tREFI = 3.3%) and within 7% on DDR4-3200 (two ranks: refresh, 7% per rank, is mostly
 * hidden by the other rank, but every switch between ranks on the data bus now costs tRTRS,
 * one cycle per 4-cycle burst, and FR-FCFS does not group requests by rank). Initiators that all stream
 * through one bank thrash its row buffer: far below peak, and still never above it. */
TEST_P(DramBandwidth, SaturationStaysWithinPeak) {
    const SaturationCase &c = GetParam();
    const double ratio = saturation(c.preset, c.initiators, 20000, c.stride);
    std::printf("%s, %u initiators, stride %llu: %.3f of peak\n", c.preset, c.initiators,
                static_cast<unsigned long long>(c.stride), ratio);
    EXPECT_LE(ratio, 1.0);
    EXPECT_GE(ratio, c.min_ratio);
}

INSTANTIATE_TEST_SUITE_P(Streams, DramBandwidth,
                         ::testing::Values(SaturationCase{"ddr3-1600", 8, 8192, 0.95},
                                           SaturationCase{"ddr4-3200", 32, 8192, 0.93},
                                           SaturationCase{"ddr3-1600", 16, 1 << 20, 0.0}),
                         [](const auto &info) {
                             return std::string(info.param.preset[3] == '3' ? "ddr3" : "ddr4") + "_" +
                                    std::to_string(info.param.initiators) + "_stride" +
                                    std::to_string(info.param.stride);
                         });

/* Row locality in a full run's pattern: one thread streams through memory with one read
 * outstanding (a core stalled on each miss), as `mtesim run` does on a sequential loop, on the
 * DDR4-3200 preset (its default mapping interleaves channels and bank groups below the
 * column, so a stream keeps several rows open at once). Refresh is off so that nothing but the
 * scheduler can close a row: a controller that keeps rows open as a real one does then opens
 * each row the stream visits exactly once, a number the address mapper gives independently of
 * the scheduler. With write-backs to banks the reads do not use (another rank), the write
 * drains must not cost the reads their rows either; and writes are batched (a drain serves
 * many write-backs, since the opportunistic drain starts only above the low watermark). */
namespace {

using BankKey = std::tuple<std::uint32_t, std::uint32_t, std::uint32_t, std::uint32_t>;

struct StreamResult {
    std::uint64_t requests, distinct_rows, row_opens, drains;
    std::set<BankKey> read_banks, write_banks;
};

StreamResult stream(const DramConfig &cfg, std::uint64_t lines, std::uint64_t dst) {
    DramBench b(cfg);
    StreamResult res{};
    std::set<std::tuple<BankKey, std::uint64_t>> rows;
    const auto note = [&](std::uint64_t a, std::set<BankKey> &banks) {
        const DramCoord k = b.mapper.decode(DramAddr(a));
        const BankKey bank{k.channel, k.rank, k.bankgroup, k.bank};
        banks.insert(bank);
        rows.emplace(bank, k.row);
    };
    std::uint64_t t = 0;
    for (std::uint64_t i = 0; i < lines; ++i) {
        note(64 * i, res.read_banks);
        t += b.access_addr(64 * i, false, t);
        if (dst) {
            note(dst + 64 * i, res.write_banks);
            b.access_addr(dst + 64 * i, true, t);
        }
    }
    const DramControllerStats s = b.ctrl->stats();
    res.requests = s.data.reads + s.data.writes;
    res.distinct_rows = rows.size();
    res.row_opens = s.data.row_misses + s.data.row_conflicts;
    res.drains = s.scheduler.drain_episodes;
    return res;
}

}  // namespace

TEST(DramRowLocality, SequentialStreamOpensEachRowOnce) {
    const StreamResult r = stream(dram_config("ddr4-3200", {"dram.refresh=false"}), 16384, 0);
    EXPECT_EQ(r.requests, 16384u);
    EXPECT_GT(r.distinct_rows, 1u);
    EXPECT_EQ(r.row_opens, r.distinct_rows);
}

TEST(DramRowLocality, WriteBacksToOtherBanksLeaveTheStreamItsRows) {
    const DramConfig cfg = dram_config("ddr4-3200", {"dram.refresh=false"});
    // 256 KiB read from rank 0 and written back to the same offsets in rank 1 (the mapper says
    // which bit selects the rank).
    std::uint64_t dst = 64;
    DramAddressMapper m(cfg);
    while (m.decode(DramAddr(dst)).rank == 0 || m.decode(DramAddr(dst)).row != 0) dst <<= 1;
    const std::uint64_t lines = std::min<std::uint64_t>(4096, dst / 64);
    const StreamResult r = stream(cfg, lines, dst);
    for (const BankKey &k : r.write_banks) ASSERT_EQ(r.read_banks.count(k), 0u) << "the two streams share a bank";
    EXPECT_EQ(r.requests, 2 * lines);
    EXPECT_EQ(r.row_opens, r.distinct_rows);
    EXPECT_GE(r.drains, 1u);
    // Each drain but the final flush issues at least min_writes_per_drain writes.
    EXPECT_LE(r.drains, lines / cfg.min_writes_per_drain + 1);
}
