// CoreConfig: the resolved [core], [l1d], [llc], [tlb], [kernel] and [sim] settings the cores
// run with. Costs that involve no memory traffic (exception entry, the core's pipeline) are
// named parameters here with their source in configs/default.ini; everything that touches
// memory is charged by the caches and the DRAM model.
#pragma once

#include "mtesim/cache/cache.h"
#include "mtesim/cache/tlb_hierarchy.h"
#include "mtesim/config/config_store.h"

#include <cstdint>

namespace mtesim {

struct CoreConfig {
    double base_cpi = 1.0;                 /* cycles per non-memory instruction */
    CacheConfig l1d;
    std::uint32_t l1d_latency = 4;         /* load-to-use on a hit, in core cycles */
    CacheConfig l2;                        /* private L2; size_bytes 0: none (L1D misses go to the LLC) */
    std::uint32_t l2_latency = 7;          /* extra latency of an L2 hit beyond the L1D lookup, in core cycles */
    CacheConfig llc;
    std::uint32_t llc_latency = 30;        /* hit latency beyond L1, in core cycles */
    TlbGeometry tlb;                       /* L1 dTLB, L2 TLB and walk cache, in entries and ways */
    std::uint32_t l2_tlb_latency = 3;      /* extra cycles of an L1 dTLB miss that hits the L2 TLB (also the walk cache's lookup) */
    std::uint32_t kernel_entry_cycles = 150; /* exception entry + return, in core cycles */
    std::uint32_t tlbi_cycles = 500;       /* broadcast TLBI and its completion, in core cycles */
    std::uint32_t dsb_cycles = 80;         /* DSB ISH, in core cycles */
    bool tlbi_range = false;               /* FEAT_TLBIRANGE: range TLBIs (Armv8.4+) */
    std::uint32_t tlbi_page_cycles = 193;  /* each page's share of a flush when several TLBIs share one DSB ISH, in core cycles */
    /// kernel.tlbi_timing: where tlbi_cycles and tlbi_page_cycles come from. automatic: the DVM
    /// broadcast over the board's /interconnect (DvmBroadcastModel, per core) where it has one,
    /// the two keys elsewhere; dvm: the broadcast, an error without a topology; fixed: the keys.
    enum class TlbiTiming { automatic, dvm, fixed };
    TlbiTiming tlbi_timing = TlbiTiming::automatic;
    double dvm_issue_ps = 0;               /* the DVM node's time sending one round's snoops for this core (DvmRound::issue_ps), in ps; 0: no DN (fixed timing) */
    /// One page's whole TLB flush (flush_tlb_page: TLBI, DSB ISH, ISB), in core cycles.
    std::uint64_t page_flush_cycles() const { return std::uint64_t(tlbi_cycles) + dsb_cycles + isb_cycles; }
    std::uint32_t isb_cycles = 20;         /* ISB, in core cycles */
    std::uint32_t cmo_line_cycles = 8;     /* one DC cache-maintenance operation by VA, in core cycles */
    std::uint32_t dczva_bytes = 64;        /* DCZID_EL0 block size of DC GZVA, in bytes */
    std::uint32_t write_buffer = 16;       /* posted write-backs in flight before the core stalls */
    bool kill_on_fault = true;             /* a fault kills the thread (SIGSEGV) or is only reported */
    double quantum_ns = 1000;              /* temporal decoupling quantum, in ns */
    std::uint64_t seed = 1;                /* IRG random source seed */
    /* The out-of-order approximation (core.model = ooo; docs/timing-model.md). */
    bool out_of_order = false;             /* core.model: inorder (blocking) or ooo */
    std::uint32_t rob_entries = 128;       /* instruction window (reorder buffer), in instructions */
    std::uint32_t dispatch_width = 4;      /* instructions dispatched per cycle */
    std::uint32_t load_pipes = 0;          /* loads issued per cycle (load pipelines); 0: no limit beyond dispatch_width */
    std::uint32_t store_pipes = 0;         /* stores issued per cycle (store pipelines); 0: no limit beyond dispatch_width */
    std::uint32_t load_store_pipes = 0;    /* pipelines loads and stores share (each slot of either takes one); 0: none shared */
    std::uint32_t load_slot_bytes = 0;     /* bytes of a load one pipeline slot carries (more take more slots); 0: one slot a load */
    std::uint32_t store_slot_bytes = 0;    /* the same for a store */
    std::uint32_t load_pair_slots = 0;     /* slots a load pair (LDP X: the kernel's copy_page) takes; 0: its two registers' by load_slot_bytes */
    std::uint32_t l1d_mshrs = 16;          /* outstanding L1D load misses */
    std::uint32_t llc_mshrs = 16;          /* outstanding loads of this core that miss the LLC (to DRAM) */
    std::uint32_t l2_mshrs = 46;           /* outstanding loads of this core that miss its private L2 (a core with one) */
    std::uint32_t load_queue = 68;         /* loads in flight (dispatched, not yet committed) before dispatch stalls, in entries */
    std::uint32_t store_buffer = 24;       /* stores whose miss is outstanding before dispatch stalls */
    std::uint32_t mispredict_penalty_cycles = 11; /* a mispredicted branch: front-end refill after it resolves, in core cycles */
    std::uint32_t prefetch_degree = 0;     /* l1d.prefetcher = stride: prefetches issued ahead of a confirmed stride; 0: off */
    std::uint32_t stride_entries = 16;     /* l1d.stride_entries: regions (4 KiB pages) the stride table tracks */
    std::uint32_t stride_max_lines = 4;    /* l1d.stride_max: the largest stride detected, in lines (either sign) */
    std::uint32_t stride_confirm = 2;      /* l1d.stride_confirm: repeats of one stride before prefetching starts */
    std::uint32_t write_stream_memory_lines = 16384; /* l1d.write_streaming_memory_lines: lines of a stream after which streamed lines allocate in no cache; 0: never */
    std::uint32_t write_stream_lines = 64;  /* l1d.write_streaming_lines: lines of a stream (lines written whole in a row) read before the L1D writes such lines without reading them; 0: never */
    std::uint32_t l2_prefetch_degree = 0;  /* l2.prefetcher = stream: lines fetched into the L2 ahead of an ascending L2 miss stream; 0: off */

    bool has_l2() const { return l2.size_bytes != 0; }

    static CoreConfig resolve(ConfigStore &store);
};

}  // namespace mtesim
