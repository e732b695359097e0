// LinearMapBuilder: see the header. The recursion mirrors __create_pgd_mapping_locked /
// alloc_init_pud / alloc_init_cont_pmd + init_pmd / alloc_init_cont_pte + init_pte: one call
// per table, leaf entries written in runs. Each table's instructions are summed from the
// terms of linear_map_instruction_costs.h and charged once per table (host speed: the PTE
// loop itself stays a plain loop).
#include "mtesim/boot/linear_map_builder.h"

#include "mtesim/boot/linear_map_instruction_costs.h"
#include "mtesim/boot/page_table_format.h"
#include "mtesim/common/sim_assert.h"


namespace mtesim {

using namespace pgtable;
namespace cost = linear_map_cost;

namespace {
constexpr std::uint64_t kCont = 1ull << 52;         /* PTE_CONT: the contiguous hint */
constexpr std::uint64_t kContPteSize = 16 * 4096;   /* CONT_PTE_SIZE with 4 KiB pages */
constexpr std::uint64_t kContPmdSize = 16ull << 21; /* CONT_PMD_SIZE with 4 KiB pages */

/// Loop iterations of a "next = X_cont_addr_end(addr, end)" loop over [va, end).
std::uint64_t chunks(std::uint64_t va, std::uint64_t end, std::uint64_t size) {
    return (end - 1) / size - va / size + 1;
}
}  // namespace

LinearMapBuilder::LinearMapBuilder(Memblock &memblock, IKernelMemory &kmem, const BootTiming &timing,
                                   const BootConfig &config, PhysAddr phys_offset, bool tagged)
    : m_memblock(memblock), m_kmem(kmem), m_timing(timing), m_config(config), m_phys_offset(phys_offset),
      m_attrs(kernel_attrs(tagged)) {
    // swapper_pg_dir and the fixmap's PTE page live in the kernel image: reserved, not counted.
    auto root = m_memblock.alloc_page();
    auto fix = m_memblock.alloc_page();
    MTESIM_ASSERT(root && fix, "no memory for swapper_pg_dir");
    m_root = *root;
    m_fixmap_pte = *fix;
    memory(m_kmem.zero_pages(pfn_of(m_root), 1));
    memory(m_kmem.zero_pages(pfn_of(m_fixmap_pte), 1));
}

void LinearMapBuilder::execute(std::uint64_t n) {
    m_stats.instructions += n;
    const std::uint64_t c = m_timing.stream.execute(n);
    m_stats.cycles += c;
    m_stats.instruction_cycles += c;
}

void LinearMapBuilder::barrier(Barrier b) {
    ++m_stats.barriers;
    const std::uint64_t c = m_timing.stream.barrier(b);
    m_stats.cycles += c;
    m_stats.barrier_cycles += c;
}

/*
 * __set_fixmap(FIX_P*D, phys, FIXMAP_PAGE_NORMAL): the PTE store, then __set_pte's DSB ISHST
 * and ISB. The slot's old translation was invalidated by the clear that preceded it, so the
 * first access through the slot misses the TLB and walks: 4 descriptor reads natively, 24
 * under stage 2 (a nested walk: each of the 4 stage-1 descriptor addresses and the output
 * address is translated by a 4-level stage-2 walk, (4 + 1) x (4 + 1) - 1 reads; Arm ARM
 * "Stage 2 translation", Bhargava et al., ASPLOS 2008). The reads hit the fixmap's own table
 * lines here, which stay cached: their cost is the cache latency.
 */
void LinearMapBuilder::fixmap_set(unsigned level, std::uint64_t table) {
    execute(cost::kFixmapSet);
    const std::uint64_t pte = page_desc(table, kernel_attrs(false));
    memory(m_kmem.write_words(m_fixmap_pte + level * 8, &pte, 1));
    barrier(Barrier::dsb_st);
    barrier(Barrier::isb);
    std::uint64_t v = 0;
    for (unsigned i = 0; i < m_timing.walk_reads; ++i) memory(m_kmem.read_word(m_fixmap_pte + level * 8, v));
    m_stats.walk_reads += m_timing.walk_reads;
    ++m_stats.fixmap_maps;
    m_stats.bytes_written += 8;
}

/*
 * clear_fixmap: __pte_clear, then flush_tlb_kernel_range() of one page: DSB ISHST, TLBI
 * VAALE1IS, DSB ISH (which waits for every core of the inner-shareable domain to acknowledge,
 * DvmBroadcastModel), ISB.
 */
void LinearMapBuilder::fixmap_clear(unsigned level) {
    execute(cost::kFixmapClear);
    const std::uint64_t none = 0;
    memory(m_kmem.write_words(m_fixmap_pte + level * 8, &none, 1));
    barrier(Barrier::dsb_st);
    const std::uint64_t c = m_timing.stream.wait(m_timing.dvm.tlbi_sync_cycles());
    m_stats.cycles += c;
    m_stats.tlbi_cycles += c;
    barrier(Barrier::dsb);
    barrier(Barrier::isb);
    ++m_stats.fixmap_unmaps;
    ++m_stats.tlbis;
    m_stats.bytes_written += 8;
}

/*
 * A new table: early_pgtable_alloc -> memblock_phys_alloc_range. With the old scheme
 * (remap-twice) the allocator fixmaps the page, memsets it and clears the fixmap; the caller
 * fixmaps it again to populate. With map-once the caller maps it once, clears it
 * (init_clear_pgtable: clear_page, DSB ISHST) and populates it. A late table (the linear map
 * exists) comes from the page allocator and is cleared through the linear map.
 */
std::uint64_t LinearMapBuilder::new_table(unsigned level, bool late) {
    auto page = m_memblock.alloc_page();
    if (!page) {
        m_stats.out_of_memory = true;
        return 0;
    }
    ++m_stats.tables[level];
    if (late) ++m_stats.late_tables;
    if (!late)
        execute(cost::kPgtableAllocCall + cost::kMemblockAlloc +
                2 * cost::kMemblockPerRegionBelow * m_memblock.regions_below_last());
    if (!late) fixmap_set(level, page->value());
    execute(cost::clear_page(m_timing.dczva_bytes));
    memory(m_kmem.zero_pages(pfn_of(*page), 1));
    m_stats.bytes_zeroed += kPageSize;
    if (!late && !m_config.map_once)
        fixmap_clear(level);
    else
        barrier(Barrier::dsb_st); /* init_clear_pgtable */
    return page->value();
}

void LinearMapBuilder::populate(unsigned level, std::uint64_t table, std::uint64_t va, std::uint64_t end,
                                std::uint64_t pa, bool late) {
    // Early tables are written through their fixmap slot; so are late ones with the old scheme.
    const bool fixmapped = level > 0 && (!late || !m_config.map_once);
    const bool mapped_by_new_table = !late && m_config.map_once && level > 0;
    if (fixmapped && !mapped_by_new_table) fixmap_set(level, table);

    // The instructions of this table's function, summed and charged at the end.
    static constexpr std::uint64_t kEntry[kLevels] = {cost::kPgdEntry, cost::kPudEntry, cost::kPmdEntry, cost::kPte};
    static constexpr std::uint64_t kCall[kLevels] = {0, cost::kPudTableCall, cost::kPmdTableCall, cost::kPteTableCall};
    std::uint64_t instructions = kCall[level];
    if (level == 2) instructions += cost::kContPmdChunk * chunks(va, end, kContPmdSize);
    if (level == 3) instructions += cost::kContPteChunk * chunks(va, end, kContPteSize);
    // rodata=full (pages) sets NO_CONT_MAPPINGS: no contiguous hint; blocks mode sets it on
    // aligned, whole CONT_PTE/CONT_PMD chunks, as alloc_init_cont_pte/pmd do.
    const bool cont_allowed = m_config.block_mappings;

    // Consecutive leaf entries not yet written: at most one table's worth, since a call
    // never leaves its table.
    std::uint64_t *const run = m_runs[level].data();
    std::uint64_t run_len = 0;
    unsigned run_start = 0;
    auto flush = [&]() {
        if (!run_len) return;
        memory(m_kmem.write_words(PhysAddr(table + run_start * 8ull), run, run_len));
        m_stats.bytes_written += 8 * run_len;
        run_len = 0;
    };
    const std::uint64_t sz = span(level);
    const std::uint64_t first_va = va, first_pa = pa;
    if (level == kLevels - 1 && va < end && va % kPageSize == 0 && end % kPageSize == 0) {
        // A leaf table (init_pte's loop): one page per entry, every entry in one run. The same
        // entries, run and instruction count as the general loop below, written without its
        // per-entry bookkeeping (host speed: 16 M entries map 64 GiB). Without the contiguous
        // hint (rodata=full) the loop is branch-free.
        const std::uint64_t n = (end - va) / kPageSize;
        MTESIM_ASSERT(n <= kEntries, "a leaf run spans more than one table");
        run_start = index(va, level);
        run_len = n;
        if (cont_allowed)
            for (std::uint64_t i = 0; i < n; ++i)
                run[i] = page_desc(pa + i * kPageSize, m_attrs) | cont_bit(va + i * kPageSize, first_va, end, first_pa, kContPteSize);
        else if (pa % kPageSize == 0 && pa + n * kPageSize - 1 <= kAddrMask) {
            // Page-aligned output addresses that stay inside bits 47:12: each entry is the
            // previous one plus a page (page_desc's mask drops nothing).
            const std::uint64_t first_desc = page_desc(pa, m_attrs);
            for (std::uint64_t i = 0; i < n; ++i) run[i] = first_desc + i * kPageSize;
        } else
            for (std::uint64_t i = 0; i < n; ++i) run[i] = page_desc(pa + i * kPageSize, m_attrs);
        instructions += kEntry[level] * n;
        pa += n * kPageSize;
        va = end;
    }
    while (va < end) {
        const unsigned idx = index(va, level);
        const std::uint64_t next = std::min(end, (va | (sz - 1)) + 1);
        const bool whole = va % sz == 0 && next - va == sz && pa % sz == 0;
        instructions += kEntry[level];
        if (level == kLevels - 1) {
            if (!run_len) run_start = idx;
            run[run_len++] = page_desc(pa, m_attrs) | (cont_allowed ? cont_bit(va, first_va, end, first_pa, kContPteSize) : 0);
        } else if (m_config.block_mappings && (level == 1 || level == 2) && whole) {
            // pmd_set_huge / pud_set_huge: set_pmd/set_pud of a valid entry has DSB ISHST + ISB.
            if (!run_len) run_start = idx;
            run[run_len++] = block_desc(pa, m_attrs) | (level == 2 ? cont_bit(va, first_va, end, first_pa, kContPmdSize) : 0);
            instructions += cost::kBlockEntry;
            barrier(Barrier::dsb_st);
            barrier(Barrier::isb);
        } else {
            flush();
            std::uint64_t entry = 0;
            memory(m_kmem.read_word(PhysAddr(table + idx * 8ull), entry));
            ++m_stats.entries_read;
            std::uint64_t child = (entry & kValid) && (entry & kTable) ? (entry & kAddrMask) : 0;
            bool created = false;
            if (!child) {
                child = new_table(level + 1, late);
                if (!child) break;
                created = true;
                // __p4d/__pud/__pmd_populate: set_p4d/set_pud/set_pmd, DSB ISHST + ISB.
                const std::uint64_t desc = table_desc(child);
                memory(m_kmem.write_words(PhysAddr(table + idx * 8ull), &desc, 1));
                barrier(Barrier::dsb_st);
                barrier(Barrier::isb);
                m_stats.bytes_written += 8;
            }
            // A table that new_table left mapped (map-once) is populated in place.
            if (!created && !late && m_config.map_once) fixmap_set(level + 1, child);
            populate(level + 1, child, va, next, pa, late);
        }
        pa += next - va;
        va = next;
    }
    flush();
    if (level == kLevels - 1) m_stats.ptes += (end - first_va) / kPageSize;
    execute(instructions);
    if (fixmapped) fixmap_clear(level);
}

std::uint64_t LinearMapBuilder::cont_bit(std::uint64_t va, std::uint64_t first, std::uint64_t end, std::uint64_t first_pa,
                                         std::uint64_t size) {
    // The chunk of @va is mapped contiguous when [addr, next) of its loop iteration is the
    // whole chunk and phys is aligned: ((addr | next | phys) & ~CONT_MASK) == 0.
    const std::uint64_t lo = va & ~(size - 1), hi = lo + size;
    if (lo < first || hi > end) return 0;
    return ((first_pa + (lo - first)) % size) == 0 ? kCont : 0;
}

void LinearMapBuilder::map(const AddrRange &range, bool late) {
    const std::uint64_t va = va_of(range.base());
    populate(0, m_root.value(), va, va + range.size(), range.base().value(), late);
}

}  // namespace mtesim
