// Boot timing (issue "Boot"): the linear map's instruction charge against the derivation of
// docs/timing-model.md ("Instructions: the count from the C"), written out here term by term;
// the barriers per table; the DVM broadcast cost of a TLBI against a hand computation and its
// growth with the shareable domain; the topology binding's bad input; the four measured
// machines' boards.
#include "mtesim/boot/base_cpi_instruction_stream.h"
#include "mtesim/boot/boot_sequence.h"
#include "mtesim/boot/core_timing_instruction_stream.h"
#include "mtesim/boot/dvm_broadcast_model.h"
#include "mtesim/boot/linear_map_builder.h"
#include "mtesim/boot/page_table_walker.h"
#include "mtesim/common/config_error.h"
#include "mtesim/dt/board_loader.h"
#include "mtesim/mm/functional_kernel_memory.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

using namespace mtesim;

namespace {

/* The derivation's terms, each the sum of its C constructs as docs/timing-model.md lists them. */
constexpr std::uint64_t kPerPte = 1 /* ldr old */ + 2 /* pfn_pte */ + 1 /* str */ + 1 /* re-read */ +
                                  1 /* pte_valid(old) */ + 5 /* phys, ptep, addr, cmp, b.ne */;
constexpr std::uint64_t kPerContPte = 6 /* pte_cont_addr_end */ + 6 /* contiguity test */ + 2 /* init_pte entry */ +
                                      4 /* ptep += */ + 2 /* phys += */ + 3 /* loop */;
constexpr std::uint64_t kTableCall = 7 /* call */ + 10 /* prologue, epilogue */ + 1 /* READ_ONCE */ +
                                     3 /* BUG_ON sect */ + 1 /* none */ + 3 /* descriptor value */;
constexpr std::uint64_t kPerPmdEntry = 1 + 6 /* pmd_addr_end */ + 5 /* section test */ + 1 /* BUG_ON */ + 2 + 1 + 2;
constexpr std::uint64_t kPerContPmd = 6 + 6 + 7 /* init_pmd call */ + 12 /* its prologue */ + 4 + 2 + 3;
constexpr std::uint64_t kPerPudEntry = 1 + 6 + 6 /* 1 GiB block test */ + 1 + 2 + 2;
constexpr std::uint64_t kPudCall = 7 + 12 + 7;
constexpr std::uint64_t kPerPgdEntry = 6 + 2 + 2;
constexpr std::uint64_t kSet = 4 + 4 + 2 + 3 + 6 + 1 + 2 + 1 + 3;
constexpr std::uint64_t kClear = 4 + 4 + 2 + 3 + 6 + 1 + 1 /* __pte_clear */ + 3 + 4 + 4 /* flush one page */;
constexpr std::uint64_t kAlloc = 10 /* early_pgtable_alloc */ + 12 + 80 + 125 + 16 + 15 /* memblock */;
constexpr std::uint64_t kClearPage64 = 6 + 4 * (4096 / 64);

struct Rig {
    SparseMemory mem;
    Memblock memblock;
    FunctionalKernelMemory kmem{mem};
    BaseCpiInstructionStream stream{CoreConfig{}, nullptr};
    TopologyDesc topology;
    DvmBroadcastModel dvm{topology, 2000000000, 30, 300};
    LinearMapBuilder builder;
    Rig(AddrRange r, bool map_once, bool blocks = false)
        : memblock({r}), builder(memblock, kmem, BootTiming{stream, dvm}, config(map_once, blocks), r.base(), false) {
        builder.map(r, false);
    }
    static BootConfig config(bool map_once, bool blocks) {
        BootConfig c;
        c.map_once = map_once;
        c.block_mappings = blocks;
        return c;
    }
};

}  // namespace

