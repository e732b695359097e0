// Memblock: the early boot allocator (mm/memblock.c): the memory ranges the kernel knows and
// the reservations made before the buddy allocator exists. Page-table pages and the memmap's
// buffer are allocated top-down from the highest memory, as memblock does by default, and stay
// reserved: the PageAllocator never hands them out. An aligned block leaves the memory between
// its end and the reservations above it free; later pages are taken from there first, as
// memblock_find_in_range_node's top-down search finds the highest free range that fits.
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
    /// @bytes (a multiple of the page size) aligned to @align bytes (a power of two), at the
    /// highest such place below what is reserved (memblock_alloc_range_nid, top-down); nullopt
    /// when no range has room.
    std::optional<PhysAddr> alloc_block(std::uint64_t bytes, std::uint64_t align);
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
    std::vector<AddrRange> m_gaps; /* free holes inside [low, top) above aligned blocks */
    /// Counts the reserved regions that end at or below @at (m_regions_below).
    void count_regions_below(PhysAddr at);
    std::uint64_t m_allocated = 0;                   /* in pages */
    std::size_t m_regions_below = 0;
};

}  // namespace mtesim
