// CorePreset: a table of real cores' parameters, each with its source. Only core-private
// parameters are here (pipeline, L1D, private L2, miss buffers, TLBs, prefetchers); the shared LLC
// and the kernel's costs stay in configs/default.ini (so do a core's TLB sizes where no figure
// for it was found: default.ini's are Cortex-A710's). Where Arm publishes no figure the value is "assumed" and
// says why; none is chosen to make a result come out at some figure.
//
// Sources, abbreviated below:
//   [ARM-ARM]  Arm Architecture Reference Manual for A-profile (DDI 0487): FEAT_TLBIRANGE (TLBI
//              range operations, ID_AA64ISAR0_EL1.TLB = 0b0010) is mandatory from Armv8.4, and
//              Armv9.0 includes Armv8.5; an Armv8.2 core has none.
//   [A55-TRM]  Arm Cortex-A55 Core Technical Reference Manual (100442).
//   [A55-SOG]  Arm Cortex-A55 Software Optimization Guide.
//   [A510-TRM] Arm Cortex-A510 Core Technical Reference Manual (101604).
//   [TD21]     Arm's 2021 TechDay disclosure of Cortex-X2, A710 and A510, as reported by AnandTech,
//              "Arm Announces Mobile Armv9 CPU Microarchitectures", May 2021.
//   [A78-TRM]  Arm Cortex-A78 Core Technical Reference Manual (101430).
//   [A78-SOG]  Arm Cortex-A78 Software Optimization Guide.
//   [A710-TRM] Arm Cortex-A710 Core Technical Reference Manual (101800).
//   [A710-SOG] Arm Cortex-A710 Software Optimization Guide.
//   [A715-TRM] Arm Cortex-A715 Core Technical Reference Manual (101590).
//   [X3-TRM]   Arm Cortex-X3 Core Technical Reference Manual (101593).
//   [TD22]     Arm's 2022 TechDay disclosure of Cortex-X3 and A715, as reported by AnandTech,
//              "Arm Unveils Next-Gen Cortex-X3 and Cortex-A715", June 2022.
//   [N1-TRM]   Arm Neoverse N1 Core Technical Reference Manual (100616).
//   [N1-SOG]   Arm Neoverse N1 Software Optimization Guide.
//   [HC31]     Arm, "Neoverse N1", Hot Chips 31 (2019); AnandTech, "Arm's Cortex-A76 CPU
//              Unveiled", 2018 (N1 is A76's server sibling).
//   [V2-TRM]   Arm Neoverse V2 Core Technical Reference Manual (102375).
//   [HC35]     Arm, "Neoverse V2", Hot Chips 35 (2023).
//   [AT-Altra] AnandTech, "The Ampere Altra Review", December 2020: 64 KiB L1D and 1 MiB
//              private L2 per Neoverse N1 core.
//   [WC-N1]    WikiChip, "Neoverse N1 - Microarchitectures - ARM": L2 512 KiB or 1 MiB (2 banks),
//              8-way, 9-11 cycle load-to-use (9 fastest).
//   [A76-TRM]  Arm Cortex-A76 Core Technical Reference Manual (100798), A5.2 "TLB organization":
//              48-entry fully associative L1 data TLB, 1280-entry 5-way L2 TLB that also holds the
//              walk's intermediate table addresses, "Access to the L2 TLB usually takes three cycles".
//   [A55-MMU]  Arm Cortex-A55 TRM, "MMU components" (also reproduced in Intel's Agilex 5 HPS TRM,
//              814346, "Translation Lookaside Buffer"): 16-entry fully associative L1 data TLB,
//              1024-entry 4-way L2 TLB, 64-entry 4-way walk cache RAM.
//   [A53-PF]   Arm Cortex-A53/A35 TRMs, "About data prefetching": the L1D prefetcher recognises
//              misses at a fixed stride within four lines either way.
//   [A55-PF]   Arm Cortex-A55 TRM (100442), A6.1 "About the L1 memory system": a "data side
//              prefetch engine that detects patterns of strides with multiple streams are allowed
//              in parallel, capable of detecting both constant and patterns of strides" (also in
//              Intel's Agilex 5 HPS TRM, 814346, "Level 1 Memory System", and its "Data
//              Prefetching": the prefetcher signals the memory system when it detects a pattern).
//   [A35-RA]   Arm Cortex-A35 TRM (100241), A5.6 "About read allocate mode" (write streaming): an
//              in-order core switches once "three full cache lines have been written" and leaves
//              the mode at "a cacheable write burst to L2 that is not a full cache line"; the
//              Cortex-A53's CPUACTLR_EL1.L1RADIS resets to "4th consecutive streaming cache line
//              does not allocate in the L1 cache" (its TRM's field text, as transcribed in the
//              softwaresunleashed/dog repository). The A55 TRM (B2.30, CPUECTLR_EL1) makes its
//              thresholds programmable (L1WSCTL [26:25]); its L1 reset value was not retrieved
//              (docs/timing-model.md, "Write streaming").
//   [A55-WS]   Arm Cortex-A55 TRM (100442), B2.30 CPUECTLR_EL1, L3WSCTL [30:29]: "01 1024th
//              consecutive streaming cache line does not allocate in the L1, L2, or L3 cache. This is
//              the reset value."
//   [CC-A510]  Chips and Cheese, "Arm's Cortex A510: Two Kids in a Trench Coat", 2023-10-01 (a
//              Snapdragon 8+ Gen 1): "Two A510 cores can be clustered and share a L2 cache, FPU, and
//              L2 TLB. Arm calls this a merged core configuration".
//   [CC-A510-MLP] The same article, on its reordering capacity: "Cortex A510 is not strictly in-order
//              and can handle cache misses without blocking up the pipeline"; "the A510 can overlap
//              two cache misses with the following between them: 12 total instructions, up from 8 on
//              the A53 ... 5 loads. The A53 would stall on any memory access past a cache miss" (also
//              6 FP instructions and 3 branches: the model's window does not count those apart);
//              "Memory accesses are handled by a pair of address generation pipes. Both can handle
//              loads, and one can handle stores."
//   [WC-A510]  WikiChip, "Cortex-A510 - Microarchitectures - ARM" (revision of 2021-08-23), infobox:
//              "L2 Cache 0-512 KiB/cluster 4-way set associative".
//   [SB-A510]  sbc-bench result 4pgq (github.com/ThomasKaiser/sbc-bench, results/4pgq.txt, 2023-02-26):
//              ramlat on cpu0, a Cortex-A510 r0p2 of a Galaxy S22+ (kernel 5.10.136 "S906B"; its SoC is
//              not named reliably, both candidates use A510 complexes), clock measured at 1511 MHz:
//              single pointer chase (1xPTR) 2.393 ns at 32 KiB, 7.875 ns at 64 KiB (the step: a 32 KiB
//              L1D), 10.82 ns at 128 KiB, 18.85 ns at 256 KiB, 39-43 ns at 0.5-2 MiB. At 128 KiB the
//              set is four times the L1D, so a chase finds almost none of its lines there (none under
//              LRU, ~1-2% under random replacement): 10.82 ns x 1.511 GHz = 16.3 cycles is the load-to-use
//              of the complex's L2 (clocked with its cores), L1 dTLB misses at 32 pages included,
//              13 beyond the 3-cycle L1D.
//   [A510-PF]  WikiChip, "Cortex-A510 - Microarchitectures - ARM": the A510 keeps an in-order
//              pipeline but borrows "state-of-the-art branch predictors and prefetchers" (read in a
//              copy of the page; the A510 TRM's prefetcher section was not retrievable here).
//   [LLVM]     LLVM's AArch64 scheduling models (llvm/lib/Target/AArch64/AArch64Sched*.td), written by
//              Arm from each core's Software Optimization Guide: MispredictPenalty, "extra cycles
//              for a mispredicted branch" (AArch64SchedA55.td: 8, "a branch direction mispredict";
//              AArch64SchedNeoverseN1.td: 11; AArch64SchedNeoverseN2.td: 10; AArch64SchedNeoverseV2.td:
//              10, "copied from N2"); and the pipelines each load and store form takes
//              (AArch64SchedNeoverseN1.td, read at llvm-project 02cec0a: N1UnitL, N1UnitD, WriteST,
//              WriteSTP, WriteLD, WriteLDHi and the vector load/store InstRW entries;
//              AArch64SchedNeoverseN2.td at 007f1e9 and AArch64SchedNeoverseV2.td at 06d9edc:
//              N2UnitL01/V2UnitL01, N2UnitL2/V2UnitL2, the store and load aliases and the LDP
//              entries). AArch64Processors.td (at 001224a) gives the Cortex-A710 and A715 the
//              Neoverse N2 model and the Cortex-X3 the Neoverse V2 model.
//   [AT-A76]   AnandTech, "Arm's Cortex-A76 CPU Unveiled", 2018: 13-stage pipeline "with the
//              execution latencies of an 11 stage core".
//   [ARM-LP]   Arm Learning Paths, "Analyze Arm cache hierarchy" (memory-subsystem): Graviton2
//              (N1) 1 MB and Graviton4 (V2) 2 MB private 8-way L2 with 64-byte lines.
//   [ARM-LPL]  Arm Learning Paths, "Measure cache and memory latency with a pointer chase"
//              (memory-subsystem; ASCT latency-sweep, 1 GiB huge pages, so no TLB misses):
//              Graviton2 (N1, 2.5 GHz) L1 1.6 ns, L2 5.4 ns (at 288 KiB); Graviton4 (V2, 2.8 GHz)
//              L1 1.4 ns, L2 4.0 ns (at 640 KiB) = 11.2 cycles load-to-use.
//   [WC-A76]   WikiChip, "Cortex-A76 - Microarchitectures - ARM": "The L2 can support up to 46
//              outstanding misses to the L3" (and 94 from the DSU's L3 to memory: the cluster's).
//   [LQ-A76]   Arm's 2018 disclosure of Cortex-A76 (Arm TechDay), as Android Authority reports it,
//              "Arm Cortex-A76 CPU deep dive", 31 May 2018: "the memory management unit can handle
//              68 in-flight loads, 72 in-flight stores, and 20 outstanding non-prefetch misses"
//              (re-checked 2026-12-03; before, the 68 was AnandTech's and could not be re-read).
//              The 20 are the L1D's demand miss buffers (l1d.mshrs): prefetches take none of them
//              in the model either (MemoryPath). Cited for A76 and its server sibling N1, assumed
//              (A76's) for the later cores below, as the load queue.
//   [WC-A720]  WikiChip Fuse, "Arm Introduces A New Big Core, The Cortex-A720" (Arm Client Tech Day
//              2023): the A720's branch mispredict penalty is one cycle shorter, "down from 12 on
//              the Cortex-A715".
//   [TW-A720]  Tweakers, review 11146 "Arm's nieuwe mobiele platform" (Arm Client Tech Day 2023),
//              page 3: the A720's L2 access latency was lowered "from ten to nine" cycles (the
//              A715's: 10) and its mispredict penalty to 11 cycles from the A715's 12.
//   [AT-G2]    AnandTech, "Amazon's Arm-based Graviton2 Against AMD and Intel: Comparing Cloud
//              Compute", March 2020: N1's L1D 4 cycles, Graviton2's 1 MiB L2 "11 cycles" measured.
//
// core.dispatch_width is the model's instructions per cycle into the window, so it is the
// decode width in instructions (the macro-op dispatch width is wider on every core here), but for
// the in-order-issue A510 (below: one a cycle).
// Prefetchers of the little-core presets: the A55 has an L1D stride prefetcher ([A55-PF]) and the A510
// one as well ([A510-PF]); both presets set l1d.prefetcher = stride. A prefetch does not stall
// the core: its requests leave when the prefetcher saw the miss and the core goes on
// (MemoryPath::PrefetchTime, the same on both core models). Their largest stride is [A53-PF]'s four lines either way (the A55
// TRM gives no figure; the A53 is its predecessor); the table size, confirmations and degree are
// configs/default.ini's assumed values. Neither core has an L2 prefetcher in the model: the A55's
// and A510's L2 (and the DSU's L3) prefetchers are the cluster's, which the model does not have.
// The miss buffers and the store buffer: Arm's TRMs of these cores name the structures but not
// their sizes; they keep configs/default.ini's assumed values (16 L1D MSHRs, 16 to DRAM, 24
// stores) except where written below. The load queue (core.load_queue), the L1D's demand miss
// buffers (l1d.mshrs, [LQ-A76]), the L2's miss buffers (l2.mshrs, [WC-A76]) and the loads to
// DRAM (llc.mshrs: the L2's misses, so the same 46) are set per out-of-order core below; the
// in-order A55 has one demand miss at a time, so its l1d.mshrs and llc.mshrs do not bind.
// The Cortex-A510 runs the window model (core.model = ooo) with its measured reordering
// capacity ([CC-A510-MLP]): two L1D misses, and between them 12 instructions of which 5 loads.
// That model dispatches in program order and stalls the access that uses a load still in flight
// (dep=K), which is what an in-order pipeline that does not block on a miss does; its store
// buffer (24), l2.mshrs (46) and llc.mshrs (16) keep configs/default.ini's assumed values (no
// A510 figure was found), and with two demand misses the last two do not bind. The A55 stays
// blocking: Chips and Cheese's A53 article ("ARM's Cortex A53: Tiny But Important", 2023) finds
// that "the A53 would stall on any memory access past a cache miss", and no A55 figure says
// otherwise.
#include "mtesim/cpu/core_preset.h"