TEST(LinearMapInstructions, ChargeIsTheDerivationsSumFor64MiB) {
    // 64 MiB at 2 GiB: one PGD entry, one PUD entry (inside one 1 GiB), one PMD table with 32
    // entries in two 32 MiB chunks, 32 PTE tables of 512 PTEs in 32 64 KiB chunks each.
    const AddrRange r(PhysAddr(0x80000000), 64ull << 20);
    const std::uint64_t ptes = 16384, pte_tables = 32, tables = pte_tables + 1 /* PMD */ + 1 /* PUD */;
    const std::uint64_t walk = ptes * kPerPte + (ptes / 16) * kPerContPte + pte_tables * kTableCall +
                               pte_tables * kPerPmdEntry + 2 * kPerContPmd + kTableCall /* PMD table */ +
                               kPerPudEntry + kPudCall + kPerPgdEntry;
    const std::uint64_t per_table_once = kAlloc + kSet + kClearPage64 + kClear;
    Rig once(r, true);
    EXPECT_EQ(once.builder.stats().ptes, ptes);
    EXPECT_EQ(once.builder.stats().tables[3], pte_tables);
    EXPECT_EQ(once.builder.stats().instructions, walk + tables * per_table_once);
    EXPECT_EQ(once.stream.stats().instructions, once.builder.stats().instructions);
    EXPECT_EQ(once.builder.stats().instruction_cycles, once.builder.stats().instructions) << "core.base_cpi 1";
    // remap-twice: each table is fixmapped a second time (set and clear) to be populated.
    Rig twice(r, false);
    EXPECT_EQ(twice.builder.stats().instructions, walk + tables * (per_table_once + kSet + kClear));
}

TEST(LinearMapInstructions, OnePteTableMore) {
    // 4 MiB vs 2 MiB inside one PMD table: one PTE table more (its allocation, fixmap, clear,
    // 512 PTEs, 32 chunks, the call) and one PMD entry more.
    Rig two(AddrRange(PhysAddr(0x80000000), 2ull << 20), true);
    Rig four(AddrRange(PhysAddr(0x80000000), 4ull << 20), true);
    const std::uint64_t one_table = kTableCall + kAlloc + kSet + kClearPage64 + 512 * kPerPte + 32 * kPerContPte + kClear;
    EXPECT_EQ(one_table, 6971u) << "the figure docs/timing-model.md quotes";
    EXPECT_EQ(four.builder.stats().instructions - two.builder.stats().instructions, one_table + kPerPmdEntry);
}

TEST(LinearMapInstructions, BarriersPerTable) {
    const AddrRange r(PhysAddr(0x80000000), 64ull << 20);
    Rig once(r, true), twice(r, false);
    const std::uint64_t tables = 34;
    // map-once: descriptor (DSB ISHST, ISB), fixmap set (2), init_clear_pgtable (1), clear (3).
    EXPECT_EQ(once.builder.stats().barriers, tables * (2 + 2 + 1 + 3));
    // remap-twice: descriptor (2), allocator's set + clear (5), populate's set + clear (5).
    EXPECT_EQ(twice.builder.stats().barriers, tables * (2 + 5 + 5));
    EXPECT_EQ(once.builder.stats().tlbis, tables);
    EXPECT_EQ(twice.builder.stats().tlbis, 2 * tables);
    // No topology: each TLBI waits kernel.tlbi_cycles.
    EXPECT_EQ(once.builder.stats().tlbi_cycles, tables * 300);
    const BootStats &s = once.builder.stats();
    EXPECT_EQ(s.cycles, s.instruction_cycles + s.memory_cycles + s.barrier_cycles + s.tlbi_cycles);
}

