// DramController: a TLM-2.0 loosely-timed target serving the DRAM ranges of one
// mtesim,dram-controller DT node, data and tag storage alike. Timing comes from
// DramTimingEngine (bank/row state, busy-until times, refresh); MTE tag traffic goes through
// a TagCache, whose misses and dirty evictions are extra DRAM accesses to the tag region.
// Tag values live functionally in the platform's TagStore; bytes that must exist (tags, page
// tables) in its SparseMemory. Tag traffic (the tag cache's fills and writebacks) goes through
// the same queues and scheduler as data and is counted apart from it; a payload's own access is
// data traffic wherever it lands, including tag-storage pages the allocator uses as data (the
// RFC's pool).
#pragma once

#include "mtesim/dram/dram_timing_engine.h"
#include "mtesim/mem/sparse_memory.h"
#include "mtesim/mte/tag_cache.h"
#include "mtesim/mte/tag_store.h"
#include "protocol/mte_extension.h"

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include <vector>

namespace mtesim {

struct DramControllerParams {
    std::vector<AddrRange> ranges;   /* physical ranges served, in DT order */
    DramConfig dram;
    TagCacheConfig tag_cache;
};

struct DramControllerStats {
    DramTrafficStats data;           /* bursts of the payloads (data, wherever it lands, pool pages included) */
    DramTrafficStats tag;            /* bursts to the tag region for tags: tag cache fills and writebacks */
    TagCacheStats tag_cache;
    DramSchedulerStats scheduler;    /* queues, drains, turnarounds, per bank group outcomes */
    std::uint64_t refreshes = 0;     /* refresh commands (all-bank and per-bank) */
    std::uint64_t bus_busy_cycles = 0;
    std::uint64_t last_done_cycle = 0; /* completion of the latest access, in tCK cycles */
    /* The simulator's own work (stats.json "host"; no simulated quantity, and it changes with
     * the simulator's algorithms): DramTimingEngine's prediction runs adopted and dropped,
     * requests entered late and those of them that took a PRE/ACT, and the channels' steps
     * and issued commands, those of dropped runs included. */
    std::uint64_t host_lookaheads_adopted = 0, host_lookaheads_dropped = 0;  /* runs */
    std::uint64_t host_late_entries = 0, host_late_commands = 0;            /* requests */
    std::uint64_t host_steps = 0, host_commands = 0;                        /* steps, commands */
};

class DramController : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<DramController> socket;

    /// @memory and @tags are the platform's (shared by all controllers: each serves its ranges).
    DramController(sc_core::sc_module_name name, const DramControllerParams &params, SparseMemory &memory,
                   TagStore &tags);

    /// Serves whatever is still queued (end of the run), then reports.
    DramControllerStats stats() const;
    const DramConfig &config() const { return m_engine.config(); }
    TagStore &tags() { return m_tags; }
    /// The tag cache: kernel cache maintenance of a tag block drops its lines (SharedCaches).
    TagCache &tag_cache() { return m_tag_cache; }
    SparseMemory &memory() { return m_memory; }

private:
    void b_transport(tlm::tlm_generic_payload &trans, sc_core::sc_time &delay);
    unsigned int transport_dbg(tlm::tlm_generic_payload &trans);

    /// Offset of @pa in this controller's address space (its ranges laid end to end).
    DramAddr dram_addr(PhysAddr pa) const;
    /// Functional tag read/write for the granules of @trans; false if untagged memory.
    bool move_tags(tlm::tlm_generic_payload &trans, MteExtension &ext);
    /// Timing of the tag-cache lookups for @trans arriving at @arrival; returns the cycle its
    /// tags are available.
    std::uint64_t tag_timing(PhysAddr pa, std::uint64_t len, bool write, std::uint64_t arrival);

    std::vector<AddrRange> m_ranges;
    std::vector<std::uint64_t> m_range_offsets; /* DramAddr of each range's base */
    mutable DramTimingEngine m_engine;          /* mutable: stats() serves the queued requests first */
    TagCache m_tag_cache;
    SparseMemory &m_memory;
    TagStore &m_tags;
    std::uint64_t m_tck_units = 1;              /* tCK in SystemC time-resolution units */
    std::uint64_t m_last_done = 0;              /* latest response, in tCK cycles */
};

}  // namespace mtesim