#include "mtesim/common/config_error.h"

namespace mtesim {

namespace {

/* Load/store pipelines of the cores LLVM schedules with its Neoverse N2 model (Cortex-A710, A715)
 * or its V2 model (Cortex-X3, Neoverse V2), which agree on these: [LLVM]. */
const CorePreset::Value kN2V2LoadStorePipes{
    "core.load_store_pipes", "3",
    "[LLVM] N2/V2 'UnitL01 : ProcResource<2>; // Load/Store 0/1' and 'UnitL2 : ProcResource<1>; // Load 2': three pipelines that take loads, two of which take stores"};
const CorePreset::Value kN2V2LoadPipes{"core.load_pipes", "3",
                                       "[LLVM] N2/V2: loads issue to any of the three (WriteLD: the UnitL group of L01 and L2)"};
const CorePreset::Value kN2V2StorePipes{
    "core.store_pipes", "2",
    "[LLVM] N2/V2: stores issue to the two load/store pipelines only (WriteST, WriteSTP: 1c_1L01_1D; their data to the two store-data pipelines, UnitD, or the V pipes)"};
const CorePreset::Value kN2V2StoreSlotBytes{
    "core.store_slot_bytes", "32",
    "[LLVM] N2/V2: every store form from STR X to STP Q takes one load/store pipeline (WriteST, WriteSTP 1L01_1D; STR Q 1L01_1V; STP Q 1L01_2V): one slot per 32 bytes, STP Q's"};
const CorePreset::Value kN2V2LoadSlotBytes{
    "core.load_slot_bytes", "16",
    "[LLVM] N2/V2: LDR X and LDR Q one load pipeline (4c_1L, 6c_1L), LDP Q two (6c_2L): one slot per 16 bytes loaded; N2's LDP X two (4c_2L), as the kernel's pair takes them, a slot a register (V2's: core.load_pair_slots)"};

const std::vector<CorePreset> &table() {
    static const std::vector<CorePreset> presets = {
        {"arm,cortex-a55",
         {{"core.tlbi_range", "false", "[A55-TRM] an Armv8.2-A core; [ARM-ARM] FEAT_TLBIRANGE is Armv8.4's"},
          {"core.model", "inorder", "[A55-TRM] 'in-order pipeline'"},
          {"core.mispredict_penalty_cycles", "8", "[LLVM] Cortex-A55 MispredictPenalty 8 (a branch direction mispredict; from [A55-SOG])"},
          {"core.dispatch_width", "2", "[A55-TRM] dual-issue (informative: the in-order model issues by base_cpi)"},
          {"l1d.size", "32768", "[A55-TRM] 16 to 64 KiB; assumed: the 32 KiB of common phone builds"},
          {"l1d.ways", "4", "[A55-TRM] 4-way set associative"},
          {"l1d.latency", "3", "[A55-SOG] load instructions: 3-cycle execution latency"},
          {"l1d.prefetcher", "stride", "[A55-PF] L1D data prefetch engine: strides, multiple streams in parallel"},
          {"l1d.stride_max", "4", "[A53-PF] fixed strides within four lines either way (A53, the A55's predecessor; no A55 figure)"},
          {"l1d.write_streaming_lines", "3", "assumed: [A35-RA]'s three full lines, the A53's fourth line not allocating (its in-order predecessors; no A55 L1 value retrieved)"},
          {"l1d.write_streaming_memory_lines", "1023", "[A55-WS] L3WSCTL reset: the 1024th consecutive streaming line allocates in no cache"},
          {"l2.size", "131072", "[A55-TRM] optional private L2 of 64, 128 or 256 KiB; assumed: 128 KiB"},
          {"l2.ways", "4", "[A55-TRM] 4-way set associative"},
          {"l2.latency", "7", "assumed: no published A55 L2 latency was found (N1's, see arm,neoverse-n1)"},
          {"tlb.l1_entries", "16", "[A55-MMU] 16-entry L1 data TLB"},
          {"tlb.l1_ways", "16", "[A55-MMU] fully associative"},
          {"tlb.entries", "1024", "[A55-MMU] 1024-entry L2 TLB"},
          {"tlb.ways", "4", "[A55-MMU] 4-way set associative"},
          {"tlb.walk_cache_entries", "64", "[A55-MMU] 64-entry walk cache RAM"},
          {"tlb.walk_cache_ways", "4", "[A55-MMU] 4-way set associative"}}},
        {"arm,cortex-a510",
         {{"core.tlbi_range", "true", "[A510-TRM] an Armv9.0-A core; [ARM-ARM] FEAT_TLBIRANGE, mandatory from Armv8.4"},
          {"core.model", "ooo", "[CC-A510-MLP] in-order issue that does not block on a cache miss: the window model, which dispatches in program order, with the A510's measured limits below"},
          {"core.rob_entries", "14", "[CC-A510-MLP] two misses overlap with 12 instructions between them: the first miss, 12 instructions and the second miss in flight"},
          {"core.load_queue", "7", "[CC-A510-MLP] two misses overlap with 5 loads between them: the first miss, 5 loads and the second miss"},
          {"l1d.mshrs", "2", "[CC-A510-MLP] 'the A510 can overlap two cache misses'"},
          {"core.mispredict_penalty_cycles", "8", "assumed: A55's 8 ([LLVM]); A510 is its in-order successor and no A510 figure was found"},
          {"core.dispatch_width", "1", "in-order issue charged as the in-order model charges it, one instruction a cycle (configs/default.ini's core.base_cpi), not at the 3-wide decode of [TD21]: an in-order pipeline's issue rate is bound by its dependences, which the trace does not carry, and no A510 IPC figure was found; the window only adds what [CC-A510-MLP] measured, issue past misses"},
          {"l1d.size", "32768", "[A510-TRM] 32 or 64 KiB; assumed: the 32 KiB of common phone builds"},
          {"l1d.ways", "4", "[A510-TRM] 4-way set associative"},
          {"l1d.latency", "3", "[LLVM] Cortex-A510 LoadLatency 3 (AArch64SchedA510.td: 'most loads have a latency of 2, but some have higher latencies', 3 the tradeoff; A55's is 3 too, [A55-SOG])"},
          {"l1d.prefetcher", "stride", "[A510-PF] the A510 has data prefetchers (no TRM detail retrieved: A55's kind, [A55-PF])"},
          {"l1d.stride_max", "4", "assumed: [A53-PF]'s four lines, as arm,cortex-a55"},
          {"l1d.write_streaming_lines", "3", "assumed: [A35-RA]'s three full lines, as arm,cortex-a55"},
          {"l1d.write_streaming_memory_lines", "1023", "assumed: [A55-WS]'s 1024th line, as arm,cortex-a55"},
          {"l2.size", "0", "[CC-A510] the L2 is the complex's, shared by its two cores: a board gives it with a next-level-cache node (docs/bindings.md), none without one"},
          {"l2.ways", "4", "[WC-A510] 4-way set associative"},
          {"l2.latency", "13", "[SB-A510] 16.3 cycles load-to-use measured at 128 KiB (the complex's L2), less the 3-cycle L1D"}}},
        {"arm,cortex-a78",
         {{"core.tlbi_range", "false", "[A78-TRM] an Armv8.2-A core; [ARM-ARM] FEAT_TLBIRANGE is Armv8.4's"},
          {"core.model", "ooo", "[A78-SOG] out-of-order core"},
          {"core.mispredict_penalty_cycles", "11", "assumed: Cortex-A76 / Neoverse N1's 11 ([LLVM] N1, [AT-A76]); A78 keeps A76's pipeline family and no A78 figure was found"},
          {"core.rob_entries", "160", "[A78-SOG] 160-entry reorder buffer (kept from Cortex-A77)"},
          {"core.load_queue", "68", "assumed: Cortex-A76's 68 in-flight loads ([LQ-A76]); A78 is in A76's family and no A78 figure was found"},
          {"l1d.mshrs", "20", "assumed: Cortex-A76's 20 outstanding non-prefetch L1D misses ([LQ-A76]); no A78 figure was found"},
          {"l2.mshrs", "46", "assumed: Cortex-A76's 46 outstanding L2 misses ([WC-A76]); no A78 figure was found"},
          {"llc.mshrs", "46", "assumed as l2.mshrs: a core's reads beyond its L2 are its L2's misses, 46 at most on Cortex-A76 ([WC-A76]); no per-core bound to memory is published (the DSU L3's 94 are the cluster's: not modelled). Was the assumed 16"},
          {"core.dispatch_width", "4", "[A78-SOG] decode up to 4 instructions per cycle"},
          {"l1d.size", "32768", "[A78-TRM] 32 or 64 KiB; assumed: 32 KiB as in most A78 phones"},
          {"l1d.ways", "4", "[A78-TRM] 4-way set associative"},
          {"l1d.latency", "4", "[A78-SOG] 4-cycle load-to-use"},
          {"l1d.prefetcher", "stride", "[A78-TRM] L1D hardware prefetcher (stride and stream: a unit stride is a stream)"},
          {"l2.prefetcher", "stream", "[A78-TRM] L2 hardware prefetcher"},
          {"tlb.l1_entries", "48", "[A78-TRM] 48-entry fully associative L1 data TLB"},
          {"tlb.l1_ways", "48", "[A78-TRM] fully associative"},
          {"tlb.entries", "1024", "[A78-TRM] 1024-entry L2 TLB"},
          {"tlb.ways", "4", "[A78-TRM] 4-way set associative"},
          {"l2.size", "524288", "[A78-TRM] private L2 of 256 or 512 KiB; assumed: 512 KiB"},
          {"l2.ways", "8", "[A78-TRM] 8-way set associative"},
          {"l2.latency", "7", "assumed: Neoverse N1's 11-cycle L2 load-to-use (see arm,neoverse-n1) less the 4-cycle L1D; no figure for this core was found"}}},
        {"arm,cortex-a710",
         {{"core.tlbi_range", "true", "[A710-TRM] an Armv9.0-A core; [ARM-ARM] FEAT_TLBIRANGE, mandatory from Armv8.4"},
          {"core.model", "ooo", "[A710-SOG] out-of-order core"},
          {"core.mispredict_penalty_cycles", "10", "[LLVM] Neoverse N2 (derived from Cortex-A710, its server sibling) MispredictPenalty 10, from the N2 Software Optimization Guide"},
          {"core.rob_entries", "160", "assumed: A78's 160 ([A78-SOG]); no A710 ROB size was found"},
          {"core.load_queue", "68", "assumed: Cortex-A76's 68 in-flight loads ([LQ-A76]); A710 is in A76's family and no A710 figure was found"},
          {"l1d.mshrs", "20", "assumed: Cortex-A76's 20 outstanding non-prefetch L1D misses ([LQ-A76]); no A710 figure was found"},
          {"l2.mshrs", "46", "assumed: Cortex-A76's 46 outstanding L2 misses ([WC-A76]); no A710 figure was found"},
          {"llc.mshrs", "46", "assumed as l2.mshrs: a core's reads beyond its L2 are its L2's misses, 46 at most on Cortex-A76 ([WC-A76]); no per-core bound to memory is published (the DSU L3's 94 are the cluster's: not modelled). Was the assumed 16"},
          {"core.dispatch_width", "5", "[TD21] Cortex-A710 decodes 5 instructions per cycle"},
          kN2V2LoadStorePipes, kN2V2LoadPipes, kN2V2StorePipes, kN2V2StoreSlotBytes, kN2V2LoadSlotBytes,
          {"l1d.size", "65536", "[A710-TRM] 32 or 64 KiB"},
          {"l1d.ways", "4", "[A710-TRM] 4-way set associative"},
          {"l1d.latency", "4", "[A710-SOG] 4-cycle load-to-use"},
          {"l1d.prefetcher", "stride", "[A710-TRM] L1D hardware prefetcher (stride and stream)"},
          {"l2.prefetcher", "stream", "[A710-TRM] L2 hardware prefetcher"},
          {"l2.size", "524288", "[A710-TRM] private L2 of 256 or 512 KiB; assumed: 512 KiB"},
          {"l2.ways", "8", "[A710-TRM] 8-way set associative"},
          {"l2.latency", "7", "assumed: Neoverse N1's 11-cycle L2 load-to-use (see arm,neoverse-n1) less the 4-cycle L1D; no figure for this core was found"}}},
        {"arm,cortex-a715",
         {{"core.tlbi_range", "true", "[A715-TRM] an Armv9.0-A core; [ARM-ARM] FEAT_TLBIRANGE, mandatory from Armv8.4"},
          {"core.model", "ooo", "[TD22] out-of-order core"},
          {"core.mispredict_penalty_cycles", "12", "[WC-A720], [TW-A720] the A715's 12 cycles (the A720 shortened it to 11)"},
          {"core.rob_entries", "160", "assumed: A710's (see above); [TD22] gives no A715 ROB size"},
          {"core.load_queue", "68", "assumed: Cortex-A76's 68 in-flight loads ([LQ-A76]); A715 is in A76's family and no A715 figure was found"},
          {"l1d.mshrs", "20", "assumed: Cortex-A76's 20 outstanding non-prefetch L1D misses ([LQ-A76]); no A715 figure was found"},
          {"l2.mshrs", "46", "assumed: Cortex-A76's 46 outstanding L2 misses ([WC-A76]); no A715 figure was found"},
          {"llc.mshrs", "46", "assumed as l2.mshrs: a core's reads beyond its L2 are its L2's misses, 46 at most on Cortex-A76 ([WC-A76]); no per-core bound to memory is published (the DSU L3's 94 are the cluster's: not modelled). Was the assumed 16"},
          {"core.dispatch_width", "5", "[TD22] 5-wide decode"},
          kN2V2LoadStorePipes, kN2V2LoadPipes, kN2V2StorePipes, kN2V2StoreSlotBytes, kN2V2LoadSlotBytes,
          {"l1d.size", "65536", "[A715-TRM] 32 or 64 KiB"},
          {"l1d.ways", "4", "[A715-TRM] 4-way set associative"},
          {"l1d.latency", "4", "assumed: A710's 4 cycles ([A710-SOG])"},
          {"l1d.prefetcher", "stride", "[A715-TRM] L1D hardware prefetcher (stride and stream)"},
          {"l2.prefetcher", "stream", "[A715-TRM] L2 hardware prefetcher"},
          {"l2.size", "524288", "[A715-TRM] private L2 of 256 or 512 KiB; assumed: 512 KiB"},
          {"l2.ways", "8", "[A715-TRM] 8-way set associative"},
          {"l2.latency", "6", "[TW-A720] the A715's 10-cycle L2 access latency (the A720's is 9), taken as load-to-use, less the 4-cycle L1D (assumed)"}}},
        {"arm,cortex-x3",
         {{"core.tlbi_range", "true", "[X3-TRM] an Armv9.0-A core; [ARM-ARM] FEAT_TLBIRANGE, mandatory from Armv8.4"},
          {"core.model", "ooo", "[TD22] out-of-order core"},
          {"core.mispredict_penalty_cycles", "10", "assumed: Neoverse V2's 10 ([LLVM], itself copied from N2); V2 is X3's server sibling [HC35]"},
          {"core.rob_entries", "320", "[TD22] instruction window grown from X2's 288 to 320"},
          {"core.load_queue", "68", "assumed: Cortex-A76's 68 in-flight loads ([LQ-A76]); no X3 figure was found (X3's larger window would suggest more: this bounds its MLP low rather than high)"},
          {"l1d.mshrs", "20", "assumed: Cortex-A76's 20 outstanding non-prefetch L1D misses ([LQ-A76]); no X3 figure was found"},
          {"l2.mshrs", "46", "assumed: Cortex-A76's 46 outstanding L2 misses ([WC-A76]); no X3 figure was found"},
          {"llc.mshrs", "46", "assumed as l2.mshrs: a core's reads beyond its L2 are its L2's misses, 46 at most on Cortex-A76 ([WC-A76]); no per-core bound to memory is published (the DSU L3's 94 are the cluster's: not modelled). Was the assumed 16"},
          {"core.dispatch_width", "6", "[TD22] 6-wide decode"},
          kN2V2LoadStorePipes, kN2V2LoadPipes, kN2V2StorePipes, kN2V2StoreSlotBytes, kN2V2LoadSlotBytes,
          {"core.load_pair_slots", "1", "[LLVM] V2: LDP X is WriteLD (4c_1L) and WriteLDHi (no pipeline): one load pipeline; the model's note: the SOG gives LDP X a throughput of 3 a cycle (its author doubts it, 'should be 2')"},
          {"l1d.size", "65536", "[X3-TRM] 64 KiB"},
          {"l1d.ways", "4", "[X3-TRM] 4-way set associative"},
          {"l1d.latency", "4", "assumed: the 4 cycles of the X/A7x family ([A710-SOG])"},
          {"l1d.prefetcher", "stride", "[X3-TRM] L1D hardware prefetcher (stride and stream)"},
          {"l2.prefetcher", "stream", "[X3-TRM] L2 hardware prefetcher"},
          {"l2.size", "1048576", "[X3-TRM] private L2 of 512 KiB or 1 MiB; assumed: 1 MiB"},
          {"l2.ways", "8", "[X3-TRM] 8-way set associative"},
          {"l2.latency", "7", "assumed: Neoverse N1's 11-cycle L2 load-to-use (see arm,neoverse-n1) less the 4-cycle L1D; no figure for this core was found"}}},
        {"arm,neoverse-n1",
         {{"core.tlbi_range", "false", "[N1-TRM] an Armv8.2-A core; [ARM-ARM] FEAT_TLBIRANGE is Armv8.4's"},
          {"core.model", "ooo", "[N1-SOG] out-of-order core"},
          {"core.mispredict_penalty_cycles", "11", "[LLVM] Neoverse N1 MispredictPenalty 11; [AT-A76] 11-stage execution pipeline (N1 is A76's server sibling [HC31])"},
          {"core.rob_entries", "128", "[HC31] 128-entry instruction window"},
          {"core.load_queue", "68", "[LQ-A76] 68 in-flight loads of Cortex-A76, whose server sibling N1 is [HC31]"},
          {"l1d.mshrs", "20", "[LQ-A76] 20 outstanding non-prefetch misses of Cortex-A76, whose server sibling N1 is [HC31]"},
          {"l2.mshrs", "46", "[WC-A76] up to 46 outstanding L2 misses to the L3 on Cortex-A76, whose server sibling N1 is [HC31]"},
          {"llc.mshrs", "46", "[WC-A76] a core's reads beyond its L2 are its L2's misses, 46 at most on Cortex-A76, whose server sibling N1 is [HC31]; no separate per-core bound to memory is published (the 94 from the DSU's L3 are the cluster's and N1 has none: not modelled). Was the assumed 16"},
          {"core.dispatch_width", "4", "[N1-SOG] decode up to 4 instructions per cycle"},
          {"core.load_store_pipes", "2", "[LLVM] Neoverse N1 'N1UnitL : ProcResource<2>; // Load/Store 0/1': two pipelines that take loads and stores (AArch64SchedNeoverseN1.td, from [N1-SOG])"},
          {"core.load_pipes", "2", "[LLVM] N1: loads issue to either of the two load/store pipelines"},
          {"core.store_pipes", "2", "[LLVM] N1: stores issue to either of the two load/store pipelines (their data to the two store-data pipelines, N1UnitD, which bind no store before its address pipelines do)"},
          {"core.store_slot_bytes", "8", "[LLVM] N1: STR X one load/store pipeline (WriteST, N1Write_1c_1L_1D), STP X two (WriteSTP, N1Write_1c_2L_1D), STR Q two (N1Write_2c_2L_2V), STP Q four (N1Write_3c_4L_2V): one slot per 8 bytes stored"},
          {"core.load_slot_bytes", "16", "[LLVM] N1: LDR X and LDR Q one load/store pipeline (N1Write_4c_1L, N1Write_5c_1L), LDP Q two (N1Write_7c_1I_1L and WriteLDHi): one slot per 16 bytes loaded; LDP X, two in LLVM's model (WriteLD and WriteLDHi), takes one from a trace, which does not tell it from LDR Q (the kernel's copy_page says it is a pair)"},
          {"l1d.size", "65536", "[N1-TRM] 64 KiB"},
          {"l1d.ways", "4", "[N1-TRM] 4-way set associative"},
          {"l1d.latency", "4", "[N1-SOG] 4-cycle load-to-use"},
          {"l1d.prefetcher", "stride", "[N1-TRM] L1D hardware prefetcher (stride and stream: a unit stride is a stream)"},
          {"l2.prefetcher", "stream", "[N1-TRM] L2 hardware prefetcher"},
          {"tlb.l1_entries", "48", "[A76-TRM] 48-entry fully associative L1 data TLB (N1 is A76's server sibling [HC31]; [N1-TRM] the same)"},
          {"tlb.l1_ways", "48", "[A76-TRM] fully associative"},
          {"tlb.entries", "1280", "[A76-TRM] 1280-entry L2 TLB ([N1-TRM] the same)"},
          {"tlb.ways", "5", "[A76-TRM] 5-way set associative"},
          {"tlb.l2_latency", "3", "[A76-TRM] A5.2.3: access to the L2 TLB usually takes three cycles"},
          {"l2.size", "1048576", "[AT-Altra] Ampere Altra: 1 MiB private L2 per core ([N1-TRM]: 256 KiB to 1 MiB)"},
          {"l2.ways", "8", "[N1-TRM] 8-way set associative"},
          {"l2.latency", "7", "[WC-N1] 9-11 cycle L2 load-to-use; 11 for the 1 MiB two-bank L2 (measured 11 on Graviton2's 1 MiB L2, [AT-G2]), less the 4-cycle L1D"}}},
        {"arm,neoverse-v2",
         {{"core.tlbi_range", "true", "[V2-TRM] an Armv9.0-A core; [ARM-ARM] FEAT_TLBIRANGE, mandatory from Armv8.4"},
          {"core.model", "ooo", "[HC35] out-of-order core"},
          {"core.mispredict_penalty_cycles", "10", "[LLVM] Neoverse V2 MispredictPenalty 10 (noted there as copied from N2)"},
          {"core.rob_entries", "320", "[LLVM] Neoverse V2 MicroOpBufferSize 320, 'entries in micro-op re-order buffer' (AArch64SchedNeoverseV2.td, from the V2 Software Optimization Guide)"},
          {"core.load_queue", "68", "assumed: Cortex-A76's 68 in-flight loads ([LQ-A76]); no V2 figure was found (as X3: bounds its MLP low rather than high)"},
          {"l1d.mshrs", "20", "assumed: Cortex-A76's 20 outstanding non-prefetch L1D misses ([LQ-A76]); no V2 figure was found"},
          {"l2.mshrs", "46", "assumed: Cortex-A76's 46 outstanding L2 misses ([WC-A76]); no V2 figure was found"},
          {"llc.mshrs", "46", "assumed as l2.mshrs: a core's reads beyond its L2 are its L2's misses, 46 at most on Cortex-A76 ([WC-A76]); no per-core bound to memory is published (the DSU L3's 94 are the cluster's: not modelled). Was the assumed 16"},
          {"core.dispatch_width", "6", "[HC35] 6-wide decode"},
          kN2V2LoadStorePipes, kN2V2LoadPipes, kN2V2StorePipes, kN2V2StoreSlotBytes, kN2V2LoadSlotBytes,
          {"core.load_pair_slots", "1", "[LLVM] V2: LDP X is WriteLD (4c_1L) and WriteLDHi (no pipeline): one load pipeline; the model's note: the SOG gives LDP X a throughput of 3 a cycle (its author doubts it, 'should be 2')"},
          {"l1d.size", "65536", "[V2-TRM] 64 KiB"},
          {"l1d.ways", "4", "[V2-TRM] 4-way set associative"},
          {"l1d.latency", "4", "[LLVM] Neoverse V2 LoadLatency 4 (AArch64SchedNeoverseV2.td, from the V2 Software Optimization Guide)"},
          {"l1d.prefetcher", "stride", "[V2-TRM] L1D hardware prefetcher (stride and stream)"},
          {"l2.prefetcher", "stream", "[V2-TRM] L2 hardware prefetcher"},
          {"l2.size", "2097152", "[ARM-LP] Graviton4 (Neoverse V2): 2 MiB private L2 ([V2-TRM]: 1 or 2 MiB)"},
          {"l2.ways", "8", "[ARM-LP] 8-way L2 on Graviton2 and Graviton4"},
          {"l2.latency", "7", "[ARM-LPL] Graviton4's 2 MiB L2: 4.0 ns x 2.8 GHz = 11.2 cycles load-to-use, less the 4-cycle L1D (was assumed from N1's 11: the same value)"}}},
    };
    return presets;
}

std::string joined_names() {
    std::string s;
    for (const auto &n : CorePreset::names()) s += (s.empty() ? "" : ", ") + n;
    return s;
}

}  // namespace

const CorePreset *CorePreset::find(const std::string &compatible) {
    for (const auto &p : table())
        if (p.compatible == compatible) return &p;
    return nullptr;
}

std::vector<std::string> CorePreset::names() {
    std::vector<std::string> n;
    for (const auto &p : table()) n.push_back(p.compatible);
    return n;
}

bool CorePreset::names_a_core(const std::string &compatible) {
    return compatible.rfind("arm,cortex-", 0) == 0 || compatible.rfind("arm,neoverse-", 0) == 0;
}

bool CorePreset::sets_key(const std::string &key) {
    for (const auto &p : table())
        for (const auto &v : p.values)
            if (key == v.key) return true;
    return false;
}

ConfigStore CorePreset::apply(ConfigStore &base, const std::string &compatible, const std::string &node) {
    const std::string chosen = base.get_string(
        "core.preset", "dt",
        "core preset: dt (each cpu node's compatible), none (configs/default.ini only), or a preset's compatible, e.g. arm,neoverse-n1");
    std::string name = compatible;
    std::string origin = node + ": compatible = \"" + compatible + "\"";
    if (chosen == "none") return base;
    if (chosen != "dt") {
        if (!find(chosen))
            throw ConfigError(base.where("core.preset") + ", expected dt, none or one of: " + joined_names());
        name = chosen;
        origin = base.where("core.preset");
    } else if (!find(name)) {
        if (names_a_core(name))
            throw ConfigError(origin + ", no core preset for this core, expected one of: " + joined_names() +
                              " (or core.preset = none)");
        return base;  // an architecture model ("arm,armv8") or another vendor's core: default.ini
    }
    ConfigStore view = base;
    for (const auto &v : find(name)->values)
        view.set(v.key, v.value, "core preset " + name + " (src/cpu/core_preset.cpp)", ConfigStore::Layer::preset);
    return view;
}

}  // namespace mtesim