TEST(LinearMapInstructions, OnTheOutOfOrderCoreTheChargeIsTheSameAndDispatchesAtTheWidth) {
    // The default stream on a 4-wide out-of-order core (a port that only counts, no memory
    // model behind it): the same instructions as the derivation (per table, per PTE), their
    // cycles a quarter of them, every DSB/ISB one drain, every ISB kernel.isb_cycles more.
    const AddrRange r(PhysAddr(0x80000000), 64ull << 20);
    const std::uint64_t ptes = 16384, pte_tables = 32, tables = pte_tables + 2;
    const std::uint64_t walk = ptes * kPerPte + (ptes / 16) * kPerContPte + pte_tables * kTableCall +
                               pte_tables * kPerPmdEntry + 2 * kPerContPmd + kTableCall + kPerPudEntry + kPudCall +
                               kPerPgdEntry;
    const std::uint64_t expected = walk + tables * (kAlloc + kSet + kClearPage64 + kClear);
    CoreConfig core;
    core.out_of_order = true;
    core.dispatch_width = 4;
    std::uint64_t drains = 0, stalled = 0;
    CoreTimingInstructionStream stream(core, CoreTimingPort{[](std::uint64_t, std::uint64_t c) { return c; },
                                                            [&drains] {
                                                                ++drains;
                                                                return std::uint64_t{0};
                                                            },
                                                            [&stalled](std::uint64_t c) {
                                                                stalled += c;
                                                                return c;
                                                            }});
    SparseMemory mem;
    Memblock memblock({r});
    FunctionalKernelMemory kmem(mem);
    TopologyDesc topology;
    DvmBroadcastModel dvm(topology, 2000000000, 30, 300);
    LinearMapBuilder builder(memblock, kmem, BootTiming{stream, dvm}, BootConfig{}, r.base(), false);
    builder.map(r, false);
    const BootStats &s = builder.stats();
    EXPECT_EQ(s.instructions, expected);
    EXPECT_NEAR(static_cast<double>(s.instruction_cycles), expected / 4.0, 1.0);
    // map-once: 8 barriers per table, 3 of them ISBs (descriptor, fixmap set, fixmap clear).
    EXPECT_EQ(drains, tables * 8);
    EXPECT_EQ(s.barrier_cycles, tables * 3 * core.isb_cycles);
    EXPECT_EQ(stalled, tables * 3 * core.isb_cycles + tables * 300 /* kernel.tlbi_cycles, no topology */);
}

TEST(LinearMapInstructions, ContiguousHintOnlyWithoutRodataFull) {
    // 2 MiB + 96 KiB: with blocks the first 2 MiB is a block, then one whole aligned 64 KiB
    // chunk (PTE_CONT) and half a chunk (not contiguous); rodata=full (pages) never sets it.
    const AddrRange r(PhysAddr(0x80000000), (2ull << 20) + (96ull << 10));
    Rig blocks(r, true, true), pages(r, true, false);
    const auto desc = [](Rig &rig, std::uint64_t offset) {
        auto w = PageTableWalker(rig.mem).walk(rig.builder.root(), rig.builder.va_of(PhysAddr(0x80000000 + offset)));
        EXPECT_TRUE(w);
        return w ? w->descriptor : 0;
    };
    constexpr std::uint64_t kCont = 1ull << 52;
    EXPECT_EQ(desc(blocks, 2ull << 20) & kCont, kCont);
    EXPECT_EQ(desc(blocks, (2ull << 20) + (80ull << 10)) & kCont, 0u);
    EXPECT_EQ(desc(pages, 2ull << 20) & kCont, 0u);
    EXPECT_EQ(blocks.builder.stats().ptes, 24u);
    EXPECT_EQ(pages.builder.stats().ptes, 512u + 24u);
}

namespace {

TopologyDesc mesh(unsigned cores, unsigned columns, unsigned rows, unsigned per_xp) {
    TopologyDesc t;
    t.present = true;
    t.clock_hz = 2000000000;
    t.hop_cycles = 2;
    t.columns = columns;
    t.rows = rows;
    t.dvm_node = {columns - 1, 0};
    for (unsigned i = 0; i < cores; ++i) t.cpu_xps.push_back({(i / per_xp) % columns, (i / per_xp / columns) % rows});
    return t;
}

}  // namespace

TEST(DvmBroadcast, TwoCoresByHand) {
    TopologyDesc t;
    t.present = true;
    t.clock_hz = 1000000000; /* 1000 ps a cycle */
    t.hop_cycles = 2;        /* 2000 ps a hop */
    t.columns = 2;
    t.rows = 1;
    t.dvm_node = {0, 0};
    t.cpu_xps = {{0, 0}, {1, 0}};
    // to and from the DN: 2 hops (the device ports) each way = 8000 ps; the one target: two
    // snoop flits (2000 ps), 3 hops each way (12000 ps), no ack time: a round of 22000 ps.
    const DvmRound r = DvmBroadcastModel::broadcast(t, 0);
    EXPECT_DOUBLE_EQ(r.ps, 22000.0);
    EXPECT_EQ(r.targets, 1u);
    // TLBI + DSB ISH: two rounds, 44 ns = 88 cycles of a 2 GHz core.
    EXPECT_EQ(DvmBroadcastModel(t, 2000000000, 0, 999).tlbi_sync_cycles(), 88u);
    // A 10-cycle ack of a 2 GHz core adds 5000 ps per round.
    EXPECT_EQ(DvmBroadcastModel(t, 2000000000, 10, 999).tlbi_sync_cycles(), 108u);
}

