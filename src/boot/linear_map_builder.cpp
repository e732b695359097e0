// LinearMapBuilder: see the header. The recursion mirrors alloc_init_pud / alloc_init_pmd /
// init_pte: one call per table, leaf entries written in runs.
#include "mtesim/boot/linear_map_builder.h"

#include "mtesim/boot/page_table_format.h"
#include "mtesim/common/sim_assert.h"

#include <vector>

namespace mtesim {

using namespace pgtable;

LinearMapBuilder::LinearMapBuilder(Memblock &memblock, IKernelMemory &kmem, const BootConfig &config,
                                   PhysAddr phys_offset, bool tagged)
    : m_memblock(memblock), m_kmem(kmem), m_config(config), m_phys_offset(phys_offset), m_attrs(kernel_attrs(tagged)) {
    // swapper_pg_dir and the fixmap's PTE page live in the kernel image: reserved, not counted.
    auto root = m_memblock.alloc_page();
    auto fix = m_memblock.alloc_page();
    MTESIM_ASSERT(root && fix, "no memory for swapper_pg_dir");
    m_root = *root;
    m_fixmap_pte = *fix;
    charge(m_kmem.zero_pages(pfn_of(m_root), 1));
    charge(m_kmem.zero_pages(pfn_of(m_fixmap_pte), 1));
}

void LinearMapBuilder::fixmap_set(unsigned level, std::uint64_t table) {
    const std::uint64_t pte = page_desc(table, kernel_attrs(false));
    charge(m_kmem.write_words(m_fixmap_pte + level * 8, &pte, 1));
    charge(m_kmem.barriers()); /* set_pte: DSB ISHST, ISB */
    ++m_stats.fixmap_maps;
    m_stats.bytes_written += 8;
}

void LinearMapBuilder::fixmap_clear(unsigned level) {
    const std::uint64_t none = 0;
    charge(m_kmem.write_words(m_fixmap_pte + level * 8, &none, 1));
    charge(m_kmem.flush_tlb_page()); /* clear_fixmap: TLBI VAALE1IS, DSB ISH, ISB */
    ++m_stats.fixmap_unmaps;
    ++m_stats.tlbis;
    m_stats.bytes_written += 8;
}

/*
 * A new table: early, it is fixmapped and zeroed (and, with the old scheme, unmapped again
 * until it is populated); late, it is zeroed through the linear map.
 */
std::uint64_t LinearMapBuilder::new_table(unsigned level, bool late) {
    auto page = m_memblock.alloc_page();
    if (!page) {
        m_stats.out_of_memory = true;
        return 0;
    }
    ++m_stats.tables[level];
    if (late) ++m_stats.late_tables;
    if (!late) fixmap_set(level, page->value());
    charge(m_kmem.zero_pages(pfn_of(*page), 1));
    m_stats.bytes_zeroed += kPageSize;
    if (!late && !m_config.map_once) fixmap_clear(level);
    return page->value();
}

void LinearMapBuilder::populate(unsigned level, std::uint64_t table, std::uint64_t va, std::uint64_t end,
                                std::uint64_t pa, bool late) {
    // Early tables are written through their fixmap slot; so are late ones with the old scheme.
    const bool fixmapped = level > 0 && (!late || !m_config.map_once);
    const bool mapped_by_new_table = !late && m_config.map_once && level > 0;
    if (fixmapped && !mapped_by_new_table) fixmap_set(level, table);

    std::vector<std::uint64_t> run; /* consecutive leaf entries not yet written */
    unsigned run_start = 0;
    auto flush = [&]() {
        if (run.empty()) return;
        charge(m_kmem.write_words(PhysAddr(table + run_start * 8ull), run.data(), run.size()));
        m_stats.bytes_written += 8 * run.size();
        run.clear();
    };
    const std::uint64_t sz = span(level);
    while (va < end) {
        const unsigned idx = index(va, level);
        const std::uint64_t next = std::min(end, (va | (sz - 1)) + 1);
        const bool whole = va % sz == 0 && next - va == sz && pa % sz == 0;
        if (level == kLevels - 1 || (m_config.block_mappings && (level == 1 || level == 2) && whole)) {
            if (run.empty()) run_start = idx;
            run.push_back(level == kLevels - 1 ? page_desc(pa, m_attrs) : block_desc(pa, m_attrs));
        } else {
            flush();
            std::uint64_t entry = 0;
            charge(m_kmem.read_word(PhysAddr(table + idx * 8ull), entry));
            ++m_stats.entries_read;
            std::uint64_t child = (entry & kValid) && (entry & kTable) ? (entry & kAddrMask) : 0;
            bool created = false;
            if (!child) {
                child = new_table(level + 1, late);
                if (!child) break;
                created = true;
                const std::uint64_t desc = table_desc(child);
                charge(m_kmem.write_words(PhysAddr(table + idx * 8ull), &desc, 1));
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
    if (fixmapped) fixmap_clear(level);
}

void LinearMapBuilder::map(const AddrRange &range, bool late) {
    const std::uint64_t va = va_of(range.base());
    populate(0, m_root.value(), va, va + range.size(), range.base().value(), late);
}

}  // namespace mtesim
