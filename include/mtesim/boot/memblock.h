// Memblock: the early boot allocator (mm/memblock.c): the memory ranges the kernel knows and
// the reservations made before the buddy allocator exists. Page-table pages are allocated
// top-down from the highest memory, as memblock does by default, and stay reserved: the
// PageAllocator never hands them out.
#pragma once

#include "mtesim/common/addr_range.h"

#include <optional>
#include <vector>

namespace mtesim {

class Memblock {
public:
    /// @memory: the RAM ranges the kernel will map and manage.
    explicit Memblock(std::vector<AddrRange> memory);

    const std::vector<AddrRange> &memory() const { return m_memory; }
    /// Adds a range to memory (a region activated after the linear map, such as tag storage).
    void add_memory(const AddrRange &r);
    /// One free page, top-down; nullopt when memory is exhausted.
    std::optional<PhysAddr> alloc_page();
    /// Ranges reserved so far (merged), for the PageAllocator.
    std::vector<AddrRange> reserved() const;
    std::uint64_t reserved_pages() const { return m_allocated; }
    /// Reserved regions below the page alloc_page() returned last (memblock_add_range skips
    /// them in address order).
    std::size_t regions_below_last() const { return m_regions_below; }

private:
    std::vector<AddrRange> m_memory;                 /* sorted by base */
    std::size_t m_range = 0;                         /* index of the range allocating from */
    std::vector<std::pair<PhysAddr, PhysAddr>> m_taken; /* [low, top) taken per range, top-down */
    std::uint64_t m_allocated = 0;                   /* in pages */
    std::size_t m_regions_below = 0;
};

}  // namespace mtesim