TEST(DvmBroadcast, EachRequesterByHand) {
    // Three cores in a row, the DN at the first one's crosspoint; 1000 ps a cycle, 2000 ps a hop.
    TopologyDesc t;
    t.present = true;
    t.clock_hz = 1000000000;
    t.hop_cycles = 2;
    t.columns = 3;
    t.rows = 1;
    t.dvm_node = {0, 0};
    t.cpu_xps = {{0, 0}, {1, 0}, {2, 0}};
    // Core 0: to and from the DN 2 hops each (8000 ps); core 1 is snooped first (2000 ps of
    // flits, 3 hops each way: 14000), core 2 second (4000, 4 hops each way: 20000).
    EXPECT_DOUBLE_EQ(DvmBroadcastModel::broadcast(t, 0, 0).ps, 8000.0 + 20000.0);
    // Core 2: 4 hops each way to the DN (16000); core 0 first (2000 + 2 x 2 x 2000 = 10000),
    // core 1 second (4000 + 2 x 3 x 2000 = 16000).
    const DvmRound far = DvmBroadcastModel::broadcast(t, 0, 2);
    EXPECT_DOUBLE_EQ(far.ps, 16000.0 + 16000.0);
    EXPECT_EQ(far.targets, 2u) << "the requester is not snooped";
    EXPECT_EQ(far.max_hops, 3u);
    // Core 1: 3 hops each way (12000); core 0 first (10000), core 2 second (20000).
    EXPECT_DOUBLE_EQ(DvmBroadcastModel::broadcast(t, 0, 1).ps, 12000.0 + 20000.0);
    // In a 2 GHz core's cycles: a round of 32000 ps is 64 cycles, TLBI + DSB ISH 128.
    const DvmBroadcastModel m(t, 2000000000, 0, 999, 2);
    EXPECT_EQ(m.round_cycles(), 64u);
    EXPECT_EQ(m.tlbi_sync_cycles(), 128u);
    EXPECT_EQ(DvmBroadcastModel(TopologyDesc{}, 2000000000, 0, 999, 2).round_cycles(), 0u) << "no topology";
}

TEST(DvmBroadcast, CostGrowsWithTheCoresOfTheShareableDomain) {
    std::uint64_t last = 0;
    for (unsigned cores : {2u, 4u, 8u, 16u, 32u, 80u}) {
        const std::uint64_t c = DvmBroadcastModel(mesh(cores, 6, 4, 4), 3000000000, 30, 300).tlbi_sync_cycles();
        EXPECT_GT(c, last) << cores << " cores";
        last = c;
    }
    // The same cores spread one per crosspoint over a bigger mesh cost more hops.
    EXPECT_GT(DvmBroadcastModel(mesh(16, 8, 8, 1), 3000000000, 30, 300).round().max_hops,
              DvmBroadcastModel(mesh(16, 8, 8, 4), 3000000000, 30, 300).round().max_hops);
    // Without a topology: kernel.tlbi_cycles.
    EXPECT_EQ(DvmBroadcastModel(TopologyDesc{}, 3000000000, 30, 300).tlbi_sync_cycles(), 300u);
}

