// AddressSpace: one process's memory map (mm_struct): its VMAs and its 4-level page tables,
// which live in simulated DRAM. Table pages are unmovable allocations from the page allocator,
// zeroed and written through IKernelMemory, so the kernel's walks and PTE updates are memory
// traffic on the core that runs them, and the cores' hardware walkers read the same bytes.
#pragma once

#include "mtesim/kernel/vma.h"
#include "mtesim/mem/sparse_memory.h"
#include "mtesim/mm/page_allocator.h"

#include <cstdint>
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

namespace mtesim {

class TlbGather;

class AddressSpace {
public:
    /// @asid: the address-space id that tags this process's TLB entries.
    AddressSpace(std::uint32_t asid, PageAllocator &allocator, IKernelMemory &kmem);
    AddressSpace(const AddressSpace &) = delete;
    AddressSpace &operator=(const AddressSpace &) = delete;

    std::uint32_t asid() const { return m_asid; }
    /// Allocates the level-0 table (pgd_alloc); false when memory is exhausted.
    bool init(std::uint64_t &cycles);
    /// Physical address of the level-0 table (TTBR0_EL1's BADDR), 0 before init.
    PhysAddr root() const { return m_root; }

    /* VMAs */
    /// The VMA holding @va, or nullptr.
    const Vma *find_vma(std::uint64_t va) const;
    /// Inserts @vma; the range must be free (the caller unmapped it first).
    void insert_vma(const Vma &vma);
    /// Removes [@start, @end) from the VMAs, splitting those that straddle it.
    void remove_range(std::uint64_t start, std::uint64_t end);
    /// Sets PROT_MTE to @mte and PROT_WRITE to @writable on [@start, @end) (splitting VMAs at
    /// the edges: mprotect_fixup); the pieces covered are returned. Unmapped holes are skipped.
    std::vector<Vma> set_prot(std::uint64_t start, std::uint64_t end, bool mte, bool writable);
    /// The VMAs overlapping [@start, @end), clipped to it.
    std::vector<Vma> vmas_in(std::uint64_t start, std::uint64_t end) const;
    std::size_t vma_count() const { return m_vmas.size(); }

    /* page tables */
    /// Physical address of @va's level-3 entry, allocating missing tables when @allocate
    /// (nullopt: a table is missing and !@allocate, or memory ran out: @oom set). A table the
    /// allocator's fast path cannot give takes @spare when it holds a page (the page the caller
    /// got through the slow path; the walk empties @spare when it takes it).
    std::optional<PhysAddr> pte_slot(std::uint64_t va, bool allocate, std::uint64_t &cycles, bool *oom = nullptr,
                                     std::optional<Pfn> *spare = nullptr);
    std::uint64_t read_pte(PhysAddr slot, std::uint64_t &cycles);
    void write_pte(PhysAddr slot, std::uint64_t value, std::uint64_t &cycles);
    /// The level-3 entry for @va read straight from simulated memory @mem (inspection: no
    /// cost, no allocation); 0 when a table is missing.
    std::uint64_t peek_pte(const SparseMemory &mem, std::uint64_t va) const;
    /// Frees the level-3 tables of 2 MiB ranges inside [@start, @end) that no VMA uses any
    /// more (free_pgtables), clearing their level-2 entries; each table's walk-cache entries go
    /// into @gather (pte_free_tlb: its range grows by the table's page). Returns tables freed.
    std::uint64_t free_unused_tables(std::uint64_t start, std::uint64_t end, std::uint64_t &cycles, TlbGather &gather);
    /// Frees every table (exit_mmap). The address space is empty afterwards.
    void release(std::uint64_t &cycles);
    std::uint64_t table_pages() const { return m_tables.size(); }
    std::uint64_t tables_allocated() const { return m_tables_allocated; } /* in pages, ever */
    std::uint64_t tables_freed() const { return m_tables_freed; }         /* in pages, ever */

private:
    /// Splits the VMA holding @addr so that one starts at @addr.
    void split_at(std::uint64_t addr);

    std::uint32_t m_asid;
    PageAllocator &m_alloc;
    IKernelMemory &m_kmem;
    PhysAddr m_root;
    std::map<std::uint64_t, Vma> m_vmas; /* by start */
    /* Table pages by (level, the VA bits above the span of the table's entries): the host's
     * index of the tree, to free it; the entries themselves live only in simulated memory. */
    std::unordered_map<std::uint64_t, Pfn> m_tables;
    std::uint64_t m_tables_allocated = 0, m_tables_freed = 0;
};

}  // namespace mtesim
