// LinearMapBuilder: creates the kernel linear map with real page-table pages, as arm64's
// __create_pgd_mapping() (arch/arm64/mm/mmu.c) does at boot. Table pages come from memblock.
// An early table is not yet reachable through the linear map, so it is reached through the
// fixmap: with the old scheme (remap-twice) it is fixmapped once to zero it and again to
// populate it, two TLBIs; with the new one (map-once) it is mapped once, zeroed and populated,
// one TLBI. Tables created after the linear map exists (late) are reached through it: no
// fixmap, no TLBI (the old scheme still fixmapped them to populate). Every store and load is
// kernel work on the boot CPU (IKernelMemory): table zeroing and entry writes are memory
// traffic, TLBIs and barriers named costs.
#pragma once

#include "mtesim/boot/boot_config.h"
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
    std::uint64_t cycles = 0;               /* kernel work of the linear map, in core cycles */
    bool out_of_memory = false;             /* memblock ran dry: the map is incomplete */
};

class LinearMapBuilder {
public:
    /// Allocates swapper_pg_dir and the fixmap's PTE page from @memblock.
    LinearMapBuilder(Memblock &memblock, IKernelMemory &kmem, const BootConfig &config, PhysAddr phys_offset,
                     bool tagged);

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
    void charge(std::uint64_t cycles) { m_stats.cycles += cycles; }

    Memblock &m_memblock;
    IKernelMemory &m_kmem;
    BootConfig m_config;
    PhysAddr m_phys_offset;
    std::uint64_t m_attrs;
    PhysAddr m_root, m_fixmap_pte;
    BootStats m_stats;
};

}  // namespace mtesim
