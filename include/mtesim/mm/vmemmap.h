// Vmemmap: where each page's `struct page` lies in physical memory (SPARSEMEM_VMEMMAP, arm64
// with 4 KiB pages). Memory is divided into sections of 128 MiB (SECTION_SIZE_BITS 27); every
// section that holds memory gets a memmap of 32,768 struct pages of 64 bytes, 2 MiB, which
// vmemmap_populate maps with one PMD block. sparse_init allocates the node's memmaps as one
// buffer (sparse_buffer_init: memblock, top-down, aligned to 2 MiB) and hands it out section by
// section in section order; a section whose memmap did not come from that buffer has its own
// 2 MiB block. The memmap's contents are not simulated (the model keeps its page metadata in
// PageMeta); its lines are the kernel's struct page accesses' addresses, so that they take
// their place in the caches and in DRAM (docs/timing-model.md, "The memmap").
#pragma once

#include "mtesim/common/addr_range.h"
#include "mtesim/common/address.h"

#include <cstdint>
#include <vector>

namespace mtesim {

class Vmemmap {
public:
    static constexpr unsigned kSectionShift = 27;                              /* SECTION_SIZE_BITS */
    static constexpr std::uint64_t kSectionPages = 1ull << (kSectionShift - kPageShift); /* 32,768 */
    static constexpr std::uint64_t kStructPageBytes = 64;                        /* sizeof(struct page) */
    static constexpr std::uint64_t kSectionMapBytes = kSectionPages * kStructPageBytes;  /* 2 MiB: one PMD */

    Vmemmap() = default;
    /// The present sections of @memory (every 128 MiB section a range overlaps), none placed.
    explicit Vmemmap(const std::vector<AddrRange> &memory);

    /// Present sections, in section order.
    std::size_t sections() const { return m_sections.size(); }
    /// Bytes of memmap the present sections need (sections() x 2 MiB).
    std::uint64_t bytes() const { return m_sections.size() * kSectionMapBytes; }
    /// Places every section's memmap in one buffer at @base, in section order.
    void place_all(PhysAddr base);
    /// Places section number @i (in section order) at @base.
    void place(std::size_t i, PhysAddr base) { m_sections[i].map = base; }
    /// Whether @pfn's section is present (has a memmap: pfn_valid).
    bool has(Pfn pfn) const {
        const std::uint64_t n = pfn.value() / kSectionPages;
        return n < m_index.size() && m_index[n] != 0;
    }
    /// The physical address of @pfn's struct page. @pfn must lie in a present, placed section.
    PhysAddr struct_page(Pfn pfn) const;
    /// The memmap's reserved ranges (the placed sections' 2 MiB blocks, merged).
    std::vector<AddrRange> ranges() const;
    bool empty() const { return m_sections.empty(); }

private:
    struct Section {
        std::uint64_t number = 0; /* pfn >> 15 */
        PhysAddr map;             /* its first struct page */
    };
    std::vector<Section> m_sections;      /* sorted by number */
    std::vector<std::uint32_t> m_index;   /* section number -> index + 1 (0: absent) */
};

}  // namespace mtesim