namespace {

std::string write_board(const std::string &name, const std::string &root_extra, const std::string &icn, unsigned cpus = 2) {
    std::string s = "/dts-v1/;\n/ {\n\t#address-cells = <2>;\n\t#size-cells = <2>;\n" + root_extra +
                    "\tcpus {\n\t\t#address-cells = <1>;\n\t\t#size-cells = <0>;\n";
    for (unsigned i = 0; i < cpus; ++i)
        s += "\t\tcpu@" + std::to_string(i) + " { device_type = \"cpu\"; reg = <" + std::to_string(i) +
             ">; clock-frequency = <2000000000>; mtesim,mte-version = <0>; };\n";
    s += "\t};\n" + icn +
         "\tmemory@80000000 { device_type = \"memory\"; reg = <0x0 0x80000000 0x0 0x40000000>; };\n"
         "\tdram-controller@80000000 { compatible = \"mtesim,dram-controller\"; reg = <0x0 0x80000000 0x0 0x40000000>; "
         "mtesim,timing = \"ddr4-3200\"; };\n};\n";
    const std::string path = ::testing::TempDir() + name + ".dts";
    std::ofstream(path) << s;
    return path;
}

std::string icn(const std::string &props) {
    return "\tinterconnect {\n\t\tcompatible = \"arm,cmn-600\";\n" + props + "\t};\n";
}

const std::string kGood = "\t\tclock-frequency = <2000000000>;\n\t\tmtesim,hop-cycles = <2>;\n\t\tmtesim,mesh = <2 2>;\n"
                          "\t\tmtesim,dvm-node = <1 1>;\n";

std::string load_error(const std::string &path) {
    try {
        BoardLoader::load(path);
    } catch (const ConfigError &e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(TopologyBinding, ReadsAConsistentMesh) {
    const PlatformDesc d = BoardLoader::load(write_board("good", "", icn(kGood + "\t\tmtesim,cpu-xps = <0 0 1 0>;\n")));
    ASSERT_TRUE(d.topology.present);
    EXPECT_EQ(d.topology.cpu_xps.size(), 2u);
    EXPECT_EQ(d.topology.cpu_xps[1].x, 1u);
    EXPECT_EQ(d.topology.dvm_node.y, 1u);
    EXPECT_FALSE(d.topology.virtualised);
}

TEST(TopologyBinding, BadTopologiesNameTheNode) {
    const std::pair<std::string, std::string> cases[] = {
        {icn(kGood + "\t\tmtesim,cpu-xps = <0 0 1 0 1 1>;\n"), "places 3 cores, but /cpus has 2"},
        {icn(kGood + "\t\tmtesim,cpu-xps = <0 0 2 0>;\n"), "crosspoint (2, 0), outside the 2 x 2 mesh"},
        {icn(kGood + "\t\tmtesim,cpu-xps = <0 0 1>;\n"), "expected <x y> pairs"},
        {icn(kGood), "missing property \"mtesim,cpu-xps\""},
        {icn("\t\tclock-frequency = <2000000000>;\n\t\tmtesim,hop-cycles = <2>;\n\t\tmtesim,mesh = <2>;\n"),
         "mtesim,mesh, expected <columns rows>"},
        {icn("\t\tmtesim,hop-cycles = <2>;\n"), "\"clock-frequency\""},
        {"\tinterconnect { compatible = \"acme,bus\"; };\n", "compatible, expected \"arm,cmn-600\""},
    };
    int i = 0;
    for (const auto &[node, expected] : cases) {
        const std::string msg = load_error(write_board("bad" + std::to_string(i++), "", node));
        EXPECT_NE(msg.find("/interconnect: "), std::string::npos) << msg;
        EXPECT_NE(msg.find(expected), std::string::npos) << msg;
        EXPECT_EQ(msg.find('\n'), std::string::npos) << "one line: " << msg;
    }
    // A guest may have fewer vCPUs than the host has cores, not more.
    EXPECT_TRUE(load_error(write_board("vm-ok", "\tmtesim,virtualised;\n", icn(kGood + "\t\tmtesim,cpu-xps = <0 0 1 0 1 1>;\n"))).empty());
    EXPECT_NE(load_error(write_board("vm-bad", "\tmtesim,virtualised;\n", icn(kGood + "\t\tmtesim,cpu-xps = <0 0>;\n")))
                  .find("fewer than the guest's 2 cpus"),
              std::string::npos);
    EXPECT_NE(load_error(write_board("vm-none", "\tmtesim,virtualised;\n", "")).find("without an /interconnect node"),
              std::string::npos);
}

TEST(MeasuredMachines, FourBoardsWithTheirTopology) {
    const PlatformDesc m2 = BoardLoader::load("m2-vm-16g");
    const PlatformDesc vm64 = BoardLoader::load("altra-vm-64g");
    const PlatformDesc vm256 = BoardLoader::load("altra-vm-256g");
    const PlatformDesc metal = BoardLoader::load("altra-512g");
    EXPECT_EQ(m2.data_bytes(), 16ull << 30);
    EXPECT_EQ(vm64.data_bytes(), 64ull << 30);
    EXPECT_EQ(vm256.data_bytes(), 256ull << 30);
    EXPECT_EQ(metal.data_bytes(), 512ull << 30);
    EXPECT_TRUE(m2.topology.virtualised && vm64.topology.virtualised && vm256.topology.virtualised);
    EXPECT_FALSE(metal.topology.virtualised);
    EXPECT_EQ(metal.cpus.size(), 80u);
    EXPECT_EQ(metal.topology.cpu_xps.size(), 80u);
    EXPECT_EQ(vm64.topology.cpu_xps.size(), 80u) << "a guest's TLBIs reach every host core";
    EXPECT_EQ(m2.topology.cpu_xps.size(), 8u);
    EXPECT_EQ(metal.cpus.front().clock_hz, 3000000000u);
    // Same host, same domain: the guest's TLBI costs what the bare-metal one does.
    const auto cost = [](const PlatformDesc &d) {
        return DvmBroadcastModel(d.topology, d.cpus.front().clock_hz, 30, 300).tlbi_sync_cycles();
    };
    EXPECT_EQ(cost(vm64), cost(metal));
    EXPECT_GT(cost(metal), cost(m2)) << "80 cores on a mesh against 8 in two clusters";
}

TEST(MeasuredMachines, TheGuestBoardsMapTheirMemory) {
    // The 16 and 64 GiB boards map their memory PTE by PTE; all four are also in
    // LinearMap.TableCountsMatchTheClosedFormOnEveryBoardAndMode (every built-in board) and the
    // CLI boots them in bench/fidelity/boot.sh.
    for (const char *name : {"m2-vm-16g", "altra-vm-64g"}) {
        const PlatformDesc d = BoardLoader::load(name);
        Rig rig(d.memories.front().range, true);
        EXPECT_FALSE(rig.builder.stats().out_of_memory) << name;
        EXPECT_EQ(rig.builder.stats().ptes, d.data_bytes() / 4096) << name;
        EXPECT_EQ(rig.builder.stats().tables[3], d.data_bytes() >> 21) << name;
    }
}

TEST(MeasuredMachines, AGuestsFixmapRefillIsANestedWalk) {
    // The boot sequence on the M2 guest: every fixmap set is followed by a 24-read nested walk
    // ((4 + 1) x (4 + 1) - 1); the same memory on bare metal (the board without
    // mtesim,virtualised) walks 4. And the guest's TLBI is the DVM broadcast to the 8 host cores.
    PlatformDesc guest = BoardLoader::load("m2-vm-16g");
    PlatformDesc metal = guest;
    metal.topology.virtualised = false;
    metal.topology.cpu_xps.resize(guest.cpus.size());
    for (const PlatformDesc *d : {&guest, &metal}) {
        SparseMemory mem;
        FunctionalKernelMemory kmem(mem);
        BaseCpiInstructionStream stream(CoreConfig{}, nullptr);
        BootSequence seq(*d, BootConfig{}, MmConfig{}, CoreConfig{}, kmem);
        auto allocator = seq.run([] { return 0; }, stream);
        const BootStats &s = seq.result().linear_map;
        EXPECT_EQ(s.walk_reads, (d == &guest ? 24u : 4u) * s.fixmap_maps);
        EXPECT_TRUE(seq.result().dvm_modelled);
        EXPECT_EQ(seq.result().dvm_round.targets, d->topology.cpu_xps.size() - 1);
        EXPECT_EQ(s.tlbi_cycles, s.tlbis * seq.result().tlbi_sync_cycles);
    }
}
