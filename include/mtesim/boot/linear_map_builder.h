// LinearMapBuilder: creates the kernel linear map with real page-table pages, as arm64's
// __create_pgd_mapping() (arch/arm64/mm/mmu.c) does at boot. Table pages come from memblock.
// An early table is not yet reachable through the linear map, so it is reached through the
// fixmap: with the old scheme (remap-twice) it is fixmapped once to zero it and again to
// populate it, two TLBIs; with the new one (map-once) it is mapped once, zeroed and populated,
// one TLBI. Tables created after the linear map exists (late) are reached through it: no
// fixmap, no TLBI (the old scheme still fixmapped them to populate). Every store and load is
// kernel work on the boot CPU (IKernelMemory): table zeroing and entry writes are memory
// traffic. The code's instructions and barriers go to the boot core's IInstructionStream
// (counts in linear_map_instruction_costs.h); a TLBI's completion is the DvmBroadcastModel's.
#pragma once

#include "mtesim/boot/boot_config.h"
#include "mtesim/boot/dvm_broadcast_model.h"
#include "mtesim/boot/i_instruction_stream.h"
#include "mtesim/boot/memblock.h"
#include "mtesim/boot/page_table_format.h"
#include "mtesim/mm/i_kernel_memory.h"

#include <array>
#include <cstdint>

namespace mtesim {

struct BootStats {
    std::array<std::uint64_t, 4> tables{};  /* tables created per level (L0 is swapper_pg_dir) */
    std::uint64_t late_tables = 0;          /* created after the linear map existed */
    std::uint64_t fixmap_maps = 0, fixmap_unmaps = 0;
    std::uint64_t tlbis = 0;
    std::uint64_t bytes_zeroed = 0;         /* in bytes */
    std::uint64_t bytes_written = 0;        /* entries and fixmap PTEs, in bytes */
    std::uint64_t entries_read = 0;         /* upper-level entries looked up */
    std::uint64_t ptes = 0;                 /* level-3 entries written */
    std::uint64_t instructions = 0;         /* kernel instructions issued (linear_map_instruction_costs.h) */
    std::uint64_t barriers = 0;             /* DSB and ISB instructions */
    std::uint64_t walk_reads = 0;           /* descriptor reads of TLB refills of the fixmap slot */
    std::uint64_t cycles = 0;               /* kernel work of the linear map, in core cycles */
    std::uint64_t instruction_cycles = 0;   /* of which issuing instructions */
    std::uint64_t memory_cycles = 0;        /* of which loads, stores and zeroing through the caches and DRAM */
    std::uint64_t barrier_cycles = 0;       /* of which DSB and ISB */
    std::uint64_t tlbi_cycles = 0;          /* of which waiting for TLBI completion (DVM broadcast) */
    bool out_of_memory = false;             /* memblock ran dry: the map is incomplete */
};

/// The boot core's timing the builder charges: instructions and barriers, TLBI completion,
/// and the architectural facts the code's cost depends on.
struct BootTiming {
    IInstructionStream &stream;
    const DvmBroadcastModel &dvm;
    std::uint32_t dczva_bytes = 64; /* DCZID_EL0 block: clear_page's loop step */
    std::uint32_t walk_reads = 4;   /* descriptor reads of one TLB refill: 4 native, 24 nested (stage 2) */
};

class LinearMapBuilder {
public:
    /// Allocates swapper_pg_dir and the fixmap's PTE page from @memblock.
    LinearMapBuilder(Memblock &memblock, IKernelMemory &kmem, const BootTiming &timing, const BootConfig &config,
                     PhysAddr phys_offset, bool tagged);

    /// Maps [@range.base, @range.end) at __va(). @late: the linear map already exists.
    void map(const AddrRange &range, bool late);

    PhysAddr root() const { return m_root; }
    std::uint64_t va_of(PhysAddr pa) const { return pgtable::kPageOffset + (pa - m_phys_offset); }
    const BootStats &stats() const { return m_stats; }

private:
    /// Allocates, zeroes and maps a new table of @level; returns its address (0 when out of memory).
    std::uint64_t new_table(unsigned level, bool late);
    void fixmap_set(unsigned level, std::uint64_t table);
    void fixmap_clear(unsigned level);
    /// Populates the table of @level at @table for [@va, @end) mapping from @pa.
    void populate(unsigned level, std::uint64_t table, std::uint64_t va, std::uint64_t end, std::uint64_t pa, bool late);
    void memory(std::uint64_t cycles) {
        m_stats.cycles += cycles;
        m_stats.memory_cycles += cycles;
    }
    void execute(std::uint64_t instructions);
    void barrier(Barrier b);
    /// PTE_CONT for the entry at @va of a populate() call over [@first, @end) from @first_pa.
    static std::uint64_t cont_bit(std::uint64_t va, std::uint64_t first, std::uint64_t end, std::uint64_t first_pa,
                                  std::uint64_t size);

    Memblock &m_memblock;
    IKernelMemory &m_kmem;
    BootTiming m_timing;
    BootConfig m_config;
    PhysAddr m_phys_offset;
    std::uint64_t m_attrs;
    PhysAddr m_root, m_fixmap_pte;
    BootStats m_stats;
    /* Per level, the leaf entries of a run not yet written (a run stays inside one table);
       reused from table to table so that the 16 M PTEs of a 64 GiB map cost no allocation or
       initialisation each (host speed only). */
    std::array<std::array<std::uint64_t, pgtable::kEntries>, pgtable::kLevels> m_runs;
};

}  // namespace mtesim
